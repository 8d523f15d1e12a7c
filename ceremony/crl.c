/*
 * anchorage: building a root's CRL from plain inputs (anc_crl_spec).
 * Signing and verification happen in step_sign_crl.c, like every other
 * signature.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "profile.h"

/* One revoked entry: serial, date, and a reason unless unspecified
 * (RFC 5280 5.3.1: the code "unspecified" SHOULD be absent). */
static int
add_entry(X509_CRL *crl, X509 *x, enum anc_crl_reason reason,
    ASN1_TIME *when, struct anc_err *err)
{
	X509_REVOKED *rv = NULL;
	ASN1_ENUMERATED *code = NULL;
	int r = ANC_E_INTERNAL;

	if ((rv = X509_REVOKED_new()) == NULL ||
	    !X509_REVOKED_set_serialNumber(rv, X509_get_serialNumber(x)) ||
	    !X509_REVOKED_set_revocationDate(rv, when)) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "CRL entry");
		goto out;
	}
	if (reason != ANC_REASON_UNSPECIFIED) {
		if ((code = ASN1_ENUMERATED_new()) == NULL ||
		    !ASN1_ENUMERATED_set(code, (long)reason) ||
		    X509_REVOKED_add1_ext_i2d(rv, NID_crl_reason, code, 0, 0) != 1) {
			r = anc_err_ossl(err, ANC_E_CRYPTO, "CRL reason");
			goto out;
		}
	}
	if (!X509_CRL_add0_revoked(crl, rv)) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "CRL entry");
		goto out;
	}
	rv = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	ASN1_ENUMERATED_free(code);
	X509_REVOKED_free(rv);
	return r;
}

static int
add_extensions(X509_CRL *crl, X509 *issuer, uint64_t number,
    struct anc_err *err)
{
	ASN1_INTEGER *num = NULL;
	AUTHORITY_KEYID *akid = NULL;
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(issuer);
	int r = ANC_E_INTERNAL;

	if (skid == NULL)
		return anc_err_set(err, ANC_E_LINT, "lint crl-akid: the issuer "
		    "has no subjectKeyIdentifier to point at");
	if ((num = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_uint64(num, number) ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1 ||
	    (akid = AUTHORITY_KEYID_new()) == NULL ||
	    (akid->keyid = ASN1_OCTET_STRING_dup(skid)) == NULL ||
	    X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0,
	    0) != 1) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "CRL extensions");
		goto out;
	}
	/* success */
	r = ANC_OK;
 out:
	ASN1_INTEGER_free(num);
	AUTHORITY_KEYID_free(akid);
	return r;
}

/*
 * The CRL this one replaces: same issuer, signed by it, a smaller number.
 * Its entries still in force are carried over, so a revocation never
 * disappears by being forgotten in the script.
 */
static int
carry_previous(X509_CRL *crl, X509_CRL *prev, X509 *issuer, int signed_,
    uint64_t number, const char *name, struct anc_err *err)
{
	STACK_OF(X509_REVOKED) *old = X509_CRL_get_REVOKED(prev);
	X509_REVOKED *rv, *dup, *found;
	ASN1_INTEGER *pn;
	uint64_t n = 0;
	int i, ok;

	if (X509_NAME_cmp(X509_CRL_get_issuer(prev),
	    X509_get_subject_name(issuer)) != 0 || (signed_ &&
	    X509_CRL_verify(prev, X509_get0_pubkey(issuer)) != 1))
		return anc_err_ossl(err, ANC_E_UNSAFE, "previous CRL %s was not "
		    "issued and signed by this CRL's issuer", name);
	pn = X509_CRL_get_ext_d2i(prev, NID_crl_number, NULL, NULL);
	ok = pn != NULL && ASN1_INTEGER_get_uint64(&n, pn) == 1;
	ASN1_INTEGER_free(pn);
	if (!ok)
		return anc_err_set(err, ANC_E_UNSAFE, "previous CRL %s has no "
		    "readable CRL number", name);
	if (number <= n)
		return anc_err_set(err, ANC_E_UNSAFE, "crl-number %llu must be "
		    "greater than %llu, the number of the previous CRL %s",
		    (unsigned long long)number, (unsigned long long)n, name);
	for (i = 0; i < sk_X509_REVOKED_num(old); i++) {
		rv = sk_X509_REVOKED_value(old, i);
		if (X509_CRL_get0_by_serial(crl, &found, (ASN1_INTEGER *)(uintptr_t)
		    X509_REVOKED_get0_serialNumber(rv)) == 1)
			continue;
		if ((dup = X509_REVOKED_dup(rv)) == NULL ||
		    !X509_CRL_add0_revoked(crl, dup)) {
			X509_REVOKED_free(dup);
			return anc_err_ossl(err, ANC_E_NOMEM, "CRL entry");
		}
	}
	return ANC_OK;
}

int
anc_crl_build(const struct anc_crl_spec *sp, X509_CRL **out,
    struct anc_err *err)
{
	X509_CRL *crl = NULL;
	ASN1_TIME *now = NULL, *next = NULL;
	X509 *issuer = sp->issuer, *x;
	size_t i;
	int r = ANC_E_INTERNAL;

	if ((crl = X509_CRL_new()) == NULL ||
	    (now = ASN1_TIME_set(NULL, sp->now)) == NULL ||
	    (next = ASN1_TIME_set(NULL, sp->now + (time_t)sp->validity)) ==
	    NULL) {
		r = anc_err_ossl(err, ANC_E_NOMEM, "CRL");
		goto out;
	}
	if (ASN1_TIME_compare(next, X509_get0_notAfter(issuer)) > 0) {
		r = anc_err_set(err, ANC_E_LINT, "lint crl-next-update: "
		    "nextUpdate would fall after the issuer %s expires; "
		    "shorten validity", sp->issuer_name);
		goto out;
	}
	if (!X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) ||
	    !X509_CRL_set1_lastUpdate(crl, now) ||
	    !X509_CRL_set1_nextUpdate(crl, next)) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "CRL fields");
		goto out;
	}
	for (i = 0; i < sp->n_revoked; i++) {
		x = sp->revoked[i].cert;
		if (X509_cmp(issuer, x) == 0) {
			r = anc_err_set(err, ANC_E_UNSAFE, "revoke[%zu]: %s is "
			    "the CRL's issuer itself; a root is retired by "
			    "removing it from the trust bundle", i + 1,
			    sp->revoked[i].name);
			goto out;
		}
		if (X509_check_issued(issuer, x) != X509_V_OK) {
			r = anc_err_set(err, ANC_E_UNSAFE, "revoke[%zu]: %s was "
			    "not issued by %s; a CRL only revokes its issuer's "
			    "certificates", i + 1, sp->revoked[i].name,
			    sp->issuer_name);
			goto out;
		}
		if ((r = add_entry(crl, x, sp->revoked[i].reason, now,
		    err)) != ANC_OK)
			goto out;
	}
	if (sp->previous != NULL && (r = carry_previous(crl, sp->previous,
	    issuer, sp->check_previous, sp->number, sp->previous_name,
	    err)) != ANC_OK)
		goto out;
	if ((r = add_extensions(crl, issuer, sp->number, err)) != ANC_OK)
		goto out;
	X509_CRL_sort(crl);
	*out = crl;
	crl = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	ASN1_TIME_free(now);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	return r;
}
