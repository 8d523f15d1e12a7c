/*
 * anchorage: `status`.  Every anchor, issuing CA and cross-certificate
 * the outboxes, the bundle and the token know of: how long each has left,
 * which rotation phase it is in, and whether action is due.  This file
 * keeps the collection: each certificate once, named by the first file it
 * came from, and the bundle in use.  status_read.c fills it from outboxes
 * and the token; status_phase.c decides phases and advice
 * (anc_status_finish) and hands the items back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "anchorage/buf.h"
#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/rfc3339.h"
#include "rotation_int.h"
#include "status_int.h"

int
anc_status_new(time_t at, int warn_days, struct anc_status **out,
    struct anc_err *err)
{
	struct anc_status *st;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->text = anc_buf_new(0)) == NULL ||
	    (st->outboxes = anc_buf_new(0)) == NULL ||
	    (st->item = calloc(1, sizeof(*st->item))) == NULL) {
		anc_status_free(st);
		return anc_err_set(err, ANC_E_NOMEM, "status");
	}
	st->at = at;
	st->warn_days = warn_days;
	st->phase = "unknown";
	*out = st;
	return ANC_OK;
}

void
anc_status_free(struct anc_status *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++)
		X509_free(st->k[i].x);
	for (i = 0; i < st->nkeys; i++)
		EVP_PKEY_free(st->keys[i].pub);
	free(st->k);
	free(st->ca);
	anc_buf_free(st->text);
	anc_buf_free(st->outboxes);
	free(st->item);
	free(st->keys);
	free(st->bundle);
	free(st->holders);
	free(st);
}

struct known *
anc_status_slot(struct anc_status *st)
{
	struct known *k;

	if ((k = anc_array_room(st->k, st->n + 1, &st->cap, sizeof(*k),
	    8)) == NULL)
		return NULL;
	st->k = k;
	k = &st->k[st->n];
	memset(k, 0, sizeof(*k));
	return k;
}

int
anc_status_is_anchor(X509 *x)
{
	int r = X509_check_ca(x) == 1 && X509_self_signed(x, 1) == 1;

	ERR_clear_error();
	return r;
}

/* Remember an anchor once, with the first file it came from. */
static int
add_anchor(struct anc_status *st, X509 *x, const char *source,
    struct anc_err *err)
{
	struct known *k;
	char fp[65];
	size_t i;

	if (anc_cert_fingerprint(x, fp) != ANC_OK)
		return anc_err_set(err, ANC_E_CRYPTO, "%s: fingerprint", source);
	for (i = 0; i < st->n; i++)
		if (strcmp(st->k[i].it.sha256, fp) == 0)
			return ANC_OK;
	if (!anc_status_is_anchor(x))
		return ANC_OK;
	if ((k = anc_status_slot(st)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "status");
	if (!X509_up_ref(x))
		return anc_err_set(err, ANC_E_INTERNAL, "%s", source);
	k->x = x;
	k->top = -1;
	k->seq = st->seq++;
	k->it.kind = ANC_STATUS_ANCHOR;
	memcpy(k->it.sha256, fp, sizeof(fp));
	anc_inv_printable(source, k->it.source, sizeof(k->it.source));
	st->n++;
	st->nanchors = st->n;
	/* It may have issued a CA already taken. */
	st->recheck |= st->nca > 0;
	return ANC_OK;
}

/* Which anchor certified c, the last one known if several did, and is it
 * a cross-certificate: an anchor's key and name, certified by another? */
static void
classify(const struct anc_status *st, X509 *x, struct ca *c)
{
	X509 *a;
	size_t j;

	for (j = 0; j < st->nanchors; j++) {
		a = st->k[j].x;
		if (X509_check_issued(a, x) == X509_V_OK &&
		    X509_verify(x, X509_get0_pubkey(a)) == 1)
			c->anchor = (int)j;
		if (EVP_PKEY_eq(X509_get0_pubkey(a), X509_get0_pubkey(x)) == 1 &&
		    X509_NAME_cmp(X509_get_subject_name(a),
		    X509_get_subject_name(x)) == 0)
			c->kind = ANC_STATUS_CROSS;
	}
	ERR_clear_error();
}

int
anc_status_key_of(struct anc_status *st, X509 *x)
{
	size_t i;
	int key = -1;

	for (i = 0; i < st->nkeys; i++)
		if (EVP_PKEY_eq(st->keys[i].pub, X509_get0_pubkey(x)) == 1) {
			key = (int)i;
			st->keys[i].matched = 1;
		}
	ERR_clear_error();
	return key;
}

/* Keep a string of CA c's for its line; the offset goes in *off. */
static int
keep_text(struct anc_status *st, const char *s, size_t *off)
{
	*off = anc_buf_len(st->text);
	return anc_buf_append(st->text, s, strlen(s) + 1);
}

/* Leaves and other non-CA certificates are not status's business. */
static int
add_ca(struct anc_status *st, X509 *x, const char *source,
    struct anc_err *err)
{
	char text[sizeof(st->item->source)];
	struct ca *c;

	if (X509_check_ca(x) != 1 || anc_status_is_anchor(x))
		return ANC_OK;
	if ((c = anc_array_room(st->ca, st->nca + 1, &st->cacap, sizeof(*c),
	    64)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "status");
	st->ca = c;
	c = &st->ca[st->nca];
	memset(c, 0, sizeof(*c));
	if (anc_cert_fingerprint(x, c->sha256) != ANC_OK)
		return anc_err_set(err, ANC_E_CRYPTO, "%s: fingerprint", source);
	c->kind = ANC_STATUS_ISSUING_CA;
	c->anchor = -1;
	c->key = -1;
	c->seq = st->seq++;
	classify(st, x, c);
	c->key = anc_status_key_of(st, x);
	if (anc_asn1_time(X509_get0_notBefore(x), &c->nb) != 0)
		c->nb = 0;
	if (anc_asn1_time(X509_get0_notAfter(x), &c->na) != 0)
		c->na = 0;
	anc_x509_subject(x, text, sizeof(st->item->subject));
	if (keep_text(st, text, &c->subject) != ANC_OK)
		return anc_err_set(err, ANC_E_NOMEM, "status");
	anc_inv_printable(source, text, sizeof(text));
	if (keep_text(st, text, &c->source) != ANC_OK)
		return anc_err_set(err, ANC_E_NOMEM, "status");
	st->nca++;
	return ANC_OK;
}

typedef int take_fn(struct anc_status *, X509 *, const char *,
    struct anc_err *);

static int
each(struct anc_status *st, STACK_OF(X509) *sk, const char *source,
    take_fn *take, struct anc_err *err)
{
	int i, r;

	for (i = 0; i < sk_X509_num(sk); i++)
		if ((r = take(st, sk_X509_value(sk, i), source, err)) != ANC_OK)
			return r;
	return ANC_OK;
}

/* A file's anchors first, so that a chain file's CA finds its anchor as
 * it is taken. */
int
anc_status_add_certs(struct anc_status *st, STACK_OF(X509) *sk,
    const char *source, struct anc_err *err)
{
	int r;

	if ((r = each(st, sk, source, add_anchor, err)) != ANC_OK)
		return r;
	return each(st, sk, source, add_ca, err);
}

int
anc_status_add_cas(struct anc_status *st, STACK_OF(X509) *sk,
    const char *source, struct anc_err *err)
{
	return each(st, sk, source, add_ca, err);
}

/* The bundle in use becomes these anchors. */
int
anc_status_set_bundle(struct anc_status *st, STACK_OF(X509) *sk, const char *source,
    struct anc_err *err)
{
	int i, n = sk_X509_num(sk);

	free(st->bundle);
	st->nbundle = 0;
	if ((st->bundle = calloc((size_t)n + 1, sizeof(*st->bundle))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "status");
	for (i = 0; i < n; i++) {
		if (X509_check_ca(sk_X509_value(sk, i)) != 1 ||
		    X509_self_signed(sk_X509_value(sk, i), 1) != 1) {
			ERR_clear_error();
			return anc_err_set(err, ANC_E_INPUT, "%s: certificate %d "
			    "is not a self-signed CA; expected a trust bundle",
			    source, i + 1);
		}
		if (anc_cert_fingerprint(sk_X509_value(sk, i),
		    st->bundle[i]) != ANC_OK)
			return anc_err_ossl(err, ANC_E_CRYPTO, "%s: certificate "
			    "%d: fingerprint", source, i + 1);
		st->nbundle++;
	}
	anc_inv_printable(source, st->bundle_src, sizeof(st->bundle_src));
	return anc_status_add_certs(st, sk, source, err);
}

int
anc_status_add_bundle(struct anc_status *st, const char *file,
    struct anc_err *err)
{
	STACK_OF(X509) *sk = NULL;
	int r;

	if ((r = anc_pem_read_cert_file(file, &sk, err)) != ANC_OK)
		return r;
	r = anc_status_set_bundle(st, sk, file, err);
	st->bundle_given = 1;
	sk_X509_pop_free(sk, X509_free);
	return r;
}

const char *
anc_status_bundle_source(const struct anc_status *st)
{
	return st->nbundle > 0 ? st->bundle_src : NULL;
}

const char *
anc_status_phase(const struct anc_status *st)
{
	return st->phase;
}

const char *
anc_status_next(const struct anc_status *st)
{
	return st->next;
}

int
anc_status_action_due(const struct anc_status *st)
{
	return st->action_due;
}

time_t
anc_status_at(const struct anc_status *st)
{
	return st->at;
}

int
anc_status_warn_days(const struct anc_status *st)
{
	return st->warn_days;
}
