/*
 * anchorage: the backup token's side of a backup (docs/backup.md):
 * unwrapping the copy with a strict template, and proving it by a
 * signature in the token.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "anchorage/err.h"
#include "p11_int.h"

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static CK_OBJECT_CLASS cls_pub = CKO_PUBLIC_KEY, cls_priv = CKO_PRIVATE_KEY,
    cls_secret = CKO_SECRET_KEY;
static CK_KEY_TYPE kt_aes = CKK_AES;

#define ATTR(t, p, l) { (t), (void *)(uintptr_t)(p), (l) }
#define ABOOL(t, v) ATTR(t, &(v), sizeof(CK_BBOOL))
#define NA(a) ((CK_ULONG)(sizeof(a) / sizeof((a)[0])))

/* Read back the unwrapped key; it must be the strict sign-only copy. */
static int
check_restored(const struct anc_key_info *ki, const char *label,
    struct anc_err *err)
{
	if (ki->sensitive != 1 || ki->extractable != 0 || ki->sign != 1 ||
	    ki->decrypt == 1 || ki->unwrap == 1 || ki->derive == 1 ||
	    ki->private_ != 1 || ki->token != 1)
		return anc_err_set(err, ANC_E_UNSAFE, "backup-restore \"%s\": "
		    "read back from the backup token, the key is not sensitive, "
		    "non-extractable and sign-only", label);
	return ANC_OK;
}

/* Neither the label nor the CKA_ID is taken in the backup token. */
static int
name_free(struct anc_token *t, const char *label, const unsigned char *id,
    size_t id_len, struct anc_err *err)
{
	int r, found;

	if ((r = anc_token_object_exists(t, label, NULL, 0, &found, err)) !=
	    ANC_OK)
		return r;
	if (!found && (r = anc_token_object_exists(t, NULL, id, id_len,
	    &found, err)) != ANC_OK)
		return r;
	if (found)
		return anc_err_set(err, ANC_E_EXISTS, "backup-restore: the "
		    "backup token already holds an object labelled \"%s\" or "
		    "with its CKA_ID; nothing was changed", label);
	return ANC_OK;
}

/* What the unwrap makes; each CK_INVALID_HANDLE until it exists. */
struct restored {
	CK_OBJECT_HANDLE aes, priv, pub;
};

/*
 * The transfer key (a session key that can only unwrap), the private key
 * under it (sensitive, non-extractable, sign-only), then its public half
 * from `kv` (the public key's attributes, of type *kt).
 */
static int
unwrap_objects(struct anc_token *t, const struct anc_wrapped *w,
    CK_OBJECT_HANDLE uk, const char *label, const unsigned char *id,
    size_t id_len, CK_KEY_TYPE *kt, const CK_ATTRIBUTE kv[2],
    struct restored *o, struct anc_err *err)
{
	CK_MECHANISM m_oaep = { CKM_RSA_PKCS_OAEP,
	    anc_p11_oaep_params(w->scheme), sizeof(CK_RSA_PKCS_OAEP_PARAMS) };
	CK_MECHANISM m_kwp = { CKM_AES_KEY_WRAP_PAD, NULL, 0 };
	CK_FUNCTION_LIST_PTR fl = t->m->fl;
	size_t ll = strlen(label);
	CK_ATTRIBUTE aest[] = {
		ATTR(CKA_CLASS, &cls_secret, sizeof(cls_secret)),
		ATTR(CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)),
		ABOOL(CKA_TOKEN, no), ABOOL(CKA_PRIVATE, yes),
		ABOOL(CKA_SENSITIVE, yes), ABOOL(CKA_EXTRACTABLE, no),
		ABOOL(CKA_UNWRAP, yes), ABOOL(CKA_WRAP, no),
		ABOOL(CKA_ENCRYPT, no), ABOOL(CKA_DECRYPT, no),
		ABOOL(CKA_SIGN, no), ABOOL(CKA_VERIFY, no),
		ABOOL(CKA_DERIVE, no),
	};
	CK_ATTRIBUTE privt[] = {
		ATTR(CKA_CLASS, &cls_priv, sizeof(cls_priv)),
		ATTR(CKA_KEY_TYPE, kt, sizeof(*kt)),
		ABOOL(CKA_TOKEN, yes), ABOOL(CKA_PRIVATE, yes),
		ABOOL(CKA_SENSITIVE, yes), ABOOL(CKA_EXTRACTABLE, no),
		ABOOL(CKA_SIGN, yes), ABOOL(CKA_DECRYPT, no),
		ABOOL(CKA_UNWRAP, no), ABOOL(CKA_DERIVE, no),
		ATTR(CKA_LABEL, label, ll), ATTR(CKA_ID, id, id_len),
	};
	CK_ATTRIBUTE pubt[] = {
		ATTR(CKA_CLASS, &cls_pub, sizeof(cls_pub)),
		ATTR(CKA_KEY_TYPE, kt, sizeof(*kt)),
		ABOOL(CKA_TOKEN, yes), ABOOL(CKA_PRIVATE, no),
		ABOOL(CKA_VERIFY, yes), ABOOL(CKA_ENCRYPT, no),
		ABOOL(CKA_WRAP, no), ABOOL(CKA_DERIVE, no),
		ATTR(CKA_LABEL, label, ll), ATTR(CKA_ID, id, id_len),
		kv[0], kv[1],
	};
	CK_RV rv;

	rv = fl->C_UnwrapKey(t->session, &m_oaep, uk, w->kek, w->kek_len,
	    aest, NA(aest), &o->aes);
	if (rv != CKR_OK)
		return anc_err_ckr(err, rv == CKR_DEVICE_REMOVED ?
		    ANC_E_NOTOKEN : ANC_E_VERIFY, rv, "backup-restore: "
		    "C_UnwrapKey of the transfer key failed (a damaged "
		    "blob, or another unwrap key); nothing was changed");
	rv = fl->C_UnwrapKey(t->session, &m_kwp, o->aes, w->key, w->key_len,
	    privt, NA(privt), &o->priv);
	if (rv != CKR_OK) {
		o->priv = CK_INVALID_HANDLE;
		return anc_err_ckr(err, rv == CKR_DEVICE_REMOVED ?
		    ANC_E_NOTOKEN : ANC_E_VERIFY, rv, "backup-restore: "
		    "C_UnwrapKey of \"%s\" failed (a damaged blob); "
		    "nothing was changed", label);
	}
	rv = fl->C_CreateObject(t->session, pubt, NA(pubt), &o->pub);
	if (rv != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv, "backup-restore: "
		    "C_CreateObject of the public key \"%s\" failed", label);
	return ANC_OK;
}

int
anc_token_unwrap_key(struct anc_token *t, const char *unwrap_label,
    const struct anc_wrapped *w, const char *label, const unsigned char *id,
    size_t id_len, EVP_PKEY *pub, struct anc_key_info *info,
    struct anc_err *err)
{
	CK_FUNCTION_LIST_PTR fl = t->m->fl;
	struct restored o = { CK_INVALID_HANDLE, CK_INVALID_HANDLE,
	    CK_INVALID_HANDLE };
	CK_OBJECT_HANDLE uk;
	CK_ATTRIBUTE kv[2] = { { 0, NULL, 0 }, { 0, NULL, 0 } };
	CK_KEY_TYPE *kt;
	int r;

	if (anc_wrap_scheme_name(w->scheme) == NULL)
		return anc_err_set(err, ANC_E_INPUT, "backup-restore: unknown "
		    "wrapping scheme");
	if ((r = name_free(t, label, id, id_len, err)) != ANC_OK)
		return r;
	if ((r = anc_p11_find_one(t, CKO_PRIVATE_KEY, unwrap_label, &uk,
	    err)) != ANC_OK)
		return r;
	if ((r = anc_p11_pub_attrs(pub, kv, &kt, err)) != ANC_OK)
		return r;
	if ((r = unwrap_objects(t, w, uk, label, id, id_len, kt, kv, &o,
	    err)) != ANC_OK)
		goto out;
	if ((r = anc_p11_key_info(t, o.priv, info, err)) != ANC_OK ||
	    (r = check_restored(info, label, err)) != ANC_OK) {
		(void)fl->C_DestroyObject(t->session, o.pub);
		goto out;
	}
	o.priv = CK_INVALID_HANDLE;	/* kept */
	/* success */
	r = ANC_OK;
 out:
	if (o.priv != CK_INVALID_HANDLE &&
	    fl->C_DestroyObject(t->session, o.priv) != CKR_OK)
		anc_err_prefix(err, "the private key \"%s\" could not be "
		    "removed from the backup token; delete it", label);
	if (o.aes != CK_INVALID_HANDLE)
		(void)fl->C_DestroyObject(t->session, o.aes);
	anc_p11_attrs_free(kv, 2);
	return r;
}

/* A raw ECDSA signature (r || s) as DER, in place. */
static int
ecdsa_der(unsigned char *sig, size_t *len, size_t cap)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *br, *bs;
	unsigned char *p = sig;
	size_t half = *len / 2;
	int n;

	if (es == NULL)
		return -1;
	br = BN_bin2bn(sig, (int)half, NULL);
	bs = BN_bin2bn(sig + half, (int)half, NULL);
	if (br == NULL || bs == NULL || !ECDSA_SIG_set0(es, br, bs)) {
		BN_free(br);
		BN_free(bs);
		ECDSA_SIG_free(es);
		return -1;
	}
	n = i2d_ECDSA_SIG(es, NULL);
	if (n <= 0 || (size_t)n > cap) {
		ECDSA_SIG_free(es);
		return -1;
	}
	*len = (size_t)i2d_ECDSA_SIG(es, &p);
	ECDSA_SIG_free(es);
	return 0;
}

int
anc_token_prove_key(struct anc_token *t, const char *label,
    EVP_PKEY *pub, const unsigned char *challenge, size_t len,
    unsigned char *sig, size_t cap, size_t *siglen, struct anc_err *err)
{
	int rsa = EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA;
	const EVP_MD *md = !rsa && EVP_PKEY_get_bits(pub) > 256 ?
	    EVP_sha384() : EVP_sha256();
	CK_MECHANISM m = { rsa ? CKM_SHA256_RSA_PKCS : CKM_ECDSA, NULL, 0 };
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int dglen = 0;
	CK_OBJECT_HANDLE h;
	CK_ULONG n = (CK_ULONG)cap;
	EVP_MD_CTX *ctx = NULL;
	CK_RV rv;
	int r;

	if ((r = anc_p11_find_one(t, CKO_PRIVATE_KEY, label, &h, err)) !=
	    ANC_OK)
		return r;
	if (!rsa && EVP_Digest(challenge, len, dg, &dglen, md, NULL) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO, "challenge digest");
	rv = t->m->fl->C_SignInit(t->session, &m, h);
	if (rv == CKR_OK)
		rv = t->m->fl->C_Sign(t->session, rsa ? (CK_BYTE_PTR)
		    (uintptr_t)challenge : dg, rsa ? len : dglen, sig, &n);
	if (rv != CKR_OK)
		return anc_err_ckr(err, rv == CKR_DEVICE_REMOVED ?
		    ANC_E_NOTOKEN : ANC_E_PKCS11, rv, "key \"%s\": signing the "
		    "challenge failed", label);
	*siglen = n;
	if (!rsa && ecdsa_der(sig, siglen, cap) != 0)
		return anc_err_ossl(err, ANC_E_BADSIG, "key \"%s\": the "
		    "token's signature is not an ECDSA signature", label);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) != 1 ||
	    EVP_DigestVerify(ctx, sig, *siglen, challenge, len) != 1)
		r = anc_err_ossl(err, ANC_E_BADSIG, "key \"%s\": the signature "
		    "on the challenge does not verify with the anchor "
		    "certificate's public key", label);
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(dg, sizeof(dg));
	return r;
}
