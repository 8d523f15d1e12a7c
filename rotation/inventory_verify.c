/*
 * anchorage: the inventory's verdict on one certificate.  Verdicts come
 * from OpenSSL's X509_verify_cert, with anchors as the trust store and the
 * certificate's own chain as untrusted.  A cluster holds thousands of
 * leaves under a handful of issuing CAs, so the chain above a leaf is
 * verified once: the issuing CA is checked against each anchor with the
 * rest of the presented chain, and the outcome is kept together with a
 * store that trusts that CA alone.  A leaf is then verified against that
 * store (X509_V_FLAG_PARTIAL_CHAIN), one signature per leaf; a plain leaf
 * is accepted without being parsed into an X509 at all (inventory_fast.c),
 * which keeps a check of 100,000 certificates near the raw verify rate.
 * The cache is keyed by the SHA-256 of the presented chain's bytes, so a
 * chain that differs in any byte is verified afresh, and it has a fixed
 * number of slots, so memory does not grow with the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "inventory_int.h"
#include "rotation_int.h"

/* One X509_verify_cert outcome. */
struct vres {
	int ok;
	int err;
	int depth;
	char subject[200];	/* the certificate the error is about */
};

void
anc_inv_slot_clear(struct slot *s)
{
	X509_free(s->ca);
	X509_STORE_free(s->store);
	anc_inv_fast_free(s->fast);
	memset(s, 0, sizeof(*s));
}

/*
 * Verification
 */

static int
verify(struct anc_inventory *inv, X509_STORE *store, X509 *x,
    STACK_OF(X509) *chain, int partial, int check_time, struct vres *v)
{
	X509_STORE_CTX *ctx = inv->ctx;
	X509 *cur;

	memset(v, 0, sizeof(*v));
	if (X509_STORE_CTX_init(ctx, store, x, chain) != 1) {
		ERR_clear_error();
		return ANC_E_NOMEM;
	}
	if (partial)
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
	/* The fixed clock, or (to say which anchor an expired certificate
	 * belongs to) no clock at all. */
	if (check_time)
		X509_STORE_CTX_set_time(ctx, 0, inv->at);
	else
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	v->ok = X509_verify_cert(ctx) > 0;
	v->err = X509_STORE_CTX_get_error(ctx);
	v->depth = X509_STORE_CTX_get_error_depth(ctx);
	if (!v->ok && (cur = X509_STORE_CTX_get_current_cert(ctx)) != NULL)
		anc_x509_subject(cur, v->subject, sizeof(v->subject));
	X509_STORE_CTX_cleanup(ctx);
	ERR_clear_error();
	return ANC_OK;
}

/* Anchors x chains to, one store at a time. */
static int
per_anchor(struct anc_inventory *inv, X509 *x, STACK_OF(X509) *chain,
    int check_time, uint64_t *mask)
{
	struct vres v;
	size_t k;
	int r;

	*mask = 0;
	for (k = 0; k < inv->n; k++) {
		if ((r = verify(inv, inv->a[k].store, x, chain, 0, check_time,
		    &v)) != ANC_OK)
			return r;
		if (v.ok)
			*mask |= UINT64_C(1) << k;
	}
	return ANC_OK;
}

void
anc_inv_mask_text(uint64_t mask, char *buf, size_t cap)
{
	size_t k, len, n = 0;
	int w;

	for (k = 0; k < 64; k++)
		n += (mask >> k) & 1;
	w = snprintf(buf, cap, "anchor%s", n > 1 ? "s" : "");
	len = w > 0 ? (size_t)w : 0;
	for (k = 0, n = 0; k < 64 && len < cap; k++) {
		if (((mask >> k) & 1) == 0)
			continue;
		w = snprintf(buf + len, cap - len, "%s %zu", n++ > 0 ? "," : "",
		    k + 1);
		len += w > 0 ? (size_t)w : 0;
	}
}

/* What an X509_verify_cert error means for rotation.  `depth` counts
 * from the certificate under test. */
static enum anc_inv_status
classify(int err, int depth)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
		return ANC_INV_EXPIRED;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		/* A lone certificate whose issuer is nowhere: its anchor is
		 * unknown.  A presented CA whose issuer is no anchor: anchorage
		 * issues CAs directly under anchors, so that chain is not
		 * ours. */
		return depth == 0 ? ANC_INV_INCOMPLETE : ANC_INV_UNTRUSTED;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return ANC_INV_UNTRUSTED;
	/* A name its issuing CA may not certify: a CA constrained to one
	 * cluster's names signed for another's (docs/fleet.md). */
	case X509_V_ERR_PERMITTED_VIOLATION:
	case X509_V_ERR_EXCLUDED_VIOLATION:
	case X509_V_ERR_SUBTREE_MINMAX:
	case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
	case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
	case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
		return ANC_INV_OUTSIDE_NC;
	default:
		return ANC_INV_INVALID;
	}
}

/* Why, naming the certificate at fault unless it is `self` itself. */
static void
explain(const struct vres *v, int depth_offset, const char *self,
    enum anc_inv_status *status, char *detail, size_t cap)
{
	const char *why = X509_verify_cert_error_string(v->err);

	*status = classify(v->err, v->depth + depth_offset);
	if (*status == ANC_INV_INCOMPLETE)
		snprintf(detail, cap, "its issuer is neither in its chain nor "
		    "among the anchors (intermediate missing?)");
	else if (*status == ANC_INV_UNTRUSTED)
		snprintf(detail, cap, "does not chain to any of the anchors "
		    "(%s: %s)", v->subject, why);
	else if (strcmp(v->subject, self) == 0)
		snprintf(detail, cap, "%s", why);
	else
		snprintf(detail, cap, "%s: %s", v->subject, why);
}

/* A failed check: why, and for an expired one, whose it would be. */
static int
failed(struct anc_inventory *inv, X509 *x, STACK_OF(X509) *chain,
    X509_STORE *store, int partial, uint64_t mask, int depth_offset,
    struct anc_inv_result *res)
{
	char det[256], m[200];
	struct vres v;
	int r;

	if ((r = verify(inv, store, x, chain, partial, 1, &v)) != ANC_OK)
		return r;
	explain(&v, depth_offset, res->subject, &res->status, det,
	    sizeof(det));
	if (res->status == ANC_INV_EXPIRED && mask == 0 &&
	    (r = per_anchor(inv, x, chain, 0, &mask)) != ANC_OK)
		return r;
	if (res->status == ANC_INV_EXPIRED && mask != 0) {
		anc_inv_mask_text(mask, m, sizeof(m));
		snprintf(res->detail, sizeof(res->detail), "%s (issued under "
		    "%s)", det, m);
	} else
		snprintf(res->detail, sizeof(res->detail), "%s", det);
	return ANC_OK;
}

static STACK_OF(X509) *
chain_of(const struct anc_inv_entry *en)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	size_t i;

	for (i = 1; sk != NULL && i < en->n; i++)
		if (sk_X509_push(sk, en->c[i].x) <= 0) {
			sk_X509_free(sk);
			return NULL;
		}
	return sk;
}

/* No usable cache: each anchor with the whole presented chain. */
static int
general(struct anc_inventory *inv, struct anc_inv_entry *en,
    struct anc_inv_result *res)
{
	STACK_OF(X509) *sk;
	uint64_t mask = 0;
	int r;

	if ((sk = chain_of(en)) == NULL)
		return ANC_E_NOMEM;
	if ((r = per_anchor(inv, en->c[0].x, sk, 1, &mask)) == ANC_OK) {
		if (mask != 0)
			res->anchors = mask;
		else
			r = failed(inv, en->c[0].x, sk, inv->all, 0, 0, 0, res);
	}
	sk_X509_free(sk);
	return r;
}

/*
 * The chain cache
 */

static int
parse_cert(struct anc_inv_cert *c)
{
	const unsigned char *p = c->der;

	if (c->x != NULL)
		return 0;
	c->x = d2i_X509(NULL, &p, (long)c->len);
	if (c->x == NULL || p != c->der + c->len) {
		X509_free(c->x);
		c->x = NULL;
		ERR_clear_error();
		return -1;
	}
	return 0;
}

static void
chain_key(const struct anc_inv_entry *en, unsigned char key[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char len[8];
	size_t i, k;

	memset(key, 0, 32);
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return;
	}
	/* Lengths too, so two chains cannot run together into one key. */
	for (i = 1; i < en->n; i++) {
		for (k = 0; k < 8; k++)
			len[k] = (unsigned char)(en->c[i].len >> (8 * k));
		EVP_DigestUpdate(md, len, sizeof(len));
		EVP_DigestUpdate(md, en->c[i].der, en->c[i].len);
	}
	EVP_DigestFinal_ex(md, key, NULL);
	EVP_MD_CTX_free(md);
}

static struct slot *
lookup(struct anc_inventory *inv, const unsigned char key[32])
{
	size_t i;

	for (i = 0; i < ANC_INV_CACHE_SLOTS; i++)
		if (inv->cache[i].used &&
		    memcmp(inv->cache[i].key, key, 32) == 0)
			return &inv->cache[i];
	return NULL;
}

static int
fast_for(const struct anc_inventory *inv, struct slot *s,
    STACK_OF(X509) *chain)
{
	X509 *av[ANC_INV_ANCHORS_MAX];
	size_t i;

	for (i = 0; i < inv->n; i++)
		av[i] = inv->a[i].x;
	return anc_inv_fast_new(s->ca, chain, av, inv->n, &s->fast);
}

/* Verify the issuing CA c[1] once, against each anchor, with the rest of
 * the presented chain; keep the outcome in a slot. */
static int
fill_slot(struct anc_inventory *inv, struct anc_inv_entry *en,
    const unsigned char key[32], struct slot **out)
{
	struct slot *s = &inv->cache[inv->evict];
	STACK_OF(X509) *sk;
	struct anc_inv_result tmp;
	int r;

	inv->evict = (inv->evict + 1) % ANC_INV_CACHE_SLOTS;
	anc_inv_slot_clear(s);
	if ((sk = chain_of(en)) == NULL)
		return ANC_E_NOMEM;
	if ((r = per_anchor(inv, en->c[1].x, sk, 1, &s->mask)) != ANC_OK)
		goto out;
	if (s->mask == 0) {
		memset(&tmp, 0, sizeof(tmp));
		if ((r = failed(inv, en->c[1].x, sk, inv->all, 0, 0, 1,
		    &tmp)) != ANC_OK)
			goto out;
		s->status = tmp.status;
		snprintf(s->detail, sizeof(s->detail), "%s", tmp.detail);
	}
	if ((s->store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(s->store, en->c[1].x) != 1 ||
	    !X509_up_ref(en->c[1].x)) {
		r = ANC_E_NOMEM;
		goto out;
	}
	s->ca = en->c[1].x;
	if (s->mask != 0 && (r = fast_for(inv, s, sk)) != ANC_OK)
		goto out;
	memcpy(s->key, key, 32);
	s->used = 1;
	*out = s;
	/* success */
	r = ANC_OK;
 out:
	if (r != ANC_OK)
		anc_inv_slot_clear(s);
	sk_X509_free(sk);
	return r;
}

/* The certificate under test with the chain it came with, `key` and the
 * slot it names (or NULL). */
static int
with_chain(struct anc_inventory *inv, struct anc_inv_entry *en,
    const unsigned char key[32], struct slot *s, struct anc_inv_result *res)
{
	struct vres v;
	size_t i;
	int r;

	if (s == NULL || X509_check_issued(s->ca, en->c[0].x) != X509_V_OK) {
		for (i = 1; i < en->n; i++)
			if (parse_cert(&en->c[i]) != 0) {
				res->status = ANC_INV_GARBAGE;
				snprintf(res->detail, sizeof(res->detail),
				    "certificate %zu of its chain is not a valid "
				    "X.509 certificate", i + 1);
				return ANC_OK;
			}
		/* The cache serves the common shape only: the CA that issued
		 * the certificate comes right after it. */
		if (X509_check_issued(en->c[1].x, en->c[0].x) != X509_V_OK)
			return general(inv, en, res);
		if ((r = fill_slot(inv, en, key, &s)) != ANC_OK)
			return r;
	}
	if (s->mask == 0) {
		res->status = s->status;
		snprintf(res->detail, sizeof(res->detail), "%s", s->detail);
		return ANC_OK;
	}
	if ((r = verify(inv, s->store, en->c[0].x, NULL, 1, 1, &v)) != ANC_OK)
		return r;
	if (v.ok) {
		res->anchors = s->mask;
		return ANC_OK;
	}
	return failed(inv, en->c[0].x, NULL, s->store, 1, s->mask, 0, res);
}

/*
 * One entry
 */

static int
anchor_by_der(const struct anc_inventory *inv, const struct anc_inv_cert *c)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		if ((size_t)inv->a[i].der_len == c->len &&
		    memcmp(inv->a[i].der, c->der, c->len) == 0)
			return (int)i;
	return -1;
}

static void
describe(X509 *x, const struct anc_inv_cert *c, struct anc_inv_result *res)
{
	time_t t;

	anc_x509_subject(x, res->subject, sizeof(res->subject));
	anc_sha256_hex(c->der, c->len, res->sha256);
	if (anc_asn1_time(X509_get0_notAfter(x), &t) == 0)
		anc_rfc3339_format(t, res->not_after);
}

int
anc_inv_judge(struct anc_inventory *inv, struct anc_inv_entry *en,
    struct anc_inv_result *res)
{
	unsigned char key[32];
	struct slot *s = NULL;
	X509 *x;
	int k;

	/* A copy of an anchor (a ca.crt) needs no signature check. */
	if ((k = anchor_by_der(inv, &en->c[0])) >= 0) {
		describe(inv->a[k].x, &en->c[0], res);
		res->anchors = UINT64_C(1) << k;
		snprintf(res->detail, sizeof(res->detail), "is anchor %d", k + 1);
		return ANC_OK;
	}
	/* A plain leaf under a CA already verified: no X509 at all. */
	if (en->n > 1) {
		chain_key(en, key);
		if ((s = lookup(inv, key)) != NULL && s->fast != NULL &&
		    anc_inv_fast_leaf(s->fast, inv->at, en->c[0].der,
		    en->c[0].len, res)) {
			anc_sha256_hex(en->c[0].der, en->c[0].len, res->sha256);
			res->anchors = s->mask;
			return ANC_OK;
		}
	}
	if (parse_cert(&en->c[0]) != 0) {
		res->status = ANC_INV_GARBAGE;
		snprintf(res->detail, sizeof(res->detail), "not a valid X.509 "
		    "certificate");
		return ANC_OK;
	}
	x = en->c[0].x;
	describe(x, &en->c[0], res);
	if (X509_self_signed(x, 0) == 1) {
		res->status = X509_self_signed(x, 1) == 1 ? ANC_INV_UNTRUSTED :
		    ANC_INV_INVALID;
		snprintf(res->detail, sizeof(res->detail), "%s",
		    res->status == ANC_INV_UNTRUSTED ? "a self-signed "
		    "certificate that is not one of the anchors" : "a "
		    "self-issued certificate whose signature does not verify");
		ERR_clear_error();
		return ANC_OK;
	}
	if (en->n > 1)
		return with_chain(inv, en, key, s, res);
	return general(inv, en, res);
}
