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
#include "ceremony_int.h"

/* What an artifact is, one bit each, so a reference can accept several. */
#define ART_STEP(k)	(1u << (k))		/* output of a step of kind k */
#define ART_CERT	(1u << 20)		/* certificate input */
#define ART_CERT_KEY	(1u << 21)		/* ... whose key is in the token */
#define ART_CSR		(1u << 22)		/* csr input */
#define ART_INVENTORY	(1u << 23)		/* inventory input */
#define ART_BUNDLE_IN	(1u << 24)		/* bundle input */
#define ART_CRL_IN	(1u << 25)		/* crl input */
#define ART_CLUSTERS	(1u << 26)		/* clusters input */

struct vctx {
	const struct anc_ceremony *c;
	struct anc_err *err;
};

/* A named input or step output. */
struct artifact {
	const struct anc_input *in;
	const struct anc_step *step;
};

static int
verr(struct vctx *v, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
verr(struct vctx *v, int line, const char *field, const char *fmt, ...)
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
static const char *
step_field(char *buf, size_t cap, const struct anc_step *s, const char *param)
{
	snprintf(buf, cap, "steps[%d].%s%s%s", s->index,
	    anc_step_kind_name(s->kind), param[0] != '\0' ? "." : "", param);
	return buf;
}

/* A field's line, or the step's when the field was left to its default. */
static int
line_or(const struct anc_step *s, int line)
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
	return s->output != NULL && s->kind != ANC_STEP_GENERATE_KEY;
}

static int
uses_token(enum anc_step_kind k)
{
	switch (k) {
	case ANC_STEP_GENERATE_KEY:
	case ANC_STEP_SELF_SIGN:
	case ANC_STEP_ISSUE_INTERMEDIATE:
	case ANC_STEP_SIGN_CSR:
	case ANC_STEP_CROSS_SIGN:
	case ANC_STEP_SIGN_CRL:
	case ANC_STEP_SPLIT_PIN:
	case ANC_STEP_BATCH_ISSUE:
	case ANC_STEP_BATCH_SIGN_CSR:
		return 1;
	default:
		return 0;
	}
}

/* The first input or step output called `name`; 0 if there is none. */
static int
find(const struct anc_ceremony *c, const char *name, struct artifact *a)
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

static unsigned
art_class(const struct artifact *a)
{
	if (a->step != NULL)
		return ART_STEP(a->step->kind);
	switch (a->in->kind) {
	case ANC_INPUT_CERTIFICATE:
		return a->in->key != NULL ? ART_CERT | ART_CERT_KEY : ART_CERT;
	case ANC_INPUT_CSR:
		return ART_CSR;
	case ANC_INPUT_BUNDLE:
		return ART_BUNDLE_IN;
	case ANC_INPUT_CRL:
		return ART_CRL_IN;
	case ANC_INPUT_CLUSTERS:
		return ART_CLUSTERS;
	default:
		return ART_INVENTORY;
	}
}

/* "a csr input (inputs[2])", "a bundle output (steps[4])". */
static const char *
describe(const struct anc_ceremony *c, const struct artifact *a, char *buf,
    size_t cap)
{
	const char *kind;

	if (a->step != NULL) {
		kind = anc_step_kind_name(a->step->kind);
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
static int
ref(struct vctx *v, const struct anc_step *s, const char *field, int line,
    const char *name, unsigned accept, const char *expect, struct artifact *a)
{
	char what[96];

	if (!find(v->c, name, a))
		return verr(v, line, field, "no input or step output is named "
		    "\"%s\"; expected %s", name, expect);
	if (a->step == s)
		return verr(v, line, field, "\"%s\" is this step's own output; "
		    "expected %s", name, expect);
	if (a->step != NULL && a->step->index > s->index)
		return verr(v, line, field, "\"%s\" is the output of steps[%d], "
		    "which comes later; expected an earlier step's output",
		    name, a->step->index);
	if ((art_class(a) & accept) == 0)
		return verr(v, line, field, "\"%s\" is %s; expected %s", name,
		    describe(v->c, a, what, sizeof(what)), expect);
	return ANC_OK;
}

/* The certificate whose key signs: a root made here, or one brought in
 * together with the label of its key in the token. */
static int
ref_issuer(struct vctx *v, const struct anc_step *s, struct artifact *a)
{
	char f[128];

	return ref(v, s, step_field(f, sizeof(f), s, "issuer"),
	    line_or(s, s->lines.issuer), s->issuer,
	    ART_STEP(ANC_STEP_SELF_SIGN) | ART_CERT_KEY,
	    "a self-sign output or a certificate input with a key", a);
}

/* Below a root made in this script: a shorter path and a shorter life. */
static int
check_under(struct vctx *v, const struct anc_step *s, const struct artifact *a)
{
	const struct anc_step *is = a->step;
	char f[128], d1[32], d2[32];

	if (is == NULL || is->kind != ANC_STEP_SELF_SIGN)
		return ANC_OK;
	/* Everything a ceremony signs under a root is itself a CA. */
	if (is->path_length == 0)
		return verr(v, line_or(s, s->lines.issuer),
		    step_field(f, sizeof(f), s, "issuer"), "steps[%d] has "
		    "path-length 0 and cannot certify a CA; expected an issuer "
		    "with a path-length of at least 1, or none", is->index);
	if (is->path_length != ANC_PATHLEN_NONE &&
	    (s->path_length == ANC_PATHLEN_NONE ||
	    s->path_length >= is->path_length))
		return verr(v, line_or(s, s->lines.path_length),
		    step_field(f, sizeof(f), s, "path-length"), "expected at "
		    "most %d, below the path-length %d of the issuer "
		    "(steps[%d])", is->path_length - 1, is->path_length,
		    is->index);
	if (s->validity > is->validity) {
		anc_duration_format(s->validity, d1, sizeof(d1));
		anc_duration_format(is->validity, d2, sizeof(d2));
		return verr(v, line_or(s, s->lines.validity),
		    step_field(f, sizeof(f), s, "validity"), "%s is longer "
		    "than the issuer's; expected at most %s, the validity of "
		    "steps[%d]", d1, d2, is->index);
	}
	return ANC_OK;
}

static int
check_policy(struct vctx *v, const struct anc_step *s)
{
	int max = s->policy_max_path_length;
	char f[128], d[32];

	if (max != ANC_PATHLEN_NONE &&
	    (s->path_length == ANC_PATHLEN_NONE || s->path_length > max))
		return verr(v, line_or(s, s->lines.path_length),
		    step_field(f, sizeof(f), s, "path-length"), "expected at "
		    "most %d, the policy's max-path-length", max);
	if (s->validity > s->policy_max_validity) {
		anc_duration_format(s->policy_max_validity, d, sizeof(d));
		return verr(v, line_or(s, s->lines.validity),
		    step_field(f, sizeof(f), s, "validity"), "expected at "
		    "most %s, the policy's max-validity", d);
	}
	return ANC_OK;
}

/* A key may already be in the token, but not be generated only later. */
static int
check_self_sign(struct vctx *v, const struct anc_step *s)
{
	const struct anc_step *t;
	char f[128];
	size_t i;

	for (i = (size_t)s->index; i < v->c->n_steps; i++) {
		t = &v->c->steps[i];
		if (t->kind == ANC_STEP_GENERATE_KEY &&
		    strcmp(t->label, s->key) == 0)
			return verr(v, line_or(s, s->lines.key),
			    step_field(f, sizeof(f), s, "key"), "\"%s\" is "
			    "generated by steps[%d], which comes later; "
			    "expected a key generated earlier or already in "
			    "the token", s->key, t->index);
	}
	return ANC_OK;
}

static int
check_issue(struct vctx *v, const struct anc_step *s)
{
	struct artifact a;
	int r;

	if ((r = ref_issuer(v, s, &a)) != ANC_OK)
		return r;
	return check_under(v, s, &a);
}

static int
check_sign_csr(struct vctx *v, const struct anc_step *s)
{
	struct artifact issuer, csr;
	char f[128];
	int r;

	if ((r = ref_issuer(v, s, &issuer)) != ANC_OK ||
	    (r = ref(v, s, step_field(f, sizeof(f), s, "csr"),
	    line_or(s, s->lines.csr), s->csr, ART_CSR, "a csr input",
	    &csr)) != ANC_OK ||
	    (r = check_under(v, s, &issuer)) != ANC_OK)
		return r;
	return check_policy(v, s);
}

static int
check_cross_sign(struct vctx *v, const struct anc_step *s)
{
	struct artifact issuer, cert;
	char f[128];
	int r;

	if ((r = ref_issuer(v, s, &issuer)) != ANC_OK ||
	    (r = ref(v, s, step_field(f, sizeof(f), s, "certificate"),
	    line_or(s, s->lines.certificate), s->certificate,
	    ART_STEP(ANC_STEP_SELF_SIGN) | ART_CERT,
	    "a self-sign output or a certificate input", &cert)) != ANC_OK)
		return r;
	if (strcmp(s->certificate, s->issuer) == 0)
		return verr(v, line_or(s, s->lines.certificate), f,
		    "expected a certificate other than the issuer");
	return check_under(v, s, &issuer);
}

/* Exceptions are approved by someone who is there and may approve. */
static int
check_exceptions(struct vctx *v, const struct anc_step *s)
{
	const struct anc_exception *x;
	char f[128], param[48];
	size_t i, j;

	for (i = 0; i < s->n_exceptions; i++) {
		x = &s->exceptions[i];
		snprintf(param, sizeof(param), "exceptions[%zu].approved-by",
		    i + 1);
		step_field(f, sizeof(f), s, param);
		for (j = 0; j < v->c->n_participants; j++)
			if (strcmp(v->c->participants[j].name,
			    x->approved_by) == 0)
				break;
		if (j == v->c->n_participants)
			return verr(v, x->line, f, "\"%s\" is not a "
			    "participant; expected the name of the participant "
			    "who approved the exception", x->approved_by);
		if (v->c->participants[j].role == ANC_ROLE_OBSERVER)
			return verr(v, x->line, f, "\"%s\" is an observer; "
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
check_retire(struct vctx *v, const struct anc_step *s)
{
	struct artifact a;
	char f[128], param[32];
	size_t i, j;
	int r;

	for (i = 0; i < s->n_retires; i++) {
		snprintf(param, sizeof(param), "retires[%zu]", i + 1);
		step_field(f, sizeof(f), s, param);
		if ((r = ref(v, s, f, s->retire_lines[i], s->retires[i],
		    ART_STEP(ANC_STEP_SELF_SIGN) | ART_CERT, "a self-sign "
		    "output or a certificate input", &a)) != ANC_OK)
			return r;
		for (j = 0; j < s->n_anchors; j++)
			if (strcmp(s->anchors[j], s->retires[i]) == 0)
				return verr(v, s->retire_lines[i], f, "\"%s\" "
				    "is also anchors[%zu]; expected an anchor "
				    "this bundle drops", s->retires[i], j + 1);
	}
	step_field(f, sizeof(f), s, "inventory");
	if (s->n_retires > 0 && s->inventory == NULL)
		return verr(v, s->line, f, "required with retires: expected "
		    "an inventory input, the report of `inventory check` that "
		    "shows what dropping them breaks");
	if (s->inventory != NULL && s->n_retires == 0)
		return verr(v, s->lines.inventory, f, "only with retires: "
		    "expected retires naming the anchors this bundle drops");
	if (s->inventory != NULL && (r = ref(v, s, f, s->lines.inventory,
	    s->inventory, ART_INVENTORY, "an inventory input", &a)) != ANC_OK)
		return r;
	if (s->n_exceptions > 0 && s->n_retires == 0)
		return verr(v, s->exceptions[0].line, step_field(f, sizeof(f), s,
		    "exceptions"), "only with retires and inventory");
	return check_exceptions(v, s);
}

static int
check_bundle(struct vctx *v, const struct anc_step *s)
{
	struct artifact a;
	char f[128], param[32];
	size_t i;
	int r;

	for (i = 0; i < s->n_anchors; i++) {
		snprintf(param, sizeof(param), "anchors[%zu]", i + 1);
		if ((r = ref(v, s, step_field(f, sizeof(f), s, param),
		    line_or(s, s->anchor_lines != NULL ? s->anchor_lines[i] : 0),
		    s->anchors[i], ART_STEP(ANC_STEP_SELF_SIGN) | ART_CERT |
		    ART_BUNDLE_IN | ART_STEP(ANC_STEP_BUNDLE), "a self-sign "
		    "output, a certificate or bundle input, or a bundle output",
		    &a)) != ANC_OK)
			return r;
	}
	return check_retire(v, s);
}

/* A CRL lists certificates of its own issuer only. */
static int
check_sign_crl(struct vctx *v, const struct anc_step *s)
{
	const struct anc_revocation *rv;
	struct artifact a;
	char f[128], param[48];
	size_t i;
	int r;

	if ((r = ref_issuer(v, s, &a)) != ANC_OK)
		return r;
	for (i = 0; i < s->n_revoke; i++) {
		rv = &s->revoke[i];
		snprintf(param, sizeof(param), "revoke[%zu].certificate", i + 1);
		if ((r = ref(v, s, step_field(f, sizeof(f), s, param),
		    line_or(s, rv->line), rv->certificate, ART_CERT |
		    ART_STEP(ANC_STEP_ISSUE_INTERMEDIATE) |
		    ART_STEP(ANC_STEP_SIGN_CSR) | ART_STEP(ANC_STEP_CROSS_SIGN),
		    "a certificate input or an issue-intermediate, sign-csr or "
		    "cross-sign output", &a)) != ANC_OK)
			return r;
		if (a.step != NULL && strcmp(a.step->issuer, s->issuer) != 0)
			return verr(v, line_or(s, rv->line), f, "\"%s\" was "
			    "issued by \"%s\", not by this CRL's issuer \"%s\"",
			    rv->certificate, a.step->issuer, s->issuer);
	}
	if (s->previous != NULL)
		return ref(v, s, step_field(f, sizeof(f), s, "previous"),
		    s->line, s->previous, ART_CRL_IN, "a crl input", &a);
	return ANC_OK;
}

/*
 * A batch step: an issuer as issue-intermediate's, a clusters input, a
 * bundle for each cluster's ConfigMap, and only exclusions in its own
 * name-constraints (each cluster's permitted names come from the list).
 */
static int
check_batch(struct vctx *v, const struct anc_step *s)
{
	const struct anc_subtrees *p = &s->nc.permitted;
	struct artifact a;
	char f[128];
	int r;

	if ((r = check_issue(v, s)) != ANC_OK ||
	    (r = ref(v, s, step_field(f, sizeof(f), s, "clusters"),
	    line_or(s, s->lines.clusters), s->clusters, ART_CLUSTERS,
	    "a clusters input", &a)) != ANC_OK)
		return r;
	if (s->bundle != NULL && (r = ref(v, s, step_field(f, sizeof(f), s,
	    "bundle"), line_or(s, s->lines.bundle), s->bundle,
	    ART_STEP(ANC_STEP_BUNDLE), "a bundle output", &a)) != ANC_OK)
		return r;
	if (p->n_dns + p->n_ip + p->n_email > 0)
		return verr(v, s->nc.line, step_field(f, sizeof(f), s,
		    "name-constraints.permitted"), "not allowed here; each "
		    "cluster's permitted names come from the cluster list, "
		    "expected only excluded");
	if (strlen(s->bundle_name) > 56)
		return verr(v, s->line, step_field(f, sizeof(f), s,
		    "bundle-name"), "expected at most 56 characters, so that "
		    "the ConfigMap \"%s-source\" fits in 63", s->bundle_name);
	return s->kind == ANC_STEP_BATCH_SIGN_CSR ? check_policy(v, s) :
	    ANC_OK;
}

/* An export names the one kind of artifact it knows how to write. */
static int
check_export(struct vctx *v, const struct anc_step *s)
{
	struct artifact a;
	char f[128];

	switch (s->kind) {
	case ANC_STEP_EXPORT_SECRET:
		return ref(v, s, step_field(f, sizeof(f), s, "issuing-ca"),
		    line_or(s, s->lines.issuing_ca), s->issuing_ca,
		    ART_STEP(ANC_STEP_ISSUE_INTERMEDIATE),
		    "an issue-intermediate output", &a);
	case ANC_STEP_EXPORT_BUNDLE:
		/* The source ConfigMap is "<name>-source", itself a name of
		 * at most 63 characters. */
		if (strlen(s->k8s_name) > 56)
			return verr(v, s->line, step_field(f, sizeof(f), s,
			    "name"), "expected at most 56 characters, so that "
			    "the ConfigMap \"%s-source\" fits in 63",
			    s->k8s_name);
		return ref(v, s, step_field(f, sizeof(f), s, "bundle"),
		    line_or(s, s->lines.bundle), s->bundle,
		    ART_STEP(ANC_STEP_BUNDLE), "a bundle output", &a);
	case ANC_STEP_EXPORT_VAULT:
		return ref(v, s, step_field(f, sizeof(f), s, "certificate"),
		    line_or(s, s->lines.certificate), s->certificate,
		    ART_STEP(ANC_STEP_SIGN_CSR), "a sign-csr output", &a);
	default:
		return ANC_OK;
	}
}

/*
 * Officers holding shares of the PIN (split-pin, quorum): participants
 * with role crypto-officer, at least K of them.  `field` is where the
 * officers are ("quorum", "steps[1].split-pin").
 */
static int
check_officers(struct vctx *v, const struct anc_officers *o,
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
			return verr(v, o->lines[i], f, "\"%s\" is not a "
			    "participant; expected the name of a participant "
			    "with role crypto-officer", o->names[i]);
		if (c->participants[j].role != ANC_ROLE_CRYPTO_OFFICER)
			return verr(v, o->lines[i], f, "\"%s\" is a participant "
			    "with role %s; expected role crypto-officer",
			    o->names[i], anc_role_name(c->participants[j].role));
	}
	if ((size_t)o->threshold > o->n) {
		snprintf(f, sizeof(f), "%s.threshold", field);
		return verr(v, o->threshold_line, f, "%d is more than the %zu "
		    "officers listed; expected at most %zu", o->threshold,
		    o->n, o->n);
	}
	return ANC_OK;
}

/* One new PIN per ceremony: a second split would void the first. */
static int
check_split_pin(struct vctx *v, const struct anc_step *s)
{
	const struct anc_step *t;
	char f[128];
	size_t i;

	step_field(f, sizeof(f), s, "");
	for (i = 0; i + 1 < (size_t)s->index; i++) {
		t = &v->c->steps[i];
		if (t->kind == ANC_STEP_SPLIT_PIN)
			return verr(v, s->line, f, "steps[%d] already splits "
			    "the PIN; expected one split-pin step per ceremony",
			    t->index);
	}
	return check_officers(v, &s->officers, f);
}

/* Shares activate a token, so a quorum needs one. */
static int
check_quorum(struct vctx *v)
{
	const struct anc_ceremony *c = v->c;

	if (c->quorum.threshold == 0)
		return ANC_OK;
	if (c->token == NULL)
		return verr(v, c->quorum.line, "quorum", "no step uses the "
		    "token, so there is nothing to activate; remove it");
	return check_officers(v, &c->quorum, "quorum");
}

static int
check_step(struct vctx *v, const struct anc_step *s)
{
	switch (s->kind) {
	case ANC_STEP_SELF_SIGN:
		return check_self_sign(v, s);
	case ANC_STEP_ISSUE_INTERMEDIATE:
		return check_issue(v, s);
	case ANC_STEP_SIGN_CSR:
		return check_sign_csr(v, s);
	case ANC_STEP_CROSS_SIGN:
		return check_cross_sign(v, s);
	case ANC_STEP_BUNDLE:
		return check_bundle(v, s);
	case ANC_STEP_SIGN_CRL:
		return check_sign_crl(v, s);
	case ANC_STEP_SPLIT_PIN:
		return check_split_pin(v, s);
	case ANC_STEP_BATCH_ISSUE:
	case ANC_STEP_BATCH_SIGN_CSR:
		return check_batch(v, s);
	default:
		return check_export(v, s);
	}
}

/* One name, one artifact: inputs and step outputs share a namespace. */
static int
check_names(struct vctx *v)
{
	const struct anc_ceremony *c = v->c;
	const struct anc_step *s;
	struct artifact a;
	char f[128], what[96];
	size_t i;

	for (i = 0; i < c->n_inputs; i++) {
		if (find(c, c->inputs[i].name, &a) && a.in == &c->inputs[i])
			continue;
		snprintf(f, sizeof(f), "inputs[%zu].%s.name", i + 1,
		    input_kind_name(c->inputs[i].kind));
		return verr(v, c->inputs[i].line, f, "duplicate artifact name "
		    "\"%s\", already used by %s", c->inputs[i].name,
		    describe(c, &a, what, sizeof(what)));
	}
	for (i = 0; i < c->n_steps; i++) {
		s = &c->steps[i];
		if (!has_output(s) || (find(c, s->output, &a) && a.step == s))
			continue;
		return verr(v, line_or(s, s->lines.output),
		    step_field(f, sizeof(f), s, "output"), "duplicate artifact "
		    "name \"%s\", already used by %s", s->output,
		    describe(c, &a, what, sizeof(what)));
	}
	return ANC_OK;
}

/* The token refuses a second key with a label; say so before the day. */
static int
check_labels(struct vctx *v)
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
				return verr(v, line_or(s, s->lines.label),
				    step_field(f, sizeof(f), s, "label"),
				    "duplicate label \"%s\"; steps[%d] already "
				    "generates it", s->label, t->index);
		}
	}
	return ANC_OK;
}

/* A token URI exactly when a step needs the token: a script that names
 * a token it never uses has been edited carelessly. */
static int
check_token(struct vctx *v)
{
	const struct anc_ceremony *c = v->c;
	size_t i;

	for (i = 0; i < c->n_steps; i++)
		if (uses_token(c->steps[i].kind))
			break;
	if (i < c->n_steps && c->token == NULL)
		return verr(v, c->steps[i].line, "token", "required because "
		    "steps[%d] (%s) uses the token; expected a PKCS#11 URI such "
		    "as pkcs11:token=m8-root", c->steps[i].index,
		    anc_step_kind_name(c->steps[i].kind));
	if (i == c->n_steps && c->token != NULL)
		return verr(v, c->token_line != 0 ? c->token_line : 1, "token",
		    "no step uses the token; remove it");
	return ANC_OK;
}

/* Two exports of one kind and name would write the same outbox file. */
static int
check_files(struct vctx *v)
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
						return verr(v, s->line,
						    step_field(f, sizeof(f), s,
						    ""), "writes %s, as steps[%d] "
						    "does; expected a different "
						    "name", a[x], t->index);
		}
	}
	return ANC_OK;
}

int
anc_validate(const struct anc_ceremony *c, struct anc_err *err)
{
	struct vctx v = { c, err };
	size_t i;
	int r;

	if ((r = check_names(&v)) != ANC_OK ||
	    (r = check_labels(&v)) != ANC_OK)
		return r;
	for (i = 0; i < c->n_steps; i++)
		if ((r = check_step(&v, &c->steps[i])) != ANC_OK)
			return r;
	if ((r = check_token(&v)) != ANC_OK ||
	    (r = check_files(&v)) != ANC_OK ||
	    (r = check_quorum(&v)) != ANC_OK)
		return r;
	return ANC_OK;
}
