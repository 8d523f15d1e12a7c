/*
 * anchorage: `status`.  Every anchor, issuing CA and cross-certificate
 * the outboxes, the bundle and the token know of: how long each has left,
 * which rotation phase it is in, and whether action is due.  This file
 * keeps the collection: each certificate once, named by the first file it
 * came from, the bundle in use, and what the caller reads back when it is
 * done.  status_read.c fills it from outboxes and the token;
 * status_phase.c decides phases and advice (anc_status_finish).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "anchorage/buf.h"
#include "anchorage/err.h"
#include "anchorage/export.h"
#include "rotation_int.h"
#include "status_int.h"

int
anc_status_new(time_t at, int warn_days, struct anc_status **out,
    struct anc_err *err)
{
	struct anc_status *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "status");
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

/* Remember a certificate once, with the first file it came from. */
static int
add_cert(struct anc_status *st, X509 *x, const char *source,
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
	if ((k = anc_status_slot(st)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "status");
	if (!X509_up_ref(x))
		return anc_err_set(err, ANC_E_INTERNAL, "%s", source);
	k->x = x;
	k->anchor = -1;
	k->seq = st->n;
	memcpy(k->it.sha256, fp, sizeof(fp));
	anc_inv_printable(source, k->it.source, sizeof(k->it.source));
	st->n++;
	return ANC_OK;
}

int
anc_status_add_certs(struct anc_status *st, STACK_OF(X509) *sk, const char *source,
    struct anc_err *err)
{
	int i, r;

	for (i = 0; i < sk_X509_num(sk); i++)
		if ((r = add_cert(st, sk_X509_value(sk, i), source, err)) !=
		    ANC_OK)
			return r;
	return ANC_OK;
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

size_t
anc_status_count(const struct anc_status *st)
{
	return st->n;
}

const struct anc_status_item *
anc_status_item(const struct anc_status *st, size_t i)
{
	return i < st->n ? &st->k[i].it : NULL;
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
