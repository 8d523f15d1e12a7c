/*
 * status with a fixed clock: anchors and issuing CAs inside and outside
 * the buffer and past their notAfter, through each rotation phase, and
 * only what is in use makes action due.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/manifest.h"
#include "anchorage/rotation.h"
#include "test_inventory_certs.h"

static char *dir;
/* A: the anchor in use, 20 days left at T0; B: its successor; C: long
 * expired.  ica_a2 and ica_a3: made in the same second, after ica_a. */
static struct tc root_a, root_b, root_c, ica_a, ica_b, ica_a2, ica_a3;

static int
setup(void **state)
{
	dir = tc_tmpdir();
	root_a = tc_make("root-a", NULL, 1, T0 - 3000 * DAY, T0 + 20 * DAY);
	root_b = tc_make("root-b", NULL, 1, T0 - 5 * DAY, T0 + 3650 * DAY);
	root_c = tc_make("root-c", NULL, 1, T0 - 4000 * DAY, T0 - 10 * DAY);
	ica_a = tc_make("ica-a", &root_a, 0, T0 - 2000 * DAY, T0 + 15 * DAY);
	ica_b = tc_make("ica-b", &root_b, 0, T0 - 4 * DAY, T0 + 1800 * DAY);
	ica_a2 = tc_make("ica-a2", &root_a, 0, T0 - 1000 * DAY, T0 + 15 * DAY);
	ica_a3 = tc_make("ica-a3", &root_a, 0, T0 - 1000 * DAY, T0 + 15 * DAY);
	return 0;
}

static int
teardown(void **state)
{
	tc_free(&root_a);
	tc_free(&root_b);
	tc_free(&root_c);
	tc_free(&ica_a);
	tc_free(&ica_b);
	tc_free(&ica_a2);
	tc_free(&ica_a3);
	tc_rmdir(dir);
	return 0;
}

static const char *
at(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void
add_pem(struct anc_outbox *ob, const char *name, X509 *x)
{
	struct anc_err err;
	char *pem = tc_pem(x, NULL);

	assert_int_equal(anc_outbox_add(ob, name, pem, strlen(pem), 0644,
	    &err), ANC_OK);
	free(pem);
}

/* An outbox as a ceremony leaves it: PEM files and, when `bundle` has
 * anchors, the trust-bundle ConfigMap. */
static void
outbox(const char *name, X509 *const *certs, size_t n, X509 *const *bundle,
    size_t nb)
{
	struct anc_provenance p = { "t", "0000000000000000000000000000000000"
	    "000000000000000000000000000000", "0.1.0" };
	struct anc_outbox *ob = NULL;
	struct anc_err err;
	char file[64], *text = NULL;
	size_t i, len = 0;

	assert_int_equal(anc_outbox_open(at(name), &ob, &err), ANC_OK);
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "cert-%zu.pem", i + 1);
		add_pem(ob, file, certs[i]);
	}
	if (nb > 0) {
		assert_int_equal(anc_manifest_bundle_configmap("m8-source",
		    "cert-manager", bundle, nb, &p, &text, &len, &err), ANC_OK);
		assert_int_equal(anc_outbox_add(ob, "manifests/configmap-m8.yaml",
		    text, len, 0644, &err), ANC_OK);
		free(text);
	}
	assert_int_equal(anc_outbox_finish(ob, &err), ANC_OK);
	anc_outbox_free(ob);
}

static struct anc_status *
status(time_t when, int warn, const char *const *outboxes,
    const char *bundle)
{
	struct anc_status *st = NULL;
	struct anc_err err;
	size_t i;

	assert_int_equal(anc_status_new(when, warn, &st, &err), ANC_OK);
	for (i = 0; outboxes[i] != NULL; i++)
		if (anc_status_add_outbox(st, at(outboxes[i]), &err) != ANC_OK)
			fail_msg("%s", err.msg);
	if (bundle != NULL &&
	    anc_status_add_bundle(st, at(bundle), &err) != ANC_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(anc_status_finish(st, &err), ANC_OK);
	return st;
}

static const struct anc_status_item *
item(const struct anc_status *st, X509 *x)
{
	char fp[65];
	size_t i;

	assert_int_equal(anc_cert_fingerprint(x, fp), ANC_OK);
	for (i = 0; i < anc_status_count(st); i++)
		if (strcmp(anc_status_item(st, i)->sha256, fp) == 0)
			return anc_status_item(st, i);
	fail_msg("no status item for %s", fp);
	return NULL;
}

static void
expect_item(const struct anc_status *st, X509 *x, const char *phase,
    long days, enum anc_status_level level, const char *advice)
{
	const struct anc_status_item *it = item(st, x);

	assert_string_equal(it->phase, phase);
	assert_int_equal(it->days_left, days);
	assert_int_equal(it->level, level);
	if (advice == NULL)
		assert_string_equal(it->advice, "");
	else if (strstr(it->advice, advice) == NULL)
		fail_msg("advice \"%s\" lacks \"%s\"", it->advice, advice);
}

static int
make_outboxes(void **state)
{
	X509 *o1[] = { root_a.x, ica_a.x }, *b1[] = { root_a.x };
	X509 *o2[] = { root_b.x }, *b2[] = { root_b.x, root_a.x };
	X509 *o3[] = { ica_b.x }, *o4[] = { root_c.x };
	X509 *o5[] = { ica_a2.x, ica_a3.x };
	char *pem;

	outbox("o1", o1, 2, b1, 1);
	outbox("o2", o2, 1, b2, 2);
	outbox("o3", o3, 1, NULL, 0);
	outbox("o4", o4, 1, NULL, 0);
	outbox("plain", o1, 2, NULL, 0);
	outbox("o5", o5, 2, NULL, 0);
	tc_write(at("b-only.pem"), pem = tc_pem(root_b.x, NULL));
	free(pem);
	tc_write(at("b-leaf.pem"), pem = tc_pem(root_b.x, ica_b.x, NULL));
	free(pem);
	return 0;
}

/* One anchor in use: inside the buffer, outside it, and past it. */
static void
test_steady(void **state)
{
	static const char *const o[] = { "o1", NULL };
	struct anc_status *st;

	st = status(T0, 30, o, NULL);
	assert_string_equal(anc_status_phase(st), "steady");
	assert_non_null(strstr(anc_status_bundle_source(st),
	    "o1/manifests/configmap-m8.yaml"));
	expect_item(st, root_a.x, "in use", 20, ANC_STATUS_SOON,
	    "expires in 20 day(s), inside the 30-day buffer: introduce a new "
	    "anchor");
	expect_item(st, ica_a.x, "in use", 15, ANC_STATUS_SOON,
	    "issue a new issuing CA");
	assert_int_equal(item(st, ica_a.x)->kind, ANC_STATUS_ISSUING_CA);
	assert_true(item(st, root_a.x)->in_bundle);
	assert_true(anc_status_action_due(st));
	/* Anchors first, then issuing CAs. */
	assert_int_equal(anc_status_item(st, 0)->kind, ANC_STATUS_ANCHOR);
	anc_status_free(st);

	/* A 10-day buffer: both are outside it. */
	st = status(T0, 10, o, NULL);
	expect_item(st, root_a.x, "in use", 20, ANC_STATUS_FINE, NULL);
	expect_item(st, ica_a.x, "in use", 15, ANC_STATUS_FINE, NULL);
	assert_false(anc_status_action_due(st));
	anc_status_free(st);

	/* 25 days on, both have expired: days count down past zero. */
	st = status(T0 + 25 * DAY, 30, o, NULL);
	expect_item(st, root_a.x, "in use", -5, ANC_STATUS_EXPIRED,
	    "EXPIRED 5 day(s) ago");
	expect_item(st, ica_a.x, "in use", -10, ANC_STATUS_EXPIRED,
	    "EXPIRED 10 day(s) ago");
	anc_status_free(st);

	/* Whole days: one second before notAfter is day 0, after it day -1. */
	st = status(T0 + 20 * DAY - 1, 30, o, NULL);
	expect_item(st, root_a.x, "in use", 0, ANC_STATUS_SOON, 
	    "expires in 0 day(s)");
	anc_status_free(st);
	st = status(T0 + 20 * DAY + 1, 30, o, NULL);
	expect_item(st, root_a.x, "in use", -1, ANC_STATUS_EXPIRED,
	    "EXPIRED 1 day(s) ago");
	anc_status_free(st);
}

/* Introduce, switch, retire: the phases, and what stops warning. */
static void
test_phases(void **state)
{
	static const char *const o12[] = { "o1", "o2", NULL };
	static const char *const o123[] = { "o1", "o2", "o3", NULL };
	static const char *const o1234[] = { "o1", "o2", "o3", "o4", NULL };
	struct anc_status *st;

	st = status(T0, 30, o12, NULL);
	assert_string_equal(anc_status_phase(st), "introduced");
	assert_non_null(strstr(anc_status_next(st), "switch ceremony"));
	expect_item(st, root_b.x, "introduced", 3650, ANC_STATUS_FINE, NULL);
	expect_item(st, root_a.x, "retiring", 20, ANC_STATUS_SOON,
	    "finish the rotation");
	expect_item(st, ica_a.x, "to replace", 15, ANC_STATUS_SOON, 
	    "issue a new issuing CA");
	anc_status_free(st);

	st = status(T0, 30, o123, NULL);
	assert_string_equal(anc_status_phase(st), "switched");
	expect_item(st, root_b.x, "switched", 3650, ANC_STATUS_FINE, NULL);
	expect_item(st, ica_b.x, "in use", 1800, ANC_STATUS_FINE, NULL);
	expect_item(st, ica_a.x, "superseded", 15, ANC_STATUS_FINE, NULL);
	/* The old anchor still expires inside the buffer. */
	assert_true(anc_status_action_due(st));
	anc_status_free(st);

	/* The bundle without the old anchor: retired, and quiet, as is an
	 * anchor retired long ago and expired since. */
	st = status(T0, 30, o1234, "b-only.pem");
	assert_string_equal(anc_status_phase(st), "steady");
	expect_item(st, root_b.x, "in use", 3650, ANC_STATUS_FINE, NULL);
	expect_item(st, root_a.x, "retired", 20, ANC_STATUS_FINE, NULL);
	expect_item(st, ica_a.x, "retired", 15, ANC_STATUS_FINE, NULL);
	expect_item(st, root_c.x, "retired", -10, ANC_STATUS_FINE, NULL);
	assert_false(item(st, root_a.x)->in_bundle);
	assert_false(anc_status_action_due(st));
	assert_string_equal(anc_status_bundle_source(st), at("b-only.pem"));
	anc_status_free(st);
}

/* Without a bundle the phase is unknown, and everything is watched. */
static void
test_no_bundle(void **state)
{
	static const char *const o[] = { "plain", NULL };
	struct anc_status *st;

	st = status(T0, 30, o, NULL);
	assert_string_equal(anc_status_phase(st), "unknown");
	assert_null(anc_status_bundle_source(st));
	expect_item(st, root_a.x, "unknown", 20, ANC_STATUS_SOON, 
	    "introduce a new anchor");
	assert_true(anc_status_action_due(st));
	anc_status_free(st);
}

/* The items in order, by fingerprint. */
static void
expect_order(const struct anc_status *st, X509 *const *certs, size_t n)
{
	char fp[65];
	size_t i;

	assert_int_equal(anc_status_count(st), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(anc_cert_fingerprint(certs[i], fp), ANC_OK);
		assert_string_equal(anc_status_item(st, i)->sha256, fp);
	}
}

static const char *
source(const struct anc_status *st, X509 *x)
{
	return item(st, x)->source + strlen(dir);
}

/*
 * The order of the items (anchors, then issuing CAs, newest first; made
 * in the same second, the one found last first), each named by the first
 * file it was found in, and an issuing CA found before its anchor (read
 * again once the anchor is known) placed under it all the same.
 */
static void
test_found(void **state)
{
	static const char *const o1234[] = { "o1", "o2", "o3", "o4", NULL };
	static const char *const plain[] = { "plain", "o1", NULL };
	static const char *const o15[] = { "o1", "o5", NULL };
	static const char *const o32[] = { "o3", "o2", NULL };
	X509 *all[] = { root_b.x, root_a.x, root_c.x, ica_b.x, ica_a.x };
	X509 *twice[] = { root_a.x, ica_a.x };
	X509 *same[] = { root_a.x, ica_a3.x, ica_a2.x, ica_a.x };
	X509 *late[] = { root_b.x, root_a.x, ica_b.x };
	char fp[65];
	struct anc_status *st;

	st = status(T0, 30, o1234, NULL);
	expect_order(st, all, 5);
	anc_status_free(st);

	st = status(T0, 30, plain, NULL);
	expect_order(st, twice, 2);
	assert_string_equal(source(st, root_a.x), "/plain/cert-1.pem");
	assert_string_equal(source(st, ica_a.x), "/plain/cert-2.pem");
	anc_status_free(st);

	st = status(T0, 30, o15, NULL);
	expect_order(st, same, 4);
	expect_item(st, ica_a3.x, "in use", 15, ANC_STATUS_SOON,
	    "issue a new issuing CA");
	expect_item(st, ica_a2.x, "superseded", 15, ANC_STATUS_FINE, NULL);
	expect_item(st, ica_a.x, "superseded", 15, ANC_STATUS_FINE, NULL);
	anc_status_free(st);

	st = status(T0, 30, o32, NULL);
	expect_order(st, late, 3);
	assert_string_equal(anc_status_phase(st), "switched");
	assert_int_equal(anc_cert_fingerprint(root_b.x, fp), ANC_OK);
	assert_string_equal(item(st, ica_b.x)->anchor_sha256, fp);
	expect_item(st, ica_b.x, "in use", 1800, ANC_STATUS_FINE, NULL);
	assert_string_equal(source(st, ica_b.x), "/o3/cert-1.pem");
	assert_string_equal(source(st, root_a.x),
	    "/o2/manifests/configmap-m8.yaml");
	anc_status_free(st);
}

static void
test_refused(void **state)
{
	struct anc_status *st = NULL;
	struct anc_err err;

	assert_int_equal(anc_status_new(T0, 30, &st, &err), ANC_OK);
	/* An outbox that does not verify is not read. */
	tc_write(at("o1/extra.pem"), "-----BEGIN CERTIFICATE-----\n");
	assert_int_equal(anc_status_add_outbox(st, at("o1"), &err),
	    ANC_E_VERIFY);
	assert_non_null(strstr(err.msg, "status needs outboxes that verify"));
	assert_int_equal(unlink(at("o1/extra.pem")), 0);
	assert_int_equal(anc_status_add_bundle(st, at("b-leaf.pem"), &err),
	    ANC_E_INPUT);
	assert_non_null(strstr(err.msg, "certificate 2 is not a self-signed "
	    "CA"));
	assert_int_equal(anc_status_add_bundle(st, at("absent.pem"), &err),
	    ANC_E_INPUT);
	anc_status_free(st);
}

static void
test_rfc3339(void **state)
{
	char buf[ANC_RFC3339_LEN];
	time_t t;

	assert_int_equal(anc_rfc3339_parse("2026-11-29T00:00:00Z", &t), 0);
	assert_true(t == T0);
	anc_rfc3339_format(T0 + 3661, buf);
	assert_string_equal(buf, "2026-11-29T01:01:01Z");
	assert_int_equal(anc_rfc3339_parse("2026-02-31T00:00:00Z", &t), -1);
	assert_int_equal(anc_rfc3339_parse("2026-11-29T00:00:00+01:00", &t),
	    -1);
	assert_int_equal(anc_rfc3339_parse("2026-11-29 00:00:00Z", &t), -1);
	assert_int_equal(anc_rfc3339_parse("2026-11-29T24:00:00Z", &t), -1);
	assert_int_equal(anc_rfc3339_parse("", &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_steady, make_outboxes),
		cmocka_unit_test(test_phases),
		cmocka_unit_test(test_no_bundle),
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_rfc3339),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
