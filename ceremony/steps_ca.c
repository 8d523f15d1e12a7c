/*
 * anchorage: certificates signed by a root in the token: issuing CAs made
 * here, CSRs brought in from outside, cross-certificates, and CRLs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "constraints.h"
#include "steps.h"

/* The issuer artifact: a certificate whose key is in the token. */
static int
issuer_of(struct anc_engine *e, const struct anc_step *s,
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

static enum anc_keyalg
issuer_hint(const struct anc_artifact *a)
{
	return anc_key_alg(X509_get0_pubkey(a->cert));
}

static void
spec_init(struct anc_cert_spec *spec, struct anc_engine *e,
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
		if ((r = anc_throwaway_key(ANC_KEY_EC_P256, &own, err)) != ANC_OK)
			return r;
		key = own;
	}
	r = anc_nc_prove(ca, key, nc, eku, e->now, err);
	EVP_PKEY_free(own);
	return r;
}

/* Record a new certificate artifact and write it. */
static int
keep_cert(struct anc_engine *e, const struct anc_step *s, X509 **x,
    EVP_PKEY **soft_key, const char *what, struct anc_err *err)
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
	anc_cert_fingerprint(a->cert, fp);
	anc_engine_say(e, "  %s %s signed by %s and verified; SHA-256 "
	    "fingerprint %s", what, s->output, s->issuer, fp);
	return anc_steps_write_certs(e, s->output, &a->cert, 1, err);
}

int
anc_step_issue_intermediate(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_cert_spec spec;
	struct anc_artifact *issuer;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int r;

	if ((r = issuer_of(e, s, &issuer, err)) != ANC_OK)
		return r;
	/* The issuing CA's key is made here in software: cert-manager's CA
	 * issuer needs it in its Secret.  It lives only in memory and in the
	 * Secret manifest, and is freed (cleansed) with the artifact. */
	if ((r = anc_throwaway_key(s->algorithm, &key, err)) != ANC_OK)
		return r;
	spec_init(&spec, e, s, issuer);
	spec.profile = ANC_PROFILE_INTERMEDIATE;
	spec.subject = &s->subject;
	spec.subject_key = key;
	if ((r = anc_steps_issue(e, &spec, issuer->key_label,
	    issuer_hint(issuer), &x, err)) != ANC_OK ||
	    (r = anc_steps_prove(e, x, &s->nc, s->eku, NULL, err)) != ANC_OK)
		goto out;
	r = keep_cert(e, s, &x, &key, "issuing CA", err);
 out:
	X509_free(x);
	EVP_PKEY_free(key);
	return r;
}

int
anc_steps_read_csr(const unsigned char *data, size_t len, const char *what,
    X509_REQ **out, struct anc_err *err)
{
	const unsigned char *p = data;
	X509_REQ *req = NULL;
	BIO *bio;

	if (len > 0 && data[0] == 0x30) {
		req = d2i_X509_REQ(NULL, &p, (long)len);
		if (req != NULL && p != data + len) {
			X509_REQ_free(req);
			return anc_err_set(err, ANC_E_INPUT, "%s: trailing data "
			    "after the DER request", what);
		}
	} else if ((bio = BIO_new_mem_buf(data, (int)len)) != NULL) {
		req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (req == NULL)
		return anc_err_ossl(err, ANC_E_INPUT, "%s: expected a PKCS#10 "
		    "CERTIFICATE REQUEST (PEM or DER)", what);
	*out = req;
	return ANC_OK;
}

int
anc_steps_read_crl(const unsigned char *data, size_t len, const char *what,
    X509_CRL **out, struct anc_err *err)
{
	const unsigned char *p = data;
	X509_CRL *crl = NULL;
	BIO *bio;

	if (len > 0 && data[0] == 0x30) {
		crl = d2i_X509_CRL(NULL, &p, (long)len);
		if (crl != NULL && p != data + len) {
			X509_CRL_free(crl);
			return anc_err_set(err, ANC_E_INPUT, "%s: trailing data "
			    "after the DER CRL", what);
		}
	} else if ((bio = BIO_new_mem_buf(data, (int)len)) != NULL) {
		crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (crl == NULL)
		return anc_err_ossl(err, ANC_E_INPUT, "%s: expected an X509 CRL "
		    "(PEM or DER)", what);
	*out = crl;
	return ANC_OK;
}

int
anc_step_sign_csr(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_cert_spec spec;
	struct anc_artifact *issuer, *csr;
	X509_NAME *subject = NULL;
	X509 *x = NULL;
	int r;

	if ((r = issuer_of(e, s, &issuer, err)) != ANC_OK)
		return r;
	csr = anc_engine_find(e, s->csr);
	if (csr == NULL || csr->kind != ANC_ART_CSR)
		return anc_err_set(err, ANC_E_INTERNAL, "csr \"%s\"", s->csr);
	spec_init(&spec, e, s, issuer);
	if ((r = anc_policy_check_csr(csr->csr, &csr->csr_verified, s,
	    issuer->cert, &spec, &subject, err)) != ANC_OK)
		goto out;
	anc_engine_say(e, "  %s: proof of possession verified; requested "
	    "extensions ignored; policy passed", s->csr);
	spec.profile = ANC_PROFILE_INTERMEDIATE;
	spec.subject_name = subject;
	spec.subject_key = X509_REQ_get0_pubkey(csr->csr);
	if ((r = anc_steps_issue(e, &spec, issuer->key_label,
	    issuer_hint(issuer), &x, err)) != ANC_OK ||
	    (r = anc_steps_prove(e, x, &s->nc, s->eku, NULL, err)) != ANC_OK)
		goto out;
	r = keep_cert(e, s, &x, NULL, "CA certificate", err);
 out:
	X509_NAME_free(subject);
	X509_free(x);
	return r;
}

int
anc_step_cross_sign(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_cert_spec spec;
	struct anc_artifact *issuer, *subj;
	X509 *x = NULL;
	int r;

	if ((r = issuer_of(e, s, &issuer, err)) != ANC_OK)
		return r;
	subj = anc_engine_find(e, s->certificate);
	if (subj == NULL || subj->kind != ANC_ART_CERT)
		return anc_err_set(err, ANC_E_INTERNAL, "certificate \"%s\"",
		    s->certificate);
	spec_init(&spec, e, s, issuer);
	spec.profile = ANC_PROFILE_CROSS;
	spec.subject_name = X509_get_subject_name(subj->cert);
	spec.subject_key = X509_get0_pubkey(subj->cert);
	if ((r = anc_steps_issue(e, &spec, issuer->key_label,
	    issuer_hint(issuer), &x, err)) != ANC_OK)
		goto out;
	r = keep_cert(e, s, &x, NULL, "cross-certificate", err);
 out:
	X509_free(x);
	return r;
}

/* The CRL builder's inputs, from the step and its artifacts. */
static int
crl_build(struct anc_engine *e, const struct anc_step *s, X509 *issuer,
    X509_CRL **out, struct anc_err *err)
{
	struct anc_crl_revoked rv[ANC_CER_LIST_MAX];
	struct anc_crl_spec sp;
	struct anc_artifact *a;
	size_t i;

	memset(&sp, 0, sizeof(sp));
	if (s->n_revoke > ANC_CER_LIST_MAX)
		return anc_err_set(err, ANC_E_INTERNAL, "revoke");
	/* validate.c guarantees certificates and a CRL. */
	for (i = 0; i < s->n_revoke; i++) {
		a = anc_engine_find(e, s->revoke[i].certificate);
		if (a == NULL || a->kind != ANC_ART_CERT)
			return anc_err_set(err, ANC_E_INTERNAL, "revoke \"%s\"",
			    s->revoke[i].certificate);
		rv[i].name = s->revoke[i].certificate;
		rv[i].cert = a->cert;
		rv[i].reason = s->revoke[i].reason;
	}
	if (s->previous != NULL) {
		a = anc_engine_find(e, s->previous);
		if (a == NULL || a->kind != ANC_ART_CRL)
			return anc_err_set(err, ANC_E_INTERNAL, "previous "
			    "\"%s\"", s->previous);
		sp.previous = a->crl;
		sp.previous_name = s->previous;
	}
	sp.issuer = issuer;
	sp.issuer_name = s->issuer;
	sp.now = e->now;
	sp.validity = s->validity;
	sp.number = s->crl_number;
	sp.revoked = rv;
	sp.n_revoked = s->n_revoke;
	/* When checking, the issuer carries a throwaway key, so only the
	 * run can check the previous CRL's signature. */
	sp.check_previous = e->ob != NULL;
	return anc_crl_build(&sp, out, err);
}

int
anc_step_sign_crl(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_artifact *issuer, *a;
	EVP_PKEY *signer = NULL, *pub = NULL;
	X509_CRL *crl = NULL;
	BIO *bio = NULL;
	BUF_MEM *mem;
	char file[128];
	int r;

	if ((r = issuer_of(e, s, &issuer, err)) != ANC_OK)
		return r;
	if ((r = crl_build(e, s, issuer->cert, &crl, err)) != ANC_OK)
		goto out;
	if ((r = e->be->signer(e->be->arg, issuer->key_label,
	    issuer_hint(issuer), &signer, err)) != ANC_OK ||
	    (r = e->be->public_key(e->be->arg, issuer->key_label,
	    issuer_hint(issuer), &pub, err)) != ANC_OK)
		goto out;
	if (X509_CRL_sign(crl, signer, anc_profile_md(signer)) <= 0) {
		anc_err_ossl(err, ANC_E_CRYPTO, "signing the CRL");
		(void)e->be->present(e->be->arg, err);
		r = err->code;
		goto out;
	}
	if (X509_CRL_verify(crl, pub) != 1) {
		r = anc_err_ossl(err, ANC_E_BADSIG, "the CRL signature does not "
		    "verify with the public key of %s; nothing written",
		    s->issuer);
		goto out;
	}
	if ((a = anc_engine_new_art(e, s->output, ANC_ART_CRL, s)) == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "output %s", s->output);
		goto out;
	}
	a->crl = crl;
	crl = NULL;	/* transferred */
	anc_engine_say(e, "  CRL %s number %llu, %zu revocation(s), signed "
	    "and verified", s->output, (unsigned long long)s->crl_number,
	    s->n_revoke);
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509_CRL(bio, a->crl) != 1) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "CRL PEM");
		goto out;
	}
	BIO_get_mem_ptr(bio, &mem);
	snprintf(file, sizeof(file), "%s.pem", s->output);
	r = anc_steps_write(e, file, mem->data, mem->length, 0644, err);
 out:
	BIO_free(bio);
	X509_CRL_free(crl);
	EVP_PKEY_free(pub);
	return r;
}
