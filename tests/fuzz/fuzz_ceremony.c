/*
 * Fuzz target: ceremony scripts.  YAML text through the strict parser,
 * then validation, the outbox file names of every step and the plan read
 * aloud: everything `ceremony check` does before it builds certificates.
 * Promises checked: a refusal is one of the documented codes and its
 * message names the script; an accepted script is complete.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "ceremony_int.h"
#include "fuzz.h"

/* A directory that does not exist: inputs resolve against it, and
 * nothing here may open them. */
#define SCRIPT "/nonexistent/fuzz.yaml"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

/* Refusals: ANC_E_INTERNAL would be our bug, so it is a crash here. */
static void
check_refusal(int r, const struct anc_err *err)
{
	if (r != ANC_E_SYNTAX && r != ANC_E_FIELD && r != ANC_E_NOMEM)
		abort();
	if (err->code != r ||
	    strncmp(err->msg, SCRIPT ":", strlen(SCRIPT ":")) != 0)
		abort();
}

static void
check_model(const struct anc_ceremony *c)
{
	char names[4][128];
	size_t i, n;
	char *plan = NULL;
	struct anc_err err;

	for (i = 0; i < c->n_steps; i++)
		if (anc_step_files(&c->steps[i], names, 4, &n) != ANC_OK ||
		    n > 4)
			abort();
	anc_err_clear(&err);
	if (anc_ceremony_plan(c, &plan, &err) != ANC_OK || plan == NULL)
		abort();
	free(plan);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anc_ceremony *c = NULL;
	struct anc_err err;
	int r;

	anc_err_clear(&err);
	r = anc_parse(SCRIPT, data, size, &c, &err);
	if (r != ANC_OK) {
		if (c != NULL)
			abort();
		check_refusal(r, &err);
		return 0;
	}
	if (c == NULL || c->name == NULL || c->n_participants == 0 ||
	    c->n_steps == 0)
		abort();
	anc_err_clear(&err);
	r = anc_validate(c, &err);
	if (r == ANC_OK)
		check_model(c);
	else
		check_refusal(r, &err);
	anc_ceremony_model_free(c);
	ERR_clear_error();
	return 0;
}
