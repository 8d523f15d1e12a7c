/*
 * anchorage: the backup-trust step (docs/backup.md): on the script's
 * token, the security officer marks the backup token's unwrap key, and a
 * fresh AES transfer key, trusted for this session only; then the user
 * logs in again.
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
	{ "unwrap-key",	&anc_t_artifact, REQUIRED,	S(unwrap_key),	SL(unwrap_key) },
};

/*
 * Right before backup-wrap (the trust is for one wrap), and after no step
 * that signs with the token: the SO's login ends the user's, and with it
 * every key handle libp11 holds; libp11 0.4.12 cannot fetch a key twice.
 */
static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	const struct anc_step *t;
	struct anc_artref a;
	char f[128];
	size_t i;

	if ((size_t)s->index >= v->c->n_steps ||
	    v->c->steps[s->index].kind != ANC_STEP_BACKUP_WRAP)
		return anc_verr(v, s->line, anc_step_field(f, sizeof(f), s, ""),
		    "expected a backup-wrap step right after it; the security "
		    "officer's trust lasts for exactly one wrap");
	for (i = 0; i + 1 < (size_t)s->index; i++) {
		t = &v->c->steps[i];
		switch (t->kind) {
		case ANC_STEP_SELF_SIGN:
		case ANC_STEP_ISSUE_INTERMEDIATE:
		case ANC_STEP_SIGN_CSR:
		case ANC_STEP_CROSS_SIGN:
		case ANC_STEP_SIGN_CRL:
			return anc_verr(v, s->line, anc_step_field(f, sizeof(f),
			    s, ""), "steps[%d] (%s) signs with the token before "
			    "it; expected backup-trust before any signing step, "
			    "because the security officer's login ends the "
			    "user's and every key in use (docs/backup.md)",
			    t->index, anc_step_kind_name(t));
		default:
			break;
		}
	}
	return anc_ref(v, s, anc_step_field(f, sizeof(f), s, "unwrap-key"),
	    anc_line_or(s, s->lines.unwrap_key), s->unwrap_key,
	    ANC_ART_STEP(ANC_STEP_BACKUP_KEYPAIR), "a backup-keypair output",
	    &a);
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "on the token, the security officer logs in (SO PIN) and "
	    "marks public key %s trusted for one wrap, in this session only; "
	    "then the user PIN is asked again", s->unwrap_key);
}

static void
inputs(const struct anc_engine *e, const struct anc_step *s,
    struct anc_confirm_item *v, size_t cap, size_t *n)
{
	anc_rec_item(e, v, cap, n, s->unwrap_key, 0);
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_artifact *a;
	char spki[65];
	int r;

	if (anc_backup_checking(e, s))
		return ANC_OK;
	if ((a = anc_engine_find(e, s->unwrap_key)) == NULL || a->pub == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "unwrap key %s",
		    s->unwrap_key);
	if (anc_tr_spki_sha256(a->pub, spki) != 0)
		return anc_err_ossl(err, ANC_E_CRYPTO, "unwrap key");
	anc_engine_say(e, "  the security officer logs in to mark %s (SPKI "
	    "SHA-256 %s) trusted", s->unwrap_key, spki);
	if ((r = anc_token_trust_wrapping_key(e->bk->primary, e->bk->so_pin,
	    e->bk->so_pin_arg, a->pub, err)) != ANC_OK) {
		/* The user made way for the SO: log in again, so that the
		 * abort record can still be signed. */
		struct anc_err again;

		if (anc_token_login(e->bk->primary, e->bk->pin,
		    e->bk->pin_arg, &again) != ANC_OK)
			anc_engine_say(e, "  the user could not log in again "
			    "(%s): the abort record will be unsigned",
			    again.msg);
		return r;
	}
	/* The SO is logged out again; the user's PIN is asked once more. */
	anc_engine_say(e, "  security officer logged out; the user logs in "
	    "again");
	if ((r = anc_token_login(e->bk->primary, e->bk->pin, e->bk->pin_arg,
	    err)) != ANC_OK)
		return r;
	return anc_backup_record(e, "backup-trust", json_pack("{s:i, s:o, s:s, s:s, s:b, "
	    "s:b}", "step", e->step, "token", anc_backup_token_json(e->bk->primary),
	    "unwrap_key", s->unwrap_key, "spki_sha256", spki, "so_login", 1,
	    "session_only", 1), err);
}

/* The SO's transfer key, and the mark the token must keep. */
static int
needs(struct anc_derive *d, const struct anc_step *s, struct anc_err *err)
{
	int r;

	if ((r = anc_backup_need(d, s, 0, ANC_NEED_TRANSFER_KEY, ANC_KEY_NONE,
	    NULL, NULL, err)) != ANC_OK)
		return r;
	return anc_backup_need(d, s, 0, ANC_NEED_TRUSTED, ANC_KEY_NONE, NULL,
	    "CKA_TRUSTED", err);
}

const struct anc_step_type anc_kind_backup_trust = {
	.kind = ANC_STEP_BACKUP_TRUST,
	.name = "backup-trust",
	.uses_token = 1,
	.uses_backup_token = 0,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = check,
	.plan = plan,
	.files = NULL,
	.needs = needs,
	.inputs = inputs,
	.run = run,
};
