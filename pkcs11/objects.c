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

/*
 * C_GetAttributeValue answers every attribute of a template even when it
 * returns one of these (PKCS#11 2.40, 5.7): each it cannot give is marked
 * CK_UNAVAILABLE_INFORMATION and the others are read.
 */
static int
template_rv_ok(CK_RV rv)
{
	return rv == CKR_OK || rv == CKR_ATTRIBUTE_SENSITIVE ||
	    rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_BUFFER_TOO_SMALL;
}

void
anc_p11_attrs_free(CK_ATTRIBUTE *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].pValue);
		a[i].pValue = NULL;
		a[i].ulValueLen = 0;
	}
}

int
anc_p11_attrs(struct anc_token *t, CK_OBJECT_HANDLE h, CK_ATTRIBUTE *a,
    size_t n, struct anc_err *err)
{
	CK_RV rv;
	size_t i;

	for (i = 0; i < n; i++) {
		a[i].pValue = NULL;
		a[i].ulValueLen = 0;
	}
	/* Two calls whatever n is: every size, then every value.  SoftHSM2
	 * reads the object's file again for each call. */
	rv = t->m->fl->C_GetAttributeValue(t->session, h, a, (CK_ULONG)n);
	if (!template_rv_ok(rv))
		return anc_err_ckr(err, ANC_E_PKCS11, rv,
		    "C_GetAttributeValue failed");
	for (i = 0; i < n; i++) {
		if (a[i].ulValueLen == CK_UNAVAILABLE_INFORMATION) {
			a[i].ulValueLen = 0;
			continue;
		}
		if ((a[i].pValue = malloc(a[i].ulValueLen + 1)) == NULL) {
			anc_p11_attrs_free(a, n);
			return anc_err_set(err, ANC_E_NOMEM, "attribute");
		}
	}
	rv = t->m->fl->C_GetAttributeValue(t->session, h, a, (CK_ULONG)n);
	if (!template_rv_ok(rv)) {
		anc_p11_attrs_free(a, n);
		return anc_err_ckr(err, ANC_E_PKCS11, rv,
		    "C_GetAttributeValue failed");
	}
	for (i = 0; i < n; i++) {
		if (a[i].pValue == NULL ||
		    a[i].ulValueLen == CK_UNAVAILABLE_INFORMATION) {
			free(a[i].pValue);
			a[i].pValue = NULL;
			a[i].ulValueLen = 0;
			continue;
		}
		((unsigned char *)a[i].pValue)[a[i].ulValueLen] = '\0';
	}
	return ANC_OK;
}

/* Boolean attributes of a key; one a token does not know reads as -1
 * without hiding the others. */
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
	B(CKA_DERIVE, derive), B(CKA_WRAP_WITH_TRUSTED, wrap_with_trusted),
	B(CKA_TRUSTED, trusted),
	B(CKA_ALWAYS_AUTHENTICATE, always_authenticate),
#undef B
};

#define NBOOLS (sizeof(bool_attrs) / sizeof(bool_attrs[0]))

/* The fixed-size attributes of a key, in one call. */
struct fixed {
	CK_OBJECT_CLASS cls;
	CK_KEY_TYPE kt;
	CK_ULONG bits;		/* CKA_MODULUS_BITS, RSA public keys */
	CK_BBOOL b[NBOOLS];
};

static void
read_fixed(struct anc_token *t, CK_OBJECT_HANDLE h, struct fixed *f,
    struct anc_key_info *ki)
{
	CK_ATTRIBUTE a[3 + NBOOLS] = {
		{ CKA_CLASS, &f->cls, sizeof(f->cls) },
		{ CKA_KEY_TYPE, &f->kt, sizeof(f->kt) },
		{ CKA_MODULUS_BITS, &f->bits, sizeof(f->bits) },
	};
	CK_RV rv;
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < NBOOLS; i++) {
		a[3 + i].type = bool_attrs[i].type;
		a[3 + i].pValue = &f->b[i];
		a[3 + i].ulValueLen = sizeof(f->b[i]);
	}
	rv = t->m->fl->C_GetAttributeValue(t->session, h, a,
	    (CK_ULONG)(sizeof(a) / sizeof(a[0])));
	/* Whatever the token could not give is unknown, as if absent. */
	if (!template_rv_ok(rv))
		for (i = 0; i < sizeof(a) / sizeof(a[0]); i++)
			a[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
	if (a[0].ulValueLen != sizeof(f->cls))
		f->cls = (CK_OBJECT_CLASS)-1;
	if (a[1].ulValueLen != sizeof(f->kt))
		f->kt = (CK_KEY_TYPE)-1;
	if (a[2].ulValueLen != sizeof(f->bits))
		f->bits = 0;
	for (i = 0; i < NBOOLS; i++)
		*(int *)((char *)ki + bool_attrs[i].off) =
		    a[3 + i].ulValueLen == sizeof(CK_BBOOL) ?
		    (f->b[i] ? 1 : 0) : -1;
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

static void
key_type(const struct fixed *f, const CK_ATTRIBUTE *params,
    const CK_ATTRIBUTE *modulus, struct anc_key_info *ki)
{
	CK_ULONG bits = f->bits;
	size_t len = params->ulValueLen;

	if (f->kt == CKK_EC) {
		if (len == sizeof(oid_p256) &&
		    memcmp(params->pValue, oid_p256, len) == 0)
			ki->alg = ANC_KEY_EC_P256;
		else if (len == sizeof(oid_p384) &&
		    memcmp(params->pValue, oid_p384, len) == 0)
			ki->alg = ANC_KEY_EC_P384;
		snprintf(ki->type, sizeof(ki->type), "EC %s",
		    ki->alg == ANC_KEY_EC_P256 ? "P-256" :
		    ki->alg == ANC_KEY_EC_P384 ? "P-384" : "other curve");
		return;
	}
	if (f->kt == CKK_RSA) {
		/* Private keys have no CKA_MODULUS_BITS: the modulus says. */
		if (modulus->ulValueLen > 0)
			bits = (CK_ULONG)modulus->ulValueLen * 8;
		ki->alg = bits == 3072 ? ANC_KEY_RSA_3072 :
		    bits == 4096 ? ANC_KEY_RSA_4096 : ANC_KEY_NONE;
		snprintf(ki->type, sizeof(ki->type), "RSA %lu",
		    (unsigned long)bits);
		return;
	}
	snprintf(ki->type, sizeof(ki->type), "key type 0x%lx",
	    (unsigned long)f->kt);
}

int
anc_p11_key_info(struct anc_token *t, CK_OBJECT_HANDLE h,
    struct anc_key_info *ki, struct anc_err *err)
{
	struct fixed f;
	CK_ATTRIBUTE v[] = {
		{ CKA_LABEL, NULL, 0 }, { CKA_ID, NULL, 0 },
		{ CKA_EC_PARAMS, NULL, 0 }, { CKA_MODULUS, NULL, 0 },
	};
	int r;

	memset(ki, 0, sizeof(*ki));
	read_fixed(t, h, &f, ki);
	ki->is_private = f.cls == CKO_PRIVATE_KEY;
	if ((r = anc_p11_attrs(t, h, v, sizeof(v) / sizeof(v[0]), err)) !=
	    ANC_OK)
		return r;
	anc_p11_str(ki->label, sizeof(ki->label), v[0].pValue,
	    v[0].ulValueLen);
	ki->id_len = v[1].ulValueLen < sizeof(ki->id) ? v[1].ulValueLen :
	    sizeof(ki->id);
	if (ki->id_len > 0)
		memcpy(ki->id, v[1].pValue, ki->id_len);
	key_type(&f, &v[2], &v[3], ki);
	anc_p11_attrs_free(v, sizeof(v) / sizeof(v[0]));
	return ANC_OK;
}
