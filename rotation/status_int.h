/*
 * anchorage: the state of `status`, internal to rotation/ and shared by
 * status.c (the certificates and the bundle in use), status_read.c (what
 * the outboxes, their transcripts and the token hold) and status_phase.c
 * (phases and advice).
 */
#ifndef ANCHORAGE_STATUS_INT_H
#define ANCHORAGE_STATUS_INT_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/rotation.h"

struct known {
	X509 *x;
	time_t nb, na;
	size_t seq;		/* order found: outboxes come oldest first */
	int bpos;		/* place in the bundle (newest first), or -1 */
	int anchor;		/* index of the issuing anchor, or -1 */
	struct anc_status_item it;
};

struct tkey {
	char label[129];
	EVP_PKEY *pub;
	int matched;
};

/* A transcript's word that a token (by serial) holds a key (by SPKI). */
struct holder {
	char spki[65];
	char serial[33];
};

struct anc_status {
	time_t at;
	int warn_days;
	struct known *k;
	size_t n, cap;
	char (*bundle)[65];	/* fingerprints of the bundle in use */
	size_t nbundle;
	int bundle_given;	/* by --bundle, not by an outbox */
	char bundle_src[512];
	struct tkey *keys;
	size_t nkeys;
	const char *phase;
	char next[256];
	int action_due;
	struct holder *holders;
	size_t nholders;
};

/* A zeroed entry at st->k[st->n], which the caller counts once it is
 * filled; NULL when out of memory. */
ANC_MUST_CHECK
struct known *anc_status_slot(struct anc_status *st);

/* Remember each certificate of sk once, with the first file it came
 * from. */
ANC_MUST_CHECK
int anc_status_add_certs(struct anc_status *st, STACK_OF(X509) *sk,
    const char *source, struct anc_err *err);

/* The bundle in use becomes the anchors of sk, which are remembered too.
 * ANC_E_INPUT unless each is a self-signed CA. */
ANC_MUST_CHECK
int anc_status_set_bundle(struct anc_status *st, STACK_OF(X509) *sk,
    const char *source, struct anc_err *err);

#endif /* ANCHORAGE_STATUS_INT_H */
