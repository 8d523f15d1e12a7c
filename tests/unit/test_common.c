/*
 * common/: the error table, careful files, PIN files, secrets and hex.
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

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/secmem.h"

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
	close(dfd);
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
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
