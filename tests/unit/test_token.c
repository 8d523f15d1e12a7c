/*
 * The token layer against a real SoftHSM2 token made for this test in a
 * temporary directory.  Attributes are checked here through our own
 * read-back; the integration tests check them again with pkcs11-tool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "anchorage/token.h"

static char PIN[] = "246813579";
static char WRONG_PIN[] = "00000000";

static char dir[] = "/tmp/anc-test-token-XXXXXX";
static const char *module_path;

static int
run(const char *cmd)
{
	int rc = system(cmd);

	return rc == 0 ? 0 : -1;
}

/* Make a token with PINs from a 0600 file, never on a command line. */
static int
make_token(const char *tool, const char *label)
{
	char pins[256], cmd[1024];
	FILE *f;

	snprintf(pins, sizeof(pins), "%s/pins", dir);
	if ((f = fopen(pins, "w")) == NULL)
		return -1;
	fprintf(f, "12345678\n%s\n", PIN);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s %s %s", tool, module_path, label,
	    pins);
	return run(cmd) == 0 && unlink(pins) == 0 ? 0 : -1;
}

static int
setup(void **state)
{
	const char *tool = getenv("ANC_TOKEN_INIT");
	char conf[256];
	FILE *f;

	module_path = getenv("ANC_MODULE_PATH");
	if (module_path == NULL)
		module_path = "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so";
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir);
	if ((f = fopen(conf, "w")) == NULL)
		return -1;
	fprintf(f, "directories.tokendir = %s\nobjectstore.backend = file\n"
	    "log.level = ERROR\n", dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", conf, 1);
	if (tool == NULL)
		return -1;
	return make_token(tool, "unit-a") == 0 &&
	    make_token(tool, "unit-b") == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return run(cmd);
}

static int
pin_ok(void *arg, const struct anc_slot_info *info, struct anc_secret *pin,
    struct anc_err *err)
{
	const char *p = arg;	/* the test's PIN, handed over as void * */

	strcpy(anc_secret_buf(pin), p);
	anc_secret_set_len(pin, strlen(p));
	return ANC_OK;
}

static void
open_token(const char *uri, struct anc_module **m, struct anc_token **t,
    char *pin)
{
	struct anc_err err;

	assert_int_equal(anc_module_load(module_path, m, &err), ANC_OK);
	assert_int_equal(anc_token_open(*m, uri, t, &err), ANC_OK);
	assert_int_equal(anc_token_login(*t, pin_ok, pin, &err),
	    ANC_OK);
}

static void
test_uri_rules(void **state)
{
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_err err;

	assert_int_equal(anc_module_load(module_path, &m, &err), ANC_OK);
	assert_int_equal(anc_token_open(m, "pkcs11:token=unit-a;pin-value=1",
	    &t, &err), ANC_E_URI);
	assert_non_null(strstr(err.msg, "a PIN in the URI is refused"));
	assert_int_equal(anc_token_open(m, "pkcs11:token=unit-a?pin-source="
	    "file:/x", &t, &err), ANC_E_URI);
	assert_int_equal(anc_token_open(m, "pkcs11:slot-id=0", &t, &err),
	    ANC_E_URI);
	assert_int_equal(anc_token_open(m, "pkcs11:object=x", &t, &err),
	    ANC_E_URI);
	assert_non_null(strstr(err.msg, "names no token"));
	assert_int_equal(anc_token_open(m, "https://x", &t, &err), ANC_E_URI);
	assert_int_equal(anc_token_open(m, "pkcs11:token=absent", &t, &err),
	    ANC_E_NOTOKEN);
	assert_int_equal(anc_token_open(m, "pkcs11:token=unit-b", &t, &err),
	    ANC_OK);
	anc_token_free(t);
	anc_module_free(m);
}

static void
test_wrong_pin_once(void **state)
{
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_slot_info info;
	struct anc_err err;

	assert_int_equal(anc_module_load(module_path, &m, &err), ANC_OK);
	assert_int_equal(anc_token_open(m, "pkcs11:token=unit-b", &t, &err),
	    ANC_OK);
	assert_int_equal(anc_token_login(t, pin_ok, WRONG_PIN, &err),
	    ANC_E_PIN_INCORRECT);
	assert_int_equal(err.ckr, 0xa0);	/* CKR_PIN_INCORRECT */
	assert_non_null(strstr(err.msg, "does not retry"));
	/* SoftHSM2 flags the failure: the appliance can warn next time. */
	assert_int_equal(anc_token_info(t, &info, &err), ANC_OK);
	assert_int_equal(info.pin_count_low, 1);
	assert_int_equal(anc_token_login(t, pin_ok, PIN, &err), ANC_OK);
	anc_token_free(t);
	anc_module_free(m);
}

static void
check_signer(struct anc_token *t, const char *label)
{
	static const unsigned char msg[] = "anchorage";
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_PKEY *signer = NULL, *pub = NULL, *again = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct anc_err err;

	assert_int_equal(anc_token_signer(t, label, &signer, &err), ANC_OK);
	assert_int_equal(anc_token_signer(t, label, &again, &err), ANC_OK);
	assert_ptr_equal(signer, again);	/* fetched once */
	assert_int_equal(anc_token_public_key(t, label, &pub, &err), ANC_OK);
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
	    signer), 1);
	assert_int_equal(EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)),
	    1);
	EVP_MD_CTX_reset(md);
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	    pub), 1);
	assert_int_equal(EVP_DigestVerify(md, sig, siglen, msg, sizeof(msg)),
	    1);
	sig[siglen / 2] ^= 1;
	EVP_MD_CTX_reset(md);
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	    pub), 1);
	assert_int_not_equal(EVP_DigestVerify(md, sig, siglen, msg,
	    sizeof(msg)), 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pub);
}

static void
test_generate_and_sign(void **state)
{
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_key_info ki, found, refused;
	struct anc_err err;
	int exists = 0;

	open_token("pkcs11:token=unit-a", &m, &t, PIN);
	assert_int_equal(anc_token_generate_key(t, ANC_KEY_EC_P256, "root-a",
	    ANC_BACKUP_NONE, &ki, &err), ANC_OK);
	assert_int_equal(ki.alg, ANC_KEY_EC_P256);
	assert_int_equal(ki.id_len, 16);
	assert_int_equal(ki.sensitive, 1);
	assert_int_equal(ki.extractable, 0);
	assert_int_equal(ki.always_sensitive, 1);
	assert_int_equal(ki.never_extractable, 1);
	assert_int_equal(ki.local, 1);
	assert_int_equal(ki.sign, 1);
	assert_int_equal(ki.decrypt, 0);
	assert_int_equal(ki.unwrap, 0);
	assert_int_equal(ki.derive, 0);
	check_signer(t, "root-a");

	/* A second key after libp11 has listed keys once: the signer must
	 * still find it (libp11 caches its key list). */
	assert_int_equal(anc_token_generate_key(t, ANC_KEY_EC_P384, "root-b",
	    ANC_BACKUP_NONE, &ki, &err), ANC_OK);
	assert_int_equal(ki.alg, ANC_KEY_EC_P384);
	check_signer(t, "root-b");

	assert_int_equal(anc_token_generate_key(t, ANC_KEY_EC_P256, "root-a",
	    ANC_BACKUP_NONE, &refused, &err), ANC_E_EXISTS);
	/* nothing generated: the refused call names no key */
	assert_int_equal(refused.id_len, 0);
	assert_non_null(strstr(err.msg, "already used"));
	assert_int_equal(anc_token_object_exists(t, "root-b", NULL, 0,
	    &exists, &err), ANC_OK);
	assert_int_equal(exists, 1);
	assert_int_equal(anc_token_find_key(t, "root-b", &found, &err),
	    ANC_OK);
	assert_memory_equal(found.id, ki.id, 16);
	assert_int_equal(anc_token_find_key(t, "nope", &found, &err),
	    ANC_E_NOKEY);
	anc_token_free(t);
	anc_module_free(m);
}

static void
test_rsa(void **state)
{
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_key_info ki;
	struct anc_err err;

	open_token("pkcs11:token=unit-b", &m, &t, PIN);
	assert_int_equal(anc_token_generate_key(t, ANC_KEY_RSA_3072, "rsa",
	    ANC_BACKUP_NONE, &ki, &err), ANC_OK);
	assert_int_equal(ki.alg, ANC_KEY_RSA_3072);
	assert_int_equal(ki.decrypt, 0);
	check_signer(t, "rsa");
	anc_token_free(t);
	anc_module_free(m);
}

static void
test_random_and_lists(void **state)
{
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_slot_info *slots = NULL;
	struct anc_key_info *keys = NULL;
	unsigned long *mechs = NULL;
	unsigned char a[32] = { 0 }, b[32] = { 0 };
	size_t n = 0, i, found = 0;
	struct anc_err err;

	open_token("pkcs11:token=unit-a", &m, &t, PIN);
	assert_int_equal(anc_token_random(t, a, sizeof(a), &err), ANC_OK);
	assert_int_equal(anc_token_random(t, b, sizeof(b), &err), ANC_OK);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(anc_module_slots(m, &slots, &n, &err), ANC_OK);
	for (i = 0; i < n; i++)
		if (slots[i].token_present && strcmp(slots[i].label, "unit-a")
		    == 0) {
			found++;
			assert_string_equal(slots[i].manufacturer,
			    "SoftHSM project");
		}
	assert_int_equal(found, 1);
	free(slots);
	assert_int_equal(anc_token_mechanisms(t, &mechs, &n, &err), ANC_OK);
	for (i = 0, found = 0; i < n; i++)
		if (strcmp(anc_mechanism_name(mechs[i]), "CKM_ECDSA") == 0)
			found = 1;
	assert_int_equal(found, 1);
	free(mechs);
	assert_int_equal(anc_token_keys(t, &keys, &n, &err), ANC_OK);
	/* root-a and root-b from the earlier test: private and public. */
	assert_int_equal(n, 4);
	free(keys);
	anc_token_free(t);
	anc_module_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_rules),
		cmocka_unit_test(test_wrong_pin_once),
		cmocka_unit_test(test_generate_and_sign),
		cmocka_unit_test(test_rsa),
		cmocka_unit_test(test_random_and_lists),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
