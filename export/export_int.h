/*
 * anchorage: helpers shared by the files of export/, not part of its
 * contract.
 */
#ifndef ANCHORAGE_EXPORT_INT_H
#define ANCHORAGE_EXPORT_INT_H

#include <stddef.h>

#include "anchorage/err.h"

struct anc_err;

#define ANC_OUTBOX_SUMS "SHA256SUMS"
#define ANC_OUTBOX_SUBDIR "manifests"
#define ANC_OUTBOX_NAME_MAX 255
#define ANC_OUTBOX_DEPTH 4	/* components of a name: "a/b/manifests/x" */

/*
 * Called for each PEM block: its 1-based number, its type ("CERTIFICATE")
 * and its decoded bytes, which are wiped once the call returns (the block
 * may be a private key).  Returns ANC_OK to go on, or an error to stop.
 */
typedef int (*anc_pem_block_fn)(void *arg, size_t num, const char *type,
    const unsigned char *der, size_t len, struct anc_err *err);

/*
 * Every PEM block of `data`, in order.  Only whitespace may stand before,
 * between and after blocks; encapsulated headers (encrypted PEM) are
 * refused.  Messages start with "`what`: " unless `what` is NULL, and name
 * the block number or line.  *nblocks is the number of blocks passed to
 * `fn`.  Returns ANC_OK, ANC_E_INPUT, or the callback's error.
 */
ANC_MUST_CHECK
int anc_pem_each(const unsigned char *data, size_t len, const char *what,
    anc_pem_block_fn fn, void *arg, size_t *nblocks, struct anc_err *err);

/*
 * Is `name` an outbox file name: a plain name, "manifests/" and a plain
 * name, or a batch step's "out/cluster/x" or "out/cluster/manifests/x"
 * (neither out nor cluster called manifests); at most
 * ANC_OUTBOX_NAME_MAX bytes; no control characters or backslashes
 * (SHA256SUMS could not list them unescaped)?  On success *in_subdir
 * (the file is in a manifests/ directory) and *base (the last component)
 * are set.  Returns 0 or -1.
 */
ANC_MUST_CHECK
int anc_outbox_name_split(const char *name, int *in_subdir,
    const char **base);

struct anc_verify_item;

/*
 * The kind of outbox file `name` is ("pem", "manifest", "helm-values",
 * "transcript", "readme", "unknown"), judged by its name alone.
 */
const char *anc_outbox_kind(const char *name);

/*
 * Check that `data`, the content of outbox file `name`, is what its name
 * says and holds no private key out of place.  Sets it->kind (refined:
 * "certificate", "bundle", "crl") and it->detail.  Returns ANC_OK, or
 * ANC_E_VERIFY (ANC_E_INPUT for malformed PEM, ANC_E_NOMEM) with err
 * saying why (without the file name).
 */
ANC_MUST_CHECK
int anc_outbox_check_content(const char *name, const unsigned char *data,
    size_t len, struct anc_verify_item *it, struct anc_err *err);

/*
 * Check an outbox YAML file: Kubernetes objects if `manifest` (a file in
 * manifests/), else a mapping of Helm values (helm-values-*.yaml).  Sets
 * it->detail to the kinds found.  Returns as anc_outbox_check_content.
 */
ANC_MUST_CHECK
int anc_outbox_check_yaml(const unsigned char *text, size_t len,
    int manifest, struct anc_verify_item *it, struct anc_err *err);

/* The line, counted from 1, that byte `pos` of `text` stands on. */
size_t anc_text_line(const unsigned char *text, size_t pos);

/* Copy `n` bytes of `s` into `out` (NUL-terminated, at most cap - 1),
 * with anything but printable ASCII as '?': names and strings from an
 * outbox must not put terminal escapes in front of the operator (pem.c). */
void anc_printable(const unsigned char *s, size_t n, char *out, size_t cap);

#endif /* ANCHORAGE_EXPORT_INT_H */
