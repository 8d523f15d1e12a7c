/*
 * anchorage: what `status` decides.  The bundle in use decides the
 * phases: an anchor in it alone is in use; next to an older one it is
 * introduced (no issuing CA under it yet) or switched; the older one is
 * retiring; an anchor that left it is retired.  Issuing CAs and
 * cross-certificates follow their anchors.  Only what is in use can make
 * action due, so a finished rotation does not warn forever about the
 * anchor it retired.  Token keys are matched to certificates, and those
 * none carries are listed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "rotation_int.h"
#include "status_int.h"

#define DAY 86400

/* The place of an anchor in the bundle in use, or -1. */
static int
bundle_pos(const struct anc_status *st, const char *fp)
{
	size_t i;

	for (i = 0; i < st->nbundle; i++)
		if (strcmp(st->bundle[i], fp) == 0)
			return (int)i;
	return -1;
}

/*
 * Is a newer than b?  By notBefore; two made in the same second (tests,
 * a rehearsal) by their places in the bundle, which lists the newest first,
 * and then by the order found.
 */
static int
newer(const struct known *a, const struct known *b)
{
	if (a->nb != b->nb)
		return a->nb > b->nb;
	if (a->bpos >= 0 && b->bpos >= 0 && a->bpos != b->bpos)
		return a->bpos < b->bpos;
	return a->seq > b->seq;
}

static int
is_anchor(X509 *x)
{
	int r = X509_check_ca(x) == 1 && X509_self_signed(x, 1) == 1;

	ERR_clear_error();
	return r;
}

/* What each certificate is, and which anchor certified it. */
static void
classify(struct anc_status *st)
{
	struct known *k, *a;
	size_t i, j;

	for (i = 0; i < st->n; i++)
		if (is_anchor(st->k[i].x))
			st->k[i].it.kind = ANC_STATUS_ANCHOR;
	for (i = 0; i < st->n; i++) {
		k = &st->k[i];
		if (k->it.kind == ANC_STATUS_ANCHOR || X509_check_ca(k->x) != 1)
			continue;
		k->it.kind = ANC_STATUS_ISSUING_CA;
		for (j = 0; j < st->n; j++) {
			a = &st->k[j];
			if (a->it.kind != ANC_STATUS_ANCHOR)
				continue;
			if (X509_check_issued(a->x, k->x) == X509_V_OK &&
			    X509_verify(k->x, X509_get0_pubkey(a->x)) == 1)
				k->anchor = (int)j;
			/* The key and name of an anchor, certified by another:
			 * a cross-certificate. */
			if (EVP_PKEY_eq(X509_get0_pubkey(a->x),
			    X509_get0_pubkey(k->x)) == 1 &&
			    X509_NAME_cmp(X509_get_subject_name(a->x),
			    X509_get_subject_name(k->x)) == 0)
				k->it.kind = ANC_STATUS_CROSS;
		}
		ERR_clear_error();
	}
}

static long
days_left(time_t at, time_t na)
{
	time_t d = na - at;

	return d >= 0 ? (long)(d / DAY) : -(long)((-d + DAY - 1) / DAY);
}

/* How many tokens the transcripts show holding the key of `x`. */
static int
key_tokens(const struct anc_status *st, X509 *x)
{
	unsigned char *der = NULL, md[32];
	char spki[65];
	size_t i;
	int len, n = 0;

	if ((len = i2d_PUBKEY(X509_get0_pubkey(x), &der)) <= 0)
		return 0;
	SHA256(der, (size_t)len, md);
	OPENSSL_free(der);
	anc_hex(md, sizeof(md), spki);
	for (i = 0; i < st->nholders; i++)
		n += strcmp(st->holders[i].spki, spki) == 0;
	return n;
}

static void
basics(struct anc_status *st, struct known *k)
{
	anc_x509_subject(k->x, k->it.subject, sizeof(k->it.subject));
	if (anc_asn1_time(X509_get0_notBefore(k->x), &k->nb) != 0)
		k->nb = 0;
	if (anc_asn1_time(X509_get0_notAfter(k->x), &k->na) != 0)
		k->na = 0;
	anc_rfc3339_format(k->nb, k->it.not_before);
	anc_rfc3339_format(k->na, k->it.not_after);
	k->it.days_left = days_left(st->at, k->na);
	k->bpos = k->it.kind == ANC_STATUS_ANCHOR ?
	    bundle_pos(st, k->it.sha256) : -1;
	k->it.in_bundle = k->bpos >= 0;
	if (k->anchor >= 0)
		memcpy(k->it.anchor_sha256, st->k[k->anchor].it.sha256, 65);
	if (k->it.kind == ANC_STATUS_ANCHOR)
		k->it.key_tokens = key_tokens(st, k->x);
}

/* The newest anchor of the bundle in use, and how many it holds. */
static struct known *
newest_in_bundle(struct anc_status *st, size_t *count)
{
	struct known *best = NULL;
	size_t i;

	*count = 0;
	for (i = 0; i < st->n; i++) {
		if (!st->k[i].it.in_bundle)
			continue;
		(*count)++;
		if (best == NULL || newer(&st->k[i], best))
			best = &st->k[i];
	}
	return best;
}

/* Has an issuing CA been made under this anchor? */
static int
has_issuing(const struct anc_status *st, const struct known *a)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->k[i].it.kind == ANC_STATUS_ISSUING_CA &&
		    st->k[i].anchor >= 0 && &st->k[st->k[i].anchor] == a)
			return 1;
	return 0;
}

static void
overall(struct anc_status *st)
{
	struct known *n;
	size_t count;

	n = newest_in_bundle(st, &count);
	if (st->nbundle == 0) {
		st->phase = "unknown";
		snprintf(st->next, sizeof(st->next), "name the bundle in use "
		    "(--bundle FILE, or an outbox with a trust-bundle "
		    "ConfigMap)");
	} else if (count <= 1) {
		st->phase = "steady";
		snprintf(st->next, sizeof(st->next), "none until an anchor "
		    "enters the %d-day buffer; then introduce a new one",
		    st->warn_days);
	} else if (has_issuing(st, n)) {
		st->phase = "switched";
		snprintf(st->next, sizeof(st->next), "re-issue every leaf, "
		    "run inventory check, then the retire ceremony");
	} else {
		st->phase = "introduced";
		snprintf(st->next, sizeof(st->next), "once the bundle is "
		    "everywhere, the switch ceremony: an issuing CA under %s",
		    n->it.subject);
	}
}

static const char *
anchor_phase(struct anc_status *st, const struct known *k)
{
	struct known *n;
	size_t count;

	n = newest_in_bundle(st, &count);
	if (st->nbundle == 0)
		return "unknown";
	if (k->it.in_bundle)
		return count == 1 ? "in use" : k == n ? st->phase : "retiring";
	return n == NULL || newer(k, n) ? "not in bundle" : "retired";
}

/* Replaced by a newer issuing CA under the same anchor or a newer one
 * that is in use.  (Status reads one deployment: give it the outboxes of
 * one cluster.) */
static int
superseded(const struct anc_status *st, const struct known *k)
{
	const struct known *o, *oa, *ka = &st->k[k->anchor];
	size_t i;

	for (i = 0; i < st->n; i++) {
		o = &st->k[i];
		if (o == k || o->it.kind != ANC_STATUS_ISSUING_CA ||
		    o->anchor < 0 || !newer(o, k))
			continue;
		oa = &st->k[o->anchor];
		if ((st->nbundle == 0 || oa->it.in_bundle) &&
		    (oa == ka || newer(oa, ka)))
			return 1;
	}
	return 0;
}

static const char *
ca_phase(struct anc_status *st, const struct known *k)
{
	const struct known *a, *n;
	size_t count;

	if (k->anchor < 0)
		return "anchor unknown";
	a = &st->k[k->anchor];
	n = newest_in_bundle(st, &count);
	if (k->it.kind == ANC_STATUS_CROSS)
		return st->nbundle == 0 || a->it.in_bundle ? "in use" :
		    "retired";
	if (st->nbundle != 0 && !a->it.in_bundle)
		return "retired";
	if (superseded(st, k))
		return "superseded";
	return n != NULL && a != n ? "to replace" : "in use";
}

/* Only what is in use can make action due. */
static int
watched(const char *phase)
{
	static const char *const quiet[] = { "retired", "superseded",
	    "not in bundle" };
	size_t i;

	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		if (strcmp(phase, quiet[i]) == 0)
			return 0;
	return 1;
}

static void
advise(struct anc_status *st, struct known *k)
{
	struct anc_status_item *it = &k->it;
	int anchor = it->kind == ANC_STATUS_ANCHOR;

	if (!watched(it->phase) || k->na - st->at >= (time_t)st->warn_days * DAY)
		return;
	st->action_due = 1;
	if (k->na <= st->at) {
		it->level = ANC_STATUS_EXPIRED;
		snprintf(it->advice, sizeof(it->advice), "EXPIRED %ld day(s) "
		    "ago: %s", -it->days_left, anchor ? "certificates that chain "
		    "only to it no longer verify" : "it can no longer issue; "
		    "issue a new one");
		return;
	}
	it->level = ANC_STATUS_SOON;
	if (anchor && strcmp(it->phase, "retiring") == 0)
		snprintf(it->advice, sizeof(it->advice), "expires in %ld "
		    "day(s): finish the rotation (switch, re-issue, retire) "
		    "before then", it->days_left);
	else if (anchor)
		snprintf(it->advice, sizeof(it->advice), "expires in %ld "
		    "day(s), inside the %d-day buffer: introduce a new anchor "
		    "(docs/rotation.md, phase 1)", it->days_left, st->warn_days);
	else
		snprintf(it->advice, sizeof(it->advice), "expires in %ld "
		    "day(s), inside the %d-day buffer: issue a new issuing CA "
		    "and apply its Secret", it->days_left, st->warn_days);
}

static void
match_keys(struct anc_status *st, struct known *k)
{
	size_t i;

	for (i = 0; i < st->nkeys; i++)
		if (EVP_PKEY_eq(st->keys[i].pub, X509_get0_pubkey(k->x)) == 1) {
			snprintf(k->it.key_label, sizeof(k->it.key_label), "%s",
			    st->keys[i].label);
			st->keys[i].matched = 1;
		}
	ERR_clear_error();
}

/* Anchors, issuing CAs, cross-certificates, keys; newest first. */
static int
order(const void *a, const void *b)
{
	const struct known *x = a, *y = b;

	if (x->it.kind != y->it.kind)
		return (int)x->it.kind - (int)y->it.kind;
	return newer(x, y) ? -1 : newer(y, x) ? 1 : 0;
}

/* A token key no known certificate carries: say so, it may be a root
 * made by a ceremony whose outbox is missing. */
static int
key_items(struct anc_status *st, struct anc_err *err)
{
	struct known *k;
	size_t i;

	for (i = 0; i < st->nkeys; i++) {
		if (st->keys[i].matched)
			continue;
		if ((k = anc_status_slot(st)) == NULL)
			return anc_err_set(err, ANC_E_NOMEM, "status");
		st->n++;
		k->anchor = -1;
		k->bpos = -1;
		k->seq = st->n;
		k->it.kind = ANC_STATUS_KEY;
		k->it.phase = "no certificate";
		snprintf(k->it.key_label, sizeof(k->it.key_label), "%s",
		    st->keys[i].label);
		snprintf(k->it.source, sizeof(k->it.source), "token");
	}
	return ANC_OK;
}

int
anc_status_finish(struct anc_status *st, struct anc_err *err)
{
	struct known *k;
	size_t i, o;

	/* Leaves and other non-CA certificates are not status's business. */
	for (i = 0, o = 0; i < st->n; i++) {
		if (X509_check_ca(st->k[i].x) != 1) {
			X509_free(st->k[i].x);
			continue;
		}
		st->k[o++] = st->k[i];
	}
	st->n = o;
	classify(st);
	for (i = 0; i < st->n; i++)
		basics(st, &st->k[i]);
	overall(st);
	for (i = 0; i < st->n; i++) {
		k = &st->k[i];
		k->it.phase = k->it.kind == ANC_STATUS_ANCHOR ?
		    anchor_phase(st, k) : ca_phase(st, k);
		advise(st, k);
		match_keys(st, k);
	}
	if (key_items(st, err) != ANC_OK)
		return err->code;
	qsort(st->k, st->n, sizeof(*st->k), order);
	return ANC_OK;
}
