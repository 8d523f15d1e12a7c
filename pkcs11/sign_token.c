/*
 * anchorage: a signature made in the token, with C_SignInit and C_Sign on
 * the session anchorage opened (sign.c's provider hands the data here).
 *
 * Why not libp11's EVP_PKEY: libp11 0.4.12 signs RSA with CKM_RSA_PKCS over
 * a DigestInfo it builds, whatever the token offers, and tpm2-pkcs11 1.9.0
 * allows CKM_RSA_PKCS only for keys that may decrypt (ours may not).  Here
 * the mechanism comes from what the token lists for signing:
 *   RSA: CKM_SHA256_RSA_PKCS (or SHA384/SHA512, as the digest) over the
 *        data when listed, else CKM_RSA_PKCS over the DigestInfo;
 *   EC:  CKM_ECDSA over the digest (SoftHSM2 2.6.1 has no hashing ECDSA
 *        mechanism), the raw r||s it returns encoded here as DER.
 * A key that needs a login for each signature gets it between C_SignInit
 * and C_Sign.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "anchorage/err.h"
#include "p11_int.h"

int
anc_p11_key_is_rsa(enum anc_keyalg alg)
{
	return alg == ANC_KEY_RSA_3072 || alg == ANC_KEY_RSA_4096;
}

/* The byte length of one EC coordinate, or of the RSA modulus. */
size_t
anc_p11_key_bytes(enum anc_keyalg alg)
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
choose(struct anc_token *t, enum anc_keyalg alg, const EVP_MD *md,
    const unsigned char *data, size_t len, CK_MECHANISM_TYPE *mech,
    unsigned char *tmp, size_t *tlen)
{
	const unsigned char *di = di_sha256;
	size_t dil = sizeof(di_sha256);
	unsigned int dlen = 0;
	CK_MECHANISM_TYPE hashing = CKM_SHA256_RSA_PKCS;

	if (EVP_MD_is_a(md, "SHA384")) {
		hashing = CKM_SHA384_RSA_PKCS;
		di = di_sha384;
		dil = sizeof(di_sha384);
	} else if (EVP_MD_is_a(md, "SHA512")) {
		hashing = CKM_SHA512_RSA_PKCS;
		di = di_sha512;
		dil = sizeof(di_sha512);
	}
	if (anc_p11_key_is_rsa(alg) && token_signs_with(t, hashing)) {
		*mech = hashing;
		*tlen = 0;	/* sign the data itself */
		return 1;
	}
	*mech = anc_p11_key_is_rsa(alg) ? CKM_RSA_PKCS : CKM_ECDSA;
	if (*mech == CKM_RSA_PKCS) {
		memcpy(tmp, di, dil);
		*tlen = dil;
	} else {
		*tlen = 0;
	}
	if (EVP_Digest(data, len, tmp + *tlen, &dlen, md, NULL) != 1)
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

int
anc_p11_token_sign(struct anc_token *t, CK_OBJECT_HANDLE h,
    int always_auth, enum anc_keyalg alg, const EVP_MD *md,
    const unsigned char *data, size_t len, unsigned char *sig,
    size_t *siglen, size_t sigsize)
{
	unsigned char tmp[128], raw[512];
	size_t tlen = 0;
	CK_MECHANISM m = { 0, NULL, 0 };
	CK_ULONG n = sizeof(raw);
	struct anc_err aerr;
	CK_RV rv;
	int ok = 0;

	if (md == NULL || !choose(t, alg, md, data, len, &m.mechanism, tmp,
	    &tlen))
		return 0;
	rv = t->m->fl->C_SignInit(t->session, &m, h);
	/* A key that needs a login for each signature gets it here. */
	if (rv == CKR_OK && always_auth && anc_p11_context_login(t, h,
	    &aerr) != ANC_OK) {
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
		if (n == 2 * anc_p11_key_bytes(alg))
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
