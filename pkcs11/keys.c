/*
 * anchorage: generating key pairs with a strict template, reading public
 * keys back, and handing out signing keys.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "p11_int.h"

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

/* PKCS#11 templates take non-const pointers to data the call only reads. */
#define ATTR(t, p, l) { (t), (void *)(uintptr_t)(p), (l) }
#define ABOOL(t, v) ATTR(t, &(v), sizeof(CK_BBOOL))

/* A random CKA_ID; the label and the id must both be unused. */
int
anc_p11_new_id(struct anc_token *t, const char *what, const char *label,
    unsigned char id[ANC_KEY_ID_LEN], struct anc_err *err)
{
	int found, r;

	if ((r = anc_token_random(t, id, ANC_KEY_ID_LEN, err)) != ANC_OK)
		return anc_err_prefix(err, "%s \"%s\": CKA_ID", what, label);
	if ((r = anc_token_object_exists(t, label, NULL, 0, &found, err)) !=
	    ANC_OK)
		return r;
	if (found)
		return anc_err_set(err, ANC_E_EXISTS, "%s: label \"%s\" is "
		    "already used by an object in the token; labels are never "
		    "reused", what, label);
	if ((r = anc_token_object_exists(t, NULL, id, ANC_KEY_ID_LEN, &found,
	    err)) != ANC_OK)
		return r;
	if (found)
		return anc_err_set(err, ANC_E_EXISTS, "%s: the random CKA_ID "
		    "drawn for \"%s\" is already in use", what, label);
	return ANC_OK;
}

static const char *const policy_names[] = { "none", "wrap-with-trusted" };

const char *
anc_backup_policy_name(enum anc_backup_policy p)
{
	return (unsigned)p < 2 ? policy_names[p] : NULL;
}

int
anc_backup_policy_from_name(const char *name)
{
	int i;

	for (i = 0; i < 2; i++)
		if (strcmp(name, policy_names[i]) == 0)
			return i;
	return -1;
}

const char *
anc_key_backup(const struct anc_key_info *ki)
{
	if (!ki->is_private)
		return NULL;
	if (ki->extractable == 0)
		return "none";
	if (ki->extractable == 1 && ki->wrap_with_trusted == 1 &&
	    ki->sensitive == 1)
		return "wrap-with-trusted";
	if (ki->extractable == 1)
		return "extractable";
	return "unknown";
}

int
anc_p11_generate(struct anc_token *t, enum anc_keyalg alg, const char *label,
    enum anc_backup_policy backup, const unsigned char *id, int on_token,
    CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv, struct anc_err *err)
{
	CK_BBOOL wwt = backup == ANC_BACKUP_WRAP_WITH_TRUSTED;
	CK_BBOOL persist = on_token ? CK_TRUE : CK_FALSE;
	CK_ULONG bits = alg == ANC_KEY_RSA_4096 ? 4096 : 3072;
	static const unsigned char e65537[] = { 0x01, 0x00, 0x01 };
	const unsigned char *oid;
	size_t oidlen, ll = strlen(label);
	CK_MECHANISM mech = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_RV rv;
	/*
	 * The public half names no usage flags (CKA_VERIFY, CKA_ENCRYPT,
	 * CKA_WRAP, CKA_DERIVE): they would only restate what the private
	 * half allows, and some modules refuse them.  tpm2-pkcs11 1.9.0
	 * derives them from the TPM object and answers CKR_GENERAL_ERROR to a
	 * template that names them, after loading the new object into the
	 * TPM and without flushing it, so that a second attempt in the same
	 * process fails for want of object slots: retrying without them is
	 * not an option there.  Whatever the module then sets on the public
	 * half gives nothing away: the private half below cannot decrypt,
	 * unwrap or derive, and that is read back and checked.
	 */
	CK_ATTRIBUTE pubt[] = {
		ABOOL(CKA_TOKEN, persist), ABOOL(CKA_PRIVATE, no),
		ATTR(CKA_LABEL, label, ll), ATTR(CKA_ID, id, ANC_KEY_ID_LEN),
		ATTR(0, NULL, 0), ATTR(0, NULL, 0),
	};
	CK_ATTRIBUTE privt[] = {
		ABOOL(CKA_TOKEN, persist), ABOOL(CKA_PRIVATE, yes),
		ABOOL(CKA_SENSITIVE, yes), ABOOL(CKA_SIGN, yes),
		ABOOL(CKA_EXTRACTABLE, wwt), ABOOL(CKA_DECRYPT, no),
		ABOOL(CKA_UNWRAP, no), ABOOL(CKA_DERIVE, no),
		ATTR(CKA_LABEL, label, ll), ATTR(CKA_ID, id, ANC_KEY_ID_LEN),
		ABOOL(CKA_WRAP_WITH_TRUSTED, wwt),	/* last: see npriv */
	};
	CK_ULONG npub = 4;
	/* CKA_WRAP_WITH_TRUSTED only for a key that may leave (backup): a
	 * non-extractable key cannot be wrapped at all, and openCryptoki
	 * 3.8.1 refuses the attribute (CKR_ATTRIBUTE_TYPE_INVALID). */
	CK_ULONG npriv = sizeof(privt) / sizeof(privt[0]) - (wwt ? 0 : 1);

	if ((oid = anc_p11_curve_oid(alg, &oidlen)) != NULL) {
		pubt[npub++] = (CK_ATTRIBUTE)ATTR(CKA_EC_PARAMS, oid, oidlen);
	} else {
		mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
		pubt[npub++] = (CK_ATTRIBUTE)ATTR(CKA_MODULUS_BITS, &bits,
		    sizeof(bits));
		pubt[npub++] = (CK_ATTRIBUTE)ATTR(CKA_PUBLIC_EXPONENT, e65537,
		    sizeof(e65537));
	}
	rv = t->m->fl->C_GenerateKeyPair(t->session, &mech, pubt, npub, privt,
	    npriv, pub, priv);
	if (rv != CKR_OK)
		return anc_p11_template_refused(t, &mech, pubt, npub, privt,
		    sizeof(privt) / sizeof(privt[0]), label,
		    anc_keyalg_name(alg), rv, err);
	return ANC_OK;
}

/*
 * The token must have kept every attribute the template asked for.  When
 * it did not, the key is in the token all the same: the message says so
 * and names it (label and CKA_ID) for the officers to destroy it.
 */
static int
check_attrs(const struct anc_key_info *ki, const char *label,
    enum anc_backup_policy backup, struct anc_err *err)
{
	char id[2 * sizeof(ki->id) + 1];
	int wwt = backup == ANC_BACKUP_WRAP_WITH_TRUSTED;
	const char *bad = NULL;

	if (ki->sensitive != 1)
		bad = "CKA_SENSITIVE is not true";
	else if (ki->extractable != wwt)
		bad = wwt ? "CKA_EXTRACTABLE is not true (backup: "
		    "wrap-with-trusted)" : "CKA_EXTRACTABLE is not false";
	else if (wwt && ki->wrap_with_trusted != 1)
		bad = "CKA_WRAP_WITH_TRUSTED is not true";
	else if (ki->always_sensitive != 1)
		bad = "CKA_ALWAYS_SENSITIVE is not true";
	else if (ki->never_extractable != !wwt)
		bad = wwt ? "CKA_NEVER_EXTRACTABLE is true for an extractable "
		    "key" : "CKA_NEVER_EXTRACTABLE is not true";
	else if (ki->local != 1)
		bad = "CKA_LOCAL is not true";
	else if (ki->decrypt == 1 || ki->unwrap == 1 || ki->derive == 1)
		bad = "the key may decrypt, unwrap or derive";
	else if (ki->sign != 1 || ki->private_ != 1 || ki->token != 1)
		bad = "CKA_SIGN, CKA_PRIVATE or CKA_TOKEN is not true";
	if (bad == NULL)
		return ANC_OK;
	anc_hex(ki->id, ki->id_len, id);
	return anc_err_set(err, ANC_E_UNSAFE, "generate-key \"%s\": read "
	    "back from the token, %s; the key is unfit for a root; the key "
	    "pair IS in the token (label \"%s\", CKA_ID %s) and must be "
	    "destroyed by the officers, both halves, e.g. pkcs11-tool "
	    "--login --delete-object --type privkey --id %s, then --type "
	    "pubkey", label, bad, label, id, id);
}

int
anc_token_generate_key(struct anc_token *t, enum anc_keyalg alg,
    const char *label, enum anc_backup_policy backup,
    struct anc_key_info *info, struct anc_err *err)
{
	unsigned char id[ANC_KEY_ID_LEN];
	CK_OBJECT_HANDLE pub, priv;
	int r;

	memset(info, 0, sizeof(*info));
	if (anc_keyalg_name(alg) == NULL ||
	    anc_backup_policy_name(backup) == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "generate-key: no "
		    "algorithm or backup policy");
	if ((r = anc_p11_new_id(t, "generate-key", label, id, err)) != ANC_OK)
		return r;
	if ((r = anc_p11_generate(t, alg, label, backup, id, 1, &pub, &priv,
	    err)) != ANC_OK)
		return r;
	if ((r = anc_p11_key_info(t, priv, info, err)) != ANC_OK) {
		/* The key exists: its label and id are known even so. */
		snprintf(info->label, sizeof(info->label), "%s", label);
		memcpy(info->id, id, sizeof(id));
		info->id_len = sizeof(id);
		return anc_err_prefix(err, "generate-key \"%s\": reading "
		    "attributes back", label);
	}
	return check_attrs(info, label, backup, err);
}

/* A public EVP_PKEY of `type` from the parameters in `bld`. */
static int
from_params(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **out,
    const char *attr, struct anc_err *err)
{
	OSSL_PARAM *prm = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	int r = ANC_OK;

	if ((prm = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, prm) != 1)
		r = anc_err_ossl(err, ANC_E_CRYPTO, "public key: cannot build "
		    "an %s key from %s", type, attr);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(prm);
	return r;
}

int
anc_p11_ec_point(const unsigned char *v, size_t len, size_t field,
    const unsigned char **pt, size_t *ptlen, struct anc_err *err)
{
	size_t raw = 2 * field + 1;	/* 04 || X || Y */

	/* Raw first, by its exact length: its first bytes (04, then X's
	 * first byte) may read as a DER OCTET STRING header, as for one
	 * point in 256. */
	if (v != NULL && len == raw && v[0] == 0x04) {
		*pt = v;
		*ptlen = len;
		return ANC_OK;
	}
	/* DER: 04, a definite length, then the uncompressed point. */
	if (v != NULL && raw < 0x80 && len == raw + 2 && v[0] == 0x04 &&
	    v[1] == raw && v[2] == 0x04) {
		*pt = v + 2;
		*ptlen = raw;
		return ANC_OK;
	}
	if (v != NULL && raw >= 0x80 && raw < 0x100 && len == raw + 3 &&
	    v[0] == 0x04 && v[1] == 0x81 && v[2] == raw && v[3] == 0x04) {
		*pt = v + 3;
		*ptlen = raw;
		return ANC_OK;
	}
	return anc_err_set(err, ANC_E_UNSAFE, "public key: CKA_EC_POINT of %zu "
	    "bytes is neither an uncompressed point of %zu bytes nor one "
	    "wrapped in a DER OCTET STRING", len, raw);
}

static int
ec_public(const unsigned char *params, size_t plen,
    const unsigned char *point, size_t ptlen, EVP_PKEY **out,
    struct anc_err *err)
{
	const unsigned char *oid, *pt;
	const char *group;
	size_t len, field;
	OSSL_PARAM_BLD *bld = NULL;
	int r;

	if ((oid = anc_p11_curve_oid(ANC_KEY_EC_P256, &len)) != NULL &&
	    plen == len && memcmp(params, oid, len) == 0) {
		group = SN_X9_62_prime256v1;
		field = 32;
	} else if ((oid = anc_p11_curve_oid(ANC_KEY_EC_P384, &len)) != NULL &&
	    plen == len && memcmp(params, oid, len) == 0) {
		group = SN_secp384r1;
		field = 48;
	} else
		return anc_err_set(err, ANC_E_UNSAFE, "public key: curve is "
		    "neither P-256 nor P-384");
	if ((r = anc_p11_ec_point(point, ptlen, field, &pt, &len, err)) !=
	    ANC_OK)
		return r;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, len))
		r = anc_err_ossl(err, ANC_E_NOMEM, "public key parameters");
	else
		r = from_params("EC", bld, out, "CKA_EC_POINT", err);
	OSSL_PARAM_BLD_free(bld);
	return r;
}

static int
rsa_public(const unsigned char *mod, size_t mlen, const unsigned char *exp,
    size_t elen, EVP_PKEY **out, struct anc_err *err)
{
	BIGNUM *n = BN_bin2bn(mod, (int)mlen, NULL);
	BIGNUM *e = BN_bin2bn(exp, (int)elen, NULL);
	OSSL_PARAM_BLD *bld = NULL;
	int r;

	if (n == NULL || e == NULL || (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		r = anc_err_ossl(err, ANC_E_NOMEM, "public key parameters");
	else
		r = from_params("RSA", bld, out, "CKA_MODULUS", err);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return r;
}

/* Read the public key object labelled `label` from the token. */
static int
read_public(struct anc_token *t, const char *label, EVP_PKEY **out,
    struct anc_err *err)
{
	CK_OBJECT_HANDLE h;
	CK_ATTRIBUTE a[] = {
		{ CKA_EC_PARAMS, NULL, 0 }, { CKA_EC_POINT, NULL, 0 },
		{ CKA_MODULUS, NULL, 0 }, { CKA_PUBLIC_EXPONENT, NULL, 0 },
	};
	int r;

	if ((r = anc_p11_find_one(t, CKO_PUBLIC_KEY, label, &h, err)) != ANC_OK)
		return r;
	if ((r = anc_p11_attrs(t, h, a, sizeof(a) / sizeof(a[0]), err)) !=
	    ANC_OK)
		return r;
	if (a[0].ulValueLen > 0)
		r = ec_public(a[0].pValue, a[0].ulValueLen, a[1].pValue,
		    a[1].ulValueLen, out, err);
	else if (a[2].ulValueLen > 0 && a[3].ulValueLen > 0)
		r = rsa_public(a[2].pValue, a[2].ulValueLen, a[3].pValue,
		    a[3].ulValueLen, out, err);
	else
		r = anc_err_set(err, ANC_E_UNSAFE, "key \"%s\": public key "
		    "object has neither an EC point nor an RSA modulus", label);
	anc_p11_attrs_free(a, sizeof(a) / sizeof(a[0]));
	return r;
}

int
anc_token_public_key(struct anc_token *t, const char *label, EVP_PKEY **out,
    struct anc_err *err)
{
	EVP_PKEY *pk = NULL;
	size_t i;
	int r;

	for (i = 0; i < t->npubs; i++)
		if (strcmp(t->pubs[i].label, label) == 0)
			break;
	if (i == t->npubs) {
		if ((r = read_public(t, label, &pk, err)) != ANC_OK)
			return r;
		/* Past the last slot, a key is read again each time. */
		if (t->npubs == ANC_SIGNERS_MAX) {
			*out = pk;
			return ANC_OK;
		}
		snprintf(t->pubs[i].label, sizeof(t->pubs[i].label), "%s",
		    label);
		t->pubs[t->npubs++].pkey = pk;	/* owned by the token */
	}
	if (!EVP_PKEY_up_ref(t->pubs[i].pkey))
		return anc_err_set(err, ANC_E_INTERNAL, "key reference");
	*out = t->pubs[i].pkey;
	return ANC_OK;
}

/*
 * The signing key of a label: raw C_Sign on our session (sign.c), made
 * once per label and kept until the token is closed, so that every
 * signature of a run goes through the same handle.
 */
int
anc_token_signer(struct anc_token *t, const char *label, EVP_PKEY **out,
    struct anc_err *err)
{
	struct anc_key_info ki;
	CK_OBJECT_HANDLE h;
	EVP_PKEY *pk = NULL;
	size_t i;
	int r;

	for (i = 0; i < t->nsigners; i++)
		if (strcmp(t->signers[i].label, label) == 0) {
			*out = t->signers[i].pkey;
			return ANC_OK;
		}
	if (t->nsigners == ANC_SIGNERS_MAX)
		return anc_err_set(err, ANC_E_INTERNAL, "more than %d signing "
		    "keys in one run", ANC_SIGNERS_MAX);
	if ((r = anc_p11_find_one(t, CKO_PRIVATE_KEY, label, &h, err)) !=
	    ANC_OK || (r = anc_p11_key_info(t, h, &ki, err)) != ANC_OK)
		return r;
	if (ki.alg == ANC_KEY_NONE)
		return anc_err_set(err, ANC_E_UNSAFE, "key \"%s\": %s is not a "
		    "key anchorage signs with (P-256, P-384, RSA-3072, "
		    "RSA-4096)", label, ki.type);
	if ((r = anc_sign_key_new(t, h, ki.alg,
	    ki.always_authenticate == 1, &pk, err)) != ANC_OK)
		return anc_err_prefix(err, "key \"%s\"", label);
	snprintf(t->signers[t->nsigners].label,
	    sizeof(t->signers[t->nsigners].label), "%s", label);
	t->signers[t->nsigners++].pkey = pk;	/* owned by the token */
	*out = pk;
	return ANC_OK;
}
