/*
 * anchorage: the inventory's fast path for a plain leaf.
 *
 * OpenSSL 3.0 decodes the public key of every certificate it parses into
 * an X509, through its provider decoders; on the appliance that costs more
 * than three ECDSA verifications (bench/README.md, inventory).  A leaf's
 * own key plays no part in checking that leaf, so a leaf presented with an
 * issuing CA that X509_verify_cert has already accepted is read here with
 * a template that keeps the key as raw bytes, and only the plain case is
 * decided: a version 3 certificate named as issued by that CA (and by its
 * key identifier), inside its validity, with only the extensions
 * cert-manager puts on leaves (none marking it a CA), whose ECDSA
 * signature verifies with the CA's key.  That is everything
 * X509_verify_cert checks of such a leaf when the chain above it carries
 * no name or policy constraints, and this path is used only then.
 *
 * It can only say yes.  Any failure, and anything it does not know, is
 * left to X509_verify_cert, which judges and explains it.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "rotation_int.h"

/* TBSCertificate, with the public key left undecoded. */
typedef struct {
	ASN1_INTEGER *version;
	ASN1_INTEGER *serial;
	X509_ALGOR *sig_alg;
	X509_NAME *issuer;
	X509_VAL *validity;
	X509_NAME *subject;
	ASN1_TYPE *spki;
	ASN1_BIT_STRING *issuer_uid;
	ASN1_BIT_STRING *subject_uid;
	STACK_OF(X509_EXTENSION) *exts;
} LEAF_TBS;

ASN1_SEQUENCE(LEAF_TBS) = {
	ASN1_EXP_OPT(LEAF_TBS, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(LEAF_TBS, serial, ASN1_INTEGER),
	ASN1_SIMPLE(LEAF_TBS, sig_alg, X509_ALGOR),
	ASN1_SIMPLE(LEAF_TBS, issuer, X509_NAME),
	ASN1_SIMPLE(LEAF_TBS, validity, X509_VAL),
	ASN1_SIMPLE(LEAF_TBS, subject, X509_NAME),
	ASN1_SIMPLE(LEAF_TBS, spki, ASN1_ANY),
	ASN1_IMP_OPT(LEAF_TBS, issuer_uid, ASN1_BIT_STRING, 1),
	ASN1_IMP_OPT(LEAF_TBS, subject_uid, ASN1_BIT_STRING, 2),
	ASN1_EXP_SEQUENCE_OF_OPT(LEAF_TBS, exts, X509_EXTENSION, 3)
} static_ASN1_SEQUENCE_END(LEAF_TBS)

struct anc_inv_fast {
	X509 *ca;
	EVP_PKEY_CTX *vctx;	/* ECDSA verification with the CA's key */
};

/* Constraints that X509_verify_cert applies to a leaf from above. */
static int
constrains(X509 *x)
{
	return X509_get_ext_by_NID(x, NID_name_constraints, -1) >= 0 ||
	    X509_get_ext_by_NID(x, NID_policy_constraints, -1) >= 0 ||
	    X509_get_ext_by_NID(x, NID_inhibit_any_policy, -1) >= 0;
}

int
anc_inv_fast_new(X509 *ca, STACK_OF(X509) *chain, X509 *const *anchors,
    size_t n, struct anc_inv_fast **out)
{
	struct anc_inv_fast *f;
	EVP_PKEY *key = X509_get0_pubkey(ca);
	size_t i;
	int j;

	*out = NULL;
	if (key == NULL || !EVP_PKEY_is_a(key, "EC") || constrains(ca) ||
	    (X509_get_key_usage(ca) & KU_KEY_CERT_SIGN) == 0) {
		ERR_clear_error();
		return ANC_OK;
	}
	for (j = 0; j < sk_X509_num(chain); j++)
		if (constrains(sk_X509_value(chain, j)))
			return ANC_OK;
	for (i = 0; i < n; i++)
		if (constrains(anchors[i]))
			return ANC_OK;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return ANC_E_NOMEM;
	if ((f->vctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
	    EVP_PKEY_verify_init(f->vctx) != 1 || !X509_up_ref(ca)) {
		ERR_clear_error();
		anc_inv_fast_free(f);
		return ANC_E_NOMEM;
	}
	f->ca = ca;
	*out = f;
	return ANC_OK;
}

void
anc_inv_fast_free(struct anc_inv_fast *f)
{
	if (f == NULL)
		return;
	EVP_PKEY_CTX_free(f->vctx);
	X509_free(f->ca);
	free(f);
}

/* The certificate's three parts: TBS bytes, signature algorithm, value. */
struct parts {
	const unsigned char *tbs;
	long tbs_len;
	X509_ALGOR *alg;
	ASN1_BIT_STRING *sig;
};

static int
split(const unsigned char *der, size_t len, struct parts *pt)
{
	const unsigned char *p = der, *end = der + len;
	long l;
	int tag, cls;

	if (len > (size_t)LONG_MAX ||
	    (ASN1_get_object(&p, &l, &tag, &cls, (long)len) & 0x80) ||
	    tag != V_ASN1_SEQUENCE || p + l != end)
		return -1;
	pt->tbs = p;
	if ((ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) ||
	    tag != V_ASN1_SEQUENCE)
		return -1;
	p += l;
	pt->tbs_len = p - pt->tbs;
	if ((pt->alg = d2i_X509_ALGOR(NULL, &p, end - p)) == NULL ||
	    (pt->sig = d2i_ASN1_BIT_STRING(NULL, &p, end - p)) == NULL ||
	    p != end)
		return -1;
	return 0;
}

/* ECDSA with SHA-2, without parameters, the same inside and outside. */
static const EVP_MD *
digest_of(const LEAF_TBS *t, const X509_ALGOR *outer)
{
	const ASN1_OBJECT *obj;
	int ptype = 0;

	if (X509_ALGOR_cmp(t->sig_alg, outer) != 0)
		return NULL;
	X509_ALGOR_get0(&obj, &ptype, NULL, outer);
	if (ptype != V_ASN1_UNDEF)
		return NULL;
	switch (OBJ_obj2nid(obj)) {
	case NID_ecdsa_with_SHA256:
		return EVP_sha256();
	case NID_ecdsa_with_SHA384:
		return EVP_sha384();
	case NID_ecdsa_with_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* Does an extension of a known kind decode (X509_verify_cert marks a
 * certificate invalid when one does not)? */
static int
decodes(X509_EXTENSION *e)
{
	const X509V3_EXT_METHOD *m = X509V3_EXT_get(e);
	void *v;

	if (m == NULL || m->it == NULL || (v = X509V3_EXT_d2i(e)) == NULL)
		return 0;
	ASN1_item_free((ASN1_VALUE *)v, ASN1_ITEM_ptr(m->it));
	return 1;
}

/* One extension of a leaf: understood, well formed, not a CA's. */
static int
plain_ext(const struct anc_inv_fast *f, X509_EXTENSION *e)
{
	int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e)), ok = 0;
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(f->ca);
	BASIC_CONSTRAINTS *bc;
	AUTHORITY_KEYID *akid;

	switch (nid) {
	case NID_basic_constraints:
		bc = X509V3_EXT_d2i(e);
		ok = bc != NULL && !bc->ca && bc->pathlen == NULL;
		BASIC_CONSTRAINTS_free(bc);
		return ok;
	case NID_authority_key_identifier:
		/* X509_check_issued compares the key identifier when both
		 * have one; an issuer name and serial it leaves to us. */
		akid = X509V3_EXT_d2i(e);
		ok = akid != NULL && akid->issuer == NULL && akid->serial ==
		    NULL && (akid->keyid == NULL || skid == NULL ||
		    ASN1_OCTET_STRING_cmp(akid->keyid, skid) == 0);
		AUTHORITY_KEYID_free(akid);
		return ok;
	case NID_key_usage:
	case NID_ext_key_usage:
	case NID_subject_key_identifier:
	case NID_subject_alt_name:
		return decodes(e);
	default:
		return 0;
	}
}

/* Every extension plain, none twice. */
static int
plain_exts(const struct anc_inv_fast *f, const STACK_OF(X509_EXTENSION) *exts)
{
	int i, j, n = sk_X509_EXTENSION_num(exts);

	for (i = 0; i < n; i++) {
		if (!plain_ext(f, sk_X509_EXTENSION_value(exts, i)))
			return 0;
		for (j = 0; j < i; j++)
			if (OBJ_cmp(X509_EXTENSION_get_object(
			    sk_X509_EXTENSION_value(exts, i)),
			    X509_EXTENSION_get_object(
			    sk_X509_EXTENSION_value(exts, j))) == 0)
				return 0;
	}
	return 1;
}

/* As X509_verify_cert judges time: notBefore at or before `at`, notAfter
 * after it. */
static int
in_time(const LEAF_TBS *t, time_t at)
{
	return X509_cmp_time(t->validity->notBefore, &at) < 0 &&
	    X509_cmp_time(t->validity->notAfter, &at) > 0;
}

static int
signed_by(const struct anc_inv_fast *f, const struct parts *pt,
    const EVP_MD *md)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hl = 0;

	/* A signature BIT STRING with unused bits is malformed. */
	if ((pt->sig->flags & 0x07) != 0 ||
	    EVP_Digest(pt->tbs, (size_t)pt->tbs_len, h, &hl, md, NULL) != 1)
		return 0;
	return EVP_PKEY_verify(f->vctx, ASN1_STRING_get0_data(pt->sig),
	    (size_t)ASN1_STRING_length(pt->sig), h, hl) == 1;
}

int
anc_inv_fast_leaf(const struct anc_inv_fast *f, time_t at,
    const unsigned char *der, size_t len, struct anc_inv_result *res)
{
	struct parts pt = { NULL, 0, NULL, NULL };
	const unsigned char *p;
	LEAF_TBS *t = NULL;
	const EVP_MD *md;
	time_t na;
	int ok = 0;

	if (split(der, len, &pt) != 0)
		goto out;
	p = pt.tbs;
	t = (LEAF_TBS *)ASN1_item_d2i(NULL, &p, pt.tbs_len,
	    ASN1_ITEM_rptr(LEAF_TBS));
	if (t == NULL || p != pt.tbs + pt.tbs_len || t->version == NULL ||
	    ASN1_INTEGER_get(t->version) != 2 ||
	    (md = digest_of(t, pt.alg)) == NULL ||
	    X509_NAME_cmp(t->issuer, X509_get_subject_name(f->ca)) != 0 ||
	    X509_NAME_cmp(t->subject, t->issuer) == 0 ||
	    !in_time(t, at) || !plain_exts(f, t->exts) ||
	    !signed_by(f, &pt, md))
		goto out;
	anc_x509_name_text(t->subject, res->subject, sizeof(res->subject));
	if (anc_asn1_time(t->validity->notAfter, &na) == 0)
		anc_rfc3339_format(na, res->not_after);
	ok = 1;
 out:
	ASN1_item_free((ASN1_VALUE *)t, ASN1_ITEM_rptr(LEAF_TBS));
	X509_ALGOR_free(pt.alg);
	ASN1_BIT_STRING_free(pt.sig);
	ERR_clear_error();
	return ok;
}
