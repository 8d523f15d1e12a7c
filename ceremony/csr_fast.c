/*
 * anchorage: a CSR read for a batch, without OpenSSL 3.0's provider
 * decoders.
 *
 * d2i_X509_REQ decodes the request's public key through the provider
 * decoders: 1.2 M instructions of the 1.5 M a P-256 CSR costs, twice per
 * cluster (the check, then the run).  Here the request is read with ASN.1
 * templates that keep the key's parts as bytes, and the proof of possession
 * is verified over the request's own to-be-signed bytes.
 *
 * The key is made from the point (or the RSAPublicKey) on a copy of the
 * curve's parameters, decoded once per batch (struct anc_csr_keys): making
 * a curve from its name is 0.14 M instructions, copying one 0.02 M.  It
 * takes the form its use needs: the provider's when the proof of
 * possession is verified with it (a legacy key would be exported to the
 * provider first, 0.23 M), the legacy ASN.1-method form when it goes into a
 * certificate (profile.c encodes that form without the encoders, 0.05 M
 * instead of 2 M).  What this reader does not take (another key type or
 * signature algorithm) goes the general way: anc_steps_read_csr and
 * X509_REQ_verify.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "steps.h"

typedef struct {
	X509_ALGOR *alg;
	ASN1_BIT_STRING *key;
} SPKI_LITE;

typedef struct {
	ASN1_INTEGER *version;
	X509_NAME *subject;
	SPKI_LITE *spki;
	STACK_OF(X509_ATTRIBUTE) *attrs;
} REQ_LITE_INFO;

typedef struct {
	ASN1_TYPE *info;	/* the to-be-signed part, as bytes */
	X509_ALGOR *sig_alg;
	ASN1_BIT_STRING *sig;
} REQ_LITE;

ASN1_SEQUENCE(SPKI_LITE) = {
	ASN1_SIMPLE(SPKI_LITE, alg, X509_ALGOR),
	ASN1_SIMPLE(SPKI_LITE, key, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END(SPKI_LITE)

ASN1_SEQUENCE(REQ_LITE_INFO) = {
	ASN1_SIMPLE(REQ_LITE_INFO, version, ASN1_INTEGER),
	ASN1_SIMPLE(REQ_LITE_INFO, subject, X509_NAME),
	ASN1_SIMPLE(REQ_LITE_INFO, spki, SPKI_LITE),
	ASN1_IMP_SET_OF_OPT(REQ_LITE_INFO, attrs, X509_ATTRIBUTE, 0)
} static_ASN1_SEQUENCE_END(REQ_LITE_INFO)

ASN1_SEQUENCE(REQ_LITE) = {
	ASN1_SIMPLE(REQ_LITE, info, ASN1_ANY),
	ASN1_SIMPLE(REQ_LITE, sig_alg, X509_ALGOR),
	ASN1_SIMPLE(REQ_LITE, sig, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END(REQ_LITE)

/* The curve's index in struct anc_csr_keys: P-256, P-384; -1 for others. */
static int
curve_of(const SPKI_LITE *s, const ASN1_OBJECT **curve)
{
	const ASN1_OBJECT *aoid;
	const void *param = NULL;
	int ptype = 0, nid;

	X509_ALGOR_get0(&aoid, &ptype, &param, s->alg);
	if (OBJ_obj2nid(aoid) != NID_X9_62_id_ecPublicKey ||
	    ptype != V_ASN1_OBJECT)
		return -1;
	*curve = param;
	nid = OBJ_obj2nid(param);
	return nid == NID_X9_62_prime256v1 ? 0 : nid == NID_secp384r1 ? 1 : -1;
}

/* The curve's parameters in the legacy form, decoded once. */
static EVP_PKEY *
legacy_params(struct anc_csr_keys *keys, int c, const ASN1_OBJECT *curve)
{
	const unsigned char *p;
	unsigned char *oid = NULL;
	int n;

	if (keys->legacy[c] == NULL && (n = i2d_ASN1_OBJECT(curve, &oid)) > 0) {
		p = oid;
		keys->legacy[c] = d2i_KeyParams(EVP_PKEY_EC, NULL, &p, n);
		OPENSSL_free(oid);
	}
	return keys->legacy[c];
}

/* A public key of the curve in the provider's form, made once from the
 * first request's point; each request's key is a copy given its own. */
static EVP_PKEY *
provider_params(struct anc_csr_keys *keys, int c, const ASN1_BIT_STRING *pt)
{
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM prm[3];
	char group[16];

	if (keys->provider[c] != NULL)
		return keys->provider[c];
	snprintf(group, sizeof(group), "%s", c == 0 ? SN_X9_62_prime256v1 :
	    SN_secp384r1);
	prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    group, 0);
	prm[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    pt->data, (size_t)pt->length);
	prm[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(ctx) == 1)
		(void)EVP_PKEY_fromdata(ctx, &keys->provider[c],
		    EVP_PKEY_PUBLIC_KEY, prm);
	EVP_PKEY_CTX_free(ctx);
	return keys->provider[c];
}

/*
 * The request's key: P-256, P-384 (named curves) or RSA; `provider` asks
 * for the provider's form (EC only: an RSA key is exported cheaply).  The
 * point is checked to be on the curve either way (EC_POINT_oct2point).
 */
static EVP_PKEY *
lite_key(const SPKI_LITE *s, struct anc_csr_keys *keys, int provider)
{
	const ASN1_OBJECT *aoid, *curve = NULL;
	const unsigned char *p;
	EVP_PKEY *k = NULL, *params;
	int c;

	if ((s->key->flags & 0x07) != 0)	/* unused bits in the key */
		return NULL;
	p = s->key->data;
	if ((c = curve_of(s, &curve)) < 0) {
		X509_ALGOR_get0(&aoid, NULL, NULL, s->alg);
		if (OBJ_obj2nid(aoid) != NID_rsaEncryption ||
		    d2i_PublicKey(EVP_PKEY_RSA, &k, &p, s->key->length) ==
		    NULL)
			goto bad;
	} else if (provider) {
		if ((params = provider_params(keys, c, s->key)) == NULL ||
		    (k = EVP_PKEY_dup(params)) == NULL ||
		    EVP_PKEY_set1_encoded_public_key(k, s->key->data,
		    (size_t)s->key->length) != 1)
			goto bad;
		return k;
	} else if ((params = legacy_params(keys, c, curve)) == NULL ||
	    (k = EVP_PKEY_new()) == NULL ||
	    EVP_PKEY_copy_parameters(k, params) != 1 ||
	    d2i_PublicKey(EVP_PKEY_EC, &k, &p, s->key->length) == NULL) {
		goto bad;
	}
	if (p == s->key->data + s->key->length)
		return k;
 bad:
	EVP_PKEY_free(k);
	return NULL;
}

/* The signature over the to-be-signed bytes, with the key's own digest
 * algorithm as the request names it (ECDSA or RSA PKCS#1 v1.5). */
static int
lite_verify(const REQ_LITE *r, const unsigned char *tbs, size_t tbslen,
    EVP_PKEY *k)
{
	const ASN1_OBJECT *aoid;
	EVP_MD_CTX *ctx;
	const EVP_MD *md;
	int md_nid, pk_nid, ok;

	X509_ALGOR_get0(&aoid, NULL, NULL, r->sig_alg);
	if (OBJ_find_sigid_algs(OBJ_obj2nid(aoid), &md_nid, &pk_nid) != 1 ||
	    (md = EVP_get_digestbynid(md_nid)) == NULL ||
	    (r->sig->flags & 0x07) != 0 ||
	    (pk_nid != (EVP_PKEY_is_a(k, "EC") ? NID_X9_62_id_ecPublicKey :
	    NID_rsaEncryption)))
		return 0;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, k) == 1 &&
	    EVP_DigestVerify(ctx, r->sig->data, (size_t)r->sig->length, tbs,
	    tbslen) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* The general way: OpenSSL's reader, and X509_REQ_verify. */
static int
general(const unsigned char *data, size_t len, const char *what, int verify,
    struct anc_csr *out, struct anc_err *err)
{
	X509_REQ *req = NULL;
	int r;

	if ((r = anc_steps_read_csr(data, len, what, &req, err)) != ANC_OK)
		return r;
	if (verify && X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1) {
		r = anc_err_ossl(err, ANC_E_POLICY, "policy "
		    "proof-of-possession: the request's self-signature does "
		    "not verify with its public key");
		goto out;
	}
	out->pop = verify;
	if ((out->key = X509_REQ_get0_pubkey(req)) == NULL ||
	    EVP_PKEY_up_ref(out->key) != 1 ||
	    (out->subject = X509_NAME_dup(X509_REQ_get_subject_name(req))) ==
	    NULL) {
		r = anc_err_ossl(err, ANC_E_NOMEM, "%s", what);
		goto out;
	}
	r = ANC_OK;
 out:
	X509_REQ_free(req);
	if (r != ANC_OK)
		anc_csr_clear(out);
	return r;
}

int
anc_csr_read_fast(const unsigned char *data, size_t len, const char *what,
    int verify, struct anc_csr_keys *keys, struct anc_csr *out,
    struct anc_err *err)
{
	const unsigned char *p = data, *q;
	unsigned char *der = NULL, *tbs = NULL;
	REQ_LITE *r = NULL;
	REQ_LITE_INFO *in = NULL;
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	long dlen = 0;
	size_t given = len;
	int n, rc = ANC_E_INTERNAL;

	memset(out, 0, sizeof(*out));
	/* PEM's base64 first; DER as it is. */
	if (len > 0 && data[0] != 0x30) {
		if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL ||
		    PEM_read_bio(bio, &name, &header, &der, &dlen) != 1 ||
		    (strcmp(name, PEM_STRING_X509_REQ) != 0 &&
		    strcmp(name, PEM_STRING_X509_REQ_OLD) != 0) ||
		    header[0] != '\0')
			goto general;
		p = der;
		len = (size_t)dlen;
	}
	q = p;
	if ((r = (REQ_LITE *)ASN1_item_d2i(NULL, &q, (long)len,
	    ASN1_ITEM_rptr(REQ_LITE))) == NULL || q != p + len ||
	    (n = i2d_ASN1_TYPE(r->info, &tbs)) <= 0 ||
	    r->info->type != V_ASN1_SEQUENCE)
		goto general;
	q = tbs;
	if ((in = (REQ_LITE_INFO *)ASN1_item_d2i(NULL, &q, n,
	    ASN1_ITEM_rptr(REQ_LITE_INFO))) == NULL || q != tbs + n ||
	    (out->key = lite_key(in->spki, keys, verify)) == NULL)
		goto general;
	if (verify && !lite_verify(r, tbs, (size_t)n, out->key))
		goto general;	/* the general way says why */
	out->pop = verify;
	out->subject = in->subject;
	in->subject = NULL;	/* transferred */
	rc = ANC_OK;
	goto out;
 general:
	ERR_clear_error();
	anc_csr_clear(out);
	rc = general(data, given, what, verify, out, err);
 out:
	ASN1_item_free((ASN1_VALUE *)in, ASN1_ITEM_rptr(REQ_LITE_INFO));
	ASN1_item_free((ASN1_VALUE *)r, ASN1_ITEM_rptr(REQ_LITE));
	OPENSSL_free(tbs);
	OPENSSL_free(der);
	OPENSSL_free(name);
	OPENSSL_free(header);
	BIO_free(bio);
	return rc;
}

void
anc_csr_clear(struct anc_csr *c)
{
	EVP_PKEY_free(c->key);
	X509_NAME_free(c->subject);
	memset(c, 0, sizeof(*c));
}

void
anc_csr_keys_free(struct anc_csr_keys *keys)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		EVP_PKEY_free(keys->legacy[i]);
		EVP_PKEY_free(keys->provider[i]);
		keys->legacy[i] = keys->provider[i] = NULL;
	}
}
