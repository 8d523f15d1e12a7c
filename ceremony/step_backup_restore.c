/*
 * anchorage: the backup-restore step (docs/backup.md): on the backup
 * token, the blob read back from the backup medium is unwrapped into a
 * sensitive, never extractable, sign-only copy with the same label and id.
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
	{ "wrapped",	&anc_t_artifact, REQUIRED,	S(wrapped),	SL(wrapped) },
	{ "unwrap-key",	&anc_t_artifact, REQUIRED,	S(unwrap_key),	SL(unwrap_key) },
};

/* What was wrapped, with the key the SO trusted for it. */
static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	const struct anc_step *trust;
	struct anc_artref w, k;
	char f[128];
	int r;

	if ((r = anc_ref(v, s, anc_step_field(f, sizeof(f), s, "wrapped"),
	    anc_line_or(s, s->lines.wrapped), s->wrapped,
	    ANC_ART_STEP(ANC_STEP_BACKUP_WRAP), "a backup-wrap output", &w)) !=
	    ANC_OK ||
	    (r = anc_ref(v, s, anc_step_field(f, sizeof(f), s, "unwrap-key"),
	    anc_line_or(s, s->lines.unwrap_key), s->unwrap_key,
	    ANC_ART_STEP(ANC_STEP_BACKUP_KEYPAIR), "a backup-keypair output",
	    &k)) != ANC_OK)
		return r;
	/* backup-wrap's own check puts backup-trust right before it. */
	trust = &v->c->steps[w.step->index - 2];
	if (trust->kind == ANC_STEP_BACKUP_TRUST &&
	    strcmp(trust->unwrap_key, s->unwrap_key) != 0)
		return anc_verr(v, anc_line_or(s, s->lines.unwrap_key), f,
		    "\"%s\" was wrapped under %s (steps[%d]); expected the "
		    "same unwrap key", s->wrapped, trust->unwrap_key,
		    trust->index);
	return ANC_OK;
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "on the BACKUP token, unwrap %s from the backup medium "
	    "with the key of %s: sensitive, never extractable, sign-only, "
	    "same label and id", s->wrapped, s->unwrap_key);
}

static void
inputs(const struct anc_engine *e, const struct anc_step *s,
    struct anc_confirm_item *v, size_t cap, size_t *n)
{
	anc_rec_item(e, v, cap, n, s->wrapped, 0);
	anc_rec_item(e, v, cap, n, s->unwrap_key, 0);
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_artifact *wa, *kek;
	struct anc_key_info ki;
	struct anc_blob b;
	unsigned char *data = NULL;
	EVP_PKEY *pub = NULL;
	char path[4200], hex[ANC_SHA256_HEX], spki[65], kek_spki[65];
	size_t len = 0;
	int r;

	memset(&b, 0, sizeof(b));
	if (anc_backup_checking(e, s))
		return ANC_OK;
	if ((wa = anc_engine_find(e, s->wrapped)) == NULL || wa->raw == NULL ||
	    (kek = anc_engine_find(e, s->unwrap_key)) == NULL ||
	    kek->pub == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "wrapped key");
	/* What the medium holds now, not what was meant to be written. */
	snprintf(path, sizeof(path), "%s/%s.wrapped", e->bk->medium,
	    s->wrapped);
	if ((r = anc_file_read(path, ANC_BLOB_MAX, &data, &len, err)) != ANC_OK)
		return r;
	anc_sha256_hex(data, len, hex);
	if (len != wa->raw_len || memcmp(data, wa->raw, len) != 0) {
		r = anc_err_set(err, ANC_E_VERIFY, "%s (sha256 %s) is not the "
		    "blob the wrap wrote; nothing was changed", path, hex);
		goto out;
	}
	if ((r = anc_blob_parse(data, len, &b, err)) != ANC_OK) {
		anc_err_prefix(err, "%s", path);
		goto out;
	}
	/* The public half comes from the primary token, checked against
	 * what the blob names. */
	if ((r = anc_token_public_key(e->bk->primary, b.label, &pub, err)) !=
	    ANC_OK)
		goto out;
	if (anc_tr_spki_sha256(pub, spki) != 0 ||
	    anc_tr_spki_sha256(kek->pub, kek_spki) != 0) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "public keys");
		goto out;
	}
	if (strcmp(spki, b.spki) != 0 || strcmp(kek_spki, b.kek_spki) != 0) {
		r = anc_err_set(err, ANC_E_VERIFY, "%s names another key or "
		    "another unwrap key than this ceremony's; nothing was "
		    "changed", path);
		goto out;
	}
	if ((r = anc_token_unwrap_key(e->bk->backup, kek->step->label, &b.w,
	    b.label, b.id, b.id_len, pub, &ki, err)) != ANC_OK)
		goto out;
	anc_backup_made(e->bk, "key pair (private and public)", b.label);
	anc_engine_say(e, "  key \"%s\" restored in backup token \"%s\": "
	    "sensitive %d, extractable %d, sign %d", ki.label,
	    e->bk->backup_info.label, ki.sensitive, ki.extractable, ki.sign);
	if ((r = anc_rec_key(e, &ki, spki, err)) != ANC_OK)
		goto out;
	r = anc_backup_record(e, "backup-restore", json_pack("{s:i, s:o, s:o, s:s, s:s, "
	    "s:s, s:s}", "step", e->step, "token", anc_backup_token_json(e->bk->backup),
	    "key", anc_tr_str(b.label), "spki_sha256", spki, "file",
	    strrchr(path, '/') + 1, "sha256", hex, "scheme",
	    anc_wrap_scheme_name(b.w.scheme)), err);
 out:
	anc_wrapped_clear(&b.w);
	free(data);
	EVP_PKEY_free(pub);
	return r;
}

/* On the backup token: both layers of the unwrap. */
static int
needs(struct anc_derive *d, const struct anc_step *s, struct anc_err *err)
{
	const char *label = NULL, *unwrap = NULL;
	enum anc_keyalg alg = anc_need_art_key(d, s->wrapped, &label);
	int r;

	anc_need_art_key(d, s->unwrap_key, &unwrap);
	if ((r = anc_backup_need(d, s, 1, ANC_NEED_UNWRAP_TRANSFER,
	    ANC_KEY_RSA_3072, unwrap, NULL, err)) != ANC_OK)
		return r;
	return anc_backup_need(d, s, 1, ANC_NEED_UNWRAP_KEY, alg, label, NULL,
	    err);
}

const struct anc_step_type anc_kind_backup_restore = {
	.kind = ANC_STEP_BACKUP_RESTORE,
	.name = "backup-restore",
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
