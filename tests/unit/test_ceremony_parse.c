/*
 * Ceremony script parsing: a complete script becomes exactly the model it
 * says, defaults included, and every kind of malformed script is refused
 * with the exact message an operator would read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "ceremony_int.h"

/* Lines 1-7; a test's steps start on line 8. */
#define HEAD \
	"version: 1\n" \
	"name: t\n" \
	"token: \"pkcs11:token=t\"\n" \
	"participants:\n" \
	"  - { name: A, role: administrator }\n" \
	"  - { name: B, role: witness }\n" \
	"steps:\n"

#define GENKEY "  - generate-key: { label: k }\n"
#define ROOT "  - self-sign: { key: k, subject: { CN: r }, output: r }\n"

static const char good[] =
	"version: 1\n"
	"name: monoskope-root-2026\n"
	"description: |\n"
	"  New root for 2026.\n"
	"  Witnessed by the platform team.\n"
	"token: \"pkcs11:token=m8-root\"\n"
	"participants:\n"
	"  - { name: Alice Example, role: administrator }\n"
	"  - { name: Bob Example, role: witness }\n"
	"  - name: \"Zoë Example\"\n"
	"    role: crypto-officer\n"
	"inputs:\n"
	"  - certificate: { name: old-root, file: old/root.pem, key: m8-root-2016,\n"
	"                   sha256: ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789 }\n"
	"  - certificate: { name: old-issuing, file: /srv/old/issuing.pem }\n"
	"  - csr: { name: vault-csr, file: vault.csr }\n"
	"  - inventory: { name: cluster-inventory, file: inventory.json }\n"
	"steps:\n"
	"  - generate-key: { label: m8-root-2026 }\n"
	"  - self-sign:\n"
	"      key: m8-root-2026\n"
	"      subject: { CN: root.monoskope.cluster.local, OU: Platform, O: Monoskope, L: Berlin, ST: Berlin, C: DE }\n"
	"      output: root-2026\n"
	"  - issue-intermediate: { issuer: root-2026, subject: { CN: m8-issuing-ca-2026 },\n"
	"                          output: issuing-2026 }\n"
	"  - sign-csr: { issuer: root-2026, csr: vault-csr, output: vault-int }\n"
	"  - cross-sign: { issuer: old-root, certificate: root-2026, output: root-2026-cross }\n"
	"  - bundle: { anchors: [old-root, root-2026], output: trust-bundle }\n"
	"  - sign-crl:\n"
	"      issuer: old-root\n"
	"      crl-number: 7\n"
	"      revoke:\n"
	"        - { certificate: old-issuing, reason: superseded }\n"
	"        - certificate: root-2026-cross\n"
	"      output: old-root-crl\n"
	"  - export-secret: { issuing-ca: issuing-2026 }\n"
	"  - export-bundle: { bundle: trust-bundle }\n"
	"  - export-issuer: { kind: ClusterIssuer }\n"
	"  - export-vault: { certificate: vault-int }\n";

static int
load(const char *path, const char *text, struct anc_ceremony **c,
    struct anc_err *err)
{
	int r;

	*c = NULL;
	anc_err_clear(err);
	r = anc_parse(path, (const unsigned char *)text, strlen(text), c, err);
	if (r == ANC_OK)
		r = anc_validate(*c, err);
	return r;
}

/* Parse and validate a script that must be accepted; say why if not. */
static struct anc_ceremony *
load_ok(const char *path, const char *text)
{
	struct anc_ceremony *c;
	struct anc_err err;

	if (load(path, text, &c, &err) != ANC_OK)
		fail_msg("%s", err.msg);
	return c;
}

static void
expect(const char *text, int code, const char *msg)
{
	struct anc_ceremony *c;
	struct anc_err err;
	int r;

	r = load("c.yaml", text, &c, &err);
	anc_ceremony_model_free(c);
	assert_string_equal(err.msg, msg);
	assert_int_equal(r, code);
	assert_int_equal(err.code, code);
}

static void
expect_ok(const char *text)
{
	anc_ceremony_model_free(load_ok("c.yaml", text));
}

static void
test_good_top(void **state)
{
	struct anc_ceremony *c;
	char hex[ANC_SHA256_HEX];

	c = load_ok("ceremonies/root.yaml", good);
	assert_string_equal(c->path, "ceremonies/root.yaml");
	assert_string_equal(c->dir, "ceremonies");
	anc_sha256_hex(good, strlen(good), hex);
	assert_string_equal(c->sha256, hex);
	assert_int_equal(c->version, 1);
	assert_string_equal(c->name, "monoskope-root-2026");
	assert_string_equal(c->description,
	    "New root for 2026.\nWitnessed by the platform team.\n");
	assert_string_equal(c->token, "pkcs11:token=m8-root");
	assert_int_equal(c->token_line, 6);
	assert_int_equal(c->n_participants, 3);
	assert_string_equal(c->participants[0].name, "Alice Example");
	assert_int_equal(c->participants[0].role, ANC_ROLE_ADMINISTRATOR);
	assert_int_equal(c->participants[0].line, 8);
	assert_int_equal(c->participants[1].role, ANC_ROLE_WITNESS);
	assert_string_equal(c->participants[2].name, "Zoë Example");
	assert_int_equal(c->participants[2].role, ANC_ROLE_CRYPTO_OFFICER);
	assert_int_equal(c->participants[2].line, 10);
	assert_int_equal(c->n_steps, 11);
	anc_ceremony_model_free(c);
}

static void
test_good_inputs(void **state)
{
	struct anc_ceremony *c;
	const struct anc_input *in;

	c = load_ok("ceremonies/root.yaml", good);
	assert_int_equal(c->n_inputs, 4);
	in = &c->inputs[0];
	assert_int_equal(in->kind, ANC_INPUT_CERTIFICATE);
	assert_string_equal(in->name, "old-root");
	assert_string_equal(in->file, "old/root.pem");
	assert_string_equal(in->path, "ceremonies/old/root.pem");
	assert_string_equal(in->key, "m8-root-2016");
	/* Stored lowercase, as sha256sum prints it. */
	assert_string_equal(in->sha256, "abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789");
	assert_int_equal(in->line, 13);
	in = &c->inputs[1];
	assert_string_equal(in->path, "/srv/old/issuing.pem");
	assert_null(in->key);
	assert_null(in->sha256);
	in = &c->inputs[2];
	assert_int_equal(in->kind, ANC_INPUT_CSR);
	assert_string_equal(in->path, "ceremonies/vault.csr");
	assert_int_equal(c->inputs[3].kind, ANC_INPUT_INVENTORY);
	anc_ceremony_model_free(c);
}

static void
test_good_root_steps(void **state)
{
	struct anc_ceremony *c;
	const struct anc_step *s;
	static const char *const types[] = { "C", "ST", "L", "O", "OU", "CN" };
	static const char *const values[] = { "DE", "Berlin", "Berlin",
	    "Monoskope", "Platform", "root.monoskope.cluster.local" };
	size_t i;

	c = load_ok("ceremonies/root.yaml", good);
	s = &c->steps[0];
	assert_int_equal(s->kind, ANC_STEP_GENERATE_KEY);
	assert_int_equal(s->index, 1);
	assert_int_equal(s->line, 19);
	assert_string_equal(s->label, "m8-root-2026");
	assert_int_equal(s->algorithm, ANC_KEY_EC_P256);
	assert_null(s->output);

	s = &c->steps[1];
	assert_int_equal(s->kind, ANC_STEP_SELF_SIGN);
	assert_int_equal(s->index, 2);
	assert_int_equal(s->line, 20);
	assert_string_equal(s->key, "m8-root-2026");
	/* Encoding order, whatever the order in the script. */
	assert_int_equal(s->subject.n, 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(s->subject.attrs[i].type, types[i]);
		assert_string_equal(s->subject.attrs[i].value, values[i]);
	}
	assert_true(s->validity == 87600ULL * 3600);
	assert_int_equal(s->path_length, 1);
	assert_string_equal(s->output, "root-2026");
	assert_int_equal(s->lines.output, 23);
	assert_int_equal(s->lines.validity, 0);
	anc_ceremony_model_free(c);
}

static void
test_good_ca_steps(void **state)
{
	struct anc_ceremony *c;
	const struct anc_step *s;

	c = load_ok("ceremonies/root.yaml", good);
	s = &c->steps[2];
	assert_int_equal(s->kind, ANC_STEP_ISSUE_INTERMEDIATE);
	assert_string_equal(s->issuer, "root-2026");
	assert_int_equal(s->subject.n, 1);
	assert_string_equal(s->subject.attrs[0].type, "CN");
	assert_true(s->validity == 43800ULL * 3600);
	assert_int_equal(s->path_length, 0);
	assert_int_equal(s->algorithm, ANC_KEY_EC_P256);
	assert_int_equal(s->lines.output, 25);

	s = &c->steps[3];
	assert_int_equal(s->kind, ANC_STEP_SIGN_CSR);
	assert_string_equal(s->csr, "vault-csr");
	assert_int_equal(s->subject.n, 0);
	assert_true(s->validity == 43800ULL * 3600);
	assert_int_equal(s->path_length, 0);
	assert_int_equal(s->policy_algs, 0x1f);
	assert_true(s->policy_max_validity == 87600ULL * 3600);
	assert_int_equal(s->policy_max_path_length, 0);

	s = &c->steps[4];
	assert_int_equal(s->kind, ANC_STEP_CROSS_SIGN);
	assert_string_equal(s->issuer, "old-root");
	assert_string_equal(s->certificate, "root-2026");
	assert_true(s->validity == 43800ULL * 3600);
	assert_int_equal(s->path_length, 1);
	assert_string_equal(s->output, "root-2026-cross");
	anc_ceremony_model_free(c);
}

static void
test_good_bundle_crl(void **state)
{
	struct anc_ceremony *c;
	const struct anc_step *s;

	c = load_ok("ceremonies/root.yaml", good);
	s = &c->steps[5];
	assert_int_equal(s->kind, ANC_STEP_BUNDLE);
	assert_int_equal(s->n_anchors, 2);
	assert_string_equal(s->anchors[0], "old-root");
	assert_string_equal(s->anchors[1], "root-2026");
	assert_int_equal(s->anchor_lines[1], 28);
	assert_string_equal(s->output, "trust-bundle");

	s = &c->steps[6];
	assert_int_equal(s->kind, ANC_STEP_SIGN_CRL);
	assert_true(s->crl_number == 7);
	assert_true(s->validity == 720ULL * 3600);
	assert_int_equal(s->n_revoke, 2);
	assert_string_equal(s->revoke[0].certificate, "old-issuing");
	assert_int_equal(s->revoke[0].reason, ANC_REASON_SUPERSEDED);
	assert_int_equal(s->revoke[0].line, 33);
	assert_string_equal(s->revoke[1].certificate, "root-2026-cross");
	assert_int_equal(s->revoke[1].reason, ANC_REASON_UNSPECIFIED);
	assert_string_equal(s->output, "old-root-crl");
	anc_ceremony_model_free(c);
}

static void
test_good_exports(void **state)
{
	struct anc_ceremony *c;
	const struct anc_step *s;

	c = load_ok("ceremonies/root.yaml", good);
	s = &c->steps[7];
	assert_int_equal(s->kind, ANC_STEP_EXPORT_SECRET);
	assert_string_equal(s->k8s_name, "m8-trust-anchor");
	assert_string_equal(s->k8s_namespace, "monoskope");
	assert_string_equal(s->issuing_ca, "issuing-2026");
	s = &c->steps[8];
	assert_int_equal(s->kind, ANC_STEP_EXPORT_BUNDLE);
	assert_string_equal(s->k8s_name, "m8-trust-bundle");
	/* trust-namespace: trust-manager's default trust namespace */
	assert_string_equal(s->k8s_namespace, "cert-manager");
	assert_string_equal(s->target_namespace, "monoskope");
	assert_string_equal(s->bundle, "trust-bundle");
	s = &c->steps[9];
	assert_int_equal(s->kind, ANC_STEP_EXPORT_ISSUER);
	assert_string_equal(s->k8s_name, "m8-root-ca-issuer");
	assert_string_equal(s->k8s_namespace, "monoskope");
	assert_int_equal(s->cluster_issuer, 1);
	assert_string_equal(s->secret, "m8-trust-anchor");
	assert_string_equal(s->cluster_namespace, "cert-manager");
	s = &c->steps[10];
	assert_int_equal(s->kind, ANC_STEP_EXPORT_VAULT);
	assert_string_equal(s->certificate, "vault-int");
	assert_string_equal(s->output, "vault-chain");
	assert_int_equal(s->lines.output, 0);
	anc_ceremony_model_free(c);
}

static void
test_explicit_values(void **state)
{
	struct anc_ceremony *c;
	const struct anc_step *s;

	c = load_ok("/c.yaml", HEAD
	    "  - generate-key: { label: \"HSM key #1\", algorithm: rsa-4096 }\n"
	    "  - self-sign: { key: \"HSM key #1\", subject: { CN: r },\n"
	    "                 validity: 87601h30m, path-length: none, output: r }\n"
	    "  - issue-intermediate: { issuer: r, subject: { CN: i },\n"
	    "      validity: 30d, path-length: 16, algorithm: rsa-3072, output: i }\n"
	    "  - export-issuer: { name: x, namespace: cert-manager, kind: Issuer,\n"
	    "      secret: s }\n"
	    "  - bundle: { anchors: [r], output: b }\n"
	    "  - export-bundle: { bundle: b, trust-namespace: cert-manager,\n"
	    "      target-namespace: apps }\n");
	assert_string_equal(c->dir, "/");
	s = &c->steps[0];
	assert_string_equal(s->label, "HSM key #1");
	assert_int_equal(s->algorithm, ANC_KEY_RSA_4096);
	s = &c->steps[1];
	assert_true(s->validity == 87601ULL * 3600 + 1800);
	assert_int_equal(s->path_length, ANC_PATHLEN_NONE);
	assert_int_equal(s->lines.validity, 10);
	s = &c->steps[2];
	assert_true(s->validity == 30ULL * 86400);
	assert_int_equal(s->path_length, 16);
	assert_int_equal(s->algorithm, ANC_KEY_RSA_3072);
	s = &c->steps[3];
	assert_int_equal(s->cluster_issuer, 0);
	assert_string_equal(s->secret, "s");
	assert_string_equal(s->k8s_namespace, "cert-manager");
	s = &c->steps[5];
	assert_string_equal(s->k8s_namespace, "cert-manager");
	assert_string_equal(s->target_namespace, "apps");
	anc_ceremony_model_free(c);
}

static void
test_policy(void **state)
{
	struct anc_ceremony *c;
	const struct anc_step *s;

	c = load_ok("c.yaml", HEAD GENKEY ROOT
	    "  - sign-csr: { issuer: r, csr: q, subject: { CN: v, O: o },\n"
	    "      validity: 8760h, path-length: 0,\n"
	    "      policy: { algorithms: [ecdsa-p384, rsa-4096],\n"
	    "                max-validity: 17520h, max-path-length: none },\n"
	    "      output: v }\n"
	    "inputs: [ { csr: { name: q, file: q.csr } } ]\n");
	assert_string_equal(c->inputs[0].path, "q.csr");
	assert_string_equal(c->dir, ".");
	s = &c->steps[2];
	assert_int_equal(s->policy_algs,
	    (1u << ANC_POLICY_EC_P384) | (1u << ANC_POLICY_RSA_4096));
	assert_true(s->policy_max_validity == 17520ULL * 3600);
	assert_int_equal(s->policy_max_path_length, ANC_PATHLEN_NONE);
	assert_string_equal(s->subject.attrs[0].type, "O");
	assert_string_equal(s->subject.attrs[1].type, "CN");
	anc_ceremony_model_free(c);
}

/* What YAML 1.1 would read as numbers or booleans is text where text is
 * expected: no Norway problem. */
static void
test_plain_strings(void **state)
{
	struct anc_ceremony *c;

	c = load_ok("c.yaml",
	    "version: 1\nname: 2026\n"
	    "participants: [ { name: 1, role: administrator },\n"
	    "                { name: no, role: witness } ]\n"
	    "steps: [ { bundle: { anchors: [r], output: 2026 } } ]\n"
	    "inputs: [ { certificate: { name: r, file: 0755 } } ]\n");
	assert_string_equal(c->name, "2026");
	assert_string_equal(c->participants[1].name, "no");
	assert_string_equal(c->steps[0].output, "2026");
	assert_string_equal(c->inputs[0].file, "0755");
	assert_null(c->token);
	assert_int_equal(c->token_line, 0);
	anc_ceremony_model_free(c);
}

static void
test_yaml_syntax(void **state)
{
	expect("version: 1\nname: [t\n", ANC_E_SYNTAX,
	    "c.yaml:3: YAML syntax error: did not find expected ',' or ']'");
	expect("version: 1\n name: t\n", ANC_E_SYNTAX,
	    "c.yaml:2: YAML syntax error: mapping values are not allowed "
	    "in this context");
	expect("version: 1\nname: \"t\xff\"\n", ANC_E_SYNTAX,
	    "c.yaml:2: YAML syntax error: invalid leading UTF-8 octet");
}

static void
test_yaml_refused(void **state)
{
	expect(HEAD "  - generate-key: &k { label: k }\n", ANC_E_SYNTAX,
	    "c.yaml:8: anchors are not allowed");
	expect(HEAD "  - generate-key: { label: k }\n"
	    "  - generate-key: *k\n", ANC_E_SYNTAX,
	    "c.yaml:9: aliases are not allowed");
	expect(HEAD "  - generate-key: { label: !!str k }\n", ANC_E_SYNTAX,
	    "c.yaml:8: tags are not allowed");
	expect("version: !<tag:yaml.org,2002:int> 1\n", ANC_E_SYNTAX,
	    "c.yaml:1: tags are not allowed");
	expect("%TAG !m! tag:example.com,2026:\n---\nversion: 1\n",
	    ANC_E_SYNTAX, "c.yaml:1: tag directives are not allowed");
	expect("version: 1\n---\nversion: 1\n", ANC_E_SYNTAX,
	    "c.yaml:2: multiple documents are not allowed");
	/* Refused before the schema is looked at: an unknown key first. */
	expect("foo: 1\nbar: &a 2\n", ANC_E_SYNTAX,
	    "c.yaml:2: anchors are not allowed");
}

static void
test_limits(void **state)
{
	char *big;
	size_t n;

	expect("description: [[[[[[[[x]]]]]]]]\n", ANC_E_SYNTAX,
	    "c.yaml:1: nesting deeper than 8 levels is not allowed");
	/* Seven inner levels are YAML-legal; then the schema says no. */
	expect("description: [[[[[[[x]]]]]]]\n", ANC_E_FIELD,
	    "c.yaml:1: description: expected a string");

	n = ANC_CER_FILE_MAX + 1;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, '#', n);
	big[n] = '\0';
	expect(big, ANC_E_SYNTAX, "c.yaml: larger than the limit of "
	    "262144 bytes");
	/* A scalar one byte too long. */
	memcpy(big, "description: ", 13);
	memset(big + 13, 'a', ANC_CER_SCALAR_MAX + 1);
	strcpy(big + 13 + ANC_CER_SCALAR_MAX + 1, "\n");
	expect(big, ANC_E_SYNTAX, "c.yaml:1: a scalar of 4097 bytes is "
	    "longer than the limit of 4096");
	free(big);
}

static void
test_text(void **state)
{
	expect("description: \"a\\u202eb\"\n", ANC_E_SYNTAX,
	    "c.yaml:1: character U+202E is not allowed (a control or "
	    "invisible formatting character)");
	expect("description: \"a\\x07\"\n", ANC_E_SYNTAX,
	    "c.yaml:1: character U+0007 is not allowed (a control or "
	    "invisible formatting character)");
	expect("description: \"\\0\"\n", ANC_E_SYNTAX,
	    "c.yaml:1: character U+0000 is not allowed (a control or "
	    "invisible formatting character)");
	/* Tabs and newlines belong in a description, not in a name. */
	expect(HEAD "  - self-sign: { key: k, subject: { CN: \"a\\tb\" }, "
	    "output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.subject.CN: expected 1 to 64 "
	    "characters on one line, without spaces at either end");
}

static void
test_shape(void **state)
{
	expect("", ANC_E_FIELD,
	    "c.yaml:1: expected a mapping, found an empty script");
	expect("- version\n", ANC_E_FIELD, "c.yaml:1: expected a mapping");
	expect("version: 1\nfoo: 1\n", ANC_E_FIELD,
	    "c.yaml:2: unknown field \"foo\"; expected one of: version, "
	    "name, description, token, backup-token, quorum, participants, "
	    "inputs, steps");
	expect("version: 1\nversion: 1\n", ANC_E_FIELD,
	    "c.yaml:2: duplicate key \"version\"");
	expect("version: 1\nname: t\n", ANC_E_FIELD,
	    "c.yaml:1: missing required field \"participants\"");
	expect("version: 1\nname: t\nparticipants: []\n", ANC_E_FIELD,
	    "c.yaml:3: participants: expected a list of 1 to 64 "
	    "participants");
	expect(HEAD "  []\n", ANC_E_FIELD,
	    "c.yaml:8: steps: expected a list of 1 to 256 steps");
	expect("? [a]\n: 1\n", ANC_E_FIELD,
	    "c.yaml:1: expected a field name, not a mapping or list");
}

static void
test_version(void **state)
{
	expect("version: \"1\"\n", ANC_E_FIELD,
	    "c.yaml:1: version: expected an integer");
	expect("version: 01\n", ANC_E_FIELD,
	    "c.yaml:1: version: expected an integer");
	expect("version: 1.0\n", ANC_E_FIELD,
	    "c.yaml:1: version: expected an integer");
	expect("version: 2\n", ANC_E_FIELD,
	    "c.yaml:1: version: unsupported version 2; expected 1");
	expect("version: 99999999999999999999\n", ANC_E_FIELD,
	    "c.yaml:1: version: expected an integer");
}

static void
test_names(void **state)
{
	expect("version: 1\nname: \"root 2026\"\n", ANC_E_FIELD,
	    "c.yaml:2: name: expected 1 to 63 characters from A-Z, a-z, "
	    "0-9, '.', '_' and '-', starting and ending with a letter or "
	    "digit");
	expect("version: 1\nname: \"-root\"\n", ANC_E_FIELD,
	    "c.yaml:2: name: expected 1 to 63 characters from A-Z, a-z, "
	    "0-9, '.', '_' and '-', starting and ending with a letter or "
	    "digit");
	expect("version: 1\nname: \"\"\n", ANC_E_FIELD,
	    "c.yaml:2: name: expected 1 to 63 characters from A-Z, a-z, "
	    "0-9, '.', '_' and '-', starting and ending with a letter or "
	    "digit");
	expect(HEAD GENKEY "  - self-sign: { key: k, subject: { CN: r }, "
	    "output: Root }\n", ANC_E_FIELD,
	    "c.yaml:9: steps[2].self-sign.output: expected a name of at "
	    "most 63 lowercase letters, digits, '.' and '-', starting and "
	    "ending with a letter or digit");
	expect(HEAD "  - generate-key: { label: \" k\" }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].generate-key.label: expected 1 to 64 "
	    "printable ASCII characters, without spaces at either end");
	expect(HEAD "  - export-secret: { issuing-ca: i, namespace: a.b }\n",
	    ANC_E_FIELD, "c.yaml:8: steps[1].export-secret.namespace: "
	    "expected a Kubernetes namespace of at most 63 lowercase "
	    "letters, digits and '-', starting and ending with a letter or "
	    "digit");
	expect(HEAD "  - export-issuer: { name: -x }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].export-issuer.name: expected a Kubernetes "
	    "name of at most 63 lowercase letters, digits, '.' and '-', "
	    "starting and ending with a letter or digit");
}

static void
test_participants(void **state)
{
	expect("version: 1\nname: t\nparticipants:\n"
	    "  - { name: A, role: administrator }\n"
	    "  - { name: B, role: auditor }\n", ANC_E_FIELD,
	    "c.yaml:4: participants: expected at least one participant "
	    "with role witness");
	expect("version: 1\nname: t\nparticipants:\n"
	    "  - { name: A, role: witness }\n", ANC_E_FIELD,
	    "c.yaml:4: participants: expected at least one participant "
	    "with role administrator");
	expect("version: 1\nname: t\nparticipants:\n"
	    "  - { name: A, role: administrator }\n"
	    "  - { name: A, role: witness }\n", ANC_E_FIELD,
	    "c.yaml:5: participants[2].name: \"A\" is already "
	    "participants[1]");
	expect("version: 1\nname: t\nparticipants:\n"
	    "  - { name: A, role: boss }\n", ANC_E_FIELD,
	    "c.yaml:4: participants[1].role: expected one of: "
	    "administrator, witness, crypto-officer, auditor, observer");
	expect("version: 1\nname: t\nparticipants:\n"
	    "  - { name: A }\n", ANC_E_FIELD,
	    "c.yaml:4: participants[1]: missing required field \"role\"");
}

static void
test_token(void **state)
{
	expect("token: \"pkcs11:token=t;pin-value=1234\"\n", ANC_E_FIELD,
	    "c.yaml:1: token: pin-value is not allowed: a PIN is never "
	    "written in a script");
	expect("token: \"pkcs11:token=t?PIN%2dSource=file:/p\"\n",
	    ANC_E_FIELD, "c.yaml:1: token: pin-source is not allowed: the "
	    "PIN source is given when the ceremony runs (--pin-source)");
	expect("token: \"token=t\"\n", ANC_E_FIELD,
	    "c.yaml:1: token: expected a PKCS#11 URI (RFC 7512) such as "
	    "pkcs11:token=m8-root");
}

static void
test_steps_shape(void **state)
{
	expect(HEAD "  - generate-keys: { label: k }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1]: unknown step kind \"generate-keys\"; "
	    "expected one of: generate-key, self-sign, issue-intermediate, "
	    "sign-csr, cross-sign, bundle, sign-crl, export-secret, "
	    "export-bundle, export-issuer, export-vault, split-pin, "
	    "backup-keypair, backup-trust, backup-wrap, backup-restore, "
	    "backup-verify, batch-issue-intermediate, batch-sign-csr");
	expect(HEAD "  - generate-key: { label: k, size: 4096 }\n",
	    ANC_E_FIELD, "c.yaml:8: steps[1].generate-key: unknown field "
	    "\"size\"; expected one of: label, algorithm, backup");
	expect(HEAD "  - export-bundle: { bundle: b, target: x }\n",
	    ANC_E_FIELD, "c.yaml:8: steps[1].export-bundle: unknown field "
	    "\"target\"; expected one of: name, trust-namespace, "
	    "target-namespace, bundle");
	expect(HEAD "  - generate-key: { label: k, label: j }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].generate-key: duplicate key \"label\"");
	expect(HEAD "  - generate-key: { algorithm: ecdsa-p384 }\n",
	    ANC_E_FIELD, "c.yaml:8: steps[1].generate-key: missing required "
	    "field \"label\"");
	expect(HEAD "  - generate-key: { label: k }\n    output: x\n",
	    ANC_E_FIELD, "c.yaml:9: steps[1]: expected only one key, the "
	    "step kind; found also \"output\"");
	expect(HEAD "  - generate-key:\n    label: k\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].generate-key: expected a mapping");
	expect(HEAD "  - generate-key\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1]: expected a mapping with one key, the step "
	    "kind");
}

static void
test_algorithms(void **state)
{
	expect(HEAD "  - generate-key: { label: k, algorithm: rsa-2048 }\n",
	    ANC_E_FIELD, "c.yaml:8: steps[1].generate-key.algorithm: "
	    "expected one of: ecdsa-p256, ecdsa-p384, rsa-3072, rsa-4096");
	expect(HEAD "  - issue-intermediate: { issuer: r, subject: { CN: i },"
	    " algorithm: rsa-4096, output: i }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].issue-intermediate.algorithm: expected one "
	    "of: ecdsa-p256, ecdsa-p384, rsa-3072");
	expect(HEAD "  - sign-csr: { issuer: r, csr: c, output: o,\n"
	    "      policy: { algorithms: [rsa-1024] } }\n", ANC_E_FIELD,
	    "c.yaml:9: steps[1].sign-csr.policy.algorithms[1]: expected one "
	    "of: rsa-2048, rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384");
	expect(HEAD "  - sign-csr: { issuer: r, csr: c, output: o,\n"
	    "      policy: { algorithms: [rsa-2048, rsa-2048] } }\n",
	    ANC_E_FIELD, "c.yaml:9: steps[1].sign-csr.policy.algorithms[2]: "
	    "duplicate algorithm \"rsa-2048\"");
	expect(HEAD "  - sign-csr: { issuer: r, csr: c, output: o,\n"
	    "      policy: { algorithms: [] } }\n", ANC_E_FIELD,
	    "c.yaml:9: steps[1].sign-csr.policy.algorithms: expected a list "
	    "of 1 to 5 algorithms");
}

static void
test_durations(void **state)
{
	expect(HEAD "  - self-sign: { key: k, subject: { CN: r }, "
	    "validity: 10y, output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.validity: expected a duration "
	    "such as 87600h");
	expect(HEAD "  - self-sign: { key: k, subject: { CN: r }, "
	    "validity: 30m1h, output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.validity: expected a duration "
	    "such as 87600h");
	expect(HEAD "  - self-sign: { key: k, subject: { CN: r }, "
	    "validity: 59m, output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.validity: expected a duration of "
	    "at least 1h");
	expect(HEAD "  - self-sign: { key: k, subject: { CN: r }, "
	    "validity: 36601d, output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.validity: expected a duration of "
	    "at most 878400h");
	expect(HEAD "  - sign-crl: { issuer: r, crl-number: 1, validity: 0s, "
	    "output: c }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].sign-crl.validity: expected a duration of "
	    "at least 1s");
	expect(HEAD "  - sign-crl: { issuer: r, crl-number: 1, validity: "
	    "{ h: 1 }, output: c }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].sign-crl.validity: expected a duration "
	    "such as 720h");
}

static void
test_path_length(void **state)
{
	expect(HEAD "  - self-sign: { key: k, subject: { CN: r }, "
	    "path-length: 17, output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.path-length: expected an integer "
	    "from 0 to 16, or none");
	expect(HEAD "  - self-sign: { key: k, subject: { CN: r }, "
	    "path-length: -1, output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.path-length: expected an integer "
	    "from 0 to 16, or none");
	expect(HEAD "  - self-sign: { key: k, subject: { CN: r }, "
	    "path-length: \"1\", output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.path-length: expected an integer "
	    "from 0 to 16, or none");
}

static void
test_subject(void **state)
{
	expect(HEAD "  - self-sign: { key: k, subject: { CN: r, E: a@b }, "
	    "output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.subject: unknown field \"E\"; "
	    "expected one of: C, ST, L, O, OU, CN");
	expect(HEAD "  - self-sign: { key: k, subject: { O: o }, "
	    "output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.subject: missing required field "
	    "\"CN\"");
	expect(HEAD "  - self-sign: { key: k, subject: { CN: r, CN: s }, "
	    "output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.subject: duplicate key \"CN\"");
	expect(HEAD "  - self-sign: { key: k, subject: { CN: r, C: de }, "
	    "output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.subject.C: expected a two-letter "
	    "country code in capitals, such as DE");
	expect(HEAD "  - self-sign: { key: k, subject: r, output: r }\n",
	    ANC_E_FIELD, "c.yaml:8: steps[1].self-sign.subject: expected a "
	    "mapping");
	expect(HEAD "  - self-sign: { key: k, subject: { CN: "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    " }, output: r }\n", ANC_E_FIELD,
	    "c.yaml:8: steps[1].self-sign.subject.CN: expected 1 to 64 "
	    "characters on one line, without spaces at either end");
	/* 64 characters of two bytes each are fine. */
	expect_ok(HEAD GENKEY "  - self-sign: { key: k, subject: { CN: "
	    "ääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääää"
	    " }, output: r }\n");
}

static void
test_crl(void **state)
{
	expect(HEAD "  - sign-crl: { issuer: r, crl-number: 0, output: c }\n",
	    ANC_E_FIELD, "c.yaml:8: steps[1].sign-crl.crl-number: expected "
	    "an integer of at least 1");
	expect(HEAD "  - sign-crl: { issuer: r, crl-number: \"2\", "
	    "output: c }\n", ANC_E_FIELD, "c.yaml:8: "
	    "steps[1].sign-crl.crl-number: expected an integer of at least 1");
	expect(HEAD "  - sign-crl: { issuer: r, crl-number: 2, output: c,\n"
	    "      revoke: [ { certificate: a, reason: keycompromise } ] }\n",
	    ANC_E_FIELD, "c.yaml:9: steps[1].sign-crl.revoke[1].reason: "
	    "expected one of: unspecified, keyCompromise, cACompromise, "
	    "affiliationChanged, superseded, cessationOfOperation");
	expect(HEAD "  - sign-crl: { issuer: r, crl-number: 2, output: c,\n"
	    "      revoke: [ { certificate: a }, { certificate: a } ] }\n",
	    ANC_E_FIELD, "c.yaml:9: steps[1].sign-crl.revoke[2].certificate: "
	    "\"a\" is already revoked by revoke[1]");
}

static void
test_inputs(void **state)
{
	expect("inputs: [ { key: { name: a, file: a.pem } } ]\n", ANC_E_FIELD,
	    "c.yaml:1: inputs[1]: unknown input kind \"key\"; expected one "
	    "of: certificate, csr, inventory, bundle, crl, clusters");
	expect("inputs: [ { csr: { name: a, file: a.csr, key: k } } ]\n",
	    ANC_E_FIELD, "c.yaml:1: inputs[1].csr: unknown field \"key\"; "
	    "expected one of: name, file, sha256");
	expect("inputs: [ { csr: { name: a, file: a.csr, sha256: abc } } ]\n",
	    ANC_E_FIELD, "c.yaml:1: inputs[1].csr.sha256: expected 64 "
	    "hexadecimal digits (a SHA-256 digest)");
	expect("inputs:\n  - certificate: { name: a }\n", ANC_E_FIELD,
	    "c.yaml:2: inputs[1].certificate: missing required field "
	    "\"file\"");
	expect("inputs:\n  - certificate: { name: a, file: \"\" }\n",
	    ANC_E_FIELD, "c.yaml:2: inputs[1].certificate.file: expected a "
	    "file name on one line");
}

/* Lines 1-9; then quorum or steps. */
#define OFFICERS \
	"version: 1\n" \
	"name: t\n" \
	"token: \"pkcs11:token=t\"\n" \
	"participants:\n" \
	"  - { name: A, role: administrator }\n" \
	"  - { name: B, role: witness }\n" \
	"  - { name: Carol Example, role: crypto-officer }\n" \
	"  - { name: D, role: crypto-officer }\n" \
	"  - { name: E, role: crypto-officer }\n"

/* A split-pin step on line 11. */
#define SPLIT(x) OFFICERS "steps:\n  - split-pin: " x "\n"

static void
test_split_pin(void **state)
{
	struct anc_ceremony *c;
	const struct anc_step *s;

	c = load_ok("c.yaml", SPLIT("{ threshold: 2,\n"
	    "      officers: [Carol Example, D, E] }"));
	s = &c->steps[0];
	assert_int_equal(s->kind, ANC_STEP_SPLIT_PIN);
	assert_string_equal(anc_step_kind_name(s), "split-pin");
	assert_int_equal(s->line, 11);
	assert_int_equal(s->officers.threshold, 2);
	assert_int_equal(s->officers.threshold_line, 11);
	assert_int_equal(s->officers.n, 3);
	assert_string_equal(s->officers.names[0], "Carol Example");
	assert_string_equal(s->officers.names[2], "E");
	assert_int_equal(s->officers.lines[1], 12);
	assert_null(s->officers.commitment);
	assert_int_equal(c->quorum.threshold, 0);
	anc_ceremony_model_free(c);
	/* K = N = 16 is the largest split. */
	expect_ok("version: 1\nname: t\ntoken: \"pkcs11:token=t\"\n"
	    "participants:\n  - { name: A, role: administrator }\n"
	    "  - { name: B, role: witness }\n"
	    "  - { name: o1, role: crypto-officer }\n"
	    "  - { name: o2, role: crypto-officer }\n"
	    "  - { name: o3, role: crypto-officer }\n"
	    "  - { name: o4, role: crypto-officer }\n"
	    "  - { name: o5, role: crypto-officer }\n"
	    "  - { name: o6, role: crypto-officer }\n"
	    "  - { name: o7, role: crypto-officer }\n"
	    "  - { name: o8, role: crypto-officer }\n"
	    "  - { name: o9, role: crypto-officer }\n"
	    "  - { name: o10, role: crypto-officer }\n"
	    "  - { name: o11, role: crypto-officer }\n"
	    "  - { name: o12, role: crypto-officer }\n"
	    "  - { name: o13, role: crypto-officer }\n"
	    "  - { name: o14, role: crypto-officer }\n"
	    "  - { name: o15, role: crypto-officer }\n"
	    "  - { name: o16, role: crypto-officer }\n"
	    "steps:\n  - split-pin: { threshold: 16, officers: [o1, o2, o3, "
	    "o4, o5, o6, o7, o8, o9, o10, o11, o12, o13, o14, o15, o16] }\n");
}

static void
test_split_pin_refused(void **state)
{
	/* Shape */
	expect(SPLIT("{ threshold: 1, officers: [D, E] }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin.threshold: expected an integer "
	    "from 2 to 16");
	expect(SPLIT("{ threshold: 17, officers: [D, E] }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin.threshold: expected an integer "
	    "from 2 to 16");
	expect(SPLIT("{ threshold: \"2\", officers: [D, E] }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin.threshold: expected an integer "
	    "from 2 to 16");
	expect(SPLIT("{ threshold: 2 }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin: missing required field "
	    "\"officers\"");
	expect(SPLIT("{ officers: [D, E] }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin: missing required field "
	    "\"threshold\"");
	expect(SPLIT("{ threshold: 2, officers: [D] }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin.officers: expected a list of 2 to "
	    "16 participant names");
	expect(SPLIT("{ threshold: 2, officers: D }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin.officers: expected a list of 2 to "
	    "16 participant names");
	expect(SPLIT("{ threshold: 2, officers: [o1, o2, o3, o4, o5, o6, o7, "
	    "o8, o9, o10, o11, o12, o13, o14, o15, o16, o17] }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin.officers: expected a list of 2 to "
	    "16 participant names");
	expect(SPLIT("{ threshold: 2, officers: [D, E, D] }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin.officers[3]: \"D\" is already "
	    "officers[1]");
	expect(SPLIT("{ threshold: 2, officers: [D, { name: E }] }"),
	    ANC_E_FIELD, "c.yaml:11: steps[1].split-pin.officers[2]: "
	    "expected a string");
	expect(SPLIT("{ threshold: 2, officers: [D, E], commitment: "
	    "9853831d9dacee10 }"), ANC_E_FIELD, "c.yaml:11: "
	    "steps[1].split-pin: unknown field \"commitment\"; expected one "
	    "of: threshold, officers");
	/* Meaning */
	expect(SPLIT("{ threshold: 2, officers: [D, Zed] }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin.officers[2]: \"Zed\" is not a "
	    "participant; expected the name of a participant with role "
	    "crypto-officer");
	expect(SPLIT("{ threshold: 2,\n      officers: [D, B] }"), ANC_E_FIELD,
	    "c.yaml:12: steps[1].split-pin.officers[2]: \"B\" is a "
	    "participant with role witness; expected role crypto-officer");
	expect(SPLIT("{ threshold: 3, officers: [D, E] }"), ANC_E_FIELD,
	    "c.yaml:11: steps[1].split-pin.threshold: 3 is more than the 2 "
	    "officers listed; expected at most 2");
	expect(OFFICERS "steps:\n"
	    "  - split-pin: { threshold: 2, officers: [D, E] }\n"
	    "  - split-pin: { threshold: 2, officers: [D, E] }\n", ANC_E_FIELD,
	    "c.yaml:12: steps[2].split-pin: steps[1] already splits the PIN; "
	    "expected one split-pin step per ceremony");
	expect("version: 1\nname: t\nparticipants:\n"
	    "  - { name: A, role: administrator }\n"
	    "  - { name: B, role: witness }\n"
	    "  - { name: D, role: crypto-officer }\n"
	    "  - { name: E, role: crypto-officer }\n"
	    "steps:\n  - split-pin: { threshold: 2, officers: [D, E] }\n",
	    ANC_E_FIELD, "c.yaml:9: token: required because steps[1] "
	    "(split-pin) uses the token; expected a PKCS#11 URI such as "
	    "pkcs11:token=m8-root");
}

/* A quorum on lines 10-11; steps from line 12. */
#define QUORUM(x) OFFICERS "quorum: " x "\nsteps:\n" GENKEY

static void
test_quorum(void **state)
{
	struct anc_ceremony *c;
	struct anc_quorum q;

	c = load_ok("c.yaml", QUORUM("{ threshold: 2, officers: [E, D],\n"
	    "          commitment: 9853831D9DACEE10 }"));
	assert_int_equal(c->quorum.threshold, 2);
	assert_int_equal(c->quorum.line, 10);
	assert_int_equal(c->quorum.n, 2);
	assert_string_equal(c->quorum.names[0], "E");
	assert_string_equal(c->quorum.names[1], "D");
	/* kept in lowercase, as the step prints it */
	assert_string_equal(c->quorum.commitment, "9853831d9dacee10");
	assert_int_equal(anc_ceremony_quorum(c, &q), 1);
	assert_int_equal(q.threshold, 2);
	assert_int_equal(q.n, 2);
	assert_string_equal(q.officers[1], "D");
	assert_string_equal(q.commitment, "9853831d9dacee10");
	anc_ceremony_model_free(c);
	c = load_ok("c.yaml", QUORUM("{ threshold: 3, officers: [Carol "
	    "Example, D, E] }"));
	assert_null(c->quorum.commitment);
	anc_ceremony_model_free(c);
	c = load_ok("c.yaml", HEAD GENKEY);
	assert_int_equal(anc_ceremony_quorum(c, &q), 0);
	anc_ceremony_model_free(c);
}

static void
test_quorum_refused(void **state)
{
	expect(QUORUM("2"), ANC_E_FIELD,
	    "c.yaml:10: quorum: expected a mapping");
	expect(QUORUM("{ officers: [D, E] }"), ANC_E_FIELD,
	    "c.yaml:10: quorum: missing required field \"threshold\"");
	expect(QUORUM("{ threshold: 2, officers: [D, E], size: 2 }"),
	    ANC_E_FIELD, "c.yaml:10: quorum: unknown field \"size\"; "
	    "expected one of: threshold, officers, commitment");
	expect(QUORUM("{ threshold: 2, officers: [D, E], commitment: abc }"),
	    ANC_E_FIELD, "c.yaml:10: quorum.commitment: expected 16 "
	    "hexadecimal digits, the commitment the split-pin step printed");
	expect(QUORUM("{ threshold: 2, officers: [D, E], commitment: "
	    "9853831d9dacee1g }"), ANC_E_FIELD, "c.yaml:10: "
	    "quorum.commitment: expected 16 hexadecimal digits, the "
	    "commitment the split-pin step printed");
	expect(QUORUM("{ threshold: 4, officers: [Carol Example, D, E] }"),
	    ANC_E_FIELD, "c.yaml:10: quorum.threshold: 4 is more than the 3 "
	    "officers listed; expected at most 3");
	expect(QUORUM("{ threshold: 2, officers: [A, D] }"), ANC_E_FIELD,
	    "c.yaml:10: quorum.officers[1]: \"A\" is a participant with role "
	    "administrator; expected role crypto-officer");
	expect(QUORUM("{ threshold: 2, officers: [D, Carol] }"), ANC_E_FIELD,
	    "c.yaml:10: quorum.officers[2]: \"Carol\" is not a participant; "
	    "expected the name of a participant with role crypto-officer");
	/* Nothing to activate without a token. */
	expect("version: 1\nname: t\nparticipants:\n"
	    "  - { name: A, role: administrator }\n"
	    "  - { name: B, role: witness }\n"
	    "  - { name: D, role: crypto-officer }\n"
	    "  - { name: E, role: crypto-officer }\n"
	    "quorum: { threshold: 2, officers: [D, E] }\n"
	    "inputs: [ { certificate: { name: r, file: r.pem } } ]\n"
	    "steps:\n  - bundle: { anchors: [r], output: b }\n", ANC_E_FIELD,
	    "c.yaml:8: quorum: no step uses the token, so there is nothing to "
	    "activate; remove it");
}

/*
 * Rotation: bundle inputs and the retire gate's fields
 */

/* Lines 1-12; a test's steps start on line 13. */
#define RHEAD \
	"version: 1\n" \
	"name: t\n" \
	"participants:\n" \
	"  - { name: A, role: administrator }\n" \
	"  - { name: B, role: witness }\n" \
	"  - { name: O, role: observer }\n" \
	"inputs:\n" \
	"  - certificate: { name: new, file: new.pem }\n" \
	"  - certificate: { name: old, file: old.pem }\n" \
	"  - inventory: { name: inv, file: inv.json }\n" \
	"  - bundle: { name: both, file: both.pem, sha256: " \
	"ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789 }\n" \
	"steps:\n"

#define FP "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define GATE(extra) \
	RHEAD "  - bundle: { anchors: [new], retires: [old], inventory: inv" \
	extra ", output: b }\n"
#define EXC(c, r, a) \
	", exceptions: [ { certificate: " c ", reason: " r ", approved-by: " \
	a " } ]"

static void
test_rotation_fields(void **state)
{
	struct anc_ceremony *c;
	const struct anc_step *s;

	c = load_ok("c.yaml", RHEAD
	    "  - bundle:\n"
	    "      anchors: [new, both]\n"
	    "      retires: [old]\n"
	    "      inventory: inv\n"
	    "      exceptions:\n"
	    "        - { certificate: " "0123456789ABCDEF0123456789abcdef"
	    "0123456789abcdef0123456789abcdef, reason: \"job ends\", "
	    "approved-by: A }\n"
	    "      output: b\n");
	assert_int_equal(c->inputs[3].kind, ANC_INPUT_BUNDLE);
	assert_string_equal(c->inputs[3].name, "both");
	assert_null(c->inputs[3].key);
	assert_string_equal(c->inputs[3].sha256, "abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789");
	s = &c->steps[0];
	assert_int_equal(s->kind, ANC_STEP_BUNDLE);
	assert_int_equal(s->n_anchors, 2);
	assert_string_equal(s->anchors[1], "both");
	assert_int_equal(s->n_retires, 1);
	assert_string_equal(s->retires[0], "old");
	assert_int_equal(s->retire_lines[0], 15);
	assert_string_equal(s->inventory, "inv");
	assert_int_equal(s->lines.inventory, 16);
	assert_int_equal(s->n_exceptions, 1);
	/* Fingerprints are kept in lowercase, as the report writes them. */
	assert_string_equal(s->exceptions[0].certificate, FP);
	assert_string_equal(s->exceptions[0].reason, "job ends");
	assert_string_equal(s->exceptions[0].approved_by, "A");
	assert_int_equal(s->exceptions[0].line, 18);
	anc_ceremony_model_free(c);
	/* A bundle without retires is an ordinary bundle. */
	c = load_ok("c.yaml", RHEAD "  - bundle: { anchors: [both], output: b }\n");
	assert_int_equal(c->steps[0].n_retires, 0);
	assert_null(c->steps[0].inventory);
	anc_ceremony_model_free(c);
}

static void
test_rotation_refused(void **state)
{
	expect(GATE(EXC("abc", "r", "A")), ANC_E_FIELD, "c.yaml:13: "
	    "steps[1].bundle.exceptions[1].certificate: expected 64 "
	    "hexadecimal digits (a SHA-256 digest)");
	expect(GATE(", exceptions: [ { certificate: " FP ", reason: r } ]"),
	    ANC_E_FIELD, "c.yaml:13: steps[1].bundle.exceptions[1]: missing "
	    "required field \"approved-by\"");
	expect(GATE(", exceptions: [ { certificate: " FP ", why: r } ]"),
	    ANC_E_FIELD, "c.yaml:13: steps[1].bundle.exceptions[1]: unknown "
	    "field \"why\"; expected one of: certificate, reason, approved-by");
	expect(GATE(EXC(FP, "\"\"", "A")), ANC_E_FIELD, "c.yaml:13: "
	    "steps[1].bundle.exceptions[1].reason: expected 1 to 256 "
	    "characters on one line, without spaces at either end");
	expect(GATE(", exceptions: [ { certificate: " FP ", reason: r, "
	    "approved-by: A }, { certificate: " FP ", reason: s, approved-by: "
	    "B } ]"), ANC_E_FIELD, "c.yaml:13: steps[1].bundle.exceptions[2]."
	    "certificate: " FP " already has exceptions[1]");
	expect(GATE(", exceptions: []"), ANC_E_FIELD, "c.yaml:13: "
	    "steps[1].bundle.exceptions: expected a list of 1 to 64 "
	    "exceptions");
	expect(RHEAD "  - bundle: { anchors: [new], retires: [old, old], "
	    "inventory: inv, output: b }\n", ANC_E_FIELD, "c.yaml:13: "
	    "steps[1].bundle.retires[2]: duplicate retired anchor \"old\"");
	expect(RHEAD "  - bundle: { anchors: [new], retire: [old], output: b }\n",
	    ANC_E_FIELD, "c.yaml:13: steps[1].bundle: unknown field \"retire\"; "
	    "expected one of: anchors, retires, inventory, exceptions, output");
	expect(RHEAD "  - bundle: { name: x, file: x }\n", ANC_E_FIELD,
	    "c.yaml:13: steps[1].bundle: unknown field \"name\"; expected one "
	    "of: anchors, retires, inventory, exceptions, output");
}

static void
test_rotation_meaning(void **state)
{
	expect(RHEAD "  - bundle: { anchors: [new], retires: [old], "
	    "output: b }\n", ANC_E_FIELD, "c.yaml:13: steps[1].bundle."
	    "inventory: required with retires: expected an inventory input, "
	    "the report of `inventory check` that shows what dropping them "
	    "breaks");
	expect(RHEAD "  - bundle: { anchors: [new], inventory: inv, "
	    "output: b }\n", ANC_E_FIELD, "c.yaml:13: steps[1].bundle."
	    "inventory: only with retires: expected retires naming the "
	    "anchors this bundle drops");
	expect(RHEAD "  - bundle: { anchors: [new, old], retires: [old], "
	    "inventory: inv, output: b }\n", ANC_E_FIELD, "c.yaml:13: "
	    "steps[1].bundle.retires[1]: \"old\" is also anchors[2]; expected "
	    "an anchor this bundle drops");
	expect(RHEAD "  - bundle: { anchors: [new], retires: [inv], "
	    "inventory: inv, output: b }\n", ANC_E_FIELD, "c.yaml:13: "
	    "steps[1].bundle.retires[1]: \"inv\" is an inventory input "
	    "(inputs[3]); expected a self-sign output or a certificate input");
	expect(RHEAD "  - bundle: { anchors: [new], retires: [old], "
	    "inventory: new, output: b }\n", ANC_E_FIELD, "c.yaml:13: "
	    "steps[1].bundle.inventory: \"new\" is a certificate input without "
	    "a key (inputs[1]); expected an inventory input");
	expect(GATE(EXC(FP, "r", "Z")), ANC_E_FIELD, "c.yaml:13: "
	    "steps[1].bundle.exceptions[1].approved-by: \"Z\" is not a "
	    "participant; expected the name of the participant who approved "
	    "the exception");
	expect(GATE(EXC(FP, "r", "O")), ANC_E_FIELD, "c.yaml:13: "
	    "steps[1].bundle.exceptions[1].approved-by: \"O\" is an observer; "
	    "expected a participant with another role");
	expect(RHEAD "  - bundle: { anchors: [new]" EXC(FP, "r", "A")
	    ", output: b }\n", ANC_E_FIELD, "c.yaml:13: steps[1].bundle."
	    "exceptions: only with retires and inventory");
	expect(RHEAD "  - export-bundle: { bundle: both }\n", ANC_E_FIELD,
	    "c.yaml:13: steps[1].export-bundle.bundle: \"both\" is a bundle "
	    "input (inputs[4]); expected a bundle output");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_top),
		cmocka_unit_test(test_good_inputs),
		cmocka_unit_test(test_good_root_steps),
		cmocka_unit_test(test_good_ca_steps),
		cmocka_unit_test(test_good_bundle_crl),
		cmocka_unit_test(test_good_exports),
		cmocka_unit_test(test_explicit_values),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_plain_strings),
		cmocka_unit_test(test_yaml_syntax),
		cmocka_unit_test(test_yaml_refused),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_participants),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_steps_shape),
		cmocka_unit_test(test_algorithms),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_path_length),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_crl),
		cmocka_unit_test(test_inputs),
		cmocka_unit_test(test_rotation_fields),
		cmocka_unit_test(test_rotation_refused),
		cmocka_unit_test(test_rotation_meaning),
		cmocka_unit_test(test_split_pin),
		cmocka_unit_test(test_split_pin_refused),
		cmocka_unit_test(test_quorum),
		cmocka_unit_test(test_quorum_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
