/*
 * anchorage: the schema of ceremony scripts, from YAML text to the typed
 * model.
 *
 * One table per mapping of docs/ceremony-format.md, in the order the
 * document gives them: field, type, default (or REQUIRED / NONE), where
 * the value goes and where its line goes.  Each kind of step has its
 * table in its step_<kind>.c, found through the list in steps.c.  Types
 * carry their limits and messages (schema_types.c, and schema_params.c
 * for those several kinds share); the generic reader (schema_read.c) walks
 * the text against the tables.  What a table cannot say (an item unique in
 * its list, a default computed rather than written) is a small function
 * next to its table.
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "schema.h"
#include "step.h"

/*
 * Quorum
 */

#define OF(m) offsetof(struct anc_officers, m)

static const struct anc_field quorum_fields[] = {
	{ "threshold",	&anc_t_threshold,  REQUIRED, OF(threshold),
	    OF(threshold_line) },
	{ "officers",	&anc_t_officers,  REQUIRED, 0,		     0 },
	{ "commitment",	&anc_t_commitment, NONE,     OF(commitment), 0 },
};

static const struct anc_type t_quorum = ANC_MAPPING(quorum_fields);

/*
 * Inputs
 */

#define IN(m) offsetof(struct anc_input, m)

static const struct anc_field certificate_input_fields[] = {
	{ "name",   &anc_t_artifact, REQUIRED, IN(name),   0 },
	{ "file",   &anc_t_file,     REQUIRED, IN(file),   0 },
	{ "key",    &anc_t_label,    NONE,     IN(key),	   0 },
	{ "sha256", &anc_t_sha256,   NONE,     IN(sha256), 0 },
};

/* CSRs, inventory reports, trust bundles and CRLs: like certificates,
 * without a token key. */
static const struct anc_field file_input_fields[] = {
	{ "name",   &anc_t_artifact, REQUIRED, IN(name),   0 },
	{ "file",   &anc_t_file,     REQUIRED, IN(file),   0 },
	{ "sha256", &anc_t_sha256,   NONE,     IN(sha256), 0 },
};

static const struct input_schema {
	const char *name;
	enum anc_input_kind kind;
	const struct anc_field *fields;
	size_t n;
} input_schemas[] = {
#define KIND(name, k, f) { name, k, f, ANC_N(f) }
	KIND("certificate", ANC_INPUT_CERTIFICATE, certificate_input_fields),
	KIND("csr", ANC_INPUT_CSR, file_input_fields),
	KIND("inventory", ANC_INPUT_INVENTORY, file_input_fields),
	KIND("bundle", ANC_INPUT_BUNDLE, file_input_fields),
	KIND("crl", ANC_INPUT_CRL, file_input_fields),
	KIND("clusters", ANC_INPUT_CLUSTERS, file_input_fields),
#undef KIND
};

/* Relative to the script's directory, so a script and its inputs move
 * together. */
static int
resolve_input(struct anc_reader *p, struct anc_input *in)
{
	const char *dir = p->c->dir;
	size_t n;

	if (in->file[0] == '/' || strcmp(dir, ".") == 0) {
		if ((in->path = strdup(in->file)) == NULL)
			return anc_read_nomem(p);
		return ANC_OK;
	}
	n = strlen(dir) + strlen(in->file) + 2;
	if ((in->path = malloc(n)) == NULL)
		return anc_read_nomem(p);
	snprintf(in->path, n, "%s%s%s", dir,
	    dir[strlen(dir) - 1] == '/' ? "" : "/", in->file);
	return ANC_OK;
}

static int
input_item(struct anc_reader *p, void *obj)
{
	struct anc_ceremony *c = obj;
	const char *names[ANC_N(input_schemas)];
	const struct input_schema *k;
	struct anc_input *in;
	size_t i, mark;
	int r;

	if ((in = anc_read_add(p, &c->inputs, &c->n_inputs, sizeof(*in))) ==
	    NULL)
		return ANC_E_NOMEM;
	for (i = 0; i < ANC_N(input_schemas); i++)
		names[i] = input_schemas[i].name;
	if ((r = anc_read_one_key(p, "input kind", names, ANC_N(names), &i)) !=
	    ANC_OK)
		return r;
	k = &input_schemas[i];
	in->kind = k->kind;
	in->line = anc_read_line(p);
	mark = anc_read_push(p, k->name);
	if ((r = anc_read_next(p)) != ANC_OK ||
	    (r = anc_read_map(p, k->fields, k->n, in)) != ANC_OK)
		return r;
	anc_read_pop(p, mark);
	if ((r = resolve_input(p, in)) != ANC_OK)
		return r;
	return anc_read_one_key_end(p, "input kind");
}

/*
 * Participants
 */

#define PT(m) offsetof(struct anc_participant, m)

static const struct anc_field participant_fields[] = {
	{ "name", &anc_t_person, REQUIRED, PT(name), 0 },
	{ "role", &anc_t_role,	 REQUIRED, PT(role), 0 },
};

static int
participant_item(struct anc_reader *p, void *obj)
{
	struct anc_ceremony *c = obj;
	struct anc_participant *pt;
	size_t i;
	int r;

	if ((pt = anc_read_add(p, &c->participants, &c->n_participants,
	    sizeof(*pt))) == NULL)
		return ANC_E_NOMEM;
	pt->line = anc_read_line(p);
	if ((r = anc_read_map(p, participant_fields,
	    ANC_N(participant_fields), pt)) != ANC_OK)
		return r;
	for (i = 0; i + 1 < c->n_participants; i++)
		if (strcmp(c->participants[i].name, pt->name) == 0) {
			anc_read_push(p, "name");
			return anc_read_err(p, ANC_E_FIELD, pt->line, "\"%s\" "
			    "is already participants[%zu]", pt->name, i + 1);
		}
	return ANC_OK;
}

static int
has_role(const struct anc_ceremony *c, enum anc_role role)
{
	size_t i;

	for (i = 0; i < c->n_participants; i++)
		if (c->participants[i].role == role)
			return 1;
	return 0;
}

/* Nobody runs a ceremony alone: someone leads it, someone watches. */
static int
nd_participants(struct anc_reader *p, void *obj, const struct anc_field *f)
{
	static const enum anc_role needed[] = { ANC_ROLE_ADMINISTRATOR,
	    ANC_ROLE_WITNESS };
	struct anc_ceremony *c = obj;
	int start = anc_read_line(p), r;
	size_t i;

	if ((r = anc_nd_list(p, obj, f)) != ANC_OK)
		return r;
	for (i = 0; i < ANC_N(needed); i++)
		if (!has_role(c, needed[i]))
			return anc_read_err(p, ANC_E_FIELD, start, "expected "
			    "at least one participant with role %s",
			    anc_role_name(needed[i]));
	return ANC_OK;
}

/*
 * Steps: each kind's table is in its step_<kind>.c
 */

/* `- kind: {parameters}`: defaults first, then what the script says. */
static int
read_step(struct anc_reader *p, void *obj)
{
	const char *names[ANC_CER_STEP_KINDS_MAX];
	struct anc_ceremony *c = obj;
	const struct anc_step_type *t;
	struct anc_step *s;
	size_t i, n, mark;
	int r;

	if ((s = anc_read_add(p, &c->steps, &c->n_steps, sizeof(*s))) == NULL)
		return ANC_E_NOMEM;
	s->index = (int)c->n_steps;
	for (n = 0; n < anc_n_step_types && n < ANC_N(names); n++)
		names[n] = anc_step_types[n]->name;
	if ((r = anc_read_one_key(p, "step kind", names, n, &i)) != ANC_OK)
		return r;
	t = anc_step_types[i];
	s->kind = t->kind;
	s->type = t;
	s->line = anc_read_line(p);
	mark = anc_read_push(p, t->name);
	if ((r = anc_read_next(p)) != ANC_OK ||
	    (r = anc_read_defaults(p, t->fields, t->n_fields, s)) != ANC_OK ||
	    (t->init != NULL && (r = t->init(p, s)) != ANC_OK) ||
	    (r = anc_read_map(p, t->fields, t->n_fields, s)) != ANC_OK)
		return r;
	anc_read_pop(p, mark);
	return anc_read_one_key_end(p, "step kind");
}

/*
 * The script
 */

static const struct anc_type t_participants = { .node = nd_participants,
    .min = 1, .max = ANC_CER_LIST_MAX, .what = "participants",
    .item = participant_item };
static const struct anc_type t_inputs = ANC_LIST(0, ANC_CER_INPUTS_MAX,
    "inputs", input_item);
static const struct anc_type t_steps = ANC_LIST(1, ANC_CER_STEPS_MAX,
    "steps", read_step);

#define CER(m) offsetof(struct anc_ceremony, m)

static const struct anc_field ceremony_fields[] = {
	{ "version",	  &anc_t_version,	REQUIRED, CER(version),	    0 },
	{ "name",	  &anc_t_ceremony_name, REQUIRED, CER(name),	    0 },
	{ "description",  &anc_t_description,	NONE,	  CER(description), 0 },
	{ "token",	  &anc_t_token,		NONE,	  CER(token),	    CER(token_line) },
	{ "backup-token", &anc_t_token,		NONE,	  CER(backup_token), CER(backup_token_line) },
	{ "quorum",	  &t_quorum,		NONE,	  CER(quorum),	    CER(quorum.line) },
	{ "participants", &t_participants,	REQUIRED, 0,		    0 },
	{ "inputs",	  &t_inputs,		NONE,	  0,		    0 },
	{ "steps",	  &t_steps,		REQUIRED, 0,		    0 },
};

/* Pass 2: the one document (pass 1 made sure there is at most one) is a
 * mapping of ceremony fields. */
static int
read_script(struct anc_reader *p)
{
	int r;

	if ((r = anc_read_next(p)) != ANC_OK || (r = anc_read_next(p)) !=
	    ANC_OK)
		return r;
	if (p->ev.type != YAML_DOCUMENT_START_EVENT)
		return anc_read_bad(p, "expected a mapping, found an empty "
		    "script");
	if ((r = anc_read_next(p)) != ANC_OK)
		return r;
	return anc_read_map(p, ceremony_fields, ANC_N(ceremony_fields), p->c);
}

/* Where the script is, and so where its relative inputs are. */
static int
set_paths(struct anc_ceremony *c, const char *path)
{
	const char *slash = strrchr(path, '/');

	if ((c->path = strdup(path)) == NULL)
		return -1;
	if (slash == NULL)
		c->dir = strdup(".");
	else if (slash == path)
		c->dir = strdup("/");
	else
		c->dir = strndup(path, (size_t)(slash - path));
	return c->dir == NULL ? -1 : 0;
}

int
anc_parse(const char *path, const unsigned char *text, size_t len,
    struct anc_ceremony **out, struct anc_err *err)
{
	struct anc_reader p;
	int r = ANC_E_INTERNAL;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.text = text;
	p.len = len;
	p.err = err;
	if (len > ANC_CER_FILE_MAX)
		return anc_err_set(err, ANC_E_SYNTAX, "%s: larger than the "
		    "limit of %d bytes", path, ANC_CER_FILE_MAX);
	if ((r = anc_read_start(&p)) != ANC_OK ||
	    (r = anc_read_yaml(&p)) != ANC_OK)
		goto out;
	if ((p.c = calloc(1, sizeof(*p.c))) == NULL ||
	    set_paths(p.c, path) != 0) {
		r = anc_read_nomem(&p);
		goto out;
	}
	anc_sha256_hex(text, len, p.c->sha256);
	if ((r = anc_read_start(&p)) != ANC_OK || (r = read_script(&p)) !=
	    ANC_OK)
		goto out;
	*out = p.c;
	p.c = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	anc_read_end(&p);
	anc_ceremony_model_free(p.c);
	return r;
}
