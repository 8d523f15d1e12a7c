/*
 * anchorage: Shamir secret sharing over GF(2^8), and shares as people
 * write them down.  See anchorage/shamir.h and docs/quorum.md.
 *
 * Everything that touches secret bytes (share bytes, coefficients, the
 * secret) runs the same instructions and memory accesses whatever their
 * values: masks instead of branches, no table indexed by a secret.  Only
 * public values (share indexes, lengths, positions) steer control flow.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "anchorage/shamir.h"

#define LEN		ANC_SHAMIR_SECRET_LEN
#define SHARE_VERSION	1
/* version, threshold, index, y, commitment; then the check */
#define BODY_BYTES	(3 + LEN + ANC_SHAMIR_COMMIT_LEN)
#define CHECK_BYTES	3
#define SHARE_BYTES	(BODY_BYTES + CHECK_BYTES)	/* 30 */
#define SHARE_CHARS	(SHARE_BYTES * 8 / 5)		/* 48 */
#define GROUP		4

static const char commit_domain[] = "anchorage/shamir/commitment/v1";
static const char check_domain[] = "anchorage/shamir/check/v1";

/*
 * Constant-time comparisons: 1 or 0, from arithmetic, for values below 2^31.
 */

static uint32_t
ct_ge(uint32_t a, uint32_t b)
{
	return 1 ^ ((a - b) >> 31);
}

static uint32_t
ct_in(uint32_t c, uint32_t lo, uint32_t hi)
{
	return ct_ge(c, lo) & ct_ge(hi, c);
}

/*
 * GF(2^8)
 */

unsigned char
anc_gf256_mul(unsigned char a, unsigned char b)
{
	uint32_t x = a, y = b, p = 0;
	int i;

	for (i = 0; i < 8; i++) {
		p ^= x & (0u - (y & 1));
		y >>= 1;
		/* x times X: when bit 7 falls out, reduce by the polynomial. */
		x = (x << 1) ^ (0x11b & (0u - (x >> 7)));
	}
	return (unsigned char)p;
}

/* a^254, which is a^-1 for a != 0: the same chain for every a. */
unsigned char
anc_gf256_inv(unsigned char a)
{
	unsigned char sq = a, r = 1;
	int i;

	for (i = 1; i < 8; i++) {
		sq = anc_gf256_mul(sq, sq);	/* a^(2^i) */
		r = anc_gf256_mul(r, sq);
	}
	return r;
}

/*
 * SHA-256 over a domain string and data, truncated to `outlen` bytes.
 * The concatenation may hold the secret, so it is wiped.
 */
static int
digest(const char *domain, const unsigned char *data, size_t len,
    unsigned char *out, size_t outlen)
{
	unsigned char buf[64 + BODY_BYTES], md[EVP_MAX_MD_SIZE];
	size_t dlen = strlen(domain);
	unsigned int mdlen = 0;
	int ok;

	if (dlen + len > sizeof(buf))
		return ANC_E_INTERNAL;
	memcpy(buf, domain, dlen);
	memcpy(buf + dlen, data, len);
	ok = EVP_Digest(buf, dlen + len, md, &mdlen, EVP_sha256(), NULL);
	anc_wipe(buf, sizeof(buf));
	if (ok != 1 || mdlen < outlen) {
		anc_wipe(md, sizeof(md));
		return ANC_E_CRYPTO;
	}
	memcpy(out, md, outlen);
	anc_wipe(md, sizeof(md));
	return ANC_OK;
}

/* The threshold is part of what is committed to: a share cannot claim
 * another K without failing the commitment. */
static int
commitment(const unsigned char *secret, unsigned k,
    unsigned char out[ANC_SHAMIR_COMMIT_LEN])
{
	unsigned char buf[1 + LEN];
	int r;

	buf[0] = (unsigned char)k;
	memcpy(buf + 1, secret, LEN);
	r = digest(commit_domain, buf, sizeof(buf), out, ANC_SHAMIR_COMMIT_LEN);
	anc_wipe(buf, sizeof(buf));
	return r;
}

/*
 * Splitting
 */

/* Secret byte b's polynomial at x, by Horner's rule from the top. */
static unsigned char
poly_at(const unsigned char *secret, const unsigned char *coeffs, unsigned k,
    size_t b, unsigned char x)
{
	unsigned char y = 0;
	unsigned j;

	for (j = k - 1; j > 0; j--)
		y = anc_gf256_mul(y, x) ^ coeffs[(j - 1) * LEN + b];
	return anc_gf256_mul(y, x) ^ secret[b];
}

int
anc_shamir_split(const unsigned char secret[ANC_SHAMIR_SECRET_LEN],
    unsigned k, unsigned n, const unsigned char *coeffs,
    struct anc_share *shares, struct anc_err *err)
{
	unsigned char com[ANC_SHAMIR_COMMIT_LEN];
	unsigned i;
	size_t b;
	int r;

	if (k < 2 || k > n || n > ANC_SHAMIR_SHARES_MAX)
		return anc_err_set(err, ANC_E_INPUT, "cannot split %u of %u: "
		    "expected 2 <= K <= N <= %d", k, n, ANC_SHAMIR_SHARES_MAX);
	if ((r = commitment(secret, k, com)) != ANC_OK)
		return anc_err_set(err, r, "share commitment: SHA-256 failed");
	for (i = 0; i < n; i++) {
		shares[i].threshold = k;
		shares[i].index = i + 1;
		for (b = 0; b < LEN; b++)
			shares[i].y[b] = poly_at(secret, coeffs, k, b,
			    (unsigned char)(i + 1));
		memcpy(shares[i].commitment, com, sizeof(com));
	}
	return ANC_OK;
}

/*
 * Rebuilding
 */

/* Shares of one split, distinct, enough of them.  Indexes are public. */
static int
check_set(const struct anc_share *s, size_t n, struct anc_err *err)
{
	size_t i, j;

	if (n == 0)
		return anc_err_set(err, ANC_E_INPUT, "no shares given");
	for (i = 0; i < n; i++) {
		if (s[i].index < 1 || s[i].index > ANC_SHAMIR_SHARES_MAX ||
		    s[i].threshold < 2 ||
		    s[i].threshold > ANC_SHAMIR_SHARES_MAX)
			return anc_err_set(err, ANC_E_INPUT, "share %u: not a "
			    "share of a split of at most %d", s[i].index,
			    ANC_SHAMIR_SHARES_MAX);
		if (s[i].threshold != s[0].threshold)
			return anc_err_set(err, ANC_E_INPUT, "share %u needs %u "
			    "shares but share %u needs %u: they are from "
			    "different splits", s[i].index, s[i].threshold,
			    s[0].index, s[0].threshold);
		if (memcmp(s[i].commitment, s[0].commitment,
		    ANC_SHAMIR_COMMIT_LEN) != 0)
			return anc_err_set(err, ANC_E_INPUT, "shares %u and %u "
			    "are from different splits (their commitments "
			    "differ)", s[0].index, s[i].index);
		for (j = 0; j < i; j++)
			if (s[j].index == s[i].index)
				return anc_err_set(err, ANC_E_INPUT, "share %u "
				    "is given twice", s[i].index);
	}
	if (n < s[0].threshold)
		return anc_err_set(err, ANC_E_INPUT, "%zu share%s given; this "
		    "split needs %u", n, n == 1 ? "" : "s", s[0].threshold);
	return ANC_OK;
}

/* Lagrange's basis polynomial of share i at 0: prod x_j / (x_i - x_j). */
static unsigned char
weight(const struct anc_share *s, size_t n, size_t i)
{
	unsigned char num = 1, den = 1;
	size_t j;

	for (j = 0; j < n; j++) {
		if (j == i)
			continue;
		num = anc_gf256_mul(num, (unsigned char)s[j].index);
		den = anc_gf256_mul(den,
		    (unsigned char)(s[i].index ^ s[j].index));
	}
	return anc_gf256_mul(num, anc_gf256_inv(den));
}

int
anc_shamir_combine(const struct anc_share *shares, size_t n,
    unsigned char secret[ANC_SHAMIR_SECRET_LEN], struct anc_err *err)
{
	unsigned char com[ANC_SHAMIR_COMMIT_LEN], w;
	size_t i, b;
	int r = ANC_E_INTERNAL;

	memset(secret, 0, LEN);
	if ((r = check_set(shares, n, err)) != ANC_OK)
		goto out;
	for (i = 0; i < n; i++) {
		w = weight(shares, n, i);
		for (b = 0; b < LEN; b++)
			secret[b] ^= anc_gf256_mul(w, shares[i].y[b]);
	}
	if ((r = commitment(secret, shares[0].threshold, com)) != ANC_OK) {
		r = anc_err_set(err, r, "share commitment: SHA-256 failed");
		goto out;
	}
	if (CRYPTO_memcmp(com, shares[0].commitment, sizeof(com)) != 0) {
		r = anc_err_set(err, ANC_E_VERIFY, "the secret rebuilt from "
		    "%zu shares does not match their commitment: at least one "
		    "share is wrong", n);
		goto out;
	}
	/* success */
	r = ANC_OK;
 out:
	if (r != ANC_OK)
		anc_wipe(secret, LEN);
	return r;
}

void
anc_shamir_pin(const unsigned char secret[ANC_SHAMIR_SECRET_LEN],
    char pin[ANC_SHAMIR_PIN_LEN + 1])
{
	uint32_t v;
	size_t i;

	for (i = 0; i < ANC_SHAMIR_PIN_LEN; i++) {
		v = (uint32_t)(secret[i / 2] >> (i % 2 ? 0 : 4)) & 0x0f;
		pin[i] = (char)(v + '0' + ct_ge(v, 10) * ('a' - '0' - 10));
	}
	pin[ANC_SHAMIR_PIN_LEN] = '\0';
}

/*
 * The written form: Crockford's base32 (digits, then letters without I,
 * L, O and U), chosen because nothing in it can be misread as something
 * else in it.
 */

static char
b32_char(uint32_t v)
{
	uint32_t c = v + '0';

	c += ct_ge(v, 10) * ('A' - '0' - 10);
	/* step over I, L, O and U */
	c += ct_ge(v, 18) + ct_ge(v, 20) + ct_ge(v, 22) + ct_ge(v, 27);
	return (char)c;
}

/* v |= c - lo + base when lo <= c <= hi; *hit records that it matched. */
static void
b32_range(uint32_t c, uint32_t lo, uint32_t hi, uint32_t base, uint32_t *v,
    uint32_t *hit)
{
	uint32_t m = 0u - ct_in(c, lo, hi);

	*v |= m & (c - lo + base);
	*hit |= m & 1;
}

/* A character's value; *bad becomes 1 if it is not in the alphabet. */
static uint32_t
b32_value(unsigned char ch, uint32_t *bad)
{
	uint32_t c = ch, v = 0, hit = 0;

	c -= 0x20 & (0u - ct_in(c, 'a', 'z'));
	b32_range(c, '0', '9', 0, &v, &hit);
	b32_range(c, 'A', 'H', 10, &v, &hit);
	b32_range(c, 'J', 'K', 18, &v, &hit);
	b32_range(c, 'M', 'N', 20, &v, &hit);
	b32_range(c, 'P', 'T', 22, &v, &hit);
	b32_range(c, 'V', 'Z', 27, &v, &hit);
	/* what a person may write for 0 and 1 */
	b32_range(c, 'O', 'O', 0, &v, &hit);
	b32_range(c, 'I', 'I', 1, &v, &hit);
	b32_range(c, 'L', 'L', 1, &v, &hit);
	*bad |= hit ^ 1;
	return v;
}

static void
pack(const struct anc_share *s, unsigned char b[SHARE_BYTES])
{
	b[0] = SHARE_VERSION;
	b[1] = (unsigned char)s->threshold;
	b[2] = (unsigned char)s->index;
	memcpy(b + 3, s->y, LEN);
	memcpy(b + 3 + LEN, s->commitment, ANC_SHAMIR_COMMIT_LEN);
}

int
anc_share_encode(const struct anc_share *s, char out[ANC_SHARE_TEXT_MAX])
{
	unsigned char b[SHARE_BYTES];
	uint32_t w;
	size_t i, bit, byte, o;
	int r;

	if (s->index < 1 || s->index > ANC_SHAMIR_SHARES_MAX ||
	    s->threshold < 2 || s->threshold > ANC_SHAMIR_SHARES_MAX)
		return ANC_E_INPUT;
	pack(s, b);
	if ((r = digest(check_domain, b, BODY_BYTES, b + BODY_BYTES,
	    CHECK_BYTES)) != ANC_OK)
		goto out;
	o = (size_t)snprintf(out, ANC_SHARE_TEXT_MAX, "%u", s->index);
	for (i = 0; i < SHARE_CHARS; i++) {
		/* 5 bits from `bit` on, most significant first */
		bit = i * 5;
		byte = bit / 8;
		w = (uint32_t)b[byte] << 8;
		if (byte + 1 < SHARE_BYTES)
			w |= b[byte + 1];
		if (i % GROUP == 0)
			out[o++] = '-';
		out[o++] = b32_char((w >> (11 - bit % 8)) & 31);
	}
	out[o] = '\0';
	/* success */
	r = ANC_OK;
 out:
	anc_wipe(b, sizeof(b));
	return r;
}

/*
 * Reading a typed share
 */

/* The number written before the share: 1 or 2 digits, then a dash or a
 * space.  Returns the position after it, or 0. */
static size_t
read_number(const char *t, size_t len, unsigned *num)
{
	size_t i = 0;

	while (i < len && t[i] == ' ')
		i++;
	*num = 0;
	while (i < len && t[i] >= '0' && t[i] <= '9' && *num < 100)
		*num = *num * 10 + (unsigned)(t[i++] - '0');
	if (*num == 0 || i == len || (t[i] != '-' && t[i] != ' '))
		return 0;
	return i + 1;
}

/* The 48 characters after the number, without separators, as 30 bytes. */
static int
unpack_text(const char *t, size_t len, unsigned char b[SHARE_BYTES],
    struct anc_err *err)
{
	uint32_t v, bad = 0;
	size_t i, n = 0, bit;

	memset(b, 0, SHARE_BYTES);
	for (i = 0; i < len; i++) {
		if (t[i] == '-' || t[i] == ' ')
			continue;
		if (n++ >= SHARE_CHARS)
			continue;
		bit = (n - 1) * 5;
		v = b32_value((unsigned char)t[i], &bad) << (11 - bit % 8);
		b[bit / 8] |= (unsigned char)(v >> 8);
		if (bit / 8 + 1 < SHARE_BYTES)
			b[bit / 8 + 1] |= (unsigned char)(v & 0xff);
	}
	v = 0;
	if (n != SHARE_CHARS)
		return anc_err_set(err, ANC_E_INPUT, "expected %d characters "
		    "after the share's number (%d groups of %d), found %zu",
		    SHARE_CHARS, SHARE_CHARS / GROUP, GROUP, n);
	if (bad)
		return anc_err_set(err, ANC_E_INPUT, "a character is not one "
		    "of those a share is written with (0-9, A-Z without U)");
	return ANC_OK;
}

int
anc_share_decode(const char *text, size_t len, struct anc_share *s,
    struct anc_err *err)
{
	unsigned char b[SHARE_BYTES], check[CHECK_BYTES];
	unsigned num = 0;
	size_t start;
	int r = ANC_E_INTERNAL;

	memset(s, 0, sizeof(*s));
	if ((start = read_number(text, len, &num)) == 0) {
		r = anc_err_set(err, ANC_E_INPUT, "expected the share's number "
		    "first, then a dash, as it is written (\"2-041G-...\")");
		goto out;
	}
	if ((r = unpack_text(text + start, len - start, b, err)) != ANC_OK)
		goto out;
	if ((r = digest(check_domain, b, BODY_BYTES, check, CHECK_BYTES)) !=
	    ANC_OK) {
		r = anc_err_set(err, r, "share check: SHA-256 failed");
		goto out;
	}
	if (CRYPTO_memcmp(check, b + BODY_BYTES, CHECK_BYTES) != 0) {
		r = anc_err_set(err, ANC_E_INPUT, "the share does not check "
		    "out: a character is wrong, missing or swapped");
		goto out;
	}
	if (b[0] != SHARE_VERSION || b[1] < 2 ||
	    b[1] > ANC_SHAMIR_SHARES_MAX || b[2] < 1 ||
	    b[2] > ANC_SHAMIR_SHARES_MAX) {
		r = anc_err_set(err, ANC_E_INPUT, "not a share this version of "
		    "anchorage can read (format %u, %u needed, number %u)",
		    b[0], b[1], b[2]);
		goto out;
	}
	if (b[2] != num) {
		r = anc_err_set(err, ANC_E_INPUT, "the number written before "
		    "the share (%u) is not the share's own number (%u)", num,
		    b[2]);
		goto out;
	}
	s->threshold = b[1];
	s->index = b[2];
	memcpy(s->y, b + 3, LEN);
	memcpy(s->commitment, b + 3 + LEN, ANC_SHAMIR_COMMIT_LEN);
	/* success */
	r = ANC_OK;
 out:
	anc_wipe(b, sizeof(b));
	if (r != ANC_OK)
		anc_wipe(s, sizeof(*s));
	return r;
}
