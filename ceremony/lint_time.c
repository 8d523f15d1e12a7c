/*
 * anchorage: the lints on a certificate's validity: how its times are
 * encoded, that they are in order and within the profile's limits, and
 * that an issued certificate ends before its issuer does.
 */
#define _DEFAULT_SOURCE
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/rfc3339.h"
#include "constraints.h"
#include "lint_int.h"
#include "profile.h"

/* RFC 5280 4.1.2.5: UTCTime YYMMDDHHMMSSZ through 2049, then
 * GeneralizedTime YYYYMMDDHHMMSSZ. */
static int
time_encoding_ok(const ASN1_TIME *t)
{
	struct tm tm;
	int year, len = ASN1_STRING_length(t);
	const unsigned char *d = ASN1_STRING_get0_data(t);

	if (ASN1_TIME_to_tm(t, &tm) != 1 || len < 1 || d[len - 1] != 'Z')
		return 0;
	year = tm.tm_year + 1900;
	if (year >= 1950 && year < 2050)
		return ASN1_STRING_type(t) == V_ASN1_UTCTIME && len == 13;
	return ASN1_STRING_type(t) == V_ASN1_GENERALIZEDTIME && len == 15;
}

int
anc_lint_validity_encoding(struct lint *l)
{
	if (!time_encoding_ok(X509_get0_notBefore(l->x)))
		return fail(l, "validity-encoding", "notBefore encoded as "
		    "%s, expected UTCTime before 2050 and GeneralizedTime "
		    "from 2050, in seconds with Z",
		    ASN1_tag2str(ASN1_STRING_type(X509_get0_notBefore(l->x))));
	if (!time_encoding_ok(X509_get0_notAfter(l->x)))
		return fail(l, "validity-encoding", "notAfter encoded as "
		    "%s, expected UTCTime before 2050 and GeneralizedTime "
		    "from 2050, in seconds with Z",
		    ASN1_tag2str(ASN1_STRING_type(X509_get0_notAfter(l->x))));
	return ANC_OK;
}

static void
iso_time(time_t t, char buf[32])
{
	if (anc_rfc3339_put(t, buf) != 0)
		snprintf(buf, 32, "%lld", (long long)t);
}

int
anc_lint_validity(struct lint *l)
{
	const ASN1_TIME *nb = X509_get0_notBefore(l->x);
	const ASN1_TIME *na = X509_get0_notAfter(l->x);
	char want_nb[32], want_na[32];

	if (ASN1_TIME_compare(nb, na) >= 0)
		return fail(l, "validity-order", "notBefore is not before "
		    "notAfter, expected a positive validity period");
	if (ASN1_TIME_cmp_time_t(nb, l->s->not_before) != 0 ||
	    ASN1_TIME_cmp_time_t(na, l->s->not_after) != 0) {
		iso_time(l->s->not_before, want_nb);
		iso_time(l->s->not_after, want_na);
		return fail(l, "validity-matches-spec", "validity differs "
		    "from the script's, expected notBefore %s and notAfter %s",
		    want_nb, want_na);
	}
	return ANC_OK;
}

int
anc_lint_root_validity(struct lint *l)
{
	int days = 0, secs = 0;

	/* No CA/B Forum day ranges: these are private trust anchors.  Only
	 * the ceremony format's own ceiling applies. */
	if (!is_root(l))
		return ANC_OK;
	if (ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(l->x),
	    X509_get0_notAfter(l->x)) != 1 ||
	    (unsigned long long)days * 86400 + (unsigned long long)secs >
	    ANC_CER_VALIDITY_MAX)
		return fail(l, "root-validity", "validity of %d days, "
		    "expected at most %llu", days,
		    (unsigned long long)(ANC_CER_VALIDITY_MAX / 86400));
	return ANC_OK;
}

void
anc_validity_fit(const X509 *issuer, time_t not_before, char *buf, size_t cap)
{
	time_t na;

	if (anc_asn1_time(X509_get0_notAfter(issuer), &na) != 0 ||
	    na == (time_t)-1) {
		snprintf(buf, cap, "no later than the issuer's notAfter");
		return;
	}
	if (na - not_before < 3600)
		snprintf(buf, cap, "none: the issuer expires within the hour");
	else
		snprintf(buf, cap, "at most %lldh",
		    (long long)((na - not_before) / 3600));
}

int
anc_lint_within_issuer(struct lint *l)
{
	const X509 *is = l->s->issuer;
	char fit[64], na[ANC_RFC3339_LEN];

	if (is_root(l))
		return ANC_OK;
	if (ASN1_TIME_compare(X509_get0_notAfter(l->x),
	    X509_get0_notAfter(is)) > 0) {
		anc_validity_fit(is, l->s->not_before, fit, sizeof(fit));
		if (anc_asn1_time_put(X509_get0_notAfter(is), na) != 0)
			snprintf(na, sizeof(na), "?");
		return fail(l, "validity-within-issuer", "notAfter later than "
		    "the issuer's (%s), expected it no later: validity %s "
		    "from now", na, fit);
	}
	if (ASN1_TIME_compare(X509_get0_notBefore(l->x),
	    X509_get0_notBefore(is)) < 0)
		return fail(l, "validity-within-issuer", "notBefore earlier "
		    "than the issuer's, expected it no earlier");
	return ANC_OK;
}
