/*
 * anchorage: looking for private keys where none may be.
 *
 * Whatever leaves the appliance is searched for a private key in every
 * form one could take there: a PEM label ("PRIVATE KEY"), DER anywhere
 * in the bytes, and either of them in base64, however it is wrapped and
 * wherever a run of base64 starts, down to ANC_KEY_B64_DEPTH levels.  DER
 * counts only where OpenSSL's decoders take it as a key, so a certificate
 * or a hash is not mistaken for one.  Also the base64 decoder that the
 * tls.key check of a Secret uses.  Whatever is decoded is wiped.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "keyscan.h"

/* Bytes of the shortest private key looked for, and base64 characters of
 * that many bytes; a P-256 key without its public half is 51 bytes. */
#define KEY_DER_MIN 32
#define KEY_B64_MIN ((KEY_DER_MIN * 4 + 2) / 3)

static int
b64_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static int
space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
anc_b64_run_char(unsigned char c)
{
	return b64_alpha(c) || space(c);
}

static int
b64_char(unsigned char c)
{
	return b64_alpha(c) || c == '=' || space(c);
}

int
anc_b64_decode(const unsigned char *s, size_t n, unsigned char **out,
    size_t *outlen)
{
	EVP_ENCODE_CTX *ctx;
	unsigned char *buf;
	int l1 = 0, l2 = 0, ok;
	size_t i;

	if (n == 0 || n > INT_MAX - 4)
		return -1;
	for (i = 0; i < n; i++)
		if (!b64_char(s[i]))
			return -1;
	if ((buf = malloc(n + 4)) == NULL)
		return -1;
	if ((ctx = EVP_ENCODE_CTX_new()) == NULL) {
		free(buf);
		return -1;
	}
	EVP_DecodeInit(ctx);
	ok = EVP_DecodeUpdate(ctx, buf, &l1, s, (int)n) >= 0 &&
	    EVP_DecodeFinal(ctx, buf + l1, &l2) == 1;
	EVP_ENCODE_CTX_free(ctx);
	if (!ok) {
		anc_freezero(buf, n + 4);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)(l1 + l2);
	return 0;
}

/* Does DER parse as a private key (PKCS#8, SEC1, PKCS#1)? */
static int
der_private_key(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *k;

	/* Every key encoding is a SEQUENCE; skip the decoders otherwise. */
	if (len < KEY_DER_MIN || der[0] != 0x30 || len > LONG_MAX)
		return 0;
	ERR_set_mark();
	k = d2i_AutoPrivateKey(NULL, &p, (long)len);
	ERR_pop_to_mark();
	EVP_PKEY_free(k);
	return k != NULL;
}

/*
 * A DER private key starting anywhere in `d`.  Every PKCS#8, SEC1 and
 * PKCS#1 encoding is a SEQUENCE whose first member is its version,
 * INTEGER 0 or 1, so only such places are handed to the decoders: a key
 * with text, a certificate or other base64 around it is found too.
 */
static int
der_key_in(const unsigned char *d, size_t n)
{
	size_t i, h;

	for (i = 0; i + KEY_DER_MIN <= n; i++) {
		if (d[i] != 0x30)
			continue;
		h = d[i + 1] < 0x80 ? 2 : d[i + 1] == 0x81 ? 3 :
		    d[i + 1] == 0x82 ? 4 : d[i + 1] == 0x83 ? 5 : 0;
		if (h != 0 && d[i + h] == 0x02 && d[i + h + 1] == 0x01 &&
		    d[i + h + 2] <= 1 && der_private_key(d + i, n - i))
			return 1;
	}
	return 0;
}

/* `rn` base64 characters without padding to bytes; their count. */
static size_t
b64_run_decode(const unsigned char *run, size_t rn, unsigned char *dec)
{
	unsigned char tail[4];
	size_t q = rn / 4 * 4, t = rn % 4, dn = 0;
	int got;

	if (q > 0 && (got = EVP_DecodeBlock(dec, run, (int)q)) > 0)
		dn = (size_t)got;
	/* The last 2 or 3 characters, padded as an encoder would have. */
	if (t >= 2) {
		memcpy(tail, run + q, t);
		memset(tail + t, '=', 4 - t);
		if ((got = EVP_DecodeBlock(dec + dn, tail, 4)) == 3)
			dn += t - 1;
		anc_wipe(tail, sizeof(tail));
	}
	return dn;
}

/*
 * Each run of base64 in `s` (white space inside a run is skipped, as PEM
 * and wrapped text have it), decoded from each of the four characters a
 * quantum may start at, so that whatever stands before a key cannot put
 * it out of step, and searched again one level deeper.  Returns 1, 0, or
 * -1 when out of memory.
 */
static int
b64_runs_hold_key(const unsigned char *s, size_t n, int depth)
{
	unsigned char *run = NULL, *dec = NULL;
	size_t i = 0, rn = 0, off, dn = 0, cap = n / 4 * 3 + 3;
	int found = 0;

	if ((run = malloc(n + 1)) == NULL || (dec = malloc(cap)) == NULL) {
		found = -1;
		goto out;
	}
	while (i < n && found == 0) {
		for (rn = 0; i < n && anc_b64_run_char(s[i]); i++)
			if (b64_alpha(s[i]))
				run[rn++] = s[i];
		i++;	/* the character that ended the run */
		for (off = 0; off < 4 && rn >= off + KEY_B64_MIN &&
		    found == 0; off++) {
			dn = b64_run_decode(run + off, rn - off, dec);
			found = anc_holds_private_key(dec, dn, depth - 1);
			anc_wipe(dec, dn);
		}
		anc_wipe(run, rn);
	}
 out:
	anc_freezero(run, n + 1);
	anc_freezero(dec, cap);
	return found;
}

int
anc_holds_private_key(const unsigned char *s, size_t n, int depth)
{
	if (memmem(s, n, ANC_PRIVATE_KEY_TAG,
	    strlen(ANC_PRIVATE_KEY_TAG)) != NULL || der_key_in(s, n))
		return 1;
	return depth > 0 ? b64_runs_hold_key(s, n, depth) : 0;
}
