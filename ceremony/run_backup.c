/*
 * anchorage: what a run needs for the backup steps (docs/backup.md): the
 * backup token, opened from the same module and logged in once; the
 * backup medium, never the outbox; and the read-only checks of both tokens
 * that need their logins, before the first step changes anything.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/token.h"
#include "ceremony_int.h"
#include "engine.h"
#include "run.h"

unsigned
anc_ceremony_backup_needs(const struct anc_ceremony *c)
{
	unsigned needs = c->backup_token != NULL ? ANC_BACKUP_NEEDS_TOKEN : 0;
	size_t i;

	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].kind == ANC_STEP_BACKUP_TRUST)
			needs |= ANC_BACKUP_NEEDS_SO_PIN;
		else if (c->steps[i].kind == ANC_STEP_BACKUP_WRAP)
			needs |= ANC_BACKUP_NEEDS_MEDIUM;
	return needs;
}

const char *
anc_ceremony_backup_token_uri(const struct anc_ceremony *c)
{
	return c->backup_token;
}

/* A label the backup steps will create must be free in that token. */
static int
backup_label_free(const struct anc_ceremony *c, const struct anc_step *s,
    struct anc_token *t, const char *label, struct anc_err *err)
{
	int found, r;

	if ((r = anc_token_object_exists(t, label, NULL, 0, &found, err)) !=
	    ANC_OK)
		return r;
	if (found)
		return anc_err_set(err, ANC_E_EXISTS, "%s:%d: step %d (%s): "
		    "label \"%s\" is already in the backup token; nothing was "
		    "changed.  If an earlier run was interrupted, its transcript "
		    "says what it made: delete those objects with `pkcs11-tool "
		    "--login --token-label LABEL --delete-object --type privkey "
		    "--label %s` (and --type pubkey) before running again",
		    c->path, s->line, s->index, anc_step_kind_name(s),
		    label, label);
	return ANC_OK;
}

/*
 * The backup steps' read-only checks that need the logins: labels free in
 * the backup token, and the policy of a key already in the token.  What
 * the tokens' mechanisms can do was checked before the first login, with
 * the script's other needs (anc_preflight_fits).
 */
int
anc_run_backup_preflight(const struct anc_ceremony *c, struct anc_backup_ctx *bk,
    struct anc_err *err)
{
	struct anc_key_info ki;
	const struct anc_step *s;
	const char *policy;
	size_t i;
	int r;

	for (i = 0; i < c->n_steps; i++) {
		s = &c->steps[i];
		switch (s->kind) {
		case ANC_STEP_BACKUP_KEYPAIR:
			if ((r = backup_label_free(c, s, bk->backup, s->label,
			    err)) != ANC_OK)
				return anc_err_prefix(err, "backup token");
			break;
		case ANC_STEP_BACKUP_WRAP:
			if ((r = backup_label_free(c, s, bk->backup, s->key,
			    err)) != ANC_OK)
				return anc_err_prefix(err, "%s:%d: step %d "
				    "(backup-wrap)", c->path, s->line, s->index);
			if (anc_run_generated_here(c, s->key))
				break;
			if ((r = anc_token_find_key(bk->primary, s->key, &ki,
			    err)) != ANC_OK)
				return anc_err_prefix(err, "%s:%d: step %d "
				    "(backup-wrap)", c->path, s->line, s->index);
			policy = anc_key_backup(&ki);
			if (strcmp(policy, "wrap-with-trusted") != 0)
				return anc_err_set(err, ANC_E_UNSAFE, "%s:%d: step "
				    "%d (backup-wrap): key \"%s\" has backup "
				    "policy \"%s\"; only a key generated with "
				    "backup: wrap-with-trusted can be copied; "
				    "nothing was changed", c->path, s->line,
				    s->index, s->key, policy);
			break;
		default:
			break;
		}
	}
	return ANC_OK;
}

/* Two directories, one inside the other (or the same)? */
static int
nested(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];
	size_t la, lb, n;

	if (realpath(a, ra) == NULL || realpath(b, rb) == NULL)
		return 1;	/* cannot tell: refuse */
	la = strlen(ra);
	lb = strlen(rb);
	n = la < lb ? la : lb;
	return strncmp(ra, rb, n) == 0 && (la == lb ||
	    (la > lb ? ra[n] : rb[n]) == '/' || n == 1);
}

/*
 * What the backup steps need, before anything starts: the backup PIN and
 * the SO PIN can be asked for, and the backup medium is a directory of its
 * own, never the outbox nor inside it, with no blob of the same name.
 */
int
anc_run_backup_begin(const struct anc_ceremony *c, const struct anc_run_opts *o,
    const struct anc_ui *ui, struct anc_backup_ctx *bk, struct anc_err *err)
{
	unsigned needs = anc_ceremony_backup_needs(c);
	char file[128];
	size_t i;
	int r;

	bk->medium_fd = -1;
	if (o->rehearsal)
		return anc_err_set(err, ANC_E_USAGE, "%s: the backup steps need "
		    "two real tokens and a rehearsal makes one throwaway token; "
		    "rehearse them on two throwaway SoftHSM2 tokens instead "
		    "(docs/backup.md)", c->path);
	if (ui == NULL || ui->backup_pin == NULL ||
	    ((needs & ANC_BACKUP_NEEDS_SO_PIN) && ui->so_pin == NULL))
		return anc_err_set(err, ANC_E_USAGE, "%s: no way to ask for the "
		    "backup token's PIN or the security officer's PIN", c->path);
	bk->pin = ui->pin;
	bk->pin_arg = ui->pin_arg;
	bk->so_pin = ui->so_pin;
	bk->so_pin_arg = ui->so_pin_arg;
	if (!(needs & ANC_BACKUP_NEEDS_MEDIUM))
		return o->backup_medium == NULL ? ANC_OK : anc_err_set(err,
		    ANC_E_USAGE, "--backup-medium: %s has no backup-wrap step",
		    c->path);
	if (o->backup_medium == NULL)
		return anc_err_set(err, ANC_E_USAGE, "%s: backup-wrap writes the "
		    "wrapped key to a backup medium, never to the outbox; give "
		    "it with --backup-medium DIR", c->path);
	if ((r = anc_dir_open(o->backup_medium, 1, &bk->medium_fd, err)) !=
	    ANC_OK)
		return anc_err_prefix(err, "--backup-medium");
	bk->medium = o->backup_medium;
	if (nested(o->backup_medium, o->outbox))
		return anc_err_set(err, ANC_E_UNSAFE, "--backup-medium %s and "
		    "the outbox %s are the same directory or one holds the "
		    "other; the outbox never carries key material, wrapped or "
		    "not", o->backup_medium, o->outbox);
	for (i = 0; i < c->n_steps; i++) {
		if (c->steps[i].kind != ANC_STEP_BACKUP_WRAP)
			continue;
		snprintf(file, sizeof(file), "%s.wrapped", c->steps[i].output);
		if (anc_file_exists_at(bk->medium_fd, file))
			return anc_err_set(err, ANC_E_EXISTS, "backup medium "
			    "%s: %s already exists; a blob is never "
			    "overwritten", o->backup_medium, file);
	}
	return ANC_OK;
}

/* The backup token: from the same module, recorded, logged in once. */
int
anc_run_open_backup(struct anc_engine *e, struct anc_module *m, const char *module,
    struct anc_err *err)
{
	struct anc_backup_ctx *bk = e->bk;
	struct anc_slot_info pi;
	int r;

	if ((r = anc_token_open(m, e->c->backup_token, &bk->backup, err)) !=
	    ANC_OK ||
	    (r = anc_token_info(bk->backup, &bk->backup_info, err)) != ANC_OK)
		return anc_err_prefix(err, "backup-token");
	anc_engine_say(e, "backup token \"%s\": %s %s, serial %s, firmware %s",
	    bk->backup_info.label, bk->backup_info.manufacturer,
	    bk->backup_info.model, bk->backup_info.serial,
	    bk->backup_info.fw_version);
	if ((r = anc_token_info(bk->primary, &pi, err)) != ANC_OK)
		return r;
	if (strcmp(pi.serial, bk->backup_info.serial) == 0 &&
	    strcmp(pi.label, bk->backup_info.label) == 0)
		return anc_err_set(err, ANC_E_UNSAFE, "backup-token %s is the "
		    "same token as token %s; a backup needs a second token",
		    e->c->backup_token, e->c->token);
	if ((r = anc_run_record_token(e, m, bk->backup, module, &bk->backup_info,
	    err)) != ANC_OK)
		return r;
	return anc_token_login(bk->backup, e->ui->backup_pin,
	    e->ui->backup_pin_arg, err);
}

