/*
 * anchorage: loading, checking and running a ceremony.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/token.h"
#include "ceremony_int.h"
#include "engine.h"
#include "profile.h"

int
anc_ceremony_load(const char *path, struct anc_ceremony **out,
    struct anc_err *err)
{
	struct anc_ceremony *c = NULL;
	unsigned char *text = NULL;
	size_t len = 0;
	int r;

	if ((r = anc_file_read(path, ANC_CER_FILE_MAX, &text, &len, err)) !=
	    ANC_OK)
		return r;
	if ((r = anc_parse(path, text, len, &c, err)) != ANC_OK)
		goto out;
	anc_sha256_hex(text, len, c->sha256);
	if ((r = anc_validate(c, err)) != ANC_OK ||
	    (r = anc_crosscheck(c, err)) != ANC_OK)
		goto out;
	*out = c;
	c = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	anc_ceremony_model_free(c);
	free(text);
	return r;
}

void
anc_ceremony_free(struct anc_ceremony *c)
{
	anc_ceremony_model_free(c);
}

const char *
anc_ceremony_name(const struct anc_ceremony *c)
{
	return c->name;
}

const char *
anc_ceremony_token_uri(const struct anc_ceremony *c)
{
	return c->token;
}

const char *
anc_ceremony_sha256(const struct anc_ceremony *c)
{
	return c->sha256;
}

size_t
anc_ceremony_warnings(const struct anc_ceremony *c,
    const char *const **lines)
{
	*lines = (const char *const *)c->warnings;
	return c->n_warnings;
}

int
anc_ceremony_quorum(const struct anc_ceremony *c, struct anc_quorum *q)
{
	if (c->quorum.threshold == 0)
		return 0;
	q->threshold = (unsigned)c->quorum.threshold;
	q->officers = (const char *const *)c->quorum.names;
	q->n = c->quorum.n;
	q->commitment = c->quorum.commitment;
	return 1;
}

/*
 * The throwaway backend: software keys made on demand, host randomness.
 * Nothing it makes outlives the check.
 */
struct soft {
	struct {
		const char *label;
		EVP_PKEY *key;
	} keys[ANC_CER_STEPS_MAX + ANC_CER_INPUTS_MAX];
	size_t n;
};

static int
soft_key(struct soft *sw, const char *label, enum anc_keyalg alg,
    EVP_PKEY **out, struct anc_err *err)
{
	size_t i;
	int r;

	for (i = 0; i < sw->n; i++)
		if (strcmp(sw->keys[i].label, label) == 0) {
			*out = sw->keys[i].key;
			return ANC_OK;
		}
	if (sw->n == sizeof(sw->keys) / sizeof(sw->keys[0]))
		return anc_err_set(err, ANC_E_INTERNAL, "too many keys");
	if ((r = anc_throwaway_key(alg, &sw->keys[sw->n].key, err)) != ANC_OK)
		return r;
	sw->keys[sw->n].label = label;
	*out = sw->keys[sw->n++].key;
	return ANC_OK;
}

static int
soft_generate(void *arg, enum anc_keyalg alg, const char *label,
    enum anc_backup_policy backup, struct anc_key_info *info,
    struct anc_err *err)
{
	EVP_PKEY *k;

	memset(info, 0, sizeof(*info));
	snprintf(info->label, sizeof(info->label), "%s", label);
	info->alg = alg;
	return soft_key(arg, label, alg, &k, err);
}

static int
soft_random(void *arg, unsigned char *buf, size_t len, struct anc_err *err)
{
	if (RAND_bytes(buf, (int)len) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO, "random bytes");
	return ANC_OK;
}

static int
soft_signer(void *arg, const char *label, enum anc_keyalg hint,
    EVP_PKEY **out, struct anc_err *err)
{
	return soft_key(arg, label, hint, out, err);
}

static int
soft_public(void *arg, const char *label, enum anc_keyalg hint,
    EVP_PKEY **out, struct anc_err *err)
{
	EVP_PKEY *k;
	int r;

	if ((r = soft_key(arg, label, hint, &k, err)) != ANC_OK)
		return r;
	if (!EVP_PKEY_up_ref(k))
		return anc_err_set(err, ANC_E_INTERNAL, "key reference");
	*out = k;
	return ANC_OK;
}

/* A copy of the issuer carrying the throwaway key, re-signed by it: the
 * subject, extensions (SKID included) and validity stay as they are. */
static int
soft_issuer_cert(void *arg, const char *label, X509 *cert, X509 **out,
    struct anc_err *err)
{
	enum anc_keyalg alg = anc_key_alg(X509_get0_pubkey(cert));
	EVP_PKEY *k;
	X509 *x;
	int r;

	if (alg == ANC_KEY_NONE)
		return anc_err_set(err, ANC_E_INPUT, "input certificate for key "
		    "\"%s\": its key is neither P-256, P-384, RSA-3072 nor "
		    "RSA-4096", label);
	if ((r = soft_key(arg, label, alg, &k, err)) != ANC_OK)
		return r;
	if ((x = X509_dup(cert)) == NULL || anc_profile_set_pubkey(x, k) != 1 ||
	    X509_sign(x, k, anc_profile_md(k)) <= 0) {
		X509_free(x);
		return anc_err_ossl(err, ANC_E_CRYPTO, "throwaway copy of the "
		    "certificate for key \"%s\"", label);
	}
	*out = x;
	return ANC_OK;
}

static int
soft_present(void *arg, struct anc_err *err)
{
	return ANC_OK;
}

static void
soft_clear(struct soft *sw)
{
	size_t i;

	for (i = 0; i < sw->n; i++)
		EVP_PKEY_free(sw->keys[i].key);
	sw->n = 0;
}

/*
 * An input's key is looked up in the token, and a script whose steps use
 * no token opens none: the run would reach for a token it never opened.
 * validate.c lets such a key through, so it is refused here, which both
 * `ceremony check` and `ceremony run` begin with.
 */
static int
input_keys_have_token(const struct anc_ceremony *c, struct anc_err *err)
{
	size_t i;

	if (c->token != NULL)
		return ANC_OK;
	for (i = 0; i < c->n_inputs; i++)
		if (c->inputs[i].key != NULL)
			return anc_err_set(err, ANC_E_FIELD, "%s:%d: "
			    "inputs[%zu].certificate.key: \"%s\" names a key "
			    "in the token, but no step uses the token; expected "
			    "no key", c->path, c->inputs[i].line, i + 1,
			    c->inputs[i].key);
	return ANC_OK;
}

/* What a check hands back of its engine. */
enum keep {
	KEEP_NOTHING,
	KEEP_CSRS,	/* the input CSRs it read and verified (precheck) */
	KEEP_ALL	/* every artifact, signed with throwaway keys */
};

static int
check(const struct anc_ceremony *c, enum keep keep, struct anc_engine **out,
    struct anc_err *err)
{
	struct soft *sw;
	struct anc_backend be = { NULL, soft_generate, soft_random,
	    soft_signer, soft_public, soft_issuer_cert, soft_present, NULL,
	    NULL };
	struct anc_engine *e;
	int r = ANC_E_INTERNAL;

	if ((r = input_keys_have_token(c, err)) != ANC_OK)
		return r;
	sw = calloc(1, sizeof(*sw));
	e = calloc(1, sizeof(*e));
	if (sw == NULL || e == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "check");
		goto out;
	}
	be.arg = sw;
	e->c = c;
	e->be = &be;
	e->now = time(NULL);
	if ((r = anc_engine_inputs(e, err)) != ANC_OK ||
	    (r = anc_engine_steps(e, err)) != ANC_OK)
		goto out;
	if (keep != KEEP_NOTHING) {
		/* The throwaway keys go now; what they signed goes too
		 * unless all is kept (copies hold their public keys). */
		if (keep == KEEP_CSRS)
			anc_engine_keep_csrs(e);
		e->be = NULL;
		*out = e;
		e = NULL;	/* transferred */
	}
 out:
	if (e != NULL)
		anc_engine_clear(e);
	free(e);
	if (sw != NULL)
		soft_clear(sw);
	free(sw);
	return r;
}

int
anc_ceremony_check(const struct anc_ceremony *c, struct anc_err *err)
{
	return check(c, KEEP_NOTHING, NULL, err);
}

int
anc_ceremony_precheck(const struct anc_ceremony *c, struct anc_engine **out,
    struct anc_err *err)
{
	return check(c, KEEP_CSRS, out, err);
}

int
anc_ceremony_check_keep(const struct anc_ceremony *c,
    struct anc_engine **out, struct anc_err *err)
{
	return check(c, KEEP_ALL, out, err);
}
