/*
 * anchorage: the numbered script an administrator reads aloud.  It is
 * derived from the validated model, so what is read is what will run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "ceremony_int.h"
#include "constraints.h"
#include "records.h"

#ifndef ANC_VERSION
#define ANC_VERSION "unknown"
#endif

/* A growing text buffer; on allocation failure it stays failed. */
struct text {
	char *buf;
	size_t len, cap;
	int failed;
};

static void
put(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = 1;
			return;
		}
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		char *nb = realloc(t->buf, t->cap * 2 + (size_t)n);
		if (nb == NULL) {
			t->failed = 1;
			return;
		}
		t->buf = nb;
		t->cap = t->cap * 2 + (size_t)n;
	}
}

static void
put_dn(struct text *t, const struct anc_dn *dn)
{
	size_t i;

	for (i = dn->n; i > 0; i--)
		put(t, "%s%s=%s", i == dn->n ? "" : ", ", dn->attrs[i - 1].type,
		    dn->attrs[i - 1].value);
}

/* "Carol Example (share 1), ..." */
static void
put_names(struct text *t, const struct anc_officers *o, int numbered)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		put(t, "%s %s", i > 0 ? "," : "", o->names[i]);
		if (numbered)
			put(t, " (share %zu)", i + 1);
	}
}

static void
put_pathlen(struct text *t, int pl)
{
	if (pl == ANC_PATHLEN_NONE)
		put(t, "no path length limit");
	else
		put(t, "path length %d", pl);
}

static void
put_files(struct text *t, const struct anc_step *s)
{
	char names[4][128];
	size_t i, n = 0;

	if (anc_step_files(s, names, 4, &n) != ANC_OK || n == 0)
		return;
	put(t, "\n       writes:");
	for (i = 0; i < n; i++)
		put(t, " %s", names[i]);
}

static void
put_names_list(struct text *t, const struct anc_subtrees *st)
{
	char ip[64];
	size_t i;

	for (i = 0; i < st->n_dns; i++)
		put(t, " DNS:%s", st->dns[i]);
	for (i = 0; i < st->n_ip; i++) {
		anc_nc_format_ip(&st->ip[i], ip, sizeof(ip));
		put(t, " IP:%s", ip);
	}
	for (i = 0; i < st->n_email; i++)
		put(t, " email:%s", st->email[i]);
}

/* "; names permitted: DNS:a.example.com IP:10.1.0.0/16; EKU: server-auth" */
static void
put_constraints(struct text *t, const struct anc_constraints *nc,
    unsigned eku)
{
	int i, first = 1;

	if (nc->permitted.n_dns + nc->permitted.n_ip +
	    nc->permitted.n_email > 0) {
		put(t, "; names permitted:");
		put_names_list(t, &nc->permitted);
	}
	if (nc->excluded.n_dns + nc->excluded.n_ip +
	    nc->excluded.n_email > 0) {
		put(t, "; names excluded:");
		put_names_list(t, &nc->excluded);
	}
	for (i = 0; i < ANC_EKU__COUNT; i++)
		if ((eku & (1u << i)) != 0) {
			put(t, "%s%s", first ? "; only for: " : ", ",
			    anc_eku_name((enum anc_eku)i));
			first = 0;
		}
}

static void
put_cert_step(struct text *t, const struct anc_step *s, const char *what)
{
	char d[32];

	anc_duration_format(s->validity, d, sizeof(d));
	put(t, "%s", what);
	if (s->subject.n > 0) {
		put(t, " for ");
		put_dn(t, &s->subject);
	} else {
		put(t, " for the subject in the CSR");
	}
	put(t, ", valid %s, ", d);
	put_pathlen(t, s->path_length);
	put_constraints(t, &s->nc, s->eku);
}

/* What a step does, in the words the administrator reads aloud. */
static void
put_what(struct text *t, const struct anc_step *s)
{
	size_t i;

	switch (s->kind) {
	case ANC_STEP_GENERATE_KEY:
		put(t, "generate an %s key pair labelled \"%s\" inside the "
		    "token; the private key is sensitive, never extractable, "
		    "and can only sign", anc_keyalg_name(s->algorithm),
		    s->label);
		break;
	case ANC_STEP_SELF_SIGN:
		put(t, "with token key \"%s\", ", s->key);
		put_cert_step(t, s, "self-sign a root certificate");
		break;
	case ANC_STEP_ISSUE_INTERMEDIATE:
		put(t, "generate an %s issuing-CA key in software, and with "
		    "the key of %s ", anc_keyalg_name(s->algorithm), s->issuer);
		put_cert_step(t, s, "sign its certificate");
		break;
	case ANC_STEP_SIGN_CSR:
		put(t, "check the request %s against the policy, then with the "
		    "key of %s ", s->csr, s->issuer);
		put_cert_step(t, s, "sign a CA certificate");
		break;
	case ANC_STEP_CROSS_SIGN:
		put(t, "with the key of %s, certify the key and subject of %s",
		    s->issuer, s->certificate);
		break;
	case ANC_STEP_BUNDLE:
		put(t, "make a trust bundle of");
		for (i = 0; i < s->n_anchors; i++)
			put(t, "%s %s", i ? "," : "", s->anchors[i]);
		for (i = 0; i < s->n_retires; i++)
			put(t, "%s %s", i ? "," : ", dropping", s->retires[i]);
		if (s->inventory != NULL)
			put(t, ", only if inventory report %s shows that nothing "
			    "breaks", s->inventory);
		for (i = 0; i < s->n_exceptions; i++)
			put(t, "; exception: %s may break (\"%s\", approved by "
			    "%s)", s->exceptions[i].certificate,
			    s->exceptions[i].reason,
			    s->exceptions[i].approved_by);
		break;
	case ANC_STEP_SIGN_CRL:
		put(t, "with the key of %s, sign CRL number %llu revoking %zu "
		    "certificate(s)", s->issuer,
		    (unsigned long long)s->crl_number, s->n_revoke);
		break;
	case ANC_STEP_EXPORT_SECRET:
		put(t, "write the kubernetes.io/tls Secret %s/%s holding %s and "
		    "its key", s->k8s_namespace, s->k8s_name, s->issuing_ca);
		break;
	case ANC_STEP_EXPORT_BUNDLE:
		put(t, "write the ConfigMap %s/%s-source of %s (trust-manager's "
		    "trust namespace) and the trust-manager Bundle %s that "
		    "delivers it to namespace %s", s->k8s_namespace, s->k8s_name,
		    s->bundle, s->k8s_name, s->target_namespace);
		break;
	case ANC_STEP_EXPORT_ISSUER:
		if (s->cluster_issuer)
			put(t, "write the cert-manager ClusterIssuer %s using "
			    "Secret %s/%s (no Helm values: Monoskope's chart "
			    "makes only a namespaced Issuer)", s->k8s_name,
			    s->cluster_namespace, s->secret);
		else
			put(t, "write the cert-manager Issuer %s/%s using Secret "
			    "%s/%s, and the Monoskope Helm values pointing at "
			    "it", s->k8s_namespace, s->k8s_name,
			    s->k8s_namespace, s->secret);
		break;
	case ANC_STEP_EXPORT_VAULT:
		put(t, "write %s followed by its root for Vault's "
		    "intermediate/set-signed", s->certificate);
		break;
	case ANC_STEP_SPLIT_PIN:
		put(t, "make a new user PIN from the token's random generator, "
		    "split it so that any %d of the %zu officers rebuild it, "
		    "show each officer their share alone on the terminal, then "
		    "change the token's PIN to it (the current PIN is asked "
		    "once more):", s->officers.threshold, s->officers.n);
		put_names(t, &s->officers, 1);
		break;
	}
}

static void
put_step(struct text *t, const struct anc_step *s)
{
	put(t, "  %2d. %s: ", s->index, anc_step_kind_name(s->kind));
	put_what(t, s);
	put_files(t, s);
	put(t, "\n");
}

int
anc_step_describe(const struct anc_step *s, char **out, struct anc_err *err)
{
	struct text t = { NULL, 0, 512, 0 };

	if ((t.buf = malloc(t.cap)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "step %d", s->index);
	t.buf[0] = '\0';
	put_what(&t, s);
	if (t.failed) {
		free(t.buf);
		return anc_err_set(err, ANC_E_NOMEM, "step %d", s->index);
	}
	*out = t.buf;	/* transferred */
	return ANC_OK;
}

int
anc_ceremony_plan(const struct anc_ceremony *c, char **out,
    struct anc_err *err)
{
	struct text t = { NULL, 0, 4096, 0 };
	size_t i;

	if ((t.buf = malloc(t.cap)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "plan");
	put(&t, "Ceremony:  %s\n", c->name);
	if (c->description != NULL)
		put(&t, "           %s\n", c->description);
	put(&t, "Script:    %s\nSHA-256:   %s\nanchorage: %s\n", c->path,
	    c->sha256, ANC_VERSION);
	if (c->token != NULL)
		put(&t, "Token:     %s\n", c->token);
	if (c->quorum.threshold != 0) {
		put(&t, "Activation: shares of any %d of these crypto officers, "
		    "no PIN:", c->quorum.threshold);
		put_names(&t, &c->quorum, 0);
		if (c->quorum.commitment != NULL)
			put(&t, "; commitment %s", c->quorum.commitment);
		put(&t, "\n");
	}
	put(&t, "\nParticipants:\n");
	for (i = 0; i < c->n_participants; i++)
		put(&t, "  %-32s %s\n", c->participants[i].name,
		    anc_role_name(c->participants[i].role));
	if (c->n_inputs > 0)
		put(&t, "\nInputs:\n");
	for (i = 0; i < c->n_inputs; i++)
		put(&t, "  %s: %s%s%s%s%s\n", c->inputs[i].name,
		    c->inputs[i].path,
		    c->inputs[i].key ? ", key in token \"" : "",
		    c->inputs[i].key ? c->inputs[i].key : "",
		    c->inputs[i].key ? "\"" : "",
		    c->inputs[i].sha256 ? ", SHA-256 pinned" : "");
	put(&t, "\nSteps:\n");
	for (i = 0; i < c->n_steps; i++)
		put_step(&t, &c->steps[i]);
	put(&t, "\nThe outbox also receives transcript.jsonl, the record of the "
	    "ceremony, and\nSHA256SUMS, listing every file.\n");
	put(&t, "\nTo start, the administrator types the ceremony's name. "
	    "Before each step the\nadministrator types \"step N\"; after it "
	    "the witness types \"%s\", or \"%s\"\nto record a deviation "
	    "first.  \"%s\" at any prompt stops the ceremony.\n",
	    ANC_WORD_WITNESSED, ANC_WORD_EXCEPTION, ANC_WORD_ABORT);
	if (t.failed) {
		free(t.buf);
		return anc_err_set(err, ANC_E_NOMEM, "plan");
	}
	*out = t.buf;	/* transferred */
	return ANC_OK;
}
