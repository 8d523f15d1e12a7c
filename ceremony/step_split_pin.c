/*
 * anchorage: the split-pin step: a new user PIN, split among crypto officers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

static const struct anc_field fields[] = {
	{ "threshold",	 &anc_t_threshold,  REQUIRED,	  S(officers.threshold),
	    S(officers.threshold_line) },
	{ "officers",	 &anc_t_officers,   REQUIRED,	  S(officers),	  0 },
};

/* One new PIN per ceremony: a second split would void the first. */
static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	const struct anc_step *t;
	char f[128];
	size_t i;

	anc_step_field(f, sizeof(f), s, "");
	for (i = 0; i + 1 < (size_t)s->index; i++) {
		t = &v->c->steps[i];
		if (t->kind == ANC_STEP_SPLIT_PIN)
			return anc_verr(v, s->line, f, "steps[%d] already "
			    "splits the PIN; expected one split-pin step per "
			    "ceremony", t->index);
	}
	return anc_check_officers(v, &s->officers, f);
}

static void
plan(struct anc_text *t, const struct anc_step *s)
{
	anc_put(t, "make a new user PIN from the token's random generator, "
	    "split it so that any %d of the %zu officers rebuild it, "
	    "show each officer their share alone on the terminal, then "
	    "change the token's PIN to it (the current PIN is asked "
	    "once more):", s->officers.threshold, s->officers.n);
	anc_put_names(t, &s->officers, 1);
}

/* Shares go to the officers only: no outbox file, no input. */
const struct anc_step_type anc_kind_split_pin = {
	.kind = ANC_STEP_SPLIT_PIN,
	.name = "split-pin",
	.uses_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = check,
	.plan = plan,
	.files = NULL,
	.inputs = NULL,
	.run = anc_step_split_pin,
};
