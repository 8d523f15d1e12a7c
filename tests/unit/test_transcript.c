/*
 * Unit tests for transcript/transcript.c and transcript_verify.c: the PGP
 * word encoding against published vectors, the writer's chain and
 * canonical form, its refusals (existing file, symlink, records after the
 * close), a signed closing record verified against a certificate, and the
 * verifier naming the first line that fails.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "anchorage/transcript.h"
#include "transcript_int.h"

static char dir[] = "/tmp/anc-transcript-test-XXXXXX";
static int dfd = -1;

static int
rm_one(const char *p, const struct stat *st, int f, struct FTW *w)
{
	return remove(p);
}

static int
setup(void **state)
{
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	return 0;
}

static int
teardown(void **state)
{
	close(dfd);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static char *
slurp(const char *name)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	assert_non_null(buf = calloc(1, (size_t)n + 1));
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void
spit(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "wb"));
	fputs(text, f);
	fclose(f);
}

/* ---- the word list ---- */

static void
test_words_vectors(void **state)
{
	static const unsigned char two[] = { 0x00, 0x01 }, ff[] = { 0xff, 0xff };
	static const unsigned char e5[] = { 0xe5, 0x82, 0x94, 0xf2 };
	char out[ANC_TR_WORDS_MAX];

	assert_int_equal(anc_pgp_words(two, 2, out, sizeof(out)), 0);
	assert_string_equal(out, "aardvark adviser");
	assert_string_equal(anc_pgp_even[0x00], "aardvark");
	assert_string_equal(anc_pgp_odd[0x01], "adviser");
	assert_int_equal(anc_pgp_words(ff, 2, out, sizeof(out)), 0);
	assert_string_equal(out, "Zulu Yucatan");
	/* The example of the list's authors: E582 94F2. */
	assert_int_equal(anc_pgp_words(e5, 4, out, sizeof(out)), 0);
	assert_string_equal(out, "topmost Istanbul Pluto vagabond");
}

static void
test_words_digest(void **state)
{
	char out[ANC_TR_WORDS_MAX], hex[ANC_SHA256_HEX];
	size_t spaces = 0, i;

	anc_sha256_hex("abc", 3, hex);
	assert_int_equal(anc_pgp_words_hex(hex, out, sizeof(out)), 0);
	for (i = 0; out[i] != '\0'; i++)
		spaces += out[i] == ' ';
	assert_int_equal(spaces, 31);
	/* SHA-256("abc") begins ba 78: even word of 0xba, odd of 0x78. */
	assert_int_equal(strncmp(out, anc_pgp_even[0xba],
	    strlen(anc_pgp_even[0xba])), 0);
	assert_non_null(strstr(out, anc_pgp_odd[0x78]));
	assert_int_equal(anc_pgp_words_hex(hex, out, 20), -1);
	assert_string_equal(out, "");
	assert_int_equal(anc_pgp_words_hex("xyz", out, sizeof(out)), -1);
}

static void
test_words_distinct(void **state)
{
	size_t i, j;

	for (i = 0; i < 256; i++)
		for (j = 0; j < 256; j++) {
			assert_true(strcasecmp(anc_pgp_even[i],
			    anc_pgp_odd[j]) != 0);
			if (i != j)
				assert_true(strcasecmp(anc_pgp_even[i],
				    anc_pgp_even[j]) != 0);
		}
}

/* ---- the writer and the verifier ---- */

static X509 *
self_signed(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	assert_non_null(x);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"unit root", -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	X509_NAME_free(n);
	return x;
}

/* A PEM file at `path`, or in the outbox when `path` has no '/'. */
static void
write_pem(const char *name, X509 *x)
{
	char path[512];
	FILE *f;

	if (strchr(name, '/') != NULL)
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_true(PEM_write_X509(f, x) == 1);
	fclose(f);
}

/* The end record's account of the outputs (format 2). */
static json_t *
end_record(const struct anc_transcript *t)
{
	char hex[ANC_SHA256_HEX];
	size_t n = 0;

	assert_int_equal(anc_tr_outputs(t, &n, hex), 0);
	return json_pack("{s:I, s:s}", "outputs_count", (json_int_t)n,
	    "outputs_sha256", hex);
}

/* A small transcript: start, an output, a confirmation, and a closing
 * record signed by `key` (whose certificate is `cert`) or unsigned; with
 * `root`, the certificate is also an output, root.pem. */
static void
write_transcript(EVP_PKEY *key, X509 *cert, int root)
{
	struct anc_transcript *t = NULL;
	struct anc_err err;
	json_t *end;
	char fp[65], hex[ANC_SHA256_HEX], *spki, *pem;

	spit("art.pem", "artifact\n");
	anc_sha256_hex("artifact\n", 9, hex);
	assert_int_equal(anc_tr_open(dfd, dir, 1, 0, &t, &err), ANC_OK);
	assert_int_equal(anc_tr_append(t, "start", json_pack("{s:s, s:n, "
	    "s:i}", "ceremony", "unit", "signer", "format", ANC_TR_FORMAT),
	    &err), ANC_OK);
	assert_int_equal(anc_tr_append(t, "output", json_pack("{s:i, s:s, "
	    "s:s}", "step", 1, "file", "art.pem", "sha256", hex), &err),
	    ANC_OK);
	if (root) {
		write_pem("root.pem", cert);
		pem = slurp("root.pem");
		anc_sha256_hex(pem, strlen(pem), hex);
		free(pem);
		assert_int_equal(anc_tr_append(t, "output", json_pack("{s:i, "
		    "s:s, s:s}", "step", 1, "file", "root.pem", "sha256", hex),
		    &err), ANC_OK);
	}
	assert_int_equal(anc_tr_append(t, "confirmation", json_pack("{s:s, "
	    "s:o}", "name", "Zoë Example", "typed", anc_tr_str("a\001b")),
	    &err), ANC_OK);
	end = end_record(t);
	if (key == NULL) {
		assert_int_equal(json_object_update_new(end, json_pack("{s:n, "
		    "s:s}", "signer", "unsigned_reason", "no key")), 0);
		assert_int_equal(anc_tr_close(t, "end", end, NULL, NULL, &err),
		    ANC_OK);
	} else {
		assert_non_null(spki = anc_tr_spki_b64(key));
		X509_digest(cert, EVP_sha256(), (unsigned char *)hex, NULL);
		anc_hex((unsigned char *)hex, 32, fp);
		assert_int_equal(json_object_update_new(end, json_pack(
		    "{s:{s:s, s:s, s:s}}", "signer", "spki", spki,
		    "certificate_sha256", fp, "key", "unit")), 0);
		free(spki);
		assert_int_equal(anc_tr_close(t, "end", end, key, key, &err),
		    ANC_OK);
	}
	assert_true(anc_tr_closed(t));
	assert_int_equal(anc_tr_count(t), root ? 5 : 4);
	assert_int_not_equal(anc_tr_append(t, "output", json_object(), &err),
	    ANC_OK);
	anc_tr_free(t);
}

static void
test_chain_and_form(void **state)
{
	struct anc_tr_summary s;
	struct anc_err err;
	char *text, *line, *save = NULL, prev[65];
	struct stat st;
	size_t n = 0;

	write_transcript(NULL, NULL, 0);
	text = slurp(ANC_TR_FILE);
	memcpy(prev, ANC_TR_ZERO, sizeof(prev));
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++) {
		assert_non_null(strstr(line, prev));
		assert_non_null(strstr(line, "\"rehearsal\":true"));
		anc_sha256_hex(line, strlen(line), prev);
	}
	assert_int_equal(n, 4);
	free(text);
	text = slurp(ANC_TR_FILE);
	/* Canonical: compact, sorted keys, UTF-8 as is, controls replaced. */
	assert_non_null(strstr(text, "{\"name\":\"Zoë Example\",\"prev\":"));
	assert_non_null(strstr(text, "\"typed\":\"a?b\""));
	assert_int_equal(fstatat(dfd, ANC_TR_FILE, &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err), ANC_OK);
	assert_int_equal(s.records, 4);
	assert_int_equal(s.outputs, 1);
	assert_true(s.rehearsal && s.complete && !s.is_signed);
	assert_string_equal(s.unsigned_reason, "no key");
	assert_string_equal(s.closing_hash, prev);
	free(text);
}

static void
test_refusals(void **state)
{
	struct anc_transcript *t = NULL;
	struct anc_err err;
	char path[512];

	assert_int_equal(anc_tr_open(dfd, dir, 0, 0, &t, &err), ANC_OK);
	/* A field that would hide a common member is a bug, not a record. */
	assert_int_equal(anc_tr_append(t, "start", json_pack("{s:s}", "type",
	    "x"), &err), ANC_E_INTERNAL);
	assert_int_equal(anc_tr_count(t), 0);
	anc_tr_free(t);
	t = NULL;
	unlinkat(dfd, ANC_TR_FILE, 0);
	write_transcript(NULL, NULL, 0);
	/* Never overwritten, never appended to by a second run. */
	assert_int_equal(anc_tr_open(dfd, dir, 0, 0, &t, &err), ANC_E_EXISTS);
	assert_null(t);
	unlinkat(dfd, ANC_TR_FILE, 0);
	snprintf(path, sizeof(path), "%s/elsewhere", dir);
	assert_int_equal(symlinkat(path, dfd, ANC_TR_FILE), 0);
	assert_int_equal(anc_tr_open(dfd, dir, 0, 0, &t, &err), ANC_E_EXISTS);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void
test_signed(void **state)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *cert = self_signed(key), *ocert = self_signed(other);
	struct anc_tr_summary s;
	struct anc_err err;
	char anchor[512], elsewhere[512], fp[65];

	write_transcript(key, cert, 0);
	/* No certificate in the outbox or given carries the key. */
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_int_equal(s.fail_line, 4);
	assert_non_null(strstr(err.msg, "--anchor FILE"));
	/* An anchor the verifier holds, outside the outbox. */
	snprintf(elsewhere, sizeof(elsewhere), "%s-other.pem", dir);
	write_pem(elsewhere, ocert);
	assert_int_equal(anc_transcript_verify(dir, elsewhere, &s, &err),
	    ANC_E_VERIFY);
	/* The root in the outbox, one of its outputs, vouches for the key. */
	assert_int_equal(unlinkat(dfd, ANC_TR_FILE, 0), 0);
	write_transcript(key, cert, 1);
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err), ANC_OK);
	assert_true(s.is_signed);
	assert_int_equal(s.outputs, 2);
	assert_non_null(strstr(s.anchor_file, "root.pem"));
	/* --anchor names the key the verifier trusts: a certificate the
	 * outbox brings along does not stand in for it. */
	assert_int_equal(anc_transcript_verify(dir, elsewhere, &s, &err),
	    ANC_E_VERIFY);
	assert_false(s.is_signed);
	assert_non_null(strstr(err.msg, "other.pem (--anchor)"));
	snprintf(anchor, sizeof(anchor), "%s/root.pem", dir);
	assert_int_equal(anc_transcript_verify(dir, anchor, &s, &err), ANC_OK);
	assert_true(s.is_signed);
	assert_string_equal(s.anchor_file, anchor);
	X509_digest(cert, EVP_sha256(), (unsigned char *)anchor, NULL);
	anc_hex((unsigned char *)anchor, 32, fp);
	assert_string_equal(s.anchor_sha256, fp);
	/* A file the transcript does not record, even a certificate. */
	write_pem("other.pem", ocert);
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_non_null(strstr(err.msg, "holds 3 files"));
	unlink(elsewhere);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	X509_free(cert);
	X509_free(ocert);
}

/* Replace the first `from` in line `no` (1-based) by `to`. */
static void
edit_line(int no, const char *from, const char *to)
{
	char *text = slurp(ANC_TR_FILE), *p = text, *hit, *out;
	int i;

	for (i = 1; i < no; i++)
		p = strchr(p, '\n') + 1;
	assert_non_null(hit = strstr(p, from));
	assert_non_null(out = calloc(1, strlen(text) + strlen(to) + 1));
	memcpy(out, text, (size_t)(hit - text));
	strcat(out, to);
	strcat(out, hit + strlen(from));
	spit(ANC_TR_FILE, out);
	free(out);
	free(text);
}

static void
test_tampering_named(void **state)
{
	struct anc_tr_summary s;
	struct anc_err err;

	write_transcript(NULL, NULL, 0);
	edit_line(2, "\"step\":1", "\"step\":2");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_int_equal(s.fail_line, 3);
	assert_non_null(strstr(err.msg, "transcript.jsonl:3: record 3: prev"));
	edit_line(2, "\"step\":2", "\"step\":1");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err), ANC_OK);
	spit("art.pem", "changed\n");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_int_equal(s.fail_line, 2);
	assert_string_equal(s.fail_file, "art.pem");
	spit("art.pem", "artifact\n");
	edit_line(2, "\"file\":\"art.pem\"", "\"file\":\"../art.pem\"");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_int_equal(s.fail_line, 2);
	assert_non_null(strstr(err.msg, "without a valid file name"));
	/* What the transcript says is quoted without its terminal escapes. */
	edit_line(2, "\"type\":\"output\"", "\"type\":\"\\u001B[2Kok\"");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_non_null(strstr(err.msg, "type \"?[2Kok\" is not a record "
	    "type"));
	assert_null(strchr(err.msg, '\033'));
}

/* The outbox against the transcript: a missing, an added, a changed file;
 * and the end record's account of the files against the records. */
static void
test_outbox_files(void **state)
{
	struct anc_tr_summary s;
	struct anc_err err;

	write_transcript(NULL, NULL, 0);
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err), ANC_OK);
	assert_int_equal(unlinkat(dfd, "art.pem", 0), 0);
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_int_equal(s.fail_line, 2);
	spit("art.pem", "artifact\n");
	assert_int_equal(mkdirat(dfd, "manifests", 0700), 0);
	spit("manifests/extra.yaml", "x\n");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_int_equal(s.fail_line, 4);
	assert_non_null(strstr(err.msg, "holds 2 files besides"));
	assert_int_equal(unlinkat(dfd, "manifests/extra.yaml", 0), 0);
	assert_int_equal(symlinkat("art.pem", dfd, "manifests/link.pem"), 0);
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_non_null(strstr(err.msg, "manifests/link.pem: neither"));
	assert_int_equal(unlinkat(dfd, "manifests/link.pem", 0), 0);
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err), ANC_OK);
	/* An unsigned end record is held by the closing hash alone; its
	 * account must still match the records. */
	edit_line(4, "\"outputs_count\":1", "\"outputs_count\":2");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_int_equal(s.fail_line, 4);
	assert_non_null(strstr(err.msg, "accounts for 2 output files"));
	edit_line(4, "\"outputs_count\":2", "\"outputs_count\":1");
	edit_line(4, "\"outputs_sha256\":\"", "\"outputs_sha256\":\"0");
	edit_line(4, "\",\"prev\"", "\"prev\"");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
}

/* Format 1, as anchorage wrote it before format 2: no "format" in start,
 * the end record lists every file.  It still verifies, and its list is
 * held to the records. */
static void
test_format1(void **state)
{
	struct anc_transcript *t = NULL;
	struct anc_tr_summary s;
	struct anc_err err;
	char hex[ANC_SHA256_HEX];

	spit("art.pem", "artifact\n");
	anc_sha256_hex("artifact\n", 9, hex);
	assert_int_equal(anc_tr_open(dfd, dir, 0, 0, &t, &err), ANC_OK);
	assert_int_equal(anc_tr_append(t, "start", json_pack("{s:s, s:n}",
	    "ceremony", "unit", "signer"), &err), ANC_OK);
	assert_int_equal(anc_tr_append(t, "output", json_pack("{s:i, s:s, "
	    "s:s}", "step", 1, "file", "art.pem", "sha256", hex), &err),
	    ANC_OK);
	assert_int_equal(anc_tr_close(t, "end", json_pack("{s:i, s:[{s:s, "
	    "s:s}], s:n, s:s}", "steps", 1, "outputs", "file", "art.pem",
	    "sha256", hex, "signer", "unsigned_reason", "no key"), NULL, NULL,
	    &err), ANC_OK);
	anc_tr_free(t);
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err), ANC_OK);
	assert_int_equal(s.outputs, 1);
	edit_line(3, "\"file\":\"art.pem\"", "\"file\":\"other.pem\"");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_int_equal(s.fail_line, 3);
	assert_non_null(strstr(err.msg, "list of outputs"));
	/* A format this verifier does not know is refused, not guessed. */
	edit_line(3, "\"file\":\"other.pem\"", "\"file\":\"art.pem\"");
	edit_line(1, "\"prev\"", "\"format\":3,\"prev\"");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_int_equal(s.fail_line, 1);
	assert_non_null(strstr(err.msg, "format number is not one"));
}

static void
test_verify_missing(void **state)
{
	struct anc_tr_summary s;
	struct anc_err err;

	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_string_equal(s.fail_file, ANC_TR_FILE);
	spit(ANC_TR_FILE, "");
	assert_int_equal(anc_transcript_verify(dir, NULL, &s, &err),
	    ANC_E_VERIFY);
	assert_non_null(strstr(err.msg, "empty"));
}

/* Whatever a record holds reaches the report as text, never as markup:
 * a transcript can verify without a signature, so its content is the
 * writer's, and the report is what the officers read and sign. */
static void
test_report_escapes(void **state)
{
	static const char tag[] = "<script>alert(1)</script>";
	struct anc_transcript *t = NULL;
	struct anc_err err;
	char *html = NULL;

	assert_int_equal(anc_tr_open(dfd, dir, 0, 0, &t, &err), ANC_OK);
	assert_int_equal(anc_tr_append(t, "start", json_pack("{s:s, s:n, "
	    "s:{s:s}, s:i}", "ceremony", "unit", "signer", "script", "sha256",
	    tag, "format", ANC_TR_FORMAT), &err), ANC_OK);
	assert_int_equal(anc_tr_append(t, "input", json_pack("{s:s, s:s, "
	    "s:s, s:s, s:b}", "name", "in", "kind", tag, "path", "p", "sha256",
	    tag, "pinned", 0), &err), ANC_OK);
	assert_int_equal(anc_tr_append(t, "step", json_pack("{s:i, s:s, s:s, "
	    "s:[{s:s, s:s}]}", "step", 1, "kind", tag, "description", "d",
	    "inputs", "name", "in", "sha256", tag), &err), ANC_OK);
	assert_int_equal(anc_tr_append(t, "key", json_pack("{s:i, s:s, s:s, "
	    "s:s, s:s, s:{}}", "step", 1, "label", "k", "key_type", tag, "id",
	    tag, "spki_sha256", tag, "attributes"), &err), ANC_OK);
	assert_int_equal(anc_tr_close(t, "end", json_pack("{s:n, s:s, s:i, "
	    "s:s}", "signer", "unsigned_reason", "no key", "outputs_count", 0,
	    "outputs_sha256", "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855"), NULL, NULL, &err), ANC_OK);
	anc_tr_free(t);
	assert_int_equal(anc_transcript_report(dir, NULL, &html, &err),
	    ANC_OK);
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)"));
	free(html);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_vectors),
		cmocka_unit_test(test_words_digest),
		cmocka_unit_test(test_words_distinct),
		cmocka_unit_test_setup_teardown(test_chain_and_form, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_signed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_files, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_format1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampering_named, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_report_escapes, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
