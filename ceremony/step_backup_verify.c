/*
 * anchorage: the backup-verify step (docs/backup.md): the restored key
 * signs a fresh challenge from the backup token's generator, and the
 * signature verifies with the anchor certificate's public key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/transcript.h"
#include "records.h"
#include "step.h"
#include "steps.h"

#define CHALLENGE_LEN	32

static const struct anc_field fields[] = {
	{ "key",	 &anc_t_label,	  REQUIRED,	S(key),		SL(key) },
	{ "certificate", &anc_t_artifact, REQUIRED,	S(certificate),	SL(certificate) },
};

/* The key of a restore earlier in the script, and that key's certificate. */
static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	const struct anc_step *t, *w;
	const char *cert_key;
	struct anc_artref a;
	char f[128];
	size_t i, j;
	int r, found = 0;

	for (i = 0; i + 1 < (size_t)s->index && !found; i++) {
		t = &v->c->steps[i];
		if (t->kind != ANC_STEP_BACKUP_RESTORE)
			continue;
		for (j = 0; j < i; j++) {
			w = &v->c->steps[j];
			if (w->kind == ANC_STEP_BACKUP_WRAP &&
			    strcmp(w->output, t->wrapped) == 0 &&
			    strcmp(w->key, s->key) == 0)
				found = 1;
		}
	}
	if (!found)
		return anc_verr(v, anc_line_or(s, s->lines.key),
		    anc_step_field(f, sizeof(f), s, "key"), "no earlier "
		    "backup-restore step restores \"%s\"; expected the key of "
		    "a restored backup", s->key);
	if ((r = anc_ref(v, s, anc_step_field(f, sizeof(f), s, "certificate"),
	    anc_line_or(s, s->lines.certificate), s->certificate,
	    ANC_ART_STEP(ANC_STEP_SELF_SIGN) | ANC_ART_CERT_KEY, "a self-sign "
	    "output or a certificate input with a key", &a)) != ANC_OK)
		return r;
	cert_key = a.step != NULL ? a.step->key : a.in->key;
	if (strcmp(cert_key, s->key) != 0)
		return anc_verr(v, anc_line_or(s, s->lines.certificate), f,
		    "\"%s\" is the certificate of key \"%s\"; expected the "
		    "certificate of \"%s\"", s->certificate, cert_key, s->key);
	return ANC_OK;
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "on the BACKUP token, sign a fresh random challenge with "
	    "key \"%s\" and verify it with the public key of %s", s->key,
	    s->certificate);
}

static void
inputs(const struct anc_engine *e, const struct anc_step *s,
    struct anc_confirm_item *v, size_t cap, size_t *n)
{
	anc_rec_item(e, v, cap, n, s->certificate, 0);
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	unsigned char challenge[CHALLENGE_LEN], sig[1024];
	char chex[2 * CHALLENGE_LEN + 1], shex[ANC_SHA256_HEX], spki[65];
	struct anc_artifact *a;
	EVP_PKEY *copy = NULL, *pub;
	size_t siglen = 0;
	int r;

	if (anc_backup_checking(e, s))
		return ANC_OK;
	if ((a = anc_engine_find(e, s->certificate)) == NULL || a->cert == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "certificate %s",
		    s->certificate);
	pub = X509_get0_pubkey(a->cert);
	/* The backup token's public key object must be the anchor's too. */
	if ((r = anc_token_public_key(e->bk->backup, s->key, &copy, err)) !=
	    ANC_OK)
		return r;
	if (EVP_PKEY_eq(copy, pub) != 1) {
		EVP_PKEY_free(copy);
		return anc_err_set(err, ANC_E_VERIFY, "key \"%s\" in the backup "
		    "token is not the key of %s", s->key, s->certificate);
	}
	EVP_PKEY_free(copy);
	if ((r = anc_token_random(e->bk->backup, challenge, sizeof(challenge),
	    err)) != ANC_OK)
		return r;
	anc_hex(challenge, sizeof(challenge), chex);
	anc_engine_say(e, "  challenge %s", chex);
	if ((r = anc_token_prove_key(e->bk->backup, s->key, pub, challenge,
	    sizeof(challenge), sig, sizeof(sig), &siglen, err)) != ANC_OK)
		return r;
	anc_sha256_hex(sig, siglen, shex);
	if (anc_tr_spki_sha256(pub, spki) != 0)
		return anc_err_ossl(err, ANC_E_CRYPTO, "certificate key");
	anc_engine_say(e, "  the backup token's signature verifies with the "
	    "public key of %s", s->certificate);
	return anc_backup_record(e, "backup-verify", json_pack("{s:i, s:o, s:s, s:s, s:s, "
	    "s:s, s:s, s:b}", "step", e->step, "token",
	    anc_backup_token_json(e->bk->backup), "key", s->key, "certificate",
	    s->certificate, "spki_sha256", spki, "challenge", chex,
	    "signature_sha256", shex, "verified", 1), err);
}

/* On the backup token: the restored key's proof. */
static int
needs(struct anc_derive *d, const struct anc_step *s, struct anc_err *err)
{
	return anc_backup_need(d, s, 1, ANC_NEED_PROVE,
	    anc_need_key_alg(d, s->key), s->key, NULL, err);
}

const struct anc_step_type anc_kind_backup_verify = {
	.kind = ANC_STEP_BACKUP_VERIFY,
	.name = "backup-verify",
	.uses_token = 0,
	.uses_backup_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = check,
	.plan = plan,
	.files = NULL,
	.needs = needs,
	.inputs = inputs,
	.run = run,
};
