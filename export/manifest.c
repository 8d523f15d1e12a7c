/*
 * anchorage: Kubernetes manifests, Helm values and the Vault chain README.
 *
 * Every writer checks what it is given against the rules the consumer
 * applies (Kubernetes names, cert-manager's single-chain rule for tls.crt)
 * and refuses rather than write a file that would be rejected or, worse,
 * accepted and fail later in the cluster.  Those rules are the ceremony's
 * to enforce first, so a refusal here is ANC_E_INTERNAL.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/hash.h"
#include "anchorage/manifest.h"
#include "anchorage/rfc3339.h"
#include "anchorage/secmem.h"
#include "anchorage/sigcheck.h"
#include "yaml_emit.h"

#define PREFIX ANC_ANNOTATION_PREFIX
#define PART_OF "anchorage"

/* A certificate as annotations and the README describe it. */
struct cert_info {
	char sha256[ANC_SHA256_HEX];
	char not_after[ANC_RFC3339_LEN];
};

/* One extra metadata.annotations entry. */
struct ann {
	const char *key;
	const char *value;
};

/* What metadata holds; ns NULL for cluster-scoped objects. */
struct meta {
	const char *name;
	const char *ns;
	const char *component;
	const struct anc_provenance *p;
	const struct ann *ann;
	size_t nann;
};

/* ---- Kubernetes name rules ---- */

/*
 * 1..max characters from [a-z0-9] (also [A-Z] unless lower) and `extra`,
 * starting and ending with a letter or digit.
 */
static int
name_chars_ok(const char *s, size_t max, const char *extra, int lower)
{
	size_t i, n = strlen(s);
	unsigned char c;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (!lower && c >= 'A' && c <= 'Z'))
			continue;
		if (i == 0 || i == n - 1 || strchr(extra, c) == NULL)
			return 0;
	}
	return 1;
}

/* Object names: DNS-1123 subdomains. */
static int
object_name_ok(const char *s)
{
	return s != NULL && name_chars_ok(s, 253, "-.", 1);
}

/* Namespaces: DNS-1123 labels. */
static int
namespace_ok(const char *s)
{
	return s != NULL && name_chars_ok(s, 63, "-", 1);
}

static int
label_value_ok(const char *s)
{
	return s != NULL && name_chars_ok(s, 63, "-_.", 0);
}

static int
sha256_hex_ok(const char *s)
{
	return s != NULL && strlen(s) == ANC_SHA256_HEX - 1 &&
	    strspn(s, "0123456789abcdef") == ANC_SHA256_HEX - 1;
}

static int
check_name(const char *what, const char *s, struct anc_err *err)
{
	if (!object_name_ok(s))
		return anc_err_set(err, ANC_E_INTERNAL, "%s \"%.253s\": "
		    "expected a Kubernetes object name (lowercase letters, "
		    "digits, '-' and '.', at most 253)", what,
		    s != NULL ? s : "");
	return ANC_OK;
}

static int
check_namespace(const char *what, const char *s, struct anc_err *err)
{
	if (!namespace_ok(s))
		return anc_err_set(err, ANC_E_INTERNAL, "%s \"%.253s\": "
		    "expected a Kubernetes namespace (lowercase letters, "
		    "digits and '-', at most 63)", what, s != NULL ? s : "");
	return ANC_OK;
}

/* Everything emit_metadata() writes must be valid where it lands. */
static int
check_meta(const char *kind, const struct meta *m, struct anc_err *err)
{
	const struct anc_provenance *p = m->p;
	int r;

	if ((r = check_name(kind, m->name, err)) != ANC_OK)
		return r;
	if (!label_value_ok(m->name))
		return anc_err_set(err, ANC_E_INTERNAL, "%s \"%s\": longer "
		    "than the 63 characters of a label value "
		    "(app.kubernetes.io/name)", kind, m->name);
	if (m->ns != NULL &&
	    (r = check_namespace("namespace", m->ns, err)) != ANC_OK)
		return anc_err_prefix(err, "%s %s", kind, m->name);
	if (p == NULL || !label_value_ok(p->ceremony) ||
	    !label_value_ok(p->tool_version))
		return anc_err_set(err, ANC_E_INTERNAL, "%s %s: the ceremony "
		    "name and tool version must be valid label values "
		    "(letters, digits, '-', '_', '.', at most 63)", kind,
		    m->name);
	if (!sha256_hex_ok(p->ceremony_sha256))
		return anc_err_set(err, ANC_E_INTERNAL, "%s %s: ceremony "
		    "SHA-256: expected 64 lowercase hex digits", kind,
		    m->name);
	return ANC_OK;
}

/* ---- certificates ---- */

static int
cert_info(X509 *x, const char *what, struct cert_info *ci,
    struct anc_err *err)
{
	if (anc_cert_fingerprint(x, ci->sha256) != ANC_OK)
		return anc_err_ossl(err, ANC_E_CRYPTO, "%s: cannot compute "
		    "the SHA-256 fingerprint", what);
	if (anc_asn1_time_put(X509_get0_notAfter(x), ci->not_after) != 0)
		return anc_err_set(err, ANC_E_CRYPTO, "%s: unreadable "
		    "notAfter", what);
	return ANC_OK;
}

/*
 * basicConstraints CA:TRUE, as Go's IsCA (cert-manager) reads it; OpenSSL's
 * other answers (v1 roots, keyCertSign alone) do not count.
 */
static int
is_ca(X509 *x)
{
	return X509_check_ca(x) == 1;
}

/* The signature is checked once per certificate object (sigcheck.h): for
 * a certificate of this run, the check made after signing it with the
 * token's public key answers here. */
static int
is_self_signed_ca(X509 *x)
{
	return is_ca(x) && anc_sig_self_signed(x);
}

/*
 * cert-manager (>= 1.4) joins every certificate of tls.crt, plus the first
 * of ca.crt, into one chain or fails each issuance, and
 * Vault imports the chain file as issuers: each certificate must be issued
 * and signed by the next, ending at a self-signed root.
 */
static int
check_chain(const char *what, X509 *const *chain, size_t n,
    struct anc_err *err)
{
	size_t i;

	if (chain == NULL || n < 2)
		return anc_err_set(err, ANC_E_INTERNAL, "%s: expected a CA and "
		    "its chain up to the root, got %zu certificate(s)", what,
		    chain == NULL ? 0 : n);
	if (!is_ca(chain[0]))
		return anc_err_set(err, ANC_E_INTERNAL, "%s: the first "
		    "certificate is not a CA", what);
	/* A failed signature check leaves only "EVP lib" in OpenSSL's
	 * queue; the message below says more. */
	for (i = 0; i + 1 < n; i++) {
		if (X509_check_issued(chain[i + 1], chain[i]) != X509_V_OK ||
		    !anc_sig_check(chain[i], X509_get0_pubkey(chain[i + 1]))) {
			ERR_clear_error();
			return anc_err_set(err, ANC_E_INTERNAL, "%s: "
			    "certificate %zu is not issued by certificate %zu "
			    "(names or signature), so the certificates do not "
			    "form one chain", what, i + 1, i + 2);
		}
	}
	if (!is_self_signed_ca(chain[n - 1])) {
		ERR_clear_error();
		return anc_err_set(err, ANC_E_INTERNAL, "%s: the last "
		    "certificate is not a self-signed root CA", what);
	}
	return ANC_OK;
}

/* The key must be the issuing CA's, or every signing fails in-cluster. */
static int
check_key(X509 *ca, EVP_PKEY *key, struct anc_err *err)
{
	if (key == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "tls.key: no key");
	if (X509_check_private_key(ca, key) != 1)
		return anc_err_ossl(err, ANC_E_INTERNAL, "tls.key: does not "
		    "match the issuing CA certificate (tls.crt's first)");
	return ANC_OK;
}

/*
 * The key as unencrypted PKCS#8 PEM, which cert-manager reads, in a BIO
 * whose buffer is cleansed on free (BIO_s_secmem).  Encoded here from the
 * key itself rather than handed in as PEM: the check above is then made on
 * the key that is written, with no decoding of it (a sixth of a ceremony
 * in OpenSSL 3.0).
 */
static int
key_pem(EVP_PKEY *key, BIO **bio, BUF_MEM **mem, struct anc_err *err)
{
	if ((*bio = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_PrivateKey(*bio, key, NULL, NULL, 0, NULL,
	    NULL) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO, "tls.key: PEM");
	BIO_get_mem_ptr(*bio, mem);
	if ((*mem)->length == 0 || (*mem)->length > INT_MAX / 2)
		return anc_err_set(err, ANC_E_INTERNAL, "tls.key: PEM of %zu "
		    "bytes", (*mem)->length);
	return ANC_OK;
}

/* Base64 without line breaks, as Kubernetes `data` wants it. */
static size_t
b64_len(size_t n)
{
	return 4 * ((n + 2) / 3);
}

static int
b64(const void *in, size_t n, const char *what, char **out,
    struct anc_err *err)
{
	char *buf;

	if (n > INT_MAX / 2)
		return anc_err_set(err, ANC_E_INTERNAL, "%s: too large", what);
	if ((buf = malloc(b64_len(n) + 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s", what);
	EVP_EncodeBlock((unsigned char *)buf, in, (int)n);
	*out = buf;	/* transferred */
	return ANC_OK;
}

/*
 * The anchors' fingerprints and notAfter, each joined with commas, in
 * order.  Every anchor must be a self-signed CA: a bundle is what clients
 * trust without further proof.
 */
static int
anchor_lists(X509 *const *a, size_t n, char **fps, char **dates,
    struct anc_err *err)
{
	struct cert_info ci;
	char *f = NULL, *d = NULL, what[32];
	size_t i, fl = 0, dl = 0;
	int r = ANC_E_INTERNAL;

	if (a == NULL || n == 0 || n > 1024) {
		r = anc_err_set(err, ANC_E_INTERNAL, "trust bundle: expected "
		    "1 to 1024 anchors, got %zu", a == NULL ? 0 : n);
		goto out;
	}
	if ((f = malloc(n * ANC_SHA256_HEX)) == NULL ||
	    (d = malloc(n * ANC_RFC3339_LEN)) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "trust bundle");
		goto out;
	}
	f[0] = d[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "anchor %zu", i + 1);
		if (!is_self_signed_ca(a[i])) {
			ERR_clear_error();
			r = anc_err_set(err, ANC_E_INTERNAL, "trust bundle: %s "
			    "is not a self-signed CA certificate", what);
			goto out;
		}
		if ((r = cert_info(a[i], what, &ci, err)) != ANC_OK)
			goto out;
		/* Each entry and its comma or NUL fit its share exactly. */
		fl += (size_t)snprintf(f + fl, n * ANC_SHA256_HEX - fl, "%s%s",
		    i > 0 ? "," : "", ci.sha256);
		dl += (size_t)snprintf(d + dl, n * ANC_RFC3339_LEN - dl,
		    "%s%s", i > 0 ? "," : "", ci.not_after);
	}
	*fps = f;
	*dates = d;
	f = d = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	free(f);
	free(d);
	return r;
}

/* ---- emission ---- */

static void
emit_metadata(struct anc_yaml *y, const struct meta *m)
{
	size_t i;

	anc_yaml_key(y, "metadata");
	anc_yaml_map(y);
	anc_yaml_kv(y, "name", m->name);
	if (m->ns != NULL)
		anc_yaml_kv(y, "namespace", m->ns);
	anc_yaml_key(y, "labels");
	anc_yaml_map(y);
	anc_yaml_kv(y, "app.kubernetes.io/name", m->name);
	anc_yaml_kv(y, "app.kubernetes.io/instance", m->p->ceremony);
	anc_yaml_kv(y, "app.kubernetes.io/version", m->p->tool_version);
	anc_yaml_kv(y, "app.kubernetes.io/component", m->component);
	anc_yaml_kv(y, "app.kubernetes.io/part-of", PART_OF);
	anc_yaml_kv(y, "app.kubernetes.io/managed-by", PART_OF);
	anc_yaml_map_end(y);
	anc_yaml_key(y, "annotations");
	anc_yaml_map(y);
	anc_yaml_kv(y, PREFIX "ceremony", m->p->ceremony);
	anc_yaml_kv(y, PREFIX "ceremony-sha256", m->p->ceremony_sha256);
	for (i = 0; i < m->nann; i++)
		anc_yaml_kv(y, m->ann[i].key, m->ann[i].value);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
}

/* The document's top-level mapping up to and including metadata. */
static void
emit_head(struct anc_yaml *y, const char *api, const char *kind,
    const struct meta *m)
{
	anc_yaml_map(y);
	anc_yaml_kv(y, "apiVersion", api);
	anc_yaml_kv(y, "kind", kind);
	emit_metadata(y, m);
}

/* ---- kubernetes.io/tls Secret ---- */

struct secret_parts {
	char *crt;	/* base64 of tls.crt */
	char *ca;	/* base64 of ca.crt */
	char *hole;	/* stands where the key's base64 goes */
	size_t hole_len;
};

static void
secret_parts_free(struct secret_parts *sp)
{
	free(sp->crt);
	free(sp->ca);
	free(sp->hole);
}

/* Base64 of the PEM of `n` certificates. */
static int
certs_b64(X509 *const *certs, size_t n, const char *what, char **out,
    struct anc_err *err)
{
	char *pem = NULL;
	size_t len = 0;
	int r;

	if ((r = anc_pem_certs(certs, n, &pem, &len, err)) != ANC_OK)
		return anc_err_prefix(err, "%s", what);
	r = b64(pem, len, what, out, err);
	free(pem);
	return r;
}

/*
 * The key's base64 never passes through libyaml, which copies every
 * scalar into memory it frees without wiping.  The document is emitted
 * with a placeholder of the same length, in characters base64 never uses,
 * that libyaml writes unchanged inside double quotes; the key is written
 * over it afterwards.
 */
static int
secret_parts(X509 *const *chain, size_t n, size_t key_len,
    struct secret_parts *sp, struct anc_err *err)
{
	int r;

	if ((r = certs_b64(chain, n, "tls.crt", &sp->crt, err)) != ANC_OK ||
	    (r = certs_b64(&chain[n - 1], 1, "ca.crt", &sp->ca, err)) !=
	    ANC_OK)
		return r;
	sp->hole_len = b64_len(key_len);
	if ((sp->hole = malloc(sp->hole_len + 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "tls.key");
	memset(sp->hole, '*', sp->hole_len);
	sp->hole[sp->hole_len] = '\0';
	return ANC_OK;
}

/* Write the key's base64 over the placeholder, which must occur once. */
static int
fill_key(char *doc, size_t len, const struct secret_parts *sp,
    const char *key_pem, size_t key_len, struct anc_err *err)
{
	char *at, *b = NULL;
	size_t hl = sp->hole_len;
	int r = ANC_E_INTERNAL;

	at = memmem(doc, len, sp->hole, hl);
	if (at == NULL || at == doc || at[-1] != '"' || at[hl] != '"' ||
	    memmem(at + hl, len - (size_t)(at - doc) - hl, sp->hole, hl) !=
	    NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "tls.key: the emitted "
		    "Secret does not hold exactly one key placeholder");
		goto out;
	}
	if ((r = b64(key_pem, key_len, "tls.key", &b, err)) != ANC_OK)
		goto out;
	memcpy(at, b, hl);
	/* success */
	r = ANC_OK;
 out:
	anc_freezero(b, hl + 1);
	return r;
}

static void
emit_secret(struct anc_yaml *y, const struct meta *m,
    const struct secret_parts *sp)
{
	emit_head(y, "v1", "Secret", m);
	anc_yaml_kv(y, "type", "kubernetes.io/tls");
	anc_yaml_key(y, "data");
	anc_yaml_map(y);
	anc_yaml_kv(y, "tls.crt", sp->crt);
	anc_yaml_kv(y, "tls.key", sp->hole);
	anc_yaml_kv(y, "ca.crt", sp->ca);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
}

int
anc_manifest_tls_secret(const char *name, const char *ns,
    X509 *const *chain, size_t n, EVP_PKEY *key,
    const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err)
{
	struct secret_parts sp = { NULL, NULL, NULL, 0 };
	struct cert_info ica, root;
	struct anc_yaml y;
	struct ann ann[4];
	struct meta m = { name, ns, "issuing-ca", p, ann, 4 };
	BIO *kbio = NULL;
	BUF_MEM *kmem = NULL;
	char *doc = NULL;
	size_t doc_len = 0;
	int r = ANC_E_INTERNAL;

	if ((r = anc_yaml_open(&y, err)) != ANC_OK)
		goto out;
	if (ns == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "Secret %s: no namespace",
		    name != NULL ? name : "");
		goto out;
	}
	if ((r = check_meta("Secret", &m, err)) != ANC_OK ||
	    (r = check_chain("tls.crt", chain, n, err)) != ANC_OK ||
	    (r = check_key(chain[0], key, err)) != ANC_OK ||
	    (r = key_pem(key, &kbio, &kmem, err)) != ANC_OK ||
	    (r = cert_info(chain[0], "issuing CA", &ica, err)) != ANC_OK ||
	    (r = cert_info(chain[n - 1], "root", &root, err)) != ANC_OK ||
	    (r = secret_parts(chain, n, kmem->length, &sp, err)) != ANC_OK)
		goto out;
	ann[0] = (struct ann){ PREFIX "issuing-ca-sha256", ica.sha256 };
	ann[1] = (struct ann){ PREFIX "issuing-ca-not-after", ica.not_after };
	ann[2] = (struct ann){ PREFIX "root-sha256", root.sha256 };
	ann[3] = (struct ann){ PREFIX "root-not-after", root.not_after };
	emit_secret(&y, &m, &sp);
	if ((r = anc_yaml_close(&y, "Secret", &doc, &doc_len, err)) !=
	    ANC_OK ||
	    (r = fill_key(doc, doc_len, &sp, kmem->data, kmem->length,
	    err)) != ANC_OK)
		goto out;
	*out = doc;
	*len = doc_len;
	doc = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	anc_freezero(doc, doc_len + 1);
	anc_yaml_free(&y);
	secret_parts_free(&sp);
	BIO_free(kbio);
	return r;
}

/* ---- trust bundle: ConfigMap and trust-manager Bundle ---- */

int
anc_manifest_bundle_configmap(const char *name, const char *ns,
    X509 *const *anchors, size_t n, const struct anc_provenance *p,
    char **out, size_t *len, struct anc_err *err)
{
	struct anc_yaml y;
	struct ann ann[2];
	struct meta m = { name, ns, "trust-bundle", p, ann, 2 };
	char *fps = NULL, *dates = NULL, *pem = NULL;
	size_t pem_len = 0;
	int r = ANC_E_INTERNAL;

	if ((r = anc_yaml_open(&y, err)) != ANC_OK)
		goto out;
	if (ns == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "ConfigMap %s: no "
		    "namespace", name != NULL ? name : "");
		goto out;
	}
	if ((r = check_meta("ConfigMap", &m, err)) != ANC_OK ||
	    (r = anchor_lists(anchors, n, &fps, &dates, err)) != ANC_OK ||
	    (r = anc_pem_certs(anchors, n, &pem, &pem_len, err)) != ANC_OK)
		goto out;
	ann[0] = (struct ann){ PREFIX "anchors", fps };
	ann[1] = (struct ann){ PREFIX "anchors-not-after", dates };
	emit_head(&y, "v1", "ConfigMap", &m);
	anc_yaml_key(&y, "data");
	anc_yaml_map(&y);
	anc_yaml_key(&y, ANC_BUNDLE_KEY);
	anc_yaml_literal(&y, pem, pem_len);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	if ((r = anc_yaml_close(&y, "ConfigMap", out, len, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	anc_yaml_free(&y);
	free(fps);
	free(dates);
	free(pem);
	return r;
}

static void
emit_bundle_spec(struct anc_yaml *y, const char *source,
    const char *target_ns)
{
	anc_yaml_key(y, "spec");
	anc_yaml_map(y);
	anc_yaml_key(y, "sources");
	anc_yaml_seq(y);
	anc_yaml_map(y);
	anc_yaml_key(y, "configMap");
	anc_yaml_map(y);
	anc_yaml_kv(y, "name", source);
	anc_yaml_kv(y, "key", ANC_BUNDLE_KEY);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
	anc_yaml_seq_end(y);
	anc_yaml_key(y, "target");
	anc_yaml_map(y);
	anc_yaml_key(y, "configMap");
	anc_yaml_map(y);
	anc_yaml_kv(y, "key", ANC_BUNDLE_KEY);
	anc_yaml_map_end(y);
	anc_yaml_key(y, "namespaceSelector");
	anc_yaml_map(y);
	anc_yaml_key(y, "matchLabels");
	anc_yaml_map(y);
	anc_yaml_kv(y, "kubernetes.io/metadata.name", target_ns);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
}

int
anc_manifest_trust_bundle(const char *name, const char *source,
    const char *target_ns, X509 *const *anchors, size_t n,
    const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err)
{
	struct anc_yaml y;
	struct ann ann[2];
	struct meta m = { name, NULL, "trust-bundle", p, ann, 2 };
	char *fps = NULL, *dates = NULL;
	int r = ANC_E_INTERNAL;

	if ((r = anc_yaml_open(&y, err)) != ANC_OK)
		goto out;
	if ((r = check_meta("Bundle", &m, err)) != ANC_OK ||
	    (r = check_name("Bundle source ConfigMap", source, err)) !=
	    ANC_OK ||
	    (r = check_namespace("Bundle target namespace", target_ns,
	    err)) != ANC_OK ||
	    (r = anchor_lists(anchors, n, &fps, &dates, err)) != ANC_OK)
		goto out;
	ann[0] = (struct ann){ PREFIX "anchors", fps };
	ann[1] = (struct ann){ PREFIX "anchors-not-after", dates };
	emit_head(&y, "trust.cert-manager.io/v1alpha1", "Bundle", &m);
	emit_bundle_spec(&y, source, target_ns);
	anc_yaml_map_end(&y);
	if ((r = anc_yaml_close(&y, "Bundle", out, len, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	anc_yaml_free(&y);
	free(fps);
	free(dates);
	return r;
}

/* ---- cert-manager Issuer, Helm values ---- */

int
anc_manifest_issuer(const char *name, const char *ns, int cluster,
    const char *secret, const struct anc_provenance *p, char **out,
    size_t *len, struct anc_err *err)
{
	const char *kind = cluster ? "ClusterIssuer" : "Issuer";
	struct anc_yaml y;
	struct meta m = { name, cluster ? NULL : ns, "issuer", p, NULL, 0 };
	int r = ANC_E_INTERNAL;

	if ((r = anc_yaml_open(&y, err)) != ANC_OK)
		goto out;
	if (!cluster && ns == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "Issuer %s: no namespace",
		    name != NULL ? name : "");
		goto out;
	}
	if ((r = check_meta(kind, &m, err)) != ANC_OK ||
	    (r = check_name("spec.ca.secretName", secret, err)) != ANC_OK)
		goto out;
	emit_head(&y, "cert-manager.io/v1", kind, &m);
	anc_yaml_key(&y, "spec");
	anc_yaml_map(&y);
	anc_yaml_key(&y, "ca");
	anc_yaml_map(&y);
	anc_yaml_kv(&y, "secretName", secret);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	if ((r = anc_yaml_close(&y, kind, out, len, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	anc_yaml_free(&y);
	return r;
}

/*
 * Values files have no metadata to carry provenance, and libyaml's
 * emitter cannot write comments, so `p` goes unused here: the outbox's
 * SHA256SUMS and transcript say where the file came from.
 */
int
anc_manifest_helm_values(const char *issuer, const char *secret,
    const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err)
{
	struct anc_yaml y;
	int r = ANC_E_INTERNAL;

	if ((r = anc_yaml_open(&y, err)) != ANC_OK)
		goto out;
	if ((r = check_name("pki.issuer.name", issuer, err)) != ANC_OK ||
	    (r = check_name("pki.issuer.ca.existingTrustAnchorSecretName",
	    secret, err)) != ANC_OK)
		goto out;
	anc_yaml_map(&y);
	anc_yaml_key(&y, "pki");
	anc_yaml_map(&y);
	anc_yaml_key(&y, "enabled");
	anc_yaml_bool(&y, 1);
	anc_yaml_key(&y, "issuer");
	anc_yaml_map(&y);
	anc_yaml_kv(&y, "name", issuer);
	anc_yaml_key(&y, "ca");
	anc_yaml_map(&y);
	anc_yaml_key(&y, "enabled");
	anc_yaml_bool(&y, 1);
	anc_yaml_kv(&y, "existingTrustAnchorSecretName", secret);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	if ((r = anc_yaml_close(&y, "Helm values", out, len, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	anc_yaml_free(&y);
	return r;
}

/* ---- Vault chain README ---- */

/* The file name is pasted into shell commands: keep it to safe bytes. */
static int
shell_word_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && s[0] != '-' &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == strlen(s);
}

static int
describe_cert(BIO *b, const char *title, X509 *x, const char *what,
    struct anc_err *err)
{
	struct cert_info ci;
	int r;

	if ((r = cert_info(x, what, &ci, err)) != ANC_OK)
		return r;
	/* RFC 2253 with control and non-ASCII bytes escaped: plain text. */
	if (BIO_printf(b, "%s\n   subject:  ", title) <= 0 ||
	    X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
	    XN_FLAG_RFC2253) < 0 ||
	    BIO_printf(b, "\n   SHA-256:  %s\n   notAfter: %s\n\n", ci.sha256,
	    ci.not_after) <= 0)
		return anc_err_ossl(err, ANC_E_NOMEM, "Vault README");
	return ANC_OK;
}

static int
readme_text(BIO *b, const char *f, X509 *ica, X509 *root,
    const struct anc_provenance *p, struct anc_err *err)
{
	int r;

	if (BIO_printf(b,
	    "%s: signed Vault intermediate and its root\n"
	    "\n"
	    "Written by anchorage %s in ceremony %s\n"
	    "(script SHA-256 %s).\n"
	    "\n"
	    "%s holds two PEM certificates, in this order:\n"
	    "\n", f, p->tool_version, p->ceremony, p->ceremony_sha256, f) <= 0)
		return anc_err_ossl(err, ANC_E_NOMEM, "Vault README");
	if ((r = describe_cert(b, "1. the intermediate, Vault's issuing CA",
	    ica, "intermediate", err)) != ANC_OK ||
	    (r = describe_cert(b, "2. the root that signed it", root, "root",
	    err)) != ANC_OK)
		return r;
	if (BIO_printf(b,
	    "Import it into the mount whose CSR was signed (pki_int here;\n"
	    "use your mount's path):\n"
	    "\n"
	    "  vault write pki_int/intermediate/set-signed certificate=@%s\n"
	    "\n"
	    "The root follows the intermediate so that Vault's ca_chain, and\n"
	    "the ca.crt cert-manager's Vault issuer writes, end at the root.\n"
	    "\n"
	    "Check:\n"
	    "\n"
	    "  vault read pki_int/cert/ca_chain\n"
	    "      shows the same two certificates, intermediate first.\n"
	    "  awk '/BEGIN CERTIFICATE/ { n++ } n == 2' %s > root.pem\n"
	    "  openssl x509 -in root.pem -outform DER | sha256sum\n"
	    "      prints the root's SHA-256 above; compare it with the\n"
	    "      ceremony's signed paper record too.\n"
	    "  openssl verify -CAfile root.pem %s\n"
	    "      verifies the intermediate against the root: \"%s: OK\".\n"
	    "\n"
	    "The root's private key never left its PKCS#11 token, and the\n"
	    "intermediate's private key never left Vault: only the CSR came\n"
	    "into the appliance, and only certificates leave it.\n",
	    f, f, f, f) <= 0)
		return anc_err_ossl(err, ANC_E_NOMEM, "Vault README");
	return ANC_OK;
}

/* A memory BIO's contents as a NUL-terminated string of our own. */
static int
bio_string(BIO *b, char **out, size_t *len, struct anc_err *err)
{
	char *mem = NULL, *buf;
	long n;

	n = BIO_get_mem_data(b, &mem);
	if (n <= 0 || (buf = malloc((size_t)n + 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "Vault README");
	memcpy(buf, mem, (size_t)n);
	buf[n] = '\0';
	*out = buf;	/* transferred */
	*len = (size_t)n;
	return ANC_OK;
}

int
anc_manifest_vault_readme(const char *chain_file, X509 *intermediate,
    X509 *root, const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err)
{
	X509 *chain[2] = { intermediate, root };
	BIO *b = NULL;
	int r = ANC_E_INTERNAL;

	if (!shell_word_ok(chain_file)) {
		r = anc_err_set(err, ANC_E_INTERNAL, "Vault README: chain file "
		    "name \"%.200s\": expected letters, digits, '.', '_' and "
		    "'-', not starting with '-'",
		    chain_file != NULL ? chain_file : "");
		goto out;
	}
	if (p == NULL || !label_value_ok(p->ceremony) ||
	    !label_value_ok(p->tool_version) ||
	    !sha256_hex_ok(p->ceremony_sha256)) {
		r = anc_err_set(err, ANC_E_INTERNAL, "Vault README: expected "
		    "the ceremony name, tool version and script SHA-256");
		goto out;
	}
	if (intermediate == NULL || root == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "Vault README: expected "
		    "the intermediate and the root");
		goto out;
	}
	if ((r = check_chain(chain_file, chain, 2, err)) != ANC_OK)
		goto out;
	if ((b = BIO_new(BIO_s_mem())) == NULL) {
		r = anc_err_ossl(err, ANC_E_NOMEM, "Vault README");
		goto out;
	}
	if ((r = readme_text(b, chain_file, intermediate, root, p, err)) !=
	    ANC_OK)
		goto out;
	if ((r = bio_string(b, out, len, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	BIO_free(b);
	return r;
}
