/*
 * anchorage: the bundle step: a trust bundle of anchors; with retires, the
 * retire gate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/rotation.h"
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
plan(struct anc_buf *t, const struct anc_step *s)
{
	size_t i;

	anc_buf_put(t, "make a trust bundle of");
	for (i = 0; i < s->n_anchors; i++)
		anc_buf_put(t, "%s %s", i ? "," : "", s->anchors[i]);
	for (i = 0; i < s->n_retires; i++)
		anc_buf_put(t, "%s %s", i ? "," : ", dropping", s->retires[i]);
	if (s->inventory != NULL)
		anc_buf_put(t, ", only if inventory report %s shows that nothing "
		    "breaks", s->inventory);
	for (i = 0; i < s->n_exceptions; i++)
		anc_buf_put(t, "; exception: %s may break (\"%s\", approved by "
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

/* Is a newer than b: a later notBefore, or the same and a later
 * notAfter? */
static int
newer(const X509 *a, const X509 *b)
{
	int c = ASN1_TIME_compare(X509_get0_notBefore(a),
	    X509_get0_notBefore(b));

	if (c == 0)
		c = ASN1_TIME_compare(X509_get0_notAfter(a),
		    X509_get0_notAfter(b));
	return c > 0;
}

/* Add one anchor to a bundle: a CA certificate not already in it.
 * `what` names it: anchor "root-2026", certificate 2 of "old-bundle". */
static int
bundle_add(STACK_OF(X509) *sk, X509 *x, const char *what,
    struct anc_err *err)
{
	int i;

	if (X509_check_ca(x) != 1)
		return anc_err_set(err, ANC_E_UNSAFE, "%s is not a CA "
		    "certificate; a trust bundle holds only anchors", what);
	for (i = 0; i < sk_X509_num(sk); i++)
		if (X509_cmp(sk_X509_value(sk, i), x) == 0)
			return anc_err_set(err, ANC_E_UNSAFE, "%s is already "
			    "in the bundle", what);
	/* Newest first; anchors of the same age keep the script's order, so
	 * the same script always makes the same file. */
	for (i = 0; i < sk_X509_num(sk); i++)
		if (newer(x, sk_X509_value(sk, i)))
			break;
	if (!X509_up_ref(x))
		return anc_err_set(err, ANC_E_NOMEM, "bundle");
	if (sk_X509_insert(sk, x, i) <= 0) {
		X509_free(x);
		return anc_err_set(err, ANC_E_NOMEM, "bundle");
	}
	return ANC_OK;
}

/* A certificate adds itself; a bundle adds every certificate it holds. */
static int
bundle_add_art(STACK_OF(X509) *sk, const struct anc_artifact *in,
    const char *name, struct anc_err *err)
{
	char what[160];
	int i, r;

	if (in->kind == ANC_ART_CERT) {
		snprintf(what, sizeof(what), "anchor \"%s\"", name);
		return bundle_add(sk, in->cert, what, err);
	}
	for (i = 0; i < sk_X509_num(in->certs); i++) {
		snprintf(what, sizeof(what), "certificate %d of \"%s\"", i + 1,
		    name);
		if ((r = bundle_add(sk, sk_X509_value(in->certs, i), what,
		    err)) != ANC_OK)
			return r;
	}
	return ANC_OK;
}

static void
gate_say(void *arg, const char *line)
{
	anc_engine_say(arg, "%s", line);
}

/* Hand the retire gate (rotation/) the report, the bundle and the
 * certificates retired, as plain data. */
static int
retire_gate(struct anc_engine *e, const struct anc_step *s,
    STACK_OF(X509) *bundle, struct anc_err *err)
{
	struct anc_retire_req q;
	struct anc_artifact *a;
	X509 *retired[ANC_CER_LIST_MAX];
	size_t i;

	memset(&q, 0, sizeof(q));
	a = anc_engine_find(e, s->inventory);
	/* validate.c guarantees an inventory input and certificates. */
	if (a == NULL || a->kind != ANC_ART_INVENTORY)
		return anc_err_set(err, ANC_E_INTERNAL, "inventory \"%s\"",
		    s->inventory);
	q.raw = a->raw;
	q.raw_len = a->raw_len;
	if (s->n_retires > ANC_CER_LIST_MAX)
		return anc_err_set(err, ANC_E_INTERNAL, "retires");
	for (i = 0; i < s->n_retires; i++) {
		a = anc_engine_find(e, s->retires[i]);
		if (a == NULL || a->kind != ANC_ART_CERT)
			return anc_err_set(err, ANC_E_INTERNAL,
			    "retires \"%s\"", s->retires[i]);
		retired[i] = a->cert;
	}
	q.script = e->c->path;
	q.report = s->inventory;
	q.bundle = bundle;
	q.retire_names = s->retires;
	q.retire_certs = retired;
	q.n_retires = s->n_retires;
	q.exceptions = s->exceptions;
	q.n_exceptions = s->n_exceptions;
	q.checking = e->ob == NULL;
	q.say = gate_say;
	q.say_arg = e;
	return anc_retire_check(&q, err);
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct anc_artifact *a, *in;
	size_t i;
	int r = ANC_E_INTERNAL;

	if (sk == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "bundle");
	for (i = 0; i < s->n_anchors; i++) {
		in = anc_engine_find(e, s->anchors[i]);
		if (in == NULL || (in->kind != ANC_ART_CERT &&
		    in->kind != ANC_ART_BUNDLE)) {
			r = anc_err_set(err, ANC_E_INTERNAL, "anchor \"%s\"",
			    s->anchors[i]);
			goto out;
		}
		if ((r = bundle_add_art(sk, in, s->anchors[i], err)) != ANC_OK)
			goto out;
	}
	/* Nothing is written while the retire gate says no. */
	if (s->n_retires > 0 && (r = retire_gate(e, s, sk, err)) != ANC_OK)
		goto out;
	if ((a = anc_engine_new_art(e, s->output, ANC_ART_BUNDLE, s)) ==
	    NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "output %s", s->output);
		goto out;
	}
	a->certs = sk;
	sk = NULL;	/* transferred */
	anc_engine_say(e, "  bundle %s: %d anchor(s), newest first", s->output,
	    sk_X509_num(a->certs));
	r = anc_steps_write_stack(e, s->output, a->certs, err);
 out:
	sk_X509_pop_free(sk, X509_free);
	return r;
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
	.run = run,
};
