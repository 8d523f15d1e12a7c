/*
 * anchorage: the engine's backend for a run (struct anc_backend, engine.h):
 * keys generated, randomness drawn, signatures and public keys taken from
 * the token, and the token asked whether it is still there after a
 * failure.  In a rehearsal an input certificate's key is a stand-in made
 * in the throwaway token, and no PIN is changed.
 */

#include "anchorage/err.h"
#include "anchorage/token.h"
#include "engine.h"
#include "profile.h"
#include "run.h"

static int
tok_generate(void *arg, enum anc_keyalg alg, const char *label,
    enum anc_backup_policy backup, struct anc_key_info *info,
    struct anc_err *err)
{
	return anc_token_generate_key(arg, alg, label, backup, info, err);
}

static int
tok_random(void *arg, unsigned char *buf, size_t len, struct anc_err *err)
{
	return anc_token_random(arg, buf, len, err);
}

static int
tok_signer(void *arg, const char *label, enum anc_keyalg hint,
    EVP_PKEY **out, struct anc_err *err)
{
	return anc_token_signer(arg, label, out, err);
}

static int
tok_public(void *arg, const char *label, enum anc_keyalg hint,
    EVP_PKEY **out, struct anc_err *err)
{
	return anc_token_public_key(arg, label, out, err);
}

static int
tok_issuer_cert(void *arg, const char *label, X509 *cert, X509 **out,
    struct anc_err *err)
{
	if (!X509_up_ref(cert))
		return anc_err_set(err, ANC_E_INTERNAL, "certificate reference");
	*out = cert;
	return ANC_OK;
}

static int
tok_present(void *arg, struct anc_err *err)
{
	struct anc_slot_info info;
	struct anc_err probe;

	if (anc_token_info(arg, &info, &probe) == ANC_OK &&
	    info.token_present)
		return ANC_OK;
	return anc_err_set(err, ANC_E_NOTOKEN, "the token is gone (%s); it "
	    "was removed or failed during the step", probe.code == ANC_OK ?
	    "no token in the slot" : probe.msg);
}

static int
tok_set_pin(void *arg, anc_pin_fn fn, void *fn_arg,
    struct anc_secret *new_pin, struct anc_err *err)
{
	return anc_token_set_pin(arg, fn, fn_arg, new_pin, err);
}

static int
tok_pin_fits(void *arg, size_t len, struct anc_err *err)
{
	return anc_token_pin_fits(arg, len, err);
}

/*
 * Rehearsal: the throwaway token cannot hold the key of an input
 * certificate, so a stand-in of the same algorithm is generated under its
 * label and the certificate is copied with that key and re-signed by it in
 * the token, as `ceremony check` does with software keys.  What the
 * rehearsal issues then chains to the copy, which it writes like the real
 * thing.
 */
static int
tok_stand_in(void *arg, const char *label, X509 *cert, X509 **out,
    struct anc_err *err)
{
	enum anc_keyalg alg = anc_key_alg(X509_get0_pubkey(cert));
	struct anc_key_info ki;
	EVP_PKEY *pub = NULL, *signer = NULL;
	X509 *x = NULL;
	int r = ANC_E_INTERNAL;

	if (alg == ANC_KEY_NONE)
		return anc_err_set(err, ANC_E_INPUT, "input certificate for key "
		    "\"%s\": its key is neither P-256, P-384, RSA-3072 nor "
		    "RSA-4096", label);
	if ((r = anc_token_generate_key(arg, alg, label,
	    ANC_BACKUP_NONE, &ki, err)) !=
	    ANC_OK ||
	    (r = anc_token_public_key(arg, label, &pub, err)) != ANC_OK ||
	    (r = anc_token_signer(arg, label, &signer, err)) != ANC_OK)
		goto out;
	if ((x = X509_dup(cert)) == NULL ||
	    anc_profile_set_pubkey(x, pub) != 1 ||
	    X509_sign(x, signer, anc_profile_md(pub)) <= 0 ||
	    X509_verify(x, pub) != 1) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "rehearsal copy of the "
		    "certificate for key \"%s\"", label);
		goto out;
	}
	*out = x;
	x = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	X509_free(x);
	EVP_PKEY_free(pub);
	return r;
}

void
anc_run_backend(struct anc_backend *be, int rehearsal)
{
	const struct anc_backend tok = { NULL, tok_generate, tok_random,
	    tok_signer, tok_public, rehearsal ? tok_stand_in : tok_issuer_cert,
	    tok_present, rehearsal ? NULL : tok_set_pin,
	    rehearsal ? NULL : tok_pin_fits };

	*be = tok;
}
