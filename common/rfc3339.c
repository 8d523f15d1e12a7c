/* anchorage: RFC 3339 times, and certificate times as time_t. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/err.h>

#include "anchorage/rfc3339.h"

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

/* anc_rfc3339_put(), which anc_rfc3339_format() may leave unchecked. */
static int
put(time_t t, char out[ANC_RFC3339_LEN])
{
	struct tm tm;

	/* Four digits of year, zero-padded: strftime's %Y gives neither
	 * for years before 1000 or after 9999. */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900) {
		snprintf(out, ANC_RFC3339_LEN, "?");
		return -1;
	}
	snprintf(out, ANC_RFC3339_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	return 0;
}

int
anc_rfc3339_put(time_t t, char out[ANC_RFC3339_LEN])
{
	return put(t, out);
}

void
anc_rfc3339_format(time_t t, char out[ANC_RFC3339_LEN])
{
	put(t, out);	/* "?" on failure, as documented */
}

int
anc_asn1_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	/* NULL would mean "now" to ASN1_TIME_to_tm. */
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		ERR_clear_error();
		return -1;
	}
	*out = timegm(&tm);
	return 0;
}

int
anc_asn1_time_put(const ASN1_TIME *t, char out[ANC_RFC3339_LEN])
{
	time_t when;

	if (anc_asn1_time(t, &when) != 0) {
		snprintf(out, ANC_RFC3339_LEN, "?");
		return -1;
	}
	return anc_rfc3339_put(when, out);
}
