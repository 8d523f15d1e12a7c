/*
 * anchorage: the lints on a certificate's extensions: the set allowed for
 * its profile, basic constraints and path length, key usage, the key
 * identifiers and the name constraints.
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

int
anc_lint_extension_set(struct lint *l)
{
	enum { N_ALLOWED = 6 };
	int seen[N_ALLOWED] = { 0 };
	static const int allowed[N_ALLOWED] = { NID_basic_constraints,
	    NID_key_usage, NID_subject_key_identifier,
	    NID_authority_key_identifier, NID_name_constraints,
	    NID_ext_key_usage };
	int i, j, n = X509_get_ext_count(l->x), nid;

	/* An EKU limit and name constraints only when the spec has them;
	 * constraints.c checks their contents. */
	if (l->s->eku == 0 &&
	    X509_get_ext_by_NID(l->x, NID_ext_key_usage, -1) >= 0)
		return fail(l, "no-eku", "extendedKeyUsage present, expected "
		    "none on a CA certificate without an EKU limit");
	for (i = 0; i < n; i++) {
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(
		    X509_get_ext(l->x, i)));
		for (j = 0; j < N_ALLOWED && allowed[j] != nid; j++)
			continue;
		if (j == N_ALLOWED || (nid == NID_name_constraints &&
		    (l->s->nc == NULL || anc_nc_empty(l->s->nc))))
			return fail(l, "no-unknown-extensions", "extension %s "
			    "present, expected only basicConstraints, "
			    "keyUsage, subjectKeyIdentifier, "
			    "authorityKeyIdentifier and the script's name "
			    "constraints and EKU limit", nid == NID_undef ?
			    "(unknown OID)" : OBJ_nid2sn(nid));
		if (seen[j]++ > 0)
			return fail(l, "ext-unique", "%s appears twice, "
			    "expected each extension once", OBJ_nid2sn(nid));
	}
	return ANC_OK;
}

int
anc_lint_constraints(struct lint *l)
{
	static const struct anc_constraints none;

	return anc_nc_lint(l->x, l->s->nc != NULL ? l->s->nc : &none,
	    l->s->eku, l->err);
}

static int
pathlen_of(const BASIC_CONSTRAINTS *bc, long *v)
{
	if (bc->pathlen == NULL) {
		*v = ANC_PATHLEN_NONE;
		return 0;
	}
	if (ASN1_STRING_type(bc->pathlen) != V_ASN1_INTEGER)
		return -1;
	*v = ASN1_INTEGER_get(bc->pathlen);
	return *v < 0 || *v > 255 ? -1 : 0;
}

static int
rule_bc_issuer(struct lint *l, long have)
{
	BASIC_CONSTRAINTS *ibc;
	long ip = ANC_PATHLEN_NONE;
	int crit = -1, bad;

	if (is_root(l))
		return ANC_OK;
	ibc = X509_get_ext_d2i(l->s->issuer, NID_basic_constraints, &crit,
	    NULL);
	bad = ibc == NULL || pathlen_of(ibc, &ip) != 0;
	BASIC_CONSTRAINTS_free(ibc);
	if (bad || ip == ANC_PATHLEN_NONE)
		return ANC_OK;	/* rule issuer-ca has judged the issuer */
	if (ip == 0)
		return fail(l, "bc-pathlen", "issuer has pathLenConstraint 0, "
		    "expected an issuer that may certify CAs");
	if (have == ANC_PATHLEN_NONE)
		return fail(l, "bc-pathlen", "no pathLenConstraint under an "
		    "issuer with pathLenConstraint %ld, expected at most %ld",
		    ip, ip - 1);
	if (have >= ip)
		return fail(l, "bc-pathlen", "pathLenConstraint %ld under an "
		    "issuer with pathLenConstraint %ld, expected at most %ld",
		    have, ip, ip - 1);
	return ANC_OK;
}

int
anc_lint_bc(struct lint *l)
{
	long have;

	if (l->bc == NULL || l->bc_crit != 1)
		return fail(l, "bc-present-critical", "basicConstraints %s, "
		    "expected present and critical", l->bc == NULL ?
		    "absent" : "not critical");
	if (!l->bc->ca)
		return fail(l, "bc-ca-true", "basicConstraints CA:FALSE, "
		    "expected CA:TRUE");
	if (pathlen_of(l->bc, &have) != 0)
		return fail(l, "bc-pathlen", "pathLenConstraint out of range, "
		    "expected 0 to 255");
	if (have != l->s->path_length) {
		if (l->s->path_length == ANC_PATHLEN_NONE)
			return fail(l, "bc-pathlen", "pathLenConstraint %ld, "
			    "expected none", have);
		if (have == ANC_PATHLEN_NONE)
			return fail(l, "bc-pathlen", "no pathLenConstraint, "
			    "expected %d", l->s->path_length);
		return fail(l, "bc-pathlen", "pathLenConstraint %ld, "
		    "expected %d", have, l->s->path_length);
	}
	return rule_bc_issuer(l, have);
}

int
anc_lint_ku(struct lint *l)
{
	int i, bits;

	if (l->ku == NULL || l->ku_crit != 1)
		return fail(l, "ku-present-critical", "keyUsage %s, expected "
		    "present and critical", l->ku == NULL ? "absent" :
		    "not critical");
	bits = ASN1_STRING_length(l->ku) * 8;
	for (i = 0; i < bits; i++)
		if (ASN1_BIT_STRING_get_bit(l->ku, i) != (i == 5 || i == 6))
			return fail(l, "ku-exact", "keyUsage bit %d %s, "
			    "expected exactly keyCertSign and cRLSign", i,
			    ASN1_BIT_STRING_get_bit(l->ku, i) ? "set" :
			    "clear");
	if (bits == 0)
		return fail(l, "ku-exact", "keyUsage empty, expected exactly "
		    "keyCertSign and cRLSign");
	return ANC_OK;
}

int
anc_lint_skid(struct lint *l)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (l->skid == NULL)
		return fail(l, "skid-present", "no subjectKeyIdentifier, "
		    "expected one");
	if (l->skid_crit != 0)
		return fail(l, "skid-noncritical", "subjectKeyIdentifier "
		    "critical, expected non-critical (RFC 5280 4.2.1.2)");
	if (X509_pubkey_digest(l->x, EVP_sha1(), md, &len) != 1)
		return anc_err_ossl(l->err, ANC_E_CRYPTO, "lint: SHA-1");
	if ((unsigned int)ASN1_STRING_length(l->skid) != len ||
	    memcmp(ASN1_STRING_get0_data(l->skid), md, len) != 0)
		return fail(l, "skid-matches-key", "subjectKeyIdentifier is not "
		    "the key's, expected the SHA-1 of the subjectPublicKey "
		    "(RFC 5280 method 1)");
	return ANC_OK;
}

int
anc_lint_akid(struct lint *l)
{
	ASN1_OCTET_STRING *ikid;
	int crit = -1, same;

	if (is_root(l)) {
		if (l->akid_crit != -1)
			return fail(l, "akid-absent-on-root", "root with an "
			    "authorityKeyIdentifier, expected none (as step "
			    "and Go write roots)");
		return ANC_OK;
	}
	if (l->akid == NULL || l->akid_crit != 0)
		return fail(l, "akid-present", "authorityKeyIdentifier %s, "
		    "expected present and non-critical", l->akid == NULL ?
		    "absent" : "critical");
	if (l->akid->keyid == NULL || l->akid->issuer != NULL ||
	    l->akid->serial != NULL)
		return fail(l, "akid-keyid-only", "authorityKeyIdentifier with "
		    "%s, expected the keyIdentifier only", l->akid->keyid ==
		    NULL ? "no keyIdentifier" : "authorityCertIssuer or "
		    "authorityCertSerialNumber");
	ikid = X509_get_ext_d2i(l->s->issuer, NID_subject_key_identifier,
	    &crit, NULL);
	same = ikid != NULL && ASN1_OCTET_STRING_cmp(ikid, l->akid->keyid)
	    == 0;
	ASN1_OCTET_STRING_free(ikid);
	if (!same)
		return fail(l, "akid-matches-issuer-skid", "authorityKey"
		    "Identifier differs from the issuer's subjectKeyIdentifier, "
		    "expected them equal");
	return ANC_OK;
}
