/*
 * What a script needs from its token, and whether a token's reported
 * capabilities cover it: the derivation from validated scripts (keys
 * generated, signatures, random bytes, PIN length, the closing record),
 * and the check against capability tables made by hand the way real
 * modules report them (missing mechanisms, key sizes out of range, EC
 * sizes in bytes, flags missing, mechanisms listed without details).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <p11-kit/pkcs11.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "ceremony_int.h"

/* Lines 1-9; a test's steps start on line 10. */
#define HEAD \
	"version: 1\n" \
	"name: t\n" \
	"token: \"pkcs11:token=t\"\n" \
	"participants:\n" \
	"  - { name: A, role: administrator }\n" \
	"  - { name: B, role: witness }\n" \
	"  - { name: C, role: crypto-officer }\n" \
	"  - { name: D, role: crypto-officer }\n" \
	"steps:\n"

static char dir[] = "/tmp/anc-test-needs.XXXXXX";

static struct anc_ceremony *
load(const char *text)
{
	struct anc_ceremony *c = NULL;
	struct anc_err err;
	char path[128];

	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	if (anc_parse(path, (const unsigned char *)text, strlen(text), &c,
	    &err) != ANC_OK || anc_validate(c, &err) != ANC_OK)
		fail_msg("%s", err.msg);
	return c;
}

static void
need(const struct anc_need *n, enum anc_need_op op, enum anc_keyalg alg,
    int step, int line, const char *kind, const char *key)
{
	assert_int_equal(n->op, op);
	assert_int_equal(n->alg, alg);
	assert_int_equal(n->step, step);
	assert_int_equal(n->line, line);
	assert_string_equal(n->kind, kind);
	assert_string_equal(n->key, key);
}

static void
derive_root(void **state)
{
	struct anc_ceremony *c = load(HEAD
	    "  - generate-key: { label: k, algorithm: ecdsa-p384 }\n"
	    "  - self-sign: { key: k, subject: { CN: r }, output: r }\n"
	    "  - issue-intermediate: { issuer: r, subject: { CN: i }, "
	    "output: i }\n"
	    "  - sign-crl: { issuer: r, revoke: [{ certificate: i }], "
	    "crl-number: 1, output: crl }\n"
	    "  - split-pin: { threshold: 2, officers: [C, D] }\n");
	struct anc_need *v = NULL;
	struct anc_err err;
	size_t n = 0;

	assert_int_equal(anc_ceremony_needs(c, &v, &n, &err), ANC_OK);
	assert_int_equal(n, 10);
	need(&v[0], ANC_NEED_RANDOM, ANC_KEY_NONE, 1, 10, "generate-key", "");
	assert_string_equal(v[0].use, "CKA_ID");
	need(&v[1], ANC_NEED_KEYGEN, ANC_KEY_EC_P384, 1, 10, "generate-key",
	    "k");
	need(&v[2], ANC_NEED_RANDOM, ANC_KEY_NONE, 2, 11, "self-sign", "");
	assert_string_equal(v[2].use, "serial number");
	need(&v[3], ANC_NEED_SIGN, ANC_KEY_EC_P384, 2, 11, "self-sign", "k");
	assert_int_equal(v[3].hash_bits, 384);
	need(&v[4], ANC_NEED_RANDOM, ANC_KEY_NONE, 3, 12,
	    "issue-intermediate", "");
	need(&v[5], ANC_NEED_SIGN, ANC_KEY_EC_P384, 3, 12,
	    "issue-intermediate", "k");
	/* A CRL has a number from the script: no random bytes. */
	need(&v[6], ANC_NEED_SIGN, ANC_KEY_EC_P384, 4, 13, "sign-crl", "k");
	need(&v[7], ANC_NEED_RANDOM, ANC_KEY_NONE, 5, 14, "split-pin", "");
	need(&v[8], ANC_NEED_PIN_LEN, ANC_KEY_NONE, 5, 14, "split-pin", "");
	assert_int_equal(v[8].pin_len, 32);
	need(&v[9], ANC_NEED_SIGN, ANC_KEY_EC_P384, 0, 0, "closing record",
	    "k");
	free(v);
	anc_ceremony_model_free(c);
}

/* An input certificate's key: its algorithm comes from the file. */
static void
derive_input(void **state)
{
	struct anc_ceremony *c;
	struct anc_need *v = NULL;
	struct anc_err err;
	char path[128];
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	X509 *x = X509_new();
	FILE *f;
	size_t n = 0;

	assert_non_null(k);
	snprintf(path, sizeof(path), "%s/old.pem", dir);
	assert_non_null(f = fopen(path, "w"));
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"old", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	assert_int_equal(PEM_write_X509(f, x), 1);
	fclose(f);
	c = load(HEAD
	    "  - issue-intermediate: { issuer: old, subject: { CN: i }, "
	    "output: i }\n"
	    "inputs:\n"
	    "  - certificate: { name: old, file: old.pem, key: old-key }\n");
	assert_int_equal(anc_ceremony_needs(c, &v, &n, &err), ANC_OK);
	assert_int_equal(n, 3);
	need(&v[0], ANC_NEED_RANDOM, ANC_KEY_NONE, 1, 10,
	    "issue-intermediate", "");
	need(&v[1], ANC_NEED_SIGN, ANC_KEY_RSA_3072, 1, 10,
	    "issue-intermediate", "old-key");
	assert_int_equal(v[1].hash_bits, 256);
	need(&v[2], ANC_NEED_SIGN, ANC_KEY_RSA_3072, 0, 0, "closing record",
	    "old-key");
	free(v);
	anc_ceremony_model_free(c);
	X509_free(x);
	EVP_PKEY_free(k);
	unlink(path);
}

/* A token like SoftHSM2's, entry by entry. */
static struct anc_mech_caps softhsm[] = {
	{ CKM_EC_KEY_PAIR_GEN, 1, 0, 112, 521, CKF_GENERATE_KEY_PAIR },
	{ CKM_ECDSA, 1, 0, 112, 521, CKF_SIGN | CKF_VERIFY },
	{ CKM_RSA_PKCS_KEY_PAIR_GEN, 1, 0, 512, 16384, CKF_GENERATE_KEY_PAIR },
	{ CKM_RSA_PKCS, 1, 0, 512, 16384, CKF_SIGN | CKF_VERIFY | CKF_DECRYPT },
	{ CKM_SHA256_RSA_PKCS, 1, 0, 512, 16384, CKF_SIGN | CKF_VERIFY },
};

static void
caps_init(struct anc_token_caps *c, struct anc_mech_caps *m, size_t n)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->info.label, sizeof(c->info.label), "t");
	snprintf(c->info.manufacturer, sizeof(c->info.manufacturer), "M");
	snprintf(c->info.model, sizeof(c->info.model), "X");
	c->info.has_rng = 1;
	c->info.min_pin_len = 4;
	c->info.max_pin_len = 255;
	c->mechs = m;
	c->nmechs = n;
}

static struct anc_need_result
check(const struct anc_token_caps *c, enum anc_need_op op,
    enum anc_keyalg alg, int hash_bits)
{
	struct anc_need_result r;
	struct anc_need n;

	memset(&n, 0, sizeof(n));
	n.op = op;
	n.alg = alg;
	n.hash_bits = hash_bits;
	n.pin_len = 32;
	anc_need_check(&n, c, &r);
	return r;
}

static void
check_met(void **state)
{
	struct anc_token_caps c;
	struct anc_need_result r;

	caps_init(&c, softhsm, 5);
	r = check(&c, ANC_NEED_KEYGEN, ANC_KEY_EC_P256, 256);
	assert_int_equal(r.status, ANC_NEED_MET);
	assert_int_equal(r.mech, CKM_EC_KEY_PAIR_GEN);
	r = check(&c, ANC_NEED_SIGN, ANC_KEY_EC_P384, 384);
	assert_int_equal(r.status, ANC_NEED_MET);
	assert_int_equal(r.mech, CKM_ECDSA);
	r = check(&c, ANC_NEED_KEYGEN, ANC_KEY_RSA_4096, 256);
	assert_int_equal(r.status, ANC_NEED_MET);
	/* The hashing mechanism first, as the signer chooses. */
	r = check(&c, ANC_NEED_SIGN, ANC_KEY_RSA_3072, 256);
	assert_int_equal(r.status, ANC_NEED_MET);
	assert_int_equal(r.mech, CKM_SHA256_RSA_PKCS);
	r = check(&c, ANC_NEED_SIGN, ANC_KEY_RSA_3072, 384);
	assert_int_equal(r.status, ANC_NEED_MET);
	assert_int_equal(r.mech, CKM_RSA_PKCS);
	r = check(&c, ANC_NEED_RANDOM, ANC_KEY_NONE, 0);
	assert_int_equal(r.status, ANC_NEED_MET);
	r = check(&c, ANC_NEED_PIN_LEN, ANC_KEY_NONE, 0);
	assert_int_equal(r.status, ANC_NEED_MET);
}

static void
check_missing(void **state)
{
	struct anc_mech_caps rsa_only[] = { softhsm[2], softhsm[3] };
	struct anc_mech_caps small[] = {
		{ CKM_RSA_PKCS_KEY_PAIR_GEN, 1, 0, 512, 2048,
		    CKF_GENERATE_KEY_PAIR },
		{ CKM_ECDSA, 1, 0, 256, 256, CKF_VERIFY },
	};
	struct anc_token_caps c;
	struct anc_need_result r;

	caps_init(&c, rsa_only, 2);
	r = check(&c, ANC_NEED_KEYGEN, ANC_KEY_EC_P256, 256);
	assert_int_equal(r.status, ANC_NEED_MISSING);
	assert_string_equal(r.detail,
	    "the token does not list CKM_EC_KEY_PAIR_GEN");
	caps_init(&c, small, 2);
	r = check(&c, ANC_NEED_KEYGEN, ANC_KEY_RSA_4096, 256);
	assert_int_equal(r.status, ANC_NEED_MISSING);
	assert_string_equal(r.detail, "CKM_RSA_PKCS_KEY_PAIR_GEN allows key "
	    "sizes 512 to 2048 bits; rsa-4096 needs 4096");
	r = check(&c, ANC_NEED_SIGN, ANC_KEY_EC_P256, 256);
	assert_int_equal(r.status, ANC_NEED_MISSING);
	assert_string_equal(r.detail, "CKM_ECDSA is listed without CKF_SIGN");
	r = check(&c, ANC_NEED_SIGN, ANC_KEY_RSA_3072, 256);
	assert_int_equal(r.status, ANC_NEED_MISSING);
	assert_string_equal(r.detail, "the token does not list "
	    "CKM_SHA256_RSA_PKCS or CKM_RSA_PKCS");
	c.info.has_rng = 0;
	r = check(&c, ANC_NEED_RANDOM, ANC_KEY_NONE, 0);
	assert_int_equal(r.status, ANC_NEED_MISSING);
	c.info.max_pin_len = 8;
	r = check(&c, ANC_NEED_PIN_LEN, ANC_KEY_NONE, 0);
	assert_int_equal(r.status, ANC_NEED_MISSING);
	assert_string_equal(r.detail,
	    "the token accepts user PINs of 4 to 8 characters");
}

/* RSA signing: the hashing mechanism must match the digest. */
static void
check_rsa_hash(void **state)
{
	struct anc_mech_caps tpm[] = {
		{ CKM_SHA256_RSA_PKCS, 1, 0, 1024, 3072, CKF_SIGN },
	};
	struct anc_token_caps c;
	struct anc_need_result r;

	caps_init(&c, tpm, 1);
	r = check(&c, ANC_NEED_SIGN, ANC_KEY_RSA_3072, 256);
	assert_int_equal(r.status, ANC_NEED_MET);
	assert_int_equal(r.mech, CKM_SHA256_RSA_PKCS);
	r = check(&c, ANC_NEED_SIGN, ANC_KEY_RSA_3072, 384);
	assert_int_equal(r.status, ANC_NEED_MISSING);
	r = check(&c, ANC_NEED_SIGN, ANC_KEY_RSA_4096, 256);
	assert_int_equal(r.status, ANC_NEED_MISSING);
}

/* What modules report in their own ways. */
static void
check_quirks(void **state)
{
	struct anc_mech_caps bytes[] = {
		{ CKM_EC_KEY_PAIR_GEN, 1, 0, 32, 48, CKF_GENERATE_KEY_PAIR },
	};
	struct anc_mech_caps noinfo[] = {
		{ CKM_EC_KEY_PAIR_GEN, 0, CKR_MECHANISM_INVALID, 0, 0, 0 },
	};
	struct anc_mech_caps nosize[] = {
		{ CKM_EC_KEY_PAIR_GEN, 1, 0, 0, 0, CKF_GENERATE_KEY_PAIR },
	};
	struct anc_token_caps c;
	struct anc_need_result r;

	caps_init(&c, bytes, 1);
	assert_int_equal(check(&c, ANC_NEED_KEYGEN, ANC_KEY_EC_P384,
	    384).status, ANC_NEED_MET);
	caps_init(&c, noinfo, 1);
	r = check(&c, ANC_NEED_KEYGEN, ANC_KEY_EC_P256, 256);
	assert_int_equal(r.status, ANC_NEED_UNCHECKED);
	assert_string_equal(r.detail, "CKM_EC_KEY_PAIR_GEN is listed but "
	    "C_GetMechanismInfo answered CKR_MECHANISM_INVALID: its flags and "
	    "key sizes are unknown");
	caps_init(&c, nosize, 1);
	assert_int_equal(check(&c, ANC_NEED_KEYGEN, ANC_KEY_EC_P384,
	    384).status, ANC_NEED_MET);
	/* A key known only from the token. */
	assert_int_equal(check(&c, ANC_NEED_SIGN, ANC_KEY_NONE, 256).status,
	    ANC_NEED_UNCHECKED);
	c.info.max_pin_len = ~0UL;
	assert_int_equal(check(&c, ANC_NEED_PIN_LEN, ANC_KEY_NONE, 0).status,
	    ANC_NEED_UNCHECKED);
}

/* The run's refusal: every missing need on its own line, exit 3. */
static void
fits(void **state)
{
	struct anc_mech_caps rsa_only[] = { softhsm[2], softhsm[3] };
	struct anc_ceremony *c = load(HEAD
	    "  - generate-key: { label: k }\n"
	    "  - self-sign: { key: k, subject: { CN: r }, output: r }\n");
	struct anc_token_caps caps;
	struct anc_err err;
	char want[1024];

	caps_init(&caps, softhsm, 5);
	assert_int_equal(anc_ceremony_fits(c, &caps, NULL, &err), ANC_OK);
	caps_init(&caps, rsa_only, 2);
	assert_int_equal(anc_ceremony_fits(c, &caps, NULL, &err),
	    ANC_E_TOKEN_LACKS);
	assert_int_equal(anc_exit_status(err.code), 3);
	snprintf(want, sizeof(want), "%s/c.yaml: token \"t\" (M X) cannot run "
	    "this ceremony; nothing was changed (`anchorage token probe` "
	    "shows what it has):\n"
	    "  %s/c.yaml:10: step 1 (generate-key): an ecdsa-p256 key pair "
	    "\"k\": the token does not list CKM_EC_KEY_PAIR_GEN\n"
	    "  %s/c.yaml:11: step 2 (self-sign): an ecdsa-p256 signature with "
	    "key \"k\": the token does not list CKM_ECDSA\n"
	    "  %s/c.yaml: closing record: an ecdsa-p256 signature with key "
	    "\"k\": the token does not list CKM_ECDSA", dir, dir, dir, dir);
	assert_string_equal(err.msg, want);
	anc_ceremony_model_free(c);
}

/* backup-root.yaml's steps, with a P-384 key: lines 10 to 16. */
#define BACKUP \
	"  - generate-key: { label: k, algorithm: ecdsa-p384, " \
	"backup: wrap-with-trusted }\n" \
	"  - backup-keypair: { label: u, output: u }\n" \
	"  - backup-trust: { unwrap-key: u }\n" \
	"  - backup-wrap: { key: k, output: w }\n" \
	"  - self-sign: { key: k, subject: { CN: r }, output: r }\n" \
	"  - backup-restore: { wrapped: w, unwrap-key: u }\n" \
	"  - backup-verify: { key: k, certificate: r }\n" \
	"backup-token: \"pkcs11:token=b\"\n"

/* Each backup step's needs, on the token it runs on. */
static void
derive_backup(void **state)
{
	static const struct want {
		size_t i;
		enum anc_need_op op;
		enum anc_keyalg alg;
		int step;
		const char *kind, *key, *use;
	} want[] = {
		{ 3, ANC_NEED_KEYGEN, ANC_KEY_RSA_3072, 2, "backup-keypair",
		    "u", "" },
		{ 4, ANC_NEED_TRANSFER_KEY, ANC_KEY_NONE, 3, "backup-trust",
		    "", "" },
		{ 5, ANC_NEED_TRUSTED, ANC_KEY_NONE, 3, "backup-trust", "",
		    "CKA_TRUSTED" },
		{ 6, ANC_NEED_TRUSTED, ANC_KEY_EC_P384, 4, "backup-wrap", "k",
		    "CKA_WRAP_WITH_TRUSTED" },
		{ 7, ANC_NEED_WRAP_TRANSFER, ANC_KEY_RSA_3072, 4, "backup-wrap",
		    "", "" },
		{ 8, ANC_NEED_WRAP_KEY, ANC_KEY_EC_P384, 4, "backup-wrap", "k",
		    "" },
		{ 11, ANC_NEED_UNWRAP_TRANSFER, ANC_KEY_RSA_3072, 6,
		    "backup-restore", "u", "" },
		{ 12, ANC_NEED_UNWRAP_KEY, ANC_KEY_EC_P384, 6, "backup-restore",
		    "k", "" },
		{ 13, ANC_NEED_PROVE, ANC_KEY_EC_P384, 7, "backup-verify", "k",
		    "" },
	};
	struct anc_ceremony *c = load(HEAD BACKUP);
	struct anc_need *v = NULL;
	struct anc_err err;
	size_t n = 0, i;
	const struct want *w;

	assert_int_equal(anc_ceremony_needs(c, &v, &n, &err), ANC_OK);
	assert_int_equal(n, 15);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		w = &want[i];
		need(&v[w->i], w->op, w->alg, w->step, 9 + w->step, w->kind,
		    w->key);
		assert_string_equal(v[w->i].use, w->use);
	}
	/* The backup token's: backup-keypair's, -restore's, -verify's. */
	for (i = 0; i < n; i++)
		assert_int_equal(v[i].backup, (i >= 2 && i <= 3) ||
		    (i >= 11 && i <= 13));
	free(v);
	anc_ceremony_model_free(c);
}

/* What SoftHSM2 has for a backup, entry by entry. */
static struct anc_mech_caps softhsm_backup[] = {
	{ CKM_RSA_PKCS_OAEP, 1, 0, 512, 16384, CKF_ENCRYPT | CKF_DECRYPT |
	    CKF_WRAP | CKF_UNWRAP },
	{ CKM_AES_KEY_GEN, 1, 0, 16, 32, CKF_GENERATE },
	{ CKM_AES_KEY_WRAP_PAD, 1, 0, 1, 2147483648UL, CKF_WRAP | CKF_UNWRAP },
};

static void
check_backup(void **state)
{
	struct anc_mech_caps m[] = { softhsm[3], softhsm_backup[0],
	    softhsm_backup[1], softhsm_backup[2] };
	struct anc_token_caps c;
	struct anc_need_result r;

	caps_init(&c, m, 4);
	assert_int_equal(check(&c, ANC_NEED_TRANSFER_KEY, ANC_KEY_NONE,
	    0).mech, CKM_AES_KEY_GEN);
	assert_int_equal(check(&c, ANC_NEED_WRAP_TRANSFER, ANC_KEY_RSA_3072,
	    0).status, ANC_NEED_MET);
	r = check(&c, ANC_NEED_UNWRAP_KEY, ANC_KEY_EC_P256, 0);
	assert_int_equal(r.status, ANC_NEED_MET);
	assert_int_equal(r.mech, CKM_AES_KEY_WRAP_PAD);
	/* No CKM_RSA_PKCS fallback for the restored key's proof. */
	r = check(&c, ANC_NEED_PROVE, ANC_KEY_RSA_3072, 256);
	assert_int_equal(r.status, ANC_NEED_MISSING);
	assert_string_equal(r.detail, "the token does not list "
	    "CKM_SHA256_RSA_PKCS");
	assert_int_equal(check(&c, ANC_NEED_TRUSTED, ANC_KEY_NONE,
	    0).status, ANC_NEED_UNCHECKED);
	/* tpm2-pkcs11: RSA-OAEP for encryption only. */
	m[1].flags = CKF_ENCRYPT | CKF_DECRYPT;
	r = check(&c, ANC_NEED_UNWRAP_TRANSFER, ANC_KEY_RSA_3072, 0);
	assert_int_equal(r.status, ANC_NEED_MISSING);
	assert_string_equal(r.detail, "CKM_RSA_PKCS_OAEP is listed without "
	    "CKF_UNWRAP");
	/* AES sizes are bytes: a 24-byte maximum cannot make AES-256. */
	m[2].max_key = 24;
	r = check(&c, ANC_NEED_TRANSFER_KEY, ANC_KEY_NONE, 0);
	assert_int_equal(r.status, ANC_NEED_MISSING);
	assert_string_equal(r.detail, "CKM_AES_KEY_GEN allows key sizes 16 "
	    "to 24 bytes; the backup needs 32");
}

/* The run's refusal covers the backup token, with its own needs. */
static void
fits_backup(void **state)
{
	struct anc_mech_caps all[] = { softhsm[0], softhsm[1], softhsm[2],
	    softhsm_backup[0], softhsm_backup[1], softhsm_backup[2] };
	struct anc_mech_caps no_kwp[] = { softhsm[0], softhsm[1], softhsm[2],
	    softhsm_backup[0] };
	struct anc_ceremony *c = load(HEAD BACKUP);
	struct anc_token_caps caps, bcaps;
	struct anc_err err;

	caps_init(&caps, all, 6);
	caps_init(&bcaps, all, 6);
	assert_int_equal(anc_ceremony_fits(c, &caps, &bcaps, &err), ANC_OK);
	caps_init(&bcaps, no_kwp, 4);
	assert_int_equal(anc_ceremony_fits(c, &caps, &bcaps, &err),
	    ANC_E_TOKEN_LACKS);
	assert_non_null(strstr(err.msg, "token \"t\" (M X) and backup token "
	    "\"t\" (M X) cannot run this ceremony"));
	assert_non_null(strstr(err.msg, "c.yaml:15: step 6 (backup-restore) "
	    "on the backup token: the ecdsa-p384 key \"k\" unwrapped with the "
	    "transfer key (AES key wrap with padding): the token does not "
	    "list CKM_AES_KEY_WRAP_PAD"));
	/* Only that one: the script's token has it. */
	assert_null(strstr(err.msg, "step 4"));
	anc_ceremony_model_free(c);
}

static int
setup(void **state)
{
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	return rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(derive_root),
		cmocka_unit_test(derive_input),
		cmocka_unit_test(check_met),
		cmocka_unit_test(check_missing),
		cmocka_unit_test(check_rsa_hash),
		cmocka_unit_test(check_quirks),
		cmocka_unit_test(fits),
		cmocka_unit_test(derive_backup),
		cmocka_unit_test(check_backup),
		cmocka_unit_test(fits_backup),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
