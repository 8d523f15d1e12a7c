/*
 * anchorage: the officers' confirmations.  Before each step the
 * administrator confirms what is about to happen; after it the witness
 * confirms what happened, or records a deviation first; either may abort.
 * Every answer is a transcript record.  The UI only asks: what counts as
 * an answer, and what is recorded, is decided here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "engine.h"
#include "records.h"

#define ITEMS_MAX ANC_REC_ITEMS_MAX

/* Everything a request points to, alive while it is asked. */
struct ask {
	struct anc_confirm_req req;
	const char *names[ANC_CER_LIST_MAX];
	struct anc_confirm_item items[ITEMS_MAX];
	char expect[32];
	char *text;
};

static void
names_of(const struct anc_ceremony *c, enum anc_role role, struct ask *a)
{
	size_t i;

	a->req.nnames = 0;
	for (i = 0; i < c->n_participants && a->req.nnames <
	    ANC_CER_LIST_MAX; i++)
		if (c->participants[i].role == role)
			a->names[a->req.nnames++] = c->participants[i].name;
	a->req.names = a->names;
}

/* The files a step wrote: outbox entries from `first` on. */
static void
written_items(const struct anc_engine *e, size_t first, struct ask *a)
{
	size_t i;

	a->req.nitems = 0;
	for (i = first; e->ob != NULL && i < anc_outbox_count(e->ob) &&
	    a->req.nitems < ITEMS_MAX; i++) {
		a->items[a->req.nitems].name = anc_outbox_file(e->ob, i);
		a->items[a->req.nitems++].sha256 =
		    anc_outbox_file_sha256(e->ob, i);
	}
}

static int
build(struct anc_engine *e, enum anc_confirm_phase phase,
    const struct anc_step *s, size_t first, struct ask *a,
    struct anc_err *err)
{
	int r;

	memset(&a->req, 0, sizeof(a->req));
	a->text = NULL;
	a->req.phase = phase;
	a->req.ceremony = e->c->name;
	a->req.nsteps = e->c->n_steps;
	a->req.items = a->items;
	a->req.role = anc_role_name(phase == ANC_CONFIRM_AFTER ?
	    ANC_ROLE_WITNESS : ANC_ROLE_ADMINISTRATOR);
	names_of(e->c, phase == ANC_CONFIRM_AFTER ? ANC_ROLE_WITNESS :
	    ANC_ROLE_ADMINISTRATOR, a);
	if (s == NULL) {
		a->req.expect = e->c->name;
		a->req.text = e->c->description;
		return ANC_OK;
	}
	a->req.step = s->index;
	a->req.kind = anc_step_kind_name(s);
	if ((r = anc_step_describe(s, &a->text, err)) != ANC_OK)
		return r;
	a->req.text = a->text;
	if (phase == ANC_CONFIRM_BEFORE) {
		snprintf(a->expect, sizeof(a->expect), "step %d", s->index);
		anc_rec_step_inputs(e, s, a->items, ITEMS_MAX, &a->req.nitems);
	} else {
		snprintf(a->expect, sizeof(a->expect), "%s",
		    ANC_WORD_WITNESSED);
		written_items(e, first, a);
	}
	a->req.expect = a->expect;
	return ANC_OK;
}

/* The UI is outside the ceremony: hold its answer to the request. */
static int
answer_ok(const struct anc_confirm_req *req, struct anc_confirm *ans,
    struct anc_err *err)
{
	size_t i;

	ans->name[sizeof(ans->name) - 1] = '\0';
	ans->text[sizeof(ans->text) - 1] = '\0';
	for (i = 0; i < req->nnames; i++)
		if (strcmp(req->names[i], ans->name) == 0)
			break;
	if (i == req->nnames)
		return anc_err_set(err, ANC_E_INTERNAL, "confirmation: \"%s\" "
		    "is not a participant in the role %s", ans->name,
		    req->role);
	if (ans->answer == ANC_ANSWER_CONFIRM ||
	    ans->answer == ANC_ANSWER_ABORT ||
	    (ans->answer == ANC_ANSWER_EXCEPTION &&
	    req->phase == ANC_CONFIRM_AFTER && ans->text[0] != '\0'))
		return ANC_OK;
	return anc_err_set(err, ANC_E_INTERNAL, "confirmation: answer %d is "
	    "not one the request allows", (int)ans->answer);
}

/* Ask until confirmed or aborted; exceptions are recorded on the way. */
static int
ask_officers(struct anc_engine *e, struct ask *a, struct anc_err *err)
{
	struct anc_confirm ans;
	int r;

	for (;;) {
		memset(&ans, 0, sizeof(ans));
		if ((r = e->ui->confirm(e->ui->confirm_arg, &a->req, &ans,
		    err)) != ANC_OK)
			return anc_err_prefix(err, "confirmation");
		if ((r = answer_ok(&a->req, &ans, err)) != ANC_OK)
			return r;
		if (ans.answer == ANC_ANSWER_CONFIRM)
			return anc_rec_confirmation(e, a->req.phase,
			    a->req.step, a->req.role, ans.name, a->req.expect,
			    err);
		if (ans.answer == ANC_ANSWER_ABORT) {
			e->abort = ans;
			e->abort_role = a->req.role;
			return anc_err_set(err, ANC_E_UNSAFE, "aborted by the "
			    "%s, %s%s%s", a->req.role, ans.name,
			    ans.text[0] != '\0' ? ": " : "", ans.text);
		}
		if ((r = anc_rec_exception(e, a->req.step, a->req.role,
		    ans.name, ans.text, err)) != ANC_OK)
			return r;
	}
}

int
anc_engine_confirm(struct anc_engine *e, enum anc_confirm_phase phase,
    const struct anc_step *s, size_t first, struct anc_err *err)
{
	struct ask *a;
	int r;

	if (e->tr == NULL)
		return ANC_OK;
	if (e->unattended)
		return anc_rec_confirmation(e, phase, s != NULL ? s->index : 0,
		    anc_role_name(phase == ANC_CONFIRM_AFTER ?
		    ANC_ROLE_WITNESS : ANC_ROLE_ADMINISTRATOR), "unattended",
		    "--yes", err);
	if (e->ui == NULL || e->ui->confirm == NULL)
		return anc_err_set(err, ANC_E_USAGE, "no way to ask the officers "
		    "for confirmations; use --yes for an unattended run");
	/* Large (it holds every input's name): not on the stack. */
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "confirmation");
	if ((r = build(e, phase, s, first, a, err)) == ANC_OK)
		r = ask_officers(e, a, err);
	free(a->text);
	free(a);
	return r;
}
