/*
 * anchorage: running a ceremony against the token.
 *
 * Order matters: everything that can be checked without the token is
 * checked first (script, inputs, every certificate linted with throwaway
 * keys, every output name free); then the token is opened and logged in
 * once; then read-only checks against the token (labels free, keys
 * present and matching their certificates); only then the first call that
 * changes state.  This file keeps that order, the outbox's names and what
 * a failed run reports; the token's part is in run_token.c, the engine's
 * backend over it in run_backend.c, the backup steps' in run_backup.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/token.h"
#include "ceremony_int.h"
#include "engine.h"
#include "preflight.h"
#include "records.h"
#include "rehearsal.h"
#include "run.h"

/*
 * Once the transcript has a record, the outbox holds the evidence of this
 * attempt and is never reused (outputs are never overwritten): say so,
 * and name the first free OUTBOX-N for the next run.
 */
static void
name_used_up(const char *dir, const char *whose, struct anc_err *err)
{
	char next[4096];
	struct stat st;
	size_t len = strlen(err->msg);
	int i;

	for (i = 2; i < 1000; i++) {
		snprintf(next, sizeof(next), "%s-%d", dir, i);
		if (lstat(next, &st) != 0)
			break;
	}
	if (len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, "\nthe outbox "
		    "%s holds the record of %s and cannot be used again; keep "
		    "it with the ceremony's papers and run into a new one, "
		    "e.g. --outbox %s", dir, whose, next);
}

/* Every file the run will write must be absent before anything starts. */
static int
outputs_free(const struct anc_ceremony *c, struct anc_outbox *ob,
    struct anc_err *err)
{
	char names[4][128];
	size_t i, j, n;
	int r;

	if ((r = anc_outbox_check_absent(ob, ANC_TR_FILE, err)) != ANC_OK) {
		name_used_up(anc_outbox_dir(ob), "an earlier run", err);
		return r;
	}
	if ((r = anc_outbox_check_absent(ob, "SHA256SUMS", err)) != ANC_OK)
		return r;
	for (i = 0; i < c->n_steps; i++) {
		if ((r = anc_step_files(&c->steps[i], names, 4, &n)) != ANC_OK)
			return anc_err_set(err, r, "step %d: output names",
			    c->steps[i].index);
		for (j = 0; j < n; j++)
			if ((r = anc_outbox_check_absent(ob, names[j], err)) !=
			    ANC_OK)
				return anc_err_prefix(err, "%s:%d: step %d (%s)",
				    c->path, c->steps[i].line, c->steps[i].index,
				    anc_step_kind_name(&c->steps[i]));
	}
	return ANC_OK;
}

/* Append to the message what a failed run leaves behind. */
static void
report_leftovers(const struct anc_engine *e, const struct anc_outbox *ob,
    int rehearsal, struct anc_err *err)
{
	char more[ANC_ERR_MSG_MAX];
	size_t i, n = 0, len;

	len = strlen(err->msg);
	n += (size_t)snprintf(more + n, sizeof(more) - n, "\nleft behind:");
	if (e->nmade == 0 || rehearsal)
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s;",
		    rehearsal ? "no key (the rehearsal token is removed)" :
		    "no key was generated");
	for (i = 0; !rehearsal && i < e->nmade && n < sizeof(more); i++)
		n += (size_t)snprintf(more + n, sizeof(more) - n,
		    " key \"%s\" in the token (CKA_ID %s);", e->made[i],
		    e->made_id[i]);
	for (i = 0; e->bk != NULL && i < e->bk->nmade && n < sizeof(more);
	    i++)
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s;",
		    e->bk->made[i]);
	if (e->tr != NULL && anc_tr_closed(e->tr) && n < sizeof(more))
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s/%s, "
		    "closed with an abort record;", anc_outbox_dir(ob),
		    ANC_TR_FILE);
	for (i = 0; ob != NULL && i < anc_outbox_count(ob) &&
	    n < sizeof(more); i++)
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s/%s;",
		    anc_outbox_dir(ob), anc_outbox_file(ob, i));
	for (i = 0; ob != NULL && anc_outbox_batch_dir(ob, i) != NULL &&
	    n < sizeof(more); i++)
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s/%s/ "
		    "and every file in it;", anc_outbox_dir(ob),
		    anc_outbox_batch_dir(ob, i));
	if (n < sizeof(more))
		snprintf(more + n, sizeof(more) - n, " no SHA256SUMS was "
		    "written, so the outbox does not verify (see "
		    "docs/ceremony-format.md, \"When a run fails\")");
	if (len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, "%s", more);
	if (e->tr != NULL)
		name_used_up(anc_outbox_dir(ob), "this attempt", err);
}

/* A rehearsal's stand-in keys, recorded like generated ones. */
static int
record_stand_ins(struct anc_engine *e, struct anc_err *err)
{
	size_t i;
	int r;

	for (i = 0; i < e->c->n_inputs; i++)
		if (e->c->inputs[i].key != NULL && (r = e->record_key(
		    e->record_key_arg, e, e->c->inputs[i].key, err)) != ANC_OK)
			return r;
	return ANC_OK;
}

static int
run_steps(const struct anc_ceremony *c, struct anc_token *t,
    struct anc_engine *e, int rehearsal, struct anc_err *err)
{
	int r;

	if ((r = anc_engine_inputs(e, err)) != ANC_OK)
		return r;
	if (rehearsal && t != NULL && (r = record_stand_ins(e, err)) != ANC_OK)
		return r;
	/* Read-only checks against the token, before any state changes. */
	if ((r = anc_run_rng_preflight(c, t, err)) != ANC_OK)
		return r;
	if (e->bk != NULL &&
	    (r = anc_run_backup_preflight(c, e->bk, err)) != ANC_OK)
		return r;
	if ((r = anc_run_keys_preflight(c, t, e, err)) != ANC_OK)
		return r;
	return anc_engine_steps(e, err);
}

/* The closing record, then the transcript listed, then SHA256SUMS. */
static int
finish(struct anc_engine *e, struct anc_err *err)
{
	int r;

	if ((r = anc_closing_write(e, 1, NULL, err)) != ANC_OK ||
	    (r = anc_outbox_record(e->ob, ANC_TR_FILE, err)) != ANC_OK)
		return r;
	return anc_outbox_finish(e->ob, err);
}

/* A rehearsal's look at the real token, recorded (`probe` consumed). */
static int
record_probe(struct anc_engine *e, json_t *probe, struct anc_err *err)
{
	const json_t *tok = json_object_get(probe, "token");

	anc_engine_say(e, "rehearsal: token \"%s\" (%s %s, serial %s) can run "
	    "this script; checked read-only, without a login",
	    json_string_value(json_object_get(tok, "label")),
	    json_string_value(json_object_get(tok, "manufacturer")),
	    json_string_value(json_object_get(tok, "model")),
	    json_string_value(json_object_get(tok, "serial")));
	return anc_rec_probe(e, probe, err);
}

/* Everything after the transcript exists, so that all of it is recorded. */
static int
run_recorded(struct anc_engine *e, struct anc_backend *be,
    const struct anc_run_opts *o, struct anc_rehearsal *rh,
    struct anc_module **m, struct anc_token **t, json_t **probe,
    struct anc_err *err)
{
	const struct anc_ceremony *c = e->c;
	const struct anc_step *ss;
	const struct anc_input *si;
	int r;

	anc_closing_signer(c, &ss, &si);
	if ((r = anc_rec_start(e, o->outbox, c->token == NULL ? NULL :
	    rh != NULL ? ANC_SOFTHSM2_MODULE : o->module, ss, si, err)) !=
	    ANC_OK ||
	    (r = anc_rec_participants(e, err)) != ANC_OK ||
	    (r = anc_engine_confirm(e, ANC_CONFIRM_START, NULL, 0, err)) !=
	    ANC_OK)
		return r;
	if (*probe != NULL) {
		r = record_probe(e, *probe, err);
		*probe = NULL;	/* consumed */
		if (r != ANC_OK)
			return r;
	}
	if (c->token != NULL && (r = anc_run_open_token(e, o, rh, m, t,
	    err)) != ANC_OK)
		return r;
	/* The backup token after the primary's login. */
	if (c->token != NULL && rh == NULL && e->bk != NULL) {
		e->bk->primary = *t;
		if ((r = anc_run_open_backup(e, *m, o->module, err)) != ANC_OK)
			return r;
	}
	be->arg = *t;
	e->now = time(NULL);
	if ((r = run_steps(c, *t, e, rh != NULL, err)) != ANC_OK)
		return r;
	return finish(e, err);
}

/* A failed or aborted run still closes its transcript, with "abort". */
static void
close_failed(struct anc_engine *e, struct anc_err *err)
{
	struct anc_err cerr;
	size_t len = strlen(err->msg);

	anc_err_clear(&cerr);
	if (e->tr == NULL || anc_tr_closed(e->tr))
		return;
	if (anc_closing_write(e, 0, err, &cerr) != ANC_OK &&
	    len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, "\nthe "
		    "transcript could not be closed: %s", cerr.msg);
}

/* The rehearsal token must not outlive the run. */
static int
end_rehearsal(struct anc_rehearsal *rh, int r, struct anc_err *err)
{
	char dir[4096];

	if (rh == NULL)
		return r;
	snprintf(dir, sizeof(dir), "%s", anc_rehearsal_dir(rh));
	if (anc_rehearsal_end(rh) == 0 || r != ANC_OK)
		return r;
	return anc_err_set(err, ANC_E_IO, "rehearsal: the throwaway token "
	    "directory %s could not be removed; remove it by hand", dir);
}

/*
 * Before the outbox and the transcript: a token that is missing,
 * unusable, or lacks what the script needs costs nothing.  A rehearsal
 * looks at the real token instead, read-only, before it points
 * SOFTHSM2_CONF at its throwaway one.
 */
static int
token_first(const struct anc_ceremony *c, const struct anc_run_opts *o,
    struct anc_module **m, struct anc_token **t, json_t **probe,
    struct anc_err *err)
{
	int r;

	if (c->token == NULL)
		return ANC_OK;
	if (!o->rehearsal) {
		if ((r = anc_run_token_usable(c, o->module, o->module_args,
		    o->outbox, m, t, err)) != ANC_OK)
			return r;
		return anc_preflight_fits(c, *m, *t, err);
	}
	if ((r = anc_preflight_real_token(c, o->module, o->module_args, probe,
	    err)) != ANC_OK)
		anc_err_prefix(err, "rehearsal: checking the ceremony's own "
		    "token through %s (read-only)", o->module);
	return r;
}

int
anc_ceremony_run(const struct anc_ceremony *c, const struct anc_run_opts *o,
    const struct anc_ui *ui, struct anc_err *err)
{
	struct anc_backend be;
	struct anc_rehearsal *rh = NULL;
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_outbox *ob = NULL;
	struct anc_engine *e = NULL, *checked = NULL;
	json_t *probe = NULL;
	struct anc_backup_ctx bk;
	int r = ANC_E_INTERNAL;

	anc_run_backend(&be, o->rehearsal);
	memset(&bk, 0, sizeof(bk));
	bk.medium_fd = -1;
	if ((r = anc_ceremony_precheck(c, &checked, err)) != ANC_OK)
		return r;
	if (!o->yes && (ui == NULL || ui->confirm == NULL)) {
		r = anc_err_set(err, ANC_E_USAGE, "no way to ask the officers "
		    "for confirmations; use --yes for an unattended run");
		goto out;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "run");
		goto out;
	}
	e->checked = checked;
	if ((r = token_first(c, o, &m, &t, &probe, err)) != ANC_OK ||
	    (r = anc_outbox_open(o->outbox, &ob, err)) != ANC_OK ||
	    (r = outputs_free(c, ob, err)) != ANC_OK)
		goto out;
	if (anc_ceremony_backup_needs(c) != 0) {
		if ((r = anc_run_backup_begin(c, o, ui, &bk, err)) != ANC_OK)
			goto out;
		e->bk = &bk;
	}
	if (o->rehearsal && (r = anc_rehearsal_begin(&rh, err)) != ANC_OK)
		goto out;
	e->c = c;
	e->be = &be;
	e->ob = ob;
	e->ui = ui;
	e->unattended = o->yes;
	if ((r = anc_tr_open(anc_outbox_dirfd(ob), anc_outbox_dir(ob),
	    o->rehearsal, o->yes, &e->tr, err)) != ANC_OK)
		goto out;
	if ((r = run_recorded(e, &be, o, rh, &m, &t, &probe, err)) != ANC_OK) {
		close_failed(e, err);
		report_leftovers(e, ob, o->rehearsal, err);
	}
 out:
	json_decref(probe);
	if (e != NULL) {
		anc_engine_clear(e);
		anc_tr_free(e->tr);
	}
	free(e);
	if (checked != NULL)
		anc_engine_clear(checked);
	free(checked);
	/* Tokens before module: libp11 must not outlive its sessions. */
	anc_token_free(bk.backup);
	anc_token_free(t);
	anc_module_free(m);
	if (bk.medium_fd >= 0)
		close(bk.medium_fd);
	r = end_rehearsal(rh, r, err);
	anc_outbox_free(ob);
	return r;
}
