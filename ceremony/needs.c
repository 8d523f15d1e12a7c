/*
 * anchorage: what a validated script needs from its token, step by step,
 * and whether a token's reported capabilities cover it.  `token probe`
 * and `ceremony run` both use these two functions, so the probe's answer
 * days before the ceremony is the run's answer on the day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "step.h"
#include "profile.h"
#include "records.h"

/* An artifact whose key is in a token (a certificate, or a wrapped key
 * on the backup medium): its name, the key's label and algorithm
 * (ANC_KEY_NONE when the script does not say). */
struct signer {
	const char *art;
	const char *label;
	enum anc_keyalg alg;
};

struct anc_derive {
	const struct anc_ceremony *c;
	struct anc_need *v;
	size_t n, cap;
	struct signer *sig;
	size_t nsig;
};

struct anc_need *
anc_need_push(struct anc_derive *d, const struct anc_step *s,
    enum anc_need_op op, enum anc_keyalg alg, const char *key,
    const char *use, struct anc_err *err)
{
	struct anc_need *n;

	if (d->n == d->cap) {
		anc_err_set(err, ANC_E_INTERNAL, "needs: table full");
		return NULL;
	}
	n = &d->v[d->n++];
	memset(n, 0, sizeof(*n));
	n->op = op;
	n->alg = alg;
	/* The digest follows the signer, as anc_profile_md chooses. */
	n->hash_bits = alg == ANC_KEY_EC_P384 ? 384 : 256;
	n->step = s != NULL ? s->index : 0;
	n->line = s != NULL ? s->line : 0;
	snprintf(n->kind, sizeof(n->kind), "%s", s != NULL ?
	    anc_step_kind_name(s) : "closing record");
	snprintf(n->key, sizeof(n->key), "%s", key != NULL ? key : "");
	snprintf(n->use, sizeof(n->use), "%s", use != NULL ? use : "");
	return n;
}

/* The algorithm of an input certificate's key, read from its file. */
static enum anc_keyalg
input_alg(const struct anc_input *in)
{
	enum anc_keyalg alg = ANC_KEY_NONE;
	BIO *b;
	X509 *x = NULL;

	if ((b = BIO_new_file(in->path, "r")) != NULL &&
	    (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		alg = anc_key_alg(X509_get0_pubkey(x));
	ERR_clear_error();
	X509_free(x);
	BIO_free(b);
	return alg;
}

/* The algorithm a generate-key step of the script gives `label`. */
static enum anc_keyalg
label_alg(const struct anc_ceremony *c, const char *label)
{
	size_t i;

	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].kind == ANC_STEP_GENERATE_KEY &&
		    strcmp(c->steps[i].label, label) == 0)
			return c->steps[i].algorithm;
	return ANC_KEY_NONE;
}

static const struct signer *
find_signer(const struct anc_derive *d, const char *art)
{
	size_t i;

	for (i = 0; art != NULL && i < d->nsig; i++)
		if (strcmp(d->sig[i].art, art) == 0)
			return &d->sig[i];
	return NULL;
}

enum anc_keyalg
anc_need_key_alg(const struct anc_derive *d, const char *label)
{
	enum anc_keyalg alg = label_alg(d->c, label);
	size_t i;

	for (i = 0; alg == ANC_KEY_NONE && i < d->nsig; i++)
		if (strcmp(d->sig[i].label, label) == 0)
			alg = d->sig[i].alg;
	return alg;
}

enum anc_keyalg
anc_need_art_key(const struct anc_derive *d, const char *art,
    const char **label)
{
	const struct signer *sg = find_signer(d, art);

	*label = sg != NULL ? sg->label : NULL;
	return sg != NULL ? sg->alg : ANC_KEY_NONE;
}

int
anc_need_issue(struct anc_derive *d, const struct anc_step *s,
    const char *issuer, int serial, struct anc_err *err)
{
	const struct signer *sg = find_signer(d, issuer);

	if (sg == NULL)
		return ANC_OK;	/* validated: the issuer is a software key */
	if (serial && anc_need_push(d, s, ANC_NEED_RANDOM, ANC_KEY_NONE, NULL,
	    "serial number", err) == NULL)
		return ANC_E_INTERNAL;
	if (anc_need_push(d, s, ANC_NEED_SIGN, sg->alg, sg->label, NULL,
	    err) == NULL)
		return ANC_E_INTERNAL;
	return ANC_OK;
}

void
anc_need_signer(struct anc_derive *d, const char *art, const char *label)
{
	struct signer *sg = &d->sig[d->nsig++];

	sg->art = art;
	sg->label = label;
	sg->alg = anc_need_key_alg(d, label);
}

static int
step_needs(struct anc_derive *d, const struct anc_step *s,
    struct anc_err *err)
{
	const struct anc_step_type *t = s->type;

	return t != NULL && t->needs != NULL ? t->needs(d, s, err) : ANC_OK;
}

/* The closing record is signed by the ceremony's root key in the token. */
static int
closing_needs(const struct anc_ceremony *c, struct anc_derive *d,
    struct anc_err *err)
{
	const struct anc_step *s;
	const struct anc_input *in;
	const struct signer *sg;

	anc_closing_signer(c, &s, &in);
	sg = find_signer(d, s != NULL ? s->output : in != NULL ? in->name :
	    NULL);
	if (sg == NULL)
		return ANC_OK;
	if (anc_need_push(d, NULL, ANC_NEED_SIGN, sg->alg, sg->label, NULL,
	    err) == NULL)
		return ANC_E_INTERNAL;
	return ANC_OK;
}

int
anc_ceremony_needs(const struct anc_ceremony *c, struct anc_need **out,
    size_t *nout, struct anc_err *err)
{
	struct anc_derive d;
	size_t i;
	int r = ANC_E_INTERNAL;

	memset(&d, 0, sizeof(d));
	d.c = c;
	/* At most three needs per step (backup-wrap has three), and one for
	 * the closing record. */
	d.cap = 3 * c->n_steps + 1;
	if ((d.v = calloc(d.cap, sizeof(*d.v))) == NULL ||
	    (d.sig = calloc(c->n_steps + c->n_inputs + 1,
	    sizeof(*d.sig))) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "needs");
		goto out;
	}
	for (i = 0; i < c->n_inputs; i++) {
		if (c->inputs[i].kind != ANC_INPUT_CERTIFICATE ||
		    c->inputs[i].key == NULL)
			continue;
		d.sig[d.nsig].art = c->inputs[i].name;
		d.sig[d.nsig].label = c->inputs[i].key;
		d.sig[d.nsig++].alg = input_alg(&c->inputs[i]);
	}
	for (i = 0; i < c->n_steps; i++)
		if ((r = step_needs(&d, &c->steps[i], err)) != ANC_OK)
			goto out;
	if ((r = closing_needs(c, &d, err)) != ANC_OK)
		goto out;
	*out = d.v;
	*nout = d.n;
	d.v = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	free(d.v);
	free(d.sig);
	return r;
}

/* One missing need, as a line of the refusal. */
static size_t
missing_line(const struct anc_ceremony *c, const struct anc_need *n,
    const struct anc_need_result *res, char *msg, size_t off, size_t cap)
{
	char what[256];

	anc_need_describe(n, what, sizeof(what));
	if (off >= cap)
		return off;
	if (n->line > 0)
		return off + (size_t)snprintf(msg + off, cap - off,
		    "\n  %s:%d: %s: %s", c->path, n->line, what, res->detail);
	return off + (size_t)snprintf(msg + off, cap - off, "\n  %s: %s: %s",
	    c->path, what, res->detail);
}

int
anc_ceremony_fits(const struct anc_ceremony *c,
    const struct anc_token_caps *caps, const struct anc_token_caps *backup,
    struct anc_err *err)
{
	struct anc_need_result res;
	struct anc_need *v = NULL;
	char other[128] = "";
	size_t n = 0, i, off, missing = 0;
	int r;

	if ((r = anc_ceremony_needs(c, &v, &n, err)) != ANC_OK)
		return r;
	if (backup != NULL)
		snprintf(other, sizeof(other), " and backup token \"%s\" "
		    "(%s %s)", backup->info.label, backup->info.manufacturer,
		    backup->info.model);
	off = (size_t)snprintf(err->msg, sizeof(err->msg), "%s: token \"%s\" "
	    "(%s %s)%s cannot run this ceremony; nothing was changed "
	    "(`anchorage token probe` shows what it has):", c->path,
	    caps->info.label, caps->info.manufacturer, caps->info.model, other);
	for (i = 0; i < n; i++) {
		if (v[i].backup && backup == NULL)
			continue;	/* no backup-token in the script */
		anc_need_check(&v[i], v[i].backup ? backup : caps, &res);
		if (res.status != ANC_NEED_MISSING)
			continue;
		missing++;
		off = missing_line(c, &v[i], &res, err->msg, off,
		    sizeof(err->msg));
	}
	free(v);
	if (missing == 0) {
		anc_err_clear(err);
		return ANC_OK;
	}
	err->code = ANC_E_TOKEN_LACKS;
	err->ckr = 0;
	return ANC_E_TOKEN_LACKS;
}
