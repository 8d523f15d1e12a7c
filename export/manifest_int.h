/*
 * anchorage: what the manifest writers of export/ share (manifest*.c,
 * vault_readme.c): the rules of the consumers and the metadata writer.
 * Not part of the module's contract.
 */
#ifndef ANCHORAGE_MANIFEST_INT_H
#define ANCHORAGE_MANIFEST_INT_H

#include <stddef.h>

#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "anchorage/manifest.h"

#define ANC_MANIFEST_DATE_LEN 21	/* 2036-11-29T22:00:00Z and a NUL */

struct anc_err;
struct anc_yaml;

/* A certificate as annotations and the README describe it. */
struct anc_manifest_cert {
	char sha256[ANC_SHA256_HEX];
	char not_after[ANC_MANIFEST_DATE_LEN];
};

/* One extra metadata.annotations entry. */
struct anc_manifest_ann {
	const char *key;
	const char *value;
};

/* What metadata holds; ns NULL for cluster-scoped objects. */
struct anc_manifest_meta {
	const char *name;
	const char *ns;
	const char *component;
	const struct anc_provenance *p;
	const struct anc_manifest_ann *ann;
	size_t nann;
};

/* manifest_meta.c */

/* `s` is a Kubernetes object name (DNS-1123 subdomain); `what` names it
 * in the message. */
ANC_MUST_CHECK
int anc_manifest_check_name(const char *what, const char *s,
    struct anc_err *err);

/* `s` is a Kubernetes namespace (DNS-1123 label). */
ANC_MUST_CHECK
int anc_manifest_check_namespace(const char *what, const char *s,
    struct anc_err *err);

/* Everything anc_manifest_emit_head() writes for an object of `kind` is
 * valid where it lands. */
ANC_MUST_CHECK
int anc_manifest_check_meta(const char *kind,
    const struct anc_manifest_meta *m, struct anc_err *err);

/* The ceremony name and tool version are label values and the script's
 * SHA-256 is 64 lowercase hex digits. */
int anc_manifest_provenance_ok(const struct anc_provenance *p);

/* Open the document's top-level mapping and write apiVersion, kind and
 * metadata (labels, provenance annotations and m->ann). */
void anc_manifest_emit_head(struct anc_yaml *y, const char *api,
    const char *kind, const struct anc_manifest_meta *m);

/* manifest_certs.c */

/* The fingerprint and notAfter of `x`; `what` names it in messages. */
ANC_MUST_CHECK
int anc_manifest_cert_info(X509 *x, const char *what,
    struct anc_manifest_cert *ci, struct anc_err *err);

/* chain[0] is a CA, each certificate is issued and signed by the next,
 * and chain[n - 1] is a self-signed root CA (n >= 2). */
ANC_MUST_CHECK
int anc_manifest_check_chain(const char *what, X509 *const *chain,
    size_t n, struct anc_err *err);

/* The self-signed anchors' fingerprints and notAfter, each list joined
 * with commas; *fps and *dates owned by the caller (free()). */
ANC_MUST_CHECK
int anc_manifest_anchor_lists(X509 *const *a, size_t n, char **fps,
    char **dates, struct anc_err *err);

#endif /* ANCHORAGE_MANIFEST_INT_H */
