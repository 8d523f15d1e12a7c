/*
 * anchorage: small helpers of status and inventory: subjects on one line,
 * text safe for a terminal.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "rotation_int.h"

void
anc_x509_name_text(const X509_NAME *name, char *buf, size_t cap)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int n;

	buf[0] = '\0';
	/* RFC 2253 escapes controls and non-ASCII bytes: what a cluster
	 * puts in a name cannot reach the terminal raw. */
	if (bio == NULL || X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0 ||
	    (n = BIO_read(bio, buf, (int)cap - 1)) < 0)
		n = 0;
	buf[n] = '\0';
	BIO_free(bio);
	ERR_clear_error();
}

void
anc_x509_subject(X509 *x, char *buf, size_t cap)
{
	anc_x509_name_text(X509_get_subject_name(x), buf, cap);
}

void
anc_x509_serial(X509 *x, char *buf, size_t cap)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	snprintf(buf, cap, "%s", hex != NULL ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
	ERR_clear_error();
}

void
anc_inv_printable(const char *s, char *out, size_t cap)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}
