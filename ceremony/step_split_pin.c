/*
 * anchorage: the split-pin step: a new user PIN, split among crypto officers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "anchorage/secmem.h"
#include "anchorage/shamir.h"
#include "records.h"
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
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "make a new user PIN from the token's random generator, "
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

#define LEN ANC_SHAMIR_SECRET_LEN

/* Everything secret the step holds, wiped as one. */
struct split {
	unsigned char secret[LEN];
	unsigned char coeffs[(ANC_SHAMIR_SHARES_MAX - 1) * LEN];
	struct anc_share shares[ANC_SHAMIR_SHARES_MAX];
	struct anc_share round[ANC_SHAMIR_SHARES_MAX];
	unsigned char rebuilt[LEN];
	char text[ANC_SHARE_TEXT_MAX];
};

/*
 * Before anyone sees a share: each share reads back from its written
 * form, and each one, with the K-1 after it, rebuilds the secret.
 */
static int
self_check(struct split *sp, unsigned k, unsigned n, struct anc_err *err)
{
	unsigned i, j;
	int r;

	for (i = 0; i < n; i++) {
		if ((r = anc_share_encode(&sp->shares[i], sp->text)) != ANC_OK
		    || (r = anc_share_decode(sp->text, strlen(sp->text),
		    &sp->round[i], err)) != ANC_OK ||
		    CRYPTO_memcmp(&sp->round[i], &sp->shares[i],
		    sizeof(sp->round[i])) != 0)
			return anc_err_set(err, ANC_E_INTERNAL, "share %u does "
			    "not read back", i + 1);
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < k; j++)
			sp->round[j] = sp->shares[(i + j) % n];
		if ((r = anc_shamir_combine(sp->round, k, sp->rebuilt, err)) !=
		    ANC_OK || CRYPTO_memcmp(sp->rebuilt, sp->secret, LEN) != 0)
			return anc_err_set(err, ANC_E_INTERNAL, "shares %u.. "
			    "do not rebuild the PIN", i + 1);
	}
	return ANC_OK;
}

static int
make_split(struct anc_engine *e, const struct anc_step *s, struct split *sp,
    struct anc_err *err)
{
	unsigned k = (unsigned)s->officers.threshold, n =
	    (unsigned)s->officers.n;
	int r;

	if ((r = e->be->random(e->be->arg, sp->secret, LEN, err)) != ANC_OK ||
	    (r = e->be->random(e->be->arg, sp->coeffs, (k - 1) * LEN, err)) !=
	    ANC_OK ||
	    (r = anc_shamir_split(sp->secret, k, n, sp->coeffs, sp->shares,
	    err)) != ANC_OK)
		return r;
	/* The coefficients are not needed again. */
	anc_wipe(sp->coeffs, sizeof(sp->coeffs));
	return self_check(sp, k, n, err);
}

/* Each officer in turn, alone; the text is wiped after each. */
static int
show_shares(struct anc_engine *e, const struct anc_step *s, struct split *sp,
    struct anc_err *err)
{
	const struct anc_officers *o = &s->officers;
	size_t i;
	int r;

	for (i = 0; i < o->n; i++) {
		if ((r = anc_share_encode(&sp->shares[i], sp->text)) != ANC_OK)
			return anc_err_set(err, r, "share %zu", i + 1);
		r = e->ui->show_share(e->ui->show_share_arg, o->names[i],
		    sp->shares[i].index, (unsigned)o->threshold,
		    (unsigned)o->n, sp->text, err);
		anc_wipe(sp->text, sizeof(sp->text));
		if (r != ANC_OK)
			return anc_err_prefix(err, "the PIN was not changed, "
			    "so any share shown so far is void: destroy it");
	}
	return ANC_OK;
}

/*
 * K, N, who holds which share, and the commitment: all that is said and
 * recorded.  The transcript's "split-pin" record (docs/quorum.md) is
 * written only once the PIN has changed, so it never names a void split.
 */
static int
record_split(struct anc_engine *e, const struct anc_step *s,
    const struct split *sp, struct anc_err *err)
{
	const struct anc_officers *o = &s->officers;
	char who[ANC_SHAMIR_SHARES_MAX * 160], com[2 * ANC_SHAMIR_COMMIT_LEN +
	    1];
	json_t *list;
	size_t i, len = 0;

	who[0] = '\0';
	for (i = 0; i < o->n && len < sizeof(who); i++)
		len += (size_t)snprintf(who + len, sizeof(who) - len, "%s%s "
		    "(share %zu)", i > 0 ? ", " : "", o->names[i], i + 1);
	anc_hex(sp->shares[0].commitment, ANC_SHAMIR_COMMIT_LEN, com);
	anc_engine_say(e, "split-pin: user PIN changed; any %d of %zu shares "
	    "rebuild it: %s; commitment %s", o->threshold, o->n, who, com);
	anc_engine_say(e, "split-pin: the previous PIN no longer works; "
	    "activate this token with `quorum: { threshold: %d, officers: "
	    "[...], commitment: %s }` in later scripts", o->threshold, com);
	if (e->tr == NULL)
		return ANC_OK;
	if ((list = json_array()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "split-pin record");
	for (i = 0; i < o->n; i++)
		json_array_append_new(list, json_pack("{s:s, s:i}", "name",
		    o->names[i], "share", (int)(i + 1)));
	if (json_array_size(list) != o->n) {
		json_decref(list);
		return anc_err_set(err, ANC_E_NOMEM, "split-pin record");
	}
	return anc_tr_append(e->tr, "split-pin", json_pack("{s:i, s:i, s:i, "
	    "s:o, s:s}", "step", s->index, "threshold", o->threshold,
	    "shares", (int)o->n, "officers", list, "commitment", com), err);
}

static int
run(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_secret *pin = NULL;
	struct split *sp;
	int r = ANC_E_INTERNAL;

	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "split-pin");
	if ((r = make_split(e, s, sp, err)) != ANC_OK)
		goto out;
	if (e->ob == NULL) {
		/* checking: the split works; nothing is shown or changed */
		r = ANC_OK;
		goto out;
	}
	if (e->be->set_pin == NULL) {
		/* A rehearsal: no void share to be mistaken for a real one,
		 * and no real PIN typed for a throwaway token. */
		anc_engine_say(e, "split-pin: rehearsal: a %d-of-%zu split was "
		    "made and rebuilt; no share is shown and the PIN is not "
		    "changed", s->officers.threshold, s->officers.n);
		r = ANC_OK;
		goto out;
	}
	/* A token that cannot take the new PIN is found out before any
	 * officer sees a share. */
	if (e->be->pin_fits != NULL && (r = e->be->pin_fits(e->be->arg,
	    ANC_SHAMIR_PIN_LEN, err)) != ANC_OK) {
		anc_err_prefix(err, "split-pin: no share was shown and the PIN "
		    "was not changed");
		goto out;
	}
	if (e->ui == NULL || e->ui->show_share == NULL) {
		r = anc_err_set(err, ANC_E_UNSAFE, "no terminal to show the "
		    "officers their shares on; nothing was shown or changed");
		goto out;
	}
	if ((r = show_shares(e, s, sp, err)) != ANC_OK)
		goto out;
	if ((pin = anc_secret_new()) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "PIN buffer");
		goto out;
	}
	anc_shamir_pin(sp->secret, anc_secret_buf(pin));
	anc_secret_set_len(pin, ANC_SHAMIR_PIN_LEN);
	anc_engine_say(e, "split-pin: the current user PIN is needed once "
	    "more, to change it");
	if ((r = e->be->set_pin(e->be->arg, e->ui->pin, e->ui->pin_arg, pin,
	    err)) != ANC_OK) {
		anc_err_prefix(err, "the shares just shown are void: destroy "
		    "them");
		goto out;
	}
	if ((r = record_split(e, s, sp, err)) != ANC_OK) {
		anc_err_prefix(err, "the PIN WAS changed and the shares shown "
		    "are valid, but the split could not be recorded");
		goto out;
	}
	/* success */
	r = ANC_OK;
 out:
	anc_secret_free(pin);
	anc_freezero(sp, sizeof(*sp));
	return r;
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
	.run = run,
};
