/*
 * anchorage: when a module refuses the key template.
 *
 * PKCS#11 says only that the template was refused
 * (CKR_ATTRIBUTE_TYPE_INVALID, CKR_TEMPLATE_INCONSISTENT, ...), not which
 * attribute.  The officers need the name, so for EC keys (fast to make) the
 * same generation is tried again as session objects (CKA_TOKEN false,
 * gone with the session and destroyed at once), leaving out one attribute
 * at a time: the one whose absence is accepted is named.  Nothing is
 * stored in the token.  RSA keys take minutes on some HSMs, so for them
 * the template is listed instead.
 */
#include <stdio.h>
#include <string.h>

#include "anchorage/err.h"
#include "p11_int.h"

#define TMPL_MAX 16

static const struct {
	CK_ATTRIBUTE_TYPE type;
	const char *name;
} names[] = {
	{ CKA_TOKEN, "CKA_TOKEN" }, { CKA_PRIVATE, "CKA_PRIVATE" },
	{ CKA_LABEL, "CKA_LABEL" }, { CKA_ID, "CKA_ID" },
	{ CKA_SENSITIVE, "CKA_SENSITIVE" }, { CKA_SIGN, "CKA_SIGN" },
	{ CKA_VERIFY, "CKA_VERIFY" }, { CKA_ENCRYPT, "CKA_ENCRYPT" },
	{ CKA_DECRYPT, "CKA_DECRYPT" }, { CKA_WRAP, "CKA_WRAP" },
	{ CKA_UNWRAP, "CKA_UNWRAP" }, { CKA_DERIVE, "CKA_DERIVE" },
	{ CKA_EXTRACTABLE, "CKA_EXTRACTABLE" },
	{ CKA_EC_PARAMS, "CKA_EC_PARAMS" },
	{ CKA_MODULUS_BITS, "CKA_MODULUS_BITS" },
	{ CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT" },
};

static const char *
attr_name(CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return "an attribute";
}

/* "CKA_X=TRUE" for a boolean, "CKA_X" otherwise. */
static void
attr_text(const CK_ATTRIBUTE *a, char *buf, size_t cap)
{
	if (a->ulValueLen == sizeof(CK_BBOOL))
		snprintf(buf, cap, "%s=%s", attr_name(a->type),
		    *(const CK_BBOOL *)a->pValue ? "TRUE" : "FALSE");
	else
		snprintf(buf, cap, "%s", attr_name(a->type));
}

static int
refusal(CK_RV rv)
{
	return rv == CKR_ATTRIBUTE_TYPE_INVALID ||
	    rv == CKR_ATTRIBUTE_VALUE_INVALID ||
	    rv == CKR_TEMPLATE_INCONSISTENT || rv == CKR_TEMPLATE_INCOMPLETE;
}

/* Copy `src` without attributes of type `skip`, as session objects. */
static CK_ULONG
session_copy(const CK_ATTRIBUTE *src, CK_ULONG n, CK_ATTRIBUTE_TYPE skip,
    CK_ATTRIBUTE *dst)
{
	static CK_BBOOL no = CK_FALSE;
	CK_ULONG i, m = 0;

	for (i = 0; i < n && m < TMPL_MAX; i++) {
		if (src[i].type == skip)
			continue;
		dst[m] = src[i];
		if (src[i].type == CKA_TOKEN)
			dst[m].pValue = &no;
		m++;
	}
	return m;
}

/* Generate session objects without attribute `skip` in either half;
 * CKR_OK if the module took it (the objects are destroyed at once). */
static CK_RV
try_without(struct anc_token *t, CK_MECHANISM *mech, const CK_ATTRIBUTE *pub,
    CK_ULONG npub, const CK_ATTRIBUTE *priv, CK_ULONG npriv,
    CK_ATTRIBUTE_TYPE skip)
{
	CK_ATTRIBUTE p[TMPL_MAX], q[TMPL_MAX];
	CK_OBJECT_HANDLE hp, hq;
	CK_ULONG np, nq;
	CK_RV rv;

	np = session_copy(pub, npub, skip, p);
	nq = session_copy(priv, npriv, skip, q);
	rv = t->m->fl->C_GenerateKeyPair(t->session, mech, p, np, q, nq, &hp,
	    &hq);
	if (rv == CKR_OK) {
		(void)t->m->fl->C_DestroyObject(t->session, hq);
		(void)t->m->fl->C_DestroyObject(t->session, hp);
	}
	return rv;
}

int
anc_p11_template_refused(struct anc_token *t, CK_MECHANISM *mech,
    const CK_ATTRIBUTE *pub, CK_ULONG npub, const CK_ATTRIBUTE *priv,
    CK_ULONG npriv, const char *label, const char *alg, CK_RV rv,
    struct anc_err *err)
{
	char one[48], list[512] = "";
	size_t n = 0;
	CK_ULONG i;

	if (!refusal(rv))
		return anc_err_ckr(err, rv == CKR_DEVICE_REMOVED ?
		    ANC_E_NOTOKEN : ANC_E_PKCS11, rv, "generate-key \"%s\" "
		    "(%s): C_GenerateKeyPair failed", label, alg);
	for (i = 0; mech->mechanism == CKM_EC_KEY_PAIR_GEN &&
	    i < npub + npriv; i++) {
		const CK_ATTRIBUTE *a = i < npub ? &pub[i] : &priv[i - npub];

		if (a->type == CKA_TOKEN || a->type == CKA_EC_PARAMS)
			continue;
		if (try_without(t, mech, pub, npub, priv, npriv, a->type) !=
		    CKR_OK)
			continue;
		attr_text(a, one, sizeof(one));
		return anc_err_ckr(err, ANC_E_TOKEN_LACKS, rv, "generate-key "
		    "\"%s\" (%s): the module refuses %s in the key template "
		    "(%s half), which anchorage sets for every root key "
		    "(docs/security.md); this is a limitation of the module; "
		    "nothing was generated (a throwaway session key without "
		    "it was accepted and destroyed); see "
		    "docs/compatibility.md", label, alg, one,
		    i < npub ? "public" : "private");
	}
	for (i = 0; i < npub + npriv && n < sizeof(list); i++) {
		attr_text(i < npub ? &pub[i] : &priv[i - npub], one,
		    sizeof(one));
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i == 0 ? "public: " : i == npub ? "; private: " : ", ", one);
	}
	return anc_err_ckr(err, ANC_E_TOKEN_LACKS, rv, "generate-key \"%s\" "
	    "(%s): the module refuses anchorage's key template, a limitation "
	    "of the module; nothing was generated; the template was %s; see "
	    "docs/compatibility.md", label, alg, list);
}
