/*
 * anchorage: the state of `status`, internal to rotation/ and shared by
 * status.c (the certificates and the bundle in use), status_read.c (what
 * the outboxes, their transcripts and the token hold) and status_phase.c
 * (phases and advice).
 *
 * Anchors and token keys are few and kept whole.  Issuing CAs and
 * cross-certificates are as many as a fleet has clusters, so each is kept
 * as what its line prints and what the phases compare (struct ca), never
 * as a certificate: it is placed under its anchor and matched to the
 * token's keys as it is read.  An anchor or token key that comes after
 * some CA was taken may be that CA's, so then anc_status_finish() reads
 * the outboxes again for their CAs (recheck), with every anchor and key
 * known.  A ceremony writes its anchors before the CAs they issue, so a
 * fleet's outboxes are read once.
 */
#ifndef ANCHORAGE_STATUS_INT_H
#define ANCHORAGE_STATUS_INT_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "anchorage/buf.h"
#include "anchorage/err.h"
#include "anchorage/rotation.h"

/* An anchor, or (once finished) a token key no certificate carries. */
struct known {
	X509 *x;
	time_t nb, na;
	size_t seq;		/* order found: outboxes come oldest first */
	int bpos;		/* place in the bundle (newest first), or -1 */
	long top;		/* newest issuing CA under it (in st->ca), or -1 */
	size_t was;		/* its index before sorting */
	struct anc_status_item it;
};

/* An issuing CA or cross-certificate. */
struct ca {
	char sha256[65];
	time_t nb, na;
	size_t seq;		/* order found, as struct known's */
	size_t subject, source;	/* offsets of its strings in st->text */
	const char *phase;
	int anchor;		/* index in st->k of its issuer, or -1 */
	int key;		/* token key with its public key, or -1 */
	enum anc_status_kind kind;
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
	struct known *k;	/* anchors; key items follow once finished */
	size_t n, cap, nanchors;
	struct ca *ca;
	size_t nca, cacap;
	struct anc_buf *text;	/* the CAs' subjects and sources */
	struct anc_buf *outboxes;	/* each read again by finish; NULs */
	size_t seq;		/* certificates found so far */
	int recheck;		/* an anchor or key came after a CA */
	struct anc_status_item *item;	/* a CA's, as anc_status_item()
					 * last filled it */
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

/* Every certificate of sk, named by the file it came from: anchors (self-
 * signed CAs) each once, then as anc_status_add_cas(). */
ANC_MUST_CHECK
int anc_status_add_certs(struct anc_status *st, STACK_OF(X509) *sk,
    const char *source, struct anc_err *err);

/* The CAs of sk that are not anchors, each with its issuing anchor and
 * token key among those known so far.  Found twice, a CA is kept twice
 * until anc_status_finish() keeps its first.  Leaves are left out. */
ANC_MUST_CHECK
int anc_status_add_cas(struct anc_status *st, STACK_OF(X509) *sk,
    const char *source, struct anc_err *err);

/* The bundle in use becomes the anchors of sk, which are remembered too.
 * ANC_E_INPUT unless each is a self-signed CA. */
ANC_MUST_CHECK
int anc_status_set_bundle(struct anc_status *st, STACK_OF(X509) *sk,
    const char *source, struct anc_err *err);

/* Read every outbox again for its CAs only (anc_status_add_cas). */
ANC_MUST_CHECK
int anc_status_read_cas(struct anc_status *st, struct anc_err *err);

/* Is x a self-signed CA? */
int anc_status_is_anchor(X509 *x);

/* The token key with x's public key (the last, if several have it), or
 * -1; each such key is marked as matched. */
int anc_status_key_of(struct anc_status *st, X509 *x);

#endif /* ANCHORAGE_STATUS_INT_H */
