/*
 * Shamir shares: field arithmetic, split and rebuild, and the written form.
 *
 * Where the expected values come from, never from the code under test:
 * - GF(2^8) products from FIPS-197 §4.2 ({57}.{83} = {c1}, {57}.{13} =
 *   {fe}) and §5.1.1's inverse ({53}.{ca} = {01}); every other product and
 *   inverse from ref_mul()/ref_inv() below, a deliberately plain second
 *   implementation (schoolbook product, reduction by long division,
 *   inverse by search).
 * - The split vectors and share texts were computed with the python3
 *   reference printed in docs/quorum.md (appendix), which follows the
 *   format's description, not this C code.  ref_split() below checks the
 *   share bytes once more for many thresholds and counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "anchorage/err.h"
#include "anchorage/shamir.h"

#define LEN ANC_SHAMIR_SECRET_LEN

/*
 * The plain reference
 */

static unsigned
ref_mul(unsigned a, unsigned b)
{
	unsigned p = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (b & (1u << i))
			p ^= a << i;
	for (i = 14; i >= 8; i--)
		if (p & (1u << i))
			p ^= 0x11bu << (i - 8);
	return p;
}

static unsigned
ref_inv(unsigned a)
{
	unsigned x;

	for (x = 1; x < 256; x++)
		if (ref_mul(a, x) == 1)
			return x;
	return 0;
}

/* sum of c_j * x^j, with c_0 the secret byte */
static unsigned
ref_eval(const unsigned *c, unsigned k, unsigned x)
{
	unsigned y = 0, xp = 1, j;

	for (j = 0; j < k; j++) {
		y ^= ref_mul(c[j], xp);
		xp = ref_mul(xp, x);
	}
	return y;
}

static unsigned
ref_share_byte(const unsigned char *secret, const unsigned char *coeffs,
    unsigned k, size_t b, unsigned x)
{
	unsigned c[ANC_SHAMIR_SHARES_MAX], j;

	c[0] = secret[b];
	for (j = 1; j < k; j++)
		c[j] = coeffs[(j - 1) * LEN + b];
	return ref_eval(c, k, x);
}

/*
 * Vectors from the python3 reference (docs/quorum.md)
 */

static const unsigned char secret1[LEN] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
};

/* bytes (0x11 * (i + 1) + 7 * i) & 0xff, for K = 3 */
static const char coeffs1_hex[] =
    "112941597189a1b9d1e901193149617991a9c1d9f109213951698199b1c9e1f9";
static const char commitment1_hex[] = "9853831d9dacee10";

static const char *const y1_hex[] = {
	"808182838485868788898a8b8c8d8e8f",
	"50c1a9f80f28db8aee7f3a6b9c966534",
	"d04129788fa85b0a6effbaeb1c16e5b4",
	"97dbb94352879268064ac63c2d1603f9",
	"175b39c3d20712e886ca46bcad968379",
};

static const char *const text1[] = {
	"1-041G-3041-GA1R-91C6-GY48-K2MB-HJ6R-X3WR-AE1H-V7DC-XR84-S6XK",
	"2-041G-4M61-N7W0-YA6V-HBQ7-YEKB-KJB6-AD4R-AE1H-V7DC-XR85-W6GY",
	"3-041G-7M21-55W8-ZA2V-19QF-ZEQB-3GBE-BD4R-AE1H-V7DC-XR8B-4W3K",
	"4-041G-95YV-Q51N-51WJ-D034-NHHW-5MB0-7YCR-AE1H-V7DC-XR8A-DRN4",
	"5-041G-A5TV-771X-41RJ-X23C-MHNW-NPB8-6YCR-AE1H-V7DC-XR8B-PHA5",
};

static const char secret2_hex[] = "4a1f9c07e2d35b8860f1aa0c3d72e9b5";
static const char coeffs2_hex[] = "c3e1f00d5a17b2964e8d01ff7730a9c2";
static const char commitment2_hex[] = "c9bdb365c8fab806";

static const char *const text2[] = {
	"1-0410-32FY-DG5B-HH79-3RQ7-SAZK-9914-0XY9-QPSP-BJ7T-Q03A-GQRH",
	"2-0410-5NY6-CWEN-DZ94-QZYF-1A79-TC9A-0AP9-QPSP-BJ7T-Q039-RR6T",
	"3-0410-6517-JW80-STMP-56S7-VA8P-MGH0-KT69-QPSP-BJ7T-Q03B-J04J",
};

static void
unhex(const char *hex, unsigned char *out, size_t len)
{
	size_t i;
	unsigned v;

	assert_int_equal(strlen(hex), 2 * len);
	for (i = 0; i < len; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

static void
split1(struct anc_share *sh)
{
	unsigned char coeffs[2 * LEN];
	struct anc_err err;

	unhex(coeffs1_hex, coeffs, sizeof(coeffs));
	assert_int_equal(anc_shamir_split(secret1, 3, 5, coeffs, sh, &err),
	    ANC_OK);
}

static void
split2(struct anc_share *sh)
{
	unsigned char secret[LEN], coeffs[LEN];
	struct anc_err err;

	unhex(secret2_hex, secret, LEN);
	unhex(coeffs2_hex, coeffs, LEN);
	assert_int_equal(anc_shamir_split(secret, 2, 3, coeffs, sh, &err),
	    ANC_OK);
}

static void
decode_ok(const char *text, struct anc_share *s)
{
	struct anc_err err;

	anc_err_clear(&err);
	if (anc_share_decode(text, strlen(text), s, &err) != ANC_OK)
		fail_msg("%s: %s", text, err.msg);
}

static void
decode_fails(const char *text, const char *msg)
{
	struct anc_share s;
	struct anc_err err;

	anc_err_clear(&err);
	assert_int_equal(anc_share_decode(text, strlen(text), &s, &err),
	    ANC_E_INPUT);
	if (msg != NULL)
		assert_string_equal(err.msg, msg);
}

/*
 * The field
 */

static void
test_field_fips197(void **state)
{
	assert_int_equal(anc_gf256_mul(0x57, 0x83), 0xc1);
	assert_int_equal(anc_gf256_mul(0x57, 0x13), 0xfe);
	assert_int_equal(anc_gf256_mul(0x53, 0xca), 0x01);
	assert_int_equal(anc_gf256_inv(0x53), 0xca);
	assert_int_equal(anc_gf256_inv(0x01), 0x01);
	assert_int_equal(anc_gf256_inv(0x00), 0x00);
}

static void
test_field_exhaustive(void **state)
{
	unsigned a, b;

	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++)
			if (anc_gf256_mul((unsigned char)a, (unsigned char)b) !=
			    ref_mul(a, b))
				fail_msg("%02x * %02x", a, b);
		if (anc_gf256_inv((unsigned char)a) != ref_inv(a))
			fail_msg("inverse of %02x", a);
	}
}

/*
 * Split
 */

static void
test_split_vectors(void **state)
{
	struct anc_share sh[5];
	unsigned char y[LEN], com[ANC_SHAMIR_COMMIT_LEN];
	char text[ANC_SHARE_TEXT_MAX];
	size_t i;

	split1(sh);
	unhex(commitment1_hex, com, sizeof(com));
	for (i = 0; i < 5; i++) {
		assert_int_equal(sh[i].threshold, 3);
		assert_int_equal(sh[i].index, i + 1);
		unhex(y1_hex[i], y, LEN);
		assert_memory_equal(sh[i].y, y, LEN);
		assert_memory_equal(sh[i].commitment, com, sizeof(com));
		assert_int_equal(anc_share_encode(&sh[i], text), ANC_OK);
		assert_string_equal(text, text1[i]);
	}
	split2(sh);
	unhex(commitment2_hex, com, sizeof(com));
	for (i = 0; i < 3; i++) {
		assert_memory_equal(sh[i].commitment, com, sizeof(com));
		assert_int_equal(anc_share_encode(&sh[i], text), ANC_OK);
		assert_string_equal(text, text2[i]);
	}
}

/* Every K and N against the plain reference, with varied bytes. */
static void
test_split_reference(void **state)
{
	struct anc_share sh[ANC_SHAMIR_SHARES_MAX];
	unsigned char secret[LEN], coeffs[(ANC_SHAMIR_SHARES_MAX - 1) * LEN];
	struct anc_err err;
	uint32_t seed = 12345;
	unsigned k, n, i;
	size_t b;

	for (k = 2; k <= ANC_SHAMIR_SHARES_MAX; k++)
		for (n = k; n <= ANC_SHAMIR_SHARES_MAX; n++) {
			for (b = 0; b < sizeof(secret); b++)
				secret[b] = (unsigned char)((seed = seed *
				    1103515245 + 12345) >> 16);
			for (b = 0; b < sizeof(coeffs); b++)
				coeffs[b] = (unsigned char)((seed = seed *
				    1103515245 + 12345) >> 16);
			assert_int_equal(anc_shamir_split(secret, k, n, coeffs,
			    sh, &err), ANC_OK);
			for (i = 0; i < n; i++)
				for (b = 0; b < LEN; b++)
					if (sh[i].y[b] != ref_share_byte(secret,
					    coeffs, k, b, i + 1))
						fail_msg("K %u N %u share %u "
						    "byte %zu", k, n, i + 1, b);
		}
}

static void
test_split_limits(void **state)
{
	struct anc_share sh[ANC_SHAMIR_SHARES_MAX + 1];
	unsigned char coeffs[ANC_SHAMIR_SHARES_MAX * LEN] = { 0 };
	struct anc_err err;

	assert_int_equal(anc_shamir_split(secret1, 1, 3, coeffs, sh, &err),
	    ANC_E_INPUT);
	assert_string_equal(err.msg, "cannot split 1 of 3: expected 2 <= K "
	    "<= N <= 16");
	assert_int_equal(anc_shamir_split(secret1, 4, 3, coeffs, sh, &err),
	    ANC_E_INPUT);
	assert_int_equal(anc_shamir_split(secret1, 2, 17, coeffs, sh, &err),
	    ANC_E_INPUT);
	assert_string_equal(err.msg, "cannot split 2 of 17: expected 2 <= K "
	    "<= N <= 16");
	assert_int_equal(anc_shamir_split(secret1, 16, 16, coeffs, sh, &err),
	    ANC_OK);
}

/*
 * Rebuild
 */

/* Every subset of the five shares: K or more rebuild, fewer refuse. */
static void
test_combine_any_k(void **state)
{
	struct anc_share sh[5], pick[5];
	unsigned char out[LEN];
	struct anc_err err;
	unsigned mask, i, n;
	int r;

	split1(sh);
	for (mask = 1; mask < 32; mask++) {
		for (i = 0, n = 0; i < 5; i++)
			if (mask & (1u << i))
				pick[n++] = sh[i];
		memset(out, 0xaa, sizeof(out));
		r = anc_shamir_combine(pick, n, out, &err);
		if (n >= 3) {
			if (r != ANC_OK)
				fail_msg("subset %02x: %s", mask, err.msg);
			assert_memory_equal(out, secret1, LEN);
		} else {
			assert_int_equal(r, ANC_E_INPUT);
			/* nothing of a partial result is left */
			for (i = 0; i < LEN; i++)
				assert_int_equal(out[i], 0);
		}
	}
}

static void
test_combine_too_few(void **state)
{
	struct anc_share sh[5];
	unsigned char out[LEN];
	struct anc_err err;

	split1(sh);
	assert_int_equal(anc_shamir_combine(sh, 2, out, &err), ANC_E_INPUT);
	assert_string_equal(err.msg, "2 shares given; this split needs 3");
	assert_int_equal(anc_shamir_combine(sh + 4, 1, out, &err),
	    ANC_E_INPUT);
	assert_string_equal(err.msg, "1 share given; this split needs 3");
	assert_int_equal(anc_shamir_combine(sh, 0, out, &err), ANC_E_INPUT);
	assert_string_equal(err.msg, "no shares given");
}

static void
test_combine_duplicate(void **state)
{
	struct anc_share sh[5], pick[3];
	unsigned char out[LEN];
	struct anc_err err;

	split1(sh);
	pick[0] = sh[0];
	pick[1] = sh[1];
	pick[2] = sh[1];
	assert_int_equal(anc_shamir_combine(pick, 3, out, &err), ANC_E_INPUT);
	assert_string_equal(err.msg, "share 2 is given twice");
}

static void
test_combine_mixed_splits(void **state)
{
	struct anc_share a[5], b[5], pick[3];
	unsigned char coeffs[2 * LEN], other[LEN], out[LEN];
	struct anc_err err;

	split1(a);
	/* Same K, another secret: a different commitment. */
	unhex(coeffs1_hex, coeffs, sizeof(coeffs));
	memcpy(other, secret1, LEN);
	other[0] ^= 1;
	assert_int_equal(anc_shamir_split(other, 3, 5, coeffs, b, &err),
	    ANC_OK);
	pick[0] = a[0];
	pick[1] = b[1];
	pick[2] = a[2];
	assert_int_equal(anc_shamir_combine(pick, 3, out, &err), ANC_E_INPUT);
	assert_string_equal(err.msg, "shares 1 and 2 are from different "
	    "splits (their commitments differ)");
	/* Another K. */
	split2(b);
	pick[1] = b[1];
	assert_int_equal(anc_shamir_combine(pick, 3, out, &err), ANC_E_INPUT);
	assert_string_equal(err.msg, "share 2 needs 2 shares but share 1 "
	    "needs 3: they are from different splits");
}

/*
 * A share that reads correctly (its check is right) but holds a wrong
 * byte, as someone who knows the format could make it: caught by the
 * commitment, and nothing of the wrong secret is returned.
 */
static void
test_combine_wrong_share(void **state)
{
	struct anc_share sh[5], forged;
	unsigned char out[LEN];
	char text[ANC_SHARE_TEXT_MAX];
	struct anc_err err;
	size_t i;

	split1(sh);
	sh[1].y[7] ^= 0x40;
	assert_int_equal(anc_share_encode(&sh[1], text), ANC_OK);
	decode_ok(text, &forged);
	assert_memory_equal(&forged, &sh[1], sizeof(forged));
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(anc_shamir_combine(sh, 3, out, &err), ANC_E_VERIFY);
	assert_string_equal(err.msg, "the secret rebuilt from 3 shares does "
	    "not match their commitment: at least one share is wrong");
	for (i = 0; i < LEN; i++)
		assert_int_equal(out[i], 0);
	/* Among more than K, the wrong one still counts. */
	assert_int_equal(anc_shamir_combine(sh, 5, out, &err), ANC_E_VERIFY);
	/* Without it, the others agree. */
	assert_int_equal(anc_shamir_combine(sh + 2, 3, out, &err), ANC_OK);
	assert_memory_equal(out, secret1, LEN);
}

/*
 * The written form
 */

static void
test_decode_vectors(void **state)
{
	struct anc_share sh[5], s;
	size_t i;

	split1(sh);
	for (i = 0; i < 5; i++) {
		decode_ok(text1[i], &s);
		assert_memory_equal(&s, &sh[i], sizeof(s));
	}
}

/* What people do when they copy and type: case, spacing, look-alikes. */
static void
test_decode_lenient(void **state)
{
	struct anc_share sh[5], s;
	char text[ANC_SHARE_TEXT_MAX];
	size_t i;

	split1(sh);
	decode_ok("1-041g-3041-ga1r-91c6-gy48-k2mb-hj6r-x3wr-ae1h-v7dc-xr84"
	    "-s6xk", &s);
	assert_memory_equal(&s, &sh[0], sizeof(s));
	decode_ok("  1 041G 3041 GA1R 91C6 GY48 K2MB HJ6R X3WR AE1H V7DC XR84 "
	    "S6XK", &s);
	assert_memory_equal(&s, &sh[0], sizeof(s));
	decode_ok("1-041G3041GA1R91C6GY48K2MBHJ6RX3WRAE1HV7DCXR84S6XK", &s);
	assert_memory_equal(&s, &sh[0], sizeof(s));
	/* 0 written as O, 1 as I or l, after the number */
	snprintf(text, sizeof(text), "%s", text1[0]);
	for (i = 2; text[i] != '\0'; i++)
		if (text[i] == '0')
			text[i] = 'O';
		else if (text[i] == '1')
			text[i] = (i % 2) ? 'I' : 'l';
	decode_ok(text, &s);
	assert_memory_equal(&s, &sh[0], sizeof(s));
}

/* Every single wrong character, anywhere, is caught at entry. */
static void
test_decode_typos(void **state)
{
	static const char alpha[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char text[ANC_SHARE_TEXT_MAX], t;
	size_t i, j;

	for (i = 2; text1[2][i] != '\0'; i++) {
		if (text1[2][i] == '-')
			continue;
		for (j = 0; alpha[j] != '\0'; j++) {
			if (alpha[j] == text1[2][i])
				continue;
			snprintf(text, sizeof(text), "%s", text1[2]);
			text[i] = alpha[j];
			decode_fails(text, "the share does not check out: a "
			    "character is wrong, missing or swapped");
		}
		/* two neighbours swapped */
		snprintf(text, sizeof(text), "%s", text1[2]);
		j = text[i + 1] == '-' ? i + 2 : i + 1;
		if (text[j] == '\0' || text[j] == text[i])
			continue;
		t = text[i];
		text[i] = text[j];
		text[j] = t;
		decode_fails(text, "the share does not check out: a "
		    "character is wrong, missing or swapped");
	}
}

static void
test_decode_errors(void **state)
{
	char text[ANC_SHARE_TEXT_MAX];

	decode_fails("041G-4M61-N7W0-YA6V-HBQ7-YEKB-KJB6-AD4R-AE1H-V7DC-XR85"
	    "-W6GY", "expected the share's number first, then a dash, as it "
	    "is written (\"2-041G-...\")");
	decode_fails("", "expected the share's number first, then a dash, as "
	    "it is written (\"2-041G-...\")");
	decode_fails("2-041G-4M61-N7W0-YA6V-HBQ7-YEKB-KJB6-AD4R-AE1H-V7DC-XR85"
	    "-W6G", "expected 48 characters after the share's number (12 "
	    "groups of 4), found 47");
	decode_fails("2-041G-4M61-N7W0-YA6V-HBQ7-YEKB-KJB6-AD4R-AE1H-V7DC-XR85"
	    "-W6GYY", "expected 48 characters after the share's number (12 "
	    "groups of 4), found 49");
	decode_fails("2-041G-4M61-N7W0-YA6V-HBQ7-YEKB-KJB6-AD4R-AE1H-V7DC-XR85"
	    "-W6GU", NULL);
	decode_fails("2-041G-4M61-N7W0-YA6V-HBQ7-YEKB-KJB6-AD4R-AE1H-V7DC-XR85"
	    "-W6G*", "a character is not one of those a share is written with "
	    "(0-9, A-Z without U)");
	/* Share 2 written down under another number. */
	snprintf(text, sizeof(text), "3%s", text1[1] + 1);
	decode_fails(text, "the number written before the share (3) is not "
	    "the share's own number (2)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_fips197),
		cmocka_unit_test(test_field_exhaustive),
		cmocka_unit_test(test_split_vectors),
		cmocka_unit_test(test_split_reference),
		cmocka_unit_test(test_split_limits),
		cmocka_unit_test(test_combine_any_k),
		cmocka_unit_test(test_combine_too_few),
		cmocka_unit_test(test_combine_duplicate),
		cmocka_unit_test(test_combine_mixed_splits),
		cmocka_unit_test(test_combine_wrong_share),
		cmocka_unit_test(test_decode_vectors),
		cmocka_unit_test(test_decode_lenient),
		cmocka_unit_test(test_decode_typos),
		cmocka_unit_test(test_decode_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
