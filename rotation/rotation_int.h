/*
 * anchorage: rotation internals shared by the files of rotation/: the
 * inventory's readers hand entries to its checker.
 */
#ifndef ANCHORAGE_ROTATION_INT_H
#define ANCHORAGE_ROTATION_INT_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/rotation.h"

#define ANC_INV_CHAIN_MAX	16		/* certificates in one chain */
#define ANC_INV_BLOCK_MAX	(64 * 1024)	/* bytes of one decoded block */
#define ANC_INV_VALUE_MAX	(1024 * 1024)	/* a Secret's data value */

/* One certificate as read: its DER (owned), parsed on demand. */
struct anc_inv_cert {
	unsigned char *der;
	size_t len;
	X509 *x;
};

/*
 * What a reader hands the checker: the certificate under test (c[0]) and
 * the chain presented with it, or, when `garbage` is set, why the entry is
 * not a certificate.
 */
struct anc_inv_entry {
	char source[320];
	struct anc_inv_cert c[ANC_INV_CHAIN_MAX];
	size_t n;
	int garbage;
	char detail[256];
};

/* Check one entry, count it, hand its result to fn, and clear it.
 * Returns ANC_OK, ANC_E_NOMEM, or fn's error (err says after which). */
ANC_MUST_CHECK
int anc_inv_check(struct anc_inventory *inv, struct anc_inv_entry *en,
    anc_inv_fn fn, void *arg, struct anc_err *err);

/* Release the certificates of an entry and reset it. */
void anc_inv_entry_clear(struct anc_inv_entry *en);

/* A garbage entry's reason, printf-style. */
void anc_inv_entry_garbage(struct anc_inv_entry *en, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Count one Secret read; `skipped` when it is not kubernetes.io/tls. */
void anc_inv_count_secret(struct anc_inventory *inv, int skipped);

/* A name, or a certificate's subject, on one line (RFC 2253, with
 * controls and non-ASCII escaped). */
void anc_x509_name_text(const X509_NAME *name, char *buf, size_t cap);
void anc_x509_subject(X509 *x, char *buf, size_t cap);

/* The serial number in hex capitals, as openssl x509 -serial prints it. */
void anc_x509_serial(X509 *x, char *buf, size_t cap);

/* Copy text from a cluster or a file name for a terminal: anything but
 * printable ASCII becomes '?'. */
void anc_inv_printable(const char *s, char *out, size_t cap);

/*
 * The fast path for plain leaves under an issuing CA that X509_verify_cert
 * has accepted (inventory_fast.c).  *out is NULL when the CA, the chain
 * presented with it or an anchor carries constraints the fast path does
 * not apply, or when the CA's key is not EC.  Returns ANC_OK or
 * ANC_E_NOMEM.
 */
struct anc_inv_fast;
ANC_MUST_CHECK
int anc_inv_fast_new(X509 *ca, STACK_OF(X509) *chain, X509 *const *anchors,
    size_t n, struct anc_inv_fast **out);
void anc_inv_fast_free(struct anc_inv_fast *f);
/* 1: the leaf (DER) is issued by the CA, valid at `at` and plain; its
 * subject and notAfter are in res.  0: undecided, for X509_verify_cert. */
ANC_MUST_CHECK
int anc_inv_fast_leaf(const struct anc_inv_fast *f, time_t at,
    const unsigned char *der, size_t len, struct anc_inv_result *res);

/*
 * A certificate's names (DER) and key identifiers, read from its bytes
 * without parsing it into an X509: what the PEM stream reader needs to cut
 * chains.  The pointers are into `der`.  anc_inv_ids_get returns 0, or -1
 * when the bytes are not shaped like a certificate.
 */
struct anc_inv_ids {
	const unsigned char *issuer, *subject, *skid, *akid;
	int issuer_len, subject_len, skid_len, akid_len;	/* 0: absent */
};
ANC_MUST_CHECK
int anc_inv_ids_get(const unsigned char *der, size_t len,
    struct anc_inv_ids *ids);
/* Does x issue `last`, by name and key identifier, last being no root? */
ANC_MUST_CHECK
int anc_inv_ids_issues(const struct anc_inv_ids *x,
    const struct anc_inv_ids *last);

/*
 * PEM line by line, for streams and for decoded Secret values.  Each
 * complete block, or each stretch of text that is not one, is handed to
 * the callback with the line it began on (counting from 1): type
 * "CERTIFICATE" etc. with its DER (wiped after the call), or type NULL
 * with `why` saying what is wrong.
 */
typedef int (*anc_pem_fn)(void *arg, const char *type,
    const unsigned char *der, size_t len, const char *why, size_t line);

struct anc_pem_reader;

ANC_MUST_CHECK
int anc_pem_reader_new(anc_pem_fn fn, void *arg,
    struct anc_pem_reader **out);
/* One line, without its newline. */
ANC_MUST_CHECK
int anc_pem_reader_line(struct anc_pem_reader *r, const char *line,
    size_t len);
/* End of input: an open block is reported as unterminated. */
ANC_MUST_CHECK
int anc_pem_reader_end(struct anc_pem_reader *r);
/* Start another input with the same reader (its 64 KiB buffer is kept). */
void anc_pem_reader_reset(struct anc_pem_reader *r, anc_pem_fn fn,
    void *arg);
void anc_pem_reader_free(struct anc_pem_reader *r);

#endif /* ANCHORAGE_ROTATION_INT_H */
