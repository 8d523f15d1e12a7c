/*
 * anchorage: certificate lints, run before a certificate is signed and
 * again on the signed result: what is signed must pass before the token
 * is asked, and what was signed must still pass afterwards.  This file
 * holds the rule table, the entry points and the rules on structure,
 * names, keys and the signature algorithm; lint_time.c the rules on
 * validity, lint_ext.c those on extensions.
 *
 * Each rule has a short id and fails with "lint <id>: <found>, expected
 * <what>".  The rules run in table order and the first failure is
 * reported: structure first, then names and keys, then extensions, then
 * the signature algorithm.
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/rfc3339.h"
#include "anchorage/sigcheck.h"
#include "constraints.h"
#include "lint_int.h"
#include "profile.h"


static int
rule_version(struct lint *l)
{
	long v = X509_get_version(l->x);

	if (v != X509_VERSION_3)
		return fail(l, "version-3", "version %ld, expected 3", v + 1);
	return ANC_OK;
}

static int
rule_unique_ids(struct lint *l)
{
	const ASN1_BIT_STRING *iuid = NULL, *suid = NULL;

	/* RFC 5280 4.1.2.8: conforming CAs MUST NOT generate them. */
	X509_get0_uids(l->x, &iuid, &suid);
	if (iuid != NULL || suid != NULL)
		return fail(l, "no-unique-ids", "%s present, expected "
		    "neither issuerUniqueID nor subjectUniqueID",
		    iuid != NULL ? "issuerUniqueID" : "subjectUniqueID");
	return ANC_OK;
}

/* The serial number's magnitude in octets, or -1 if not positive. */
static int
serial_octets(const ASN1_INTEGER *ai, BIGNUM **bn)
{
	*bn = ASN1_INTEGER_to_BN(ai, NULL);
	if (*bn == NULL || BN_is_negative(*bn) || BN_is_zero(*bn))
		return -1;
	return BN_num_bytes(*bn);
}

static int
rule_serial(struct lint *l)
{
	const ASN1_INTEGER *ai = X509_get0_serialNumber(l->x);
	BIGNUM *bn = NULL, *want = NULL;
	int n, der, r = ANC_E_INTERNAL;

	if ((n = serial_octets(ai, &bn)) < 0) {
		r = fail(l, "serial-positive", "serial number %s, expected a "
		    "positive integer", bn != NULL && BN_is_zero(bn) ? "zero" :
		    "negative");
		goto out;
	}
	/* DER adds a leading zero octet when the top bit is set. */
	der = n + (BN_num_bits(bn) % 8 == 0 ? 1 : 0);
	if (der < 8 || der > 20) {
		r = fail(l, "serial-length", "serial number of %d octets, "
		    "expected 8 to 20", der);
		goto out;
	}
	if (n < 9) {
		r = fail(l, "serial-entropy", "serial number of %d octets, "
		    "expected at least 9 (a prefix and 64 random bits)", n);
		goto out;
	}
	want = BN_bin2bn(l->s->serial, ANC_SERIAL_LEN, NULL);
	if (want == NULL || BN_cmp(bn, want) != 0) {
		r = fail(l, "serial-matches-spec", "serial number differs "
		    "from the one drawn for this certificate, expected the %d "
		    "bytes drawn", ANC_SERIAL_LEN);
		goto out;
	}
	/* success */
	r = ANC_OK;
 out:
	BN_free(want);
	BN_free(bn);
	return r;
}


static int
rule_issuer_ca(struct lint *l)
{
	BASIC_CONSTRAINTS *bc;
	ASN1_BIT_STRING *ku;
	int crit = -1, ca, sign;

	if (is_root(l))
		return ANC_OK;
	bc = X509_get_ext_d2i(l->s->issuer, NID_basic_constraints, &crit,
	    NULL);
	ca = bc != NULL && bc->ca;
	BASIC_CONSTRAINTS_free(bc);
	ku = X509_get_ext_d2i(l->s->issuer, NID_key_usage, &crit, NULL);
	/* An absent keyUsage does not restrict (RFC 5280 4.2.1.3). */
	sign = crit == -1 || (ku != NULL && ASN1_BIT_STRING_get_bit(ku, 5));
	ASN1_BIT_STRING_free(ku);
	if (!ca || !sign)
		return fail(l, "issuer-ca", "issuer certificate %s, expected a "
		    "CA (basicConstraints CA:TRUE, keyUsage keyCertSign)",
		    !ca ? "is not a CA" : "may not sign certificates");
	return ANC_OK;
}

static int
name_der_eq(const X509_NAME *a, const X509_NAME *b)
{
	const unsigned char *da, *db;
	size_t la, lb;

	if (X509_NAME_get0_der(a, &da, &la) != 1 ||
	    X509_NAME_get0_der(b, &db, &lb) != 1)
		return 0;
	return la == lb && memcmp(da, db, la) == 0;
}

static int
rule_names(struct lint *l)
{
	const X509_NAME *want_issuer = is_root(l) ?
	    X509_get_subject_name(l->x) : X509_get_subject_name(l->s->issuer);

	if (!name_der_eq(X509_get_issuer_name(l->x), want_issuer))
		return fail(l, "issuer-name-match", "issuer name differs from "
		    "%s, expected the same DER", is_root(l) ?
		    "the subject" : "the issuer certificate's subject");
	if (!name_der_eq(X509_get_subject_name(l->x), l->want_subject))
		return fail(l, "subject-matches-spec", "subject differs from "
		    "the script's, expected the same DER");
	return ANC_OK;
}

static int
rule_cn(struct lint *l)
{
	const X509_NAME *n = X509_get_subject_name(l->x);
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	const ASN1_STRING *v;

	v = i < 0 ? NULL :
	    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	if (v == NULL || ASN1_STRING_length(v) == 0)
		return fail(l, "subject-nonempty-cn", "subject without a "
		    "commonName, expected a non-empty CN");
	return ANC_OK;
}

/* P-256, P-384, or RSA of 2048 bits or more in whole octets, with an odd
 * exponent of at least 3. */
static const char *
key_problem(EVP_PKEY *k)
{
	enum anc_keyalg alg = anc_key_alg(k);
	BIGNUM *e = NULL;
	int bits, ok;

	if (alg == ANC_KEY_EC_P256 || alg == ANC_KEY_EC_P384)
		return NULL;
	if (EVP_PKEY_is_a(k, "EC"))
		return "an EC key on another curve";
	if (!EVP_PKEY_is_a(k, "RSA"))
		return "a key of another type";
	bits = EVP_PKEY_get_bits(k);
	if (bits < 2048 || bits % 8 != 0)
		return "an RSA key of a size not allowed";
	ok = EVP_PKEY_get_bn_param(k, "e", &e) == 1 && BN_is_odd(e) &&
	    BN_is_word(e, 1) == 0;
	BN_free(e);
	return ok ? NULL : "an RSA key with a bad public exponent";
}

static int
rule_key(struct lint *l)
{
	EVP_PKEY *k = X509_get0_pubkey(l->x);
	const char *why;

	if (k == NULL || EVP_PKEY_eq(k, l->s->subject_key) != 1)
		return fail(l, "key-matches-spec", "subject public key differs "
		    "from the key being certified, expected the same key");
	if ((why = key_problem(k)) != NULL)
		return fail(l, "key-allowed", "%s (%d bits), expected EC P-256, "
		    "EC P-384 or RSA of at least 2048 bits", why,
		    EVP_PKEY_get_bits(k));
	return ANC_OK;
}

/* The signature algorithm a signer key must use, as Go and step do. */
static int
expected_sig_nid(EVP_PKEY *k)
{
	switch (anc_key_alg(k)) {
	case ANC_KEY_EC_P256:
		return NID_ecdsa_with_SHA256;
	case ANC_KEY_EC_P384:
		return NID_ecdsa_with_SHA384;
	case ANC_KEY_RSA_3072:
	case ANC_KEY_RSA_4096:
		return NID_sha256WithRSAEncryption;
	case ANC_KEY_NONE:
	default:
		return EVP_PKEY_is_a(k, "RSA") ?
		    NID_sha256WithRSAEncryption : NID_undef;
	}
}

static int
rule_sig_alg(struct lint *l)
{
	const ASN1_OBJECT *obj;
	const X509_ALGOR *outer = NULL;
	const ASN1_BIT_STRING *sig = NULL;
	int ptype = V_ASN1_UNDEF, nid, want;

	if (!l->signed_)
		return ANC_OK;
	X509_get0_signature(&sig, &outer, l->x);
	if (X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(l->x)) != 0)
		return fail(l, "sig-alg-matches-key", "signatureAlgorithm "
		    "differs from the TBS signature field, expected them equal");
	X509_ALGOR_get0(&obj, &ptype, NULL, outer);
	nid = OBJ_obj2nid(obj);
	want = expected_sig_nid(l->signer_pub);
	/* Byte-exact AlgorithmIdentifiers: ECDSA without parameters, RSA
	 * PKCS#1 v1.5 with NULL. */
	if (nid != want || ptype != (want == NID_sha256WithRSAEncryption ?
	    V_ASN1_NULL : V_ASN1_UNDEF))
		return fail(l, "sig-alg-matches-key", "signature algorithm %s, "
		    "expected %s for the %d-bit signing key", nid == NID_undef ?
		    "(unknown)" : OBJ_nid2ln(nid), want == NID_undef ?
		    "(none: key not allowed)" : OBJ_nid2ln(want),
		    EVP_PKEY_get_bits(l->signer_pub));
	return ANC_OK;
}

static int (*const rules[])(struct lint *) = {
	rule_version,
	rule_unique_ids,
	rule_serial,
	anc_lint_validity_encoding,
	anc_lint_validity,
	anc_lint_root_validity,
	anc_lint_within_issuer,
	rule_issuer_ca,
	rule_names,
	rule_cn,
	rule_key,
	anc_lint_extension_set,
	anc_lint_bc,
	anc_lint_ku,
	anc_lint_skid,
	anc_lint_akid,
	anc_lint_constraints,
	rule_sig_alg,
};

static int
lint_prepare(struct lint *l)
{
	const struct anc_cert_spec *s = l->s;

	if (s->subject_key == NULL ||
	    (s->profile == ANC_PROFILE_ROOT) != (s->issuer == NULL))
		return anc_err_set(l->err, ANC_E_INTERNAL,
		    "lint: spec without a subject key or with the wrong "
		    "issuer for its profile");
	l->signer_pub = s->issuer != NULL ? X509_get0_pubkey(s->issuer) :
	    s->subject_key;
	if (l->signer_pub == NULL)
		return anc_err_ossl(l->err, ANC_E_INPUT,
		    "lint: issuer public key cannot be decoded");
	/* Decoded here, not through OpenSSL's per-certificate cache, which
	 * is stale for a certificate still being built. */
	l->bc = X509_get_ext_d2i(l->x, NID_basic_constraints, &l->bc_crit,
	    NULL);
	l->ku = X509_get_ext_d2i(l->x, NID_key_usage, &l->ku_crit, NULL);
	l->skid = X509_get_ext_d2i(l->x, NID_subject_key_identifier,
	    &l->skid_crit, NULL);
	l->akid = X509_get_ext_d2i(l->x, NID_authority_key_identifier,
	    &l->akid_crit, NULL);
	return anc_profile_subject(s, &l->want_subject, &l->own_subject,
	    l->err);
}

int
anc_lint_cert(X509 *x, const struct anc_cert_spec *s, int signed_,
    struct anc_err *err)
{
	struct lint l;
	size_t i;
	int r;

	memset(&l, 0, sizeof(l));
	l.x = x;
	l.s = s;
	l.signed_ = signed_;
	l.err = err;
	r = lint_prepare(&l);
	for (i = 0; r == ANC_OK && i < sizeof(rules) / sizeof(rules[0]); i++)
		r = rules[i](&l);
	/* Failed decodes left errors behind; rules reported what matters. */
	ERR_clear_error();
	X509_NAME_free(l.own_subject);
	BASIC_CONSTRAINTS_free(l.bc);
	ASN1_BIT_STRING_free(l.ku);
	ASN1_OCTET_STRING_free(l.skid);
	AUTHORITY_KEYID_free(l.akid);
	return r;
}

int
anc_verify_cert(X509 *x, EVP_PKEY *pub, struct anc_err *err)
{
	/* Always verified here, never answered from an earlier check: this
	 * is the check after signing.  The success is remembered on x, so
	 * the exports that check the same bytes again need not. */
	if (!anc_sig_verify(x, pub))
		return anc_err_ossl(err, ANC_E_BADSIG, "certificate signature "
		    "does not verify with the signing key's public key");
	return ANC_OK;
}
