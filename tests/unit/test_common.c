/*
 * common/: the error table, careful files, PIN files, secrets, hex and
 * signature checks made once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/secmem.h"
#include "anchorage/sigcheck.h"

static char dir[] = "/tmp/anc-test-common-XXXXXX";

static int
setup(void **state)
{
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", dir, name);
}

static void
write_file(const char *name, const char *data, mode_t mode)
{
	char p[256];
	int fd;

	path(p, sizeof(p), name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
test_error_table(void **state)
{
	struct anc_err e;

	assert_int_equal(anc_exit_status(ANC_OK), 0);
	assert_int_equal(anc_exit_status(ANC_E_IO), 1);
	assert_int_equal(anc_exit_status(ANC_E_FIELD), 2);
	assert_int_equal(anc_exit_status(ANC_E_PIN_INCORRECT), 3);
	assert_int_equal(anc_exit_status(ANC_E_TOKEN_LACKS), 3);
	assert_int_equal(anc_exit_status(ANC_E_TOKEN_BUSY), 3);
	assert_int_equal(anc_exit_status(ANC_E_EXISTS), 4);
	assert_int_equal(anc_exit_status(-1), 1);
	assert_int_equal(anc_exit_status(ANC_E__COUNT), 1);
	assert_string_equal(anc_strerror(ANC_E_LINT), "certificate lint failed");
	assert_string_equal(anc_strerror(9999), "unknown error");
	assert_int_equal(anc_err_set(&e, ANC_E_FIELD, "%s:%d: x", "f", 3),
	    ANC_E_FIELD);
	assert_string_equal(e.msg, "f:3: x");
	assert_int_equal(anc_err_prefix(&e, "step %d", 2), ANC_E_FIELD);
	assert_string_equal(e.msg, "step 2: f:3: x");
	assert_int_equal(anc_err_set(NULL, ANC_E_IO, "ignored"), ANC_E_IO);
	anc_err_clear(&e);
	assert_int_equal(e.code, ANC_OK);
	assert_string_equal(e.msg, "");
}

static void
test_create(void **state)
{
	struct anc_err e;
	struct stat st;
	char p[256];
	int dfd;

	assert_int_equal(anc_dir_open(dir, 0, &dfd, &e), ANC_OK);
	assert_int_equal(anc_file_create(dfd, "a.pem", 0644, "hello", 5, &e),
	    ANC_OK);
	path(p, sizeof(p), "a.pem");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(st.st_size, 5);
	/* Never overwritten, and the old contents stay. */
	assert_int_equal(anc_file_create(dfd, "a.pem", 0644, "x", 1, &e),
	    ANC_E_EXISTS);
	assert_non_null(strstr(e.msg, "a.pem: already exists"));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 5);
	/* A dangling symlink counts as existing and is not followed. */
	path(p, sizeof(p), "link.pem");
	assert_int_equal(symlink("/tmp/anc-test-nowhere", p), 0);
	assert_int_equal(anc_file_create(dfd, "link.pem", 0644, "x", 1, &e),
	    ANC_E_EXISTS);
	assert_int_equal(access("/tmp/anc-test-nowhere", F_OK), -1);
	assert_int_equal(anc_file_create(dfd, "../escape", 0644, "x", 1, &e),
	    ANC_E_INTERNAL);
	assert_int_equal(anc_file_exists_at(dfd, "a.pem"), 1);
	assert_int_equal(anc_file_exists_at(dfd, "none"), 0);
	/* Contents synced, the name left for one directory sync later. */
	assert_int_equal(anc_file_create_data_synced(dfd, "b.pem", 0600,
	    "hello", 5, &e), ANC_OK);
	path(p, sizeof(p), "b.pem");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 5);
	assert_int_equal(anc_file_create_data_synced(dfd, "b.pem", 0600, "x",
	    1, &e), ANC_E_EXISTS);
	assert_int_equal(anc_dir_sync(dfd, dir, &e), ANC_OK);
	close(dfd);
	assert_int_equal(anc_dir_sync(-1, dir, &e), ANC_E_IO);
	assert_non_null(strstr(e.msg, "cannot sync directory"));
}

static void
test_read(void **state)
{
	unsigned char *buf = NULL;
	struct anc_err e;
	size_t len = 0;
	char p[256], l[256];

	write_file("plain", "abc\n", 0644);
	path(p, sizeof(p), "plain");
	assert_int_equal(anc_file_read(p, 100, &buf, &len, &e), ANC_OK);
	assert_int_equal(len, 4);
	assert_string_equal((char *)buf, "abc\n");
	free(buf);
	assert_int_equal(anc_file_read(p, 3, &buf, &len, &e), ANC_E_INPUT);
	assert_non_null(strstr(e.msg, "larger than the limit of 3 bytes"));
	path(l, sizeof(l), "plain-link");
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(anc_file_read(l, 100, &buf, &len, &e), ANC_E_INPUT);
	assert_non_null(strstr(e.msg, "is a symbolic link"));
	path(p, sizeof(p), "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(anc_file_read(p, 100, &buf, &len, &e), ANC_E_INPUT);
	assert_non_null(strstr(e.msg, "expected a regular file"));
	assert_int_equal(anc_file_read("/nonexistent/x", 100, &buf, &len, &e),
	    ANC_E_INPUT);
}

static void
test_pin_file(void **state)
{
	char pin[64], p[256], l[256], msg[512];
	struct anc_err e;
	size_t len = 0;

	write_file("pin", "s3cret-pin\n", 0600);
	path(p, sizeof(p), "pin");
	assert_int_equal(anc_file_read_pin(p, pin, sizeof(pin), &len, &e),
	    ANC_OK);
	assert_int_equal(len, 10);
	assert_string_equal(pin, "s3cret-pin");

	write_file("loose", "s3cret-pin\n", 0640);
	path(p, sizeof(p), "loose");
	assert_int_equal(anc_file_read_pin(p, pin, sizeof(pin), &len, &e),
	    ANC_E_PIN_SOURCE);
	snprintf(msg, sizeof(msg), "--pin-source file:%s: mode 0640, expected "
	    "0600 or stricter", p);
	assert_string_equal(e.msg, msg);

	path(p, sizeof(p), "pin");
	path(l, sizeof(l), "pin-link");
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(anc_file_read_pin(l, pin, sizeof(pin), &len, &e),
	    ANC_E_PIN_SOURCE);
	assert_non_null(strstr(e.msg, "is a symbolic link"));

	write_file("two", "one\ntwo\n", 0600);
	path(p, sizeof(p), "two");
	assert_int_equal(anc_file_read_pin(p, pin, sizeof(pin), &len, &e),
	    ANC_E_PIN_SOURCE);
	assert_non_null(strstr(e.msg, "expected one line holding the PIN"));

	write_file("empty", "\n", 0600);
	path(p, sizeof(p), "empty");
	assert_int_equal(anc_file_read_pin(p, pin, sizeof(pin), &len, &e),
	    ANC_E_PIN_SOURCE);

	/* Owned by someone else: refused even when the mode is right. */
	if (geteuid() == 0) {
		path(p, sizeof(p), "pin");
		assert_int_equal(chown(p, 65534, 65534), 0);
		assert_int_equal(anc_file_read_pin(p, pin, sizeof(pin), &len,
		    &e), ANC_E_PIN_SOURCE);
		assert_non_null(strstr(e.msg, "owned by uid 65534"));
	}
}

static void
test_dir(void **state)
{
	char p[256];
	struct anc_err e;
	int fd = -1;

	path(p, sizeof(p), "open");
	assert_int_equal(mkdir(p, 0777), 0);
	assert_int_equal(chmod(p, 0777), 0);
	assert_int_equal(anc_dir_open(p, 0, &fd, &e), ANC_E_UNSAFE);
	assert_non_null(strstr(e.msg, "not writable by group or others"));
	path(p, sizeof(p), "new");
	assert_int_equal(anc_dir_open(p, 1, &fd, &e), ANC_OK);
	close(fd);
	path(p, sizeof(p), "missing/deeper");
	assert_int_equal(anc_dir_open(p, 0, &fd, &e), ANC_E_INPUT);
}

static void
test_secret_and_hex(void **state)
{
	struct anc_secret *s = anc_secret_new();
	unsigned char bytes[] = { 0x00, 0xab, 0xff };
	char hex[16], colon[16], sha[ANC_SHA256_HEX];

	assert_non_null(s);
	memcpy(anc_secret_buf(s), "123456", 6);
	anc_secret_set_len(s, 6);
	assert_int_equal(anc_secret_len(s), 6);
	assert_string_equal(anc_secret_buf(s), "123456");
	anc_secret_set_len(s, ANC_SECRET_MAX + 10);
	assert_int_equal(anc_secret_len(s), ANC_SECRET_MAX);
	anc_secret_free(s);
	anc_secret_free(NULL);
	anc_freezero(NULL, 10);
	anc_hex(bytes, 3, hex);
	assert_string_equal(hex, "00abff");
	anc_hex_colon(bytes, 3, colon);
	assert_string_equal(colon, "00:AB:FF");
	/* FIPS 180-2 example: SHA-256("abc"). */
	anc_sha256_hex("abc", 3, sha);
	assert_string_equal(sha, "ba7816bf8f01cfea414140de5dae2223b00361a3"
	    "96177a9cb410ff61f20015ad");
}

/* A self-signed certificate of `key`. */
static X509 *
self_signed(EVP_PKEY *key)
{
	X509 *x = X509_new();

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 7), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x),
	    "CN", MBSTRING_UTF8, (const unsigned char *)"sig", -1, -1, 0), 1);
	assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(x)),
	    1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	return x;
}

/* A remembered success answers only for the same bytes and an equal key;
 * anything else is verified, and failures are never remembered. */
static void
test_sigcheck(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *k2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *same = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	X509 *x, *dup;
	int len;

	assert_non_null(k);
	assert_non_null(k2);
	x = self_signed(k);
	assert_int_equal(anc_sig_check(x, k2), 0);
	assert_int_equal(anc_sig_check(x, k2), 0);
	assert_int_equal(anc_sig_verify(x, k), 1);
	assert_int_equal(anc_sig_check(x, k), 1);
	assert_int_equal(anc_sig_self_signed(x), 1);
	/* An equal key of another object, decoded afresh. */
	len = i2d_PUBKEY(k, &der);
	assert_true(len > 0);
	p = der;
	assert_non_null(same = d2i_PUBKEY(NULL, &p, len));
	assert_int_equal(anc_sig_check(x, same), 1);
	assert_int_equal(anc_sig_check(x, k2), 0);
	/* A copy starts with nothing remembered and verifies on its own. */
	assert_non_null(dup = X509_dup(x));
	assert_int_equal(anc_sig_check(dup, k), 1);
	X509_free(dup);
	/* Signed again by another key: the old success no longer holds. */
	assert_true(X509_sign(x, k2, EVP_sha256()) > 0);
	assert_int_equal(anc_sig_check(x, k), 0);
	assert_int_equal(anc_sig_self_signed(x), 0);
	assert_int_equal(anc_sig_check(x, k2), 1);
	assert_int_equal(anc_sig_verify(NULL, k), 0);
	assert_int_equal(anc_sig_check(x, NULL), 0);
	X509_free(x);
	OPENSSL_free(der);
	EVP_PKEY_free(same);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_table),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_pin_file),
		cmocka_unit_test(test_dir),
		cmocka_unit_test(test_secret_and_hex),
		cmocka_unit_test(test_sigcheck),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
