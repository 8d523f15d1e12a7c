/*
 * anchorage: times as RFC 3339 text, "2026-11-29T22:00:00Z" (UTC, whole
 * seconds, 'Z'), the only form anchorage reads and writes; and the times
 * of certificates and CRLs (ASN1_TIME) as time_t.
 */
#ifndef ANCHORAGE_RFC3339_H
#define ANCHORAGE_RFC3339_H

#include <time.h>

#include <openssl/asn1.h>

#include "anchorage/err.h"

#define ANC_RFC3339_LEN 21	/* "2026-11-29T22:00:00Z" and a NUL */

/* Parse exactly that form, years 1950 to 9999 (an impossible date such
 * as 31 February is refused).  Returns 0, or -1 if `s` is anything else. */
ANC_MUST_CHECK
int anc_rfc3339_parse(const char *s, time_t *out);

/*
 * Write `t` in that form.  Returns 0, or -1 when `t` falls outside the
 * years 0000 to 9999, which the form cannot hold; `out` is then "?".
 */
ANC_MUST_CHECK
int anc_rfc3339_put(time_t t, char out[ANC_RFC3339_LEN]);

/* As anc_rfc3339_put(), for display: "?" stands for a time outside the
 * form. */
void anc_rfc3339_format(time_t t, char out[ANC_RFC3339_LEN]);

/*
 * An ASN1_TIME (UTCTime or GeneralizedTime, as OpenSSL accepts them) as
 * seconds since the epoch.  Returns 0, or -1 for NULL or a time OpenSSL
 * cannot read (its error queue is cleared).
 */
ANC_MUST_CHECK
int anc_asn1_time(const ASN1_TIME *t, time_t *out);

/* An ASN1_TIME in RFC 3339 form: 0, or -1 as above (`out` then "?"). */
ANC_MUST_CHECK
int anc_asn1_time_put(const ASN1_TIME *t, char out[ANC_RFC3339_LEN]);

#endif /* ANCHORAGE_RFC3339_H */
