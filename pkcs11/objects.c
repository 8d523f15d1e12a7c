/*
 * anchorage: finding objects and reading their attributes, with raw
 * PKCS#11 calls (libp11 0.4.12 exposes neither attributes nor handles).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "p11_int.h"

int
anc_p11_find(struct anc_token *t, CK_ULONG cls, const char *label,
    const unsigned char *id, size_t id_len, CK_OBJECT_HANDLE *out,
    size_t cap, size_t *n, struct anc_err *err)
{
	CK_FUNCTION_LIST_PTR fl = t->m->fl;
	CK_ATTRIBUTE tmpl[3];
	CK_OBJECT_HANDLE h[16];
	CK_ULONG ntmpl = 0, got, i;
	CK_RV rv;
	size_t total = 0;

	if (cls != (CK_ULONG)-1) {
		tmpl[ntmpl].type = CKA_CLASS;
		tmpl[ntmpl].pValue = &cls;
		tmpl[ntmpl++].ulValueLen = sizeof(cls);
	}
	if (label != NULL) {
		tmpl[ntmpl].type = CKA_LABEL;
		tmpl[ntmpl].pValue = (void *)(uintptr_t)label;
		tmpl[ntmpl++].ulValueLen = strlen(label);
	}
	if (id != NULL && id_len > 0) {
		tmpl[ntmpl].type = CKA_ID;
		tmpl[ntmpl].pValue = (void *)(uintptr_t)id;
		tmpl[ntmpl++].ulValueLen = id_len;
	}
	rv = fl->C_FindObjectsInit(t->session, tmpl, ntmpl);
	if (rv != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv,
		    "C_FindObjectsInit failed");
	do {
		rv = fl->C_FindObjects(t->session, h, 16, &got);
		if (rv != CKR_OK)
			break;
		for (i = 0; i < got; i++, total++)
			if (total < cap)
				out[total] = h[i];
	} while (got > 0);
	(void)fl->C_FindObjectsFinal(t->session);
	if (rv != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv,
		    "C_FindObjects failed");
	*n = total;
	return ANC_OK;
}

/* The one object of class `cls` labelled `label`. */
int
anc_p11_find_one(struct anc_token *t, CK_ULONG cls, const char *label,
    CK_OBJECT_HANDLE *h, struct anc_err *err)
{
	size_t n = 0;
	int r;

	if ((r = anc_p11_find(t, cls, label, NULL, 0, h, 1, &n, err)) !=
	    ANC_OK)
		return r;
	if (n == 0)
		return anc_err_set(err, ANC_E_NOKEY, "key \"%s\": no %s key "
		    "with this label in the token", label,
		    cls == CKO_PRIVATE_KEY ? "private" : "public");
	if (n > 1)
		return anc_err_set(err, ANC_E_UNSAFE, "key \"%s\": %zu %s keys "
		    "carry this label; refusing to guess", label, n,
		    cls == CKO_PRIVATE_KEY ? "private" : "public");
	return ANC_OK;
}

int
anc_p11_attr(struct anc_token *t, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type,
    unsigned char **out, size_t *len, struct anc_err *err)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv;

	*out = NULL;
	*len = 0;
	rv = t->m->fl->C_GetAttributeValue(t->session, h, &a, 1);
	if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
	    a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return ANC_OK;
	if (rv != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv,
		    "C_GetAttributeValue failed");
	if ((a.pValue = malloc(a.ulValueLen + 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "attribute");
	rv = t->m->fl->C_GetAttributeValue(t->session, h, &a, 1);
	if (rv != CKR_OK) {
		free(a.pValue);
		return anc_err_ckr(err, ANC_E_PKCS11, rv,
		    "C_GetAttributeValue failed");
	}
	((unsigned char *)a.pValue)[a.ulValueLen] = '\0';
	*out = a.pValue;
	*len = a.ulValueLen;
	return ANC_OK;
}

/* Boolean attributes of a key, each read on its own so that one a token
 * does not know (-1) does not hide the others. */
static const struct {
	CK_ATTRIBUTE_TYPE type;
	size_t off;
} bool_attrs[] = {
#define B(t, f) { t, offsetof(struct anc_key_info, f) }
	B(CKA_TOKEN, token), B(CKA_PRIVATE, private_),
	B(CKA_MODIFIABLE, modifiable), B(CKA_SENSITIVE, sensitive),
	B(CKA_EXTRACTABLE, extractable),
	B(CKA_ALWAYS_SENSITIVE, always_sensitive),
	B(CKA_NEVER_EXTRACTABLE, never_extractable), B(CKA_LOCAL, local),
	B(CKA_SIGN, sign), B(CKA_VERIFY, verify), B(CKA_DECRYPT, decrypt),
	B(CKA_ENCRYPT, encrypt), B(CKA_UNWRAP, unwrap), B(CKA_WRAP, wrap),
	B(CKA_DERIVE, derive),
#undef B
};

static void
read_bools(struct anc_token *t, CK_OBJECT_HANDLE h, struct anc_key_info *ki)
{
	CK_BBOOL v;
	CK_ATTRIBUTE a;
	size_t i;

	for (i = 0; i < sizeof(bool_attrs) / sizeof(bool_attrs[0]); i++) {
		a.type = bool_attrs[i].type;
		a.pValue = &v;
		a.ulValueLen = sizeof(v);
		*(int *)((char *)ki + bool_attrs[i].off) =
		    t->m->fl->C_GetAttributeValue(t->session, h, &a, 1) ==
		    CKR_OK && a.ulValueLen == sizeof(v) ? (v ? 1 : 0) : -1;
	}
}

/* DER OIDs of the curves we generate (CKA_EC_PARAMS). */
static const unsigned char oid_p256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const unsigned char oid_p384[] = {
	0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22
};

const unsigned char *
anc_p11_curve_oid(enum anc_keyalg alg, size_t *len)
{
	if (alg == ANC_KEY_EC_P256) {
		*len = sizeof(oid_p256);
		return oid_p256;
	}
	if (alg == ANC_KEY_EC_P384) {
		*len = sizeof(oid_p384);
		return oid_p384;
	}
	*len = 0;
	return NULL;
}

static int
key_type(struct anc_token *t, CK_OBJECT_HANDLE h, struct anc_key_info *ki,
    struct anc_err *err)
{
	CK_KEY_TYPE kt = (CK_KEY_TYPE)-1;
	CK_ULONG bits = 0;
	CK_ATTRIBUTE a = { CKA_KEY_TYPE, &kt, sizeof(kt) };
	unsigned char *v = NULL;
	size_t len = 0;
	int r;

	(void)t->m->fl->C_GetAttributeValue(t->session, h, &a, 1);
	if (kt == CKK_EC) {
		if ((r = anc_p11_attr(t, h, CKA_EC_PARAMS, &v, &len, err)) !=
		    ANC_OK)
			return r;
		if (len == sizeof(oid_p256) && memcmp(v, oid_p256, len) == 0)
			ki->alg = ANC_KEY_EC_P256;
		else if (len == sizeof(oid_p384) &&
		    memcmp(v, oid_p384, len) == 0)
			ki->alg = ANC_KEY_EC_P384;
		snprintf(ki->type, sizeof(ki->type), "EC %s",
		    ki->alg == ANC_KEY_EC_P256 ? "P-256" :
		    ki->alg == ANC_KEY_EC_P384 ? "P-384" : "other curve");
		free(v);
		return ANC_OK;
	}
	if (kt == CKK_RSA) {
		if ((r = anc_p11_attr(t, h, CKA_MODULUS, &v, &len, err)) !=
		    ANC_OK)
			return r;
		bits = (CK_ULONG)len * 8;
		if (len == 0) {
			a.type = CKA_MODULUS_BITS;
			a.pValue = &bits;
			a.ulValueLen = sizeof(bits);
			(void)t->m->fl->C_GetAttributeValue(t->session, h,
			    &a, 1);
		}
		ki->alg = bits == 3072 ? ANC_KEY_RSA_3072 :
		    bits == 4096 ? ANC_KEY_RSA_4096 : ANC_KEY_NONE;
		snprintf(ki->type, sizeof(ki->type), "RSA %lu",
		    (unsigned long)bits);
		free(v);
		return ANC_OK;
	}
	snprintf(ki->type, sizeof(ki->type), "key type 0x%lx",
	    (unsigned long)kt);
	return ANC_OK;
}

int
anc_p11_key_info(struct anc_token *t, CK_OBJECT_HANDLE h,
    struct anc_key_info *ki, struct anc_err *err)
{
	CK_OBJECT_CLASS cls = (CK_OBJECT_CLASS)-1;
	CK_ATTRIBUTE a = { CKA_CLASS, &cls, sizeof(cls) };
	unsigned char *v = NULL;
	size_t len = 0;
	int r;

	memset(ki, 0, sizeof(*ki));
	(void)t->m->fl->C_GetAttributeValue(t->session, h, &a, 1);
	ki->is_private = cls == CKO_PRIVATE_KEY;
	if ((r = anc_p11_attr(t, h, CKA_LABEL, &v, &len, err)) != ANC_OK)
		return r;
	anc_p11_str(ki->label, sizeof(ki->label), v, len);
	free(v);
	if ((r = anc_p11_attr(t, h, CKA_ID, &v, &len, err)) != ANC_OK)
		return r;
	ki->id_len = len < sizeof(ki->id) ? len : sizeof(ki->id);
	if (ki->id_len > 0)
		memcpy(ki->id, v, ki->id_len);
	free(v);
	read_bools(t, h, ki);
	return key_type(t, h, ki, err);
}
