/*
 * Unit tests for ceremony/profile.c and ceremony/lint.c: the certificates
 * are built with software keys and checked field by field with OpenSSL's
 * own decoders, and every lint rule is shown to fire on a certificate
 * mutated to break it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "profile.h"

#define T2026 ((time_t)1767225600)	/* 2026-01-01T00:00:00Z */
#define TEN_YEARS ((time_t)87600 * 3600)

static char v_root_cn[] = "root.monoskope.cluster.local";
static char v_int_cn[] = "m8-issuing-ca-2026";
static char v_c[] = "DE";
static char v_o[] = "Example GmbH";
static char v_other_cn[] = "someone else";

static const struct anc_dn dn_root = {
	{ { "C", v_c }, { "O", v_o }, { "CN", v_root_cn } }, 3
};
static const struct anc_dn dn_int = { { { "CN", v_int_cn } }, 1 };
static const struct anc_dn dn_other = { { { "CN", v_other_cn } }, 1 };
static const struct anc_dn dn_no_cn = { { { "O", v_o } }, 1 };

/* Keys and certificates shared by all tests, made once. */
static struct {
	EVP_PKEY *p256, *p256b, *p384, *rsa3072, *p521, *rsa1024;
	X509 *root;		/* P-256, pathlen 1 */
	X509 *root0;		/* P-256 (p256b), pathlen 0 */
} fx;

static EVP_PKEY *
keygen(enum anc_keyalg alg)
{
	struct anc_err err;
	EVP_PKEY *k = NULL;

	anc_err_clear(&err);
	assert_int_equal(anc_throwaway_key(alg, &k, &err), ANC_OK);
	assert_non_null(k);
	return k;
}

static void
spec_root(struct anc_cert_spec *s, EVP_PKEY *key, const struct anc_dn *dn,
    int pathlen)
{
	unsigned char rnd[ANC_SERIAL_LEN - 1];
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < sizeof(rnd); i++)
		rnd[i] = (unsigned char)(0xa0 + i);
	s->profile = ANC_PROFILE_ROOT;
	s->subject = dn;
	s->subject_key = key;
	anc_profile_serial(s->serial, rnd);
	s->not_before = T2026;
	s->not_after = T2026 + TEN_YEARS;
	s->path_length = pathlen;
}

static void
spec_int(struct anc_cert_spec *s, EVP_PKEY *key, X509 *issuer)
{
	spec_root(s, key, &dn_int, 0);
	s->profile = ANC_PROFILE_INTERMEDIATE;
	s->issuer = issuer;
	s->not_after = T2026 + TEN_YEARS / 2;
	s->serial[16] ^= 0x55;
}

static X509 *
build(const struct anc_cert_spec *s)
{
	struct anc_err err;
	X509 *x = NULL;

	anc_err_clear(&err);
	if (anc_profile_build(s, &x, &err) != ANC_OK)
		fail_msg("build: %s", err.msg);
	return x;
}

static X509 *
build_signed(const struct anc_cert_spec *s, EVP_PKEY *signer)
{
	struct anc_err err;
	X509 *x = build(s);

	anc_err_clear(&err);
	assert_int_equal(anc_profile_sign(x, signer, &err), ANC_OK);
	if (anc_lint_cert(x, s, 1, &err) != ANC_OK)
		fail_msg("lint: %s", err.msg);
	return x;
}

static int
group_setup(void **state)
{
	struct anc_cert_spec s;

	fx.p256 = keygen(ANC_KEY_EC_P256);
	fx.p256b = keygen(ANC_KEY_EC_P256);
	fx.p384 = keygen(ANC_KEY_EC_P384);
	fx.rsa3072 = keygen(ANC_KEY_RSA_3072);
	fx.p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	fx.rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	if (fx.p521 == NULL || fx.rsa1024 == NULL)
		return -1;
	spec_root(&s, fx.p256, &dn_root, 1);
	fx.root = build_signed(&s, fx.p256);
	spec_root(&s, fx.p256b, &dn_other, 0);
	fx.root0 = build_signed(&s, fx.p256b);
	return 0;
}

static int
group_teardown(void **state)
{
	X509_free(fx.root);
	X509_free(fx.root0);
	EVP_PKEY_free(fx.p256);
	EVP_PKEY_free(fx.p256b);
	EVP_PKEY_free(fx.p384);
	EVP_PKEY_free(fx.rsa3072);
	EVP_PKEY_free(fx.p521);
	EVP_PKEY_free(fx.rsa1024);
	return 0;
}

/* ---- helpers that read certificates back ---- */

static void
assert_name_der_eq(const X509_NAME *a, const X509_NAME *b)
{
	const unsigned char *da, *db;
	size_t la, lb;

	assert_int_equal(X509_NAME_get0_der(a, &da, &la), 1);
	assert_int_equal(X509_NAME_get0_der(b, &db, &lb), 1);
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, la);
}

/* The DER value (extnValue contents) of extension `nid` at index `idx`. */
static const ASN1_OCTET_STRING *
ext_at(X509 *x, int idx, int nid, int critical)
{
	X509_EXTENSION *e = X509_get_ext(x, idx);

	assert_non_null(e);
	assert_int_equal(OBJ_obj2nid(X509_EXTENSION_get_object(e)), nid);
	assert_int_equal(X509_EXTENSION_get_critical(e), critical);
	return X509_EXTENSION_get_data(e);
}

static void
assert_ext_value(const ASN1_OCTET_STRING *v, const unsigned char *want,
    size_t len)
{
	assert_int_equal(ASN1_STRING_length(v), len);
	assert_memory_equal(ASN1_STRING_get0_data(v), want, len);
}

static void
assert_skid_method1(X509 *x)
{
	unsigned char md[20];
	const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(x);
	ASN1_OCTET_STRING *skid, *ossl;
	X509_EXTENSION *e;
	X509V3_CTX ctx;
	int crit = -1;

	/* Independently: SHA-1 over the BIT STRING's value. */
	assert_int_equal(EVP_Digest(ASN1_STRING_get0_data(bits),
	    (size_t)ASN1_STRING_length(bits), md, NULL, EVP_sha1(), NULL), 1);
	skid = X509_get_ext_d2i(x, NID_subject_key_identifier, &crit, NULL);
	assert_non_null(skid);
	assert_int_equal(crit, 0);
	assert_int_equal(ASN1_STRING_length(skid), 20);
	assert_memory_equal(ASN1_STRING_get0_data(skid), md, 20);
	/* And as `openssl x509 -extfile` with subjectKeyIdentifier=hash. */
	X509V3_set_ctx(&ctx, NULL, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier,
	    "hash");
	assert_non_null(e);
	ossl = X509V3_EXT_d2i(e);
	assert_non_null(ossl);
	assert_int_equal(ASN1_OCTET_STRING_cmp(ossl, skid), 0);
	ASN1_OCTET_STRING_free(ossl);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(skid);
}

static void
assert_sig_alg(X509 *x, int nid, int ptype)
{
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	int pt = -1;

	X509_get0_signature(NULL, &alg, x);
	X509_ALGOR_get0(&obj, &pt, NULL, alg);
	assert_int_equal(OBJ_obj2nid(obj), nid);
	assert_int_equal(pt, ptype);
}

static ASN1_OCTET_STRING *
skid_of(X509 *x)
{
	ASN1_OCTET_STRING *k = X509_get_ext_d2i(x, NID_subject_key_identifier,
	    NULL, NULL);

	assert_non_null(k);
	return k;
}

static void
assert_akid_is(X509 *x, X509 *issuer)
{
	AUTHORITY_KEYID *akid;
	ASN1_OCTET_STRING *ikid = skid_of(issuer);
	int crit = -1;

	akid = X509_get_ext_d2i(x, NID_authority_key_identifier, &crit, NULL);
	assert_non_null(akid);
	assert_int_equal(crit, 0);
	assert_non_null(akid->keyid);
	assert_null(akid->issuer);
	assert_null(akid->serial);
	assert_int_equal(ASN1_OCTET_STRING_cmp(akid->keyid, ikid), 0);
	AUTHORITY_KEYID_free(akid);
	ASN1_OCTET_STRING_free(ikid);
}

/* ---- profiles ---- */

static void
test_root_profile(void **state)
{
	static const unsigned char ku_der[] = { 0x03, 0x02, 0x01, 0x06 };
	static const unsigned char bc_der[] = { 0x30, 0x06, 0x01, 0x01, 0xff,
	    0x02, 0x01, 0x01 };
	X509 *x = fx.root;
	const X509_NAME *subj = X509_get_subject_name(x);
	const ASN1_STRING *v;
	unsigned char *der = NULL;
	struct anc_err err;
	int len, i;

	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	/* Serial: INTEGER of 17 octets, 0x01 then the random bytes. */
	len = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &der);
	assert_int_equal(len, 19);
	assert_int_equal(der[0], 0x02);
	assert_int_equal(der[1], 17);
	assert_int_equal(der[2], 0x01);
	for (i = 0; i < 16; i++)
		assert_int_equal(der[3 + i], 0xa0 + i);
	OPENSSL_free(der);
	/* Subject in the given order; C PrintableString, the rest UTF8. */
	assert_int_equal(X509_NAME_entry_count(subj), 3);
	assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(
	    X509_NAME_get_entry(subj, 0))), NID_countryName);
	assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(
	    X509_NAME_get_entry(subj, 1))), NID_organizationName);
	assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(
	    X509_NAME_get_entry(subj, 2))), NID_commonName);
	v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, 0));
	assert_int_equal(ASN1_STRING_type(v), V_ASN1_PRINTABLESTRING);
	v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, 2));
	assert_int_equal(ASN1_STRING_type(v), V_ASN1_UTF8STRING);
	assert_int_equal(ASN1_STRING_length(v), strlen(v_root_cn));
	assert_memory_equal(ASN1_STRING_get0_data(v), v_root_cn,
	    strlen(v_root_cn));
	assert_name_der_eq(X509_get_issuer_name(x), subj);
	/* Validity as given, UTCTime before 2050. */
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), T2026),
	    0);
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x),
	    T2026 + TEN_YEARS), 0);
	assert_int_equal(ASN1_STRING_type(X509_get0_notAfter(x)),
	    V_ASN1_UTCTIME);
	/* Extensions in Go's order, exactly these, exact DER. */
	assert_int_equal(X509_get_ext_count(x), 3);
	assert_ext_value(ext_at(x, 0, NID_key_usage, 1), ku_der,
	    sizeof(ku_der));
	assert_ext_value(ext_at(x, 1, NID_basic_constraints, 1), bc_der,
	    sizeof(bc_der));
	(void)ext_at(x, 2, NID_subject_key_identifier, 0);
	assert_skid_method1(x);
	assert_int_equal(X509_get_ext_by_NID(x, NID_authority_key_identifier,
	    -1), -1);
	assert_int_equal(X509_get_ext_by_NID(x, NID_ext_key_usage, -1), -1);
	/* ecdsa-with-SHA256, parameters absent. */
	assert_sig_alg(x, NID_ecdsa_with_SHA256, V_ASN1_UNDEF);
	anc_err_clear(&err);
	assert_int_equal(anc_verify_cert(x, fx.p256, &err), ANC_OK);
	assert_int_equal(anc_verify_cert(x, fx.p256b, &err), ANC_E_BADSIG);
	assert_non_null(strstr(err.msg, "does not verify"));
	assert_int_equal(X509_check_ca(x), 1);
}

static void
test_root_no_pathlen(void **state)
{
	static const unsigned char bc_der[] = { 0x30, 0x03, 0x01, 0x01, 0xff };
	struct anc_cert_spec s;
	X509 *x;

	spec_root(&s, fx.p256, &dn_root, ANC_PATHLEN_NONE);
	x = build_signed(&s, fx.p256);
	assert_ext_value(ext_at(x, 1, NID_basic_constraints, 1), bc_der,
	    sizeof(bc_der));
	X509_free(x);
}

static void
test_md_choice(void **state)
{
	struct anc_cert_spec s;
	X509 *x;

	assert_int_equal(EVP_MD_get_type(anc_profile_md(fx.p256)),
	    NID_sha256);
	assert_int_equal(EVP_MD_get_type(anc_profile_md(fx.p384)),
	    NID_sha384);
	assert_int_equal(EVP_MD_get_type(anc_profile_md(fx.rsa3072)),
	    NID_sha256);

	spec_root(&s, fx.p384, &dn_root, 1);
	x = build_signed(&s, fx.p384);
	assert_sig_alg(x, NID_ecdsa_with_SHA384, V_ASN1_UNDEF);
	X509_free(x);

	spec_root(&s, fx.rsa3072, &dn_root, 1);
	x = build_signed(&s, fx.rsa3072);
	assert_sig_alg(x, NID_sha256WithRSAEncryption, V_ASN1_NULL);
	assert_skid_method1(x);
	X509_free(x);
}

static void
test_generalized_time(void **state)
{
	struct anc_cert_spec s;
	X509 *x;

	spec_root(&s, fx.p256, &dn_root, 1);
	s.not_after = T2026 + 3 * TEN_YEARS;	/* 2055 */
	x = build_signed(&s, fx.p256);
	assert_int_equal(ASN1_STRING_type(X509_get0_notBefore(x)),
	    V_ASN1_UTCTIME);
	assert_int_equal(ASN1_STRING_type(X509_get0_notAfter(x)),
	    V_ASN1_GENERALIZEDTIME);
	assert_int_equal(ASN1_STRING_length(X509_get0_notAfter(x)), 15);
	X509_free(x);
}

static void
test_intermediate(void **state)
{
	static const unsigned char bc_der[] = { 0x30, 0x06, 0x01, 0x01, 0xff,
	    0x02, 0x01, 0x00 };
	struct anc_cert_spec s;
	struct anc_err err;
	X509 *x;

	spec_int(&s, fx.p256b, fx.root);
	x = build_signed(&s, fx.p256);
	assert_name_der_eq(X509_get_issuer_name(x),
	    X509_get_subject_name(fx.root));
	assert_int_equal(X509_get_ext_count(x), 4);
	(void)ext_at(x, 0, NID_key_usage, 1);
	assert_ext_value(ext_at(x, 1, NID_basic_constraints, 1), bc_der,
	    sizeof(bc_der));
	(void)ext_at(x, 2, NID_subject_key_identifier, 0);
	(void)ext_at(x, 3, NID_authority_key_identifier, 0);
	assert_skid_method1(x);
	assert_akid_is(x, fx.root);
	assert_sig_alg(x, NID_ecdsa_with_SHA256, V_ASN1_UNDEF);
	anc_err_clear(&err);
	assert_int_equal(anc_verify_cert(x, fx.p256, &err), ANC_OK);
	assert_int_equal(anc_verify_cert(x, fx.p256b, &err), ANC_E_BADSIG);
	X509_free(x);
}

/* A spec's own X509_NAME is handed back as it is; attributes are built
 * into a name the caller owns. */
static void
test_subject_borrowed(void **state)
{
	struct anc_cert_spec s;
	const X509_NAME *n = NULL;
	X509_NAME *own = NULL;
	struct anc_err err;
	char cn[64];

	memset(&s, 0, sizeof(s));
	s.subject_name = X509_get_subject_name(fx.root);
	s.subject = &dn_other;	/* ignored: subject_name wins */
	anc_err_clear(&err);
	assert_int_equal(anc_profile_subject(&s, &n, &own, &err), ANC_OK);
	assert_ptr_equal(n, X509_get_subject_name(fx.root));
	assert_null(own);
	s.subject_name = NULL;
	assert_int_equal(anc_profile_subject(&s, &n, &own, &err), ANC_OK);
	assert_non_null(own);
	assert_ptr_equal(n, own);
	assert_true(X509_NAME_get_text_by_NID(own, NID_commonName, cn,
	    sizeof(cn)) > 0);
	assert_string_equal(cn, v_other_cn);
	X509_NAME_free(own);
	s.subject = NULL;
	assert_int_equal(anc_profile_subject(&s, &n, &own, &err),
	    ANC_E_INTERNAL);
	assert_null(own);
}

static void
test_cross(void **state)
{
	struct anc_cert_spec s;
	ASN1_OCTET_STRING *a, *b;
	struct anc_err err;
	X509 *old, *cross;

	/* The old root (P-384, pathlen 2) certifies the new root's key. */
	spec_root(&s, fx.p384, &dn_other, 2);
	old = build_signed(&s, fx.p384);
	memset(&s, 0, sizeof(s));
	s.profile = ANC_PROFILE_CROSS;
	s.subject_name = X509_get_subject_name(fx.root);
	s.subject_key = fx.p256;
	s.issuer = old;
	s.serial[0] = 0x01;
	s.serial[9] = 0x42;
	s.not_before = T2026 + 86400;
	s.not_after = T2026 + TEN_YEARS - 86400;
	s.path_length = 1;
	cross = build_signed(&s, fx.p384);
	assert_name_der_eq(X509_get_subject_name(cross),
	    X509_get_subject_name(fx.root));
	assert_name_der_eq(X509_get_issuer_name(cross),
	    X509_get_subject_name(old));
	a = skid_of(cross);
	b = skid_of(fx.root);
	assert_int_equal(ASN1_OCTET_STRING_cmp(a, b), 0);
	assert_akid_is(cross, old);
	assert_sig_alg(cross, NID_ecdsa_with_SHA384, V_ASN1_UNDEF);
	anc_err_clear(&err);
	assert_int_equal(anc_verify_cert(cross, fx.p384, &err), ANC_OK);
	assert_int_equal(anc_verify_cert(cross, fx.p256, &err), ANC_E_BADSIG);
	ASN1_OCTET_STRING_free(a);
	ASN1_OCTET_STRING_free(b);
	X509_free(cross);
	X509_free(old);
}

static void
test_key_alg(void **state)
{
	struct anc_cert_spec s;
	struct anc_err err;
	EVP_PKEY *k = NULL, *rsa2048;
	X509 *x;

	assert_int_equal(anc_key_alg(fx.p256), ANC_KEY_EC_P256);
	assert_int_equal(anc_key_alg(fx.p384), ANC_KEY_EC_P384);
	assert_int_equal(anc_key_alg(fx.rsa3072), ANC_KEY_RSA_3072);
	assert_int_equal(anc_key_alg(fx.p521), ANC_KEY_NONE);
	assert_int_equal(anc_key_alg(fx.rsa1024), ANC_KEY_NONE);
	assert_int_equal(anc_key_alg(NULL), ANC_KEY_NONE);
	k = keygen(ANC_KEY_RSA_4096);
	assert_int_equal(anc_key_alg(k), ANC_KEY_RSA_4096);
	EVP_PKEY_free(k);
	k = NULL;
	anc_err_clear(&err);
	assert_int_equal(anc_throwaway_key(ANC_KEY_NONE, &k, &err),
	    ANC_E_INTERNAL);
	assert_null(k);
	/* Not a ceremony algorithm, but a key lint accepts (CSR subjects). */
	rsa2048 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	assert_non_null(rsa2048);
	assert_int_equal(anc_key_alg(rsa2048), ANC_KEY_NONE);
	spec_int(&s, rsa2048, fx.root);
	x = build_signed(&s, fx.p256);
	X509_free(x);
	EVP_PKEY_free(rsa2048);
}

/* The TBS DER of `x` signed by `signer`: the signature itself is random. */
static unsigned char *
tbs_der(X509 *x, EVP_PKEY *signer, int *len)
{
	unsigned char *der = NULL;

	assert_true(X509_sign(x, signer, EVP_sha256()) > 0);
	*len = i2d_re_X509_tbs(x, &der);
	assert_true(*len > 0);
	return der;
}

/*
 * The SubjectPublicKeyInfo is set from a copy of the key in the legacy
 * ASN.1-method form (anc_profile_set_pubkey): the certificate must be byte
 * for byte what X509_set_pubkey with the key itself makes, and the SPKI
 * what i2d_PUBKEY makes (anc_profile_i2d_pubkey), for every key
 * type, a point in compressed form, a key decoded from DER as a CSR's is,
 * and a curve outside the profiles.
 */
static void
test_spki_bytes(void **state)
{
	struct anc_cert_spec s;
	EVP_PKEY *comp, *decoded, *keys[6];
	unsigned char *spki = NULL, *a, *b;
	const unsigned char *p;
	X509 *x, *y;
	int la, lb, n;
	size_t i;

	comp = EVP_PKEY_dup(fx.p256b);
	assert_non_null(comp);
	assert_int_equal(EVP_PKEY_set_utf8_string_param(comp,
	    "point-format", "compressed"), 1);
	n = i2d_PUBKEY(comp, &spki);
	assert_true(n > 0);
	p = spki;
	decoded = d2i_PUBKEY(NULL, &p, n);
	assert_non_null(decoded);
	OPENSSL_free(spki);
	keys[0] = fx.p256;
	keys[1] = fx.p384;
	keys[2] = fx.rsa3072;
	keys[3] = comp;
	keys[4] = decoded;
	keys[5] = fx.p521;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		spec_int(&s, keys[i], fx.root);
		x = build(&s);
		y = build(&s);
		assert_int_equal(X509_set_pubkey(y, keys[i]), 1);
		a = tbs_der(x, fx.p256, &la);
		b = tbs_der(y, fx.p256, &lb);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, (size_t)la);
		/* The certificate's key is the key, whichever form it has. */
		assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), keys[i]), 1);
		OPENSSL_free(a);
		OPENSSL_free(b);
		a = b = NULL;
		la = anc_profile_i2d_pubkey(keys[i], &a);
		lb = i2d_PUBKEY(keys[i], &b);
		assert_true(la > 0);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, (size_t)la);
		OPENSSL_free(a);
		OPENSSL_free(b);
		X509_free(x);
		X509_free(y);
	}
	/* The compressed point stayed compressed: 33 octets for P-256. */
	spec_int(&s, decoded, fx.root);
	x = build(&s);
	assert_int_equal(ASN1_STRING_length(X509_get0_pubkey_bitstr(x)), 33);
	X509_free(x);
	EVP_PKEY_free(decoded);
	EVP_PKEY_free(comp);
}

static void
test_build_refuses(void **state)
{
	struct anc_cert_spec s;
	struct anc_err err;
	X509 *x = NULL, *noskid;

	anc_err_clear(&err);
	spec_root(&s, fx.p256, &dn_root, 1);
	s.issuer = fx.root;
	assert_int_equal(anc_profile_build(&s, &x, &err), ANC_E_INTERNAL);
	spec_int(&s, fx.p256b, NULL);
	assert_int_equal(anc_profile_build(&s, &x, &err), ANC_E_INTERNAL);
	spec_root(&s, fx.p256, NULL, 1);
	assert_int_equal(anc_profile_build(&s, &x, &err), ANC_E_INTERNAL);
	/* A country name that is not two printable characters. */
	{
		static char bad_c[] = "Germany";
		const struct anc_dn dn = { { { "C", bad_c } }, 1 };

		spec_root(&s, fx.p256, &dn, 1);
		assert_int_equal(anc_profile_build(&s, &x, &err), ANC_E_FIELD);
		assert_non_null(strstr(err.msg, "C=Germany"));
	}
	/* The AKID needs the issuer's SKID. */
	noskid = X509_dup(fx.root);
	X509_EXTENSION_free(X509_delete_ext(noskid, X509_get_ext_by_NID(
	    noskid, NID_subject_key_identifier, -1)));
	spec_int(&s, fx.p256b, noskid);
	assert_int_equal(anc_profile_build(&s, &x, &err), ANC_E_INPUT);
	assert_non_null(strstr(err.msg, "subjectKeyIdentifier"));
	assert_null(x);
	X509_free(noskid);
}

/* ---- lints: each rule fires on a mutated certificate ---- */

struct lcase;

/* One mutation: the certificate and spec it works on, and anything it
 * made that must live until the lint ran. */
struct lctx {
	X509 *x;
	struct anc_cert_spec s;
	X509 *scratch;
	const struct lcase *c;
};

struct lcase {
	const char *name;
	const char *rule;
	int intermediate;
	int signed_;
	void (*mutate)(struct lctx *);
};

static void
replace_ext(X509 *x, int nid, void *value, int crit)
{
	assert_int_equal(X509_add1_ext_i2d(x, nid, value, crit,
	    X509V3_ADD_REPLACE), 1);
}

static void
delete_ext(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	assert_true(i >= 0);
	X509_EXTENSION_free(X509_delete_ext(x, i));
}

static void
rebuild(struct lctx *l)
{
	X509_free(l->x);
	l->x = build(&l->s);
}

static void
set_serial_bytes(X509 *x, const unsigned char *b, size_t n, int negative)
{
	BIGNUM *bn = BN_bin2bn(b, (int)n, NULL);
	ASN1_INTEGER *ai;

	BN_set_negative(bn, negative);
	ai = BN_to_ASN1_INTEGER(bn, NULL);
	assert_int_equal(X509_set_serialNumber(x, ai), 1);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
}

static void
set_bc(X509 *x, int ca, long pathlen, int crit)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();

	bc->ca = ca ? 0xff : 0;
	if (pathlen >= 0) {
		bc->pathlen = ASN1_INTEGER_new();
		ASN1_INTEGER_set(bc->pathlen, pathlen);
	}
	replace_ext(x, NID_basic_constraints, bc, crit);
	BASIC_CONSTRAINTS_free(bc);
}

static void
set_ku(X509 *x, int extra_bit, int crit)
{
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();

	ASN1_BIT_STRING_set_bit(ku, 5, 1);
	ASN1_BIT_STRING_set_bit(ku, 6, 1);
	if (extra_bit >= 0)
		ASN1_BIT_STRING_set_bit(ku, extra_bit, 1);
	replace_ext(x, NID_key_usage, ku, crit);
	ASN1_BIT_STRING_free(ku);
}

static void
set_akid(X509 *x, const unsigned char *id, size_t n, int with_serial)
{
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();

	akid->keyid = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(akid->keyid, id, (int)n);
	if (with_serial) {
		akid->serial = ASN1_INTEGER_new();
		ASN1_INTEGER_set(akid->serial, 7);
	}
	replace_ext(x, NID_authority_key_identifier, akid, 0);
	AUTHORITY_KEYID_free(akid);
}

static void
m_version(struct lctx *l)
{
	assert_int_equal(X509_set_version(l->x, X509_VERSION_1), 1);
}

/* Insert a subjectUniqueID ([2] IMPLICIT BIT STRING) in front of the
 * extensions: OpenSSL has no setter, so edit the DER. */
static void
m_unique_id(struct lctx *l)
{
	static const unsigned char uid[] = { 0x82, 0x02, 0x00, 0xaa };
	unsigned char *der = NULL, *nd;
	const unsigned char *p;
	size_t pos, end, len, hdr, tlen;
	int n;

	/* An unsigned certificate has no DER. */
	assert_true(X509_sign(l->x, fx.p256, EVP_sha256()) > 0);
	n = i2d_X509(l->x, &der);
	assert_true(n > 0);
	/* Long-form lengths (0x82) on both the outer and the TBS SEQUENCE. */
	assert_int_equal(der[1], 0x82);
	assert_int_equal(der[5], 0x82);
	end = 8 + (((size_t)der[6] << 8) | der[7]);
	for (pos = 8; pos < end && der[pos] != 0xa3; pos += hdr + tlen) {
		len = der[pos + 1];
		hdr = 2;
		tlen = len;
		if (len == 0x81) {
			hdr = 3;
			tlen = der[pos + 2];
		} else if (len == 0x82) {
			hdr = 4;
			tlen = ((size_t)der[pos + 2] << 8) | der[pos + 3];
		}
	}
	assert_true(pos < end);
	nd = malloc((size_t)n + sizeof(uid));
	memcpy(nd, der, pos);
	memcpy(nd + pos, uid, sizeof(uid));
	memcpy(nd + pos + sizeof(uid), der + pos, (size_t)n - pos);
	len = (((size_t)nd[2] << 8) | nd[3]) + sizeof(uid);
	nd[2] = (unsigned char)(len >> 8);
	nd[3] = (unsigned char)len;
	len = (((size_t)nd[6] << 8) | nd[7]) + sizeof(uid);
	nd[6] = (unsigned char)(len >> 8);
	nd[7] = (unsigned char)len;
	X509_free(l->x);
	p = nd;
	l->x = d2i_X509(NULL, &p, n + (long)sizeof(uid));
	assert_non_null(l->x);
	free(nd);
	OPENSSL_free(der);
}

static void
m_serial_negative(struct lctx *l)
{
	set_serial_bytes(l->x, l->s.serial, ANC_SERIAL_LEN, 1);
}

static void
m_serial_zero(struct lctx *l)
{
	static const unsigned char zero[1] = { 0 };

	set_serial_bytes(l->x, zero, 1, 0);
}

static void
m_serial_long(struct lctx *l)
{
	unsigned char b[21];

	memset(b, 0x11, sizeof(b));
	set_serial_bytes(l->x, b, sizeof(b), 0);
}

static void
m_serial_short(struct lctx *l)
{
	set_serial_bytes(l->x, l->s.serial, 7, 0);
}

static void
m_serial_8(struct lctx *l)
{
	set_serial_bytes(l->x, l->s.serial, 8, 0);
}

static void
m_serial_other(struct lctx *l)
{
	l->s.serial[8] ^= 1;
}

static void
m_time_encoding(struct lctx *l)
{
	assert_non_null(ASN1_GENERALIZEDTIME_set(X509_getm_notAfter(l->x),
	    l->s.not_after));
}

static void
m_validity_order(struct lctx *l)
{
	l->s.not_after = l->s.not_before - 60;
	rebuild(l);
}

static void
m_validity_spec(struct lctx *l)
{
	l->s.not_before += 1;
}

static void
m_root_validity(struct lctx *l)
{
	l->s.not_after = l->s.not_before + (time_t)ANC_CER_VALIDITY_MAX + 86400;
	rebuild(l);
}

static void
m_after_issuer(struct lctx *l)
{
	l->s.not_after = T2026 + TEN_YEARS + 1;	/* the root's, plus 1s */
	rebuild(l);
}

static void
m_before_issuer(struct lctx *l)
{
	l->s.not_before = T2026 - 1;
	rebuild(l);
}

static void
m_issuer_not_ca(struct lctx *l)
{
	l->scratch = X509_dup(l->s.issuer);
	set_bc(l->scratch, 0, -1, 1);
	l->s.issuer = l->scratch;
}

static void
m_issuer_name(struct lctx *l)
{
	const X509_NAME *n = NULL;
	X509_NAME *own = NULL;
	struct anc_cert_spec o = l->s;
	struct anc_err err;

	o.subject = &dn_other;
	assert_int_equal(anc_profile_subject(&o, &n, &own, &err), ANC_OK);
	assert_int_equal(X509_set_issuer_name(l->x, n), 1);
	X509_NAME_free(own);
}

static void
m_subject(struct lctx *l)
{
	const X509_NAME *n = NULL;
	X509_NAME *own = NULL;
	struct anc_cert_spec o = l->s;
	struct anc_err err;

	o.subject = &dn_other;
	assert_int_equal(anc_profile_subject(&o, &n, &own, &err), ANC_OK);
	/* A root's issuer follows its subject, or issuer-name-match fires. */
	assert_int_equal(X509_set_subject_name(l->x, n), 1);
	assert_int_equal(X509_set_issuer_name(l->x, n), 1);
	X509_NAME_free(own);
}

static void
m_no_cn(struct lctx *l)
{
	l->s.subject = &dn_no_cn;
	rebuild(l);
}

static void
m_other_key(struct lctx *l)
{
	assert_int_equal(X509_set_pubkey(l->x, fx.p256b), 1);
}

static void
m_key_p521(struct lctx *l)
{
	l->s.subject_key = fx.p521;
	rebuild(l);
}

static void
m_key_rsa1024(struct lctx *l)
{
	l->s.subject_key = fx.rsa1024;
	rebuild(l);
}

static void
m_ext_twice(struct lctx *l)
{
	X509_EXTENSION *e = X509_get_ext(l->x, X509_get_ext_by_NID(l->x,
	    NID_subject_key_identifier, -1));

	assert_int_equal(X509_add_ext(l->x, e, -1), 1);
}

static void
m_eku(struct lctx *l)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage,
	    "serverAuth");

	assert_non_null(e);
	assert_int_equal(X509_add_ext(l->x, e, -1), 1);
	X509_EXTENSION_free(e);
}

static void
m_san(struct lctx *l)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL,
	    NID_subject_alt_name, "DNS:example.com");

	assert_non_null(e);
	assert_int_equal(X509_add_ext(l->x, e, -1), 1);
	X509_EXTENSION_free(e);
}

static void
m_bc_absent(struct lctx *l)
{
	delete_ext(l->x, NID_basic_constraints);
}

static void
m_bc_noncritical(struct lctx *l)
{
	set_bc(l->x, 1, 1, 0);
}

static void
m_bc_not_ca(struct lctx *l)
{
	set_bc(l->x, 0, -1, 1);
}

static void
m_bc_pathlen(struct lctx *l)
{
	set_bc(l->x, 1, 2, 1);
}

static void
m_bc_no_pathlen(struct lctx *l)
{
	set_bc(l->x, 1, -1, 1);
}

static void
m_bc_under_pathlen0(struct lctx *l)
{
	l->s.issuer = fx.root0;
	rebuild(l);
}

static void
m_bc_pathlen_equal_issuer(struct lctx *l)
{
	l->s.path_length = 1;	/* the root's own */
	rebuild(l);
}

static void
m_ku_noncritical(struct lctx *l)
{
	set_ku(l->x, -1, 0);
}

static void
m_ku_absent(struct lctx *l)
{
	delete_ext(l->x, NID_key_usage);
}

static void
m_ku_digsig(struct lctx *l)
{
	set_ku(l->x, 0, 1);
}

static void
m_skid_absent(struct lctx *l)
{
	delete_ext(l->x, NID_subject_key_identifier);
}

static void
m_skid_critical(struct lctx *l)
{
	ASN1_OCTET_STRING *k = skid_of(l->x);

	replace_ext(l->x, NID_subject_key_identifier, k, 1);
	ASN1_OCTET_STRING_free(k);
}

static void
m_skid_other(struct lctx *l)
{
	ASN1_OCTET_STRING *k = ASN1_OCTET_STRING_new();

	ASN1_OCTET_STRING_set(k, (const unsigned char *)"01234567890123456789",
	    20);
	replace_ext(l->x, NID_subject_key_identifier, k, 0);
	ASN1_OCTET_STRING_free(k);
}

static void
m_akid_on_root(struct lctx *l)
{
	set_akid(l->x, (const unsigned char *)"abc", 3, 0);
}

static void
m_akid_absent(struct lctx *l)
{
	delete_ext(l->x, NID_authority_key_identifier);
}

static void
m_akid_serial(struct lctx *l)
{
	ASN1_OCTET_STRING *k = skid_of(l->s.issuer);

	set_akid(l->x, ASN1_STRING_get0_data(k), (size_t)ASN1_STRING_length(k),
	    1);
	ASN1_OCTET_STRING_free(k);
}

static void
m_akid_other(struct lctx *l)
{
	set_akid(l->x, (const unsigned char *)"01234567890123456789", 20, 0);
}

static void
m_sig_sha256_p384(struct lctx *l)
{
	l->s.subject_key = fx.p384;
	rebuild(l);
	assert_true(X509_sign(l->x, fx.p384, EVP_sha256()) > 0);
}

static void
m_sig_sha384_rsa(struct lctx *l)
{
	l->s.subject_key = fx.rsa3072;
	rebuild(l);
	assert_true(X509_sign(l->x, fx.rsa3072, EVP_sha384()) > 0);
}

static void
m_sig_wrong_issuer_key(struct lctx *l)
{
	/* An intermediate signed by a P-384 key under a P-256 issuer. */
	assert_true(X509_sign(l->x, fx.p384, EVP_sha384()) > 0);
}

static const struct lcase lcases[] = {
	{ "version 1", "version-3", 0, 0, m_version },
	{ "subjectUniqueID", "no-unique-ids", 0, 0, m_unique_id },
	{ "negative serial", "serial-positive", 0, 0, m_serial_negative },
	{ "zero serial", "serial-positive", 0, 0, m_serial_zero },
	{ "21-octet serial", "serial-length", 0, 0, m_serial_long },
	{ "7-octet serial", "serial-length", 0, 0, m_serial_short },
	{ "8-octet serial", "serial-entropy", 0, 0, m_serial_8 },
	{ "serial not the drawn one", "serial-matches-spec", 0, 0,
	    m_serial_other },
	{ "GeneralizedTime in 2035", "validity-encoding", 0, 0,
	    m_time_encoding },
	{ "notAfter before notBefore", "validity-order", 0, 0,
	    m_validity_order },
	{ "notBefore not the script's", "validity-matches-spec", 0, 0,
	    m_validity_spec },
	{ "root of 101 years", "root-validity", 0, 0, m_root_validity },
	{ "notAfter past the issuer's", "validity-within-issuer", 1, 0,
	    m_after_issuer },
	{ "notBefore before the issuer's", "validity-within-issuer", 1, 0,
	    m_before_issuer },
	{ "issuer not a CA", "issuer-ca", 1, 0, m_issuer_not_ca },
	{ "issuer name", "issuer-name-match", 1, 0, m_issuer_name },
	{ "root issuer not its subject", "issuer-name-match", 0, 0,
	    m_issuer_name },
	{ "subject not the script's", "subject-matches-spec", 0, 0,
	    m_subject },
	{ "no CN", "subject-nonempty-cn", 0, 0, m_no_cn },
	{ "another key", "key-matches-spec", 0, 0, m_other_key },
	{ "P-521 key", "key-allowed", 0, 0, m_key_p521 },
	{ "RSA-1024 key", "key-allowed", 1, 0, m_key_rsa1024 },
	{ "SKID twice", "ext-unique", 0, 0, m_ext_twice },
	{ "EKU", "no-eku", 0, 0, m_eku },
	{ "subjectAltName", "no-unknown-extensions", 0, 0, m_san },
	{ "no basicConstraints", "bc-present-critical", 0, 0, m_bc_absent },
	{ "basicConstraints non-critical", "bc-present-critical", 0, 0,
	    m_bc_noncritical },
	{ "CA:FALSE", "bc-ca-true", 0, 0, m_bc_not_ca },
	{ "pathlen 2 for 1", "bc-pathlen", 0, 0, m_bc_pathlen },
	{ "pathlen absent for 1", "bc-pathlen", 0, 0, m_bc_no_pathlen },
	{ "under an issuer with pathlen 0", "bc-pathlen", 1, 0,
	    m_bc_under_pathlen0 },
	{ "pathlen equal to the issuer's", "bc-pathlen", 1, 0,
	    m_bc_pathlen_equal_issuer },
	{ "no keyUsage", "ku-present-critical", 0, 0, m_ku_absent },
	{ "keyUsage non-critical", "ku-present-critical", 0, 0,
	    m_ku_noncritical },
	{ "keyUsage digitalSignature", "ku-exact", 0, 0, m_ku_digsig },
	{ "no SKID", "skid-present", 0, 0, m_skid_absent },
	{ "SKID critical", "skid-noncritical", 0, 0, m_skid_critical },
	{ "SKID of another key", "skid-matches-key", 0, 0, m_skid_other },
	{ "AKID on a root", "akid-absent-on-root", 0, 0, m_akid_on_root },
	{ "no AKID", "akid-present", 1, 0, m_akid_absent },
	{ "AKID with serial", "akid-keyid-only", 1, 0, m_akid_serial },
	{ "AKID of another key", "akid-matches-issuer-skid", 1, 0,
	    m_akid_other },
	{ "P-384 signed with SHA-256", "sig-alg-matches-key", 0, 1,
	    m_sig_sha256_p384 },
	{ "RSA signed with SHA-384", "sig-alg-matches-key", 0, 1,
	    m_sig_sha384_rsa },
	{ "signed by a P-384 key under a P-256 issuer", "sig-alg-matches-key",
	    1, 1, m_sig_wrong_issuer_key },
};

static void
test_lint_case(void **state)
{
	const struct lcase *c = *state;
	struct lctx l;
	struct anc_err err;
	char want[64];
	int r;

	memset(&l, 0, sizeof(l));
	l.c = c;
	if (c->intermediate)
		spec_int(&l.s, fx.p256b, fx.root);
	else
		spec_root(&l.s, fx.p256, &dn_root, 1);
	l.x = build(&l.s);
	/* The unmutated certificate passes, so the mutation is the cause. */
	anc_err_clear(&err);
	if (anc_lint_cert(l.x, &l.s, 0, &err) != ANC_OK)
		fail_msg("before mutation: %s", err.msg);
	c->mutate(&l);
	anc_err_clear(&err);
	r = anc_lint_cert(l.x, &l.s, c->signed_, &err);
	snprintf(want, sizeof(want), "lint %s: ", c->rule);
	if (r != ANC_E_LINT || strncmp(err.msg, want, strlen(want)) != 0)
		fail_msg("%s: expected \"%s...\", got %d \"%s\"", c->name,
		    want, r, err.msg);
	assert_non_null(strstr(err.msg, "expected"));
	X509_free(l.x);
	X509_free(l.scratch);
}

static void
test_lint_signed_needs_signature_check(void **state)
{
	struct anc_cert_spec s;
	struct anc_err err;
	X509 *x;

	/* Unsigned, the signature algorithm is not judged... */
	spec_root(&s, fx.p384, &dn_root, 1);
	x = build(&s);
	anc_err_clear(&err);
	assert_int_equal(anc_lint_cert(x, &s, 0, &err), ANC_OK);
	/* ...signed, it is. */
	assert_true(X509_sign(x, fx.p384, EVP_sha512()) > 0);
	assert_int_equal(anc_lint_cert(x, &s, 1, &err), ANC_E_LINT);
	assert_non_null(strstr(err.msg, "sig-alg-matches-key"));
	X509_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_profile),
		cmocka_unit_test(test_root_no_pathlen),
		cmocka_unit_test(test_md_choice),
		cmocka_unit_test(test_generalized_time),
		cmocka_unit_test(test_intermediate),
		cmocka_unit_test(test_cross),
		cmocka_unit_test(test_subject_borrowed),
		cmocka_unit_test(test_key_alg),
		cmocka_unit_test(test_build_refuses),
		cmocka_unit_test(test_spki_bytes),
		cmocka_unit_test(test_lint_signed_needs_signature_check),
	};
	size_t n = sizeof(lcases) / sizeof(lcases[0]), i;
	struct CMUnitTest *lt;
	int failed;

	/* One set of keys for both groups: RSA generation is slow. */
	if (group_setup(NULL) != 0 || (lt = calloc(n, sizeof(*lt))) == NULL)
		return 1;
	failed = cmocka_run_group_tests_name("profile", tests, NULL, NULL);
	for (i = 0; i < n; i++) {
		lt[i].name = lcases[i].name;
		lt[i].test_func = test_lint_case;
		lt[i].initial_state = (void *)(uintptr_t)&lcases[i];
	}
	failed += _cmocka_run_group_tests("lint", lt, n, NULL, NULL);
	free(lt);
	group_teardown(NULL);
	return failed != 0;
}
