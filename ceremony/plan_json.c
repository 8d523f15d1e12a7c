/*
 * anchorage: the plan as one JSON document (`anchorage --json ceremony
 * plan`), for tools that review or archive scripts.  It holds what the
 * text plan holds, from the same validated model: each step's description
 * is the sentence the administrator reads aloud.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "ceremony_int.h"
#include "records.h"

#ifndef ANC_VERSION
#define ANC_VERSION "unknown"
#endif

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static const char *
input_kind(enum anc_input_kind k)
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
	}
	return "unknown";
}

static json_t *
officers(const struct anc_officers *o)
{
	json_t *names = json_array();
	size_t i;

	for (i = 0; i < o->n; i++)
		json_array_append_new(names, json_string(o->names[i]));
	return json_pack("{s:i, s:o, s:o}", "threshold", o->threshold,
	    "officers", names, "commitment", str_or_null(o->commitment));
}

static int
step_json(const struct anc_step *s, json_t **out, struct anc_err *err)
{
	char names[4][128], *text = NULL;
	json_t *files;
	size_t i, n = 0;
	int r;

	if ((r = anc_step_describe(s, &text, err)) != ANC_OK)
		return r;
	if ((r = anc_step_files(s, names, 4, &n)) != ANC_OK) {
		free(text);
		return anc_err_set(err, r, "step %d: output names", s->index);
	}
	files = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(files, json_string(names[i]));
	*out = json_pack("{s:i, s:s, s:s, s:o, s:i}", "step", s->index,
	    "kind", anc_step_kind_name(s), "text", text, "writes",
	    files, "line", s->line);
	free(text);
	return *out != NULL ? ANC_OK : anc_err_set(err, ANC_E_NOMEM, "plan");
}

int
anc_ceremony_plan_json(const struct anc_ceremony *c, char **out,
    struct anc_err *err)
{
	json_t *doc = NULL, *parts, *ins, *steps, *warns, *st;
	size_t i;
	int r = ANC_E_NOMEM;

	parts = json_array();
	ins = json_array();
	steps = json_array();
	warns = json_array();
	for (i = 0; i < c->n_participants; i++)
		json_array_append_new(parts, json_pack("{s:s, s:s}", "name",
		    c->participants[i].name, "role",
		    anc_role_name(c->participants[i].role)));
	for (i = 0; i < c->n_inputs; i++)
		json_array_append_new(ins, json_pack("{s:s, s:s, s:s, s:o, "
		    "s:o}", "name", c->inputs[i].name, "kind",
		    input_kind(c->inputs[i].kind), "file", c->inputs[i].path,
		    "key", str_or_null(c->inputs[i].key), "sha256",
		    str_or_null(c->inputs[i].sha256)));
	for (i = 0; i < c->n_steps; i++) {
		if ((r = step_json(&c->steps[i], &st, err)) != ANC_OK)
			goto out;
		json_array_append_new(steps, st);
	}
	for (i = 0; i < c->n_warnings; i++)
		json_array_append_new(warns, json_string(c->warnings[i]));
	doc = json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:O, s:O, s:O, "
	    "s:O, s:[s, s]}", "ceremony", c->name, "description",
	    str_or_null(c->description), "script", c->path, "sha256",
	    c->sha256, "anchorage", ANC_VERSION, "token",
	    str_or_null(c->token), "quorum", c->quorum.threshold != 0 ?
	    officers(&c->quorum) : json_null(), "participants", parts,
	    "inputs", ins, "steps", steps, "warnings", warns, "also-written",
	    "transcript.jsonl", "SHA256SUMS");
	if (doc == NULL || (*out = json_dumps(doc, JSON_INDENT(2))) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "plan");
		goto out;
	}
	/* success */
	r = ANC_OK;
 out:
	json_decref(doc);
	json_decref(parts);
	json_decref(ins);
	json_decref(steps);
	json_decref(warns);
	return r;
}
