/*
 * Fuzz target: certificate requests brought in from outside (Vault's
 * intermediate/generate/internal, any cluster-side key), PEM or DER,
 * then sign-csr's policy, and for a request the policy accepts, the
 * certificate built from it and linted before signing: everything
 * sign-csr does but the signature in the token.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "ceremony_int.h"
#include "fuzz.h"
#include "profile.h"
#include "steps.h"

#define WHAT "fuzz.csr"

/* A root made once with a software key, standing in for the token's. */
static X509 *issuer;
static time_t now;

/* Fixed serial bytes: the lint wants 64 bits that look random. */
static const unsigned char rnd[ANC_SERIAL_LEN - 1] = {
	0x5c, 0x1e, 0x93, 0x0b, 0x7a, 0xe2, 0x44, 0xd1,
	0x08, 0xb6, 0x3f, 0x95, 0xc7, 0x21, 0x6e, 0xfa
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char cn[] = "fuzz root";
	struct anc_cert_spec spec;
	struct anc_dn dn;
	struct anc_err err;
	EVP_PKEY *key = NULL;

	now = time(NULL);
	memset(&dn, 0, sizeof(dn));
	dn.attrs[0].type = "CN";
	dn.attrs[0].value = cn;
	dn.n = 1;
	memset(&spec, 0, sizeof(spec));
	spec.profile = ANC_PROFILE_ROOT;
	spec.subject = &dn;
	spec.not_before = now;
	spec.not_after = now + 10 * 365 * 86400;
	spec.path_length = 1;
	anc_profile_serial(spec.serial, rnd);
	if (anc_throwaway_key(ANC_KEY_EC_P256, &key, &err) != ANC_OK)
		abort();
	spec.subject_key = key;
	if (anc_profile_build(&spec, &issuer, &err) != ANC_OK ||
	    anc_profile_sign(issuer, key, &err) != ANC_OK)
		abort();
	EVP_PKEY_free(key);
	return 0;
}

/* sign-csr as the example Vault ceremony writes it. */
static void
step_init(struct anc_step *s)
{
	static char name_issuer[] = "fuzz-root", name_csr[] = "req",
	    name_out[] = "signed";

	memset(s, 0, sizeof(*s));
	s->kind = ANC_STEP_SIGN_CSR;
	s->index = 1;
	s->line = 1;
	s->issuer = name_issuer;
	s->csr = name_csr;
	s->output = name_out;
	s->validity = 43800ULL * 3600;
	s->path_length = 0;
	s->policy_algs = 1u << ANC_POLICY_RSA_2048 | 1u << ANC_POLICY_RSA_3072 |
	    1u << ANC_POLICY_RSA_4096 | 1u << ANC_POLICY_EC_P256 |
	    1u << ANC_POLICY_EC_P384;
	s->policy_max_validity = s->validity;
	s->policy_max_path_length = 0;
}

/* The certificate sign-csr would have the token sign. */
static void
build(X509_REQ *req, X509_NAME *subject, struct anc_cert_spec *spec)
{
	struct anc_err err;
	X509 *x = NULL;
	int r;

	spec->profile = ANC_PROFILE_INTERMEDIATE;
	spec->subject_name = subject;
	spec->subject_key = X509_REQ_get0_pubkey(req);
	anc_profile_serial(spec->serial, rnd);
	anc_err_clear(&err);
	r = anc_profile_build(spec, &x, &err);
	if (r == ANC_OK)
		r = anc_lint_cert(x, spec, 0, &err);
	/* A lint may still refuse what the policy let through; the run
	 * stops there, before any signature. */
	if (r != ANC_OK && r != ANC_E_LINT && r != ANC_E_CRYPTO &&
	    r != ANC_E_NOMEM)
		abort();
	X509_free(x);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anc_cert_spec spec;
	struct anc_step s;
	struct anc_err err;
	X509_REQ *req = NULL;
	X509_NAME *subject = NULL;
	int r;

	anc_err_clear(&err);
	r = anc_steps_read_csr(data, size, WHAT, &req, &err);
	if (r != ANC_OK) {
		if (req != NULL || r != ANC_E_INPUT || err.code != r ||
		    strncmp(err.msg, WHAT ":", strlen(WHAT ":")) != 0)
			abort();
		ERR_clear_error();
		return 0;
	}
	if (req == NULL)
		abort();
	step_init(&s);
	memset(&spec, 0, sizeof(spec));
	spec.issuer = issuer;
	spec.not_before = now;
	spec.not_after = now + (time_t)s.validity;
	spec.path_length = s.path_length;
	anc_err_clear(&err);
	r = anc_policy_check_csr(req, NULL, &s, issuer, &spec, &subject,
	    &err);
	if (r == ANC_OK) {
		if (subject == NULL)
			abort();
		build(req, subject, &spec);
	} else {
		if (subject != NULL || err.code != r ||
		    (r != ANC_E_POLICY && r != ANC_E_NOMEM))
			abort();
		/* Each refusal names its rule, for the officer to match. */
		if (r == ANC_E_POLICY && strncmp(err.msg, "policy ", 7) != 0)
			abort();
	}
	X509_NAME_free(subject);
	X509_REQ_free(req);
	ERR_clear_error();
	return 0;
}
