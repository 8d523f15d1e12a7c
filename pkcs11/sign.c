/*
 * anchorage: the in-process OpenSSL provider behind the token's keys, so
 * that X509_sign, X509_CRL_sign and EVP_DigestSign take them like any
 * other.  Its key management holds a token handle and knows the key's
 * size; its signature contexts collect the data to be signed (small: a
 * TBSCertificate, a TBSCertList, the transcript's closing record) and
 * give it whole to sign_token.c, which signs it in the token with our own
 * C_SignInit/C_Sign on the session anchorage opened.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
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
	int always_auth;	/* a context-specific login per signature */
	enum anc_keyalg alg;
};

/* A signature in progress. */
struct sctx {
	struct tkey *key;
	EVP_MD *md;
	struct anc_buf *data;	/* collected until sig_final */
};

/* The largest signature: the modulus, or a DER ECDSA-Sig-Value. */
static size_t
max_sig(enum anc_keyalg alg)
{
	size_t n = anc_p11_key_bytes(alg);

	return anc_p11_key_is_rsa(alg) ? n : 2 * (n + 3) + 3;
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
	int bits = (int)anc_p11_key_bytes(k->alg) * 8;
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

static int
sig_final(void *ctx, unsigned char *sig, size_t *siglen, size_t sigsize)
{
	struct sctx *c = ctx;

	if (sig == NULL) {
		*siglen = max_sig(c->key->alg);
		return 1;
	}
	return anc_p11_token_sign(c->key->t, c->key->h,
	    c->key->always_auth, c->key->alg, c->md,
	    anc_buf_data(c->data), anc_buf_len(c->data), sig, siglen, sigsize);
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
	return anc_p11_token_sign(c->key->t, c->key->h,
	    c->key->always_auth, c->key->alg, c->md,
	    data, len, sig, siglen, sigsize);
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
	rsa = anc_p11_key_is_rsa(c->key->alg);
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
    enum anc_keyalg alg, int always_auth, EVP_PKEY **out,
    struct anc_err *err)
{
	struct tkey k = { t, h, always_auth, alg };
	OSSL_PARAM params[] = {
		OSSL_PARAM_octet_string(PARAM_KEY, &k, sizeof(k)),
		OSSL_PARAM_END
	};
	EVP_PKEY_CTX *ctx = NULL;
	int r;

	if (anc_p11_key_bytes(alg) == 0)
		return anc_err_set(err, ANC_E_UNSAFE, "token signing: not a "
		    "key algorithm anchorage signs with");
	if ((r = anc_sign_provider_load(t->m, err)) != ANC_OK)
		return r;
	*out = NULL;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL,
	    anc_p11_key_is_rsa(alg) ? KEY_RSA : KEY_EC, PROV_PROPS)) == NULL ||
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
