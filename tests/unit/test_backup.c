/*
 * Backup of a wrap-with-trusted key between two real SoftHSM2 tokens made
 * for this test: key policy, the SO's trusted wrapping key, wrap, unwrap,
 * proof of the copy.  What the token itself refuses is asked of the token
 * with raw PKCS#11 calls made here, not through the code under test, and
 * the CKR code it answers is asserted.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <p11-kit/pkcs11.h>

#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "anchorage/token.h"

static char PIN[] = "246813579";
static char SO_PIN[] = "12345678";
static char WRONG_PIN[] = "00000000";

static char dir[] = "/tmp/anc-test-backup-XXXXXX";
static const char *module_path;

/* Make a token with PINs from a 0600 file, never on a command line. */
static int
make_token(const char *tool, const char *label)
{
	char pins[256], cmd[1024];
	FILE *f;

	snprintf(pins, sizeof(pins), "%s/pins", dir);
	if ((f = fopen(pins, "w")) == NULL)
		return -1;
	fprintf(f, "%s\n%s\n", SO_PIN, PIN);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s %s %s", tool, module_path, label,
	    pins);
	return system(cmd) == 0 && unlink(pins) == 0 ? 0 : -1;
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
	if (mkdtemp(dir) == NULL || tool == NULL)
		return -1;
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir);
	if ((f = fopen(conf, "w")) == NULL)
		return -1;
	fprintf(f, "directories.tokendir = %s\nobjectstore.backend = file\n"
	    "log.level = ERROR\n", dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", conf, 1);
	return make_token(tool, "bk-primary") == 0 &&
	    make_token(tool, "bk-backup") == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
pin_cb(void *arg, const struct anc_slot_info *info, struct anc_secret *pin,
    struct anc_err *err)
{
	const char *p = arg;

	strcpy(anc_secret_buf(pin), p);
	anc_secret_set_len(pin, strlen(p));
	return ANC_OK;
}

/* The module's own function list and a session of ours on a token,
 * opened after anchorage logged the application in. */
/* Every backup need of one side (1: the backup token) is met by `t`'s
 * reported capabilities, with the mechanism the backup uses. */
static void
backup_needs_met(struct anc_token *t, int backup)
{
	static const struct {
		enum anc_need_op op;
		int backup;
		unsigned long mech;
	} v[] = {
		{ ANC_NEED_TRANSFER_KEY, 0, CKM_AES_KEY_GEN },
		{ ANC_NEED_WRAP_TRANSFER, 0, CKM_RSA_PKCS_OAEP },
		{ ANC_NEED_WRAP_KEY, 0, CKM_AES_KEY_WRAP_PAD },
		{ ANC_NEED_KEYGEN, 1, CKM_RSA_PKCS_KEY_PAIR_GEN },
		{ ANC_NEED_UNWRAP_TRANSFER, 1, CKM_RSA_PKCS_OAEP },
		{ ANC_NEED_UNWRAP_KEY, 1, CKM_AES_KEY_WRAP_PAD },
		{ ANC_NEED_PROVE, 1, CKM_ECDSA },
	};
	struct anc_token_caps *caps = NULL;
	struct anc_need_result res;
	struct anc_need n;
	struct anc_err err;
	size_t i;

	assert_int_equal(anc_token_caps_read(t, &caps, &err), ANC_OK);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i].backup != backup)
			continue;
		memset(&n, 0, sizeof(n));
		n.op = v[i].op;
		n.backup = backup;
		n.alg = n.op == ANC_NEED_KEYGEN ? ANC_KEY_RSA_3072 :
		    ANC_KEY_EC_P256;
		anc_need_check(&n, caps, &res);
		assert_int_equal(res.status, ANC_NEED_MET);
		assert_int_equal(res.mech, v[i].mech);
	}
	anc_token_caps_free(caps);
}

static CK_FUNCTION_LIST_PTR
raw_session(const char *label, CK_SESSION_HANDLE *s)
{
	CK_C_GetFunctionList get;
	CK_FUNCTION_LIST_PTR fl;
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16, i;
	CK_TOKEN_INFO ti;
	void *dl;

	assert_non_null(dl = dlopen(module_path, RTLD_NOW | RTLD_LOCAL));
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	assert_non_null(get);
	assert_int_equal(get(&fl), CKR_OK);
	assert_int_equal(fl->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	for (i = 0; i < n; i++)
		if (fl->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    strncmp((char *)ti.label, label, strlen(label)) == 0 &&
		    ti.label[strlen(label)] == ' ')
			break;
	assert_true(i < n);
	assert_int_equal(fl->C_OpenSession(slots[i], CKF_SERIAL_SESSION |
	    CKF_RW_SESSION, NULL, NULL, s), CKR_OK);
	return fl;
}

static CK_OBJECT_HANDLE
raw_find(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls,
    const char *label)
{
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)(uintptr_t)label, strlen(label) },
	};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	assert_int_equal(fl->C_FindObjectsInit(s, t, 2), CKR_OK);
	assert_int_equal(fl->C_FindObjects(s, &h, 1, &n), CKR_OK);
	assert_int_equal(fl->C_FindObjectsFinal(s), CKR_OK);
	assert_int_equal(n, 1);
	return h;
}

/* Objects of any class on the token, as our own session sees them. */
static CK_ULONG
raw_count(const char *label)
{
	CK_SESSION_HANDLE s;
	CK_FUNCTION_LIST_PTR fl = raw_session(label, &s);
	CK_OBJECT_HANDLE h[64];
	CK_ULONG n = 0;

	assert_int_equal(fl->C_FindObjectsInit(s, NULL, 0), CKR_OK);
	assert_int_equal(fl->C_FindObjects(s, h, 64, &n), CKR_OK);
	assert_int_equal(fl->C_FindObjectsFinal(s), CKR_OK);
	assert_int_equal(fl->C_CloseSession(s), CKR_OK);
	return n;
}

/*
 * What SoftHSM2 2.6.1 itself enforces for a wrap-with-trusted key, asked
 * with raw calls: its value is never readable, wrapping it under an
 * untrusted AES or RSA key is CKR_KEY_NOT_WRAPPABLE, and a user cannot
 * mark a key trusted (only the SO can).
 */
static void
token_refuses_untrusted(const char *label, EVP_PKEY *rsa_pub)
{
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_SESSION_HANDLE s;
	CK_FUNCTION_LIST_PTR fl = raw_session("bk-primary", &s);
	CK_OBJECT_HANDLE root, aes, pub;
	CK_MECHANISM gen = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_MECHANISM kwp = { CKM_AES_KEY_WRAP_PAD, NULL, 0 };
	CK_RSA_PKCS_OAEP_PARAMS op = { CKM_SHA_1, CKG_MGF1_SHA1,
	    CKZ_DATA_SPECIFIED, NULL, 0 };
	CK_MECHANISM oaep = { CKM_RSA_PKCS_OAEP, &op, sizeof(op) };
	CK_ULONG len = 32;
	CK_OBJECT_CLASS pc = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	unsigned char nb[512], eb[8], buf[4096];
	BIGNUM *n = NULL, *e = NULL;
	CK_ULONG out = sizeof(buf);
	CK_ATTRIBUTE aest[] = {
		{ CKA_VALUE_LEN, &len, sizeof(len) },
		{ CKA_TOKEN, &no, 1 }, { CKA_WRAP, &yes, 1 },
	};
	CK_ATTRIBUTE value = { CKA_VALUE, buf, sizeof(buf) };
	CK_ATTRIBUTE trust = { CKA_TRUSTED, &yes, 1 };
	int nl, el;

	root = raw_find(fl, s, CKO_PRIVATE_KEY, label);
	assert_int_equal(fl->C_GetAttributeValue(s, root, &value, 1),
	    CKR_ATTRIBUTE_SENSITIVE);
	assert_int_equal(fl->C_GenerateKey(s, &gen, aest, 3, &aes), CKR_OK);
	assert_int_equal(fl->C_WrapKey(s, &kwp, aes, root, buf, &out),
	    CKR_KEY_NOT_WRAPPABLE);
	/* The backup token's own public key, but not marked trusted. */
	assert_true(EVP_PKEY_get_bn_param(rsa_pub, "n", &n));
	assert_true(EVP_PKEY_get_bn_param(rsa_pub, "e", &e));
	nl = BN_bn2bin(n, nb);
	el = BN_bn2bin(e, eb);
	{
		CK_ATTRIBUTE pt[] = {
			{ CKA_CLASS, &pc, sizeof(pc) },
			{ CKA_KEY_TYPE, &kt, sizeof(kt) },
			{ CKA_TOKEN, &no, 1 }, { CKA_WRAP, &yes, 1 },
			{ CKA_MODULUS, nb, (CK_ULONG)nl },
			{ CKA_PUBLIC_EXPONENT, eb, (CK_ULONG)el },
		};
		CK_ATTRIBUTE pt_trusted[7];

		assert_int_equal(fl->C_CreateObject(s, pt, 6, &pub), CKR_OK);
		/* SoftHSM2 2.6.1 checks OAEP's parameters first, and takes
		 * SHA-1 only. */
		op.hashAlg = CKM_SHA256;
		op.mgf = CKG_MGF1_SHA256;
		out = sizeof(buf);
		assert_int_equal(fl->C_WrapKey(s, &oaep, pub, root, buf, &out),
		    CKR_ARGUMENTS_BAD);
		op.hashAlg = CKM_SHA_1;
		op.mgf = CKG_MGF1_SHA1;
		out = sizeof(buf);
		assert_int_equal(fl->C_WrapKey(s, &oaep, pub, root, buf, &out),
		    CKR_KEY_NOT_WRAPPABLE);
		/* The user may not make it trusted, neither later nor at
		 * creation. */
		assert_int_equal(fl->C_SetAttributeValue(s, pub, &trust, 1),
		    CKR_ATTRIBUTE_READ_ONLY);
		memcpy(pt_trusted, pt, sizeof(pt));
		pt_trusted[6] = trust;
		assert_int_equal(fl->C_CreateObject(s, pt_trusted, 7, &pub),
		    CKR_ATTRIBUTE_READ_ONLY);
	}
	BN_free(n);
	BN_free(e);
	assert_int_equal(fl->C_CloseSession(s), CKR_OK);
}

static void
flip_fails(struct anc_token *b, const struct anc_wrapped *w, int part,
    EVP_PKEY *pub, const unsigned char *id, CK_ULONG before)
{
	struct anc_wrapped bad = *w;
	struct anc_key_info ki;
	struct anc_err err;
	unsigned char *copy;
	size_t len = part ? w->key_len : w->kek_len;

	assert_non_null(copy = malloc(len));
	memcpy(copy, part ? w->key : w->kek, len);
	copy[len / 2] ^= 0x01;
	if (part)
		bad.key = copy;
	else
		bad.kek = copy;
	assert_int_equal(anc_token_unwrap_key(b, "bk-kek", &bad, "root", id,
	    16, pub, &ki, &err), ANC_E_VERIFY);
	assert_non_null(strstr(err.msg, "nothing was changed"));
	free(copy);
	assert_int_equal(raw_count("bk-backup"), before);
}

static void
round_trip(enum anc_keyalg alg)
{
	struct anc_module *m = NULL;
	struct anc_token *p = NULL, *b = NULL;
	struct anc_key_info ki, none, kek, restored;
	struct anc_wrapped w, again;
	EVP_PKEY *pub = NULL, *kek_pub = NULL, *copy_pub = NULL,
	    *other = NULL;
	unsigned char challenge[32], sig[1024];
	size_t siglen;
	CK_ULONG before;
	struct anc_err err;

	assert_int_equal(anc_module_load(module_path, &m, &err), ANC_OK);
	assert_int_equal(anc_token_open(m, "pkcs11:token=bk-primary", &p,
	    &err), ANC_OK);
	assert_int_equal(anc_token_open(m, "pkcs11:token=bk-backup", &b,
	    &err), ANC_OK);
	assert_int_equal(anc_token_login(p, pin_cb, PIN, &err), ANC_OK);
	assert_int_equal(anc_token_login(b, pin_cb, PIN, &err), ANC_OK);

	/* Key policy, read back. */
	assert_int_equal(anc_token_generate_key(p, alg, "root",
	    ANC_BACKUP_WRAP_WITH_TRUSTED, &ki, &err), ANC_OK);
	assert_int_equal(ki.sensitive, 1);
	assert_int_equal(ki.extractable, 1);
	assert_int_equal(ki.wrap_with_trusted, 1);
	assert_int_equal(ki.always_sensitive, 1);
	assert_int_equal(ki.never_extractable, 0);
	assert_string_equal(anc_key_backup(&ki), "wrap-with-trusted");
	assert_int_equal(anc_token_generate_key(p, alg, "root-none",
	    ANC_BACKUP_NONE, &none, &err), ANC_OK);
	assert_string_equal(anc_key_backup(&none), "none");
	assert_int_equal(none.wrap_with_trusted, 0);

	/* Both sides can take part on SoftHSM2 2.6.1, by the needs model. */
	backup_needs_met(p, 0);
	backup_needs_met(b, 1);

	/* The unwrap key pair on the backup token. */
	assert_int_equal(anc_token_generate_unwrap_key(b, "bk-kek", &kek,
	    &err), ANC_OK);
	assert_int_equal(kek.unwrap, 1);
	assert_int_equal(kek.sign, 0);
	assert_int_equal(kek.decrypt, 0);
	assert_int_equal(kek.extractable, 0);
	assert_int_equal(anc_token_generate_unwrap_key(b, "bk-kek", &kek,
	    &err), ANC_E_EXISTS);
	assert_int_equal(anc_token_public_key(b, "bk-kek", &kek_pub, &err),
	    ANC_OK);

	token_refuses_untrusted("root", kek_pub);

	/* No wrap without the SO's trust; a wrong SO PIN changes nothing. */
	assert_int_equal(anc_token_wrap_key(p, "root", &w, &err),
	    ANC_E_INTERNAL);
	assert_int_equal(anc_token_trust_wrapping_key(p, pin_cb, WRONG_PIN,
	    kek_pub, &err), ANC_E_PIN_INCORRECT);
	assert_non_null(strstr(err.msg, "security officer"));
	assert_int_equal(anc_token_login(p, pin_cb, PIN, &err), ANC_OK);
	assert_int_equal(anc_token_wrap_key(p, "root", &w, &err),
	    ANC_E_INTERNAL);

	/* A key with backup: none is refused by us, and then by the token. */
	assert_int_equal(anc_token_trust_wrapping_key(p, pin_cb, SO_PIN,
	    kek_pub, &err), ANC_OK);
	assert_int_equal(anc_token_login(p, pin_cb, PIN, &err), ANC_OK);
	assert_int_equal(anc_token_wrap_key(p, "root-none", &w, &err),
	    ANC_E_UNSAFE);
	assert_non_null(strstr(err.msg, "backup policy \"none\""));

	/* The wrap. */
	assert_int_equal(anc_token_trust_wrapping_key(p, pin_cb, SO_PIN,
	    kek_pub, &err), ANC_OK);
	assert_int_equal(anc_token_login(p, pin_cb, PIN, &err), ANC_OK);
	assert_int_equal(anc_token_wrap_key(p, "root", &w, &err), ANC_OK);
	/* SoftHSM2 2.6.1 takes OAEP with SHA-1 only. */
	assert_int_equal(w.scheme, ANC_WRAP_OAEP_SHA1_KWP);
	assert_int_equal(w.kek_len, 384);	/* RSA-3072 */
	assert_true(w.key_len > 64);
	/* The trust ended with the wrap: the session objects are gone. */
	assert_int_equal(anc_token_wrap_key(p, "root", &again, &err),
	    ANC_E_INTERNAL);
	/* Only the two key pairs: nothing of the SO's stayed behind. */
	assert_int_equal(raw_count("bk-primary"), 4);

	/* A flipped byte in either part unwraps to nothing. */
	assert_int_equal(anc_token_public_key(p, "root", &pub, &err), ANC_OK);
	before = raw_count("bk-backup");
	assert_int_equal(before, 2);
	flip_fails(b, &w, 0, pub, ki.id, before);
	flip_fails(b, &w, 1, pub, ki.id, before);

	/* The restore, and its proof. */
	assert_int_equal(anc_token_unwrap_key(b, "bk-kek", &w, "root", ki.id,
	    ki.id_len, pub, &restored, &err), ANC_OK);
	assert_int_equal(restored.sensitive, 1);
	assert_int_equal(restored.extractable, 0);
	assert_int_equal(restored.sign, 1);
	assert_int_equal(restored.decrypt, 0);
	assert_int_equal(restored.unwrap, 0);
	assert_int_equal(restored.derive, 0);
	assert_int_equal(restored.id_len, ki.id_len);
	assert_memory_equal(restored.id, ki.id, ki.id_len);
	assert_string_equal(anc_key_backup(&restored), "none");
	assert_int_equal(raw_count("bk-backup"), 4);
	assert_int_equal(anc_token_public_key(b, "root", &copy_pub, &err),
	    ANC_OK);
	assert_int_equal(EVP_PKEY_eq(pub, copy_pub), 1);
	assert_int_equal(anc_token_random(b, challenge, sizeof(challenge),
	    &err), ANC_OK);
	assert_int_equal(anc_token_prove_key(b, "root", pub, challenge,
	    sizeof(challenge), sig, sizeof(sig), &siglen, &err), ANC_OK);
	/* ... which fails against any other key. */
	assert_int_equal(anc_token_public_key(p, "root-none", &other, &err),
	    ANC_OK);
	assert_int_equal(anc_token_prove_key(b, "root", other, challenge,
	    sizeof(challenge), sig, sizeof(sig), &siglen, &err), ANC_E_BADSIG);
	/* A second restore of the same key is refused. */
	assert_int_equal(anc_token_unwrap_key(b, "bk-kek", &w, "root", ki.id,
	    ki.id_len, pub, &restored, &err), ANC_E_EXISTS);

	anc_wrapped_clear(&w);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(kek_pub);
	EVP_PKEY_free(copy_pub);
	EVP_PKEY_free(other);
	anc_token_free(p);
	anc_token_free(b);
	anc_module_free(m);
}

static void
test_round_trip_p256(void **state)
{
	round_trip(ANC_KEY_EC_P256);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_p256),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
