/*
 * anchorage: backup of a wrap-with-trusted key from one token to another
 * (docs/backup.md).  Raw PKCS#11: libp11 0.4.12 wraps nothing.
 *
 * The trust is the token's, not ours: the private key carries
 * CKA_WRAP_WITH_TRUSTED, so the token refuses C_WrapKey under any key the
 * security officer did not mark CKA_TRUSTED.  The SO's objects are session
 * objects: the trust lasts for one wrap in one session and leaves nothing
 * in the primary token.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "anchorage/err.h"
#include "p11_int.h"

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static CK_OBJECT_CLASS cls_pub = CKO_PUBLIC_KEY, cls_secret = CKO_SECRET_KEY;
static CK_KEY_TYPE kt_aes = CKK_AES, kt_rsa = CKK_RSA, kt_ec = CKK_EC;
static CK_ULONG aes_len = 32;

#define ATTR(t, p, l) { (t), (void *)(uintptr_t)(p), (l) }
#define ABOOL(t, v) ATTR(t, &(v), sizeof(CK_BBOOL))
#define NA(a) ((CK_ULONG)(sizeof(a) / sizeof((a)[0])))

/* RSA-OAEP with MGF1 over the same hash, no label: SHA-256, or SHA-1. */
static CK_RSA_PKCS_OAEP_PARAMS oaep256 = {
	CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0
};
static CK_RSA_PKCS_OAEP_PARAMS oaep1 = {
	CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, NULL, 0
};

static const char *const scheme_names[] = {
	NULL, "rsa-oaep-sha256+aes-key-wrap-pad",
	"rsa-oaep-sha1+aes-key-wrap-pad"
};

const char *
anc_wrap_scheme_name(enum anc_wrap_scheme s)
{
	return (unsigned)s < 3 ? scheme_names[s] : NULL;
}

enum anc_wrap_scheme
anc_wrap_scheme_from_name(const char *name)
{
	int i;

	for (i = 1; i < 3; i++)
		if (strcmp(name, scheme_names[i]) == 0)
			return (enum anc_wrap_scheme)i;
	return ANC_WRAP_NONE;
}

CK_RSA_PKCS_OAEP_PARAMS *
anc_p11_oaep_params(enum anc_wrap_scheme s)
{
	return s == ANC_WRAP_OAEP_SHA1_KWP ? &oaep1 : &oaep256;
}

void
anc_wrapped_clear(struct anc_wrapped *w)
{
	if (w == NULL)
		return;
	free(w->kek);
	free(w->key);
	memset(w, 0, sizeof(*w));
}

int
anc_token_generate_unwrap_key(struct anc_token *t, const char *label,
    struct anc_key_info *info, struct anc_err *err)
{
	static const unsigned char e65537[] = { 0x01, 0x00, 0x01 };
	CK_MECHANISM mech = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_ULONG bits = 3072;
	unsigned char id[ANC_KEY_ID_LEN];
	size_t ll = strlen(label);
	CK_OBJECT_HANDLE pub, priv;
	CK_ATTRIBUTE pubt[] = {
		ABOOL(CKA_TOKEN, yes), ABOOL(CKA_PRIVATE, no),
		ABOOL(CKA_WRAP, yes), ABOOL(CKA_ENCRYPT, no),
		ABOOL(CKA_VERIFY, no), ABOOL(CKA_DERIVE, no),
		ATTR(CKA_LABEL, label, ll), ATTR(CKA_ID, id, sizeof(id)),
		ATTR(CKA_MODULUS_BITS, &bits, sizeof(bits)),
		ATTR(CKA_PUBLIC_EXPONENT, e65537, sizeof(e65537)),
	};
	CK_ATTRIBUTE privt[] = {
		ABOOL(CKA_TOKEN, yes), ABOOL(CKA_PRIVATE, yes),
		ABOOL(CKA_SENSITIVE, yes), ABOOL(CKA_EXTRACTABLE, no),
		ABOOL(CKA_UNWRAP, yes), ABOOL(CKA_DECRYPT, no),
		ABOOL(CKA_SIGN, no), ABOOL(CKA_DERIVE, no),
		ATTR(CKA_LABEL, label, ll), ATTR(CKA_ID, id, sizeof(id)),
	};
	CK_RV rv;
	int r;

	if ((r = anc_p11_new_id(t, "backup-keypair", label, id, err)) !=
	    ANC_OK)
		return r;
	rv = t->m->fl->C_GenerateKeyPair(t->session, &mech, pubt, NA(pubt),
	    privt, NA(privt), &pub, &priv);
	if (rv != CKR_OK)
		return anc_err_ckr(err, rv == CKR_DEVICE_REMOVED ?
		    ANC_E_NOTOKEN : ANC_E_PKCS11, rv, "backup-keypair \"%s\" "
		    "(rsa-3072): C_GenerateKeyPair failed", label);
	if ((r = anc_p11_key_info(t, priv, info, err)) != ANC_OK)
		return anc_err_prefix(err, "backup-keypair \"%s\": reading "
		    "attributes back", label);
	if (info->sensitive != 1 || info->extractable != 0 ||
	    info->unwrap != 1 || info->decrypt == 1 || info->sign == 1 ||
	    info->derive == 1 || info->never_extractable != 1)
		return anc_err_set(err, ANC_E_UNSAFE, "backup-keypair \"%s\": "
		    "read back from the token, the unwrap key is not sensitive, "
		    "non-extractable and unwrap-only; it is left in the token "
		    "for the officers to destroy", label);
	return ANC_OK;
}

/* A big number's bytes, for CKA_MODULUS and the like. */
static int
bn_bytes(EVP_PKEY *pk, const char *name, unsigned char **out, size_t *len)
{
	BIGNUM *bn = NULL;
	int n;

	if (!EVP_PKEY_get_bn_param(pk, name, &bn))
		return -1;
	n = BN_num_bytes(bn);
	if ((*out = malloc((size_t)n + 1)) == NULL) {
		BN_free(bn);
		return -1;
	}
	*len = (size_t)BN_bn2bin(bn, *out);
	BN_free(bn);
	return 0;
}

int
anc_p11_pub_attrs(EVP_PKEY *pk, CK_ATTRIBUTE a[2], CK_KEY_TYPE **kt,
    struct anc_err *err)
{
	unsigned char pt[256], *p;
	const unsigned char *oid;
	char group[64];
	size_t ptlen = 0, oidlen = 0;
	enum anc_keyalg alg;

	memset(a, 0, 2 * sizeof(*a));
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA) {
		*kt = &kt_rsa;
		a[0].type = CKA_MODULUS;
		a[1].type = CKA_PUBLIC_EXPONENT;
		if (bn_bytes(pk, OSSL_PKEY_PARAM_RSA_N,
		    (unsigned char **)&a[0].pValue, &ptlen) != 0)
			goto fail;
		a[0].ulValueLen = ptlen;
		if (bn_bytes(pk, OSSL_PKEY_PARAM_RSA_E,
		    (unsigned char **)&a[1].pValue, &ptlen) != 0)
			goto fail;
		a[1].ulValueLen = ptlen;
		return ANC_OK;
	}
	*kt = &kt_ec;
	if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), NULL))
		goto fail;
	alg = strcmp(group, SN_X9_62_prime256v1) == 0 ? ANC_KEY_EC_P256 :
	    strcmp(group, SN_secp384r1) == 0 ? ANC_KEY_EC_P384 : ANC_KEY_NONE;
	if ((oid = anc_p11_curve_oid(alg, &oidlen)) == NULL)
		return anc_err_set(err, ANC_E_UNSAFE, "public key: curve %s is "
		    "neither P-256 nor P-384", group);
	if (!EVP_PKEY_get_octet_string_param(pk,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &ptlen) ||
	    ptlen > 127)
		goto fail;
	a[0].type = CKA_EC_PARAMS;
	a[1].type = CKA_EC_POINT;
	if ((a[0].pValue = malloc(oidlen)) == NULL ||
	    (a[1].pValue = malloc(ptlen + 2)) == NULL)
		goto fail;
	memcpy(a[0].pValue, oid, oidlen);
	a[0].ulValueLen = oidlen;
	p = a[1].pValue;
	p[0] = 0x04;		/* OCTET STRING, short length */
	p[1] = (unsigned char)ptlen;
	memcpy(p + 2, pt, ptlen);
	a[1].ulValueLen = ptlen + 2;
	return ANC_OK;
 fail:
	anc_p11_attrs_free(a, 2);
	return anc_err_ossl(err, ANC_E_CRYPTO, "public key: cannot read its "
	    "parameters");
}

/* The two trusted session objects, made while the SO is logged in. */
static int
make_transfer(struct anc_token *t, EVP_PKEY *pub, struct anc_err *err)
{
	static const char lab[] = "anchorage-backup-transfer";
	CK_MECHANISM gen = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_ATTRIBUTE kv[2];
	CK_KEY_TYPE *kt;
	CK_BBOOL tr[2] = { CK_FALSE, CK_FALSE };
	CK_ATTRIBUTE rd[] = {
		ATTR(CKA_TRUSTED, &tr[0], sizeof(CK_BBOOL)),
	};
	CK_RV rv;
	int r;

	if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA)
		return anc_err_set(err, ANC_E_UNSAFE, "backup-wrap: the unwrap "
		    "key is not an RSA key");
	if ((r = anc_p11_pub_attrs(pub, kv, &kt, err)) != ANC_OK)
		return r;
	{
		CK_ATTRIBUTE pubt[] = {
			ATTR(CKA_CLASS, &cls_pub, sizeof(cls_pub)),
			ATTR(CKA_KEY_TYPE, kt, sizeof(*kt)),
			ABOOL(CKA_TOKEN, no), ABOOL(CKA_PRIVATE, no),
			ABOOL(CKA_WRAP, yes), ABOOL(CKA_TRUSTED, yes),
			ABOOL(CKA_ENCRYPT, no), ABOOL(CKA_VERIFY, no),
			ABOOL(CKA_DERIVE, no),
			ATTR(CKA_LABEL, lab, sizeof(lab) - 1),
			kv[0], kv[1],
		};
		CK_ATTRIBUTE aest[] = {
			ATTR(CKA_CLASS, &cls_secret, sizeof(cls_secret)),
			ATTR(CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)),
			ATTR(CKA_VALUE_LEN, &aes_len, sizeof(aes_len)),
			ABOOL(CKA_TOKEN, no), ABOOL(CKA_PRIVATE, no),
			ABOOL(CKA_SENSITIVE, yes), ABOOL(CKA_EXTRACTABLE, yes),
			ABOOL(CKA_WRAP_WITH_TRUSTED, yes),
			ABOOL(CKA_TRUSTED, yes), ABOOL(CKA_WRAP, yes),
			ABOOL(CKA_UNWRAP, no), ABOOL(CKA_ENCRYPT, no),
			ABOOL(CKA_DECRYPT, no), ABOOL(CKA_SIGN, no),
			ABOOL(CKA_VERIFY, no), ABOOL(CKA_DERIVE, no),
			ATTR(CKA_LABEL, lab, sizeof(lab) - 1),
		};

		rv = t->m->fl->C_CreateObject(t->session, pubt, NA(pubt),
		    &t->transfer_pub);
		anc_p11_attrs_free(kv, 2);
		if (rv != CKR_OK)
			return anc_err_ckr(err, ANC_E_PKCS11, rv, "backup-wrap: "
			    "C_CreateObject of the trusted wrapping key failed");
		rv = t->m->fl->C_GenerateKey(t->session, &gen, aest, NA(aest),
		    &t->transfer_aes);
		if (rv != CKR_OK) {
			(void)t->m->fl->C_DestroyObject(t->session,
			    t->transfer_pub);
			return anc_err_ckr(err, ANC_E_PKCS11, rv, "backup-wrap: "
			    "C_GenerateKey of the AES transfer key failed");
		}
	}
	t->have_transfer = 1;
	/* The token must say it kept the SO's mark on both. */
	rv = t->m->fl->C_GetAttributeValue(t->session, t->transfer_pub, rd, 1);
	if (rv == CKR_OK) {
		rd[0].pValue = &tr[1];
		rv = t->m->fl->C_GetAttributeValue(t->session, t->transfer_aes,
		    rd, 1);
	}
	if (rv != CKR_OK || tr[0] != CK_TRUE || tr[1] != CK_TRUE) {
		anc_p11_drop_transfer(t);
		return anc_err_ckr(err, ANC_E_UNSAFE, rv, "backup-wrap: read "
		    "back, the wrapping keys are not CKA_TRUSTED");
	}
	return ANC_OK;
}

int
anc_token_trust_wrapping_key(struct anc_token *t, anc_pin_fn so_pin,
    void *arg, EVP_PKEY *pub, struct anc_err *err)
{
	CK_RV rv;
	int r;

	/* The logout ends every private object handle, and libp11 0.4.12
	 * cannot fetch a key again (it double-frees EC keys): no key may
	 * have been handed out for signing before. */
	if (t->nsigners > 0)
		return anc_err_set(err, ANC_E_INTERNAL, "backup-trust: a "
		    "signing key of this token is in use; the security "
		    "officer's login must come before any signature");
	anc_p11_drop_transfer(t);
	/* One login per token at a time: the user makes way for the SO. */
	if (t->logged_in) {
		rv = t->m->fl->C_Logout(t->session);
		if (rv != CKR_OK && rv != CKR_USER_NOT_LOGGED_IN)
			return anc_err_ckr(err, ANC_E_PKCS11, rv, "backup-wrap: "
			    "C_Logout of the user failed");
		t->logged_in = 0;
	}
	if ((r = anc_p11_login(t, CKU_SO, so_pin, arg, err)) != ANC_OK)
		return r;
	r = make_transfer(t, pub, err);
	rv = t->m->fl->C_Logout(t->session);
	t->logged_in = 0;
	if (r == ANC_OK && rv != CKR_OK) {
		anc_p11_drop_transfer(t);
		r = anc_err_ckr(err, ANC_E_PKCS11, rv, "backup-wrap: C_Logout "
		    "of the security officer failed");
	}
	return r;
}

/* C_WrapKey in the two calls PKCS#11 asks for: length, then bytes. */
static int
wrap_one(struct anc_token *t, CK_MECHANISM *m, CK_OBJECT_HANDLE wrapping,
    CK_OBJECT_HANDLE key, unsigned char **out, size_t *len, const char *what,
    struct anc_err *err)
{
	CK_ULONG n = 0;
	CK_RV rv;

	rv = t->m->fl->C_WrapKey(t->session, m, wrapping, key, NULL, &n);
	if (rv == CKR_OK) {
		if ((*out = malloc(n + 1)) == NULL)
			return anc_err_set(err, ANC_E_NOMEM, "wrapped key");
		rv = t->m->fl->C_WrapKey(t->session, m, wrapping, key, *out,
		    &n);
	}
	if (rv == CKR_OK) {
		*len = n;
		return ANC_OK;
	}
	free(*out);
	*out = NULL;
	if (rv == CKR_KEY_NOT_WRAPPABLE || rv == CKR_KEY_UNEXTRACTABLE)
		return anc_err_ckr(err, ANC_E_UNSAFE, rv, "backup-wrap: the "
		    "token refuses to wrap %s", what);
	return anc_err_ckr(err, rv == CKR_DEVICE_REMOVED ? ANC_E_NOTOKEN :
	    ANC_E_PKCS11, rv, "backup-wrap: C_WrapKey of %s failed", what);
}

/*
 * The transfer key under RSA-OAEP: SHA-256, or SHA-1 from a token that
 * refuses SHA-256's parameters (SoftHSM2 2.6.1 accepts only SHA-1).
 */
static int
wrap_transfer(struct anc_token *t, struct anc_wrapped *out,
    struct anc_err *err)
{
	CK_MECHANISM m = { CKM_RSA_PKCS_OAEP, &oaep256, sizeof(oaep256) };
	int r;

	out->scheme = ANC_WRAP_OAEP_SHA256_KWP;
	r = wrap_one(t, &m, t->transfer_pub, t->transfer_aes, &out->kek,
	    &out->kek_len, "the AES transfer key", err);
	if (r == ANC_E_PKCS11 && (err->ckr == CKR_ARGUMENTS_BAD ||
	    err->ckr == CKR_MECHANISM_PARAM_INVALID)) {
		out->scheme = ANC_WRAP_OAEP_SHA1_KWP;
		m.pParameter = &oaep1;
		r = wrap_one(t, &m, t->transfer_pub, t->transfer_aes,
		    &out->kek, &out->kek_len, "the AES transfer key", err);
	}
	return r;
}

int
anc_token_wrap_key(struct anc_token *t, const char *label,
    struct anc_wrapped *out, struct anc_err *err)
{
	CK_MECHANISM m_kwp = { CKM_AES_KEY_WRAP_PAD, NULL, 0 };
	struct anc_key_info ki;
	CK_OBJECT_HANDLE h;
	const char *policy;
	int r;

	memset(out, 0, sizeof(*out));
	if (!t->have_transfer || !t->logged_in)
		return anc_err_set(err, ANC_E_INTERNAL, "backup-wrap: no "
		    "trusted wrapping key, or not logged in");
	if ((r = anc_p11_find_one(t, CKO_PRIVATE_KEY, label, &h, err)) !=
	    ANC_OK || (r = anc_p11_key_info(t, h, &ki, err)) != ANC_OK)
		goto out;
	policy = anc_key_backup(&ki);
	if (policy == NULL || strcmp(policy, "wrap-with-trusted") != 0) {
		r = anc_err_set(err, ANC_E_UNSAFE, "backup-wrap: key \"%s\" has "
		    "backup policy \"%s\"; only a key generated with backup: "
		    "wrap-with-trusted can be backed up", label,
		    policy != NULL ? policy : "unknown");
		goto out;
	}
	if ((r = wrap_transfer(t, out, err)) != ANC_OK ||
	    (r = wrap_one(t, &m_kwp, t->transfer_aes, h, &out->key,
	    &out->key_len, label, err)) != ANC_OK)
		anc_wrapped_clear(out);
 out:
	/* The trust ends with this wrap, whatever happened. */
	anc_p11_drop_transfer(t);
	return r;
}
