/*
 * anchorage: the inventory checker.  Which anchors does each certificate
 * of a cluster chain to, and would removing the retiring ones break it?
 * This file holds the inventory: the anchors (self-signed CAs, each once)
 * and which of them retire, the counts the report ends with, and the path
 * of one entry from a reader (inventory_pem.c, inventory_k8s.c) through
 * its verdict (inventory_verify.c) to what retiring means for it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "inventory_int.h"
#include "rotation_int.h"

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
	for (i = 0; i < ANC_INV_CACHE_SLOTS; i++)
		anc_inv_slot_clear(&inv->cache[i]);
	X509_STORE_free(inv->all);
	X509_STORE_CTX_free(inv->ctx);
	free(inv);
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
		anc_inv_mask_text(res->anchors, m, sizeof(m));
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

/* Count a result and hand it over. */
static int
deliver(struct anc_inventory *inv, const struct anc_inv_result *res,
    anc_inv_fn fn, void *arg, struct anc_err *err)
{
	int r;

	inv->sum.total++;
	inv->sum.by_status[res->status]++;
	inv->sum.blocking += (size_t)res->blocks;
	if ((r = fn(arg, res)) != ANC_OK)
		r = anc_err_set(err, r, "stopped after %s", res->source);
	return r;
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
	} else if ((r = anc_inv_judge(inv, en, &res)) != ANC_OK) {
		r = anc_err_set(err, r, "%s: out of memory", res.source);
		goto out;
	}
	weigh(inv, &res);
	r = deliver(inv, &res, fn, arg, err);
 out:
	anc_inv_entry_clear(en);
	return r;
}

int
anc_inv_again(struct anc_inventory *inv, const char *source,
    const struct anc_inv_result *done, anc_inv_fn fn, void *arg,
    struct anc_err *err)
{
	struct anc_inv_result res = *done;

	anc_inv_printable(source, res.source, sizeof(res.source));
	return deliver(inv, &res, fn, arg, err);
}
