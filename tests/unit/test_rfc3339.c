/*
 * common/rfc3339.c: times as RFC 3339 text, and certificate times.
 *
 * Expected values: epoch seconds from `date -u -d ... +%s` (GNU
 * coreutils), and the UTCTime/GeneralizedTime split of RFC 5280,
 * 4.1.2.5.1 (UTCTime YY >= 50 is 19YY, else 20YY).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/asn1.h>

#include "anchorage/rfc3339.h"

static void
test_put(void **state)
{
	char out[ANC_RFC3339_LEN];

	(void)state;
	assert_int_equal(anc_rfc3339_put(0, out), 0);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	assert_int_equal(anc_rfc3339_put(1709208000, out), 0);
	assert_string_equal(out, "2024-02-29T12:00:00Z");	/* leap day */
	assert_int_equal(anc_rfc3339_put(951868799, out), 0);
	assert_string_equal(out, "2000-02-29T23:59:59Z");	/* 400-year */
	assert_int_equal(anc_rfc3339_put(2524607999, out), 0);
	assert_string_equal(out, "2049-12-31T23:59:59Z");
	assert_int_equal(anc_rfc3339_put(2524608000, out), 0);
	assert_string_equal(out, "2050-01-01T00:00:00Z");
	assert_int_equal(anc_rfc3339_put(-1, out), 0);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
}

/* Four digits of year, or nothing. */
static void
test_put_range(void **state)
{
	char out[ANC_RFC3339_LEN];

	(void)state;
	assert_int_equal(anc_rfc3339_put(253402300799LL, out), 0);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
	assert_int_equal(anc_rfc3339_put(253402300800LL, out), -1);
	assert_string_equal(out, "?");
	assert_int_equal(anc_rfc3339_put(-62135596800LL, out), 0);
	assert_string_equal(out, "0001-01-01T00:00:00Z");
	assert_int_equal(anc_rfc3339_put(-62167219200LL, out), 0);
	assert_string_equal(out, "0000-01-01T00:00:00Z");
	assert_int_equal(anc_rfc3339_put(-62167219201LL, out), -1);
	assert_string_equal(out, "?");
	/* gmtime_r fails: the year does not fit an int. */
	assert_int_equal(anc_rfc3339_put((time_t)INT64_MAX, out), -1);
	assert_string_equal(out, "?");
	anc_rfc3339_format(253402300800LL, out);
	assert_string_equal(out, "?");
	anc_rfc3339_format(1709208000, out);
	assert_string_equal(out, "2024-02-29T12:00:00Z");
}

/* Where the formats the tree used before agreed (strftime's %Y gives four
 * digits from 1000 to 9999), the text is the same. */
static void
test_same_as_strftime(void **state)
{
	char out[ANC_RFC3339_LEN], want[64];
	struct tm tm;
	time_t t;

	(void)state;
	/* 1000-01-01 to 9999-12-31, a prime step apart. */
	for (t = -30610224000LL; t < 253402300800LL; t += 86400 * 97 + 7919) {
		assert_non_null(gmtime_r(&t, &tm));
		assert_int_equal(strftime(want, sizeof(want),
		    "%Y-%m-%dT%H:%M:%SZ", &tm), 20);
		assert_int_equal(anc_rfc3339_put(t, out), 0);
		assert_string_equal(out, want);
	}
}

static void
test_parse(void **state)
{
	char out[ANC_RFC3339_LEN];
	time_t t;

	(void)state;
	assert_int_equal(anc_rfc3339_parse("2024-02-29T12:00:00Z", &t), 0);
	assert_true(t == 1709208000);
	assert_int_equal(anc_rfc3339_put(t, out), 0);
	assert_string_equal(out, "2024-02-29T12:00:00Z");
	assert_int_equal(anc_rfc3339_parse("2023-02-29T12:00:00Z", &t), -1);
	assert_int_equal(anc_rfc3339_parse("1949-12-31T23:59:59Z", &t), -1);
	assert_int_equal(anc_rfc3339_parse("2024-02-29T12:00:00", &t), -1);
	assert_int_equal(anc_rfc3339_parse("2024-02-29t12:00:00Z", &t), -1);
}

/* A UTCTime or GeneralizedTime, checked by OpenSSL as it is set. */
static ASN1_TIME *
asn1(int type, const char *s)
{
	ASN1_TIME *a = ASN1_TIME_new();

	assert_non_null(a);
	assert_int_equal(type == V_ASN1_UTCTIME ?
	    ASN1_UTCTIME_set_string(a, s) :
	    ASN1_GENERALIZEDTIME_set_string(a, s), 1);
	assert_int_equal(ASN1_STRING_type(a), type);
	return a;
}

#define utc(s) asn1(V_ASN1_UTCTIME, (s))
#define gen(s) asn1(V_ASN1_GENERALIZEDTIME, (s))

/* One ASN1_TIME: its time_t and its text. */
static void
check_asn1(ASN1_TIME *a, long long want_t, const char *want)
{
	char out[ANC_RFC3339_LEN];
	time_t t;

	assert_int_equal(anc_asn1_time(a, &t), 0);
	assert_true((long long)t == want_t);
	assert_int_equal(anc_asn1_time_put(a, out), 0);
	assert_string_equal(out, want);
	ASN1_TIME_free(a);
}

static void
test_asn1(void **state)
{
	(void)state;
	/* The UTCTime / GeneralizedTime boundary of RFC 5280. */
	check_asn1(utc("491231235959Z"), 2524607999LL, "2049-12-31T23:59:59Z");
	check_asn1(utc("500101000000Z"), -631152000LL, "1950-01-01T00:00:00Z");
	check_asn1(gen("20500101000000Z"), 2524608000LL,
	    "2050-01-01T00:00:00Z");
	check_asn1(gen("20491231235959Z"), 2524607999LL,
	    "2049-12-31T23:59:59Z");
	/* Leap days. */
	check_asn1(utc("240229120000Z"), 1709208000LL, "2024-02-29T12:00:00Z");
	check_asn1(gen("20960229000000Z"), 3981312000LL,
	    "2096-02-29T00:00:00Z");
	/* The ends of GeneralizedTime. */
	check_asn1(gen("99991231235959Z"), 253402300799LL,
	    "9999-12-31T23:59:59Z");
	check_asn1(gen("00010101000000Z"), -62135596800LL,
	    "0001-01-01T00:00:00Z");
}

static void
test_asn1_bad(void **state)
{
	char out[ANC_RFC3339_LEN];
	ASN1_TIME *a;
	time_t t = 7;

	(void)state;
	/* NULL is not "now", as it would be to ASN1_TIME_to_tm. */
	assert_int_equal(anc_asn1_time(NULL, &t), -1);
	assert_true(t == 7);
	assert_int_equal(anc_asn1_time_put(NULL, out), -1);
	assert_string_equal(out, "?");
	/* 29 February of a common year, and month 13, set behind
	 * OpenSSL's checks. */
	a = ASN1_STRING_type_new(V_ASN1_GENERALIZEDTIME);
	assert_non_null(a);
	assert_int_equal(ASN1_STRING_set(a, "20230229120000Z", 15), 1);
	assert_int_equal(anc_asn1_time(a, &t), -1);
	assert_int_equal(anc_asn1_time_put(a, out), -1);
	assert_string_equal(out, "?");
	assert_int_equal(ASN1_STRING_set(a, "20231301120000Z", 15), 1);
	assert_int_equal(anc_asn1_time(a, &t), -1);
	ASN1_TIME_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_put_range),
		cmocka_unit_test(test_same_as_strftime),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_asn1),
		cmocka_unit_test(test_asn1_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
