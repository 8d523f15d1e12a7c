/*
 * anchorage: a trial key pair for `token probe`.  Session objects only
 * (CKA_TOKEN false), made with the ceremony's own private template, used
 * for one signature per candidate mechanism, and destroyed; a token that
 * drops the session destroys them anyway.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "p11_int.h"

#define TRIAL_MSG "anchorage token probe: trial signature"

/* DigestInfo headers for CKM_RSA_PKCS (RFC 8017, section 9.2, note 1). */
static const unsigned char di_sha256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06,
    0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    0x04, 0x20 };
static const unsigned char di_sha384[] = { 0x30, 0x41, 0x30, 0x0d, 0x06,
    0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
    0x04, 0x30 };

/* The template a root key gets, minus CKA_TOKEN: was it kept?  (A
 * module that makes token objects whatever CKA_TOKEN says is reported
 * apart: the ceremony's keys are token objects anyway.) */
static int
attrs_kept(const struct anc_key_info *ki, char *why, size_t cap)
{
	const char *bad = NULL;

	if (ki->sensitive != 1)
		bad = "CKA_SENSITIVE is not true";
	else if (ki->extractable != 0)
		bad = "CKA_EXTRACTABLE is not false";
	else if (ki->always_sensitive != 1)
		bad = "CKA_ALWAYS_SENSITIVE is not true";
	else if (ki->never_extractable != 1)
		bad = "CKA_NEVER_EXTRACTABLE is not true";
	else if (ki->local != 1)
		bad = "CKA_LOCAL is not true";
	else if (ki->decrypt == 1 || ki->unwrap == 1 || ki->derive == 1)
		bad = "the key may decrypt, unwrap or derive";
	else if (ki->sign != 1 || ki->private_ != 1)
		bad = "CKA_SIGN or CKA_PRIVATE is not true";
	snprintf(why, cap, "%s", bad != NULL ? bad : "as the template asked");
	return bad == NULL;
}

/* What goes into C_Sign for `mech`: the digest, a DigestInfo, or the
 * message itself for the hashing mechanisms. */
static size_t
sign_input(unsigned long mech, const unsigned char *dg, size_t dglen,
    unsigned char *buf, size_t cap)
{
	const unsigned char *di = dglen == 48 ? di_sha384 : di_sha256;
	size_t dilen = dglen == 48 ? sizeof(di_sha384) : sizeof(di_sha256);

	if (mech == CKM_ECDSA) {
		memcpy(buf, dg, dglen);
		return dglen;
	}
	if (mech == CKM_RSA_PKCS && dilen + dglen <= cap) {
		memcpy(buf, di, dilen);
		memcpy(buf + dilen, dg, dglen);
		return dilen + dglen;
	}
	memcpy(buf, TRIAL_MSG, sizeof(TRIAL_MSG) - 1);
	return sizeof(TRIAL_MSG) - 1;
}

/* Verify in software: ECDSA's r||s becomes DER first. */
static int
verify(EVP_PKEY *pub, const EVP_MD *md, unsigned long mech,
    const unsigned char *sig, size_t siglen)
{
	unsigned char *der = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	EVP_MD_CTX *ctx = NULL;
	int derlen, ok = 0;

	if (mech == CKM_ECDSA) {
		if (siglen == 0 || siglen % 2 != 0 ||
		    (es = ECDSA_SIG_new()) == NULL ||
		    (r = BN_bin2bn(sig, (int)siglen / 2, NULL)) == NULL ||
		    (s = BN_bin2bn(sig + siglen / 2, (int)siglen / 2,
		    NULL)) == NULL || ECDSA_SIG_set0(es, r, s) != 1)
			goto out;
		r = s = NULL;	/* owned by es */
		if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0)
			goto out;
		sig = der;
		siglen = (size_t)derlen;
	}
	ok = (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)TRIAL_MSG,
	    sizeof(TRIAL_MSG) - 1) == 1;
 out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	BN_free(r);
	BN_free(s);
	return ok;
}

/* One signature with `mech`, verified with the public key. */
static void
try_sign(struct anc_token *t, CK_OBJECT_HANDLE priv, EVP_PKEY *pub,
    const EVP_MD *md, struct anc_trial_sig *ts)
{
	unsigned char dg[EVP_MAX_MD_SIZE], in[128], sig[1024];
	unsigned int dglen = 0;
	CK_MECHANISM m = { ts->mech, NULL, 0 };
	CK_ULONG siglen = sizeof(sig);
	struct anc_err e;
	size_t inlen;

	if (EVP_Digest(TRIAL_MSG, sizeof(TRIAL_MSG) - 1, dg, &dglen, md,
	    NULL) != 1) {
		ts->rv = CKR_GENERAL_ERROR;
		return;
	}
	inlen = sign_input(ts->mech, dg, dglen, in, sizeof(in));
	if ((ts->rv = t->m->fl->C_SignInit(t->session, &m, priv)) != CKR_OK)
		return;
	/* A module that marks every key CKA_ALWAYS_AUTHENTICATE gets its
	 * context-specific login here, as in a ceremony (sign.c). */
	if (anc_p11_always_auth(t, priv) &&
	    anc_p11_context_login(t, priv, &e) != ANC_OK) {
		ts->rv = e.ckr != 0 ? e.ckr : CKR_USER_NOT_LOGGED_IN;
		/* A C_Sign ends the operation, so the session can sign on. */
		(void)t->m->fl->C_Sign(t->session, in, 0, sig, &siglen);
		return;
	}
	if ((ts->rv = t->m->fl->C_Sign(t->session, in, inlen, sig,
	    &siglen)) != CKR_OK)
		return;
	ts->signed_ok = 1;
	ts->verified = verify(pub, md, ts->mech, sig, siglen);
}

static void
destroy(struct anc_token *t, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv,
    const char *label, struct anc_trial *tr)
{
	CK_OBJECT_HANDLE h;
	struct anc_err e;
	size_t n = 1;
	CK_RV rv;

	rv = t->m->fl->C_DestroyObject(t->session, priv);
	tr->destroy_rv = rv;
	rv = t->m->fl->C_DestroyObject(t->session, pub);
	if (tr->destroy_rv == CKR_OK)
		tr->destroy_rv = rv;
	/* Gone means gone: nothing with the label is left. */
	tr->destroyed = tr->destroy_rv == CKR_OK &&
	    anc_p11_find(t, (CK_ULONG)-1, label, NULL, 0, &h, 1, &n, &e) ==
	    ANC_OK && n == 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
anc_token_trial(struct anc_token *t, enum anc_keyalg alg,
    struct anc_trial *tr, struct anc_err *err)
{
	struct anc_need sn;
	const unsigned long *mechs;
	unsigned char id[ANC_KEY_ID_LEN];
	char label[64], hex[2 * ANC_KEY_ID_LEN + 1];
	CK_OBJECT_HANDLE pub, priv;
	struct anc_key_info ki;
	struct anc_err e;
	EVP_PKEY *pk = NULL;
	const EVP_MD *md;
	double t0 = now();
	size_t i;

	memset(tr, 0, sizeof(*tr));
	tr->alg = alg;
	if (anc_keyalg_name(alg) == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "trial: no algorithm");
	/* The id is ours, not the token's: random bytes are probed apart. */
	if (RAND_bytes(id, sizeof(id)) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO, "trial key id");
	anc_hex(id, 4, hex);
	snprintf(label, sizeof(label), "anchorage-probe-%s-%s",
	    anc_keyalg_name(alg), hex);
	anc_err_clear(&e);
	if (anc_p11_generate(t, alg, label, ANC_BACKUP_NONE, id, 0, &pub,
	    &priv, &e) !=
	    ANC_OK) {
		tr->keygen_rv = e.ckr;
		tr->session_refused = e.ckr == CKR_ATTRIBUTE_VALUE_INVALID;
		goto out;
	}
	tr->generated = 1;
	if (anc_p11_key_info(t, priv, &ki, &e) == ANC_OK) {
		tr->attrs_ok = attrs_kept(&ki, tr->attrs_detail,
		    sizeof(tr->attrs_detail));
		tr->persistent = ki.token != 0;
	} else
		snprintf(tr->attrs_detail, sizeof(tr->attrs_detail), "%s",
		    e.msg);
	memset(&sn, 0, sizeof(sn));
	sn.op = ANC_NEED_SIGN;
	sn.alg = alg;
	sn.hash_bits = alg == ANC_KEY_EC_P384 ? 384 : 256;
	md = sn.hash_bits == 384 ? EVP_sha384() : EVP_sha256();
	mechs = anc_need_mechs(&sn);
	if (anc_token_public_key(t, label, &pk, &e) != ANC_OK)
		snprintf(tr->attrs_detail, sizeof(tr->attrs_detail), "%s",
		    e.msg);
	for (i = 0; pk != NULL && mechs[i] != ANC_MECH_END &&
	    i < ANC_TRIAL_SIGS_MAX;
	    i++) {
		tr->sigs[i].mech = mechs[i];
		try_sign(t, priv, pk, md, &tr->sigs[i]);
		tr->nsigs++;
	}
	destroy(t, pub, priv, label, tr);
 out:
	EVP_PKEY_free(pk);
	tr->seconds = now() - t0;
	return ANC_OK;
}
