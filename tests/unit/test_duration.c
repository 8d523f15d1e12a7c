/*
 * Durations in ceremony scripts: what is accepted, what is refused, and
 * that formatting gives the shortest exact form, which parses back to the
 * same number of seconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ceremony_int.h"

static uint64_t
parsed(const char *s)
{
	uint64_t v = 0;

	if (anc_duration_parse(s, &v) != 0)
		fail_msg("\"%s\" refused", s);
	return v;
}

static void
test_parse(void **state)
{
	assert_true(parsed("87600h") == 87600ULL * 3600);
	assert_true(parsed("30d") == 30ULL * 86400);
	assert_true(parsed("1h30m") == 5400);
	assert_true(parsed("90s") == 90);
	assert_true(parsed("1d2h3m4s") == 86400 + 7200 + 180 + 4);
	assert_true(parsed("0s") == 0);
	/* Digits are digits: a group may exceed the next unit. */
	assert_true(parsed("90m") == 5400);
	assert_true(parsed("007h") == 7 * 3600);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"", "h", "10", "10y", "1.5h", "-1h", "+1h", " 1h", "1h ",
		"1 h", "1H", "30m1h", "1h1h", "1d1d", "1hh", "1h30",
		"18446744073709551616s", "213503982334602d",
		"5124095576030432h", "99999999999999999999d",
	};
	uint64_t v = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (anc_duration_parse(bad[i], &v) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
	assert_int_equal(anc_duration_parse(NULL, &v), -1);
	/* Nothing is stored on failure. */
	assert_true(v == 42);
	/* The largest value that fits is still exact. */
	assert_true(parsed("18446744073709551615s") == UINT64_MAX);
}

static void
formats(uint64_t secs, const char *want)
{
	char buf[64];

	anc_duration_format(secs, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_format(void **state)
{
	char small[4];

	formats(87600ULL * 3600, "87600h");
	formats(30ULL * 86400, "720h");
	formats(5400, "1h30m");
	formats(3601, "1h1s");
	formats(59, "59s");
	formats(60, "1m");
	formats(0, "0s");
	formats(ANC_CER_VALIDITY_MAX, "878400h");
	formats(UINT64_MAX, "5124095576030431h15s");
	/* Truncated, never overrun. */
	anc_duration_format(5400, small, sizeof(small));
	assert_string_equal(small, "1h3");
}

static void
test_round_trip(void **state)
{
	static const uint64_t values[] = { 1, 59, 60, 61, 3599, 3600, 3661,
	    5400, 86399, 86400, 720ULL * 3600, 43800ULL * 3600,
	    87600ULL * 3600, ANC_CER_VALIDITY_MAX, UINT64_MAX };
	static const char *const texts[] = { "1d", "30d", "1h30m", "90m",
	    "3600s", "1d1s", "36600d" };
	char buf[64], again[64];
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		anc_duration_format(values[i], buf, sizeof(buf));
		assert_true(parsed(buf) == values[i]);
	}
	/* Formatting is canonical: text -> seconds -> text is stable. */
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		anc_duration_format(parsed(texts[i]), buf, sizeof(buf));
		anc_duration_format(parsed(buf), again, sizeof(again));
		assert_string_equal(buf, again);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
