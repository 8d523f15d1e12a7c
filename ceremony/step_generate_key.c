/*
 * anchorage: the generate-key step: a key pair made inside the token.
 * Its label is unique among the script's generate-key steps (validate.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "step.h"
#include "steps.h"

/* The backup policy (docs/backup.md), indexed by enum anc_backup_policy. */
static const char *
backup_name(int v)
{
	return anc_backup_policy_name((enum anc_backup_policy)v);
}

static const int backup_policies[] = { ANC_BACKUP_NONE,
    ANC_BACKUP_WRAP_WITH_TRUSTED };
static const struct anc_type t_backup = ANC_ONE_OF(backup_name,
    backup_policies);

static const struct anc_field fields[] = {
	{ "label",	&anc_t_label,		REQUIRED,	S(label),	SL(label) },
	{ "algorithm",	&anc_t_token_alg,	"ecdsa-p256",	S(algorithm),	0 },
	{ "backup",	&t_backup,		"none",		S(backup),	0 },
};

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	if (s->backup == ANC_BACKUP_WRAP_WITH_TRUSTED)
		anc_buf_put(t, "generate an %s key pair labelled \"%s\" inside "
		    "the token; the private key is sensitive, can only sign, "
		    "and leaves the token only wrapped under a key the "
		    "security officer trusts (backup: wrap-with-trusted)",
		    anc_keyalg_name(s->algorithm), s->label);
	else
		anc_buf_put(t, "generate an %s key pair labelled \"%s\" inside "
		    "the token; the private key is sensitive, never "
		    "extractable, and can only sign",
		    anc_keyalg_name(s->algorithm), s->label);
}

/* A random CKA_ID, then the key pair. */
static int
needs(struct anc_derive *d, const struct anc_step *s, struct anc_err *err)
{
	if (anc_need_push(d, s, ANC_NEED_RANDOM, ANC_KEY_NONE, NULL, "CKA_ID",
	    err) == NULL || anc_need_push(d, s, ANC_NEED_KEYGEN, s->algorithm,
	    s->label, NULL, err) == NULL)
		return ANC_E_INTERNAL;
	return ANC_OK;
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_key_info ki;
	char id[2 * sizeof(ki.id) + 1];
	int r;

	anc_engine_say(e, "  generating %s key \"%s\" in the token%s",
	    anc_keyalg_name(s->algorithm), s->label,
	    s->algorithm == ANC_KEY_RSA_4096 || s->algorithm ==
	    ANC_KEY_RSA_3072 ? " (RSA: this can take minutes)" : "");
	r = e->be->generate(e->be->arg, s->algorithm, s->label, s->backup,
	    &ki, err);
	/* Generated, even if the read-back then refused it: it is in the
	 * token, and the failure report and abort record must name it. */
	if (ki.id_len > 0) {
		anc_hex(ki.id, ki.id_len, id);
		snprintf(e->made[e->nmade], sizeof(e->made[0]), "%s", s->label);
		snprintf(e->made_id[e->nmade++], sizeof(e->made_id[0]), "%s",
		    id);
	}
	if (r != ANC_OK)
		return r;
	anc_engine_say(e, "  key \"%s\" id %s: sensitive %d, extractable %d, "
	    "always-sensitive %d, never-extractable %d, local %d", ki.label,
	    id, ki.sensitive, ki.extractable, ki.always_sensitive,
	    ki.never_extractable, ki.local);
	/* The run reads the key back from the token into the transcript. */
	if (e->record_key != NULL)
		return e->record_key(e->record_key_arg, e, s->label, err);
	return ANC_OK;
}

const struct anc_step_type anc_kind_generate_key = {
	.kind = ANC_STEP_GENERATE_KEY,
	.name = "generate-key",
	.uses_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = NULL,
	.plan = plan,
	.files = NULL,
	.needs = needs,
	.inputs = NULL,
	.run = run,
};
