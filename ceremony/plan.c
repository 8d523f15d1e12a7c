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
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "clusters.h"
#include "constraints.h"
#include "records.h"
#include "step.h"

#ifndef ANC_VERSION
#define ANC_VERSION "unknown"
#endif

/* A growing text buffer; on allocation failure it stays failed. */
struct anc_text {
	char *buf;
	size_t len, cap;
	int failed;
};

void
anc_put(struct anc_text *t, const char *fmt, ...)
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

void
anc_put_dn(struct anc_text *t, const struct anc_dn *dn)
{
	size_t i;

	for (i = dn->n; i > 0; i--)
		anc_put(t, "%s%s=%s", i == dn->n ? "" : ", ",
		    dn->attrs[i - 1].type, dn->attrs[i - 1].value);
}

/* "Carol Example (share 1), ..." */
void
anc_put_names(struct anc_text *t, const struct anc_officers *o,
    int numbered)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		anc_put(t, "%s %s", i > 0 ? "," : "", o->names[i]);
		if (numbered)
			anc_put(t, " (share %zu)", i + 1);
	}
}

static void
put_pathlen(struct anc_text *t, int pl)
{
	if (pl == ANC_PATHLEN_NONE)
		anc_put(t, "no path length limit");
	else
		anc_put(t, "path length %d", pl);
}

static void
put_files(struct anc_text *t, const struct anc_step *s)
{
	char names[4][128];
	size_t i, n = 0;

	if (anc_step_files(s, names, 4, &n) != ANC_OK || n == 0)
		return;
	anc_put(t, "\n       writes:");
	for (i = 0; i < n; i++)
		anc_put(t, " %s", names[i]);
}

static void
put_names_list(struct anc_text *t, const struct anc_subtrees *st)
{
	char ip[64];
	size_t i;

	for (i = 0; i < st->n_dns; i++)
		anc_put(t, " DNS:%s", st->dns[i]);
	for (i = 0; i < st->n_ip; i++) {
		anc_nc_format_ip(&st->ip[i], ip, sizeof(ip));
		anc_put(t, " IP:%s", ip);
	}
	for (i = 0; i < st->n_email; i++)
		anc_put(t, " email:%s", st->email[i]);
}

/* "; names permitted: DNS:a.example.com IP:10.1.0.0/16; EKU: server-auth" */
static void
put_constraints(struct anc_text *t, const struct anc_constraints *nc,
    unsigned eku)
{
	int i, first = 1;

	if (nc->permitted.n_dns + nc->permitted.n_ip +
	    nc->permitted.n_email > 0) {
		anc_put(t, "; names permitted:");
		put_names_list(t, &nc->permitted);
	}
	if (nc->excluded.n_dns + nc->excluded.n_ip +
	    nc->excluded.n_email > 0) {
		anc_put(t, "; names excluded:");
		put_names_list(t, &nc->excluded);
	}
	for (i = 0; i < ANC_EKU__COUNT; i++)
		if ((eku & (1u << i)) != 0) {
			anc_put(t, "%s%s", first ? "; only for: " : ", ",
			    anc_eku_name((enum anc_eku)i));
			first = 0;
		}
}

void
anc_put_cert_step(struct anc_text *t, const struct anc_step *s,
    const char *what)
{
	char d[32];

	anc_duration_format(s->validity, d, sizeof(d));
	anc_put(t, "%s", what);
	if (s->cn_prefix != NULL) {
		anc_put(t, " for CN=%s<cluster>", s->cn_prefix);
	} else if (s->subject.n > 0) {
		anc_put(t, " for ");
		anc_put_dn(t, &s->subject);
	} else {
		anc_put(t, " for the subject in the CSR");
	}
	anc_put(t, ", valid %s, ", d);
	put_pathlen(t, s->path_length);
	put_constraints(t, &s->nc, s->eku);
}

/* What a step does, in the words the administrator reads aloud. */
static void
put_what(struct anc_text *t, const struct anc_step *s)
{
	s->type->plan(t, s);
}

static void
put_step(struct anc_text *t, const struct anc_step *s)
{
	anc_put(t, "  %2d. %s: ", s->index, anc_step_kind_name(s));
	put_what(t, s);
	put_files(t, s);
	anc_put(t, "\n");
}

int
anc_step_describe(const struct anc_step *s, char **out, struct anc_err *err)
{
	struct anc_text t = { NULL, 0, 512, 0 };

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

/* A batch step: how many clusters, one line, not one per cluster. */
static void
put_clusters(struct anc_text *t, const struct anc_ceremony *c,
    const struct anc_step *s)
{
	struct anc_clusters_reader rd;
	struct anc_cluster cl;
	struct anc_err err;
	unsigned char *data = NULL;
	size_t i, len = 0;
	int r;

	if (s->clusters == NULL)
		return;
	for (i = 0; i < c->n_inputs; i++)
		if (strcmp(c->inputs[i].name, s->clusters) == 0)
			break;
	if (i == c->n_inputs)
		return;
	memset(&cl, 0, sizeof(cl));
	if (anc_file_read(c->inputs[i].path, ANC_OUTBOX_FILE_MAX, &data, &len,
	    &err) != ANC_OK) {
		anc_put(t, "       clusters: %s cannot be read (%s)\n",
		    c->inputs[i].path, err.msg);
		return;
	}
	anc_clusters_begin(&rd, c->inputs[i].path, data, len);
	while ((r = anc_clusters_next(&rd, &cl, &err)) == 1)
		continue;
	anc_cluster_clear(&cl);
	free(data);
	if (r != 0)
		anc_put(t, "       clusters: %s\n", err.msg);
	else
		anc_put(t, "       clusters: %zu, one sub-directory each: %s/"
		    "<cluster>/\n", rd.index, s->output);
}

int
anc_ceremony_plan(const struct anc_ceremony *c, char **out,
    struct anc_err *err)
{
	struct anc_text t = { NULL, 0, 4096, 0 };
	size_t i;

	if ((t.buf = malloc(t.cap)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "plan");
	anc_put(&t, "Ceremony:  %s\n", c->name);
	if (c->description != NULL)
		anc_put(&t, "           %s\n", c->description);
	anc_put(&t, "Script:    %s\nSHA-256:   %s\nanchorage: %s\n", c->path,
	    c->sha256, ANC_VERSION);
	if (c->token != NULL)
		anc_put(&t, "Token:     %s\n", c->token);
	if (c->backup_token != NULL)
		anc_put(&t, "Backup:    %s (the backup token)\n",
		    c->backup_token);
	if (c->quorum.threshold != 0) {
		anc_put(&t, "Activation: shares of any %d of these crypto "
		    "officers, no PIN:", c->quorum.threshold);
		anc_put_names(&t, &c->quorum, 0);
		if (c->quorum.commitment != NULL)
			anc_put(&t, "; commitment %s", c->quorum.commitment);
		anc_put(&t, "\n");
	}
	anc_put(&t, "\nParticipants:\n");
	for (i = 0; i < c->n_participants; i++)
		anc_put(&t, "  %-32s %s\n", c->participants[i].name,
		    anc_role_name(c->participants[i].role));
	if (c->n_inputs > 0)
		anc_put(&t, "\nInputs:\n");
	for (i = 0; i < c->n_inputs; i++)
		anc_put(&t, "  %s: %s%s%s%s%s\n", c->inputs[i].name,
		    c->inputs[i].path,
		    c->inputs[i].key ? ", key in token \"" : "",
		    c->inputs[i].key ? c->inputs[i].key : "",
		    c->inputs[i].key ? "\"" : "",
		    c->inputs[i].sha256 ? ", SHA-256 pinned" : "");
	anc_put(&t, "\nSteps:\n");
	for (i = 0; i < c->n_steps; i++) {
		put_step(&t, &c->steps[i]);
		put_clusters(&t, c, &c->steps[i]);
	}
	anc_put(&t, "\nThe outbox also receives transcript.jsonl, the record "
	    "of the ceremony, and\nSHA256SUMS, listing every file.\n");
	anc_put(&t, "\nTo start, the administrator types the ceremony's name. "
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
