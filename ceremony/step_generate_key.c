/*
 * anchorage: the generate-key step: a key pair made inside the token.
 * Its label is unique among the script's generate-key steps (validate.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

static const struct anc_field fields[] = {
	{ "label",	&anc_t_label,		REQUIRED,	S(label),	SL(label) },
	{ "algorithm",	&anc_t_token_alg,	"ecdsa-p256",	S(algorithm),	0 },
};

static void
plan(struct anc_text *t, const struct anc_step *s)
{
	anc_put(t, "generate an %s key pair labelled \"%s\" inside the "
	    "token; the private key is sensitive, never extractable, "
	    "and can only sign", anc_keyalg_name(s->algorithm),
	    s->label);
}

/* A random CKA_ID, then the key pair. */
static int
needs(struct anc_derive *d, const struct anc_step *s, struct anc_err *err)
{
	if (anc_need_push(d, s, ANC_NEED_RANDOM, ANC_KEY_NONE, NULL, "CKA_ID",
	    err) == NULL || anc_need_push(d, s, ANC_NEED_KEYGEN, s->algorithm,
	    s->label, NULL, err) == NULL)
		return ANC_E_INTERNAL;
	return ANC_OK;
}

const struct anc_step_type anc_kind_generate_key = {
	.kind = ANC_STEP_GENERATE_KEY,
	.name = "generate-key",
	.uses_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = NULL,
	.plan = plan,
	.files = NULL,
	.needs = needs,
	.inputs = NULL,
	.run = anc_step_generate_key,
};
