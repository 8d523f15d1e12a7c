/*
 * anchorage: what the files of the certificate lints share (lint.c, the
 * rule table and the entry points, with the rules on names, keys and the
 * signature algorithm; lint_time.c, the rules on validity; lint_ext.c,
 * the rules on extensions).
 */
#ifndef ANCHORAGE_LINT_INT_H
#define ANCHORAGE_LINT_INT_H

#include <stdarg.h>
#include <stdio.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "profile.h"

/* What a rule sees: the certificate, its spec, decoded extensions. */
struct lint {
	X509 *x;
	const struct anc_cert_spec *s;
	int signed_;
	EVP_PKEY *signer_pub;		/* borrowed: issuer's key, or own */
	const X509_NAME *want_subject;
	X509_NAME *own_subject;	/* want_subject when built here */
	BASIC_CONSTRAINTS *bc;
	int bc_crit;			/* -1 absent, -2 repeated */
	ASN1_BIT_STRING *ku;
	int ku_crit;
	ASN1_OCTET_STRING *skid;
	int skid_crit;
	AUTHORITY_KEYID *akid;
	int akid_crit;
	struct anc_err *err;
};

/* "lint RULE: WHAT" as an ANC_E_LINT error; returns its code.  Inline so
 * the rule files share it without calling back into lint.c. */
static inline int
fail(struct lint *l, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline int
fail(struct lint *l, const char *rule, const char *fmt, ...)
{
	char what[ANC_ERR_MSG_MAX - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return anc_err_set(l->err, ANC_E_LINT, "lint %s: %s", rule, what);
}

static inline int
is_root(const struct lint *l)
{
	return l->s->profile == ANC_PROFILE_ROOT;
}

/* The rules of lint_time.c and lint_ext.c, in lint.c's table; each
 * returns ANC_OK or fails through fail(). */
ANC_MUST_CHECK
int anc_lint_validity_encoding(struct lint *l);
ANC_MUST_CHECK
int anc_lint_validity(struct lint *l);
ANC_MUST_CHECK
int anc_lint_root_validity(struct lint *l);
ANC_MUST_CHECK
int anc_lint_within_issuer(struct lint *l);
ANC_MUST_CHECK
int anc_lint_extension_set(struct lint *l);
ANC_MUST_CHECK
int anc_lint_constraints(struct lint *l);
ANC_MUST_CHECK
int anc_lint_bc(struct lint *l);
ANC_MUST_CHECK
int anc_lint_ku(struct lint *l);
ANC_MUST_CHECK
int anc_lint_skid(struct lint *l);
ANC_MUST_CHECK
int anc_lint_akid(struct lint *l);

#endif /* ANCHORAGE_LINT_INT_H */
