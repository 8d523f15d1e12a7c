/*
 * anchorage: digests and hex, as they appear in SHA256SUMS, the transcript
 * and manifest annotations.
 */
#ifndef ANCHORAGE_HASH_H
#define ANCHORAGE_HASH_H

#include <stddef.h>

#define ANC_SHA256_HEX 65	/* 64 hex digits and a NUL */

/* SHA-256 of a buffer as 64 lowercase hex characters plus NUL. */
void anc_sha256_hex(const void *data, size_t len, char out[ANC_SHA256_HEX]);

/* Lowercase hex of `len` bytes into out, which holds 2*len+1 bytes. */
void anc_hex(const unsigned char *in, size_t len, char *out);

/* Colon-separated uppercase hex ("AB:CD:..") as openssl prints it. */
void anc_hex_colon(const unsigned char *in, size_t len, char *out);

#endif /* ANCHORAGE_HASH_H */
