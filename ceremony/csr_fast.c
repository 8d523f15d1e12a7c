/*
 * anchorage: a CSR read for a batch, without OpenSSL 3.0's provider
 * decoders.
 *
 * d2i_X509_REQ decodes the request's public key through the provider
 * decoders: 1.2 M instructions of the 1.5 M a P-256 CSR costs, twice per
 * cluster (the check, then the run).  Here the request is read with ASN.1
 * templates that keep the key's parts as bytes; the key is made in the
 * legacy form from the curve's OID and the point (or the RSAPublicKey), as
 * profile.c does for certificates, and the proof of possession is
 * verified over the request's own to-be-signed bytes.  What this reader
 * does not take (another key type or signature algorithm) goes the general
 * way: anc_steps_read_csr, then X509_REQ_verify in the policy check.
 */
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
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

/* The key in the legacy form: P-256, P-384 (named curves) or RSA. */
static EVP_PKEY *
lite_key(const SPKI_LITE *s)
{
	const unsigned char *p;
	unsigned char *oid = NULL;
	const ASN1_OBJECT *aoid;
	const void *param = NULL;
	EVP_PKEY *k = NULL;
	int ptype = 0, n, nid;

	X509_ALGOR_get0(&aoid, &ptype, &param, s->alg);
	nid = OBJ_obj2nid(aoid);
	if ((s->key->flags & 0x07) != 0)	/* unused bits in the key */
		return NULL;
	if (nid == NID_X9_62_id_ecPublicKey && ptype == V_ASN1_OBJECT &&
	    ((nid = OBJ_obj2nid(param)) == NID_X9_62_prime256v1 ||
	    nid == NID_secp384r1)) {
		if ((n = i2d_ASN1_OBJECT(param, &oid)) <= 0)
			return NULL;
		p = oid;
		k = d2i_KeyParams(EVP_PKEY_EC, NULL, &p, n);
		OPENSSL_free(oid);
	} else if (nid != NID_rsaEncryption) {
		return NULL;
	}
	p = s->key->data;
	if (d2i_PublicKey(nid == NID_rsaEncryption ? EVP_PKEY_RSA :
	    EVP_PKEY_EC, &k, &p, s->key->length) == NULL ||
	    p != s->key->data + s->key->length) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
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

/* The request as an X509_REQ carrying the legacy key, for the policy. */
static X509_REQ *
lite_req(const REQ_LITE_INFO *in, EVP_PKEY *k)
{
	X509_REQ *req = X509_REQ_new();

	if (req == NULL || X509_REQ_set_version(req,
	    ASN1_INTEGER_get(in->version)) != 1 ||
	    X509_REQ_set_subject_name(req, in->subject) != 1 ||
	    X509_REQ_set_pubkey(req, k) != 1) {
		X509_REQ_free(req);
		return NULL;
	}
	return req;
}

int
anc_csr_read_fast(const unsigned char *data, size_t len, const char *what,
    int verify, X509_REQ **out, int *pop, struct anc_err *err)
{
	const unsigned char *p = data, *q;
	unsigned char *der = NULL, *tbs = NULL;
	REQ_LITE *r = NULL;
	REQ_LITE_INFO *in = NULL;
	EVP_PKEY *k = NULL;
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	long dlen = 0;
	size_t given = len;
	int n, rc = ANC_E_INTERNAL;

	*pop = 0;
	*out = NULL;
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
	    (k = lite_key(in->spki)) == NULL)
		goto general;
	if (verify) {
		if (!lite_verify(r, tbs, (size_t)n, k))
			goto general;	/* the general way says why */
		*pop = 1;
	}
	if ((*out = lite_req(in, k)) == NULL)
		goto general;
	rc = ANC_OK;
	goto out;
 general:
	ERR_clear_error();
	*pop = 0;
	rc = anc_steps_read_csr(data, given, what, out, err);
 out:
	EVP_PKEY_free(k);
	ASN1_item_free((ASN1_VALUE *)in, ASN1_ITEM_rptr(REQ_LITE_INFO));
	ASN1_item_free((ASN1_VALUE *)r, ASN1_ITEM_rptr(REQ_LITE));
	OPENSSL_free(tbs);
	OPENSSL_free(der);
	OPENSSL_free(name);
	OPENSSL_free(header);
	BIO_free(bio);
	return rc;
}
