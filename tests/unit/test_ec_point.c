/*
 * CKA_EC_POINT as tokens return it: DER-wrapped (PKCS#11) or raw.  A raw
 * uncompressed point starts with 04, the DER tag of an OCTET STRING, and
 * when the first byte of X happens to equal the point's remaining length
 * (0x3f for P-256, 0x5f for P-384: one key in 256) the raw point parses as
 * a complete DER OCTET STRING.  Reading it as DER then drops two bytes of
 * the point.  The decoder decides by the length the curve gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "anchorage/err.h"
#include "p11_int.h"

/* A raw point of `field`-byte coordinates whose X starts with `x0`. */
static size_t
raw_point(unsigned char *p, size_t field, unsigned char x0)
{
	size_t i;

	p[0] = 0x04;
	for (i = 1; i < 2 * field + 1; i++)
		p[i] = (unsigned char)(i * 7 + 1);
	p[1] = x0;
	return 2 * field + 1;
}

static void
test_ambiguous_raw(void **state)
{
	static const struct {
		size_t field;
		unsigned char x0;
	} c[] = { { 32, 0x3f }, { 48, 0x5f } };
	unsigned char v[128];
	const unsigned char *pt, *p;
	ASN1_OCTET_STRING *os;
	struct anc_err err;
	size_t i, len, ptlen;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		len = raw_point(v, c[i].field, c[i].x0);
		/* The trap: the raw point is a whole DER OCTET STRING. */
		p = v;
		os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)len);
		assert_non_null(os);
		assert_ptr_equal(p, v + len);
		ASN1_OCTET_STRING_free(os);
		/* Read by length: the whole point, untouched. */
		assert_int_equal(anc_p11_ec_point(v, len, c[i].field, &pt,
		    &ptlen, &err), ANC_OK);
		assert_ptr_equal(pt, v);
		assert_int_equal(ptlen, len);
	}
}

static void
test_der_wrapped(void **state)
{
	unsigned char v[2 + 97];
	const unsigned char *pt;
	struct anc_err err;
	size_t len, ptlen;

	(void)state;
	/* P-256 and P-384, including a point whose X starts like a length. */
	len = raw_point(v + 2, 32, 0x3f);
	v[0] = 0x04;
	v[1] = (unsigned char)len;
	assert_int_equal(anc_p11_ec_point(v, len + 2, 32, &pt, &ptlen, &err),
	    ANC_OK);
	assert_ptr_equal(pt, v + 2);
	assert_int_equal(ptlen, 65);
	len = raw_point(v + 2, 48, 0x12);
	v[1] = (unsigned char)len;
	assert_int_equal(anc_p11_ec_point(v, len + 2, 48, &pt, &ptlen, &err),
	    ANC_OK);
	assert_ptr_equal(pt, v + 2);
	assert_int_equal(ptlen, 97);
}

static void
test_refused(void **state)
{
	unsigned char v[128];
	const unsigned char *pt;
	struct anc_err err;
	size_t len;

	(void)state;
	len = raw_point(v, 32, 0x20);
	/* a P-256 point offered for P-384, a compressed or cut point, junk */
	assert_int_equal(anc_p11_ec_point(v, len, 48, &pt, &len, &err),
	    ANC_E_UNSAFE);
	len = raw_point(v, 32, 0x20);
	v[0] = 0x02;
	assert_int_equal(anc_p11_ec_point(v, len, 32, &pt, &len, &err),
	    ANC_E_UNSAFE);
	assert_int_equal(anc_p11_ec_point(v, 64, 32, &pt, &len, &err),
	    ANC_E_UNSAFE);
	assert_int_equal(anc_p11_ec_point(NULL, 0, 32, &pt, &len, &err),
	    ANC_E_UNSAFE);
	assert_non_null(strstr(err.msg, "CKA_EC_POINT"));
}

/* A real P-256 key whose X starts with 0x3f (found by generating keys,
 * about 256 tries): its raw point decodes to the same key. */
static void
test_real_key(void **state)
{
	unsigned char v[65];
	const unsigned char *pt;
	struct anc_err err;
	EVP_PKEY *k = NULL;
	size_t len = 0, ptlen, tries;

	(void)state;
	for (tries = 0; tries < 20000; tries++) {
		EVP_PKEY_free(k);
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		assert_non_null(k);
		assert_int_equal(EVP_PKEY_get_octet_string_param(k,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, v, sizeof(v), &len), 1);
		if (len == 65 && v[1] == 0x3f)
			break;
	}
	assert_int_equal(v[1], 0x3f);
	assert_int_equal(anc_p11_ec_point(v, len, 32, &pt, &ptlen, &err),
	    ANC_OK);
	assert_int_equal(ptlen, 65);
	assert_memory_equal(pt, v, 65);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ambiguous_raw),
		cmocka_unit_test(test_der_wrapped),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_real_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
