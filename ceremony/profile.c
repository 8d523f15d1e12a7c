/*
 * anchorage: X.509 profiles for CA certificates.
 *
 * The root profile reproduces `step certificate create --profile root-ca`:
 * critical keyUsage keyCertSign+cRLSign, critical basicConstraints CA:TRUE
 * with a path length, a SHA-1 (RFC 5280 method 1) subjectKeyIdentifier, no
 * EKU, and the extensions in the order Go's
 * x509.CreateCertificate writes them.  Intermediates and cross-certificates
 * add an authorityKeyIdentifier holding only the issuer's key identifier.
 */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/token.h"
#include "constraints.h"
#include "profile.h"

void
anc_profile_serial(unsigned char serial[ANC_SERIAL_LEN],
    const unsigned char *rnd)
{
	serial[0] = 0x01;
	memcpy(serial + 1, rnd, ANC_SERIAL_LEN - 1);
}

static int
curve_nid(EVP_PKEY *key)
{
	char group[80];
	size_t len = 0;
	int nid;

	if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1)
		return NID_undef;
	/* Providers report "prime256v1"; the NIST name is accepted too. */
	nid = OBJ_txt2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	return nid;
}

enum anc_keyalg
anc_key_alg(EVP_PKEY *key)
{
	if (key == NULL)
		return ANC_KEY_NONE;
	if (EVP_PKEY_is_a(key, "EC")) {
		switch (curve_nid(key)) {
		case NID_X9_62_prime256v1:
			return ANC_KEY_EC_P256;
		case NID_secp384r1:
			return ANC_KEY_EC_P384;
		default:
			return ANC_KEY_NONE;
		}
	}
	if (EVP_PKEY_is_a(key, "RSA")) {
		switch (EVP_PKEY_get_bits(key)) {
		case 3072:
			return ANC_KEY_RSA_3072;
		case 4096:
			return ANC_KEY_RSA_4096;
		default:
			return ANC_KEY_NONE;
		}
	}
	/* A key that signs in the token knows its algorithm itself. */
	return anc_token_key_alg(key);
}

const EVP_MD *
anc_profile_md(EVP_PKEY *signer)
{
	/* As Go and step choose: the curve's own strength for P-384, and
	 * sha256WithRSAEncryption for RSA of any size. */
	if (anc_key_alg(signer) == ANC_KEY_EC_P384)
		return EVP_sha384();
	return EVP_sha256();
}

int
anc_throwaway_key(enum anc_keyalg alg, EVP_PKEY **out, struct anc_err *err)
{
	EVP_PKEY *k;

	switch (alg) {
	case ANC_KEY_EC_P256:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case ANC_KEY_EC_P384:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	case ANC_KEY_RSA_3072:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
		break;
	case ANC_KEY_RSA_4096:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
		break;
	case ANC_KEY_NONE:
	default:
		return anc_err_set(err, ANC_E_INTERNAL,
		    "throwaway key: unknown key algorithm %d", (int)alg);
	}
	if (k == NULL)
		return anc_err_ossl(err, ANC_E_CRYPTO,
		    "throwaway key: generation failed");
	*out = k;
	return ANC_OK;
}

/* Append the DN's attributes, in order.  MBSTRING_UTF8 lets OpenSSL's
 * string table pick the type: UTF8String, PrintableString for C. */
static int
add_dn(X509_NAME *name, const struct anc_dn *dn, struct anc_err *err)
{
	const struct anc_dn_attr *a;
	size_t i;

	for (i = 0; i < dn->n; i++) {
		a = &dn->attrs[i];
		if (X509_NAME_add_entry_by_txt(name, a->type, MBSTRING_UTF8,
		    (const unsigned char *)a->value, -1, -1, 0) != 1)
			return anc_err_ossl(err, ANC_E_FIELD,
			    "subject: %s=%s cannot be encoded", a->type,
			    a->value);
	}
	return ANC_OK;
}

int
anc_profile_subject(const struct anc_cert_spec *s, const X509_NAME **name,
    X509_NAME **owned, struct anc_err *err)
{
	X509_NAME *built;
	int r;

	*owned = NULL;
	/* Borrowed, not copied: a copy is an encode and a decode. */
	if (s->subject_name != NULL) {
		*name = s->subject_name;
		return ANC_OK;
	}
	if (s->subject == NULL || s->subject->n == 0)
		return anc_err_set(err, ANC_E_INTERNAL, "subject: none given");
	if ((built = X509_NAME_new()) == NULL)
		return anc_err_ossl(err, ANC_E_NOMEM, "subject");
	if ((r = add_dn(built, s->subject, err)) != ANC_OK) {
		X509_NAME_free(built);
		return r;
	}
	*name = *owned = built;	/* transferred */
	return ANC_OK;
}

/* Contract checks: a spec that breaks these is a caller bug. */
static int
check_spec(const struct anc_cert_spec *s, struct anc_err *err)
{
	if (s->subject_key == NULL)
		return anc_err_set(err, ANC_E_INTERNAL,
		    "certificate: no subject key");
	switch (s->profile) {
	case ANC_PROFILE_ROOT:
		if (s->issuer != NULL)
			return anc_err_set(err, ANC_E_INTERNAL,
			    "certificate: a root has no issuer certificate");
		break;
	case ANC_PROFILE_INTERMEDIATE:
	case ANC_PROFILE_CROSS:
		if (s->issuer == NULL)
			return anc_err_set(err, ANC_E_INTERNAL,
			    "certificate: no issuer certificate");
		break;
	default:
		return anc_err_set(err, ANC_E_INTERNAL,
		    "certificate: unknown profile %d", (int)s->profile);
	}
	if (s->path_length < ANC_PATHLEN_NONE)
		return anc_err_set(err, ANC_E_INTERNAL,
		    "certificate: path length %d", s->path_length);
	return ANC_OK;
}

static int
set_serial(X509 *x, const unsigned char *serial, struct anc_err *err)
{
	BIGNUM *bn;
	ASN1_INTEGER *ai = NULL;
	int ok;

	bn = BN_bin2bn(serial, ANC_SERIAL_LEN, NULL);
	if (bn != NULL)
		ai = BN_to_ASN1_INTEGER(bn, NULL);
	ok = ai != NULL && X509_set_serialNumber(x, ai) == 1;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	if (!ok)
		return anc_err_ossl(err, ANC_E_CRYPTO,
		    "certificate: cannot set the serial number");
	return ANC_OK;
}

/*
 * The key in the legacy ASN.1-method form, built from its public parts: the
 * curve's OID and the encoded point, or the RSAPublicKey.  NULL for other
 * keys, or when a part cannot be had.
 */
static EVP_PKEY *
asn1_method_copy(EVP_PKEY *key)
{
	unsigned char *oid = NULL, *pub = NULL;
	const unsigned char *p;
	EVP_PKEY *k = NULL;
	size_t len = 0;
	int nid, n, type = EVP_PKEY_RSA;

	if (EVP_PKEY_is_a(key, "EC")) {
		type = EVP_PKEY_EC;
		if ((nid = curve_nid(key)) == NID_undef ||
		    (n = i2d_ASN1_OBJECT(OBJ_nid2obj(nid), &oid)) <= 0)
			goto out;
		p = oid;
		if ((k = d2i_KeyParams(EVP_PKEY_EC, NULL, &p, n)) == NULL)
			goto out;
		/* The point as the key holds it, compressed or not
		 * (EVP_PKEY_get1_encoded_public_key always expands it). */
		if (EVP_PKEY_get_octet_string_param(key,
		    OSSL_PKEY_PARAM_PUB_KEY, NULL, 0, &len) != 1 ||
		    (pub = OPENSSL_malloc(len)) == NULL ||
		    EVP_PKEY_get_octet_string_param(key,
		    OSSL_PKEY_PARAM_PUB_KEY, pub, len, &len) != 1)
			len = 0;
	} else if (EVP_PKEY_is_a(key, "RSA") &&
	    (n = i2d_PublicKey(key, &pub)) > 0)
		len = (size_t)n;
	p = pub;
	if (len == 0 || d2i_PublicKey(type, &k, &p, (long)len) == NULL) {
		EVP_PKEY_free(k);
		k = NULL;
	}
 out:
	OPENSSL_free(oid);
	OPENSSL_free(pub);
	return k;
}

/*
 * Set the SubjectPublicKeyInfo.  For a key of a provider, as all of ours
 * are, OpenSSL 3.0's X509_set_pubkey runs its encoders and then decodes the
 * result again: 2 M instructions per certificate.  A key in the legacy
 * ASN.1-method form is encoded by that method directly: with the copy,
 * 0.3 M for the same DER (test_profile.c compares the two), and the
 * certificate then carries the copy as its public key.  Keys of other
 * types take the general path, for the lints to refuse.
 */
int
anc_profile_set_pubkey(X509 *x, EVP_PKEY *key)
{
	EVP_PKEY *copy;
	int ok;

	/* Already in that form (a batch's CSR key, csr_fast.c): as it is,
	 * with the point encoded as the request encoded it. */
	if (EVP_PKEY_get0_provider(key) == NULL)
		return X509_set_pubkey(x, key);
	copy = asn1_method_copy(key);
	if (copy == NULL) {
		/* What a failed copy left in the queue is no failure. */
		ERR_clear_error();
		return X509_set_pubkey(x, key);
	}
	ok = X509_set_pubkey(x, copy);
	EVP_PKEY_free(copy);
	return ok;
}

/* The same for i2d_PUBKEY, which takes the same two paths. */
int
anc_profile_i2d_pubkey(EVP_PKEY *key, unsigned char **der)
{
	EVP_PKEY *copy = asn1_method_copy(key);
	int n;

	if (copy == NULL) {
		ERR_clear_error();
		return i2d_PUBKEY(key, der);
	}
	n = i2d_PUBKEY(copy, der);
	EVP_PKEY_free(copy);
	return n;
}

/* Version, serial, names, validity, key: everything but extensions. */
static int
set_fields(X509 *x, const struct anc_cert_spec *s, const X509_NAME *subject,
    struct anc_err *err)
{
	const X509_NAME *issuer;
	int r;

	if (X509_set_version(x, X509_VERSION_3) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO,
		    "certificate: cannot set the version");
	if ((r = set_serial(x, s->serial, err)) != ANC_OK)
		return r;
	/* X509_set_issuer_name copies the cached DER, so a non-root's issuer
	 * field is byte for byte the issuer certificate's subject. */
	issuer = s->issuer != NULL ? X509_get_subject_name(s->issuer) :
	    subject;
	if (X509_set_subject_name(x, subject) != 1 ||
	    X509_set_issuer_name(x, issuer) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO,
		    "certificate: cannot set the names");
	/* ASN1_TIME_set picks UTCTime through 2049 and GeneralizedTime from
	 * 2050, as RFC 5280 4.1.2.5 requires. */
	if (ASN1_TIME_set(X509_getm_notBefore(x), s->not_before) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), s->not_after) == NULL)
		return anc_err_ossl(err, ANC_E_FIELD,
		    "certificate: validity cannot be encoded");
	if (anc_profile_set_pubkey(x, s->subject_key) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO,
		    "certificate: cannot encode the subject public key");
	return ANC_OK;
}

static int
add_ext(X509 *x, int nid, void *value, int crit, struct anc_err *err)
{
	/* X509V3_ADD_DEFAULT refuses a second copy of an extension. */
	if (X509_add1_ext_i2d(x, nid, value, crit, X509V3_ADD_DEFAULT) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO,
		    "certificate: cannot add %s", OBJ_nid2ln(nid));
	return ANC_OK;
}

static int
add_key_usage(X509 *x, struct anc_err *err)
{
	ASN1_BIT_STRING *ku;
	int r;

	if ((ku = ASN1_BIT_STRING_new()) == NULL)
		return anc_err_ossl(err, ANC_E_NOMEM, "certificate: keyUsage");
	/* Bits 5 and 6 (RFC 5280 4.2.1.3): keyCertSign, cRLSign. */
	if (ASN1_BIT_STRING_set_bit(ku, 5, 1) != 1 ||
	    ASN1_BIT_STRING_set_bit(ku, 6, 1) != 1)
		r = anc_err_ossl(err, ANC_E_NOMEM, "certificate: keyUsage");
	else
		r = add_ext(x, NID_key_usage, ku, 1, err);
	ASN1_BIT_STRING_free(ku);
	return r;
}

static int
add_basic_constraints(X509 *x, int path_length, struct anc_err *err)
{
	BASIC_CONSTRAINTS *bc;
	int r = ANC_E_INTERNAL;

	if ((bc = BASIC_CONSTRAINTS_new()) == NULL)
		return anc_err_ossl(err, ANC_E_NOMEM,
		    "certificate: basicConstraints");
	/* DER encodes TRUE as 0xff, and OpenSSL writes the int as given. */
	bc->ca = 0xff;
	if (path_length != ANC_PATHLEN_NONE) {
		if ((bc->pathlen = ASN1_INTEGER_new()) == NULL ||
		    ASN1_INTEGER_set(bc->pathlen, path_length) != 1) {
			r = anc_err_ossl(err, ANC_E_NOMEM,
			    "certificate: basicConstraints");
			goto out;
		}
	}
	r = add_ext(x, NID_basic_constraints, bc, 1, err);
 out:
	BASIC_CONSTRAINTS_free(bc);
	return r;
}

static int
add_skid(X509 *x, struct anc_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	ASN1_OCTET_STRING *skid;
	int r;

	/* RFC 5280 4.2.1.2 method 1: SHA-1 over the subjectPublicKey BIT
	 * STRING's value, as step and OpenSSL's "hash" compute it. */
	if (X509_pubkey_digest(x, EVP_sha1(), md, &len) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO,
		    "certificate: subjectKeyIdentifier");
	if ((skid = ASN1_OCTET_STRING_new()) == NULL ||
	    ASN1_OCTET_STRING_set(skid, md, (int)len) != 1)
		r = anc_err_ossl(err, ANC_E_NOMEM,
		    "certificate: subjectKeyIdentifier");
	else
		r = add_ext(x, NID_subject_key_identifier, skid, 0, err);
	ASN1_OCTET_STRING_free(skid);
	return r;
}

static int
add_akid(X509 *x, const X509 *issuer, struct anc_err *err)
{
	AUTHORITY_KEYID *akid;
	ASN1_OCTET_STRING *ikid;
	int crit = -1, r;

	/* Decoded afresh rather than through OpenSSL's extension cache. */
	ikid = X509_get_ext_d2i(issuer, NID_subject_key_identifier, &crit,
	    NULL);
	if (ikid == NULL)
		return anc_err_set(err, ANC_E_INPUT,
		    "issuer certificate: no (or more than one) "
		    "subjectKeyIdentifier, expected one to copy into the "
		    "authorityKeyIdentifier");
	if ((akid = AUTHORITY_KEYID_new()) == NULL) {
		ASN1_OCTET_STRING_free(ikid);
		return anc_err_ossl(err, ANC_E_NOMEM,
		    "certificate: authorityKeyIdentifier");
	}
	/* keyIdentifier only: issuer+serial would tie the certificate to one
	 * issuer certificate and break cross-signing. */
	akid->keyid = ikid;	/* transferred */
	r = add_ext(x, NID_authority_key_identifier, akid, 0, err);
	AUTHORITY_KEYID_free(akid);
	return r;
}

static int
add_extensions(X509 *x, const struct anc_cert_spec *s, struct anc_err *err)
{
	int r;

	if ((r = add_key_usage(x, err)) != ANC_OK ||
	    (r = add_basic_constraints(x, s->path_length, err)) != ANC_OK ||
	    (r = add_skid(x, err)) != ANC_OK)
		return r;
	if (s->profile != ANC_PROFILE_ROOT &&
	    (r = add_akid(x, s->issuer, err)) != ANC_OK)
		return r;
	if (s->nc != NULL || s->eku != 0) {
		static const struct anc_constraints none;

		return anc_nc_add_extensions(x, s->nc != NULL ? s->nc : &none,
		    s->eku, err);
	}
	return ANC_OK;
}

int
anc_profile_build(const struct anc_cert_spec *s, X509 **out,
    struct anc_err *err)
{
	X509 *x = NULL;
	const X509_NAME *subject;
	X509_NAME *own = NULL;
	int r = ANC_E_INTERNAL;

	if ((r = check_spec(s, err)) != ANC_OK)
		goto out;
	if ((x = X509_new()) == NULL) {
		r = anc_err_ossl(err, ANC_E_NOMEM, "certificate");
		goto out;
	}
	if ((r = anc_profile_subject(s, &subject, &own, err)) != ANC_OK ||
	    (r = set_fields(x, s, subject, err)) != ANC_OK ||
	    (r = add_extensions(x, s, err)) != ANC_OK)
		goto out;
	*out = x;
	x = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	X509_NAME_free(own);
	X509_free(x);
	return r;
}

int
anc_profile_sign(X509 *x, EVP_PKEY *signer, struct anc_err *err)
{
	/* X509_sign: the digest alone fixes the AlgorithmIdentifier (ECDSA
	 * without parameters, RSA PKCS#1 v1.5 with NULL), for software keys
	 * and the token's (pkcs11/sign.c) alike. */
	if (X509_sign(x, signer, anc_profile_md(signer)) <= 0)
		return anc_err_ossl(err, ANC_E_CRYPTO,
		    "certificate: signing failed");
	return ANC_OK;
}
