/*
 * anchorage: the inventory checker.  Which anchors does each certificate
 * of a cluster chain to, and would removing the retiring ones break it?
 *
 * Verdicts come from OpenSSL's X509_verify_cert, with anchors as the trust
 * store and the certificate's own chain as untrusted.  A cluster holds
 * thousands of leaves under a handful of issuing CAs, so the chain above a
 * leaf is verified once: the issuing CA is checked against each anchor
 * with the rest of the presented chain, and the outcome is kept together
 * with a store that trusts that CA alone.  A leaf is then verified against
 * that store (X509_V_FLAG_PARTIAL_CHAIN), one signature per leaf; a plain
 * leaf is accepted without being parsed into an X509 at all
 * (inventory_fast.c), which keeps a check of 100,000 certificates near the
 * raw verify rate.  The cache is keyed by the SHA-256 of the presented
 * chain's bytes, so a chain that differs in any byte is verified afresh,
 * and it has a fixed number of slots, so memory does not grow with the
 * input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/hash.h"
#include "rotation_int.h"

#define CACHE_SLOTS 64

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
	struct slot cache[CACHE_SLOTS];
	size_t evict;
	struct anc_inv_summary sum;
};

/* One X509_verify_cert outcome. */
struct vres {
	int ok;
	int err;
	int depth;
	char subject[200];	/* the certificate the error is about */
};

const char *
anc_inv_status_name(enum anc_inv_status s)
{
	switch (s) {
	case ANC_INV_OK:
		return "ok";
	case ANC_INV_OLD_ONLY:
		return "old-only";
	case ANC_INV_INCOMPLETE:
		return "incomplete";
	case ANC_INV_EXPIRED:
		return "expired";
	case ANC_INV_UNTRUSTED:
		return "untrusted";
	case ANC_INV_INVALID:
		return "invalid";
	case ANC_INV_GARBAGE:
		return "garbage";
	case ANC_INV_OUTSIDE_NC:
		return "outside-constraints";
	default:
		return "unknown";
	}
}

void
anc_inv_entry_clear(struct anc_inv_entry *en)
{
	size_t i;

	for (i = 0; i < en->n && i < ANC_INV_CHAIN_MAX; i++) {
		X509_free(en->c[i].x);
		free(en->c[i].der);
	}
	memset(en->c, 0, sizeof(en->c));
	en->n = 0;
	en->garbage = 0;
	en->detail[0] = '\0';
}

void
anc_inv_entry_garbage(struct anc_inv_entry *en, const char *fmt, ...)
{
	va_list ap;

	if (en->garbage)
		return;		/* the first reason is the one to fix */
	en->garbage = 1;
	va_start(ap, fmt);
	vsnprintf(en->detail, sizeof(en->detail), fmt, ap);
	va_end(ap);
}

void
anc_inv_count_secret(struct anc_inventory *inv, int skipped)
{
	inv->sum.secrets++;
	if (skipped)
		inv->sum.skipped++;
}

/*
 * Anchors
 */

static int
fill_pub(struct anchor *a)
{
	time_t t;

	anc_x509_subject(a->x, a->pub.subject, sizeof(a->pub.subject));
	if (anc_cert_fingerprint(a->x, a->pub.sha256) != ANC_OK)
		return ANC_E_CRYPTO;
	anc_x509_serial(a->x, a->pub.serial, sizeof(a->pub.serial));
	if (anc_asn1_time(X509_get0_notAfter(a->x), &t) == 0)
		anc_rfc3339_format(t, a->pub.not_after);
	return ANC_OK;
}

/* Anchors are self-signed CAs, each once. */
static int
add_anchor(struct anc_inventory *inv, X509 *x, const char *path, int num,
    struct anc_err *err)
{
	struct anchor *a;
	size_t i;

	if (X509_check_ca(x) != 1 || X509_self_signed(x, 1) != 1) {
		ERR_clear_error();
		return anc_err_set(err, ANC_E_INPUT, "%s: certificate %d is not "
		    "a self-signed CA; expected a trust bundle of anchors",
		    path, num);
	}
	for (i = 0; i < inv->n; i++)
		if (X509_cmp(inv->a[i].x, x) == 0)
			return anc_err_set(err, ANC_E_INPUT, "%s: certificate %d "
			    "repeats certificate %zu", path, num, i + 1);
	if (inv->n == ANC_INV_ANCHORS_MAX)
		return anc_err_set(err, ANC_E_INPUT, "%s: more than %d anchors",
		    path, ANC_INV_ANCHORS_MAX);
	a = &inv->a[inv->n];
	if (!X509_up_ref(x))
		return anc_err_set(err, ANC_E_INTERNAL, "%s", path);
	a->x = x;
	inv->n++;
	a->der = NULL;
	if ((a->der_len = i2d_X509(x, &a->der)) <= 0 ||
	    (a->store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(a->store, x) != 1 ||
	    X509_STORE_add_cert(inv->all, x) != 1)
		return anc_err_ossl(err, ANC_E_NOMEM, "%s: anchor %d", path, num);
	if (fill_pub(a) != ANC_OK)
		return anc_err_ossl(err, ANC_E_CRYPTO, "%s: anchor %d: "
		    "fingerprint", path, num);
	return ANC_OK;
}

static int
find_anchor(const struct anc_inventory *inv, X509 *x)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		if (X509_cmp(inv->a[i].x, x) == 0)
			return (int)i;
	return -1;
}

/* Those of `path`, or every anchor but the newest. */
static int
mark_retiring(struct anc_inventory *inv, const char *path,
    struct anc_err *err)
{
	STACK_OF(X509) *sk = NULL;
	size_t i, newest = 0;
	int k, j, r;

	if (path == NULL) {
		for (i = 1; i < inv->n; i++)
			if (ASN1_TIME_compare(X509_get0_notBefore(inv->a[i].x),
			    X509_get0_notBefore(inv->a[newest].x)) > 0)
				newest = i;
		for (i = 0; i < inv->n; i++)
			if (i != newest)
				inv->retiring |= UINT64_C(1) << i;
	} else {
		if ((r = anc_pem_read_cert_file(path, &sk, err)) != ANC_OK)
			return r;
		for (j = 0; j < sk_X509_num(sk); j++) {
			if ((k = find_anchor(inv, sk_X509_value(sk, j))) < 0) {
				sk_X509_pop_free(sk, X509_free);
				return anc_err_set(err, ANC_E_INPUT, "%s: "
				    "certificate %d is not one of the anchors",
				    path, j + 1);
			}
			inv->retiring |= UINT64_C(1) << k;
		}
		sk_X509_pop_free(sk, X509_free);
	}
	for (i = 0; i < inv->n; i++)
		inv->a[i].pub.retiring = (inv->retiring >> i) & 1;
	return ANC_OK;
}

int
anc_inventory_new(const char *anchors, const char *retire, time_t at,
    struct anc_inventory **out, struct anc_err *err)
{
	struct anc_inventory *inv;
	STACK_OF(X509) *sk = NULL;
	int i, r = ANC_E_INTERNAL;

	if ((inv = calloc(1, sizeof(*inv))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "inventory");
	inv->at = at;
	if ((inv->all = X509_STORE_new()) == NULL ||
	    (inv->ctx = X509_STORE_CTX_new()) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "inventory");
		goto out;
	}
	if ((r = anc_pem_read_cert_file(anchors, &sk, err)) != ANC_OK)
		goto out;
	for (i = 0; i < sk_X509_num(sk); i++)
		if ((r = add_anchor(inv, sk_X509_value(sk, i), anchors, i + 1,
		    err)) != ANC_OK)
			goto out;
	if ((r = mark_retiring(inv, retire, err)) != ANC_OK)
		goto out;
	*out = inv;
	inv = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	sk_X509_pop_free(sk, X509_free);
	anc_inventory_free(inv);
	return r;
}

time_t
anc_inventory_at(const struct anc_inventory *inv)
{
	return inv->at;
}

size_t
anc_inventory_anchor_count(const struct anc_inventory *inv)
{
	return inv->n;
}

const struct anc_inv_anchor *
anc_inventory_anchor(const struct anc_inventory *inv, size_t i)
{
	return i < inv->n ? &inv->a[i].pub : NULL;
}

const struct anc_inv_summary *
anc_inventory_summary(const struct anc_inventory *inv)
{
	return &inv->sum;
}

int
anc_inventory_safe(const struct anc_inventory *inv)
{
	return inv->sum.blocking == 0;
}

static void
slot_clear(struct slot *s)
{
	X509_free(s->ca);
	X509_STORE_free(s->store);
	anc_inv_fast_free(s->fast);
	memset(s, 0, sizeof(*s));
}

void
anc_inventory_free(struct anc_inventory *inv)
{
	size_t i;

	if (inv == NULL)
		return;
	for (i = 0; i < inv->n; i++) {
		X509_free(inv->a[i].x);
		OPENSSL_free(inv->a[i].der);
		X509_STORE_free(inv->a[i].store);
	}
	for (i = 0; i < CACHE_SLOTS; i++)
		slot_clear(&inv->cache[i]);
	X509_STORE_free(inv->all);
	X509_STORE_CTX_free(inv->ctx);
	free(inv);
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

/* "anchors 1, 3" */
static void
mask_text(uint64_t mask, char *buf, size_t cap)
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
		mask_text(mask, m, sizeof(m));
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

	for (i = 0; i < CACHE_SLOTS; i++)
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

	inv->evict = (inv->evict + 1) % CACHE_SLOTS;
	slot_clear(s);
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
		slot_clear(s);
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

static int
judge(struct anc_inventory *inv, struct anc_inv_entry *en,
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

/* What retiring means for a certificate that chains somewhere. */
static void
weigh(const struct anc_inventory *inv, struct anc_inv_result *res)
{
	uint64_t all = inv->n == 64 ? UINT64_MAX :
	    (UINT64_C(1) << inv->n) - 1;
	uint64_t kept = all & ~inv->retiring;
	char m[200];

	if (res->status == ANC_INV_OK && res->anchors != 0) {
		mask_text(res->anchors, m, sizeof(m));
		if ((res->anchors & kept) != 0) {
			if (res->detail[0] == '\0')
				snprintf(res->detail, sizeof(res->detail),
				    "chains to %s", m);
		} else if (res->detail[0] != '\0') {
			/* A copy of the anchor itself, such as a ca.crt. */
			res->status = ANC_INV_OLD_ONLY;
			snprintf(res->detail, sizeof(res->detail), "is retiring "
			    "%s: whatever trusts this copy alone breaks", m);
		} else {
			res->status = ANC_INV_OLD_ONLY;
			snprintf(res->detail, sizeof(res->detail), "chains only "
			    "to retiring %s: removing it breaks this "
			    "certificate", m);
		}
	}
	res->blocks = res->status == ANC_INV_OLD_ONLY ||
	    (res->status == ANC_INV_INCOMPLETE && inv->retiring != 0);
}

int
anc_inv_check(struct anc_inventory *inv, struct anc_inv_entry *en,
    anc_inv_fn fn, void *arg, struct anc_err *err)
{
	struct anc_inv_result res;
	int r = ANC_OK;

	memset(&res, 0, sizeof(res));
	anc_inv_printable(en->source, res.source, sizeof(res.source));
	if (en->garbage || en->n == 0) {
		res.status = ANC_INV_GARBAGE;
		snprintf(res.detail, sizeof(res.detail), "%s",
		    en->detail[0] != '\0' ? en->detail : "no certificate");
	} else if ((r = judge(inv, en, &res)) != ANC_OK) {
		r = anc_err_set(err, r, "%s: out of memory", res.source);
		goto out;
	}
	weigh(inv, &res);
	inv->sum.total++;
	inv->sum.by_status[res.status]++;
	inv->sum.blocking += (size_t)res.blocks;
	if ((r = fn(arg, &res)) != ANC_OK)
		r = anc_err_set(err, r, "stopped after %s", res.source);
 out:
	anc_inv_entry_clear(en);
	return r;
}
