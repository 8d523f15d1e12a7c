/*
 * anchorage: small helpers of status and inventory: times as RFC 3339,
 * subjects on one line, text safe for a terminal.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "rotation_int.h"

int
anc_rfc3339_parse(const char *s, time_t *out)
{
	struct tm tm, back;
	char z = 0;
	int n = 0, mday;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != ANC_RFC3339_LEN - 1 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &n) != 7 ||
	    n != ANC_RFC3339_LEN - 1 || z != 'Z')
		return -1;
	if (tm.tm_year < 1950 || tm.tm_year > 9999 || tm.tm_mon < 1 ||
	    tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	mday = tm.tm_mday;
	/* timegm turns 31 February into March; that is a typing error. */
	*out = timegm(&tm);
	if (gmtime_r(out, &back) == NULL || back.tm_mday != mday)
		return -1;
	return 0;
}

void
anc_rfc3339_format(time_t t, char out[ANC_RFC3339_LEN])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, ANC_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, ANC_RFC3339_LEN, "?");
}

int
anc_asn1_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		ERR_clear_error();
		return -1;
	}
	*out = timegm(&tm);
	return 0;
}

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
