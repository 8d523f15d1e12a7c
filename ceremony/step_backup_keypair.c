/*
 * anchorage: the backup-keypair step (docs/backup.md): on the backup token,
 * an RSA-3072 key pair that can only unwrap; its public key goes to the
 * outbox as <output>.pub.pem.
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

static const struct anc_field fields[] = {
	{ "label",	&anc_t_label,	 REQUIRED,	S(label),	SL(label) },
	{ "output",	&anc_t_artifact, REQUIRED,	S(output),	SL(output) },
};

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "on the BACKUP token, generate an RSA-3072 key pair "
	    "labelled \"%s\" that can only unwrap; its public key is %s",
	    s->label, s->output);
}

static int
files(const struct anc_step *s, char names[][128], size_t cap, size_t *n)
{
	*n = 0;
	return anc_step_add_file(names, cap, n, "", s->output, ".pub.pem") ?
	    ANC_E_INTERNAL : ANC_OK;
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_artifact *a;
	struct anc_key_info ki;
	EVP_PKEY *pub = NULL;
	char spki[65], file[128];
	BIO *bio = NULL;
	BUF_MEM *mem;
	int r;

	if (anc_backup_checking(e, s))
		return ANC_OK;
	anc_engine_say(e, "  generating RSA-3072 unwrap key pair \"%s\" in the "
	    "backup token (this can take a while)", s->label);
	if ((r = anc_token_generate_unwrap_key(e->bk->backup, s->label, &ki,
	    err)) != ANC_OK)
		return r;
	anc_backup_made(e->bk, "unwrap key pair", s->label);
	if ((r = anc_token_public_key(e->bk->backup, s->label, &pub, err)) !=
	    ANC_OK)
		return r;
	if (anc_tr_spki_sha256(pub, spki) != 0 ||
	    (bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(bio, pub) != 1) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "unwrap key \"%s\": public "
		    "key", s->label);
		goto out;
	}
	if ((r = anc_rec_key(e, &ki, spki, err)) != ANC_OK ||
	    (r = anc_backup_record(e, "backup-keypair", json_pack("{s:i, s:o, s:s, s:s, "
	    "s:s}", "step", e->step, "token", anc_backup_token_json(e->bk->backup),
	    "label", s->label, "key_type", "RSA 3072", "spki_sha256", spki),
	    err)) != ANC_OK)
		goto out;
	BIO_get_mem_ptr(bio, &mem);
	snprintf(file, sizeof(file), "%s.pub.pem", s->output);
	if ((r = anc_steps_write(e, file, mem->data, mem->length, 0644, err)) !=
	    ANC_OK)
		goto out;
	if ((a = anc_engine_new_art(e, s->output, ANC_ART_PUBKEY, s)) == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "artifact %s", s->output);
		goto out;
	}
	a->pub = pub;
	pub = NULL;	/* transferred */
	anc_engine_say(e, "  unwrap key \"%s\": SPKI SHA-256 %s", s->label,
	    spki);
	/* success */
	r = ANC_OK;
 out:
	BIO_free(bio);
	EVP_PKEY_free(pub);
	return r;
}

/* On the backup token: the key pair, and its CKA_ID from the token.  Its
 * public key (the output) names the key for backup-restore's needs. */
static int
needs(struct anc_derive *d, const struct anc_step *s, struct anc_err *err)
{
	int r;

	anc_need_signer(d, s->output, s->label);
	if ((r = anc_backup_need(d, s, 1, ANC_NEED_RANDOM, ANC_KEY_NONE, NULL,
	    "CKA_ID", err)) != ANC_OK)
		return r;
	return anc_backup_need(d, s, 1, ANC_NEED_KEYGEN, ANC_KEY_RSA_3072,
	    s->label, NULL, err);
}

const struct anc_step_type anc_kind_backup_keypair = {
	.kind = ANC_STEP_BACKUP_KEYPAIR,
	.name = "backup-keypair",
	.uses_token = 0,
	.uses_backup_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = NULL,
	.plan = plan,
	.files = files,
	.needs = needs,
	.inputs = NULL,
	.run = run,
};
