/*
 * anchorage: what the steps share: writing to the outbox, issuing and
 * verifying a certificate, the issuer of a step, reading CSRs and CRLs,
 * the provenance of exports.  Each kind's action is in its step_<kind>.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "anchorage/err.h"
#include "constraints.h"
#include "records.h"
#include "steps.h"

int
anc_steps_write(struct anc_engine *e, const char *file, const void *data,
    size_t len, mode_t mode, struct anc_err *err)
{
	size_t i;
	int r;

	if (e->ob == NULL)
		return ANC_OK;
	if ((r = anc_outbox_add(e->ob, file, data, len, mode, err)) != ANC_OK)
		return r;
	for (i = anc_outbox_count(e->ob); i > 0; i--)
		if (strcmp(anc_outbox_file(e->ob, i - 1), file) == 0)
			break;
	if (i == 0)
		return anc_err_set(err, ANC_E_INTERNAL, "%s: not in the outbox "
		    "after writing it", file);
	anc_engine_say(e, "  wrote %s (sha256 %s)", file,
	    anc_outbox_file_sha256(e->ob, i - 1));
	/* Every file any step writes passes here: one place records it. */
	return anc_rec_output(e, file, anc_outbox_file_sha256(e->ob, i - 1),
	    len, err);
}

int
anc_steps_write_certs(struct anc_engine *e, const char *name,
    X509 *const *certs, size_t n, struct anc_err *err)
{
	char file[128], *pem = NULL;
	size_t len = 0;
	int r;

	if (e->ob == NULL)
		return ANC_OK;
	snprintf(file, sizeof(file), "%s.pem", name);
	if ((r = anc_pem_certs(certs, n, &pem, &len, err)) != ANC_OK)
		return r;
	r = anc_steps_write(e, file, pem, len, 0644, err);
	free(pem);
	return r;
}

int
anc_steps_write_stack(struct anc_engine *e, const char *name,
    STACK_OF(X509) *sk, struct anc_err *err)
{
	X509 **v;
	int i, n = sk_X509_num(sk), r;

	if ((v = calloc((size_t)n + 1, sizeof(*v))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s", name);
	for (i = 0; i < n; i++)
		v[i] = sk_X509_value(sk, i);
	r = anc_steps_write_certs(e, name, v, (size_t)n, err);
	free(v);
	return r;
}

int
anc_steps_issue(struct anc_engine *e, struct anc_cert_spec *spec,
    const char *signer_label, enum anc_keyalg hint, X509 **out,
    struct anc_err *err)
{
	unsigned char rnd[ANC_SERIAL_LEN - 1];
	int r;

	if ((r = e->be->random(e->be->arg, rnd, sizeof(rnd), err)) != ANC_OK)
		return anc_err_prefix(err, "serial number");
	anc_profile_serial(spec->serial, rnd);
	return anc_steps_issue_serial(e, spec, signer_label, hint, out, err);
}

int
anc_steps_issue_serial(struct anc_engine *e, struct anc_cert_spec *spec,
    const char *signer_label, enum anc_keyalg hint, X509 **out,
    struct anc_err *err)
{
	EVP_PKEY *signer = NULL, *pub = NULL;
	X509 *x = NULL;
	int r;

	if ((r = anc_profile_build(spec, &x, err)) != ANC_OK)
		goto out;
	/* Lint the to-be-signed certificate before the key is used. */
	if ((r = anc_lint_cert(x, spec, 0, err)) != ANC_OK)
		goto out;
	if ((r = e->be->signer(e->be->arg, signer_label, hint, &signer,
	    err)) != ANC_OK)
		goto out;
	if ((r = anc_profile_sign(x, signer, err)) != ANC_OK) {
		(void)e->be->present(e->be->arg, err);
		r = err->code;
		goto out;
	}
	/* Verify with the public key as the token holds it, not with the
	 * signing handle: a token that returns a bad signature is caught. */
	if ((r = e->be->public_key(e->be->arg, signer_label, hint, &pub,
	    err)) != ANC_OK)
		goto out;
	if ((r = anc_verify_cert(x, pub, err)) != ANC_OK)
		goto out;
	if ((r = anc_lint_cert(x, spec, 1, err)) != ANC_OK)
		goto out;
	*out = x;
	x = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	EVP_PKEY_free(pub);
	X509_free(x);
	return r;
}

/* The issuer artifact: a certificate whose key is in the token. */
int
anc_steps_issuer_of(struct anc_engine *e, const struct anc_step *s,
    struct anc_artifact **out, struct anc_err *err)
{
	struct anc_artifact *a = anc_engine_find(e, s->issuer);

	/* validate.c guarantees this; a failure here is our bug. */
	if (a == NULL || a->kind != ANC_ART_CERT || a->key_label == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "issuer \"%s\"",
		    s->issuer);
	*out = a;
	return ANC_OK;
}

enum anc_keyalg
anc_steps_issuer_hint(const struct anc_artifact *a)
{
	return anc_key_alg(X509_get0_pubkey(a->cert));
}

void
anc_steps_spec_init(struct anc_cert_spec *spec, struct anc_engine *e,
    const struct anc_step *s, struct anc_artifact *issuer)
{
	memset(spec, 0, sizeof(*spec));
	spec->issuer = issuer->cert;
	spec->not_before = e->now;
	spec->not_after = e->now + (time_t)s->validity;
	spec->path_length = s->path_length;
	spec->nc = &s->nc;
	spec->eku = s->eku;
}

/*
 * The check before the run proves the name constraints and EKU limit with
 * throwaway leaves (constraints.h); the run issues the same extensions
 * from the same spec, which the lint compares byte for byte.
 */
int
anc_steps_prove(struct anc_engine *e, X509 *ca, const struct anc_constraints
    *nc, unsigned eku, EVP_PKEY *key, struct anc_err *err)
{
	EVP_PKEY *own = NULL;
	int r;

	if (e->ob != NULL || (anc_nc_empty(nc) && eku == 0))
		return ANC_OK;
	if (key == NULL) {
		if ((r = anc_throwaway_key(ANC_KEY_EC_P256, &own, err)) !=
		    ANC_OK)
			return r;
		key = own;
	}
	r = anc_nc_prove(ca, key, nc, eku, e->now, err);
	EVP_PKEY_free(own);
	return r;
}

/* Record a new certificate artifact and write it. */
int
anc_steps_keep_cert(struct anc_engine *e, const struct anc_step *s,
    X509 **x, EVP_PKEY **soft_key, const char *what, struct anc_err *err)
{
	struct anc_artifact *a;
	char fp[65];

	if ((a = anc_engine_new_art(e, s->output, ANC_ART_CERT, s)) == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "output %s", s->output);
	a->cert = *x;
	*x = NULL;	/* transferred */
	if (soft_key != NULL) {
		a->soft_key = *soft_key;
		*soft_key = NULL;	/* transferred */
	}
	if (anc_cert_fingerprint(a->cert, fp) != ANC_OK)
		return anc_err_ossl(err, ANC_E_CRYPTO, "%s %s: fingerprint",
		    what, s->output);
	anc_engine_say(e, "  %s %s signed by %s and verified; SHA-256 "
	    "fingerprint %s", what, s->output, s->issuer, fp);
	return anc_steps_write_certs(e, s->output, &a->cert, 1, err);
}

/*
 * One object of an ASN.1 type, DER (it starts with a SEQUENCE tag, and
 * nothing may follow it) or else PEM (the first block labelled `pem`), as
 * OpenSSL's d2i_TYPE and PEM_read_bio_TYPE read it.  `noun` names it in
 * the trailing-data message, `expected` in the unreadable one.
 */
static int
read_der_or_pem(const unsigned char *data, size_t len, const ASN1_ITEM *it,
    const char *pem, const char *what, const char *noun,
    const char *expected, ASN1_VALUE **out, struct anc_err *err)
{
	const unsigned char *p = data;
	unsigned char *der = NULL;
	ASN1_VALUE *v = NULL;
	long derlen = 0;
	BIO *bio;

	if (len > 0 && data[0] == 0x30) {
		v = ASN1_item_d2i(NULL, &p, (long)len, it);
		if (v != NULL && p != data + len) {
			ASN1_item_free(v, it);
			return anc_err_set(err, ANC_E_INPUT, "%s: trailing "
			    "data after the DER %s", what, noun);
		}
	} else if ((bio = BIO_new_mem_buf(data, (int)len)) != NULL) {
		if (PEM_bytes_read_bio(&der, &derlen, NULL, pem, bio, NULL,
		    NULL) == 1) {
			p = der;
			v = ASN1_item_d2i(NULL, &p, derlen, it);
		}
		OPENSSL_free(der);
		BIO_free(bio);
	}
	if (v == NULL)
		return anc_err_ossl(err, ANC_E_INPUT, "%s: expected %s (PEM "
		    "or DER)", what, expected);
	*out = v;
	return ANC_OK;
}

int
anc_steps_read_csr(const unsigned char *data, size_t len, const char *what,
    X509_REQ **out, struct anc_err *err)
{
	ASN1_VALUE *v = NULL;
	int r;

	if ((r = read_der_or_pem(data, len, ASN1_ITEM_rptr(X509_REQ),
	    PEM_STRING_X509_REQ, what, "request",
	    "a PKCS#10 CERTIFICATE REQUEST", &v, err)) != ANC_OK)
		return r;
	/* OpenSSL parses a request whose key it cannot decode; nothing can
	 * be checked or certified without the key. */
	if (X509_REQ_get0_pubkey((X509_REQ *)v) == NULL) {
		X509_REQ_free((X509_REQ *)v);
		return anc_err_ossl(err, ANC_E_INPUT, "%s: the request's public "
		    "key cannot be read", what);
	}
	*out = (X509_REQ *)v;
	return ANC_OK;
}

int
anc_steps_read_crl(const unsigned char *data, size_t len, const char *what,
    X509_CRL **out, struct anc_err *err)
{
	ASN1_VALUE *v = NULL;
	int r;

	if ((r = read_der_or_pem(data, len, ASN1_ITEM_rptr(X509_CRL),
	    PEM_STRING_X509_CRL, what, "CRL", "an X509 CRL", &v, err)) !=
	    ANC_OK)
		return r;
	*out = (X509_CRL *)v;
	return ANC_OK;
}

#ifndef ANC_VERSION
#define ANC_VERSION "unknown"
#endif

void
anc_steps_provenance(const struct anc_engine *e, struct anc_provenance *p)
{
	p->ceremony = e->c->name;
	p->ceremony_sha256 = e->c->sha256;
	p->tool_version = ANC_VERSION;
}

struct anc_artifact *
anc_steps_art(struct anc_engine *e, const char *name, enum anc_art_kind kind)
{
	struct anc_artifact *a = anc_engine_find(e, name);

	return a != NULL && a->kind == kind ? a : NULL;
}

/* The root that signed a certificate made by a step of this run. */
struct anc_artifact *
anc_steps_root_of(struct anc_engine *e, const struct anc_artifact *a)
{
	if (a->step == NULL || a->step->issuer == NULL)
		return NULL;
	return anc_steps_art(e, a->step->issuer, ANC_ART_CERT);
}

int
anc_steps_write_text(struct anc_engine *e, const char *file, char *text,
    size_t len, mode_t mode, struct anc_err *err)
{
	int r = anc_steps_write(e, file, text, len, mode, err);

	free(text);
	return r;
}
