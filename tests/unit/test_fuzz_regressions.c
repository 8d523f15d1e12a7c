/*
 * Inputs the fuzz targets (tests/fuzz/) found that broke a promise, each
 * kept here as it was found, or cut down to what mattered, with the
 * behaviour fixed.  One test per finding; the name says which target.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "export_int.h"

/* A ConfigMap as anchorage writes it, less its annotations. */
#define CONFIGMAP \
	"---\n" \
	"apiVersion: \"v1\"\n" \
	"kind: \"ConfigMap\"\n" \
	"metadata:\n" \
	"  name: \"m8-trust-bundle-source\"\n" \
	"  namespace: \"cert-manager\"\n" \
	"data:\n" \
	"  trust-bundle.pem: |\n" \
	"    -----BEGIN CERTIFICATE-----\n" \
	"    MIIBkzCCATigAwIBAgIRAWhXtp8EXSGCJH2YKcgzP3wwCgYIKoZIzj0EAwIwJzEl\n" \
	"    -----END CERTIFICATE-----\n"

/* The start of a PKCS#8 P-256 key: enough to be recognised as one. */
#define KEY_B64 "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgixx0YtcMbqR81Vmz"

static int
check(const char *name, const char *text, struct anc_err *err)
{
	struct anc_verify_item it;

	memset(&it, 0, sizeof(it));
	anc_err_clear(err);
	return anc_outbox_check_content(name, (const unsigned char *)text,
	    strlen(text), &it, err);
}

static void
refused(const char *text, const char *why)
{
	struct anc_err err;

	assert_int_equal(check("manifests/configmap-x.yaml", text, &err),
	    ANC_E_VERIFY);
	if (strstr(err.msg, why) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err.msg, why);
}

/*
 * outbox_content: a private key in a YAML comment passed `outbox verify`,
 * which checked only values.  Found from a seed with the key commented
 * out above a ConfigMap (the fuzz target's "PRIVATE KEY" promise).
 */
static void
test_outbox_content_key_in_comment(void **state)
{
	struct anc_err err;

	assert_int_equal(check("manifests/configmap-x.yaml", CONFIGMAP, &err),
	    ANC_OK);
	assert_int_equal(check("helm-values-x.yaml", "pki:\n  enabled: true\n",
	    &err), ANC_OK);
	refused("# -----BEGIN PRIVATE KEY-----\n# " KEY_B64 "\n"
	    "# -----END PRIVATE KEY-----\n" CONFIGMAP,
	    "line 1: a comment, expected only values");
	/* Base64 alone, with no PEM armour to search for. */
	refused(CONFIGMAP "# " KEY_B64 "\n", "line 12: a comment");
	/* A comment on a block scalar's header line is inside the token. */
	refused("---\napiVersion: \"v1\"\nkind: \"ConfigMap\"\ndata:\n"
	    "  a: | # " KEY_B64 "\n    x\n", "line 5: a comment");
	/* Anchors, tags and directives are outside values too. */
	refused("---\napiVersion: \"v1\"\nkind: \"ConfigMap\"\ndata:\n"
	    "  a: &" KEY_B64 " x\n", "line 5: text outside values");
	refused("---\napiVersion: \"v1\"\nkind: \"ConfigMap\"\ndata:\n"
	    "  a: !<tag:" KEY_B64 "> x\n", "line 5: text outside values");
	refused("%TAG !k! tag:" KEY_B64 ":\n" CONFIGMAP,
	    "line 1: text outside values");
	/* A '#' inside a value is not a comment. */
	assert_int_equal(check("manifests/configmap-x.yaml", "---\n"
	    "apiVersion: \"v1\"\nkind: \"ConfigMap\"\ndata:\n  a: \"# x\"\n"
	    "  b: c#d\n", &err), ANC_OK);
	/* Non-ASCII before a comment: marks count characters, not bytes. */
	refused("---\napiVersion: \"v1\"\nkind: \"ConfigMap\"\ndata:\n"
	    "  \xc3\xa4\xc3\xa4: \"\xc3\xa4\" # " KEY_B64 "\n",
	    "line 5: a comment");
}

/*
 * outbox_sums: an empty SHA256SUMS handed qsort() a NULL array (undefined
 * behaviour; UBSan stopped on it).  Found on the empty seed.
 */
static void
test_outbox_sums_empty(void **state)
{
	struct anc_verify_item *items = NULL;
	struct anc_err err;
	char dir[] = "/tmp/anc-test-fuzz.XXXXXX", sums[64];
	size_t n = 0;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(sums, sizeof(sums), "%s/SHA256SUMS", dir);
	fd = open(sums, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	anc_err_clear(&err);
	assert_int_equal(anc_outbox_verify(dir, &items, &n, &err), ANC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].file, "SHA256SUMS");
	assert_string_equal(items[0].detail, "0 files listed");
	free(items);
	unlink(sums);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outbox_content_key_in_comment),
		cmocka_unit_test(test_outbox_sums_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
