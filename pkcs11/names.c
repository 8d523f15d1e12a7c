/* anchorage: names of PKCS#11 return values, mechanisms and key algorithms. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "anchorage/err.h"
#include "p11_int.h"

struct name {
	unsigned long v;
	const char *s;
};

#define N(x) { x, #x }

/* The return values an operator can meet here; others print as hex. */
static const struct name ckr_names[] = {
	N(CKR_OK), N(CKR_CANCEL), N(CKR_HOST_MEMORY), N(CKR_SLOT_ID_INVALID),
	N(CKR_GENERAL_ERROR), N(CKR_FUNCTION_FAILED), N(CKR_ARGUMENTS_BAD),
	N(CKR_ATTRIBUTE_READ_ONLY), N(CKR_ATTRIBUTE_SENSITIVE),
	N(CKR_ATTRIBUTE_TYPE_INVALID), N(CKR_ATTRIBUTE_VALUE_INVALID),
	N(CKR_DATA_INVALID), N(CKR_DATA_LEN_RANGE), N(CKR_DEVICE_ERROR),
	N(CKR_DEVICE_MEMORY), N(CKR_DEVICE_REMOVED), N(CKR_FUNCTION_CANCELED),
	N(CKR_FUNCTION_NOT_SUPPORTED), N(CKR_KEY_HANDLE_INVALID),
	N(CKR_KEY_SIZE_RANGE), N(CKR_KEY_TYPE_INCONSISTENT),
	N(CKR_KEY_FUNCTION_NOT_PERMITTED), N(CKR_MECHANISM_INVALID),
	N(CKR_MECHANISM_PARAM_INVALID), N(CKR_OBJECT_HANDLE_INVALID),
	N(CKR_OPERATION_ACTIVE), N(CKR_OPERATION_NOT_INITIALIZED),
	N(CKR_PIN_INCORRECT), N(CKR_PIN_INVALID), N(CKR_PIN_LEN_RANGE),
	N(CKR_PIN_EXPIRED), N(CKR_PIN_LOCKED), N(CKR_SESSION_CLOSED),
	N(CKR_SESSION_COUNT), N(CKR_SESSION_HANDLE_INVALID),
	N(CKR_SESSION_READ_ONLY), N(CKR_SESSION_EXISTS),
	N(CKR_SIGNATURE_INVALID), N(CKR_TEMPLATE_INCOMPLETE),
	N(CKR_TEMPLATE_INCONSISTENT), N(CKR_TOKEN_NOT_PRESENT),
	N(CKR_TOKEN_NOT_RECOGNIZED), N(CKR_TOKEN_WRITE_PROTECTED),
	N(CKR_USER_ALREADY_LOGGED_IN), N(CKR_USER_NOT_LOGGED_IN),
	N(CKR_USER_PIN_NOT_INITIALIZED), N(CKR_USER_TYPE_INVALID),
	N(CKR_RANDOM_NO_RNG), N(CKR_BUFFER_TOO_SMALL),
	N(CKR_CRYPTOKI_NOT_INITIALIZED), N(CKR_CRYPTOKI_ALREADY_INITIALIZED),
	N(CKR_FUNCTION_REJECTED), N(CKR_KEY_NOT_WRAPPABLE),
	N(CKR_KEY_UNEXTRACTABLE), N(CKR_WRAPPED_KEY_INVALID),
	N(CKR_WRAPPED_KEY_LEN_RANGE), N(CKR_UNWRAPPING_KEY_HANDLE_INVALID),
	N(CKR_UNWRAPPING_KEY_SIZE_RANGE), N(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT),
	N(CKR_WRAPPING_KEY_HANDLE_INVALID), N(CKR_WRAPPING_KEY_TYPE_INCONSISTENT),
	N(CKR_ENCRYPTED_DATA_INVALID), N(CKR_ENCRYPTED_DATA_LEN_RANGE),
};

/* Mechanisms named in token evidence: what tokens such as SoftHSM2 list. */
static const struct name mech_names[] = {
	N(CKM_RSA_PKCS_KEY_PAIR_GEN), N(CKM_RSA_PKCS), N(CKM_RSA_X_509),
	N(CKM_RSA_PKCS_OAEP), N(CKM_RSA_PKCS_PSS), N(CKM_MD5_RSA_PKCS),
	N(CKM_SHA1_RSA_PKCS), N(CKM_SHA224_RSA_PKCS), N(CKM_SHA256_RSA_PKCS),
	N(CKM_SHA384_RSA_PKCS), N(CKM_SHA512_RSA_PKCS),
	N(CKM_SHA1_RSA_PKCS_PSS), N(CKM_SHA224_RSA_PKCS_PSS),
	N(CKM_SHA256_RSA_PKCS_PSS), N(CKM_SHA384_RSA_PKCS_PSS),
	N(CKM_SHA512_RSA_PKCS_PSS),
	N(CKM_DSA_KEY_PAIR_GEN), N(CKM_DSA_PARAMETER_GEN), N(CKM_DSA),
	N(CKM_DSA_SHA1), N(CKM_DSA_SHA224), N(CKM_DSA_SHA256),
	N(CKM_DSA_SHA384), N(CKM_DSA_SHA512),
	N(CKM_DH_PKCS_KEY_PAIR_GEN), N(CKM_DH_PKCS_PARAMETER_GEN),
	N(CKM_DH_PKCS_DERIVE),
	N(CKM_EC_KEY_PAIR_GEN), N(CKM_ECDSA), N(CKM_ECDSA_SHA1),
	N(CKM_ECDSA_SHA256), N(CKM_ECDSA_SHA384), N(CKM_ECDSA_SHA512),
	N(CKM_ECDH1_DERIVE), N(CKM_EC_EDWARDS_KEY_PAIR_GEN), N(CKM_EDDSA),
	N(CKM_MD5), N(CKM_MD5_HMAC), N(CKM_SHA_1), N(CKM_SHA_1_HMAC),
	N(CKM_SHA224), N(CKM_SHA224_HMAC), N(CKM_SHA256), N(CKM_SHA256_HMAC),
	N(CKM_SHA384), N(CKM_SHA384_HMAC), N(CKM_SHA512), N(CKM_SHA512_HMAC),
	N(CKM_GENERIC_SECRET_KEY_GEN),
	N(CKM_DES_KEY_GEN), N(CKM_DES2_KEY_GEN), N(CKM_DES3_KEY_GEN),
	N(CKM_DES_ECB), N(CKM_DES_CBC), N(CKM_DES_CBC_PAD), N(CKM_DES3_ECB),
	N(CKM_DES3_CBC), N(CKM_DES3_CBC_PAD), N(CKM_DES3_CMAC),
	N(CKM_DES_ECB_ENCRYPT_DATA), N(CKM_DES_CBC_ENCRYPT_DATA),
	N(CKM_DES3_ECB_ENCRYPT_DATA), N(CKM_DES3_CBC_ENCRYPT_DATA),
	N(CKM_AES_KEY_GEN), N(CKM_AES_ECB), N(CKM_AES_CBC), N(CKM_AES_CBC_PAD),
	N(CKM_AES_CTR), N(CKM_AES_GCM), N(CKM_AES_CMAC),
	N(CKM_AES_ECB_ENCRYPT_DATA), N(CKM_AES_CBC_ENCRYPT_DATA),
	N(CKM_AES_KEY_WRAP), N(CKM_AES_KEY_WRAP_PAD), N(CKM_RSA_AES_KEY_WRAP),
};

static const char *
lookup(const struct name *t, size_t n, unsigned long v, const char *pfx,
    char *buf, size_t cap)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].s;
	snprintf(buf, cap, "%s0x%08lx", pfx, v);
	return buf;
}

const char *
anc_ckr_name(CK_RV rv)
{
	static char buf[32];

	return lookup(ckr_names, sizeof(ckr_names) / sizeof(ckr_names[0]),
	    rv, "CKR_", buf, sizeof(buf));
}

const char *
anc_rv_name(unsigned long rv)
{
	return anc_ckr_name(rv);
}

const char *
anc_mechanism_name(unsigned long mech)
{
	static char buf[32];

	return lookup(mech_names, sizeof(mech_names) / sizeof(mech_names[0]),
	    mech, "CKM_", buf, sizeof(buf));
}

int
anc_err_ckr(struct anc_err *e, int code, CK_RV rv, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	/* Whatever the call, a token that is gone is a token problem. */
	if (rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT)
		code = ANC_E_NOTOKEN;
	if (e == NULL)
		return code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->code = code;
	e->ckr = rv;
	n = strlen(e->msg);
	if (n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, " (%s)",
		    anc_ckr_name(rv));
	return code;
}

static const struct {
	enum anc_keyalg alg;
	const char *name;
} keyalgs[] = {
	{ ANC_KEY_EC_P256, "ecdsa-p256" },
	{ ANC_KEY_EC_P384, "ecdsa-p384" },
	{ ANC_KEY_RSA_3072, "rsa-3072" },
	{ ANC_KEY_RSA_4096, "rsa-4096" },
};

const char *
anc_keyalg_name(enum anc_keyalg alg)
{
	size_t i;

	for (i = 0; i < sizeof(keyalgs) / sizeof(keyalgs[0]); i++)
		if (keyalgs[i].alg == alg)
			return keyalgs[i].name;
	return NULL;
}

void
anc_p11_str(char *dst, size_t cap, const CK_UTF8CHAR *src, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	memcpy(dst, src, n);
	while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == '\0'))
		n--;
	dst[n] = '\0';
}
