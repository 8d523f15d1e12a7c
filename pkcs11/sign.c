/*
 * anchorage: signing inside the token with our own C_SignInit/C_Sign on
 * the session anchorage opened, behind a small in-process OpenSSL
 * provider, so that X509_sign, X509_CRL_sign and EVP_DigestSign take the
 * token's keys like any other.
 *
 * Why not libp11's EVP_PKEY: libp11 0.4.12 signs RSA with CKM_RSA_PKCS over
 * a DigestInfo it builds, whatever the token offers, and tpm2-pkcs11 1.9.0
 * allows CKM_RSA_PKCS only for keys that may decrypt (ours may not).  Here
 * the mechanism comes from what the token lists for signing:
 *   RSA: CKM_SHA256_RSA_PKCS (or SHA384/SHA512, as the digest) over the
 *        data when listed, else CKM_RSA_PKCS over the DigestInfo;
 *   EC:  CKM_ECDSA over the digest (SoftHSM2 2.6.1 has no hashing ECDSA
 *        mechanism), the raw r||s it returns encoded here as DER.
 * The data to be signed is small (a TBSCertificate, a TBSCertList, the
 * transcript's closing record) and is kept whole until the signature.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "anchorage/buf.h"
#include "anchorage/err.h"
#include "p11_int.h"

#define PROV_NAME "anchorage-token"
#define PROV_PROPS "provider=" PROV_NAME
#define KEY_EC "ANC-TOKEN-EC"
#define KEY_RSA "ANC-TOKEN-RSA"
#define PARAM_KEY "anc-token-key"	/* import: the struct tkey below */
#define PARAM_ALG "anc-keyalg"		/* get: enum anc_keyalg */

/* A private key in the token: the provider's key data. */
struct tkey {
	struct anc_token *t;	/* borrowed: outlives every EVP_PKEY of it */
	CK_OBJECT_HANDLE h;
	enum anc_keyalg alg;
};

/* A signature in progress. */
struct sctx {
	struct tkey *key;
	EVP_MD *md;
	struct anc_buf *data;	/* collected until sig_final */
};

static int
is_rsa(enum anc_keyalg alg)
{
	return alg == ANC_KEY_RSA_3072 || alg == ANC_KEY_RSA_4096;
}

/* The byte length of one EC coordinate, or of the RSA modulus. */
static size_t
key_bytes(enum anc_keyalg alg)
{
	switch (alg) {
	case ANC_KEY_EC_P256:
		return 32;
	case ANC_KEY_EC_P384:
		return 48;
	case ANC_KEY_RSA_3072:
		return 384;
	case ANC_KEY_RSA_4096:
		return 512;
	default:
		return 0;
	}
}

/* The largest signature: the modulus, or a DER ECDSA-Sig-Value. */
static size_t
max_sig(enum anc_keyalg alg)
{
	size_t n = key_bytes(alg);

	return is_rsa(alg) ? n : 2 * (n + 3) + 3;
}

/* ---- key management: holds a handle, knows its size, nothing more ---- */

static void *
km_new(void *provctx)
{
	(void)provctx;
	return calloc(1, sizeof(struct tkey));
}

static void
km_free(void *kd)
{
	free(kd);
}

static int
km_has(const void *kd, int selection)
{
	(void)selection;
	return kd != NULL && ((const struct tkey *)kd)->t != NULL;
}

static int
km_import(void *kd, int selection, const OSSL_PARAM params[])
{
	const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, PARAM_KEY);

	(void)selection;
	if (kd == NULL || p == NULL || p->data_type != OSSL_PARAM_OCTET_STRING ||
	    p->data_size != sizeof(struct tkey))
		return 0;
	memcpy(kd, p->data, sizeof(struct tkey));
	return 1;
}

static const OSSL_PARAM *
km_import_types(int selection)
{
	static const OSSL_PARAM types[] = {
		OSSL_PARAM_octet_string(PARAM_KEY, NULL, 0),
		OSSL_PARAM_END
	};

	(void)selection;
	return types;
}

static int
km_get_params(void *kd, OSSL_PARAM params[])
{
	const struct tkey *k = kd;
	OSSL_PARAM *p;
	int bits = (int)key_bytes(k->alg) * 8;
	int sec = k->alg == ANC_KEY_EC_P384 ? 192 : k->alg ==
	    ANC_KEY_RSA_4096 ? 152 : 128;

	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS)) != NULL &&
	    !OSSL_PARAM_set_int(p, bits))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS)) !=
	    NULL && !OSSL_PARAM_set_int(p, sec))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE)) != NULL &&
	    !OSSL_PARAM_set_int(p, (int)max_sig(k->alg)))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST)) !=
	    NULL && !OSSL_PARAM_set_utf8_string(p, k->alg == ANC_KEY_EC_P384 ?
	    "SHA384" : "SHA256"))
		return 0;
	if ((p = OSSL_PARAM_locate(params, PARAM_ALG)) != NULL &&
	    !OSSL_PARAM_set_int(p, (int)k->alg))
		return 0;
	return 1;
}

static const OSSL_PARAM *
km_gettable_params(void *provctx)
{
	static const OSSL_PARAM types[] = {
		OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
		OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
		OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
		OSSL_PARAM_int(PARAM_ALG, NULL),
		OSSL_PARAM_END
	};

	(void)provctx;
	return types;
}

/* ---- signature: collect the data, then one C_Sign ---- */

static void *
sig_newctx(void *provctx, const char *propq)
{
	struct sctx *c;

	(void)provctx;
	(void)propq;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->data = anc_buf_new(0)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

static void
sig_freectx(void *ctx)
{
	struct sctx *c = ctx;

	if (c == NULL)
		return;
	EVP_MD_free(c->md);
	anc_buf_free(c->data);
	free(c);
}

static void *
sig_dupctx(void *ctx)
{
	const struct sctx *c = ctx;
	struct sctx *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	*d = *c;
	d->md = NULL;
	if ((d->data = anc_buf_new(0)) == NULL ||
	    anc_buf_append(d->data, anc_buf_data(c->data),
	    anc_buf_len(c->data)) != ANC_OK ||
	    (c->md != NULL && !EVP_MD_up_ref(c->md))) {
		anc_buf_free(d->data);
		free(d);
		return NULL;
	}
	d->md = c->md;
	return d;
}

static int
sig_init(void *ctx, const char *mdname, void *provkey,
    const OSSL_PARAM params[])
{
	struct sctx *c = ctx;

	(void)params;
	if (provkey == NULL || mdname == NULL)
		return 0;
	EVP_MD_free(c->md);
	c->md = EVP_MD_fetch(NULL, mdname, NULL);
	c->key = provkey;
	anc_buf_reset(c->data);
	/* The digests the profiles use, and that have a hashing RSA
	 * mechanism in PKCS#11. */
	return c->md != NULL && (EVP_MD_is_a(c->md, "SHA256") ||
	    EVP_MD_is_a(c->md, "SHA384") || EVP_MD_is_a(c->md, "SHA512"));
}

static int
sig_update(void *ctx, const unsigned char *data, size_t len)
{
	struct sctx *c = ctx;

	return anc_buf_append(c->data, data, len) == ANC_OK;
}

/* DigestInfo prefixes (RFC 8017, 9.2, note 1) for CKM_RSA_PKCS. */
static const unsigned char di_sha256[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
};
static const unsigned char di_sha384[] = {
	0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30
};
static const unsigned char di_sha512[] = {
	0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40
};

/* Does the token list `mech` for signing? */
static int
token_signs_with(struct anc_token *t, CK_MECHANISM_TYPE mech)
{
	CK_MECHANISM_INFO mi;

	return t->m->fl->C_GetMechanismInfo(t->slot_id, mech, &mi) == CKR_OK &&
	    (mi.flags & CKF_SIGN) != 0;
}

/*
 * What goes to C_Sign with which mechanism: the data itself for a hashing
 * mechanism, else its digest (behind a DigestInfo for RSA) in `tmp`.
 */
static int
choose(struct sctx *c, const unsigned char *data, size_t len,
    CK_MECHANISM_TYPE *mech, unsigned char *tmp, size_t *tlen)
{
	struct anc_token *t = c->key->t;
	const unsigned char *di = di_sha256;
	size_t dil = sizeof(di_sha256);
	unsigned int dlen = 0;
	CK_MECHANISM_TYPE hashing = CKM_SHA256_RSA_PKCS;

	if (EVP_MD_is_a(c->md, "SHA384")) {
		hashing = CKM_SHA384_RSA_PKCS;
		di = di_sha384;
		dil = sizeof(di_sha384);
	} else if (EVP_MD_is_a(c->md, "SHA512")) {
		hashing = CKM_SHA512_RSA_PKCS;
		di = di_sha512;
		dil = sizeof(di_sha512);
	}
	if (is_rsa(c->key->alg) && token_signs_with(t, hashing)) {
		*mech = hashing;
		*tlen = 0;	/* sign the data itself */
		return 1;
	}
	*mech = is_rsa(c->key->alg) ? CKM_RSA_PKCS : CKM_ECDSA;
	if (*mech == CKM_RSA_PKCS) {
		memcpy(tmp, di, dil);
		*tlen = dil;
	} else {
		*tlen = 0;
	}
	if (EVP_Digest(data, len, tmp + *tlen, &dlen, c->md, NULL) != 1)
		return 0;
	*tlen += dlen;
	return 1;
}

/* Raw r||s (PKCS#11's ECDSA signature) to a DER ECDSA-Sig-Value. */
static int
ecdsa_der(const unsigned char *raw, size_t rawlen, unsigned char *sig,
    size_t *siglen, size_t sigsize)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)(rawlen / 2), NULL);
	BIGNUM *s = BN_bin2bn(raw + rawlen / 2, (int)(rawlen / 2), NULL);
	unsigned char *p = sig;
	int n, ok = 0;

	if (es == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL;	/* owned by es */
	if ((n = i2d_ECDSA_SIG(es, NULL)) <= 0 || (size_t)n > sigsize)
		goto out;
	*siglen = (size_t)i2d_ECDSA_SIG(es, &p);
	ok = 1;
 out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return ok;
}

static int
token_sign(struct sctx *c, const unsigned char *data, size_t len,
    unsigned char *sig, size_t *siglen, size_t sigsize)
{
	struct anc_token *t = c->key->t;
	unsigned char tmp[128], raw[512];
	size_t tlen = 0;
	CK_MECHANISM m = { 0, NULL, 0 };
	CK_ULONG n = sizeof(raw);
	struct anc_err aerr;
	CK_RV rv;
	int ok = 0;

	if (c->md == NULL || !choose(c, data, len, &m.mechanism, tmp, &tlen))
		return 0;
	rv = t->m->fl->C_SignInit(t->session, &m, c->key->h);
	/* A key that needs a login for each signature gets it here. */
	if (rv == CKR_OK && anc_p11_context_login(t, c->key->h, &aerr) !=
	    ANC_OK) {
		/* A C_Sign ends the signing operation (unauthorised, it
		 * signs nothing), so the session can sign again. */
		(void)t->m->fl->C_Sign(t->session, tmp, 0, raw, &n);
		ERR_raise_data(ERR_LIB_USER, ERR_R_OPERATION_FAIL, "%s",
		    aerr.msg);
		goto out;
	}
	if (rv == CKR_OK)
		rv = tlen > 0 ? t->m->fl->C_Sign(t->session, tmp, tlen, raw, &n) :
		    t->m->fl->C_Sign(t->session, (CK_BYTE_PTR)(uintptr_t)data,
		    len, raw, &n);
	if (rv != CKR_OK) {
		/* Said where the caller's message can show it. */
		ERR_raise_data(ERR_LIB_USER, ERR_R_OPERATION_FAIL, "the token's "
		    "C_Sign with %s failed (%s)", anc_mechanism_name(m.mechanism),
		    anc_ckr_name(rv));
		goto out;
	}
	if (m.mechanism == CKM_ECDSA) {
		if (n == 2 * key_bytes(c->key->alg))
			ok = ecdsa_der(raw, n, sig, siglen, sigsize);
	} else if (n <= sigsize) {
		memcpy(sig, raw, n);
		*siglen = n;
		ok = 1;
	}
	if (!ok)
		ERR_raise_data(ERR_LIB_USER, ERR_R_OPERATION_FAIL, "the token's "
		    "%s signature has an unexpected length (%lu bytes)",
		    anc_mechanism_name(m.mechanism), (unsigned long)n);
 out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return ok;
}

static int
sig_final(void *ctx, unsigned char *sig, size_t *siglen, size_t sigsize)
{
	struct sctx *c = ctx;

	if (sig == NULL) {
		*siglen = max_sig(c->key->alg);
		return 1;
	}
	return token_sign(c, anc_buf_data(c->data), anc_buf_len(c->data), sig,
	    siglen, sigsize);
}

static int
sig_oneshot(void *ctx, unsigned char *sig, size_t *siglen, size_t sigsize,
    const unsigned char *data, size_t len)
{
	struct sctx *c = ctx;

	if (sig == NULL) {
		*siglen = max_sig(c->key->alg);
		return 1;
	}
	return token_sign(c, data, len, sig, siglen, sigsize);
}

/* The AlgorithmIdentifier a certificate or CRL carries for this
 * signature: ecdsa-with-SHAn without parameters, shaNWithRSAEncryption
 * with NULL. */
static int
sig_get_ctx_params(void *ctx, OSSL_PARAM params[])
{
	struct sctx *c = ctx;
	OSSL_PARAM *p;
	X509_ALGOR *a = NULL;
	unsigned char *der = NULL;
	int nid, len, ok = 0, rsa;

	p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
	if (p == NULL)
		return 1;
	if (c->md == NULL || c->key == NULL)
		return 0;
	rsa = is_rsa(c->key->alg);
	if (!OBJ_find_sigid_by_algs(&nid, EVP_MD_get_type(c->md),
	    rsa ? NID_rsaEncryption : NID_X9_62_id_ecPublicKey) ||
	    (a = X509_ALGOR_new()) == NULL ||
	    !X509_ALGOR_set0(a, OBJ_nid2obj(nid), rsa ? V_ASN1_NULL :
	    V_ASN1_UNDEF, NULL) ||
	    (len = i2d_X509_ALGOR(a, &der)) <= 0)
		goto out;
	ok = OSSL_PARAM_set_octet_string(p, der, (size_t)len);
 out:
	OPENSSL_free(der);
	X509_ALGOR_free(a);
	return ok;
}

static const OSSL_PARAM *
sig_gettable_ctx_params(void *ctx, void *provctx)
{
	static const OSSL_PARAM types[] = {
		OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, NULL,
		    0),
		OSSL_PARAM_END
	};

	(void)ctx;
	(void)provctx;
	return types;
}

/* ---- the provider ---- */

typedef void (*fn)(void);

static const OSSL_DISPATCH km_fns[] = {
	{ OSSL_FUNC_KEYMGMT_NEW, (fn)km_new },
	{ OSSL_FUNC_KEYMGMT_FREE, (fn)km_free },
	{ OSSL_FUNC_KEYMGMT_HAS, (fn)km_has },
	{ OSSL_FUNC_KEYMGMT_IMPORT, (fn)km_import },
	{ OSSL_FUNC_KEYMGMT_IMPORT_TYPES, (fn)km_import_types },
	{ OSSL_FUNC_KEYMGMT_GET_PARAMS, (fn)km_get_params },
	{ OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, (fn)km_gettable_params },
	{ 0, NULL }
};

static const OSSL_DISPATCH sig_fns[] = {
	{ OSSL_FUNC_SIGNATURE_NEWCTX, (fn)sig_newctx },
	{ OSSL_FUNC_SIGNATURE_FREECTX, (fn)sig_freectx },
	{ OSSL_FUNC_SIGNATURE_DUPCTX, (fn)sig_dupctx },
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, (fn)sig_init },
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, (fn)sig_update },
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, (fn)sig_final },
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN, (fn)sig_oneshot },
	{ OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, (fn)sig_get_ctx_params },
	{ OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS,
	    (fn)sig_gettable_ctx_params },
	{ 0, NULL }
};

static const OSSL_ALGORITHM keymgmts[] = {
	{ KEY_EC, PROV_PROPS, km_fns, "EC private key in a PKCS#11 token" },
	{ KEY_RSA, PROV_PROPS, km_fns, "RSA private key in a PKCS#11 token" },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM signatures[] = {
	{ KEY_EC, PROV_PROPS, sig_fns, "ECDSA in a PKCS#11 token" },
	{ KEY_RSA, PROV_PROPS, sig_fns, "RSA PKCS#1 v1.5 in a PKCS#11 token" },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM *
prov_query(void *provctx, int op, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	if (op == OSSL_OP_KEYMGMT)
		return keymgmts;
	if (op == OSSL_OP_SIGNATURE)
		return signatures;
	return NULL;
}

static const OSSL_DISPATCH prov_fns[] = {
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (fn)prov_query },
	{ 0, NULL }
};

static int
prov_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
    const OSSL_DISPATCH **out, void **provctx)
{
	(void)in;
	*out = prov_fns;
	*provctx = (void *)(uintptr_t)handle;
	return 1;
}

/* Registered once per process, loaded while a module is. */
static int prov_registered;

int
anc_sign_provider_load(struct anc_module *m, struct anc_err *err)
{
	if (m->prov != NULL)
		return ANC_OK;
	if (!prov_registered) {
		if (!OSSL_PROVIDER_add_builtin(NULL, PROV_NAME, prov_init))
			return anc_err_ossl(err, ANC_E_CRYPTO, "token signing: "
			    "cannot register the provider");
		prov_registered = 1;
	}
	/* retain_fallbacks: the default provider stays available. */
	if ((m->prov = OSSL_PROVIDER_try_load(NULL, PROV_NAME, 1)) == NULL)
		return anc_err_ossl(err, ANC_E_CRYPTO, "token signing: cannot "
		    "load the provider");
	return ANC_OK;
}

int
anc_sign_key_new(struct anc_token *t, CK_OBJECT_HANDLE h,
    enum anc_keyalg alg, EVP_PKEY **out, struct anc_err *err)
{
	struct tkey k = { t, h, alg };
	OSSL_PARAM params[] = {
		OSSL_PARAM_octet_string(PARAM_KEY, &k, sizeof(k)),
		OSSL_PARAM_END
	};
	EVP_PKEY_CTX *ctx = NULL;
	int r;

	if (key_bytes(alg) == 0)
		return anc_err_set(err, ANC_E_UNSAFE, "token signing: not a "
		    "key algorithm anchorage signs with");
	if ((r = anc_sign_provider_load(t->m, err)) != ANC_OK)
		return r;
	*out = NULL;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, is_rsa(alg) ? KEY_RSA :
	    KEY_EC, PROV_PROPS)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_KEYPAIR, params) != 1)
		r = anc_err_ossl(err, ANC_E_CRYPTO, "token signing: cannot make "
		    "a key of the token's handle");
	EVP_PKEY_CTX_free(ctx);
	return r;
}

enum anc_keyalg
anc_token_key_alg(EVP_PKEY *key)
{
	int alg = 0;

	if (key == NULL || !(EVP_PKEY_is_a(key, KEY_EC) ||
	    EVP_PKEY_is_a(key, KEY_RSA)) ||
	    !EVP_PKEY_get_int_param(key, PARAM_ALG, &alg))
		return ANC_KEY_NONE;
	return (enum anc_keyalg)alg;
}
