/*
 * anchorage: the inventory checker's state, internal to rotation/ and
 * shared by inventory.c (the anchors, the counts, one entry from reader
 * to verdict) and inventory_verify.c (X509_verify_cert and the chain
 * cache).
 */
#ifndef ANCHORAGE_INVENTORY_INT_H
#define ANCHORAGE_INVENTORY_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "anchorage/rotation.h"
#include "rotation_int.h"

#define ANC_INV_CACHE_SLOTS 64

struct anchor {
	struct anc_inv_anchor pub;
	X509 *x;
	unsigned char *der;
	int der_len;
	X509_STORE *store;	/* this anchor alone */
};

/* A presented chain whose issuing CA has been verified. */
struct slot {
	int used;
	unsigned char key[32];
	X509 *ca;
	X509_STORE *store;	/* the CA alone, for its leaves */
	struct anc_inv_fast *fast;	/* its plain leaves, or NULL */
	uint64_t mask;		/* anchors the CA chains to */
	enum anc_inv_status status;	/* when mask is 0 */
	char detail[256];
};

struct anc_inventory {
	struct anchor a[ANC_INV_ANCHORS_MAX];
	size_t n;
	uint64_t retiring;
	X509_STORE *all;
	X509_STORE_CTX *ctx;
	time_t at;
	struct slot cache[ANC_INV_CACHE_SLOTS];
	size_t evict;
	struct anc_inv_summary sum;
};

/*
 * The verdict on the certificate under test (en->c[0]) before retiring is
 * weighed: res->anchors it chains to, or res->status and res->detail
 * saying why it chains to none.  Returns ANC_OK or ANC_E_NOMEM.
 */
ANC_MUST_CHECK
int anc_inv_judge(struct anc_inventory *inv, struct anc_inv_entry *en,
    struct anc_inv_result *res);

/*
 * Count and hand over, as `source`, a result anc_inv_check() reached for
 * the same bytes earlier (a verdict depends only on the bytes checked,
 * the anchors and the time).  Returns ANC_OK or fn's error.
 */
ANC_MUST_CHECK
int anc_inv_again(struct anc_inventory *inv, const char *source,
    const struct anc_inv_result *done, anc_inv_fn fn, void *arg,
    struct anc_err *err);

/* Release what a cache slot holds and empty it. */
void anc_inv_slot_clear(struct slot *s);

/* "anchors 1, 3": the anchors of a mask, counting from 1. */
void anc_inv_mask_text(uint64_t mask, char *buf, size_t cap);

/*
 * Base64 that is canonical (RFC 4648 alphabet, a multiple of four
 * characters, padding only at the end) decoded in one call into `out`
 * (room for len / 4 * 3 bytes).  Returns 0, or -1 for anything else,
 * which is left to EVP_DecodeUpdate: it takes whitespace and line breaks,
 * and it gives the same bytes where both apply.
 */
ANC_MUST_CHECK
int anc_inv_b64_decode(const char *s, size_t len, unsigned char *out,
    size_t *outlen);

/*
 * kubectl's Secrets: inventory_k8s.c walks the YAML and hands each
 * kubernetes.io/tls Secret's two values to inventory_k8s_secret.c, which
 * turns them into entries and checks them.
 */

/* A Secret's data value as read: base64 text, or why it is unusable. */
struct anc_inv_value {
	char *s;
	size_t len;
	const char *bad;
	int present;
};

/* What is kept from one Secret to the next while a file is read. */
struct anc_inv_secrets;

ANC_MUST_CHECK
int anc_inv_secrets_new(struct anc_inventory *inv, anc_inv_fn fn, void *arg,
    const char *path, struct anc_err *err, struct anc_inv_secrets **out);
void anc_inv_secrets_free(struct anc_inv_secrets *s);

/* Check the Secret ns/name: its tls.crt, then its ca.crt.  Returns ANC_OK,
 * ANC_E_NOMEM, or the callback's error. */
ANC_MUST_CHECK
int anc_inv_secret(struct anc_inv_secrets *s, const char *ns,
    const char *name, const struct anc_inv_value *tls,
    const struct anc_inv_value *ca);

#endif /* ANCHORAGE_INVENTORY_INT_H */
