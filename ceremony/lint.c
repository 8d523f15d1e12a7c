/*
 * anchorage: certificate lints, run before a certificate is signed and
 * again on the signed result: what is signed must pass before the token
 * is asked, and what was signed must still pass afterwards.
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
#include "profile.h"

/* What a rule sees: the certificate, its spec, decoded extensions. */
struct lint {
	X509 *x;
	const struct anc_cert_spec *s;
	int signed_;
	EVP_PKEY *signer_pub;		/* borrowed: issuer's key, or own */
	X509_NAME *want_subject;
	BASIC_CONSTRAINTS *bc;
	int bc_crit;			/* -1 absent, -2 repeated */
	ASN1_BIT_STRING *ku;
	int ku_crit;
	ASN1_OCTET_STRING *skid;
	int skid_crit;
	AUTHORITY_KEYID *akid;
	int akid_crit;
	struct anc_err *err;
};

static int
fail(struct lint *l, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct lint *l, const char *rule, const char *fmt, ...)
{
	char what[ANC_ERR_MSG_MAX - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return anc_err_set(l->err, ANC_E_LINT, "lint %s: %s", rule, what);
}

static int
is_root(const struct lint *l)
{
	return l->s->profile == ANC_PROFILE_ROOT;
}

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

/* RFC 5280 4.1.2.5: UTCTime YYMMDDHHMMSSZ through 2049, then
 * GeneralizedTime YYYYMMDDHHMMSSZ. */
static int
time_encoding_ok(const ASN1_TIME *t)
{
	struct tm tm;
	int year, len = ASN1_STRING_length(t);
	const unsigned char *d = ASN1_STRING_get0_data(t);

	if (ASN1_TIME_to_tm(t, &tm) != 1 || len < 1 || d[len - 1] != 'Z')
		return 0;
	year = tm.tm_year + 1900;
	if (year >= 1950 && year < 2050)
		return ASN1_STRING_type(t) == V_ASN1_UTCTIME && len == 13;
	return ASN1_STRING_type(t) == V_ASN1_GENERALIZEDTIME && len == 15;
}

static int
rule_validity_encoding(struct lint *l)
{
	if (!time_encoding_ok(X509_get0_notBefore(l->x)))
		return fail(l, "validity-encoding", "notBefore encoded as "
		    "%s, expected UTCTime before 2050 and GeneralizedTime "
		    "from 2050, in seconds with Z",
		    ASN1_tag2str(ASN1_STRING_type(X509_get0_notBefore(l->x))));
	if (!time_encoding_ok(X509_get0_notAfter(l->x)))
		return fail(l, "validity-encoding", "notAfter encoded as "
		    "%s, expected UTCTime before 2050 and GeneralizedTime "
		    "from 2050, in seconds with Z",
		    ASN1_tag2str(ASN1_STRING_type(X509_get0_notAfter(l->x))));
	return ANC_OK;
}

static void
iso_time(time_t t, char buf[32])
{
	if (anc_rfc3339_put(t, buf) != 0)
		snprintf(buf, 32, "%lld", (long long)t);
}

static int
rule_validity(struct lint *l)
{
	const ASN1_TIME *nb = X509_get0_notBefore(l->x);
	const ASN1_TIME *na = X509_get0_notAfter(l->x);
	char want_nb[32], want_na[32];

	if (ASN1_TIME_compare(nb, na) >= 0)
		return fail(l, "validity-order", "notBefore is not before "
		    "notAfter, expected a positive validity period");
	if (ASN1_TIME_cmp_time_t(nb, l->s->not_before) != 0 ||
	    ASN1_TIME_cmp_time_t(na, l->s->not_after) != 0) {
		iso_time(l->s->not_before, want_nb);
		iso_time(l->s->not_after, want_na);
		return fail(l, "validity-matches-spec", "validity differs "
		    "from the script's, expected notBefore %s and notAfter %s",
		    want_nb, want_na);
	}
	return ANC_OK;
}

static int
rule_root_validity(struct lint *l)
{
	int days = 0, secs = 0;

	/* No CA/B Forum day ranges: these are private trust anchors.  Only
	 * the ceremony format's own ceiling applies. */
	if (!is_root(l))
		return ANC_OK;
	if (ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(l->x),
	    X509_get0_notAfter(l->x)) != 1 ||
	    (unsigned long long)days * 86400 + (unsigned long long)secs >
	    ANC_CER_VALIDITY_MAX)
		return fail(l, "root-validity", "validity of %d days, "
		    "expected at most %llu", days,
		    (unsigned long long)(ANC_CER_VALIDITY_MAX / 86400));
	return ANC_OK;
}

void
anc_validity_fit(const X509 *issuer, time_t not_before, char *buf, size_t cap)
{
	time_t na;

	if (anc_asn1_time(X509_get0_notAfter(issuer), &na) != 0 ||
	    na == (time_t)-1) {
		snprintf(buf, cap, "no later than the issuer's notAfter");
		return;
	}
	if (na - not_before < 3600)
		snprintf(buf, cap, "none: the issuer expires within the hour");
	else
		snprintf(buf, cap, "at most %lldh",
		    (long long)((na - not_before) / 3600));
}

static int
rule_within_issuer(struct lint *l)
{
	const X509 *is = l->s->issuer;
	char fit[64], na[ANC_RFC3339_LEN];

	if (is_root(l))
		return ANC_OK;
	if (ASN1_TIME_compare(X509_get0_notAfter(l->x),
	    X509_get0_notAfter(is)) > 0) {
		anc_validity_fit(is, l->s->not_before, fit, sizeof(fit));
		if (anc_asn1_time_put(X509_get0_notAfter(is), na) != 0)
			snprintf(na, sizeof(na), "?");
		return fail(l, "validity-within-issuer", "notAfter later than "
		    "the issuer's (%s), expected it no later: validity %s "
		    "from now", na, fit);
	}
	if (ASN1_TIME_compare(X509_get0_notBefore(l->x),
	    X509_get0_notBefore(is)) < 0)
		return fail(l, "validity-within-issuer", "notBefore earlier "
		    "than the issuer's, expected it no earlier");
	return ANC_OK;
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

static int
rule_extension_set(struct lint *l)
{
	enum { N_ALLOWED = 6 };
	int seen[N_ALLOWED] = { 0 };
	static const int allowed[N_ALLOWED] = { NID_basic_constraints,
	    NID_key_usage, NID_subject_key_identifier,
	    NID_authority_key_identifier, NID_name_constraints,
	    NID_ext_key_usage };
	int i, j, n = X509_get_ext_count(l->x), nid;

	/* An EKU limit and name constraints only when the spec has them;
	 * constraints.c checks their contents. */
	if (l->s->eku == 0 &&
	    X509_get_ext_by_NID(l->x, NID_ext_key_usage, -1) >= 0)
		return fail(l, "no-eku", "extendedKeyUsage present, expected "
		    "none on a CA certificate without an EKU limit");
	for (i = 0; i < n; i++) {
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(
		    X509_get_ext(l->x, i)));
		for (j = 0; j < N_ALLOWED && allowed[j] != nid; j++)
			continue;
		if (j == N_ALLOWED || (nid == NID_name_constraints &&
		    (l->s->nc == NULL || anc_nc_empty(l->s->nc))))
			return fail(l, "no-unknown-extensions", "extension %s "
			    "present, expected only basicConstraints, "
			    "keyUsage, subjectKeyIdentifier, "
			    "authorityKeyIdentifier and the script's name "
			    "constraints and EKU limit", nid == NID_undef ?
			    "(unknown OID)" : OBJ_nid2sn(nid));
		if (seen[j]++ > 0)
			return fail(l, "ext-unique", "%s appears twice, "
			    "expected each extension once", OBJ_nid2sn(nid));
	}
	return ANC_OK;
}

static int
rule_constraints(struct lint *l)
{
	static const struct anc_constraints none;

	return anc_nc_lint(l->x, l->s->nc != NULL ? l->s->nc : &none,
	    l->s->eku, l->err);
}

static int
pathlen_of(const BASIC_CONSTRAINTS *bc, long *v)
{
	if (bc->pathlen == NULL) {
		*v = ANC_PATHLEN_NONE;
		return 0;
	}
	if (ASN1_STRING_type(bc->pathlen) != V_ASN1_INTEGER)
		return -1;
	*v = ASN1_INTEGER_get(bc->pathlen);
	return *v < 0 || *v > 255 ? -1 : 0;
}

static int
rule_bc_issuer(struct lint *l, long have)
{
	BASIC_CONSTRAINTS *ibc;
	long ip = ANC_PATHLEN_NONE;
	int crit = -1, bad;

	if (is_root(l))
		return ANC_OK;
	ibc = X509_get_ext_d2i(l->s->issuer, NID_basic_constraints, &crit,
	    NULL);
	bad = ibc == NULL || pathlen_of(ibc, &ip) != 0;
	BASIC_CONSTRAINTS_free(ibc);
	if (bad || ip == ANC_PATHLEN_NONE)
		return ANC_OK;	/* rule issuer-ca has judged the issuer */
	if (ip == 0)
		return fail(l, "bc-pathlen", "issuer has pathLenConstraint 0, "
		    "expected an issuer that may certify CAs");
	if (have == ANC_PATHLEN_NONE)
		return fail(l, "bc-pathlen", "no pathLenConstraint under an "
		    "issuer with pathLenConstraint %ld, expected at most %ld",
		    ip, ip - 1);
	if (have >= ip)
		return fail(l, "bc-pathlen", "pathLenConstraint %ld under an "
		    "issuer with pathLenConstraint %ld, expected at most %ld",
		    have, ip, ip - 1);
	return ANC_OK;
}

static int
rule_bc(struct lint *l)
{
	long have;

	if (l->bc == NULL || l->bc_crit != 1)
		return fail(l, "bc-present-critical", "basicConstraints %s, "
		    "expected present and critical", l->bc == NULL ?
		    "absent" : "not critical");
	if (!l->bc->ca)
		return fail(l, "bc-ca-true", "basicConstraints CA:FALSE, "
		    "expected CA:TRUE");
	if (pathlen_of(l->bc, &have) != 0)
		return fail(l, "bc-pathlen", "pathLenConstraint out of range, "
		    "expected 0 to 255");
	if (have != l->s->path_length) {
		if (l->s->path_length == ANC_PATHLEN_NONE)
			return fail(l, "bc-pathlen", "pathLenConstraint %ld, "
			    "expected none", have);
		if (have == ANC_PATHLEN_NONE)
			return fail(l, "bc-pathlen", "no pathLenConstraint, "
			    "expected %d", l->s->path_length);
		return fail(l, "bc-pathlen", "pathLenConstraint %ld, "
		    "expected %d", have, l->s->path_length);
	}
	return rule_bc_issuer(l, have);
}

static int
rule_ku(struct lint *l)
{
	int i, bits;

	if (l->ku == NULL || l->ku_crit != 1)
		return fail(l, "ku-present-critical", "keyUsage %s, expected "
		    "present and critical", l->ku == NULL ? "absent" :
		    "not critical");
	bits = ASN1_STRING_length(l->ku) * 8;
	for (i = 0; i < bits; i++)
		if (ASN1_BIT_STRING_get_bit(l->ku, i) != (i == 5 || i == 6))
			return fail(l, "ku-exact", "keyUsage bit %d %s, "
			    "expected exactly keyCertSign and cRLSign", i,
			    ASN1_BIT_STRING_get_bit(l->ku, i) ? "set" :
			    "clear");
	if (bits == 0)
		return fail(l, "ku-exact", "keyUsage empty, expected exactly "
		    "keyCertSign and cRLSign");
	return ANC_OK;
}

static int
rule_skid(struct lint *l)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (l->skid == NULL)
		return fail(l, "skid-present", "no subjectKeyIdentifier, "
		    "expected one");
	if (l->skid_crit != 0)
		return fail(l, "skid-noncritical", "subjectKeyIdentifier "
		    "critical, expected non-critical (RFC 5280 4.2.1.2)");
	if (X509_pubkey_digest(l->x, EVP_sha1(), md, &len) != 1)
		return anc_err_ossl(l->err, ANC_E_CRYPTO, "lint: SHA-1");
	if ((unsigned int)ASN1_STRING_length(l->skid) != len ||
	    memcmp(ASN1_STRING_get0_data(l->skid), md, len) != 0)
		return fail(l, "skid-matches-key", "subjectKeyIdentifier is not "
		    "the key's, expected the SHA-1 of the subjectPublicKey "
		    "(RFC 5280 method 1)");
	return ANC_OK;
}

static int
rule_akid(struct lint *l)
{
	ASN1_OCTET_STRING *ikid;
	int crit = -1, same;

	if (is_root(l)) {
		if (l->akid_crit != -1)
			return fail(l, "akid-absent-on-root", "root with an "
			    "authorityKeyIdentifier, expected none (as step "
			    "and Go write roots)");
		return ANC_OK;
	}
	if (l->akid == NULL || l->akid_crit != 0)
		return fail(l, "akid-present", "authorityKeyIdentifier %s, "
		    "expected present and non-critical", l->akid == NULL ?
		    "absent" : "critical");
	if (l->akid->keyid == NULL || l->akid->issuer != NULL ||
	    l->akid->serial != NULL)
		return fail(l, "akid-keyid-only", "authorityKeyIdentifier with "
		    "%s, expected the keyIdentifier only", l->akid->keyid ==
		    NULL ? "no keyIdentifier" : "authorityCertIssuer or "
		    "authorityCertSerialNumber");
	ikid = X509_get_ext_d2i(l->s->issuer, NID_subject_key_identifier,
	    &crit, NULL);
	same = ikid != NULL && ASN1_OCTET_STRING_cmp(ikid, l->akid->keyid)
	    == 0;
	ASN1_OCTET_STRING_free(ikid);
	if (!same)
		return fail(l, "akid-matches-issuer-skid", "authorityKey"
		    "Identifier differs from the issuer's subjectKeyIdentifier, "
		    "expected them equal");
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
	rule_validity_encoding,
	rule_validity,
	rule_root_validity,
	rule_within_issuer,
	rule_issuer_ca,
	rule_names,
	rule_cn,
	rule_key,
	rule_extension_set,
	rule_bc,
	rule_ku,
	rule_skid,
	rule_akid,
	rule_constraints,
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
	return anc_profile_subject(s, &l->want_subject, l->err);
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
	X509_NAME_free(l.want_subject);
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
