/*
 * common/file.c: reading files in pieces.  anc_file_sha256 against
 * OpenSSL's one-shot digest at the sizes around a piece's edge, the pieces
 * it hands on, and the files it refuses; anc_file_getline's bounded lines.
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
#include <openssl/rand.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"

static char dir[] = "/tmp/anc-test-file-XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
put(const char *name, const unsigned char *data, size_t len)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* What the pieces were: their bytes in order and the largest. */
struct seen {
	unsigned char *data;
	size_t len, largest, calls;
};

static int
keep_piece(void *arg, const unsigned char *p, size_t n, struct anc_err *err)
{
	struct seen *s = arg;

	(void)err;
	assert_true(n > 0);
	memcpy(s->data + s->len, p, n);
	s->len += n;
	s->calls++;
	if (n > s->largest)
		s->largest = n;
	return ANC_OK;
}

/* Every size around the piece's edges: the same hash as EVP_Digest, the
 * same bytes handed on, never more than a piece at a time. */
static void
test_sha256_matches_one_shot(void **state)
{
	const size_t sizes[] = { 0, 1, 55, 64, ANC_FILE_PIECE - 1,
	    ANC_FILE_PIECE, ANC_FILE_PIECE + 1, 3 * ANC_FILE_PIECE + 17 };
	size_t max = 3 * ANC_FILE_PIECE + 17, i;
	unsigned char *data = malloc(max), md[32];
	char want[ANC_SHA256_HEX], got[ANC_SHA256_HEX], p[256];
	struct seen s = { NULL, 0, 0, 0 };
	unsigned int mdlen = 0;
	struct anc_err e;
	int dfd;

	(void)state;
	assert_non_null(data);
	assert_non_null(s.data = malloc(max));
	assert_int_equal(RAND_bytes(data, (int)max), 1);
	assert_true((dfd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		put("f", data, sizes[i]);
		assert_int_equal(EVP_Digest(data, sizes[i], md, &mdlen,
		    EVP_sha256(), NULL), 1);
		anc_hex(md, mdlen, want);
		/* A path, and a name under a directory. */
		snprintf(p, sizeof(p), "%s/f", dir);
		assert_int_equal(anc_file_sha256(AT_FDCWD, NULL, p, NULL, NULL,
		    got, &e), ANC_OK);
		assert_string_equal(got, want);
		s.len = s.largest = s.calls = 0;
		assert_int_equal(anc_file_sha256(dfd, dir, "f", keep_piece, &s,
		    got, &e), ANC_OK);
		assert_string_equal(got, want);
		assert_int_equal(s.len, sizes[i]);
		if (sizes[i] > 0)
			assert_memory_equal(s.data, data, sizes[i]);
		assert_true(s.largest <= ANC_FILE_PIECE);
		assert_true(s.calls >= (sizes[i] + ANC_FILE_PIECE - 1) /
		    ANC_FILE_PIECE);
	}
	close(dfd);
	free(s.data);
	free(data);
}

static int
refuse_second(void *arg, const unsigned char *p, size_t n,
    struct anc_err *err)
{
	size_t *calls = arg;

	(void)p;
	(void)n;
	if (++*calls == 2)
		return anc_err_set(err, ANC_E_VERIFY, "second piece refused");
	return ANC_OK;
}

/* A piece refused stops the read with the callback's error. */
static void
test_sha256_callback_stops(void **state)
{
	unsigned char *data = calloc(1, 2 * ANC_FILE_PIECE);
	char got[ANC_SHA256_HEX];
	struct anc_err e;
	size_t calls = 0;
	int dfd;

	(void)state;
	assert_non_null(data);
	put("two", data, 2 * ANC_FILE_PIECE);
	assert_true((dfd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0);
	assert_int_equal(anc_file_sha256(dfd, dir, "two", refuse_second,
	    &calls, got, &e), ANC_E_VERIFY);
	assert_string_equal(e.msg, "second piece refused");
	assert_int_equal(calls, 2);
	close(dfd);
	free(data);
}

/* Symbolic links, FIFOs and missing files are refused, named. */
static void
test_sha256_refuses(void **state)
{
	char got[ANC_SHA256_HEX], p[256], want[300];
	struct anc_err e;
	int dfd;

	(void)state;
	put("target", (const unsigned char *)"x", 1);
	snprintf(p, sizeof(p), "%s/link", dir);
	assert_int_equal(symlink("target", p), 0);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_true((dfd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0);

	assert_int_equal(anc_file_sha256(dfd, dir, "link", NULL, NULL, got,
	    &e), ANC_E_INPUT);
	snprintf(want, sizeof(want), "%s/link: cannot open: is a symbolic "
	    "link", dir);
	assert_string_equal(e.msg, want);
	assert_int_equal(anc_file_sha256(dfd, dir, "fifo", NULL, NULL, got,
	    &e), ANC_E_INPUT);
	snprintf(want, sizeof(want), "%s/fifo: expected a regular file", dir);
	assert_string_equal(e.msg, want);
	assert_int_equal(anc_file_sha256(dfd, NULL, "missing", NULL, NULL,
	    got, &e), ANC_E_INPUT);
	assert_non_null(strstr(e.msg, "missing: cannot open: "));
	close(dfd);
}

/* Lines up to the bound, a last line without '\n', a longer one refused. */
static void
test_getline(void **state)
{
	const char text[] = "one\n\nthree33\nfour";
	char *buf = NULL, p[256], big[64];
	size_t cap = 0, len = 0;
	FILE *f;

	(void)state;
	put("lines", (const unsigned char *)text, strlen(text));
	snprintf(p, sizeof(p), "%s/lines", dir);
	assert_non_null(f = fopen(p, "r"));
	assert_int_equal(anc_file_getline(f, 7, &buf, &cap, &len), 1);
	assert_int_equal(len, 3);
	assert_string_equal(buf, "one");
	assert_int_equal(anc_file_getline(f, 7, &buf, &cap, &len), 1);
	assert_int_equal(len, 0);
	/* Exactly the bound. */
	assert_int_equal(anc_file_getline(f, 7, &buf, &cap, &len), 1);
	assert_string_equal(buf, "three33");
	assert_true(cap <= 8);
	assert_int_equal(anc_file_getline(f, 7, &buf, &cap, &len), 2);
	assert_string_equal(buf, "four");
	assert_int_equal(anc_file_getline(f, 7, &buf, &cap, &len), 0);
	fclose(f);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\n';
	put("long", (const unsigned char *)big, sizeof(big));
	snprintf(p, sizeof(p), "%s/long", dir);
	assert_non_null(f = fopen(p, "r"));
	assert_int_equal(anc_file_getline(f, sizeof(big) - 2, &buf, &cap,
	    &len), -1);
	assert_true(cap <= sizeof(big) - 1);
	fclose(f);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_matches_one_shot),
		cmocka_unit_test(test_sha256_callback_stops),
		cmocka_unit_test(test_sha256_refuses),
		cmocka_unit_test(test_getline),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
