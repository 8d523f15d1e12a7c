/*
 * anchorage: the root steps (generate-key, self-sign, bundle) and the
 * issuance path every certificate goes through.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "anchorage/rotation.h"
#include "records.h"
#include "steps.h"

int
anc_steps_write(struct anc_engine *e, const char *file, const void *data,
    size_t len, mode_t mode, struct anc_err *err)
{
	size_t i;
	int r;

	if (e->ob == NULL)
		return ANC_OK;
	if ((r = anc_outbox_add(e->ob, file, data, len, mode, err)) != ANC_OK)
		return r;
	for (i = anc_outbox_count(e->ob); i > 0; i--)
		if (strcmp(anc_outbox_file(e->ob, i - 1), file) == 0)
			break;
	if (i == 0)
		return anc_err_set(err, ANC_E_INTERNAL, "%s: not in the outbox "
		    "after writing it", file);
	anc_engine_say(e, "  wrote %s (sha256 %s)", file,
	    anc_outbox_file_sha256(e->ob, i - 1));
	/* Every file any step writes passes here: one place records it. */
	return anc_rec_output(e, file, anc_outbox_file_sha256(e->ob, i - 1),
	    len, err);
}

int
anc_steps_write_certs(struct anc_engine *e, const char *name,
    X509 *const *certs, size_t n, struct anc_err *err)
{
	char file[128], *pem = NULL;
	size_t len = 0;
	int r;

	if (e->ob == NULL)
		return ANC_OK;
	snprintf(file, sizeof(file), "%s.pem", name);
	if ((r = anc_pem_certs(certs, n, &pem, &len, err)) != ANC_OK)
		return r;
	r = anc_steps_write(e, file, pem, len, 0644, err);
	free(pem);
	return r;
}

int
anc_steps_write_stack(struct anc_engine *e, const char *name,
    STACK_OF(X509) *sk, struct anc_err *err)
{
	X509 **v;
	int i, n = sk_X509_num(sk), r;

	if ((v = calloc((size_t)n + 1, sizeof(*v))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s", name);
	for (i = 0; i < n; i++)
		v[i] = sk_X509_value(sk, i);
	r = anc_steps_write_certs(e, name, v, (size_t)n, err);
	free(v);
	return r;
}

int
anc_steps_issue(struct anc_engine *e, struct anc_cert_spec *spec,
    const char *signer_label, enum anc_keyalg hint, X509 **out,
    struct anc_err *err)
{
	unsigned char rnd[ANC_SERIAL_LEN - 1];
	EVP_PKEY *signer = NULL, *pub = NULL;
	X509 *x = NULL;
	int r;

	if ((r = e->be->random(e->be->arg, rnd, sizeof(rnd), err)) != ANC_OK)
		return anc_err_prefix(err, "serial number");
	anc_profile_serial(spec->serial, rnd);
	if ((r = anc_profile_build(spec, &x, err)) != ANC_OK)
		goto out;
	/* Lint the to-be-signed certificate before the key is used. */
	if ((r = anc_lint_cert(x, spec, 0, err)) != ANC_OK)
		goto out;
	if ((r = e->be->signer(e->be->arg, signer_label, hint, &signer,
	    err)) != ANC_OK)
		goto out;
	if ((r = anc_profile_sign(x, signer, err)) != ANC_OK) {
		(void)e->be->present(e->be->arg, err);
		r = err->code;
		goto out;
	}
	/* Verify with the public key as the token holds it, not with the
	 * signing handle: a token that returns a bad signature is caught. */
	if ((r = e->be->public_key(e->be->arg, signer_label, hint, &pub,
	    err)) != ANC_OK)
		goto out;
	if ((r = anc_verify_cert(x, pub, err)) != ANC_OK)
		goto out;
	if ((r = anc_lint_cert(x, spec, 1, err)) != ANC_OK)
		goto out;
	*out = x;
	x = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	EVP_PKEY_free(pub);
	X509_free(x);
	return r;
}

int
anc_step_generate_key(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_key_info ki;
	char id[2 * sizeof(ki.id) + 1];
	int r;

	anc_engine_say(e, "  generating %s key \"%s\" in the token%s",
	    anc_keyalg_name(s->algorithm), s->label,
	    s->algorithm == ANC_KEY_RSA_4096 || s->algorithm ==
	    ANC_KEY_RSA_3072 ? " (RSA: this can take minutes)" : "");
	if ((r = e->be->generate(e->be->arg, s->algorithm, s->label,
	    s->backup, &ki, err)) != ANC_OK)
		return r;
	snprintf(e->made[e->nmade++], sizeof(e->made[0]), "%s", s->label);
	anc_hex(ki.id, ki.id_len, id);
	anc_engine_say(e, "  key \"%s\" id %s: sensitive %d, extractable %d, "
	    "always-sensitive %d, never-extractable %d, local %d", ki.label,
	    id, ki.sensitive, ki.extractable, ki.always_sensitive,
	    ki.never_extractable, ki.local);
	return ANC_OK;
}

/* The algorithm a key label was generated with in this script, if so. */
static enum anc_keyalg
label_alg(const struct anc_ceremony *c, const char *label)
{
	size_t i;

	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].kind == ANC_STEP_GENERATE_KEY &&
		    strcmp(c->steps[i].label, label) == 0)
			return c->steps[i].algorithm;
	return ANC_KEY_EC_P256;
}

int
anc_step_self_sign(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_cert_spec spec;
	struct anc_artifact *a;
	enum anc_keyalg hint = label_alg(e->c, s->key);
	EVP_PKEY *pub = NULL;
	X509 *x = NULL;
	char fp[65];
	int r;

	if ((r = e->be->public_key(e->be->arg, s->key, hint, &pub, err)) !=
	    ANC_OK)
		return r;
	memset(&spec, 0, sizeof(spec));
	spec.profile = ANC_PROFILE_ROOT;
	spec.subject = &s->subject;
	spec.subject_key = pub;
	spec.not_before = e->now;
	spec.not_after = e->now + (time_t)s->validity;
	spec.path_length = s->path_length;
	if ((r = anc_steps_issue(e, &spec, s->key, hint, &x, err)) != ANC_OK)
		goto out;
	if ((a = anc_engine_new_art(e, s->output, ANC_ART_CERT, s)) == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "output %s", s->output);
		goto out;
	}
	a->cert = x;
	a->key_label = s->key;
	x = NULL;	/* transferred */
	anc_cert_fingerprint(a->cert, fp);
	anc_engine_say(e, "  root %s signed by key \"%s\" and verified; "
	    "SHA-256 fingerprint %s", s->output, s->key, fp);
	r = anc_steps_write_certs(e, s->output, &a->cert, 1, err);
 out:
	X509_free(x);
	EVP_PKEY_free(pub);
	return r;
}

/* Is a newer than b: a later notBefore, or the same and a later
 * notAfter? */
static int
newer(const X509 *a, const X509 *b)
{
	int c = ASN1_TIME_compare(X509_get0_notBefore(a),
	    X509_get0_notBefore(b));

	if (c == 0)
		c = ASN1_TIME_compare(X509_get0_notAfter(a),
		    X509_get0_notAfter(b));
	return c > 0;
}

/* Add one anchor to a bundle: a CA certificate not already in it.
 * `what` names it: anchor "root-2026", certificate 2 of "old-bundle". */
static int
bundle_add(STACK_OF(X509) *sk, X509 *x, const char *what,
    struct anc_err *err)
{
	int i;

	if (X509_check_ca(x) != 1)
		return anc_err_set(err, ANC_E_UNSAFE, "%s is not a CA "
		    "certificate; a trust bundle holds only anchors", what);
	for (i = 0; i < sk_X509_num(sk); i++)
		if (X509_cmp(sk_X509_value(sk, i), x) == 0)
			return anc_err_set(err, ANC_E_UNSAFE, "%s is already in "
			    "the bundle", what);
	/* Newest first; anchors of the same age keep the script's order, so
	 * the same script always makes the same file. */
	for (i = 0; i < sk_X509_num(sk); i++)
		if (newer(x, sk_X509_value(sk, i)))
			break;
	if (!X509_up_ref(x))
		return anc_err_set(err, ANC_E_NOMEM, "bundle");
	if (sk_X509_insert(sk, x, i) <= 0) {
		X509_free(x);
		return anc_err_set(err, ANC_E_NOMEM, "bundle");
	}
	return ANC_OK;
}

/* A certificate adds itself; a bundle adds every certificate it holds. */
static int
bundle_add_art(STACK_OF(X509) *sk, const struct anc_artifact *in,
    const char *name, struct anc_err *err)
{
	char what[160];
	int i, r;

	if (in->kind == ANC_ART_CERT) {
		snprintf(what, sizeof(what), "anchor \"%s\"", name);
		return bundle_add(sk, in->cert, what, err);
	}
	for (i = 0; i < sk_X509_num(in->certs); i++) {
		snprintf(what, sizeof(what), "certificate %d of \"%s\"", i + 1,
		    name);
		if ((r = bundle_add(sk, sk_X509_value(in->certs, i), what,
		    err)) != ANC_OK)
			return r;
	}
	return ANC_OK;
}

static void
gate_say(void *arg, const char *line)
{
	anc_engine_say(arg, "%s", line);
}

/* Hand the retire gate (rotation/) the report, the bundle and the
 * certificates retired, as plain data. */
static int
retire_gate(struct anc_engine *e, const struct anc_step *s,
    STACK_OF(X509) *bundle, struct anc_err *err)
{
	struct anc_retire_req q;
	struct anc_artifact *a;
	X509 *retired[ANC_CER_LIST_MAX];
	size_t i;

	memset(&q, 0, sizeof(q));
	a = anc_engine_find(e, s->inventory);
	/* validate.c guarantees an inventory input and certificates. */
	if (a == NULL || a->kind != ANC_ART_INVENTORY)
		return anc_err_set(err, ANC_E_INTERNAL, "inventory \"%s\"",
		    s->inventory);
	q.raw = a->raw;
	q.raw_len = a->raw_len;
	if (s->n_retires > ANC_CER_LIST_MAX)
		return anc_err_set(err, ANC_E_INTERNAL, "retires");
	for (i = 0; i < s->n_retires; i++) {
		a = anc_engine_find(e, s->retires[i]);
		if (a == NULL || a->kind != ANC_ART_CERT)
			return anc_err_set(err, ANC_E_INTERNAL, "retires \"%s\"",
			    s->retires[i]);
		retired[i] = a->cert;
	}
	q.script = e->c->path;
	q.report = s->inventory;
	q.bundle = bundle;
	q.retire_names = s->retires;
	q.retire_certs = retired;
	q.n_retires = s->n_retires;
	q.exceptions = s->exceptions;
	q.n_exceptions = s->n_exceptions;
	q.checking = e->ob == NULL;
	q.say = gate_say;
	q.say_arg = e;
	return anc_retire_check(&q, err);
}

int
anc_step_bundle(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct anc_artifact *a, *in;
	size_t i;
	int r = ANC_E_INTERNAL;

	if (sk == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "bundle");
	for (i = 0; i < s->n_anchors; i++) {
		in = anc_engine_find(e, s->anchors[i]);
		if (in == NULL || (in->kind != ANC_ART_CERT &&
		    in->kind != ANC_ART_BUNDLE)) {
			r = anc_err_set(err, ANC_E_INTERNAL, "anchor \"%s\"",
			    s->anchors[i]);
			goto out;
		}
		if ((r = bundle_add_art(sk, in, s->anchors[i], err)) != ANC_OK)
			goto out;
	}
	/* Nothing is written while the retire gate says no. */
	if (s->n_retires > 0 && (r = retire_gate(e, s, sk, err)) != ANC_OK)
		goto out;
	if ((a = anc_engine_new_art(e, s->output, ANC_ART_BUNDLE, s)) ==
	    NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "output %s", s->output);
		goto out;
	}
	a->certs = sk;
	sk = NULL;	/* transferred */
	anc_engine_say(e, "  bundle %s: %d anchor(s), newest first", s->output,
	    sk_X509_num(a->certs));
	r = anc_steps_write_stack(e, s->output, a->certs, err);
 out:
	sk_X509_pop_free(sk, X509_free);
	return r;
}
