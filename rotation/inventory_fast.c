/*
 * anchorage: the inventory's fast path for a plain leaf.
 *
 * OpenSSL 3.0 decodes the public key of every certificate it parses into
 * an X509, through its provider decoders; on the appliance that costs more
 * than three ECDSA verifications (bench/README.md, inventory).  A leaf's
 * own key plays no part in checking that leaf, so a leaf presented with an
 * issuing CA that X509_verify_cert has already accepted is read here with
 * a template that keeps the key as raw bytes, and only the plain case is
 * decided: a version 3 certificate naming that CA as its issuer, in the
 * same bytes as the CA's subject (and by its key identifier), inside its validity, with only the extensions
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

/* TBSCertificate, with the issuer name and the public key left as bytes. */
typedef struct {
	ASN1_INTEGER *version;
	ASN1_INTEGER *serial;
	X509_ALGOR *sig_alg;
	ASN1_TYPE *issuer;
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
	ASN1_SIMPLE(LEAF_TBS, issuer, ASN1_ANY),
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
	unsigned char *name;	/* the CA's subject, DER */
	int name_len;
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
	    EVP_PKEY_verify_init(f->vctx) != 1 ||
	    (f->name_len = i2d_X509_NAME(X509_get_subject_name(ca),
	    &f->name)) <= 0 || !X509_up_ref(ca)) {
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
	OPENSSL_free(f->name);
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

/* The raw encoding of a name read as ASN1_ANY. */
static int
same_bytes(const ASN1_TYPE *name, const unsigned char *der, int len)
{
	return name->type == V_ASN1_SEQUENCE &&
	    ASN1_STRING_length(name->value.sequence) == len &&
	    memcmp(ASN1_STRING_get0_data(name->value.sequence), der,
	    (size_t)len) == 0;
}

/* Issuer and subject the same bytes: X509_verify_cert treats such a
 * certificate as a possible root, which is not the plain case. */
static int
self_issued(const LEAF_TBS *t)
{
	unsigned char *der = NULL;
	int len = i2d_X509_NAME(t->subject, &der), r;

	r = len <= 0 || same_bytes(t->issuer, der, len);
	OPENSSL_free(der);
	return r;
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
	    !same_bytes(t->issuer, f->name, f->name_len) ||
	    self_issued(t) ||
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

/*
 * Names and key identifiers, for cutting a PEM stream into chains: read
 * straight from the DER, without allocating (a stream is mostly this).
 */

/* The element at *p, before end: tag, class and contents; *p moves past
 * it.  Indefinite lengths are not DER. */
static int
elem(const unsigned char **p, const unsigned char *end, int *tag, int *cls,
    const unsigned char **in, long *len)
{
	const unsigned char *q = *p;
	int ret;

	if (q >= end)
		return -1;
	ret = ASN1_get_object(&q, len, tag, cls, end - q);
	if ((ret & 0x80) != 0 || ret == 0x21)
		return -1;
	*in = q;
	*p = q + *len;
	return 0;
}

/* An element of the given universal tag; its contents. */
static int
want(const unsigned char **p, const unsigned char *end, int tag,
    const unsigned char **in, long *len)
{
	int t, c;

	if (elem(p, end, &t, &c, in, len) != 0 || t != tag ||
	    c != V_ASN1_UNIVERSAL)
		return -1;
	return 0;
}

/* The key identifier inside a SKID (OCTET STRING) or AKID (SEQUENCE whose
 * [0] is the key identifier) extension value. */
static void
ext_key_id(const unsigned char *v, long vlen, int akid, const unsigned char **id,
    int *len)
{
	const unsigned char *p = v, *in;
	long l;
	int t, c;

	if (!akid) {
		if (want(&p, v + vlen, V_ASN1_OCTET_STRING, &in, &l) == 0)
			*id = in, *len = (int)l;
		return;
	}
	if (want(&p, v + vlen, V_ASN1_SEQUENCE, &in, &l) != 0)
		return;
	p = in;
	if (elem(&p, in + l, &t, &c, &in, &l) == 0 && c ==
	    V_ASN1_CONTEXT_SPECIFIC && t == 0)
		*id = in, *len = (int)l;
}

static int
ids_exts(const unsigned char *p, const unsigned char *end,
    struct anc_inv_ids *ids)
{
	static const unsigned char skid[] = { 0x55, 0x1d, 0x0e };
	static const unsigned char akid[] = { 0x55, 0x1d, 0x23 };
	const unsigned char *ext, *q, *oid, *v;
	long el, ol, vl;
	int t, c;

	while (p < end) {
		if (want(&p, end, V_ASN1_SEQUENCE, &ext, &el) != 0 ||
		    (q = ext, want(&q, ext + el, V_ASN1_OBJECT, &oid, &ol)) != 0 ||
		    elem(&q, ext + el, &t, &c, &v, &vl) != 0 ||
		    (t == V_ASN1_BOOLEAN && elem(&q, ext + el, &t, &c, &v, &vl) !=
		    0) || t != V_ASN1_OCTET_STRING)
			return -1;
		if (ol == 3 && memcmp(oid, skid, 3) == 0)
			ext_key_id(v, vl, 0, &ids->skid, &ids->skid_len);
		else if (ol == 3 && memcmp(oid, akid, 3) == 0)
			ext_key_id(v, vl, 1, &ids->akid, &ids->akid_len);
	}
	return 0;
}

int
anc_inv_ids_get(const unsigned char *der, size_t len, struct anc_inv_ids *ids)
{
	const unsigned char *p = der, *end = der + len, *in, *tbs, *tend, *s;
	long l;
	int t, c;

	memset(ids, 0, sizeof(*ids));
	if (len > (size_t)LONG_MAX || want(&p, end, V_ASN1_SEQUENCE, &in, &l) !=
	    0 || p != end)
		return -1;
	p = in;
	if (want(&p, end, V_ASN1_SEQUENCE, &tbs, &l) != 0)
		return -1;
	tend = tbs + l;
	if (want(&p, end, V_ASN1_SEQUENCE, &in, &l) != 0 ||
	    want(&p, end, V_ASN1_BIT_STRING, &in, &l) != 0 || p != end)
		return -1;
	p = tbs;
	if (elem(&p, tend, &t, &c, &in, &l) != 0)
		return -1;
	if (c == V_ASN1_CONTEXT_SPECIFIC && t == 0 &&
	    elem(&p, tend, &t, &c, &in, &l) != 0)
		return -1;
	if (t != V_ASN1_INTEGER || want(&p, tend, V_ASN1_SEQUENCE, &in, &l))
		return -1;
	s = p;
	if (want(&p, tend, V_ASN1_SEQUENCE, &in, &l) != 0)
		return -1;
	ids->issuer = s, ids->issuer_len = (int)(p - s);
	if (want(&p, tend, V_ASN1_SEQUENCE, &in, &l) != 0)
		return -1;
	s = p;
	if (want(&p, tend, V_ASN1_SEQUENCE, &in, &l) != 0)
		return -1;
	ids->subject = s, ids->subject_len = (int)(p - s);
	if (want(&p, tend, V_ASN1_SEQUENCE, &in, &l) != 0)
		return -1;
	while (p < tend) {
		if (elem(&p, tend, &t, &c, &in, &l) != 0 ||
		    c != V_ASN1_CONTEXT_SPECIFIC)
			return -1;
		if (t == 3 && (s = in, want(&s, in + l, V_ASN1_SEQUENCE, &in,
		    &l)) == 0 && ids_exts(in, in + l, ids) != 0)
			return -1;
	}
	return 0;
}

int
anc_inv_ids_issues(const struct anc_inv_ids *x, const struct anc_inv_ids *last)
{
	/* A root ends its chain. */
	if (last->issuer_len == last->subject_len &&
	    memcmp(last->issuer, last->subject, (size_t)last->issuer_len) == 0)
		return 0;
	if (x->subject_len != last->issuer_len ||
	    memcmp(x->subject, last->issuer, (size_t)x->subject_len) != 0)
		return 0;
	return last->akid_len == 0 || x->skid_len == 0 ||
	    (last->akid_len == x->skid_len &&
	    memcmp(last->akid, x->skid, (size_t)x->skid_len) == 0);
}
