/* anchorage: digests and hex encodings. */
#include <openssl/evp.h>

#include "anchorage/hash.h"

void
anc_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

void
anc_hex_colon(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	out[0] = '\0';
	for (i = 0; i < len; i++) {
		out[3 * i] = digits[in[i] >> 4];
		out[3 * i + 1] = digits[in[i] & 0x0f];
		out[3 * i + 2] = (i + 1 < len) ? ':' : '\0';
	}
}

void
anc_sha256_hex(const void *data, size_t len, char out[ANC_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	/* EVP_Digest cannot fail for SHA-256 short of memory exhaustion;
	 * an empty string then makes every comparison fail closed. */
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		out[0] = '\0';
		return;
	}
	anc_hex(md, 32, out);
}
