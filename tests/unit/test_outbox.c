/*
 * Unit tests for export/outbox.c, export/verify.c and export/pem.c: files
 * are created in a fresh temporary directory, SHA256SUMS is compared with
 * what sha256sum(1) writes, and `outbox verify` is shown to catch each
 * kind of tampering by name.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/hash.h"

static char base[] = "/tmp/anc-outbox-test-XXXXXX";

static struct {
	EVP_PKEY *key;
	X509 *ca, *ca2, *ca3;
	char *ca_pem, *bundle_pem, *key_pem, *crl_pem;
} fx;

/* ---- material ---- */

static X509 *
self_signed(const char *cn, EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	assert_non_null(x);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(cn[0] + 1));
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	X509_NAME_free(n);
	return x;
}

static char *
bio_text(BIO *b)
{
	char *mem = NULL, *s;
	long n = BIO_get_mem_data(b, &mem);

	s = strndup(mem, (size_t)n);
	assert_non_null(s);
	BIO_free(b);
	return s;
}

static char *
crl_pem(X509 *ca, EVP_PKEY *key)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, time(NULL));
	BIO *b = BIO_new(BIO_s_mem());

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_CRL_set1_lastUpdate(crl, t);
	X509_CRL_set1_nextUpdate(crl, t);
	assert_true(X509_CRL_sign(crl, key, EVP_sha256()) > 0);
	assert_int_equal(PEM_write_bio_X509_CRL(b, crl), 1);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return bio_text(b);
}

static char *
b64(const void *data, size_t len)
{
	char *out = malloc(len * 2 + 4);

	assert_non_null(out);
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

/* A YAML double-quoted string of `s`. */
static char *
yq(const char *s)
{
	char *out = malloc(strlen(s) * 2 + 3), *o = out;

	assert_non_null(out);
	*o++ = '"';
	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else
			*o++ = *s;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

static int
group_setup(void **state)
{
	X509 *v[3];
	size_t len;
	BIO *b;

	if (mkdtemp(base) == NULL)
		return -1;
	fx.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fx.ca = self_signed("root one", fx.key);
	fx.ca2 = self_signed("root two", fx.key);
	fx.ca3 = self_signed("root three", fx.key);
	v[0] = fx.ca;
	v[1] = fx.ca2;
	v[2] = fx.ca3;
	if (anc_pem_certs(v, 1, &fx.ca_pem, &len, NULL) != ANC_OK ||
	    anc_pem_certs(v, 3, &fx.bundle_pem, &len, NULL) != ANC_OK)
		return -1;
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, fx.key, NULL, NULL, 0, NULL, NULL);
	fx.key_pem = bio_text(b);
	fx.crl_pem = crl_pem(fx.ca, fx.key);
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

static int
group_teardown(void **state)
{
	chmod(base, 0700);
	nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	X509_free(fx.ca);
	X509_free(fx.ca2);
	X509_free(fx.ca3);
	EVP_PKEY_free(fx.key);
	free(fx.ca_pem);
	free(fx.bundle_pem);
	free(fx.key_pem);
	free(fx.crl_pem);
	return 0;
}

/* ---- outbox helpers ---- */

static char *
path_in(const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", base, name) > 0);
	return p;
}

static struct anc_outbox *
open_outbox(const char *dir)
{
	struct anc_outbox *ob = NULL;
	struct anc_err err;

	anc_err_clear(&err);
	if (anc_outbox_open(dir, &ob, &err) != ANC_OK)
		fail_msg("open %s: %s", dir, err.msg);
	return ob;
}

static void
add(struct anc_outbox *ob, const char *name, const char *text)
{
	struct anc_err err;

	anc_err_clear(&err);
	if (anc_outbox_add(ob, name, text, strlen(text), 0644, &err) != ANC_OK)
		fail_msg("add %s: %s", name, err.msg);
}

static char *
secret_yaml(const char *key_field, const char *type)
{
	char *crt = b64(fx.ca_pem, strlen(fx.ca_pem));
	char *key = b64(fx.key_pem, strlen(fx.key_pem));
	char *y = NULL;

	assert_true(asprintf(&y,
	    "apiVersion: \"v1\"\n"
	    "kind: \"Secret\"\n"
	    "metadata:\n"
	    "  name: \"m8-trust-anchor\"\n"
	    "  namespace: \"monoskope\"\n"
	    "  labels:\n"
	    "    \"app.kubernetes.io/managed-by\": \"anchorage\"\n"
	    "type: \"%s\"\n"
	    "data:\n"
	    "  \"tls.crt\": \"%s\"\n"
	    "  \"%s\": \"%s\"\n"
	    "  \"ca.crt\": \"%s\"\n", type, crt, key_field, key, crt) > 0);
	free(crt);
	free(key);
	return y;
}

static char *
configmap_yaml(const char *value)
{
	char *q = yq(value), *y = NULL;

	assert_true(asprintf(&y,
	    "apiVersion: \"v1\"\n"
	    "kind: \"ConfigMap\"\n"
	    "metadata:\n"
	    "  name: \"m8-trust-bundle\"\n"
	    "  namespace: \"cert-manager\"\n"
	    "data:\n"
	    "  \"trust-bundle.pem\": %s\n", q) > 0);
	free(q);
	return y;
}

static const char bundle_yaml[] =
    "apiVersion: \"trust.cert-manager.io/v1alpha1\"\n"
    "kind: \"Bundle\"\n"
    "metadata:\n"
    "  name: \"m8-trust-bundle\"\n"
    "spec:\n"
    "  sources:\n"
    "    - configMap:\n"
    "        name: \"m8-trust-bundle\"\n"
    "        key: \"trust-bundle.pem\"\n"
    "  target:\n"
    "    configMap:\n"
    "      key: \"trust-bundle.pem\"\n";

static const char issuer_yaml[] =
    "apiVersion: \"cert-manager.io/v1\"\n"
    "kind: \"Issuer\"\n"
    "metadata:\n"
    "  name: \"m8-root-ca-issuer\"\n"
    "  namespace: \"monoskope\"\n"
    "spec:\n"
    "  ca:\n"
    "    secretName: \"m8-trust-anchor\"\n";

static const char helm_yaml[] =
    "pki:\n"
    "  issuer:\n"
    "    ca:\n"
    "      existingTrustAnchorSecretName: \"m8-trust-anchor\"\n";

static const char transcript[] =
    "{\"seq\":1,\"event\":\"start\"}\n"
    "{\"seq\":2,\"event\":\"end\"}\n";

/* Everything a ceremony writes, then SHA256SUMS. */
static char *
make_good(const char *name, void (*extra)(struct anc_outbox *))
{
	char *dir = path_in(name), *secret, *cm;
	struct anc_outbox *ob = open_outbox(dir);
	struct anc_err err;
	int fd;

	secret = secret_yaml("tls.key", "kubernetes.io/tls");
	cm = configmap_yaml(fx.bundle_pem);
	add(ob, "root-2026.pem", fx.ca_pem);
	add(ob, "trust-bundle.pem", fx.bundle_pem);
	add(ob, "root-2026-crl.pem", fx.crl_pem);
	add(ob, "manifests/secret-m8-trust-anchor.yaml", secret);
	add(ob, "manifests/configmap-m8-trust-bundle.yaml", cm);
	add(ob, "manifests/bundle-m8-trust-bundle.yaml", bundle_yaml);
	add(ob, "manifests/issuer-m8-root-ca-issuer.yaml", issuer_yaml);
	add(ob, "helm-values-m8-root-ca-issuer.yaml", helm_yaml);
	add(ob, "vault-chain.README.txt", "vault write ...\n");
	if (extra != NULL)
		extra(ob);
	/* The transcript is appended by its own writer, then listed. */
	fd = openat(anc_outbox_dirfd(ob), "transcript.jsonl",
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, transcript, strlen(transcript)),
	    (ssize_t)strlen(transcript));
	close(fd);
	anc_err_clear(&err);
	if (anc_outbox_record(ob, "transcript.jsonl", &err) != ANC_OK ||
	    anc_outbox_finish(ob, &err) != ANC_OK)
		fail_msg("%s", err.msg);
	anc_outbox_free(ob);
	free(secret);
	free(cm);
	return dir;
}

/* Names under `dir` (recursively, hidden ones too), sorted, one a line. */
static void
listing_rec(const char *dir, const char *prefix, FILE *out)
{
	struct dirent **ents = NULL;
	char *sub;
	int n, i;

	n = scandir(dir, &ents, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") != 0 &&
		    strcmp(ents[i]->d_name, "..") != 0) {
			fprintf(out, "%s%s\n", prefix, ents[i]->d_name);
			if (ents[i]->d_type == DT_DIR) {
				assert_true(asprintf(&sub, "%s/%s", dir,
				    ents[i]->d_name) > 0);
				listing_rec(sub, ents[i]->d_name, out);
				free(sub);
			}
		}
		free(ents[i]);
	}
	free(ents);
}

static char *
listing(const char *dir)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	listing_rec(dir, "", f);
	fclose(f);
	return buf;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n;

	assert_non_null(f);
	n = (size_t)getdelim(&buf, &cap, '\0', f);
	fclose(f);
	assert_true(n != (size_t)-1);
	return buf;
}

/* The finding for `file`; a failed one first, as SHA256SUMS can have two
 * (its summary, then a name it lists twice). */
static struct anc_verify_item *
item_for(struct anc_verify_item *it, size_t n, const char *file)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(it[i].file, file) == 0 && !it[i].ok)
			return &it[i];
	for (i = 0; i < n; i++)
		if (strcmp(it[i].file, file) == 0)
			return &it[i];
	fail_msg("no verify item for %s", file);
	return NULL;
}

/* verify fails, names `file` first, and its item says `why`. */
static void
expect_verify_fail(const char *dir, const char *file, const char *why)
{
	struct anc_verify_item *items = NULL, *it;
	struct anc_err err;
	char *want = NULL;
	size_t n = 0;

	anc_err_clear(&err);
	assert_int_equal(anc_outbox_verify(dir, &items, &n, &err),
	    ANC_E_VERIFY);
	assert_true(asprintf(&want, "%s/%s: ", dir, file) > 0);
	if (strncmp(err.msg, want, strlen(want)) != 0 ||
	    strstr(err.msg, why) == NULL)
		fail_msg("expected \"%s...%s...\", got \"%s\"", want, why,
		    err.msg);
	it = item_for(items, n, file);
	assert_false(it->ok);
	assert_non_null(strstr(it->detail, why));
	free(want);
	free(items);
}

/* ---- writing ---- */

static void
test_sums_match_sha256sum(void **state)
{
	char *dir = make_good("sums", NULL), *sums, *cmd = NULL, *want;
	FILE *p;
	size_t cap = 0;

	sums = path_in("sums/SHA256SUMS");
	/* The list sha256sum writes, in the C locale's order. */
	assert_true(asprintf(&cmd, "cd '%s' && find . -type f ! -name "
	    "SHA256SUMS | sed 's|^\\./||' | LC_ALL=C sort | "
	    "xargs sha256sum", dir) > 0);
	p = popen(cmd, "r");
	assert_non_null(p);
	want = NULL;
	assert_true(getdelim(&want, &cap, '\0', p) > 0);
	assert_int_equal(pclose(p), 0);
	free(cmd);
	/* The same lines, in the order the files were written: the
	 * transcript, recorded last, is the last line. */
	cmd = slurp(sums);
	assert_true(strlen(cmd) > 90);
	assert_string_equal(cmd + strlen(cmd) - 19, "  transcript.jsonl\n");
	free(cmd);
	assert_true(asprintf(&cmd, "LC_ALL=C sort -k 2 '%s'", sums) > 0);
	p = popen(cmd, "r");
	assert_non_null(p);
	free(cmd);
	cmd = NULL;
	cap = 0;
	assert_true(getdelim(&cmd, &cap, '\0', p) > 0);
	assert_int_equal(pclose(p), 0);
	assert_string_equal(cmd, want);
	free(cmd);
	assert_true(asprintf(&cmd, "cd '%s' && sha256sum --strict --quiet "
	    "-c SHA256SUMS", dir) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(want);
	free(sums);
	free(dir);
}

static void
test_finish_once(void **state)
{
	char *dir = path_in("once");
	struct anc_outbox *ob = open_outbox(dir);
	struct anc_err err;

	add(ob, "root.pem", fx.ca_pem);
	assert_int_equal(anc_outbox_count(ob), 1);
	assert_string_equal(anc_outbox_file(ob, 0), "root.pem");
	assert_null(anc_outbox_file(ob, 1));
	assert_string_equal(anc_outbox_dir(ob), dir);
	anc_err_clear(&err);
	assert_int_equal(anc_outbox_finish(ob, &err), ANC_OK);
	assert_int_equal(anc_outbox_finish(ob, &err), ANC_E_INTERNAL);
	assert_non_null(strstr(err.msg, "SHA256SUMS"));
	assert_int_equal(anc_outbox_add(ob, "late.pem", "x", 1, 0644, &err),
	    ANC_E_INTERNAL);
	assert_int_equal(anc_outbox_count(ob), 1);
	anc_outbox_free(ob);
	anc_outbox_free(NULL);
	free(dir);
}

static void
test_never_overwrites(void **state)
{
	char *dir = path_in("exist"), *p, *before;
	struct anc_outbox *ob = open_outbox(dir);
	struct anc_err err;
	int dfd = anc_outbox_dirfd(ob);
	struct stat st;

	/* A file, a dangling symlink and a symlink to a file. */
	assert_int_equal(mkdirat(dfd, "elsewhere", 0700), 0);
	close(openat(dfd, "taken.pem", O_WRONLY | O_CREAT | O_EXCL, 0600));
	assert_int_equal(symlinkat("elsewhere/nothing.pem", dfd,
	    "dangling.pem"), 0);
	assert_int_equal(symlinkat("taken.pem", dfd, "link.pem"), 0);
	before = listing(dir);
	anc_err_clear(&err);
	assert_int_equal(anc_outbox_add(ob, "taken.pem", "x", 1, 0644, &err),
	    ANC_E_EXISTS);
	assert_non_null(strstr(err.msg, "taken.pem"));
	assert_int_equal(anc_outbox_add(ob, "dangling.pem", "x", 1, 0644,
	    &err), ANC_E_EXISTS);
	assert_int_equal(anc_outbox_add(ob, "link.pem", "x", 1, 0644, &err),
	    ANC_E_EXISTS);
	assert_int_equal(anc_outbox_check_absent(ob, "taken.pem", &err),
	    ANC_E_EXISTS);
	assert_int_equal(anc_outbox_check_absent(ob, "dangling.pem", &err),
	    ANC_E_EXISTS);
	assert_int_equal(anc_outbox_check_absent(ob, "new.pem", &err), ANC_OK);
	assert_int_equal(anc_outbox_check_absent(ob, "manifests/a.yaml",
	    &err), ANC_OK);
	p = listing(dir);
	assert_string_equal(p, before);
	free(p);
	/* Nothing was written through the links. */
	assert_int_equal(fstatat(dfd, "taken.pem", &st, 0), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(fstatat(dfd, "elsewhere/nothing.pem", &st, 0), -1);
	/* Inside manifests/ too, and twice through the outbox itself. */
	add(ob, "manifests/a.yaml", issuer_yaml);
	assert_int_equal(anc_outbox_add(ob, "manifests/a.yaml", "x", 1, 0644,
	    &err), ANC_E_EXISTS);
	assert_int_equal(anc_outbox_check_absent(ob, "manifests/a.yaml",
	    &err), ANC_E_EXISTS);
	assert_int_equal(fstatat(dfd, "manifests", &st, AT_SYMLINK_NOFOLLOW),
	    0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	anc_outbox_free(ob);
	free(before);
	free(dir);
}

static void
test_bad_names(void **state)
{
	static const char *const bad[] = { "", ".", "..", "../x.pem",
	    "a/b.pem", "/abs.pem", "manifests/", "manifests/a/b.yaml",
	    "manifests/../x.yaml", "SHA256SUMS", "manifests", "new\nline.pem",
	    "back\\slash.pem", "tab\t.pem", "a/manifests/x.yaml",
	    "manifests/b/x.pem", "a/b/c/x.pem", "a/b/manifests/c/x.yaml",
	    "a/b/c/d/x.pem", "a//x.pem", "a/b/", "a/../x.pem" };
	char *dir = path_in("names"), *before, *after;
	struct anc_outbox *ob = open_outbox(dir);
	struct anc_err err;
	size_t i;

	before = listing(dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		anc_err_clear(&err);
		if (anc_outbox_add(ob, bad[i], "x", 1, 0644, &err) !=
		    ANC_E_INTERNAL)
			fail_msg("name \"%s\" accepted", bad[i]);
	}
	after = listing(dir);
	assert_string_equal(after, before);
	assert_int_equal(anc_outbox_count(ob), 0);
	anc_outbox_free(ob);
	free(before);
	free(after);
	free(dir);
}

static void
test_manifests_symlink(void **state)
{
	char *dir = path_in("msym"), *target = path_in("msym-target");
	struct anc_outbox *ob;
	struct anc_err err;
	struct stat st;

	assert_int_equal(mkdir(target, 0700), 0);
	ob = open_outbox(dir);
	assert_int_equal(symlinkat(target, anc_outbox_dirfd(ob), "manifests"),
	    0);
	anc_err_clear(&err);
	assert_int_equal(anc_outbox_add(ob, "manifests/x.yaml", issuer_yaml,
	    strlen(issuer_yaml), 0644, &err), ANC_E_UNSAFE);
	assert_non_null(strstr(err.msg, "manifests"));
	assert_int_equal(anc_outbox_check_absent(ob, "manifests/x.yaml",
	    &err), ANC_E_UNSAFE);
	assert_int_equal(fstatat(AT_FDCWD, target, &st, 0), 0);
	assert_int_equal(st.st_nlink, 2);	/* still empty */
	anc_outbox_free(ob);
	free(dir);
	free(target);
}

/* A batch's directories stay open between files (the step's, a
 * cluster's, its manifests/): each file still lands in its own directory,
 * and a directory swapped for a symbolic link or opened to others after
 * its parent was opened is refused. */
static void
test_nested_reuse(void **state)
{
	char *dir = path_in("nreuse"), *target = path_in("nreuse-target");
	char name[128], *p;
	struct anc_outbox *ob;
	struct anc_err err;
	struct stat st;
	int i, fleet;

	(void)state;
	assert_int_equal(mkdir(target, 0700), 0);
	ob = open_outbox(dir);
	/* Each cluster's manifests/ written after the next cluster's
	 * file: back to a directory no longer the newest. */
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "fleet/c%02d/ca.pem", i);
		add(ob, name, fx.ca_pem);
		if (i == 0)
			continue;
		snprintf(name, sizeof(name), "fleet/c%02d/manifests/i.yaml",
		    i - 1);
		add(ob, name, issuer_yaml);
	}
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "nreuse/fleet/c%02d/ca.pem", i);
		p = path_in(name);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_size, (off_t)strlen(fx.ca_pem));
		free(p);
		snprintf(name, sizeof(name), "nreuse/fleet/c%02d/manifests/"
		    "i.yaml", i);
		p = path_in(name);
		assert_int_equal(stat(p, &st), i < 11 ? 0 : -1);
		free(p);
	}
	fleet = openat(anc_outbox_dirfd(ob), "fleet", O_RDONLY | O_DIRECTORY);
	assert_true(fleet >= 0);
	assert_int_equal(symlinkat(target, fleet, "c12"), 0);
	anc_err_clear(&err);
	assert_int_equal(anc_outbox_add(ob, "fleet/c12/ca.pem", fx.ca_pem,
	    strlen(fx.ca_pem), 0644, &err), ANC_E_UNSAFE);
	assert_non_null(strstr(err.msg, "fleet/c12/ca.pem"));
	assert_int_equal(mkdirat(fleet, "c13", 0777), 0);
	assert_int_equal(fchmodat(fleet, "c13", 0777, 0), 0);
	assert_int_equal(anc_outbox_add(ob, "fleet/c13/ca.pem", fx.ca_pem,
	    strlen(fx.ca_pem), 0644, &err), ANC_E_UNSAFE);
	assert_non_null(strstr(err.msg, "not writable"));
	assert_int_equal(fstatat(AT_FDCWD, target, &st, 0), 0);
	assert_int_equal(st.st_nlink, 2);	/* still empty */
	close(fleet);
	anc_outbox_free(ob);
	free(dir);
	free(target);
}

static void
test_failure_leaves_nothing(void **state)
{
	char *dir = path_in("fail"), *before, *after;
	struct anc_outbox *ob = open_outbox(dir);
	struct rlimit old, small;
	struct anc_err err;
	char big[4096];

	add(ob, "first.pem", fx.ca_pem);
	before = listing(dir);
	/* A write that fails half-way (EFBIG, as ENOSPC would). */
	memset(big, 'x', sizeof(big));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 100;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	anc_err_clear(&err);
	assert_int_equal(anc_outbox_add(ob, "big.pem", big, sizeof(big), 0644,
	    &err), ANC_E_IO);
	assert_non_null(strstr(err.msg, "big.pem"));
	assert_int_equal(anc_outbox_add(ob, "manifests/big.yaml", big,
	    sizeof(big), 0644, &err), ANC_E_IO);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	after = listing(dir);
	/* Not even the manifests/ directory made for the failed file. */
	assert_string_equal(after, before);
	free(after);
	assert_int_equal(anc_outbox_count(ob), 1);
	/* A read-only outbox, where permissions bind (not as root). */
	if (geteuid() != 0) {
		assert_int_equal(chmod(dir, 0500), 0);
		assert_int_not_equal(anc_outbox_add(ob, "ro.pem", "x", 1, 0644,
		    &err), ANC_OK);
		assert_int_equal(chmod(dir, 0700), 0);
		after = listing(dir);
		assert_string_equal(after, before);
		free(after);
	}
	/* The outbox still works afterwards. */
	add(ob, "manifests/ok.yaml", issuer_yaml);
	anc_outbox_free(ob);
	free(before);
	free(dir);
}

static void
test_open_refuses_unsafe_dir(void **state)
{
	char *dir = path_in("loose");
	struct anc_outbox *ob = NULL;
	struct anc_err err;

	assert_int_equal(mkdir(dir, 0777), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	anc_err_clear(&err);
	assert_int_equal(anc_outbox_open(dir, &ob, &err), ANC_E_UNSAFE);
	assert_null(ob);
	free(dir);
}

/* ---- verify ---- */

static void
test_verify_good(void **state)
{
	char *dir = make_good("good", NULL);
	struct anc_verify_item *items = NULL;
	struct anc_err err;
	size_t n = 0, i;

	anc_err_clear(&err);
	if (anc_outbox_verify(dir, &items, &n, &err) != ANC_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(n, 11);
	for (i = 0; i < n; i++)
		assert_true(items[i].ok);
	assert_string_equal(items[0].file, "SHA256SUMS");
	assert_string_equal(item_for(items, n, "root-2026.pem")->kind,
	    "certificate");
	assert_string_equal(item_for(items, n, "trust-bundle.pem")->kind,
	    "bundle");
	assert_string_equal(item_for(items, n, "trust-bundle.pem")->detail,
	    "3 certificates");
	assert_string_equal(item_for(items, n, "root-2026-crl.pem")->kind,
	    "crl");
	assert_string_equal(item_for(items, n,
	    "manifests/secret-m8-trust-anchor.yaml")->kind, "manifest");
	assert_string_equal(item_for(items, n,
	    "manifests/secret-m8-trust-anchor.yaml")->detail, "Secret");
	assert_string_equal(item_for(items, n,
	    "manifests/bundle-m8-trust-bundle.yaml")->detail, "Bundle");
	assert_string_equal(item_for(items, n,
	    "helm-values-m8-root-ca-issuer.yaml")->kind, "helm-values");
	assert_string_equal(item_for(items, n, "transcript.jsonl")->kind,
	    "transcript");
	assert_string_equal(item_for(items, n, "vault-chain.README.txt")->kind,
	    "readme");
	free(items);
	free(dir);
}

static void
test_verify_changed_byte(void **state)
{
	char *dir = make_good("t-byte", NULL), *p = path_in("t-byte/root-2026.pem");
	int fd = open(p, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "Z", 1, 40), 1);
	close(fd);
	expect_verify_fail(dir, "root-2026.pem", "SHA-256");
	free(p);
	free(dir);
}

static void
test_verify_unlisted(void **state)
{
	char *dir = make_good("t-extra", NULL), *p;
	FILE *f;

	p = path_in("t-extra/extra.pem");
	f = fopen(p, "w");
	fputs(fx.ca_pem, f);
	fclose(f);
	expect_verify_fail(dir, "extra.pem", "not listed");
	free(p);
	/* A leftover of a crashed write is caught the same way. */
	p = path_in("t-extra/manifests/.x.yaml.0011223344556677.partial");
	f = fopen(p, "w");
	fclose(f);
	free(p);
	p = path_in("t-extra/extra.pem");
	unlink(p);
	expect_verify_fail(dir, "manifests/.x.yaml.0011223344556677.partial",
	    "not listed");
	free(p);
	free(dir);
}

static void
test_verify_missing(void **state)
{
	char *dir = make_good("t-missing", NULL);
	char *p = path_in("t-missing/trust-bundle.pem");

	assert_int_equal(unlink(p), 0);
	expect_verify_fail(dir, "trust-bundle.pem", "missing");
	free(p);
	free(dir);
}

static void
extra_key_pem(struct anc_outbox *ob)
{
	char *s = NULL;

	assert_true(asprintf(&s, "%s%s", fx.ca_pem, fx.key_pem) > 0);
	add(ob, "root-with-key.pem", s);
	free(s);
}

static void
test_verify_key_in_pem(void **state)
{
	char *dir = make_good("t-keypem", extra_key_pem);

	expect_verify_fail(dir, "root-with-key.pem", "block 2 is a private key");
	free(dir);
}

static void
extra_key_configmap(struct anc_outbox *ob)
{
	char *y = configmap_yaml(fx.key_pem);

	add(ob, "manifests/configmap-bad.yaml", y);
	free(y);
}

static void
extra_b64_key_configmap(struct anc_outbox *ob)
{
	char *k = b64(fx.key_pem, strlen(fx.key_pem)), *y = configmap_yaml(k);

	add(ob, "manifests/configmap-b64.yaml", y);
	free(y);
	free(k);
}

static void
extra_der_key_configmap(struct anc_outbox *ob)
{
	unsigned char *der = NULL;
	int n = i2d_PrivateKey(fx.key, &der);
	char *k, *y;

	assert_true(n > 0);
	k = b64(der, (size_t)n);
	y = configmap_yaml(k);
	add(ob, "manifests/configmap-der.yaml", y);
	OPENSSL_free(der);
	free(y);
	free(k);
}

static void
test_verify_key_in_configmap(void **state)
{
	char *dir;

	dir = make_good("t-keycm", extra_key_configmap);
	expect_verify_fail(dir, "manifests/configmap-bad.yaml",
	    "a private key, allowed only in tls.key");
	free(dir);
	dir = make_good("t-keycm64", extra_b64_key_configmap);
	expect_verify_fail(dir, "manifests/configmap-b64.yaml",
	    "a private key");
	free(dir);
	dir = make_good("t-keycmder", extra_der_key_configmap);
	expect_verify_fail(dir, "manifests/configmap-der.yaml",
	    "a private key");
	free(dir);
}

/* Base64 of the key's DER (PKCS#8, or SEC1 with `sec1`), no PEM armour. */
static char *
key_der_b64(int sec1)
{
	unsigned char *der = NULL;
	OSSL_ENCODER_CTX *ectx;
	size_t n = 0;
	char *k;

	ectx = OSSL_ENCODER_CTX_new_for_pkey(fx.key, EVP_PKEY_KEYPAIR, "DER",
	    sec1 ? "type-specific" : "PrivateKeyInfo", NULL);
	assert_non_null(ectx);
	assert_int_equal(OSSL_ENCODER_to_data(ectx, &der, &n), 1);
	OSSL_ENCODER_CTX_free(ectx);
	k = b64(der, n);
	OPENSSL_free(der);
	return k;
}

/* A key riding along after the bundle in the ConfigMap, with no armour
 * and a stray character that puts its base64 out of step. */
static void
extra_key_after_bundle(struct anc_outbox *ob)
{
	char *k = key_der_b64(0), *v = NULL, *y;

	assert_true(asprintf(&v, "%s\nx%s\n", fx.bundle_pem, k) > 0);
	y = configmap_yaml(v);
	add(ob, "manifests/configmap-extra.yaml", y);
	free(y);
	free(v);
	free(k);
}

/* The same key wrapped like PEM, after a word of prose, in a README. */
static void
extra_key_in_readme(struct anc_outbox *ob)
{
	char *k = key_der_b64(1), *t = NULL;

	assert_true(strlen(k) > 64);
	assert_true(asprintf(&t, "vault write pki_int/config key=%.64s\n%s\n",
	    k, k + 64) > 0);
	add(ob, "notes.README.txt", t);
	free(t);
	free(k);
}

/* The key's DER in an extension of a well-formed certificate. */
static void
extra_key_in_cert(struct anc_outbox *ob)
{
	unsigned char *der = NULL;
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
	X509_EXTENSION *ext;
	X509 *x = self_signed("carrier", fx.key);
	char *pem;
	BIO *b;
	int n = i2d_PrivateKey(fx.key, &der);

	assert_true(n > 0);
	assert_int_equal(ASN1_OCTET_STRING_set(os, der, n), 1);
	ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	assert_true(X509_sign(x, fx.key, EVP_sha256()) > 0);
	b = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	pem = bio_text(b);
	add(ob, "carrier.pem", pem);
	free(pem);
	X509_EXTENSION_free(ext);
	X509_free(x);
	ASN1_OBJECT_free(oid);
	ASN1_OCTET_STRING_free(os);
	OPENSSL_free(der);
}

static void
test_verify_key_smuggled(void **state)
{
	char *dir;

	dir = make_good("t-smuggle-cm", extra_key_after_bundle);
	expect_verify_fail(dir, "manifests/configmap-extra.yaml",
	    "a private key, allowed only in tls.key");
	free(dir);
	dir = make_good("t-smuggle-readme", extra_key_in_readme);
	expect_verify_fail(dir, "notes.README.txt",
	    "holds a private key in base64 or DER");
	free(dir);
	dir = make_good("t-smuggle-cert", extra_key_in_cert);
	expect_verify_fail(dir, "carrier.pem",
	    "block 1: holds a private key in base64 or DER");
	free(dir);
}

static void
extra_secret_wrong_field(struct anc_outbox *ob)
{
	char *y = secret_yaml("tls.key", "kubernetes.io/tls"), *k;

	/* ca.crt carries the key instead of the root. */
	free(y);
	k = b64(fx.key_pem, strlen(fx.key_pem));
	assert_true(asprintf(&y,
	    "apiVersion: \"v1\"\nkind: \"Secret\"\n"
	    "metadata: {name: \"x\"}\ntype: \"kubernetes.io/tls\"\n"
	    "data:\n  \"tls.crt\": \"%s\"\n  \"tls.key\": \"%s\"\n"
	    "  \"ca.crt\": \"%s\"\n", k, k, k) > 0);
	add(ob, "manifests/secret-wrong-field.yaml", y);
	free(y);
	free(k);
}

static void
extra_secret_opaque(struct anc_outbox *ob)
{
	char *y = secret_yaml("tls.key", "Opaque");

	add(ob, "manifests/secret-opaque.yaml", y);
	free(y);
}

static void
extra_secret_stringdata(struct anc_outbox *ob)
{
	char *key = yq(fx.key_pem), *crt = yq(fx.ca_pem), *y = NULL;

	assert_true(asprintf(&y,
	    "apiVersion: \"v1\"\nkind: \"Secret\"\n"
	    "metadata: {name: \"s\"}\ntype: \"kubernetes.io/tls\"\n"
	    "stringData:\n  \"tls.crt\": %s\n  \"tls.key\": %s\n", crt,
	    key) > 0);
	add(ob, "manifests/secret-stringdata.yaml", y);
	free(y);
	free(key);
	free(crt);
}

static void
extra_secret_not_a_key(struct anc_outbox *ob)
{
	char *y = secret_yaml("tls.key", "kubernetes.io/tls"), *p;

	/* tls.key holding a certificate: the slot must hold a key. */
	p = strstr(y, "\"tls.key\": \"");
	assert_non_null(p);
	p += strlen("\"tls.key\": \"");
	memcpy(p, "AAAA", 4);
	add(ob, "manifests/secret-notkey.yaml", y);
	free(y);
}

static void
test_verify_secrets(void **state)
{
	struct anc_verify_item *items = NULL;
	struct anc_err err;
	size_t n = 0;
	char *dir;

	dir = make_good("t-secret-field", extra_secret_wrong_field);
	expect_verify_fail(dir, "manifests/secret-wrong-field.yaml",
	    "a private key, allowed only");
	free(dir);
	dir = make_good("t-secret-opaque", extra_secret_opaque);
	expect_verify_fail(dir, "manifests/secret-opaque.yaml",
	    "type Opaque, expected kubernetes.io/tls");
	free(dir);
	dir = make_good("t-secret-notkey", extra_secret_not_a_key);
	expect_verify_fail(dir, "manifests/secret-notkey.yaml", "tls.key");
	free(dir);
	/* stringData.tls.key in plain PEM is the other allowed slot. */
	dir = make_good("t-secret-sd", extra_secret_stringdata);
	anc_err_clear(&err);
	if (anc_outbox_verify(dir, &items, &n, &err) != ANC_OK)
		fail_msg("%s", err.msg);
	free(items);
	free(dir);
}

static void
extra_yaml(struct anc_outbox *ob, const char *name, const char *text)
{
	add(ob, name, text);
}

static void
extra_alias(struct anc_outbox *ob)
{
	extra_yaml(ob, "manifests/alias.yaml",
	    "apiVersion: \"v1\"\nkind: \"ConfigMap\"\n"
	    "metadata: &m {name: \"a\"}\ndata: *m\n");
}

static void
extra_deployment(struct anc_outbox *ob)
{
	extra_yaml(ob, "manifests/deploy.yaml",
	    "apiVersion: \"apps/v1\"\nkind: \"Deployment\"\n"
	    "metadata: {name: \"a\"}\n");
}

static void
extra_wrong_api(struct anc_outbox *ob)
{
	extra_yaml(ob, "manifests/issuer-v1alpha2.yaml",
	    "apiVersion: \"cert-manager.io/v1alpha2\"\nkind: \"Issuer\"\n"
	    "metadata: {name: \"a\"}\n");
}

static void
extra_dup_key(struct anc_outbox *ob)
{
	extra_yaml(ob, "manifests/dup.yaml",
	    "apiVersion: \"v1\"\nkind: \"ConfigMap\"\n"
	    "metadata: {name: \"a\"}\ndata:\n  a: \"1\"\n  a: \"2\"\n");
}

static void
extra_helm_key(struct anc_outbox *ob)
{
	char *y = NULL, *k = yq(fx.key_pem);

	assert_true(asprintf(&y, "pki:\n  key: %s\n", k) > 0);
	extra_yaml(ob, "helm-values-bad.yaml", y);
	free(y);
	free(k);
}

static void
extra_readme_key(struct anc_outbox *ob)
{
	extra_yaml(ob, "bad.README.txt", fx.key_pem);
}

static void
test_verify_yaml(void **state)
{
	static const struct {
		const char *dir, *file, *why;
		void (*extra)(struct anc_outbox *);
	} cases[] = {
		{ "t-alias", "manifests/alias.yaml", "alias", extra_alias },
		{ "t-deploy", "manifests/deploy.yaml", "kind Deployment",
		    extra_deployment },
		{ "t-api", "manifests/issuer-v1alpha2.yaml",
		    "expected cert-manager.io/v1", extra_wrong_api },
		{ "t-dup", "manifests/dup.yaml", "duplicate key",
		    extra_dup_key },
		{ "t-helm", "helm-values-bad.yaml", "a private key",
		    extra_helm_key },
		{ "t-readme", "bad.README.txt", "PRIVATE KEY",
		    extra_readme_key },
	};
	size_t i;
	char *dir;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dir = make_good(cases[i].dir, cases[i].extra);
		expect_verify_fail(dir, cases[i].file, cases[i].why);
		free(dir);
	}
}

static void
test_verify_symlink(void **state)
{
	char *dir = make_good("t-symlink", NULL), *p;

	p = path_in("t-symlink/alias.pem");
	assert_int_equal(symlink("root-2026.pem", p), 0);
	expect_verify_fail(dir, "alias.pem", "symbolic link");
	free(p);
	free(dir);
}

static void
extra_unknown(struct anc_outbox *ob)
{
	add(ob, "notes.md", "# notes\n");
}

static void
test_verify_unknown_extension(void **state)
{
	char *dir = make_good("t-unknown", extra_unknown);

	expect_verify_fail(dir, "notes.md", "not an allowed kind");
	free(dir);
}

/* A batch step's layout: one sub-directory per cluster. */
static void
add_clusters(struct anc_outbox *ob)
{
	char *secret = secret_yaml("tls.key", "kubernetes.io/tls");

	add(ob, "fleet/eu-1/issuing-ca.pem", fx.ca_pem);
	add(ob, "fleet/eu-1/manifests/secret-m8-trust-anchor.yaml", secret);
	add(ob, "fleet/eu-1/helm-values-m8-root-ca-issuer.yaml", helm_yaml);
	add(ob, "fleet/eu-2/issuing-ca.pem", fx.ca_pem);
	add(ob, "fleet/eu-2/manifests/issuer-m8-root-ca-issuer.yaml",
	    issuer_yaml);
	free(secret);
}

static void
test_nested_clusters(void **state)
{
	struct anc_verify_item *items = NULL;
	struct anc_err err;
	char *dir = make_good("t-nested", add_clusters), *p, *sums;
	size_t n = 0;
	FILE *f;
	char line[512];
	int found = 0;

	(void)state;
	anc_err_clear(&err);
	assert_int_equal(anc_outbox_verify(dir, &items, &n, &err), ANC_OK);
	free(items);
	/* SHA256SUMS lists them, so sha256sum -c checks them too. */
	sums = path_in("t-nested/SHA256SUMS");
	f = fopen(sums, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		found += strstr(line, "  fleet/eu-1/manifests/secret-") != NULL;
	fclose(f);
	assert_int_equal(found, 1);
	free(sums);
	/* A file nobody listed, inside a cluster's directory. */
	p = path_in("t-nested/fleet/eu-2/stray.pem");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(fx.ca_pem, f);
	fclose(f);
	expect_verify_fail(dir, "fleet/eu-2/stray.pem", "not listed");
	assert_int_equal(unlink(p), 0);
	free(p);
	/* A directory nothing listed lives in is reported. */
	p = path_in("t-nested/fleet/eu-3");
	assert_int_equal(mkdir(p, 0700), 0);
	expect_verify_fail(dir, "fleet/eu-3", "a directory");
	assert_int_equal(rmdir(p), 0);
	free(p);
	free(dir);
}

/* A batch's files are written and listed in SHA256SUMS as they come, but
 * not kept: only the files outside batch directories and the directories'
 * names are.  An outbox dropped before finishing leaves no SHA256SUMS,
 * not even a hidden one. */
static void
test_batch_not_kept(void **state)
{
	char *dir = path_in("t-batch"), *before, *after, *sums;
	char sha[ANC_SHA256_HEX];
	struct anc_outbox *ob = open_outbox(dir);
	struct anc_err err;

	(void)state;
	before = listing(dir);
	add(ob, "root.pem", fx.ca_pem);
	add(ob, "fleet/eu-1/issuing-ca.pem", fx.ca_pem);
	add(ob, "fleet/eu-2/manifests/issuer-m8-root-ca-issuer.yaml",
	    issuer_yaml);
	add(ob, "vault/v-1/ca-chain.pem", fx.ca_pem);
	assert_int_equal(anc_outbox_count(ob), 1);
	assert_int_equal(anc_outbox_total(ob), 4);
	assert_string_equal(anc_outbox_file(ob, 0), "root.pem");
	assert_string_equal(anc_outbox_batch_dir(ob, 0), "fleet");
	assert_string_equal(anc_outbox_batch_dir(ob, 1), "vault");
	assert_null(anc_outbox_batch_dir(ob, 2));
	anc_sha256_hex(fx.ca_pem, strlen(fx.ca_pem), sha);
	assert_string_equal(anc_outbox_last_sha256(ob), sha);
	anc_err_clear(&err);
	assert_int_equal(anc_outbox_add(ob, "fleet/eu-1/issuing-ca.pem", "x",
	    1, 0644, &err), ANC_E_EXISTS);
	anc_outbox_free(ob);
	after = listing(dir);
	assert_null(strstr(after, "SHA256SUMS"));
	assert_true(strlen(after) > strlen(before));
	free(after);
	free(before);
	free(dir);
	/* Finished: every line, in the order written. */
	dir = path_in("t-batch2");
	ob = open_outbox(dir);
	add(ob, "fleet/eu-1/issuing-ca.pem", fx.ca_pem);
	add(ob, "root.pem", fx.ca_pem);
	assert_int_equal(anc_outbox_finish(ob, &err), ANC_OK);
	anc_outbox_free(ob);
	sums = path_in("t-batch2/SHA256SUMS");
	after = slurp(sums);
	assert_true(asprintf(&before, "%s  fleet/eu-1/issuing-ca.pem\n%s  "
	    "root.pem\n", sha, sha) > 0);
	assert_string_equal(after, before);
	free(before);
	free(after);
	free(sums);
	free(dir);
}

static void
test_verify_fifo_and_dir(void **state)
{
	char *dir = make_good("t-fifo", NULL), *p;

	p = path_in("t-fifo/pipe.pem");
	assert_int_equal(mkfifo(p, 0600), 0);
	expect_verify_fail(dir, "pipe.pem", "not a regular file");
	assert_int_equal(unlink(p), 0);
	free(p);
	p = path_in("t-fifo/manifests/nested");
	assert_int_equal(mkdir(p, 0700), 0);
	expect_verify_fail(dir, "manifests/nested", "a directory");
	assert_int_equal(rmdir(p), 0);
	free(p);
	p = path_in("t-fifo/keys");
	assert_int_equal(mkdir(p, 0700), 0);
	expect_verify_fail(dir, "keys", "a directory");
	free(p);
	free(dir);
}

static void
write_sums(const char *p, const char *text)
{
	FILE *f;

	unlink(p);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_verify_bad_sums(void **state)
{
	char *dir = make_good("t-sums", NULL), *p = path_in("t-sums/SHA256SUMS");
	char hex[ANC_SHA256_HEX], *text[6];
	size_t i;

	anc_sha256_hex(fx.ca_pem, strlen(fx.ca_pem), hex);
	text[0] = strdup("0123  root-2026.pem\n");
	assert_true(asprintf(&text[1], "%s root-2026.pem\n", hex) > 0);
	assert_true(asprintf(&text[2], "%s  root-2026.pem", hex) > 0);
	assert_true(asprintf(&text[3], "%s  ../root-2026.pem\n", hex) > 0);
	assert_true(asprintf(&text[4], "%s  root-2026.pem\n%s  "
	    "root-2026.pem\n", hex, hex) > 0);
	/* Uppercase hex is not what sha256sum writes. */
	for (i = 0; hex[i] != '\0'; i++)
		if (hex[i] >= 'a')
			hex[i] = (char)(hex[i] - 'a' + 'A');
	assert_true(asprintf(&text[5], "%s  root-2026.pem\n", hex) > 0);
	for (i = 0; i < 6; i++) {
		write_sums(p, text[i]);
		expect_verify_fail(dir, "SHA256SUMS", i == 5 ? "lowercase" :
		    "line");
		free(text[i]);
	}
	unlink(p);
	expect_verify_fail(dir, "SHA256SUMS", "missing");
	free(p);
	free(dir);
}

/* ---- PEM ---- */

static void
test_pem_bundle_keeps_all(void **state)
{
	STACK_OF(X509) *sk = NULL;
	struct anc_err err;
	unsigned char *a = NULL, *b = NULL;
	X509 *want[3] = { fx.ca, fx.ca2, fx.ca3 };
	int i, la, lb;

	anc_err_clear(&err);
	assert_int_equal(anc_pem_read_certs((const unsigned char *)
	    fx.bundle_pem, strlen(fx.bundle_pem), "bundle.pem", &sk, &err),
	    ANC_OK);
	assert_int_equal(sk_X509_num(sk), 3);
	for (i = 0; i < 3; i++) {
		la = i2d_X509(sk_X509_value(sk, i), &a);
		lb = i2d_X509(want[i], &b);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, (size_t)la);
		OPENSSL_free(a);
		OPENSSL_free(b);
		a = b = NULL;
	}
	sk_X509_pop_free(sk, X509_free);
}

static void
expect_pem_refused(const char *text, const char *why)
{
	STACK_OF(X509) *sk = NULL;
	struct anc_err err;

	anc_err_clear(&err);
	assert_int_equal(anc_pem_read_certs((const unsigned char *)text,
	    strlen(text), "root.pem", &sk, &err), ANC_E_INPUT);
	assert_null(sk);
	if (strncmp(err.msg, "root.pem: ", 10) != 0 ||
	    strstr(err.msg, why) == NULL)
		fail_msg("expected \"root.pem: ...%s...\", got \"%s\"", why,
		    err.msg);
}

static void
test_pem_refusals(void **state)
{
	unsigned char *der = NULL, *junk;
	char *text = NULL;
	BIO *bio;
	int n;

	assert_true(asprintf(&text, "%s%s", fx.ca_pem, fx.key_pem) > 0);
	expect_pem_refused(text, "block 2: expected CERTIFICATE, found "
	    "PRIVATE KEY");
	free(text);
	assert_true(asprintf(&text, "hello\n%s", fx.ca_pem) > 0);
	expect_pem_refused(text, "line 1: text outside PEM blocks");
	free(text);
	assert_true(asprintf(&text, "%s\nsubject=CN = x\n%s", fx.ca_pem,
	    fx.ca_pem) > 0);
	expect_pem_refused(text, "text outside PEM blocks");
	free(text);
	assert_true(asprintf(&text, "%sgarbage", fx.ca_pem) > 0);
	expect_pem_refused(text, "text outside PEM blocks");
	free(text);
	expect_pem_refused("", "no PEM block");
	expect_pem_refused(" \n\n", "no PEM block");
	expect_pem_refused("-----BEGIN CERTIFICATE-----\n!!!!\n"
	    "-----END CERTIFICATE-----\n", "block 1");
	expect_pem_refused(fx.crl_pem, "expected CERTIFICATE, found X509 CRL");
	/* DER with bytes after the certificate. */
	n = i2d_X509(fx.ca, &der);
	junk = malloc((size_t)n + 2);
	memcpy(junk, der, (size_t)n);
	junk[n] = 0x05;
	junk[n + 1] = 0x00;
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio(bio, "CERTIFICATE", "", junk, n + 2);
	text = bio_text(bio);
	expect_pem_refused(text, "2 bytes after the certificate");
	free(text);
	free(junk);
	OPENSSL_free(der);
}

static void
test_pem_write_and_fingerprint(void **state)
{
	X509 *v[2] = { fx.ca, fx.ca2 };
	unsigned char *der = NULL;
	char *pem = NULL, fp[65], want[65];
	struct anc_err err;
	size_t len = 0;
	int n;

	anc_err_clear(&err);
	assert_int_equal(anc_pem_certs(v, 2, &pem, &len, &err), ANC_OK);
	assert_int_equal(strlen(pem), len);
	assert_int_equal(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28), 0);
	assert_non_null(strstr(pem + 28, "-----BEGIN CERTIFICATE-----\n"));
	free(pem);
	assert_int_equal(anc_pem_certs(v, 0, &pem, &len, &err),
	    ANC_E_INTERNAL);
	n = i2d_X509(fx.ca, &der);
	anc_sha256_hex(der, (size_t)n, want);
	assert_int_equal(anc_cert_fingerprint(fx.ca, fp), ANC_OK);
	assert_string_equal(fp, want);
	OPENSSL_free(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sums_match_sha256sum),
		cmocka_unit_test(test_finish_once),
		cmocka_unit_test(test_batch_not_kept),
		cmocka_unit_test(test_never_overwrites),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_manifests_symlink),
		cmocka_unit_test(test_nested_reuse),
		cmocka_unit_test(test_failure_leaves_nothing),
		cmocka_unit_test(test_open_refuses_unsafe_dir),
		cmocka_unit_test(test_verify_good),
		cmocka_unit_test(test_verify_changed_byte),
		cmocka_unit_test(test_verify_unlisted),
		cmocka_unit_test(test_verify_missing),
		cmocka_unit_test(test_verify_key_in_pem),
		cmocka_unit_test(test_verify_key_in_configmap),
		cmocka_unit_test(test_verify_key_smuggled),
		cmocka_unit_test(test_verify_secrets),
		cmocka_unit_test(test_verify_yaml),
		cmocka_unit_test(test_verify_symlink),
		cmocka_unit_test(test_verify_unknown_extension),
		cmocka_unit_test(test_verify_fifo_and_dir),
		cmocka_unit_test(test_nested_clusters),
		cmocka_unit_test(test_verify_bad_sums),
		cmocka_unit_test(test_pem_bundle_keeps_all),
		cmocka_unit_test(test_pem_refusals),
		cmocka_unit_test(test_pem_write_and_fingerprint),
	};

	/* Files are created 0644/0600 as asked; keep umask out of it. */
	umask(077);
	return cmocka_run_group_tests_name("outbox", tests, group_setup,
	    group_teardown);
}
