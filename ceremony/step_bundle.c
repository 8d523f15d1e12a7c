/*
 * anchorage: the bundle step: a trust bundle of anchors; with retires, the
 * retire gate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

/* Anchors, retired anchors and the retire gate's exceptions. */

static int
anchor_item(struct anc_reader *p, void *obj)
{
	struct anc_step *s = obj;
	size_t dup;
	int r;

	if ((r = anc_read_name_item(p, &anc_t_artifact, &s->anchors,
	    &s->anchor_lines, &s->n_anchors, &dup)) != ANC_OK)
		return r;
	if (dup != 0)
		return anc_read_bad(p, "duplicate anchor \"%s\"",
		    s->anchors[dup - 1]);
	return ANC_OK;
}

static int
retire_item(struct anc_reader *p, void *obj)
{
	struct anc_step *s = obj;
	size_t dup;
	int r;

	if ((r = anc_read_name_item(p, &anc_t_artifact, &s->retires,
	    &s->retire_lines, &s->n_retires, &dup)) != ANC_OK)
		return r;
	if (dup != 0)
		return anc_read_bad(p, "duplicate retired anchor \"%s\"",
		    s->retires[dup - 1]);
	return ANC_OK;
}

/* Why a certificate may break: one line, as the transcript keeps it. */
static const struct anc_type t_exception_reason = ANC_STRING(anc_rule_line,
    1, 256, "expected 1 to 256 characters on one line, without spaces at "
    "either end");

#define EX(m) offsetof(struct anc_exception, m)

static const struct anc_field exception_fields[] = {
	{ "certificate",	&anc_t_sha256,		REQUIRED,	EX(certificate),	0 },
	{ "reason",		&t_exception_reason,	REQUIRED,	EX(reason),		0 },
	{ "approved-by",	&anc_t_person,		REQUIRED,	EX(approved_by),	0 },
};

static int
exception_item(struct anc_reader *p, void *obj)
{
	struct anc_step *s = obj;
	struct anc_exception *x;
	size_t i;
	int r;

	if ((x = anc_read_add(p, &s->exceptions, &s->n_exceptions,
	    sizeof(*x))) == NULL)
		return ANC_E_NOMEM;
	x->line = anc_read_line(p);
	if ((r = anc_read_map(p, exception_fields, ANC_N(exception_fields),
	    x)) != ANC_OK)
		return r;
	for (i = 0; i + 1 < s->n_exceptions; i++)
		if (strcmp(s->exceptions[i].certificate, x->certificate) == 0) {
			anc_read_push(p, "certificate");
			return anc_read_err(p, ANC_E_FIELD, x->line, "%s "
			    "already has exceptions[%zu]", x->certificate,
			    i + 1);
		}
	return ANC_OK;
}

static const struct anc_type t_anchors = ANC_LIST(1, ANC_CER_LIST_MAX,
    "artifact names", anchor_item);
static const struct anc_type t_retires = ANC_LIST(1, ANC_CER_LIST_MAX,
    "artifact names", retire_item);
static const struct anc_type t_exceptions = ANC_LIST(1, ANC_CER_LIST_MAX,
    "exceptions", exception_item);

static const struct anc_field fields[] = {
	{ "anchors",	&t_anchors,		REQUIRED,	0,		0 },
	{ "retires",	&t_retires,		NONE,		0,		0 },
	{ "inventory",	&anc_t_artifact,	NONE,		S(inventory),	SL(inventory) },
	{ "exceptions",	&t_exceptions,		NONE,		0,		0 },
	{ "output",	&anc_t_artifact,	REQUIRED,	S(output),	SL(output) },
};

/* Exceptions are approved by someone who is there and may approve. */
static int
check_exceptions(struct anc_vctx *v, const struct anc_step *s)
{
	const struct anc_exception *x;
	char f[128], param[48];
	size_t i, j;

	for (i = 0; i < s->n_exceptions; i++) {
		x = &s->exceptions[i];
		snprintf(param, sizeof(param), "exceptions[%zu].approved-by",
		    i + 1);
		anc_step_field(f, sizeof(f), s, param);
		for (j = 0; j < v->c->n_participants; j++)
			if (strcmp(v->c->participants[j].name,
			    x->approved_by) == 0)
				break;
		if (j == v->c->n_participants)
			return anc_verr(v, x->line, f, "\"%s\" is not a "
			    "participant; expected the name of the participant "
			    "who approved the exception", x->approved_by);
		if (v->c->participants[j].role == ANC_ROLE_OBSERVER)
			return anc_verr(v, x->line, f, "\"%s\" is an observer; "
			    "expected a participant with another role",
			    x->approved_by);
	}
	return ANC_OK;
}

/*
 * A bundle with `retires` is the retire gate: it drops the anchors it
 * names, which must not be among its anchors, and only with an inventory
 * report that shows nothing breaks (or exceptions that say why it may).
 */
static int
check_retire(struct anc_vctx *v, const struct anc_step *s)
{
	struct anc_artref a;
	char f[128], param[32];
	size_t i, j;
	int r;

	for (i = 0; i < s->n_retires; i++) {
		snprintf(param, sizeof(param), "retires[%zu]", i + 1);
		anc_step_field(f, sizeof(f), s, param);
		if ((r = anc_ref(v, s, f, s->retire_lines[i], s->retires[i],
		    ANC_ART_STEP(ANC_STEP_SELF_SIGN) | ANC_ART_CERT_IN, "a "
		    "self-sign output or a certificate input", &a)) != ANC_OK)
			return r;
		for (j = 0; j < s->n_anchors; j++)
			if (strcmp(s->anchors[j], s->retires[i]) == 0)
				return anc_verr(v, s->retire_lines[i], f,
				    "\"%s\" is also anchors[%zu]; expected an "
				    "anchor this bundle drops", s->retires[i],
				    j + 1);
	}
	anc_step_field(f, sizeof(f), s, "inventory");
	if (s->n_retires > 0 && s->inventory == NULL)
		return anc_verr(v, s->line, f, "required with retires: "
		    "expected an inventory input, the report of `inventory "
		    "check` that shows what dropping them breaks");
	if (s->inventory != NULL && s->n_retires == 0)
		return anc_verr(v, s->lines.inventory, f, "only with retires: "
		    "expected retires naming the anchors this bundle drops");
	if (s->inventory != NULL && (r = anc_ref(v, s, f, s->lines.inventory,
	    s->inventory, ANC_ART_INVENTORY_IN, "an inventory input", &a)) !=
	    ANC_OK)
		return r;
	if (s->n_exceptions > 0 && s->n_retires == 0)
		return anc_verr(v, s->exceptions[0].line, anc_step_field(f,
		    sizeof(f), s, "exceptions"), "only with retires and "
		    "inventory");
	return check_exceptions(v, s);
}

static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	struct anc_artref a;
	char f[128], param[32];
	size_t i;
	int line, r;

	for (i = 0; i < s->n_anchors; i++) {
		snprintf(param, sizeof(param), "anchors[%zu]", i + 1);
		line = anc_line_or(s, s->anchor_lines != NULL ?
		    s->anchor_lines[i] : 0);
		if ((r = anc_ref(v, s, anc_step_field(f, sizeof(f), s, param),
		    line, s->anchors[i], ANC_ART_STEP(ANC_STEP_SELF_SIGN) |
		    ANC_ART_CERT_IN | ANC_ART_BUNDLE_IN |
		    ANC_ART_STEP(ANC_STEP_BUNDLE), "a self-sign output, a "
		    "certificate or bundle input, or a bundle output", &a)) !=
		    ANC_OK)
			return r;
	}
	return check_retire(v, s);
}

static void
plan(struct anc_text *t, const struct anc_step *s)
{
	size_t i;

	anc_put(t, "make a trust bundle of");
	for (i = 0; i < s->n_anchors; i++)
		anc_put(t, "%s %s", i ? "," : "", s->anchors[i]);
	for (i = 0; i < s->n_retires; i++)
		anc_put(t, "%s %s", i ? "," : ", dropping", s->retires[i]);
	if (s->inventory != NULL)
		anc_put(t, ", only if inventory report %s shows that nothing "
		    "breaks", s->inventory);
	for (i = 0; i < s->n_exceptions; i++)
		anc_put(t, "; exception: %s may break (\"%s\", approved by "
		    "%s)", s->exceptions[i].certificate,
		    s->exceptions[i].reason,
		    s->exceptions[i].approved_by);
}

static void
inputs(const struct anc_engine *e, const struct anc_step *s,
    struct anc_confirm_item *v, size_t cap, size_t *n)
{
	size_t i;

	for (i = 0; i < s->n_anchors; i++)
		anc_rec_item(e, v, cap, n, s->anchors[i], 0);
	for (i = 0; i < s->n_retires; i++)
		anc_rec_item(e, v, cap, n, s->retires[i], 0);
	anc_rec_item(e, v, cap, n, s->inventory, 0);
}

const struct anc_step_type anc_kind_bundle = {
	.kind = ANC_STEP_BUNDLE,
	.name = "bundle",
	.uses_token = 0,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = check,
	.plan = plan,
	.files = anc_step_files_pem,
	.inputs = inputs,
	.run = anc_step_bundle,
};
