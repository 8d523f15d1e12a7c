/*
 * `transcript report`, made from the transcript read again a line at a
 * time once it has verified: the lists (inputs, steps, exceptions) in the
 * order of their records, the first record of a kind where the page names
 * one, the closing record last; and a transcript changed between the
 * verification and the second reading refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "anchorage/err.h"
#include "anchorage/transcript.h"
#include "report_int.h"
#include "test_inventory_certs.h"

static char *dir;

static int
setup(void **state)
{
	dir = tc_tmpdir();
	return 0;
}

static int
teardown(void **state)
{
	tc_rmdir(dir);
	return 0;
}

static void
rec(struct anc_transcript *t, const char *type, json_t *body)
{
	struct anc_err err;

	assert_non_null(body);
	assert_int_equal(anc_tr_append(t, type, body, &err), ANC_OK);
}

static json_t *
who(int step, const char *phase, const char *text)
{
	json_t *o = json_pack("{s:s, s:s}", "name", "Alice Example", "role",
	    "administrator");

	if (step > 0)
		json_object_set_new(o, "step", json_integer(step));
	if (phase != NULL)
		json_object_set_new(o, "phase", json_string(phase));
	if (text != NULL)
		json_object_set_new(o, "text", json_string(text));
	return o;
}

static json_t *
token(const char *label)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:[s]}", "label",
	    label, "manufacturer", "m", "model", "x", "serial", "1",
	    "firmware", "1.0", "module", "description", "d", "mechanisms",
	    "CKM_ECDSA");
}

static json_t *
input(const char *name)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", name, "kind",
	    "certificate", "path", "p.pem", "sha256", "00", "pinned", 0);
}

static json_t *
step(int n, const char *kind)
{
	return json_pack("{s:i, s:s, s:s, s:[]}", "step", n, "kind", kind,
	    "description", "d", "inputs");
}

/* 14 records: two of a kind where the page shows only the first. */
static void
transcript(void)
{
	struct anc_transcript *t = NULL;
	struct anc_err err;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);

	assert_true(dfd >= 0);
	assert_int_equal(anc_tr_open(dfd, dir, 0, 0, &t, &err), ANC_OK);
	rec(t, "start", json_pack("{s:s, s:n, s:{s:s, s:s}, s:i}",
	    "ceremony", "unit", "signer", "script", "path", "s.yaml",
	    "sha256", "ab", "format", ANC_TR_FORMAT));
	rec(t, "participants", json_pack("{s:[{s:s, s:s}]}", "participants",
	    "name", "Alice Example", "role", "administrator"));
	rec(t, "token", token("token-first"));
	rec(t, "input", input("input-one"));
	rec(t, "confirmation", who(0, "start", NULL));
	rec(t, "token", token("token-second"));
	rec(t, "input", input("input-two"));
	rec(t, "step", step(1, "kind-one"));
	rec(t, "exception", who(1, NULL, "exception-one"));
	rec(t, "confirmation", who(1, "after", NULL));
	rec(t, "step", step(2, "kind-two"));
	rec(t, "exception", who(2, NULL, "exception-two"));
	rec(t, "confirmation", who(0, "start", NULL));
	assert_int_equal(anc_tr_close(t, "end", json_pack("{s:n, s:s, s:i, "
	    "s:s}", "signer", "unsigned_reason", "no key", "outputs_count", 0,
	    "outputs_sha256", "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855"), NULL, NULL, &err), ANC_OK);
	anc_tr_free(t);
	close(dfd);
}

/* Each of `want` in the page, in this order. */
static void
expect_in_order(const char *html, const char *const *want, size_t n)
{
	const char *at = html, *p;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((p = strstr(at, want[i])) == NULL)
			fail_msg("\"%s\" missing, or not after \"%s\"", want[i],
			    i > 0 ? want[i - 1] : "the start");
		at = p + strlen(want[i]);
	}
}

static void
test_report_order(void **state)
{
	static const char *const want[] = { "Start confirmed by",
	    "token-first", "<h2>Inputs</h2>", "input-one", "input-two",
	    "<h2>Steps</h2>", "Step 1: kind-one", "exception-one",
	    "Witnessed by", "</table>\n</div>\n", "Step 2: kind-two",
	    "exception-two", "</table>\n</div>\n<h2>Exceptions</h2>\n<ol>\n"
	    "<li>Step 1, ", "exception-one", "<li>Step 2, ", "exception-two",
	    "</ol>\n<h2>Closing</h2>", "<th>Closing record</th><td>end</td>",
	    "<th>Not signed</th><td>no key</td>", "</html>\n" };
	struct anc_err err;
	char *html = NULL;

	transcript();
	assert_int_equal(anc_transcript_report(dir, NULL, &html, &err),
	    ANC_OK);
	expect_in_order(html, want, sizeof(want) / sizeof(want[0]));
	/* The first token and start confirmation only. */
	assert_null(strstr(html, "token-second"));
	assert_null(strstr(strstr(html, "Start confirmed by") + 1,
	    "Start confirmed by"));
	assert_non_null(strstr(html, "verified: 14 records"));
	free(html);
}

static int
count(void *arg, json_t *r, struct anc_err *err)
{
	(*(size_t *)arg)++;
	return ANC_OK;
}

/* Overwrite `len` bytes at the first `from` in the transcript, or append
 * them when `from` is NULL. */
static void
edit(const char *from, const char *to)
{
	char path[512], buf[8192];
	const char *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, ANC_TR_FILE);
	assert_non_null(f = fopen(path, "r+"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	if (from != NULL) {
		assert_non_null(p = strstr(buf, from));
		fseek(f, p - buf, SEEK_SET);
	} else {
		fseek(f, 0, SEEK_END);
	}
	assert_int_equal(fwrite(to, 1, strlen(to), f), strlen(to));
	fclose(f);
}

static void
test_report_changed(void **state)
{
	struct anc_tr_summary s;
	struct anc_err err;
	size_t n = 0;

	transcript();
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err), ANC_OK);
	assert_int_equal(anc_tr_each_verified(dir, &s, count, &n, &err),
	    ANC_OK);
	assert_int_equal(n, s.records);
	/* A record changed after the verification: named by the line after
	 * it, whose prev no longer matches. */
	edit("input-two", "input-2wo");
	assert_int_equal(anc_tr_each_verified(dir, &s, count, &n, &err),
	    ANC_E_VERIFY);
	assert_non_null(strstr(err.msg, "transcript.jsonl:8: not the line "
	    "that verified"));
	edit("input-2wo", "input-two");
	assert_int_equal(anc_tr_each_verified(dir, &s, count, &n, &err),
	    ANC_OK);
	/* A line added after the closing one. */
	edit(NULL, "{}\n");
	assert_int_equal(anc_tr_each_verified(dir, &s, count, &n, &err),
	    ANC_E_VERIFY);
	assert_non_null(strstr(err.msg, "transcript.jsonl:15: not the line "
	    "that verified"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_report_changed, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
