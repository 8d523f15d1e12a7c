/*
 * Every step kind through the check path: the script is parsed and
 * validated, then `ceremony check` runs every step with throwaway software
 * keys, and what the steps made is examined with OpenSSL: names, keys,
 * signatures, path lengths, validity, CRL entries.  Exports, which write
 * nothing when checking, are held to their outbox file names and plan
 * text.  Inputs (a certificate with its key in the token, CSRs) are made
 * here, in a temporary directory.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/token.h"
#include "ceremony_int.h"
#include "engine.h"
#include "records.h"
#include "step.h"
#include "steps.h"

static char dir[] = "/tmp/anc-steps.XXXXXX";

#define HEAD \
	"version: 1\n" \
	"name: t\n" \
	"token: \"pkcs11:token=t\"\n" \
	"participants:\n" \
	"  - { name: A, role: administrator }\n" \
	"  - { name: B, role: witness }\n" \
	"  - { name: C, role: crypto-officer }\n" \
	"  - { name: D, role: crypto-officer }\n" \
	"  - { name: E, role: crypto-officer }\n" \
	"inputs:\n" \
	"  - certificate: { name: old, file: old.pem, key: old-key }\n" \
	"  - csr: { name: q, file: q.csr }\n" \
	"  - csr: { name: q384, file: q384.csr }\n" \
	"steps:\n" \
	"  - generate-key: { label: k }\n" \
	"  - self-sign: { key: k, subject: { CN: root, O: Org, C: DE }, " \
	"output: r }\n"

static EVP_PKEY *
ec_key(const char *curve)
{
	EVP_PKEY *k = EVP_EC_gen(curve);

	assert_non_null(k);
	return k;
}

static void
write_pem(const char *name, int (*fn)(FILE *, void *), void *obj)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fn(f, obj), 1);
	assert_int_equal(fclose(f), 0);
}

static int
pem_cert(FILE *f, void *x)
{
	return PEM_write_X509(f, x);
}

static int
pem_req(FILE *f, void *x)
{
	return PEM_write_X509_REQ(f, x);
}

static X509_NAME *
cn(const char *name)
{
	X509_NAME *n = X509_NAME_new();

	assert_non_null(n);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)name, -1, -1, 0), 1);
	return n;
}

/* An earlier root whose key is in the token, as an input brings it. */
static void
make_old_root(void)
{
	EVP_PKEY *k = ec_key("P-256");
	X509 *x = X509_new();
	X509_NAME *n = cn("old root");
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 7), 1);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	assert_int_equal(X509_set_issuer_name(x, n), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x),
	    20L * 365 * 86400));
	assert_int_equal(X509_set_pubkey(x, k), 1);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &ctx,
	    NID_basic_constraints, "critical,CA:TRUE"));
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
	assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage,
	    "critical,keyCertSign,cRLSign"));
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
	assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &ctx,
	    NID_subject_key_identifier, "hash"));
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	write_pem("old.pem", pem_cert, x);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
}

/* A CA's request, signed by its key (proof of possession). */
static void
make_csr(const char *file, const char *curve, const char *name)
{
	EVP_PKEY *k = ec_key(curve);
	X509_REQ *q = X509_REQ_new();
	X509_NAME *n = cn(name);

	assert_non_null(q);
	assert_int_equal(X509_REQ_set_subject_name(q, n), 1);
	assert_int_equal(X509_REQ_set_pubkey(q, k), 1);
	assert_true(X509_REQ_sign(q, k, EVP_sha256()) > 0);
	write_pem(file, pem_req, q);
	X509_NAME_free(n);
	X509_REQ_free(q);
	EVP_PKEY_free(k);
}

static int
setup(void **state)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	make_old_root();
	make_csr("q.csr", "P-256", "vault intermediate");
	make_csr("q384.csr", "P-384", "p384 intermediate");
	return 0;
}

static int
teardown(void **state)
{
	static const char *const files[] = { "old.pem", "q.csr", "q384.csr",
	    "c.yaml" };
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	return rmdir(dir);
}

static const char *
write_script(const char *steps)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "%s%s", HEAD, steps);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* The script HEAD + steps, parsed and validated. */
static struct anc_ceremony *
script(const char *steps)
{
	struct anc_ceremony *c = NULL;
	struct anc_err err;

	anc_err_clear(&err);
	if (anc_ceremony_load(write_script(steps), &c, &err) != ANC_OK)
		fail_msg("%s", err.msg);
	return c;
}

struct run {
	struct anc_ceremony *c;
	struct anc_engine *e;
};

/* HEAD + steps through the check path; its engine kept for a look. */
static void
check(struct run *run, const char *steps)
{
	struct anc_err err;

	run->c = script(steps);
	anc_err_clear(&err);
	if (anc_ceremony_check_keep(run->c, &run->e, &err) != ANC_OK)
		fail_msg("%s", err.msg);
}

/* HEAD + steps refused, by validation or by the check, with `code` and
 * a message holding `msg`. */
static void
check_refused(const char *steps, int code, const char *msg)
{
	struct anc_ceremony *c = NULL;
	struct anc_err err;
	int r;

	anc_err_clear(&err);
	if ((r = anc_ceremony_load(write_script(steps), &c, &err)) == ANC_OK) {
		r = anc_ceremony_check(c, &err);
		anc_ceremony_free(c);
	}
	assert_int_equal(r, code);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err.msg, msg);
}

static void
done(struct run *run)
{
	anc_engine_clear(run->e);
	free(run->e);
	anc_ceremony_free(run->c);
}

static X509 *
cert(struct run *run, const char *name)
{
	struct anc_artifact *a = anc_engine_find(run->e, name);

	assert_non_null(a);
	assert_non_null(a->cert);
	return a->cert;
}

static void
assert_name(const X509_NAME *n, const char *want)
{
	char buf[256];

	X509_NAME_oneline(n, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* Signed by `issuer`'s key, under its name. */
static void
assert_issued_by(X509 *x, X509 *issuer)
{
	assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(issuer)), 0);
	assert_int_equal(X509_verify(x, X509_get0_pubkey(issuer)), 1);
	assert_int_equal(X509_check_issued(issuer, x), X509_V_OK);
}

static long
lifetime_hours(const X509 *x)
{
	int days, secs;

	assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x),
	    X509_get0_notAfter(x)), 1);
	return days * 24L + secs / 3600;
}

/* The outbox files a step of the run writes, joined by spaces. */
static void
assert_files(const struct anc_step *s, const char *want)
{
	char names[4][128], got[600] = "";
	size_t i, n = 0;

	assert_int_equal(anc_step_files(s, names, 4, &n), ANC_OK);
	for (i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
		    i > 0 ? " " : "", names[i]);
	assert_string_equal(got, want);
}

static void
assert_plan(const struct anc_step *s, const char *want)
{
	struct anc_err err;
	char *text = NULL;

	assert_int_equal(anc_step_describe(s, &text, &err), ANC_OK);
	if (strstr(text, want) == NULL)
		fail_msg("plan \"%s\" does not say \"%s\"", text, want);
	free(text);
}

static void
test_generate_key(void **state)
{
	struct run run;

	check(&run, "  - generate-key: { label: k384, algorithm: ecdsa-p384 }\n"
	    "  - self-sign: { key: k384, subject: { CN: r384 }, "
	    "output: r384 }\n");
	/* Each key is made once, with the algorithm its step names. */
	assert_int_equal(anc_key_alg(X509_get0_pubkey(cert(&run, "r"))),
	    ANC_KEY_EC_P256);
	assert_int_equal(anc_key_alg(X509_get0_pubkey(cert(&run, "r384"))),
	    ANC_KEY_EC_P384);
	assert_files(&run.c->steps[0], "");
	assert_plan(&run.c->steps[2], "generate an ecdsa-p384 key pair "
	    "labelled \"k384\" inside the token");
	done(&run);
	check_refused("  - generate-key: { label: k }\n", ANC_E_FIELD,
	    "duplicate label \"k\"");
}

static void
test_self_sign(void **state)
{
	struct run run;
	X509 *r;

	check(&run, "");
	r = cert(&run, "r");
	assert_name(X509_get_subject_name(r), "/C=DE/O=Org/CN=root");
	assert_issued_by(r, r);
	assert_int_equal(X509_check_ca(r), 1);
	assert_int_equal(X509_get_pathlen(r), 1);
	assert_int_equal(lifetime_hours(r), 87600);
	assert_files(&run.c->steps[1], "r.pem");
	assert_plan(&run.c->steps[1], "with token key \"k\", self-sign a root "
	    "certificate for CN=root, O=Org, C=DE, valid 87600h, path "
	    "length 1");
	done(&run);
}

static void
test_issue_intermediate(void **state)
{
	struct run run;
	struct anc_artifact *a;

	check(&run, "  - issue-intermediate: { issuer: r, subject: { CN: ica },"
	    " algorithm: ecdsa-p384, validity: 8760h, output: ica }\n"
	    "  - issue-intermediate: { issuer: old, subject: { CN: ica2 }, "
	    "output: ica2 }\n");
	a = anc_engine_find(run.e, "ica");
	assert_non_null(a);
	assert_issued_by(a->cert, cert(&run, "r"));
	assert_int_equal(X509_get_pathlen(a->cert), 0);
	assert_int_equal(lifetime_hours(a->cert), 8760);
	/* The key made in software belongs to the certificate. */
	assert_non_null(a->soft_key);
	assert_int_equal(anc_key_alg(a->soft_key), ANC_KEY_EC_P384);
	assert_int_equal(X509_check_private_key(a->cert, a->soft_key), 1);
	/* Under an input root, the throwaway copy of it signs. */
	assert_issued_by(cert(&run, "ica2"), cert(&run, "old"));
	assert_name(X509_get_issuer_name(cert(&run, "ica2")), "/CN=old root");
	assert_files(&run.c->steps[2], "ica.pem");
	done(&run);
	check_refused("  - issue-intermediate: { issuer: r, subject: { CN: i },"
	    " path-length: 1, output: i }\n", ANC_E_FIELD, "expected at most "
	    "0, below the path-length 1 of the issuer");
}

static void
test_sign_csr(void **state)
{
	struct run run;
	struct anc_artifact *q;
	X509 *x;

	check(&run, "  - sign-csr: { issuer: r, csr: q, output: v }\n"
	    "  - sign-csr: { issuer: r, csr: q384, subject: { CN: renamed }, "
	    "output: v384 }\n");
	x = cert(&run, "v");
	q = anc_engine_find(run.e, "q");
	assert_non_null(q);
	assert_non_null(q->csr);
	/* The requester's key and name, the root's signature. */
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x),
	    X509_REQ_get0_pubkey(q->csr)), 1);
	assert_name(X509_get_subject_name(x), "/CN=vault intermediate");
	assert_issued_by(x, cert(&run, "r"));
	assert_int_equal(X509_get_pathlen(x), 0);
	assert_name(X509_get_subject_name(cert(&run, "v384")), "/CN=renamed");
	assert_plan(&run.c->steps[2], "check the request q against the "
	    "policy");
	done(&run);
	check_refused("  - sign-csr: { issuer: r, csr: q384, policy: "
	    "{ algorithms: [ecdsa-p256] }, output: v }\n", ANC_E_POLICY,
	    "policy");
}

static void
test_cross_sign(void **state)
{
	struct run run;
	X509 *x, *r, *old;

	check(&run, "  - cross-sign: { issuer: old, certificate: r, "
	    "output: x }\n");
	x = cert(&run, "x");
	r = cert(&run, "r");
	old = cert(&run, "old");
	/* The new root's name and key, vouched for by the old root. */
	assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_subject_name(r)), 0);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), X509_get0_pubkey(r)),
	    1);
	assert_issued_by(x, old);
	assert_files(&run.c->steps[2], "x.pem");
	done(&run);
	check_refused("  - cross-sign: { issuer: r, certificate: r, "
	    "output: x }\n", ANC_E_FIELD, "expected a certificate other than "
	    "the issuer");
}

static void
test_bundle(void **state)
{
	struct run run;
	struct anc_artifact *b;
	int i, found_r = 0, found_old = 0;

	check(&run, "  - bundle: { anchors: [old, r], output: b }\n");
	b = anc_engine_find(run.e, "b");
	assert_non_null(b);
	assert_int_equal(sk_X509_num(b->certs), 2);
	for (i = 0; i < 2; i++) {
		found_r += X509_cmp(sk_X509_value(b->certs, i),
		    cert(&run, "r")) == 0;
		found_old += X509_cmp(sk_X509_value(b->certs, i),
		    cert(&run, "old")) == 0;
	}
	assert_int_equal(found_r, 1);
	assert_int_equal(found_old, 1);
	/* Newest first. */
	assert_int_equal(X509_cmp(sk_X509_value(b->certs, 0), cert(&run, "r")),
	    0);
	assert_files(&run.c->steps[2], "b.pem");
	assert_plan(&run.c->steps[2], "make a trust bundle of old, r");
	done(&run);
	check_refused("  - bundle: { anchors: [r], retires: [old], output: b "
	    "}\n", ANC_E_FIELD, "required with retires");
}

static void
test_sign_crl(void **state)
{
	struct run run;
	X509_REVOKED *rv = NULL;
	ASN1_ENUMERATED *reason;
	X509_CRL *crl;
	ASN1_INTEGER *num;
	X509 *ica;

	check(&run, "  - issue-intermediate: { issuer: r, subject: { CN: i }, "
	    "output: i }\n"
	    "  - sign-crl: { issuer: r, crl-number: 7, revoke: [{ certificate: "
	    "i, reason: keyCompromise }], output: crl }\n");
	ica = cert(&run, "i");
	crl = anc_engine_find(run.e, "crl")->crl;
	assert_non_null(crl);
	assert_int_equal(X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(cert(&run, "r"))), 0);
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(cert(&run,
	    "r"))), 1);
	assert_int_equal(X509_CRL_get0_by_serial(crl, &rv,
	    X509_get_serialNumber(ica)), 1);
	assert_non_null(rv);
	reason = X509_REVOKED_get_ext_d2i(rv, NID_crl_reason, NULL, NULL);
	assert_non_null(reason);
	assert_int_equal(ASN1_ENUMERATED_get(reason), 1);	/* keyCompromise */
	ASN1_ENUMERATED_free(reason);
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	assert_non_null(num);
	assert_int_equal(ASN1_INTEGER_get(num), 7);
	ASN1_INTEGER_free(num);
	assert_files(&run.c->steps[3], "crl.pem");
	done(&run);
	check_refused("  - issue-intermediate: { issuer: old, subject: "
	    "{ CN: i }, output: i }\n"
	    "  - sign-crl: { issuer: r, crl-number: 1, revoke: [{ certificate: "
	    "i }], output: crl }\n", ANC_E_FIELD, "not by this CRL's issuer");
}

static void
test_export_secret(void **state)
{
	struct run run;

	check(&run, "  - issue-intermediate: { issuer: r, subject: { CN: i }, "
	    "output: i }\n"
	    "  - export-secret: { issuing-ca: i, namespace: ns }\n");
	assert_files(&run.c->steps[3], "manifests/secret-m8-trust-anchor.yaml");
	assert_plan(&run.c->steps[3], "write the kubernetes.io/tls Secret "
	    "ns/m8-trust-anchor holding i and its key");
	done(&run);
	check_refused("  - export-secret: { issuing-ca: r }\n", ANC_E_FIELD,
	    "expected an issue-intermediate output");
}

static void
test_export_bundle(void **state)
{
	struct run run;

	check(&run, "  - bundle: { anchors: [r], output: b }\n"
	    "  - export-bundle: { bundle: b, name: tb }\n");
	assert_files(&run.c->steps[3], "manifests/configmap-tb.yaml "
	    "manifests/bundle-tb.yaml");
	/* The source goes to trust-manager's trust namespace by default. */
	assert_plan(&run.c->steps[3], "ConfigMap cert-manager/tb-source of b "
	    "(trust-manager's trust namespace) and the trust-manager Bundle "
	    "tb that delivers it to namespace monoskope");
	done(&run);
	check_refused("  - bundle: { anchors: [r], output: b }\n"
	    "  - export-bundle: { bundle: b, name: "
	    "a23456789012345678901234567890123456789012345678901234567 }\n",
	    ANC_E_FIELD, "expected at most 56 characters");
}

static void
test_export_issuer(void **state)
{
	struct run run;

	/* A ClusterIssuer gets no Helm values (Monoskope's chart would make
	 * a namespaced Issuer that cannot read its Secret). */
	check(&run, "  - export-issuer: { kind: ClusterIssuer, name: ci }\n");
	assert_files(&run.c->steps[2], "manifests/issuer-ci.yaml");
	assert_plan(&run.c->steps[2], "write the cert-manager ClusterIssuer "
	    "ci using Secret cert-manager/m8-trust-anchor (no Helm values");
	done(&run);
	check(&run, "  - export-issuer: { name: is }\n");
	assert_files(&run.c->steps[2], "manifests/issuer-is.yaml "
	    "helm-values-is.yaml");
	assert_plan(&run.c->steps[2], "write the cert-manager Issuer "
	    "monoskope/is using Secret monoskope/m8-trust-anchor");
	done(&run);
}

static void
test_export_vault(void **state)
{
	struct run run;

	check(&run, "  - sign-csr: { issuer: r, csr: q, output: v }\n"
	    "  - export-vault: { certificate: v }\n");
	assert_files(&run.c->steps[3], "vault-chain.pem "
	    "vault-chain.README.txt");
	done(&run);
	check_refused("  - export-vault: { certificate: r }\n", ANC_E_FIELD,
	    "expected a sign-csr output");
}

static void
test_split_pin(void **state)
{
	struct run run;

	check(&run, "  - split-pin: { threshold: 2, officers: [C, D, E] }\n");
	assert_files(&run.c->steps[2], "");
	assert_plan(&run.c->steps[2], "any 2 of the 3 officers rebuild it");
	done(&run);
	check_refused("  - split-pin: { threshold: 2, officers: [A, D] }\n",
	    ANC_E_FIELD, "expected role crypto-officer");
}

/*
 * The backup steps need two tokens and run only with `ceremony run`
 * (tests/integration/t_backup.sh); here, what their checks refuse.
 */
static void
test_backup(void **state)
{
	check_refused("  - backup-keypair: { label: u, output: u }\n",
	    ANC_E_FIELD, "backup-token: required because steps[3] "
	    "(backup-keypair) uses the backup token");
	check_refused("  - backup-keypair: { label: u, output: u }\n"
	    "  - backup-trust: { unwrap-key: u }\n"
	    "  - backup-wrap: { key: k, output: w }\n", ANC_E_FIELD,
	    "steps[2] (self-sign) signs with the token before it");
	check_refused("  - backup-wrap: { key: k, output: w }\n", ANC_E_FIELD,
	    "expected a backup-trust step right before it");
	check_refused("  - backup-verify: { key: k, certificate: r }\n",
	    ANC_E_FIELD, "no earlier backup-restore step restores \"k\"");
}

/* Every kind is a complete type, listed once under its own name. */
static void
test_types(void **state)
{
	const struct anc_step_type *t;
	size_t i, j;

	assert_true(anc_n_step_types > 0);
	assert_true(anc_n_step_types <= ANC_CER_STEP_KINDS_MAX);
	for (i = 0; i < anc_n_step_types; i++) {
		t = anc_step_types[i];
		assert_non_null(t->fields);
		assert_true(t->n_fields > 0);
		assert_non_null(t->plan);
		assert_non_null(t->run);
		for (j = 0; j < i; j++) {
			assert_int_not_equal(anc_step_types[j]->kind, t->kind);
			assert_string_not_equal(anc_step_types[j]->name,
			    t->name);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_generate_key),
		cmocka_unit_test(test_self_sign),
		cmocka_unit_test(test_issue_intermediate),
		cmocka_unit_test(test_sign_csr),
		cmocka_unit_test(test_cross_sign),
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_sign_crl),
		cmocka_unit_test(test_export_secret),
		cmocka_unit_test(test_export_bundle),
		cmocka_unit_test(test_export_issuer),
		cmocka_unit_test(test_export_vault),
		cmocka_unit_test(test_split_pin),
		cmocka_unit_test(test_backup),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
