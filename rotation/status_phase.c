/*
 * anchorage: what `status` decides.  The bundle in use decides the
 * phases: an anchor in it alone is in use; next to an older one it is
 * introduced (no issuing CA under it yet) or switched; the older one is
 * retiring; an anchor that left it is retired.  Issuing CAs and
 * cross-certificates follow their anchors.  Only what is in use can make
 * action due, so a finished rotation does not warn forever about the
 * anchor it retired.  Token keys are matched to certificates, and those
 * none carries are listed.  Every issuing CA is compared with the newest
 * under each anchor only, so the phases take one look at each CA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "anchorage/rfc3339.h"
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

/* Is CA a newer than CA b?  As newer(): CAs have no place in a bundle. */
static int
ca_newer(const struct ca *a, const struct ca *b)
{
	if (a->nb != b->nb)
		return a->nb > b->nb;
	return a->seq > b->seq;
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
	k->bpos = bundle_pos(st, k->it.sha256);
	k->it.in_bundle = k->bpos >= 0;
	k->it.key_tokens = key_tokens(st, k->x);
}

/* The newest anchor of the bundle in use, and how many it holds. */
static const struct known *
newest_in_bundle(const struct anc_status *st, size_t *count)
{
	const struct known *best = NULL;
	size_t i;

	*count = 0;
	for (i = 0; i < st->nanchors; i++) {
		if (!st->k[i].it.in_bundle)
			continue;
		(*count)++;
		if (best == NULL || newer(&st->k[i], best))
			best = &st->k[i];
	}
	return best;
}

static void
overall(struct anc_status *st)
{
	const struct known *n;
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
	} else if (n->top >= 0) {	/* an issuing CA under it */
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
anchor_phase(const struct anc_status *st, const struct known *k)
{
	const struct known *n;
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
superseded(const struct anc_status *st, const struct ca *c)
{
	const struct known *oa, *ka = &st->k[c->anchor];
	size_t i;

	for (i = 0; i < st->nanchors; i++) {
		oa = &st->k[i];
		if (oa->top >= 0 && ca_newer(&st->ca[oa->top], c) &&
		    (st->nbundle == 0 || oa->it.in_bundle) &&
		    (oa == ka || newer(oa, ka)))
			return 1;
	}
	return 0;
}

static const char *
ca_phase(const struct anc_status *st, const struct ca *c)
{
	const struct known *a, *n;
	size_t count;

	if (c->anchor < 0)
		return "anchor unknown";
	a = &st->k[c->anchor];
	n = newest_in_bundle(st, &count);
	if (c->kind == ANC_STATUS_CROSS)
		return st->nbundle == 0 || a->it.in_bundle ? "in use" :
		    "retired";
	if (st->nbundle != 0 && !a->it.in_bundle)
		return "retired";
	if (superseded(st, c))
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

/* An item's level and advice; 1 if action is due for it. */
static int
advise(const struct anc_status *st, struct anc_status_item *it, time_t na)
{
	int anchor = it->kind == ANC_STATUS_ANCHOR;

	if (!watched(it->phase) || na - st->at >= (time_t)st->warn_days * DAY)
		return 0;
	if (na <= st->at) {
		it->level = ANC_STATUS_EXPIRED;
		snprintf(it->advice, sizeof(it->advice), "EXPIRED %ld day(s) "
		    "ago: %s", -it->days_left, anchor ? "certificates that chain "
		    "only to it no longer verify" : "it can no longer issue; "
		    "issue a new one");
		return 1;
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
	return 1;
}

/* CA c's line, made in st->item; 1 if action is due for it. */
static int
ca_item(const struct anc_status *st, const struct ca *c)
{
	struct anc_status_item *it = st->item;
	const char *text = anc_buf_str(st->text);

	memset(it, 0, sizeof(*it));
	it->kind = c->kind;
	snprintf(it->subject, sizeof(it->subject), "%s", text + c->subject);
	memcpy(it->sha256, c->sha256, sizeof(it->sha256));
	if (c->anchor >= 0)
		memcpy(it->anchor_sha256, st->k[c->anchor].it.sha256,
		    sizeof(it->anchor_sha256));
	anc_rfc3339_format(c->nb, it->not_before);
	anc_rfc3339_format(c->na, it->not_after);
	it->days_left = days_left(st->at, c->na);
	it->phase = c->phase;
	snprintf(it->source, sizeof(it->source), "%s", text + c->source);
	if (c->key >= 0)
		snprintf(it->key_label, sizeof(it->key_label), "%s",
		    st->keys[c->key].label);
	return advise(st, it, c->na);
}

/* Anchors, then token keys; newest first. */
static int
order(const void *a, const void *b)
{
	const struct known *x = a, *y = b;

	if (x->it.kind != y->it.kind)
		return (int)x->it.kind - (int)y->it.kind;
	return newer(x, y) ? -1 : newer(y, x) ? 1 : 0;
}

/* Issuing CAs, then cross-certificates; newest first. */
static int
ca_order(const void *a, const void *b)
{
	const struct ca *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return ca_newer(x, y) ? -1 : ca_newer(y, x) ? 1 : 0;
}

/* A CA found twice, then in order found. */
static int
ca_found(const void *a, const void *b)
{
	const struct ca *x = a, *y = b;
	int r = strcmp(x->sha256, y->sha256);

	if (r != 0)
		return r;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Each CA once, as it was first found. */
static void
ca_once(struct anc_status *st)
{
	size_t i, o;

	/* qsort's base may not be NULL, even for no element. */
	if (st->nca == 0)
		return;
	qsort(st->ca, st->nca, sizeof(*st->ca), ca_found);
	for (i = 0, o = 0; i < st->nca; i++)
		if (o == 0 || strcmp(st->ca[o - 1].sha256, st->ca[i].sha256) != 0)
			st->ca[o++] = st->ca[i];
	st->nca = o;
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
		k->top = -1;
		k->bpos = -1;
		k->seq = st->seq++;
		k->it.kind = ANC_STATUS_KEY;
		k->it.phase = "no certificate";
		snprintf(k->it.key_label, sizeof(k->it.key_label), "%s",
		    st->keys[i].label);
		snprintf(k->it.source, sizeof(k->it.source), "token");
	}
	return ANC_OK;
}

/* Sorted newest first; each CA keeps its anchor. */
static int
sort_items(struct anc_status *st, struct anc_err *err)
{
	size_t *to, i;

	if ((to = calloc(st->n + 1, sizeof(*to))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "status");
	for (i = 0; i < st->n; i++)
		st->k[i].was = i;
	if (st->n > 0)
		qsort(st->k, st->n, sizeof(*st->k), order);
	for (i = 0; i < st->n; i++)
		to[st->k[i].was] = i;
	for (i = 0; i < st->nca; i++)
		if (st->ca[i].anchor >= 0)
			st->ca[i].anchor = (int)to[st->ca[i].anchor];
	free(to);
	if (st->nca > 0)
		qsort(st->ca, st->nca, sizeof(*st->ca), ca_order);
	return ANC_OK;
}

int
anc_status_finish(struct anc_status *st, struct anc_err *err)
{
	struct known *k, *a;
	struct ca *c;
	size_t i;
	int r;

	if (st->recheck) {
		st->nca = 0;
		anc_buf_reset(st->text);
		for (i = 0; i < st->nkeys; i++)
			st->keys[i].matched = 0;
		if ((r = anc_status_read_cas(st, err)) != ANC_OK)
			return r;
	}
	ca_once(st);
	for (i = 0; i < st->nanchors; i++)
		basics(st, &st->k[i]);
	for (i = 0; i < st->nca; i++) {
		c = &st->ca[i];
		if (c->kind != ANC_STATUS_ISSUING_CA || c->anchor < 0)
			continue;
		a = &st->k[c->anchor];
		if (a->top < 0 || ca_newer(c, &st->ca[a->top]))
			a->top = (long)i;
	}
	overall(st);
	for (i = 0; i < st->nanchors; i++) {
		k = &st->k[i];
		k->it.phase = anchor_phase(st, k);
		st->action_due |= advise(st, &k->it, k->na);
		if ((r = anc_status_key_of(st, k->x)) >= 0)
			snprintf(k->it.key_label, sizeof(k->it.key_label), "%s",
			    st->keys[r].label);
	}
	for (i = 0; i < st->nca; i++) {
		st->ca[i].phase = ca_phase(st, &st->ca[i]);
		st->action_due |= ca_item(st, &st->ca[i]);
	}
	if ((r = key_items(st, err)) != ANC_OK)
		return r;
	return sort_items(st, err);
}

size_t
anc_status_count(const struct anc_status *st)
{
	return st->n + st->nca;
}

/* Anchors, CAs, token keys.  A CA's item is made when asked for. */
const struct anc_status_item *
anc_status_item(const struct anc_status *st, size_t i)
{
	if (i < st->nanchors)
		return &st->k[i].it;
	if (i - st->nanchors < st->nca) {
		(void)ca_item(st, &st->ca[i - st->nanchors]);
		return st->item;
	}
	i -= st->nca;
	return i < st->n ? &st->k[i].it : NULL;
}
