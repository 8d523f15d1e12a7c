/*
 * anchorage: the policy a CSR must meet before a root signs it.  Each
 * refusal names its rule, so an officer can match it to the script.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "steps.h"

static const char *const policy_names[] = {
	[ANC_POLICY_RSA_2048] = "rsa-2048",
	[ANC_POLICY_RSA_3072] = "rsa-3072",
	[ANC_POLICY_RSA_4096] = "rsa-4096",
	[ANC_POLICY_EC_P256] = "ecdsa-p256",
	[ANC_POLICY_EC_P384] = "ecdsa-p384",
};

static void
allowed_list(unsigned algs, char *buf, size_t cap)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
		if ((algs & (1u << i)) != 0 && n < cap)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s",
			    n ? ", " : "", policy_names[i]);
}

static int
rsa_class(EVP_PKEY *pk, int *cls, struct anc_err *err)
{
	BIGNUM *e = NULL;
	int bits = EVP_PKEY_get_bits(pk), odd;

	if (bits < 2048)
		return anc_err_set(err, ANC_E_POLICY, "policy key-size: RSA "
		    "key of %d bits, expected at least 2048", bits);
	if (bits % 8 != 0)
		return anc_err_set(err, ANC_E_POLICY, "policy key-size: RSA "
		    "key of %d bits, expected a multiple of 8", bits);
	if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e))
		return anc_err_ossl(err, ANC_E_POLICY, "policy key-valid: RSA "
		    "key without a public exponent");
	odd = BN_is_odd(e) && BN_num_bits(e) > 16;
	BN_free(e);
	if (!odd)
		return anc_err_set(err, ANC_E_POLICY, "policy key-valid: RSA "
		    "public exponent must be odd and at least 65537");
	*cls = bits == 2048 ? ANC_POLICY_RSA_2048 : bits == 3072 ?
	    ANC_POLICY_RSA_3072 : bits == 4096 ? ANC_POLICY_RSA_4096 : -1;
	if (*cls < 0)
		return anc_err_set(err, ANC_E_POLICY, "policy key-type: RSA-%d "
		    "is not an allowed size (2048, 3072, 4096)", bits);
	return ANC_OK;
}

static int
ec_class(EVP_PKEY *pk, int *cls, struct anc_err *err)
{
	char group[64] = "";
	size_t len = 0;

	if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &len))
		return anc_err_set(err, ANC_E_POLICY, "policy key-type: EC key "
		    "without a named curve; expected P-256 or P-384");
	if (strcmp(group, SN_X9_62_prime256v1) == 0)
		*cls = ANC_POLICY_EC_P256;
	else if (strcmp(group, SN_secp384r1) == 0)
		*cls = ANC_POLICY_EC_P384;
	else
		return anc_err_set(err, ANC_E_POLICY, "policy key-type: curve "
		    "%s, expected P-256 or P-384", group);
	return ANC_OK;
}

static int
check_key(EVP_PKEY *pk, unsigned allowed, int validate, struct anc_err *err)
{
	EVP_PKEY_CTX *ctx;
	char list[128];
	int cls = -1, r, ok;

	if (EVP_PKEY_is_a(pk, "RSA"))
		r = rsa_class(pk, &cls, err);
	else if (EVP_PKEY_is_a(pk, "EC"))
		r = ec_class(pk, &cls, err);
	else
		r = anc_err_set(err, ANC_E_POLICY, "policy key-type: %s keys "
		    "are not allowed; expected RSA or ECDSA",
		    EVP_PKEY_get0_type_name(pk));
	if (r != ANC_OK)
		return r;
	if ((allowed & (1u << cls)) == 0) {
		allowed_list(allowed, list, sizeof(list));
		return anc_err_set(err, ANC_E_POLICY, "policy key-type: %s is "
		    "not allowed by this script (allowed: %s)",
		    policy_names[cls], list);
	}
	if (!validate)
		return ANC_OK;
	if ((ctx = EVP_PKEY_CTX_new(pk, NULL)) == NULL)
		return anc_err_ossl(err, ANC_E_NOMEM, "key check");
	/*
	 * The quick check is the full one but for the point's order (n·Q at
	 * infinity), which on P-256 and P-384, of cofactor 1, every point on
	 * the curve but infinity has; it still refuses infinity and points
	 * off the curve.  For RSA OpenSSL 3.0 runs the same checks for both.
	 * The full check is a third of a sign-csr step.
	 */
	ok = EVP_PKEY_public_check_quick(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return anc_err_ossl(err, ANC_E_POLICY, "policy key-valid: the "
		    "public key fails validation");
	return ANC_OK;
}

static int
check_limits(const struct anc_step *s, X509 *issuer,
    const struct anc_cert_spec *spec, struct anc_err *err)
{
	long ipl = X509_get_pathlen(issuer);
	time_t not_after = spec->not_after;
	char d1[32], d2[32], fit[64];

	if (X509_cmp_time(X509_get0_notAfter(issuer), &not_after) < 0) {
		anc_validity_fit(issuer, spec->not_before, fit, sizeof(fit));
		return anc_err_set(err, ANC_E_POLICY, "policy validity: the "
		    "certificate would outlive its issuer %s; shorten "
		    "validity: %s from now", s->issuer, fit);
	}
	if (s->validity > s->policy_max_validity) {
		anc_duration_format(s->validity, d1, sizeof(d1));
		anc_duration_format(s->policy_max_validity, d2, sizeof(d2));
		return anc_err_set(err, ANC_E_POLICY, "policy max-validity: "
		    "%s requested, at most %s allowed", d1, d2);
	}
	if (ipl >= 0 && (s->path_length == ANC_PATHLEN_NONE ||
	    s->path_length >= ipl))
		return anc_err_set(err, ANC_E_POLICY, "policy path-length: "
		    "issuer %s has path length %ld, so a CA below it may have "
		    "at most %ld", s->issuer, ipl, ipl - 1);
	if (s->path_length == ANC_PATHLEN_NONE ||
	    s->path_length > s->policy_max_path_length)
		return anc_err_set(err, ANC_E_POLICY, "policy max-path-length: "
		    "at most %d allowed", s->policy_max_path_length);
	return ANC_OK;
}

/* Only the attributes a script may write; one CN, none empty. */
static int
check_subject(X509_NAME *name, X509 *issuer, struct anc_err *err)
{
	static const int allowed[] = { NID_countryName,
	    NID_stateOrProvinceName, NID_localityName, NID_organizationName,
	    NID_organizationalUnitName, NID_commonName };
	X509_NAME_ENTRY *ent;
	int i, j, nid, cn = 0, len;

	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		ent = X509_NAME_get_entry(name, i);
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent));
		for (j = 0; j < (int)(sizeof(allowed) / sizeof(allowed[0])); j++)
			if (allowed[j] == nid)
				break;
		if (j == (int)(sizeof(allowed) / sizeof(allowed[0])))
			return anc_err_set(err, ANC_E_POLICY, "policy subject: "
			    "attribute %s is not allowed (C, ST, L, O, OU, CN)",
			    nid == NID_undef ? "unknown" : OBJ_nid2sn(nid));
		len = ASN1_STRING_length(X509_NAME_ENTRY_get_data(ent));
		if (len < 1 || len > 64)
			return anc_err_set(err, ANC_E_POLICY, "policy subject: "
			    "%s must be 1 to 64 characters", OBJ_nid2sn(nid));
		cn += nid == NID_commonName;
	}
	if (cn != 1)
		return anc_err_set(err, ANC_E_POLICY, "policy subject: expected "
		    "exactly one CN, found %d", cn);
	if (X509_NAME_cmp(name, X509_get_subject_name(issuer)) == 0)
		return anc_err_set(err, ANC_E_POLICY, "policy subject: equal to "
		    "the issuer's subject");
	return ANC_OK;
}

/* Limits and subject: *subject is the script's, or the request's. */
static int
check_rest(const X509_NAME *req_name, const struct anc_step *s, X509 *issuer,
    const struct anc_cert_spec *spec, X509_NAME **subject,
    struct anc_err *err)
{
	struct anc_cert_spec script;
	const X509_NAME *built;
	X509_NAME *name = NULL;
	int r;

	if ((r = check_limits(s, issuer, spec, err)) != ANC_OK)
		return r;
	if (s->subject.n > 0) {
		memset(&script, 0, sizeof(script));
		script.subject = &s->subject;
		r = anc_profile_subject(&script, &built, &name, err);
	} else if ((name = X509_NAME_dup(req_name)) == NULL)
		r = anc_err_set(err, ANC_E_NOMEM, "subject");
	if (r != ANC_OK)
		return r;
	if ((r = check_subject(name, issuer, err)) != ANC_OK) {
		X509_NAME_free(name);
		return r;
	}
	*subject = name;	/* transferred */
	return ANC_OK;
}

int
anc_policy_check_csr(X509_REQ *req, int *verified, const struct anc_step *s,
    X509 *issuer, const struct anc_cert_spec *spec, X509_NAME **subject,
    struct anc_err *err)
{
	EVP_PKEY *pk = X509_REQ_get0_pubkey(req);
	int again = verified == NULL || *verified != 1, r;
	int pop = verified != NULL && *verified != 0;

	if (pk == NULL || (!pop && X509_REQ_verify(req, pk) != 1))
		return anc_err_ossl(err, ANC_E_POLICY, "policy "
		    "proof-of-possession: the request's self-signature does not "
		    "verify with its public key");
	if ((r = check_key(pk, s->policy_algs, again, err)) != ANC_OK)
		return r;
	if (verified != NULL)
		*verified = 1;
	return check_rest(X509_REQ_get_subject_name(req), s, issuer, spec,
	    subject, err);
}

int
anc_policy_check_key(EVP_PKEY *pk, const X509_NAME *name, int validate,
    const struct anc_step *s, X509 *issuer, const struct anc_cert_spec *spec,
    X509_NAME **subject, struct anc_err *err)
{
	int r;

	if ((r = check_key(pk, s->policy_algs, validate, err)) != ANC_OK)
		return r;
	return check_rest(name, s, issuer, spec, subject, err);
}
