/*
 * common/buf.c: the growable buffer.
 *
 * This program is linked with malloc, realloc and free wrapped
 * (tests/CMakeLists.txt), so it can see every block the buffer allocates
 * and what each holds when it is freed: a buffer made with ANC_BUF_WIPE
 * must free no block that still holds the secret, and a plain one (the
 * control) shows that the check would see one.
 */
#define _GNU_SOURCE	/* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anchorage/buf.h"
#include "anchorage/err.h"

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static const char secret[] = "correct horse battery staple";

/* The blocks from malloc/realloc that are not yet freed. */
#define NBLOCKS 64
static struct {
	void *p;
	size_t n;
} blocks[NBLOCKS];
static int allocs;	/* malloc and realloc calls */
static int fail_allocs;	/* make the next N of them fail */
static int stale;	/* blocks freed while holding `secret` */

static void
track(void *p, size_t n)
{
	size_t i;

	for (i = 0; i < NBLOCKS; i++)
		if (blocks[i].p == NULL) {
			blocks[i].p = p;
			blocks[i].n = n;
			return;
		}
}

static size_t
untrack(void *p)
{
	size_t i, n;

	for (i = 0; p != NULL && i < NBLOCKS; i++)
		if (blocks[i].p == p) {
			n = blocks[i].n;
			blocks[i].p = NULL;
			return n;
		}
	return 0;
}

void *
__wrap_malloc(size_t n)
{
	void *p;

	allocs++;
	if (fail_allocs > 0) {
		fail_allocs--;
		return NULL;
	}
	/* Zeroed, so that the scan in __wrap_free reads no uninitialized
	 * byte (valgrind); the secret is what is looked for, not zeros. */
	if ((p = __real_malloc(n)) != NULL) {
		memset(p, 0, n);
		track(p, n);
	}
	return p;
}

void *
__wrap_realloc(void *p, size_t n)
{
	void *np;
	size_t old = 0, i;
	int known = p == NULL;

	allocs++;
	if (fail_allocs > 0) {
		fail_allocs--;
		return NULL;
	}
	for (i = 0; p != NULL && i < NBLOCKS; i++)
		if (blocks[i].p == p) {
			old = blocks[i].n;
			known = 1;
		}
	if ((np = __real_realloc(p, n)) != NULL) {
		untrack(p);
		if (known && n > old)
			memset((char *)np + old, 0, n - old);
		track(np, n);
	}
	return np;
}

void
__wrap_free(void *p)
{
	size_t n = untrack(p);

	if (n >= sizeof(secret) - 1 &&
	    memmem(p, n, secret, sizeof(secret) - 1) != NULL)
		stale++;
	__real_free(p);
}

static int
reset_counts(void **state)
{
	(void)state;
	allocs = fail_allocs = stale = 0;
	return 0;
}

static void
test_append_take(void **state)
{
	struct anc_buf *b = anc_buf_new(0);
	static const unsigned char bin[] = { 'a', 0, 'b', 0xff };
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(b);
	assert_int_equal(anc_buf_len(b), 0);
	assert_string_equal(anc_buf_str(b), "");
	assert_int_equal(anc_buf_append(b, bin, sizeof(bin)), ANC_OK);
	assert_int_equal(anc_buf_append(b, NULL, 0), ANC_OK);
	assert_int_equal(anc_buf_len(b), 4);
	assert_memory_equal(anc_buf_data(b), bin, sizeof(bin));
	assert_int_equal(anc_buf_data(b)[4], 0);	/* NUL after */
	anc_buf_reset(b);
	assert_int_equal(anc_buf_len(b), 0);
	assert_int_equal(anc_buf_printf(b, "%d-%s", 42, "x"), ANC_OK);
	anc_buf_put(b, "%c%%", 'y');
	assert_int_equal(anc_buf_failed(b), ANC_OK);
	assert_int_equal(anc_buf_take(b, &out, &len), ANC_OK);
	assert_string_equal(out, "42-xy%");
	assert_int_equal(len, 6);
	free(out);
	/* Empty after the hand-over; an empty buffer hands over "". */
	assert_int_equal(anc_buf_len(b), 0);
	assert_int_equal(anc_buf_take(b, &out, NULL), ANC_OK);
	assert_string_equal(out, "");
	free(out);
	anc_buf_free(b);
	anc_buf_free(NULL);
}

/* Text longer than any first guess, in pieces and in one format. */
static void
test_long_printf(void **state)
{
	struct anc_buf *b = anc_buf_new(0);
	size_t i, n = 100000;
	char *big = malloc(n + 1), *want = malloc(3 * n + 64);
	int w;

	(void)state;
	assert_non_null(b);
	assert_non_null(big);
	assert_non_null(want);
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	assert_int_equal(anc_buf_printf(b, "<%s|%zu>", big, n), ANC_OK);
	for (i = 0; i < 1000; i++)
		anc_buf_put(b, "%03zu", i % 1000);
	anc_buf_put(b, "%s.", big);
	assert_int_equal(anc_buf_failed(b), ANC_OK);
	w = snprintf(want, 3 * n + 64, "<%s|%zu>", big, n);
	for (i = 0; i < 1000; i++)
		w += snprintf(want + w, 3 * n + 64 - (size_t)w, "%03zu", i);
	w += snprintf(want + w, 3 * n + 64 - (size_t)w, "%s.", big);
	assert_int_equal(anc_buf_len(b), (size_t)w);
	assert_string_equal(anc_buf_str(b), want);
	anc_buf_free(b);
	free(big);
	free(want);
}

/* A length that would overflow is refused before any allocation, and
 * the failure sticks until reset. */
static void
test_overflow_guard(void **state)
{
	struct anc_buf *b = anc_buf_new(0);
	char *out = NULL;
	int before;

	(void)state;
	assert_non_null(b);
	assert_int_equal(anc_buf_append(b, "0123456789", 10), ANC_OK);
	before = allocs;
	assert_int_equal(anc_buf_append(b, "x", SIZE_MAX - 10), ANC_E_NOMEM);
	assert_int_equal(anc_buf_append(b, "x", SIZE_MAX), ANC_E_NOMEM);
	assert_int_equal(allocs, before);
	assert_int_equal(anc_buf_len(b), 10);
	assert_string_equal(anc_buf_str(b), "0123456789");
	/* Sticky: a later small append fails too, and so does the end. */
	assert_int_equal(anc_buf_append(b, "y", 1), ANC_E_NOMEM);
	anc_buf_put(b, "%s", "z");
	assert_int_equal(anc_buf_failed(b), ANC_E_NOMEM);
	assert_int_equal(anc_buf_take(b, &out, NULL), ANC_E_NOMEM);
	assert_null(out);
	anc_buf_reset(b);
	assert_int_equal(anc_buf_failed(b), ANC_OK);
	assert_int_equal(anc_buf_append(b, "y", 1), ANC_OK);
	anc_buf_free(b);
}

/* An allocation that fails is remembered, for the one check at the end. */
static void
test_alloc_failure(void **state)
{
	struct anc_buf *b = anc_buf_new(ANC_BUF_WIPE);
	char *out = NULL;

	(void)state;
	assert_non_null(b);
	fail_allocs = 1;
	anc_buf_put(b, "%s", "text");
	assert_int_equal(fail_allocs, 0);
	assert_int_equal(anc_buf_failed(b), ANC_E_NOMEM);
	assert_int_equal(anc_buf_printf(b, "more"), ANC_E_NOMEM);
	assert_int_equal(anc_buf_take(b, &out, NULL), ANC_E_NOMEM);
	assert_null(out);
	anc_buf_free(b);
}

/* Grow a buffer that holds the secret from its first bytes on. */
static void
fill(struct anc_buf *b)
{
	size_t i;

	assert_int_equal(anc_buf_append(b, secret, sizeof(secret) - 1),
	    ANC_OK);
	for (i = 0; i < 2000; i++)
		assert_int_equal(anc_buf_printf(b, "%zu,", i), ANC_OK);
	assert_non_null(strstr(anc_buf_str(b), secret));
}

static void
test_wipe_on_grow(void **state)
{
	struct anc_buf *b = anc_buf_new(ANC_BUF_WIPE);

	(void)state;
	assert_non_null(b);
	fill(b);
	assert_true(allocs >= 5);	/* it did grow, several times */
	assert_int_equal(stale, 0);	/* no old block left holding it */
	anc_buf_free(b);
	assert_int_equal(stale, 0);
}

/* The control: without ANC_BUF_WIPE the check above does see it. */
static void
test_plain_not_wiped(void **state)
{
	struct anc_buf *b = anc_buf_new(0);

	(void)state;
	assert_non_null(b);
	fill(b);
	anc_buf_free(b);
	assert_int_equal(stale, 1);
}

/* Reset wipes what the block held, which stays allocated. */
static void
test_wipe_on_reset(void **state)
{
	struct anc_buf *b = anc_buf_new(ANC_BUF_WIPE);
	const unsigned char *p;
	size_t i, n;

	(void)state;
	assert_non_null(b);
	assert_int_equal(anc_buf_append(b, secret, sizeof(secret) - 1),
	    ANC_OK);
	p = anc_buf_data(b);
	n = anc_buf_len(b);
	anc_buf_reset(b);
	assert_ptr_equal(anc_buf_data(b), p);
	for (i = 0; i < n; i++)
		assert_int_equal(p[i], 0);
	anc_buf_free(b);
	assert_int_equal(stale, 0);
}

/* What a taken buffer hands over is the caller's, grown or not. */
static void
test_take_wiping(void **state)
{
	struct anc_buf *b = anc_buf_new(ANC_BUF_WIPE);
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(b);
	fill(b);
	assert_int_equal(anc_buf_take(b, &out, &len), ANC_OK);
	assert_int_equal(strlen(out), len);
	assert_memory_equal(out, secret, sizeof(secret) - 1);
	anc_buf_free(b);
	assert_int_equal(stale, 0);
	free(out);	/* the caller's block, not wiped: the control */
	assert_int_equal(stale, 1);
}

/* Arrays of structs: room only when needed, doubled from `first`; a
 * failed or oversized grow leaves the array as it was. */
static void
test_array_room(void **state)
{
	struct pair { int a, b; } *v = NULL, *nv;
	size_t cap = 0, i;

	(void)state;
	for (i = 0; i < 20; i++) {
		assert_non_null(nv = anc_array_room(v, i + 1, &cap, sizeof(*v),
		    8));
		v = nv;
		v[i].a = (int)i;
		v[i].b = -(int)i;
	}
	assert_int_equal(cap, 32);
	assert_int_equal(allocs, 3);
	assert_ptr_equal(anc_array_room(v, 32, &cap, sizeof(*v), 8), v);
	assert_int_equal(allocs, 3);
	fail_allocs = 1;
	assert_null(anc_array_room(v, 33, &cap, sizeof(*v), 8));
	assert_int_equal(cap, 32);
	assert_null(anc_array_room(v, SIZE_MAX / 4, &cap, sizeof(*v), 8));
	assert_int_equal(cap, 32);
	for (i = 0; i < 20; i++)
		assert_true(v[i].a == (int)i && v[i].b == -(int)i);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_append_take, reset_counts),
		cmocka_unit_test_setup(test_long_printf, reset_counts),
		cmocka_unit_test_setup(test_overflow_guard, reset_counts),
		cmocka_unit_test_setup(test_alloc_failure, reset_counts),
		cmocka_unit_test_setup(test_wipe_on_grow, reset_counts),
		cmocka_unit_test_setup(test_plain_not_wiped, reset_counts),
		cmocka_unit_test_setup(test_wipe_on_reset, reset_counts),
		cmocka_unit_test_setup(test_take_wiping, reset_counts),
		cmocka_unit_test_setup(test_array_room, reset_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
