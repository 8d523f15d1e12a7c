/*
 * anchorage: Shamir secret sharing over GF(2^8), K of N, with shares a
 * person can copy by hand and type back.
 *
 * The field is GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1.  All
 * arithmetic is constant-time: multiplication is shift-and-add with masks
 * (no log/exp tables, whose lookups depend on secret bytes and leak
 * through the cache) and inversion is a^254.  The caller supplies the
 * random coefficients, so this module has no random source of its own and
 * its output is reproducible in known-answer tests.
 *
 * A share carries the threshold, its index, the share bytes, a commitment
 * to the secret that all shares of one split have in common, and a check
 * over its own bytes.  The check catches typing errors as a share is
 * entered; the commitment catches a share that is well formed but wrong
 * (altered, or from another split) once the secret is rebuilt, before the
 * secret is used.  docs/quorum.md describes the format.
 */
#ifndef ANCHORAGE_SHAMIR_H
#define ANCHORAGE_SHAMIR_H

#include <stddef.h>

#include "anchorage/err.h"

struct anc_err;

#define ANC_SHAMIR_SHARES_MAX	16	/* N */
#define ANC_SHAMIR_SECRET_LEN	16	/* bytes of every shared secret */
#define ANC_SHAMIR_COMMIT_LEN	8	/* bytes of the commitment */
#define ANC_SHARE_TEXT_MAX	64	/* "16-" and 12 groups of 4, with NUL */
#define ANC_SHAMIR_PIN_LEN	(2 * ANC_SHAMIR_SECRET_LEN)

struct anc_share {
	unsigned threshold;		/* K */
	unsigned index;			/* x: 1..N */
	unsigned char y[ANC_SHAMIR_SECRET_LEN];
	unsigned char commitment[ANC_SHAMIR_COMMIT_LEN];
};

/* Field arithmetic, exposed for known-answer tests.  inv(0) is 0. */
unsigned char anc_gf256_mul(unsigned char a, unsigned char b);
unsigned char anc_gf256_inv(unsigned char a);

/*
 * Split `secret` into shares with indexes 1..n, any k of which rebuild it.
 * Every share gets the split's commitment: the first 8 bytes of
 * SHA-256("anchorage/shamir/commitment/v1" || k || secret).
 * `coeffs` holds (k-1) * ANC_SHAMIR_SECRET_LEN random bytes: the
 * coefficient of x^j in the polynomial of secret byte b is
 * coeffs[(j-1) * ANC_SHAMIR_SECRET_LEN + b].  The caller wipes coeffs and
 * shares[].  Returns ANC_OK, ANC_E_INPUT unless 2 <= k <= n <= 16, or
 * ANC_E_CRYPTO.
 */
ANC_MUST_CHECK
int anc_shamir_split(const unsigned char secret[ANC_SHAMIR_SECRET_LEN],
    unsigned k, unsigned n, const unsigned char *coeffs,
    struct anc_share *shares, struct anc_err *err);

/*
 * Rebuild the secret from shares[0..n), which must be at least their
 * threshold in number, from one split (same threshold and commitment),
 * with distinct indexes.  Every share given is used, so a wrong one among
 * more than K still fails.  The result must match the commitment.
 * Returns ANC_OK; ANC_E_INPUT for too few, mixed or duplicate shares;
 * ANC_E_VERIFY when the rebuilt secret does not match the commitment (a
 * share is wrong).  `secret` is wiped on every failure.
 */
ANC_MUST_CHECK
int anc_shamir_combine(const struct anc_share *shares, size_t n,
    unsigned char secret[ANC_SHAMIR_SECRET_LEN], struct anc_err *err);

/*
 * The token PIN a shared secret stands for: its 32 lowercase hex digits
 * and a NUL, into `pin` (constant-time).  split-pin sets it; a quorum
 * rebuilds it.
 */
void anc_shamir_pin(const unsigned char secret[ANC_SHAMIR_SECRET_LEN],
    char pin[ANC_SHAMIR_PIN_LEN + 1]);

/*
 * The share as it is written down: its index, a dash, then 48 characters
 * of Crockford base32 in 12 groups of 4 ("2-041G-4M61-...").  `out` holds
 * ANC_SHARE_TEXT_MAX bytes; the caller wipes it.  The last 3 bytes
 * encoded are the check: SHA-256("anchorage/shamir/check/v1" || the
 * bytes before it), truncated.  Returns ANC_OK, ANC_E_INPUT for a share
 * with an index or threshold out of range, or ANC_E_CRYPTO.
 */
ANC_MUST_CHECK
int anc_share_encode(const struct anc_share *s, char out[ANC_SHARE_TEXT_MAX]);

/*
 * Read a share as a person typed it: spaces and dashes between groups
 * are ignored, letters may be in either case, and O, I and L are read as
 * 0, 1 and 1.  Returns ANC_OK, or ANC_E_INPUT with a message for the
 * person typing (wrong length, a character that is not in the alphabet,
 * a check that fails, a number that does not match the one inside).  *s
 * is wiped on failure.
 */
ANC_MUST_CHECK
int anc_share_decode(const char *text, size_t len, struct anc_share *s,
    struct anc_err *err);

#endif /* ANCHORAGE_SHAMIR_H */
