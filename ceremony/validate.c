/*
 * anchorage: what a parsed ceremony means, checked before anything runs.
 *
 * parse.c has made sure every field has the right shape; here the fields
 * are checked against each other: artifact names are unique, every
 * reference names an input or an earlier step's output of the right kind,
 * a certificate stays inside what its issuer (from this script) and its
 * policy allow, and the token URI is there exactly when a step needs it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"

int
anc_verr(struct anc_vctx *v, int line, const char *field, const char *fmt,
    ...)
{
	char msg[ANC_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return anc_err_set(v->err, ANC_E_FIELD, "%s:%d: %s: %s", v->c->path,
	    line, field, msg);
}

/* "steps[3].issue-intermediate.issuer" into buf. */
const char *
anc_step_field(char *buf, size_t cap, const struct anc_step *s,
    const char *param)
{
	snprintf(buf, cap, "steps[%d].%s%s%s", s->index,
	    anc_step_kind_name(s), param[0] != '\0' ? "." : "", param);
	return buf;
}

/* A field's line, or the step's when the field was left to its default. */
int
anc_line_or(const struct anc_step *s, int line)
{
	return line != 0 ? line : s->line;
}

static const char *
input_kind_name(enum anc_input_kind k)
{
	switch (k) {
	case ANC_INPUT_CERTIFICATE:
		return "certificate";
	case ANC_INPUT_CSR:
		return "csr";
	case ANC_INPUT_INVENTORY:
		return "inventory";
	case ANC_INPUT_BUNDLE:
		return "bundle";
	case ANC_INPUT_CRL:
		return "crl";
	case ANC_INPUT_CLUSTERS:
		return "clusters";
	default:
		return "unknown";
	}
}

/* Steps that name an artifact with `output`. */
static int
has_output(const struct anc_step *s)
{
	return s->output != NULL;
}

/* The first input or step output called `name`; 0 if there is none. */
static int
find(const struct anc_ceremony *c, const char *name, struct anc_artref *a)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < c->n_inputs; i++)
		if (strcmp(c->inputs[i].name, name) == 0) {
			a->in = &c->inputs[i];
			return 1;
		}
	for (i = 0; i < c->n_steps; i++)
		if (has_output(&c->steps[i]) &&
		    strcmp(c->steps[i].output, name) == 0) {
			a->step = &c->steps[i];
			return 1;
		}
	return 0;
}

static uint64_t
art_class(const struct anc_artref *a)
{
	if (a->step != NULL)
		return ANC_ART_STEP(a->step->kind);
	switch (a->in->kind) {
	case ANC_INPUT_CERTIFICATE:
		return a->in->key != NULL ? ANC_ART_CERT_IN | ANC_ART_CERT_KEY :
		    ANC_ART_CERT_IN;
	case ANC_INPUT_CSR:
		return ANC_ART_CSR_IN;
	case ANC_INPUT_BUNDLE:
		return ANC_ART_BUNDLE_IN;
	case ANC_INPUT_CRL:
		return ANC_ART_CRL_IN;
	case ANC_INPUT_CLUSTERS:
		return ANC_ART_CLUSTERS_IN;
	default:
		return ANC_ART_INVENTORY_IN;
	}
}

/* "a csr input (inputs[2])", "a bundle output (steps[4])". */
static const char *
describe(const struct anc_ceremony *c, const struct anc_artref *a, char *buf,
    size_t cap)
{
	const char *kind;

	if (a->step != NULL) {
		kind = anc_step_kind_name(a->step);
		snprintf(buf, cap, "a%s %s output (steps[%d])",
		    strchr("aeiou", kind[0]) != NULL ? "n" : "", kind,
		    a->step->index);
	} else
		snprintf(buf, cap, "a%s %s input%s (inputs[%zu])",
		    a->in->kind == ANC_INPUT_INVENTORY ? "n" : "",
		    input_kind_name(a->in->kind),
		    a->in->kind == ANC_INPUT_CERTIFICATE && a->in->key == NULL ?
		    " without a key" : "", (size_t)(a->in - c->inputs) + 1);
	return buf;
}

/*
 * `name`, referred to by step s in `field`, must be an input or the output
 * of an earlier step, of a class in `accept` (`expect` says which in
 * words).  The definition goes to *a.
 */
int
anc_ref(struct anc_vctx *v, const struct anc_step *s, const char *field,
    int line, const char *name, uint64_t accept, const char *expect,
    struct anc_artref *a)
{
	char what[96];

	if (!find(v->c, name, a))
		return anc_verr(v, line, field, "no input or step output is "
		    "named \"%s\"; expected %s", name, expect);
	if (a->step == s)
		return anc_verr(v, line, field, "\"%s\" is this step's own "
		    "output; expected %s", name, expect);
	if (a->step != NULL && a->step->index > s->index)
		return anc_verr(v, line, field, "\"%s\" is the output of "
		    "steps[%d], which comes later; expected an earlier step's "
		    "output", name, a->step->index);
	if ((art_class(a) & accept) == 0)
		return anc_verr(v, line, field, "\"%s\" is %s; expected %s",
		    name, describe(v->c, a, what, sizeof(what)), expect);
	return ANC_OK;
}

/* The certificate whose key signs: a root made here, or one brought in
 * together with the label of its key in the token. */
int
anc_ref_issuer(struct anc_vctx *v, const struct anc_step *s,
    struct anc_artref *a)
{
	char f[128];

	return anc_ref(v, s, anc_step_field(f, sizeof(f), s, "issuer"),
	    anc_line_or(s, s->lines.issuer), s->issuer,
	    ANC_ART_STEP(ANC_STEP_SELF_SIGN) | ANC_ART_CERT_KEY,
	    "a self-sign output or a certificate input with a key", a);
}

/* Below a root made in this script: a shorter path and a shorter life. */
int
anc_check_under(struct anc_vctx *v, const struct anc_step *s,
    const struct anc_artref *a)
{
	const struct anc_step *is = a->step;
	char f[128], d1[32], d2[32];

	if (is == NULL || is->kind != ANC_STEP_SELF_SIGN)
		return ANC_OK;
	/* Everything a ceremony signs under a root is itself a CA. */
	if (is->path_length == 0)
		return anc_verr(v, anc_line_or(s, s->lines.issuer),
		    anc_step_field(f, sizeof(f), s, "issuer"), "steps[%d] has "
		    "path-length 0 and cannot certify a CA; expected an issuer "
		    "with a path-length of at least 1, or none", is->index);
	if (is->path_length != ANC_PATHLEN_NONE &&
	    (s->path_length == ANC_PATHLEN_NONE ||
	    s->path_length >= is->path_length))
		return anc_verr(v, anc_line_or(s, s->lines.path_length),
		    anc_step_field(f, sizeof(f), s, "path-length"), "expected "
		    "at most %d, below the path-length %d of the issuer "
		    "(steps[%d])", is->path_length - 1, is->path_length,
		    is->index);
	if (s->validity > is->validity) {
		anc_duration_format(s->validity, d1, sizeof(d1));
		anc_duration_format(is->validity, d2, sizeof(d2));
		return anc_verr(v, anc_line_or(s, s->lines.validity),
		    anc_step_field(f, sizeof(f), s, "validity"), "%s is longer "
		    "than the issuer's; expected at most %s, the validity of "
		    "steps[%d]", d1, d2, is->index);
	}
	return ANC_OK;
}

/*
 * Officers holding shares of the PIN (split-pin, quorum): participants
 * with role crypto-officer, at least K of them.  `field` is where the
 * officers are ("quorum", "steps[1].split-pin").
 */
int
anc_check_officers(struct anc_vctx *v, const struct anc_officers *o,
    const char *field)
{
	const struct anc_ceremony *c = v->c;
	char f[160];
	size_t i, j;

	for (i = 0; i < o->n; i++) {
		snprintf(f, sizeof(f), "%s.officers[%zu]", field, i + 1);
		for (j = 0; j < c->n_participants; j++)
			if (strcmp(c->participants[j].name, o->names[i]) == 0)
				break;
		if (j == c->n_participants)
			return anc_verr(v, o->lines[i], f, "\"%s\" is not a "
			    "participant; expected the name of a participant "
			    "with role crypto-officer", o->names[i]);
		if (c->participants[j].role != ANC_ROLE_CRYPTO_OFFICER)
			return anc_verr(v, o->lines[i], f, "\"%s\" is a "
			    "participant with role %s; expected role "
			    "crypto-officer", o->names[i],
			    anc_role_name(c->participants[j].role));
	}
	if ((size_t)o->threshold > o->n) {
		snprintf(f, sizeof(f), "%s.threshold", field);
		return anc_verr(v, o->threshold_line, f, "%d is more than the "
		    "%zu officers listed; expected at most %zu", o->threshold,
		    o->n, o->n);
	}
	return ANC_OK;
}

/* Shares activate a token, so a quorum needs one. */
static int
check_quorum(struct anc_vctx *v)
{
	const struct anc_ceremony *c = v->c;

	if (c->quorum.threshold == 0)
		return ANC_OK;
	if (c->token == NULL)
		return anc_verr(v, c->quorum.line, "quorum", "no step uses the "
		    "token, so there is nothing to activate; remove it");
	return anc_check_officers(v, &c->quorum, "quorum");
}

/* One name, one artifact: inputs and step outputs share a namespace. */
static int
check_names(struct anc_vctx *v)
{
	const struct anc_ceremony *c = v->c;
	const struct anc_step *s;
	struct anc_artref a;
	char f[128], what[96];
	size_t i;

	for (i = 0; i < c->n_inputs; i++) {
		if (find(c, c->inputs[i].name, &a) && a.in == &c->inputs[i])
			continue;
		snprintf(f, sizeof(f), "inputs[%zu].%s.name", i + 1,
		    input_kind_name(c->inputs[i].kind));
		return anc_verr(v, c->inputs[i].line, f, "duplicate artifact "
		    "name \"%s\", already used by %s", c->inputs[i].name,
		    describe(c, &a, what, sizeof(what)));
	}
	for (i = 0; i < c->n_steps; i++) {
		s = &c->steps[i];
		if (!has_output(s) || (find(c, s->output, &a) && a.step == s))
			continue;
		return anc_verr(v, anc_line_or(s, s->lines.output),
		    anc_step_field(f, sizeof(f), s, "output"), "duplicate "
		    "artifact name \"%s\", already used by %s", s->output,
		    describe(c, &a, what, sizeof(what)));
	}
	return ANC_OK;
}

/* The token refuses a second key with a label; say so before the day. */
static int
check_labels(struct anc_vctx *v)
{
	const struct anc_step *s, *t;
	char f[128];
	size_t i, j;

	for (i = 0; i < v->c->n_steps; i++) {
		s = &v->c->steps[i];
		for (j = 0; j < i && s->kind == ANC_STEP_GENERATE_KEY; j++) {
			t = &v->c->steps[j];
			if (t->kind == ANC_STEP_GENERATE_KEY &&
			    strcmp(t->label, s->label) == 0)
				return anc_verr(v, anc_line_or(s,
				    s->lines.label), anc_step_field(f,
				    sizeof(f), s, "label"), "duplicate label "
				    "\"%s\"; steps[%d] already generates it",
				    s->label, t->index);
		}
	}
	return ANC_OK;
}

/* A token URI exactly when a step needs the token: a script that names
 * a token it never uses has been edited carelessly. */
static int
check_token(struct anc_vctx *v)
{
	const struct anc_ceremony *c = v->c;
	size_t i;

	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].type->uses_token)
			break;
	if (i < c->n_steps && c->token == NULL)
		return anc_verr(v, c->steps[i].line, "token", "required "
		    "because steps[%d] (%s) uses the token; expected a PKCS#11 "
		    "URI such as pkcs11:token=m8-root", c->steps[i].index,
		    anc_step_kind_name(&c->steps[i]));
	if (i == c->n_steps && c->token != NULL)
		return anc_verr(v, c->token_line != 0 ? c->token_line : 1,
		    "token", "no step uses the token; remove it");
	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].type->uses_backup_token)
			break;
	if (i < c->n_steps && c->backup_token == NULL)
		return anc_verr(v, c->steps[i].line, "backup-token", "required "
		    "because steps[%d] (%s) uses the backup token; expected a "
		    "PKCS#11 URI such as pkcs11:token=m8-root-backup",
		    c->steps[i].index, anc_step_kind_name(&c->steps[i]));
	if (i == c->n_steps && c->backup_token != NULL)
		return anc_verr(v, c->backup_token_line != 0 ?
		    c->backup_token_line : 1, "backup-token", "no step uses the "
		    "backup token; remove it");
	if (c->backup_token != NULL && c->token != NULL &&
	    strcmp(c->backup_token, c->token) == 0)
		return anc_verr(v, c->backup_token_line, "backup-token", "names "
		    "the same token as token; expected a second token");
	return ANC_OK;
}

/* Two exports of one kind and name would write the same outbox file. */
static int
check_files(struct anc_vctx *v)
{
	const struct anc_step *s, *t;
	char a[4][128], b[4][128], f[128];
	size_t i, j, x, y, na, nb;

	for (i = 0; i < v->c->n_steps; i++) {
		s = &v->c->steps[i];
		if (anc_step_files(s, a, 4, &na) != ANC_OK)
			return anc_err_set(v->err, ANC_E_INTERNAL,
			    "%s: steps[%d]: outbox file names", v->c->path,
			    s->index);
		for (j = 0; j < i; j++) {
			t = &v->c->steps[j];
			if (anc_step_files(t, b, 4, &nb) != ANC_OK)
				nb = 0;
			for (x = 0; x < na; x++)
				for (y = 0; y < nb; y++)
					if (strcmp(a[x], b[y]) == 0)
						return anc_verr(v, s->line,
						    anc_step_field(f, sizeof(f),
						    s, ""), "writes %s, as "
						    "steps[%d] does; expected "
						    "a different name", a[x],
						    t->index);
		}
	}
	return ANC_OK;
}

int
anc_validate(const struct anc_ceremony *c, struct anc_err *err)
{
	struct anc_vctx v = { c, err };
	const struct anc_step_type *t;
	size_t i;
	int r;

	if ((r = check_names(&v)) != ANC_OK ||
	    (r = check_labels(&v)) != ANC_OK)
		return r;
	for (i = 0; i < c->n_steps; i++) {
		t = c->steps[i].type;
		if (t->check != NULL && (r = t->check(&v, &c->steps[i])) !=
		    ANC_OK)
			return r;
	}
	if ((r = check_token(&v)) != ANC_OK ||
	    (r = check_files(&v)) != ANC_OK ||
	    (r = check_quorum(&v)) != ANC_OK)
		return r;
	return ANC_OK;
}
