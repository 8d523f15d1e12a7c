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

/* The root of ceremony/examples/root.yaml, as one of its runs made it;
 * ROOT_B64 is its first base64 line, ROOT_REST the rest of the block. */
#define ROOT_BEGIN "-----BEGIN CERTIFICATE-----\n"
#define ROOT_B64 "MIIBkjCCATigAwIBAgIRAetpvHtIRyCdtHDtyOYPjr4wCgYIKoZIzj0EAwIwJzEl"
#define ROOT_REST \
	"MCMGA1UEAwwccm9vdC5tb25vc2tvcGUuY2x1c3Rlci5sb2NhbDAeFw0yNjExMjky\n" \
	"MjQxMjdaFw0zNjExMjYyMjQxMjdaMCcxJTAjBgNVBAMMHHJvb3QubW9ub3Nrb3Bl\n" \
	"LmNsdXN0ZXIubG9jYWwwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARDood8sl+c\n" \
	"RkiHanF9oT8X6JW+K8aMcrFBUo2V/O24R8O7Xs/DGkvFqbSj/9hQQ3x9LvuyuodB\n" \
	"KnK7r8jkVbz8o0UwQzAOBgNVHQ8BAf8EBAMCAQYwEgYDVR0TAQH/BAgwBgEB/wIB\n" \
	"ATAdBgNVHQ4EFgQUcUsONvR8CthCDoDxF6OSyxAW26wwCgYIKoZIzj0EAwIDSAAw\n" \
	"RQIhAOCJhsRi6F1UgnbwH02ydQjP/foioyFk0bDlfbbllgx4AiB8ZeCi+VuIR4gx\n" \
	"B7pHkxqCbTWRnk9MFC1WMnEvttZuQQ==\n" \
	"-----END CERTIFICATE-----\n"
#define ROOT ROOT_BEGIN ROOT_B64 "\n" ROOT_REST

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

static int
read_certs(const char *pem, int *n, struct anc_err *err)
{
	STACK_OF(X509) *sk = NULL;
	int r;

	anc_err_clear(err);
	r = anc_pem_read_certs((const unsigned char *)pem, strlen(pem),
	    "c.pem", &sk, err);
	*n = sk != NULL ? sk_X509_num(sk) : 0;
	sk_X509_pop_free(sk, X509_free);
	return r;
}

static void
pem_refused(const char *pem)
{
	struct anc_err err;
	int n;

	assert_int_equal(read_certs(pem, &n, &err), ANC_E_INPUT);
	assert_string_equal(err.msg, "c.pem: block 1 (line 1): expected only "
	    "a BEGIN line, base64 lines and an END line");
	assert_int_not_equal(check("root.pem", pem, &err), ANC_OK);
}

/*
 * outbox_content: OpenSSL's PEM reader skips lines it cannot read as a
 * BEGIN line and cuts a base64 line at its first other character, so a
 * key could ride along in a .pem that `outbox verify` passed, and in an
 * input certificate.  Found as a vault-chain.pem whose first BEGIN line
 * had become "-----BEGIN CERTIFICATE--PRIVATE KEY---".
 */
static void
test_outbox_content_text_in_pem(void **state)
{
	struct anc_err err;
	int n;

	assert_int_equal(read_certs(ROOT, &n, &err), ANC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(check("root.pem", ROOT, &err), ANC_OK);
	/* What other tools write is still read: CRLF, no final newline. */
	assert_int_equal(read_certs("-----BEGIN CERTIFICATE-----\r\n" ROOT_B64
	    "\r\n" ROOT_REST, &n, &err), ANC_OK);
	assert_int_equal(read_certs(ROOT_BEGIN ROOT_B64 "\n" ROOT_REST
	    "\n" ROOT_BEGIN ROOT_B64 "\n" ROOT_REST, &n, &err), ANC_OK);
	assert_int_equal(n, 2);
	pem_refused("-----BEGIN CERTIFICATE--PRIVATE KEY---\n" KEY_B64 "\n"
	    "-----END CERTIFICATE-----\n" ROOT);
	pem_refused(ROOT_BEGIN ROOT_B64 " -----BEGIN PRIVATE KEY----- " KEY_B64
	    "\n" ROOT_REST);
	pem_refused(ROOT_BEGIN "Proc-Type: 4,ENCRYPTED\n\n" ROOT_B64 "\n"
	    ROOT_REST);
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
		cmocka_unit_test(test_outbox_content_text_in_pem),
		cmocka_unit_test(test_outbox_sums_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
