/*
 * anchorage: the split-pin step: a new user PIN, split among crypto officers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/shamir.h"
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
/* Randomness for the PIN, and a token that takes a PIN that long. */
static int
needs(struct anc_derive *d, const struct anc_step *s, struct anc_err *err)
{
	struct anc_need *n;

	if (anc_need_push(d, s, ANC_NEED_RANDOM, ANC_KEY_NONE, NULL,
	    "PIN and its shares", err) == NULL ||
	    (n = anc_need_push(d, s, ANC_NEED_PIN_LEN, ANC_KEY_NONE, NULL,
	    NULL, err)) == NULL)
		return ANC_E_INTERNAL;
	n->pin_len = ANC_SHAMIR_PIN_LEN;
	return ANC_OK;
}

const struct anc_step_type anc_kind_split_pin = {
	.kind = ANC_STEP_SPLIT_PIN,
	.name = "split-pin",
	.uses_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = check,
	.plan = plan,
	.files = NULL,
	.needs = needs,
	.inputs = NULL,
	.run = anc_step_split_pin,
};
