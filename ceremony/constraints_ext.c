/*
 * anchorage: the nameConstraints and extendedKeyUsage extensions of an
 * issuing CA; see constraints.h.  The extensions are built from the
 * script's spec alone and linted by comparing DER with what that spec
 * encodes to, so what the reviewers approved is what is signed.  Also
 * here: a certificate's names checked against its issuer's extension, as
 * OpenSSL's chain verification checks them (for inventory check).
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "constraints.h"
#include "constraints_int.h"

/*
 * The extensions
 */

GENERAL_NAME *
anc_nc_gen_text(int type, const char *s)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_IA5STRING *v = ASN1_IA5STRING_new();

	if (g == NULL || v == NULL ||
	    ASN1_STRING_set(v, s, (int)strlen(s)) != 1) {
		GENERAL_NAME_free(g);
		ASN1_IA5STRING_free(v);
		return NULL;
	}
	GENERAL_NAME_set0_value(g, type, v);
	return g;
}

/* An address (len bytes), or with `mask` a range as RFC 5280 encodes it:
 * the address followed by the mask. */
GENERAL_NAME *
anc_nc_gen_ip(const unsigned char *addr, int len, int prefix)
{
	unsigned char buf[32];
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	int i, n = len, bits;

	memcpy(buf, addr, (size_t)len);
	if (prefix > 0) {
		for (i = 0; i < len; i++) {
			bits = prefix - i * 8;
			buf[len + i] = (unsigned char)(bits >= 8 ? 0xff :
			    bits <= 0 ? 0 : 0xff << (8 - bits));
		}
		n = 2 * len;
	}
	if (g == NULL || v == NULL || ASN1_OCTET_STRING_set(v, buf, n) != 1) {
		GENERAL_NAME_free(g);
		ASN1_OCTET_STRING_free(v);
		return NULL;
	}
	GENERAL_NAME_set0_value(g, GEN_IPADD, v);
	return g;
}

static int
push_subtree(STACK_OF(GENERAL_SUBTREE) *sk, GENERAL_NAME *g)
{
	GENERAL_SUBTREE *st;

	if (g == NULL || (st = GENERAL_SUBTREE_new()) == NULL) {
		GENERAL_NAME_free(g);
		return -1;
	}
	GENERAL_NAME_free(st->base);
	st->base = g;	/* transferred */
	if (sk_GENERAL_SUBTREE_push(sk, st) <= 0) {
		GENERAL_SUBTREE_free(st);
		return -1;
	}
	return 0;
}

/* DNS names, then IP ranges, then e-mail domains: one fixed order. */
static STACK_OF(GENERAL_SUBTREE) *
subtrees(const struct anc_subtrees *t)
{
	STACK_OF(GENERAL_SUBTREE) *sk;
	size_t i;

	if (anc_subtrees_empty(t) ||
	    (sk = sk_GENERAL_SUBTREE_new_null()) == NULL)
		return NULL;
	for (i = 0; i < t->n_dns; i++)
		if (push_subtree(sk, anc_nc_gen_text(GEN_DNS, t->dns[i])) != 0)
			goto fail;
	for (i = 0; i < t->n_ip; i++)
		if (push_subtree(sk, anc_nc_gen_ip(t->ip[i].addr, t->ip[i].len,
		    t->ip[i].prefix)) != 0)
			goto fail;
	for (i = 0; i < t->n_email; i++)
		if (push_subtree(sk, anc_nc_gen_text(GEN_EMAIL,
		    t->email[i])) != 0)
			goto fail;
	return sk;
 fail:
	sk_GENERAL_SUBTREE_pop_free(sk, GENERAL_SUBTREE_free);
	return NULL;
}

static int
nc_build(const struct anc_constraints *nc, NAME_CONSTRAINTS **out)
{
	NAME_CONSTRAINTS *v = NAME_CONSTRAINTS_new();

	if (v == NULL)
		return -1;
	v->permittedSubtrees = subtrees(&nc->permitted);
	v->excludedSubtrees = subtrees(&nc->excluded);
	if ((v->permittedSubtrees == NULL) !=
	    anc_subtrees_empty(&nc->permitted) ||
	    (v->excludedSubtrees == NULL) !=
	    anc_subtrees_empty(&nc->excluded)) {
		NAME_CONSTRAINTS_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

EXTENDED_KEY_USAGE *
anc_nc_eku_build(unsigned eku)
{
	EXTENDED_KEY_USAGE *v = sk_ASN1_OBJECT_new_null();
	ASN1_OBJECT *o;
	int i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < ANC_EKU__COUNT; i++) {
		if ((eku & (1u << i)) == 0)
			continue;
		if ((o = OBJ_nid2obj(anc_eku_nid((enum anc_eku)i))) == NULL ||
		    sk_ASN1_OBJECT_push(v, o) <= 0) {
			sk_ASN1_OBJECT_pop_free(v, ASN1_OBJECT_free);
			return NULL;
		}
	}
	return v;
}

int
anc_nc_add_extensions(X509 *x, const struct anc_constraints *nc,
    unsigned eku, struct anc_err *err)
{
	NAME_CONSTRAINTS *v = NULL;
	EXTENDED_KEY_USAGE *k = NULL;
	int r = ANC_OK;

	if (!anc_nc_empty(nc)) {
		/* Critical: RFC 5280 4.2.1.10 requires it, so a verifier that
		 * cannot enforce the constraints refuses the chain. */
		if (nc_build(nc, &v) != 0 ||
		    X509_add1_ext_i2d(x, NID_name_constraints, v, 1,
		    X509V3_ADD_DEFAULT) != 1)
			r = anc_err_ossl(err, ANC_E_CRYPTO,
			    "certificate: cannot add nameConstraints");
	}
	if (r == ANC_OK && eku != 0) {
		if ((k = anc_nc_eku_build(eku)) == NULL ||
		    X509_add1_ext_i2d(x, NID_ext_key_usage, k, 0,
		    X509V3_ADD_DEFAULT) != 1)
			r = anc_err_ossl(err, ANC_E_CRYPTO,
			    "certificate: cannot add extendedKeyUsage");
	}
	NAME_CONSTRAINTS_free(v);
	sk_ASN1_OBJECT_pop_free(k, ASN1_OBJECT_free);
	return r;
}

/*
 * Lint
 */

/* The extension's value DER against what `want` encodes to. */
static int
ext_is(X509 *x, int nid, const void *want, const ASN1_ITEM *it, int *crit)
{
	X509_EXTENSION *ext;
	const ASN1_OCTET_STRING *have;
	unsigned char *der = NULL;
	int i, n, same;

	if ((i = X509_get_ext_by_NID(x, nid, -1)) < 0)
		return -1;
	ext = X509_get_ext(x, i);
	*crit = X509_EXTENSION_get_critical(ext);
	have = X509_EXTENSION_get_data(ext);
	if ((n = ASN1_item_i2d((const ASN1_VALUE *)want, &der, it)) <= 0)
		return 0;
	same = ASN1_STRING_length(have) == n &&
	    memcmp(ASN1_STRING_get0_data(have), der, (size_t)n) == 0;
	OPENSSL_free(der);
	return same;
}

static int
lint_fail(struct anc_err *err, const char *rule, const char *what)
{
	return anc_err_set(err, ANC_E_LINT, "lint %s: %s", rule, what);
}

int
anc_nc_lint(X509 *x, const struct anc_constraints *nc, unsigned eku,
    struct anc_err *err)
{
	NAME_CONSTRAINTS *v = NULL;
	EXTENDED_KEY_USAGE *k = NULL;
	int crit = 0, same, r = ANC_OK;

	if (anc_nc_empty(nc)) {
		if (X509_get_ext_by_NID(x, NID_name_constraints, -1) >= 0)
			r = lint_fail(err, "nc-matches-spec", "nameConstraints "
			    "present, expected none: the script gives none");
	} else if (nc_build(nc, &v) != 0) {
		r = anc_err_ossl(err, ANC_E_NOMEM, "lint: nameConstraints");
	} else if ((same = ext_is(x, NID_name_constraints, v,
	    ASN1_ITEM_rptr(NAME_CONSTRAINTS), &crit)) < 0 || !crit) {
		r = lint_fail(err, "nc-present-critical", same < 0 ?
		    "nameConstraints absent, expected present and critical" :
		    "nameConstraints not critical, expected present and "
		    "critical");
	} else if (!same) {
		r = lint_fail(err, "nc-matches-spec", "nameConstraints differ "
		    "from the script's name-constraints, expected exactly "
		    "those subtrees");
	}
	if (r != ANC_OK)
		goto out;
	if (eku == 0) {
		/* lint.c's no-eku rule refuses an EKU the script did not ask
		 * for. */
		goto out;
	}
	if ((k = anc_nc_eku_build(eku)) == NULL) {
		r = anc_err_ossl(err, ANC_E_NOMEM, "lint: extendedKeyUsage");
		goto out;
	}
	same = ext_is(x, NID_ext_key_usage, k,
	    ASN1_ITEM_rptr(EXTENDED_KEY_USAGE), &crit);
	if (same != 1 || crit)
		r = lint_fail(err, "eku-matches-spec", same < 0 ?
		    "extendedKeyUsage absent, expected the script's limit" :
		    crit ? "extendedKeyUsage critical, expected not critical" :
		    "extendedKeyUsage differs from the script's limit");
 out:
	NAME_CONSTRAINTS_free(v);
	sk_ASN1_OBJECT_pop_free(k, ASN1_OBJECT_free);
	return r;
}

int
anc_nc_check_leaf(X509 *leaf, X509 *issuer)
{
	NAME_CONSTRAINTS *nc;
	int crit = -1, rv;

	nc = X509_get_ext_d2i(issuer, NID_name_constraints, &crit, NULL);
	if (nc == NULL) {
		ERR_clear_error();
		return X509_V_OK;
	}
	rv = NAME_CONSTRAINTS_check(leaf, nc);
	if (rv == X509_V_OK)
		rv = NAME_CONSTRAINTS_check_CN(leaf, nc);
	NAME_CONSTRAINTS_free(nc);
	return rv;
}
