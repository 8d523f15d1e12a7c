/*
 * anchorage: names of the ceremony model's enums as scripts spell them,
 * the outbox files each step writes, and freeing the model.
 */
#include <stdio.h>
#include <stdlib.h>

#include "anchorage/err.h"
#include "constraints.h"
#include "step.h"

const char *
anc_step_kind_name(const struct anc_step *s)
{
	return s->type->name;
}

const char *
anc_role_name(enum anc_role role)
{
	switch (role) {
	case ANC_ROLE_ADMINISTRATOR:
		return "administrator";
	case ANC_ROLE_WITNESS:
		return "witness";
	case ANC_ROLE_CRYPTO_OFFICER:
		return "crypto-officer";
	case ANC_ROLE_AUDITOR:
		return "auditor";
	case ANC_ROLE_OBSERVER:
		return "observer";
	default:
		return "unknown";
	}
}

/* RFC 5280 CRLReason names, as OpenSSL and Boulder spell them. */
const char *
anc_crl_reason_name(enum anc_crl_reason r)
{
	switch (r) {
	case ANC_REASON_UNSPECIFIED:
		return "unspecified";
	case ANC_REASON_KEY_COMPROMISE:
		return "keyCompromise";
	case ANC_REASON_CA_COMPROMISE:
		return "cACompromise";
	case ANC_REASON_AFFILIATION_CHANGED:
		return "affiliationChanged";
	case ANC_REASON_SUPERSEDED:
		return "superseded";
	case ANC_REASON_CESSATION_OF_OPERATION:
		return "cessationOfOperation";
	default:
		return "unknown";
	}
}

int
anc_step_add_file(char names[][128], size_t cap, size_t *n,
    const char *prefix, const char *name, const char *suffix)
{
	int w;

	if (*n >= cap || name == NULL)
		return -1;
	w = snprintf(names[*n], sizeof(names[*n]), "%s%s%s", prefix, name,
	    suffix);
	if (w < 0 || (size_t)w >= sizeof(names[*n]))
		return -1;
	(*n)++;
	return 0;
}

int
anc_step_files_pem(const struct anc_step *s, char names[][128], size_t cap,
    size_t *n)
{
	return anc_step_add_file(names, cap, n, "", s->output, ".pem");
}

int
anc_step_files(const struct anc_step *s, char names[][128], size_t cap,
    size_t *n)
{
	const struct anc_step_type *t = s->type;

	*n = 0;
	if (t->files != NULL && t->files(s, names, cap, n) != 0)
		return ANC_E_INTERNAL;
	return ANC_OK;
}

static void
dn_free(struct anc_dn *dn)
{
	size_t i;

	for (i = 0; i < dn->n && i < ANC_CER_DN_MAX; i++)
		free(dn->attrs[i].value);
}

static void
officers_free(struct anc_officers *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->names[i]);
	free(o->names);
	free(o->lines);
	free(o->commitment);
}

static void
step_free(struct anc_step *s)
{
	size_t i;

	free(s->label);
	free(s->key);
	free(s->issuer);
	free(s->csr);
	free(s->certificate);
	dn_free(&s->subject);
	for (i = 0; i < s->n_anchors; i++)
		free(s->anchors[i]);
	free(s->anchors);
	free(s->anchor_lines);
	for (i = 0; i < s->n_retires; i++)
		free(s->retires[i]);
	free(s->retires);
	free(s->retire_lines);
	free(s->inventory);
	free(s->previous);
	for (i = 0; i < s->n_exceptions; i++) {
		free(s->exceptions[i].certificate);
		free(s->exceptions[i].reason);
		free(s->exceptions[i].approved_by);
	}
	free(s->exceptions);
	for (i = 0; i < s->n_revoke; i++)
		free(s->revoke[i].certificate);
	free(s->revoke);
	free(s->k8s_name);
	free(s->k8s_namespace);
	free(s->target_namespace);
	free(s->issuing_ca);
	free(s->bundle);
	free(s->secret);
	free(s->cluster_namespace);
	free(s->output);
	free(s->unwrap_key);
	free(s->wrapped);
	free(s->clusters);
	free(s->cn_prefix);
	free(s->bundle_name);
	officers_free(&s->officers);
	anc_nc_free(&s->nc);
}

static void
input_free(struct anc_input *in)
{
	free(in->name);
	free(in->file);
	free(in->path);
	free(in->key);
	free(in->sha256);
}

void
anc_ceremony_model_free(struct anc_ceremony *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_participants; i++)
		free(c->participants[i].name);
	free(c->participants);
	for (i = 0; i < c->n_inputs; i++)
		input_free(&c->inputs[i]);
	free(c->inputs);
	for (i = 0; i < c->n_steps; i++)
		step_free(&c->steps[i]);
	free(c->steps);
	free(c->path);
	free(c->dir);
	free(c->name);
	free(c->description);
	free(c->token);
	free(c->backup_token);
	officers_free(&c->quorum);
	for (i = 0; i < c->n_warnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c);
}
