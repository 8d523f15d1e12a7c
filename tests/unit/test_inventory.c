/*
 * inventory check: every kind of entry a cluster can hold (good, old-only,
 * broken, expired, wrong anchor, intermediate missing, garbage of several
 * kinds) is reported with its own status and a reason, nothing crashes,
 * and the verdict says whether the retiring anchors can go.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <sys/stat.h>

#include "anchorage/buf.h"
#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/rotation.h"
#include "inventory_int.h"
#include "test_inventory_certs.h"

#define RESULTS_MAX 512

struct world {
	char *dir;
	char anchors[512];	/* new, old: newest first */
	struct tc root_old, root_new, root_foreign;
	struct tc ica_old, ica_new, ica_foreign, ica_expired;
	struct tc leaf_old, leaf_new, leaf_foreign, leaf_expired,
	    leaf_under_expired;
};

static struct world W;

struct results {
	struct anc_inv_result r[RESULTS_MAX];
	size_t n;
};

static int
collect(void *arg, const struct anc_inv_result *res)
{
	struct results *rs = arg;

	assert_true(rs->n < RESULTS_MAX);
	rs->r[rs->n++] = *res;
	return ANC_OK;
}

static const struct anc_inv_result *
by_source(const struct results *rs, const char *source)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->r[i].source, source) == 0)
			return &rs->r[i];
	fail_msg("no result for %s", source);
	return NULL;
}

static char *
path(const char *name)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", W.dir, name);
	return buf[i];
}

static int
setup(void **state)
{
	char *pem;

	W.dir = tc_tmpdir();
	W.root_old = tc_make("root.example", NULL, 1, T0 - 400 * DAY,
	    T0 + 3000 * DAY);
	W.root_new = tc_make("root.example", NULL, 1, T0 - 10 * DAY,
	    T0 + 3650 * DAY);
	W.root_foreign = tc_make("other.example", NULL, 1, T0 - 10 * DAY,
	    T0 + 3650 * DAY);
	W.ica_old = tc_make("ica-old", &W.root_old, 0, T0 - 400 * DAY,
	    T0 + 1000 * DAY);
	W.ica_new = tc_make("ica-new", &W.root_new, 0, T0 - 9 * DAY,
	    T0 + 1000 * DAY);
	W.ica_foreign = tc_make("ica-foreign", &W.root_foreign, 0,
	    T0 - 9 * DAY, T0 + 1000 * DAY);
	W.ica_expired = tc_make("ica-expired", &W.root_old, 0, T0 - 400 * DAY,
	    T0 - DAY);
	W.leaf_old = tc_make("old.svc", &W.ica_old, -1, T0 - DAY, T0 + 90 * DAY);
	W.leaf_new = tc_make("new.svc", &W.ica_new, -1, T0 - DAY, T0 + 90 * DAY);
	W.leaf_foreign = tc_make("foreign.svc", &W.ica_foreign, -1, T0 - DAY,
	    T0 + 90 * DAY);
	W.leaf_expired = tc_make("expired.svc", &W.ica_new, -1, T0 - 91 * DAY,
	    T0 - DAY);
	W.leaf_under_expired = tc_make("stale.svc", &W.ica_expired, -1,
	    T0 - 91 * DAY, T0 + 90 * DAY);
	snprintf(W.anchors, sizeof(W.anchors), "%s", path("anchors.pem"));
	pem = tc_pem(W.root_new.x, W.root_old.x, NULL);
	tc_write(W.anchors, pem);
	free(pem);
	pem = tc_pem(W.root_new.x, W.leaf_new.x, NULL);
	tc_write(path("anchors-leaf.pem"), pem);
	free(pem);
	return 0;
}

static int
teardown(void **state)
{
	struct tc *all[] = { &W.root_old, &W.root_new, &W.root_foreign,
	    &W.ica_old, &W.ica_new, &W.ica_foreign, &W.ica_expired,
	    &W.leaf_old, &W.leaf_new, &W.leaf_foreign, &W.leaf_expired,
	    &W.leaf_under_expired };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		tc_free(all[i]);
	tc_rmdir(W.dir);
	return 0;
}

static struct anc_inventory *
inventory(const char *retire)
{
	struct anc_inventory *inv = NULL;
	struct anc_err err;

	if (anc_inventory_new(W.anchors, retire, T0, &inv, &err) != ANC_OK)
		fail_msg("%s", err.msg);
	return inv;
}

/* A leaf whose signature no longer matches (one byte of it flipped). */
static char *
tampered_pem(X509 *x)
{
	unsigned char *der = NULL, *p;
	const unsigned char *q;
	int len = i2d_X509(x, &der);
	X509 *y;
	char *pem;

	assert_true(len > 0);
	der[len - 3] ^= 0x01;	/* inside the signature's last integer */
	q = p = der;
	y = d2i_X509(NULL, &q, len);
	assert_non_null(y);
	pem = tc_pem(y, NULL);
	X509_free(y);
	OPENSSL_free(p);
	return pem;
}

/* A text to append pieces to. */
static struct anc_buf *
text_new(void)
{
	struct anc_buf *b = anc_buf_new(0);

	assert_non_null(b);
	return b;
}

static void
append(struct anc_buf *b, const char *text)
{
	assert_int_equal(anc_buf_append(b, text, strlen(text)), ANC_OK);
}

/*
 * The PEM reader
 */

struct events {
	char what[16][96];	/* type, or "!" and why */
	size_t line[16];
	size_t len[16];
	size_t n;
};

static int
on_event(void *arg, const char *type, const unsigned char *der, size_t len,
    const char *why, size_t line)
{
	struct events *ev = arg;

	assert_true(ev->n < 16);
	snprintf(ev->what[ev->n], sizeof(ev->what[0]), "%s%s",
	    type != NULL ? "" : "!", type != NULL ? type : why);
	ev->line[ev->n] = line;
	ev->len[ev->n++] = len;
	return ANC_OK;
}

static void
feed_text(struct events *ev, const char *text)
{
	struct anc_pem_reader *r = NULL;
	const char *p = text, *nl;

	memset(ev, 0, sizeof(*ev));
	assert_int_equal(anc_pem_reader_new(on_event, ev, &r), ANC_OK);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		assert_int_equal(anc_pem_reader_line(r, p, (size_t)(nl - p)),
		    ANC_OK);
		p = *nl != '\0' ? nl + 1 : nl;
	}
	assert_int_equal(anc_pem_reader_end(r), ANC_OK);
	anc_pem_reader_free(r);
}

static void
test_pem_reader(void **state)
{
	struct events ev;
	struct anc_buf *text = text_new();
	char *pem = tc_pem(W.leaf_new.x, NULL);
	int der = i2d_X509(W.leaf_new.x, NULL);

	/* Blank lines, CRLF and trailing spaces around a good block. */
	append(text, "\n\r\n");
	append(text, pem);
	append(text, "   \r\n");
	feed_text(&ev, anc_buf_str(text));
	assert_int_equal(ev.n, 1);
	assert_string_equal(ev.what[0], "CERTIFICATE");
	assert_int_equal(ev.len[0], (size_t)der);
	assert_int_equal(ev.line[0], 3);
	anc_buf_free(text);

	feed_text(&ev, "hello\nworld\n-----BEGIN CERTIFICATE-----\n"
	    "!!!!\n-----END CERTIFICATE-----\n"
	    "-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n-----END X-----\n"
	    "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
	    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CRL-----\n"
	    "-----BEGIN CERTIFICATE-----\nAAAA\n");
	assert_int_equal(ev.n, 6);
	assert_string_equal(ev.what[0], "!text outside PEM blocks (not PEM)");
	assert_int_equal(ev.line[0], 1);
	assert_string_equal(ev.what[1], "!invalid base64");
	assert_int_equal(ev.line[1], 3);
	assert_string_equal(ev.what[2], "!a PEM block with headers (an "
	    "encrypted key?)");
	assert_string_equal(ev.what[3], "!an empty PEM block");
	assert_string_equal(ev.what[4], "!an END line that does not match its "
	    "BEGIN line");
	assert_string_equal(ev.what[5], "!a PEM block without its END line");
	assert_int_equal(ev.line[5], 14);
	free(pem);
}

/* What EVP_DecodeUpdate makes of a base64 text: its length, or -1. */
static int
evp_decode(const char *t, unsigned char *out)
{
	EVP_ENCODE_CTX *c = EVP_ENCODE_CTX_new();
	int n = 0, m = 0;

	assert_non_null(c);
	EVP_DecodeInit(c);
	if (EVP_DecodeUpdate(c, out, &n, (const unsigned char *)t,
	    (int)strlen(t)) < 0 || EVP_DecodeFinal(c, out + n, &m) < 0)
		n = -1, m = 0;
	EVP_ENCODE_CTX_free(c);
	return n < 0 ? -1 : n + m;
}

/* One block's bytes, as the reader hands them over. */
struct block {
	unsigned char der[4096];
	size_t len;
	size_t n;
	char why[96];
};

static int
on_block_bytes(void *arg, const char *type, const unsigned char *der,
    size_t len, const char *why, size_t line)
{
	struct block *b = arg;

	b->n++;
	snprintf(b->why, sizeof(b->why), "%s", why != NULL ? why : "");
	assert_true(len <= sizeof(b->der));
	if (der != NULL)
		memcpy(b->der, der, len);
	b->len = len;
	return ANC_OK;
}

/* The body of a block: `b64` cut into lines of `width`. */
static void
read_block(struct block *b, const char *b64, size_t width)
{
	struct anc_pem_reader *r = NULL;
	const char *begin = "-----BEGIN CERTIFICATE-----";
	const char *end = "-----END CERTIFICATE-----";
	size_t i, len = strlen(b64);

	memset(b, 0, sizeof(*b));
	assert_int_equal(anc_pem_reader_new(on_block_bytes, b, &r), ANC_OK);
	assert_int_equal(anc_pem_reader_line(r, begin, strlen(begin)), ANC_OK);
	for (i = 0; i < len; i += width)
		assert_int_equal(anc_pem_reader_line(r, b64 + i, len - i < width ?
		    len - i : width), ANC_OK);
	assert_int_equal(anc_pem_reader_line(r, end, strlen(end)), ANC_OK);
	assert_int_equal(anc_pem_reader_end(r), ANC_OK);
	anc_pem_reader_free(r);
	assert_int_equal(b->n, 1);
}

/*
 * Base64 in one call where it is canonical, through EVP_DecodeUpdate
 * otherwise: the same bytes either way, and everything else refused or
 * left to EVP_DecodeUpdate.
 */
static void
test_base64(void **state)
{
	static const char *const canonical[] = { "QUJD", "QUI=", "QQ==",
	    "QUJDQQ==", "QR==", "+/+/" };
	static const char *const other[] = { "", "QUJ", "Q===", "====",
	    "QQ=A", "=QQQ", " QUJD", "QUJD ", "QU JD", "QUJD\n", "QUJD-AAA",
	    "QUJ\xc3" };
	unsigned char a[64], b[64], *der = NULL;
	struct block blk;
	size_t i, n, width;
	int cut, len, dlen = i2d_X509(W.leaf_new.x, &der);
	char *b64 = calloc(1, (size_t)dlen * 2 + 4);

	for (i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++) {
		assert_int_equal(anc_inv_b64_decode(canonical[i],
		    strlen(canonical[i]), a, &n), 0);
		assert_int_equal(evp_decode(canonical[i], b), (int)n);
		assert_memory_equal(a, b, n);
	}
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (anc_inv_b64_decode(other[i], strlen(other[i]), a, &n) == 0)
			fail_msg("\"%s\" taken as canonical", other[i]);

	/* A certificate's bytes, less 0, 1 and 2 so that each padding
	 * occurs, wrapped at every width: whole groups on a line, groups
	 * split across lines, and the padding alone. */
	assert_non_null(b64);
	for (cut = 0; cut < 3; cut++) {
		len = EVP_EncodeBlock((unsigned char *)b64, der, dlen - cut);
		assert_true(len > 0);
		for (width = 1; width <= 80; width++) {
			read_block(&blk, b64, width);
			assert_string_equal(blk.why, "");
			assert_int_equal(blk.len, (size_t)(dlen - cut));
			assert_memory_equal(blk.der, der, blk.len);
		}
	}
	/* Padding then more: as EVP_DecodeUpdate takes it line by line, it
	 * is refused inside a group and taken after a whole one. */
	read_block(&blk, "QUJDQQ==QUJD", 7);
	assert_string_equal(blk.why, "invalid base64");
	read_block(&blk, "QUJDQQ==QUJD", 8);
	assert_string_equal(blk.why, "");
	assert_int_equal(blk.len, 7);
	free(b64);
	OPENSSL_free(der);
}

/*
 * PEM streams and directories
 */

static void
test_stream_verdicts(void **state)
{
	struct anc_inventory *inv = inventory(NULL);
	struct results *rs = calloc(1, sizeof(*rs));
	struct anc_buf *text = text_new();
	char *p, *key = tc_key_pem(W.leaf_old.k);
	const struct anc_inv_summary *s;
	struct anc_err err;
	static const enum anc_inv_status want[] = { ANC_INV_OLD_ONLY,
	    ANC_INV_OK, ANC_INV_UNTRUSTED, ANC_INV_INCOMPLETE,
	    ANC_INV_GARBAGE, ANC_INV_EXPIRED, ANC_INV_EXPIRED,
	    ANC_INV_INVALID, ANC_INV_GARBAGE, ANC_INV_OLD_ONLY,
	    ANC_INV_UNTRUSTED };
	size_t i;

	assert_non_null(rs);
	/* tls.crt-style chains, one after another. */
	append(text, p = tc_pem(W.leaf_old.x, W.ica_old.x, NULL)); free(p);
	append(text, p = tc_pem(W.leaf_new.x, W.ica_new.x, W.root_new.x,
	    NULL)); free(p);
	append(text, p = tc_pem(W.leaf_foreign.x, W.ica_foreign.x,
	    W.root_foreign.x, NULL)); free(p);
	append(text, p = tc_pem(W.leaf_old.x, NULL)); free(p);
	append(text, key);
	append(text, p = tc_pem(W.leaf_expired.x, W.ica_new.x, NULL)); free(p);
	append(text, p = tc_pem(W.leaf_under_expired.x, W.ica_expired.x,
	    NULL)); free(p);
	append(text, p = tampered_pem(W.leaf_new.x)); free(p);
	append(text, p = tc_pem(W.ica_new.x, NULL)); free(p);
	append(text, "not a certificate\n");
	append(text, p = tc_pem(W.root_old.x, NULL)); free(p);
	append(text, p = tc_pem(W.root_foreign.x, NULL)); free(p);
	tc_write(path("stream.pem"), anc_buf_str(text));

	assert_int_equal(anc_inventory_pem(inv, path("stream.pem"), collect, rs,
	    &err), ANC_OK);
	/* The tampered leaf starts a chain, and the ica-new after it joins
	 * that chain: it is the leaf's issuer by name. */
	assert_int_equal(rs->n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < rs->n; i++)
		if (rs->r[i].status != want[i])
			fail_msg("entry %zu (%s): %s, expected %s: %s", i + 1,
			    rs->r[i].source, anc_inv_status_name(rs->r[i].status),
			    anc_inv_status_name(want[i]), rs->r[i].detail);
	assert_string_equal(rs->r[0].subject, "CN=old.svc");
	assert_string_equal(rs->r[0].source + strlen(rs->r[0].source) - 2,
	    ":1");
	assert_int_equal(rs->r[0].anchors, 2);	/* anchor 2, the old one */
	assert_true(rs->r[0].blocks);
	assert_non_null(strstr(rs->r[0].detail, "retiring anchor 2"));
	assert_int_equal(rs->r[1].anchors, 1);
	assert_false(rs->r[1].blocks);
	assert_non_null(strstr(rs->r[2].detail, "does not chain to any of the "
	    "anchors"));
	assert_non_null(strstr(rs->r[3].detail, "intermediate missing"));
	assert_true(rs->r[3].blocks);
	assert_string_equal(rs->r[4].detail, "a PRIVATE KEY where a "
	    "certificate belongs");
	assert_int_equal(rs->r[4].subject[0], '\0');
	/* Expired: which anchor it would have chained to is still said. */
	assert_non_null(strstr(rs->r[5].detail, "certificate has expired "
	    "(issued under anchor 1)"));
	assert_non_null(strstr(rs->r[6].detail, "CN=ica-expired"));
	assert_non_null(strstr(rs->r[7].detail, "signature failure"));
	assert_string_equal(rs->r[8].detail, "text outside PEM blocks (not "
	    "PEM)");
	assert_string_equal(rs->r[9].detail, "is retiring anchor 2: whatever "
	    "trusts this copy alone breaks");
	s = anc_inventory_summary(inv);
	assert_int_equal(s->total, rs->n);
	assert_int_equal(s->by_status[ANC_INV_GARBAGE], 2);
	assert_int_equal(s->by_status[ANC_INV_EXPIRED], 2);
	assert_int_equal(s->blocking, 3);
	assert_false(anc_inventory_safe(inv));
	anc_inventory_free(inv);
	anc_buf_free(text);
	free(key);
	free(rs);
}

static void
test_directory(void **state)
{
	struct anc_inventory *inv = inventory(NULL);
	struct results *rs = calloc(1, sizeof(*rs));
	char *p, d[600], f[700];
	struct anc_err err;

	assert_non_null(rs);
	snprintf(d, sizeof(d), "%s", path("certs"));
	assert_int_equal(mkdir(d, 0700), 0);
	snprintf(f, sizeof(f), "%s/web.pem", d);
	tc_write(f, p = tc_pem(W.leaf_new.x, W.ica_new.x, NULL)); free(p);
	snprintf(f, sizeof(f), "%s/empty.pem", d);
	tc_write(f, "");
	snprintf(f, sizeof(f), "%s/.hidden.pem", d);
	tc_write(f, "ignored\n");
	snprintf(f, sizeof(f), "%s/sub", d);
	assert_int_equal(mkdir(f, 0700), 0);
	assert_int_equal(anc_inventory_pem(inv, d, collect, rs, &err), ANC_OK);
	assert_int_equal(rs->n, 2);
	snprintf(f, sizeof(f), "%s/web.pem:1", d);
	assert_int_equal(by_source(rs, f)->status, ANC_INV_OK);
	snprintf(f, sizeof(f), "%s/empty.pem:1", d);
	assert_int_equal(by_source(rs, f)->status, ANC_INV_GARBAGE);
	assert_string_equal(by_source(rs, f)->detail, "no PEM block (an empty "
	    "file?)");
	assert_true(anc_inventory_safe(inv));
	/* A path that is not there is an input error, not garbage. */
	assert_int_equal(anc_inventory_pem(inv, path("absent"), collect, rs,
	    &err), ANC_E_INPUT);
	anc_inventory_free(inv);
	free(rs);
}

/*
 * kubectl get secrets -A -o yaml
 */

static void
secret(struct anc_buf *y, const char *name, const char *type,
    const char *tls, const char *ca)
{
	assert_int_equal(anc_buf_printf(y, "- apiVersion: v1\n  data:\n"
	    "%s%s%s%s%s%s    tls.key: c2VjcmV0\n  kind: Secret\n  metadata:\n"
	    "    annotations: { a: b }\n    name: %s\n    namespace: ns\n"
	    "  type: %s\n", ca != NULL ? "    ca.crt: " : "", ca != NULL ? ca :
	    "", ca != NULL ? "\n" : "", tls != NULL ? "    tls.crt: " : "",
	    tls != NULL ? tls : "", tls != NULL ? "\n" : "", name, type),
	    ANC_OK);
}

static char *
b64_of(char *text)
{
	char *b = tc_b64(text);

	free(text);
	return b;
}

static void
test_k8s(void **state)
{
	struct anc_inventory *inv = inventory(NULL);
	struct results *rs = calloc(1, sizeof(*rs));
	struct anc_buf *y = text_new();
	char *good, *old, *ca_new, *ca_old, *key, *junk, *two;
	const struct anc_inv_summary *s;
	struct anc_err err;

	assert_non_null(rs);
	good = b64_of(tc_pem(W.leaf_new.x, W.ica_new.x, NULL));
	old = b64_of(tc_pem(W.leaf_old.x, W.ica_old.x, NULL));
	ca_new = b64_of(tc_pem(W.root_new.x, NULL));
	ca_old = b64_of(tc_pem(W.root_old.x, NULL));
	key = b64_of(tc_key_pem(W.leaf_new.k));
	junk = tc_b64("hello\n");
	two = b64_of(tc_pem(W.root_new.x, W.root_foreign.x, NULL));
	append(y, "apiVersion: v1\nitems:\n");
	secret(y, "web", "kubernetes.io/tls", good, ca_new);
	secret(y, "legacy", "kubernetes.io/tls", old, ca_old);
	secret(y, "pw", "Opaque", NULL, NULL);
	secret(y, "b64", "kubernetes.io/tls", "'%%%not base64'", NULL);
	secret(y, "keyed", "kubernetes.io/tls", key, "''");
	secret(y, "junk", "kubernetes.io/tls", junk, NULL);
	secret(y, "none", "kubernetes.io/tls", NULL, two);
	append(y, "- { apiVersion: v1, kind: ConfigMap, metadata: { name: x } }\n"
	    "kind: List\nmetadata:\n  resourceVersion: \"\"\n---\n"
	    "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\n"
	    "metadata: { name: single, namespace: other }\ndata:\n  tls.crt: ");
	append(y, good);
	append(y, "\n");
	tc_write(path("secrets.yaml"), anc_buf_str(y));

	assert_int_equal(anc_inventory_k8s(inv, path("secrets.yaml"), collect,
	    rs, &err), ANC_OK);
	assert_int_equal(by_source(rs, "ns/web tls.crt")->status, ANC_INV_OK);
	assert_int_equal(by_source(rs, "ns/web ca.crt")->status, ANC_INV_OK);
	assert_string_equal(by_source(rs, "ns/web ca.crt")->detail,
	    "is anchor 1");
	assert_int_equal(by_source(rs, "ns/legacy tls.crt")->status,
	    ANC_INV_OLD_ONLY);
	assert_int_equal(by_source(rs, "ns/legacy ca.crt")->status,
	    ANC_INV_OLD_ONLY);
	assert_string_equal(by_source(rs, "ns/b64 tls.crt")->detail,
	    "tls.crt is not valid base64");
	assert_string_equal(by_source(rs, "ns/keyed tls.crt")->detail,
	    "tls.crt: a PRIVATE KEY where a certificate belongs");
	assert_string_equal(by_source(rs, "ns/junk tls.crt")->detail,
	    "tls.crt line 1: text outside PEM blocks (not PEM)");
	assert_string_equal(by_source(rs, "ns/none tls.crt")->detail,
	    "tls.crt is missing");
	/* Each certificate of a ca.crt on its own. */
	assert_int_equal(by_source(rs, "ns/none ca.crt")->status, ANC_INV_OK);
	assert_int_equal(by_source(rs, "ns/none ca.crt #2")->status,
	    ANC_INV_UNTRUSTED);
	assert_int_equal(by_source(rs, "other/single tls.crt")->status,
	    ANC_INV_OK);
	assert_int_equal(rs->n, 11);
	s = anc_inventory_summary(inv);
	assert_int_equal(s->secrets, 8);
	assert_int_equal(s->skipped, 1);
	assert_int_equal(s->blocking, 2);
	anc_inventory_free(inv);
	anc_buf_free(y);
	free(good); free(old); free(ca_new); free(ca_old); free(key);
	free(junk); free(two); free(rs);
}

/* A stream that stops being YAML: what came before was delivered, then
 * the error names the line. */
static void
test_k8s_syntax(void **state)
{
	struct anc_inventory *inv = inventory(NULL);
	struct results *rs = calloc(1, sizeof(*rs));
	struct anc_buf *y = text_new();
	char *good = b64_of(tc_pem(W.leaf_new.x, W.ica_new.x, NULL));
	struct anc_err err;

	assert_non_null(rs);
	append(y, "items:\n");
	secret(y, "web", "kubernetes.io/tls", good, NULL);
	append(y, "- { broken: [\n");
	tc_write(path("broken.yaml"), anc_buf_str(y));
	assert_int_equal(anc_inventory_k8s(inv, path("broken.yaml"), collect,
	    rs, &err), ANC_E_SYNTAX);
	assert_int_equal(rs->n, 1);
	assert_non_null(strstr(err.msg, "broken.yaml:"));
	assert_non_null(strstr(err.msg, "YAML syntax error"));
	anc_inventory_free(inv);
	anc_buf_free(y);
	free(good);
	free(rs);
}

/* The verdict of ns/name's one ca.crt certificate, or of its #n. */
static const struct anc_inv_result *
ca_of(const struct results *rs, const char *name, int n)
{
	char src[64];

	if (n > 1)
		snprintf(src, sizeof(src), "ns/%s ca.crt #%d", name, n);
	else
		snprintf(src, sizeof(src), "ns/%s ca.crt", name);
	return by_source(rs, src);
}

/* Everything but the source: a repeated value's results are its first. */
static void
same_verdict(const struct anc_inv_result *a, const struct anc_inv_result *b)
{
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->blocks, b->blocks);
	assert_int_equal(a->anchors, b->anchors);
	assert_string_equal(a->subject, b->subject);
	assert_string_equal(a->sha256, b->sha256);
	assert_string_equal(a->not_after, b->not_after);
	assert_string_equal(a->detail, b->detail);
}

/*
 * ca.crt values seen before are not checked again, but only a value in
 * exactly the same bytes gets the earlier results: one of the same length
 * a few bytes apart (the anchor with its signature altered), values
 * pushed out by newer ones and values holding a key are each judged on
 * their own, and every repeat is counted.
 */
static void
test_k8s_ca_repeats(void **state)
{
	struct anc_inventory *inv = inventory(NULL);
	struct results *rs = calloc(1, sizeof(*rs));
	struct anc_buf *y = text_new();
	char *good, *ca_new, *ca_old, *forged, *two, *foreign, *key, name[16];
	const struct anc_inv_summary *s;
	struct anc_err err;
	int i;

	assert_non_null(rs);
	good = b64_of(tc_pem(W.leaf_new.x, W.ica_new.x, NULL));
	ca_new = b64_of(tc_pem(W.root_new.x, NULL));
	ca_old = b64_of(tc_pem(W.root_old.x, NULL));
	forged = b64_of(tampered_pem(W.root_new.x));
	two = b64_of(tc_pem(W.root_new.x, W.root_foreign.x, NULL));
	foreign = b64_of(tc_pem(W.root_foreign.x, NULL));
	key = b64_of(tc_key_pem(W.leaf_new.k));
	assert_int_equal(strlen(forged), strlen(ca_new));
	assert_string_not_equal(forged, ca_new);
	append(y, "items:\n");
	secret(y, "new1", "kubernetes.io/tls", good, ca_new);
	secret(y, "old1", "kubernetes.io/tls", good, ca_old);
	secret(y, "forged", "kubernetes.io/tls", good, forged);
	secret(y, "new2", "kubernetes.io/tls", good, ca_new);
	secret(y, "old2", "kubernetes.io/tls", good, ca_old);
	secret(y, "two1", "kubernetes.io/tls", good, two);
	secret(y, "two2", "kubernetes.io/tls", good, two);
	secret(y, "key1", "kubernetes.io/tls", good, key);
	secret(y, "key2", "kubernetes.io/tls", good, key);
	/* More distinct values than are kept, then the first again. */
	secret(y, "foreign", "kubernetes.io/tls", good, foreign);
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "evict%d", i);
		secret(y, name, "kubernetes.io/tls", good, i % 2 ? forged :
		    foreign);
	}
	secret(y, "new3", "kubernetes.io/tls", good, ca_new);
	tc_write(path("repeats.yaml"), anc_buf_str(y));

	assert_int_equal(anc_inventory_k8s(inv, path("repeats.yaml"), collect,
	    rs, &err), ANC_OK);
	assert_int_equal(ca_of(rs, "new1", 1)->status, ANC_INV_OK);
	assert_string_equal(ca_of(rs, "new1", 1)->detail, "is anchor 1");
	assert_int_equal(ca_of(rs, "old1", 1)->status, ANC_INV_OLD_ONLY);
	assert_int_equal(ca_of(rs, "forged", 1)->status, ANC_INV_INVALID);
	assert_int_equal(ca_of(rs, "evict1", 1)->status, ANC_INV_INVALID);
	assert_int_equal(ca_of(rs, "foreign", 1)->status, ANC_INV_UNTRUSTED);
	same_verdict(ca_of(rs, "new2", 1), ca_of(rs, "new1", 1));
	same_verdict(ca_of(rs, "new3", 1), ca_of(rs, "new1", 1));
	same_verdict(ca_of(rs, "old2", 1), ca_of(rs, "old1", 1));
	assert_int_equal(ca_of(rs, "two2", 1)->status, ANC_INV_OK);
	assert_int_equal(ca_of(rs, "two2", 2)->status, ANC_INV_UNTRUSTED);
	same_verdict(ca_of(rs, "two2", 1), ca_of(rs, "two1", 1));
	same_verdict(ca_of(rs, "two2", 2), ca_of(rs, "two1", 2));
	assert_string_equal(ca_of(rs, "key2", 1)->detail,
	    "ca.crt: a PRIVATE KEY where a certificate belongs");
	/* 17 tls.crt, 19 ca.crt certificates; old1 and old2 block. */
	assert_int_equal(rs->n, 36);
	s = anc_inventory_summary(inv);
	assert_int_equal(s->total, 36);
	assert_int_equal(s->by_status[ANC_INV_OK], 17 + 5);
	assert_int_equal(s->by_status[ANC_INV_OLD_ONLY], 2);
	assert_int_equal(s->by_status[ANC_INV_UNTRUSTED], 6);
	assert_int_equal(s->by_status[ANC_INV_INVALID], 4);
	assert_int_equal(s->by_status[ANC_INV_GARBAGE], 2);
	assert_int_equal(s->blocking, 2);
	anc_inventory_free(inv);
	anc_buf_free(y);
	free(good); free(ca_new); free(ca_old); free(forged); free(two);
	free(foreign); free(key); free(rs);
}

/*
 * Anchors and the retiring choice
 */

static void
expect_new_fails(const char *anchors, const char *retire, int code,
    const char *msg)
{
	struct anc_inventory *inv = NULL;
	struct anc_err err;

	assert_int_equal(anc_inventory_new(anchors, retire, T0, &inv, &err),
	    code);
	assert_null(inv);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err.msg, msg);
}

static void
test_anchors(void **state)
{
	struct anc_inventory *inv;
	struct results *rs = calloc(1, sizeof(*rs));
	struct anc_err err;
	char *p;

	assert_non_null(rs);
	tc_write(path("a-leaf.pem"), p = tc_pem(W.root_new.x, W.ica_new.x,
	    NULL)); free(p);
	expect_new_fails(path("a-leaf.pem"), NULL, ANC_E_INPUT,
	    "certificate 2 is not a self-signed CA");
	tc_write(path("a-dup.pem"), p = tc_pem(W.root_new.x, W.root_new.x,
	    NULL)); free(p);
	expect_new_fails(path("a-dup.pem"), NULL, ANC_E_INPUT,
	    "certificate 2 repeats certificate 1");
	tc_write(path("a-junk.pem"), "junk\n");
	expect_new_fails(path("a-junk.pem"), NULL, ANC_E_INPUT,
	    "text outside PEM blocks");
	tc_write(path("r-foreign.pem"), p = tc_pem(W.root_foreign.x, NULL));
	free(p);
	expect_new_fails(W.anchors, path("r-foreign.pem"), ANC_E_INPUT,
	    "certificate 1 is not one of the anchors");

	/* Retiring the new one instead: the old chain is the safe one now. */
	tc_write(path("r-new.pem"), p = tc_pem(W.root_new.x, NULL)); free(p);
	inv = inventory(path("r-new.pem"));
	assert_true(anc_inventory_anchor(inv, 0)->retiring);
	assert_false(anc_inventory_anchor(inv, 1)->retiring);
	tc_write(path("two.pem"), p = tc_pem(W.leaf_old.x, W.ica_old.x,
	    W.leaf_new.x, W.ica_new.x, NULL)); free(p);
	assert_int_equal(anc_inventory_pem(inv, path("two.pem"), collect, rs,
	    &err), ANC_OK);
	assert_int_equal(rs->r[0].status, ANC_INV_OK);
	assert_int_equal(rs->r[1].status, ANC_INV_OLD_ONLY);
	anc_inventory_free(inv);

	/* Nothing retires when there is one anchor: nothing can break. */
	tc_write(path("one.pem"), p = tc_pem(W.root_old.x, NULL)); free(p);
	assert_int_equal(anc_inventory_new(path("one.pem"), NULL, T0, &inv,
	    &err), ANC_OK);
	assert_false(anc_inventory_anchor(inv, 0)->retiring);
	rs->n = 0;
	tc_write(path("lone.pem"), p = tc_pem(W.leaf_old.x, NULL)); free(p);
	assert_int_equal(anc_inventory_pem(inv, path("lone.pem"), collect, rs,
	    &err), ANC_OK);
	assert_int_equal(rs->r[0].status, ANC_INV_INCOMPLETE);
	assert_false(rs->r[0].blocks);
	assert_true(anc_inventory_safe(inv));
	anc_inventory_free(inv);
	free(rs);
}

/*
 * The verification cache: more chains than slots, and a leaf presented
 * with an intermediate that has the right name but another key.
 */
static void
test_cache(void **state)
{
	struct anc_inventory *inv = inventory(NULL);
	struct results *rs = calloc(1, sizeof(*rs));
	struct tc ica[80], leaf[80], twin, twin_leaf;
	struct anc_buf *text = text_new();
	char *p;
	struct anc_err err;
	size_t i;

	assert_non_null(rs);
	for (i = 0; i < 80; i++) {
		ica[i] = tc_make("ica-many", i % 2 ? &W.root_new : &W.root_old,
		    0, T0 - DAY, T0 + 100 * DAY);
		leaf[i] = tc_make("many.svc", &ica[i], -1, T0 - DAY,
		    T0 + 10 * DAY);
	}
	/* Twice over: the second pass finds the first pass's slots gone. */
	for (i = 0; i < 160; i++) {
		append(text, p = tc_pem(leaf[i % 80].x, ica[i % 80].x, NULL));
		free(p);
	}
	tc_write(path("many.pem"), anc_buf_str(text));
	assert_int_equal(anc_inventory_pem(inv, path("many.pem"), collect, rs,
	    &err), ANC_OK);
	assert_int_equal(rs->n, 160);
	for (i = 0; i < 160; i++)
		assert_int_equal(rs->r[i].status, i % 2 ? ANC_INV_OK :
		    ANC_INV_OLD_ONLY);

	/* Secrets that pair leaves with an intermediate of the right name
	 * and another key, after a good pair has filled the cache. */
	twin = tc_make("ica-new", &W.root_foreign, 0, T0 - DAY, T0 + DAY);
	twin_leaf = tc_make("twin.svc", &twin, -1, T0 - DAY, T0 + DAY);
	anc_buf_reset(text);
	append(text, "items:\n");
	secret(text, "good", "kubernetes.io/tls", p = b64_of(tc_pem(
	    W.leaf_new.x, W.ica_new.x, NULL)), NULL); free(p);
	secret(text, "twin1", "kubernetes.io/tls", p = b64_of(tc_pem(
	    twin_leaf.x, W.ica_new.x, NULL)), NULL); free(p);
	secret(text, "twin2", "kubernetes.io/tls", p = b64_of(tc_pem(
	    W.leaf_new.x, twin.x, NULL)), NULL); free(p);
	tc_write(path("twins.yaml"), anc_buf_str(text));
	rs->n = 0;
	assert_int_equal(anc_inventory_k8s(inv, path("twins.yaml"), collect,
	    rs, &err), ANC_OK);
	assert_int_equal(by_source(rs, "ns/good tls.crt")->status, ANC_INV_OK);
	assert_int_equal(by_source(rs, "ns/twin1 tls.crt")->status,
	    ANC_INV_INCOMPLETE);
	assert_int_equal(by_source(rs, "ns/twin2 tls.crt")->status,
	    ANC_INV_INCOMPLETE);
	for (i = 0; i < 80; i++) {
		tc_free(&ica[i]);
		tc_free(&leaf[i]);
	}
	tc_free(&twin);
	tc_free(&twin_leaf);
	anc_inventory_free(inv);
	anc_buf_free(text);
	free(rs);
}

/*
 * The report, and the retire gate that reads it
 */

struct report {
	const struct anc_inventory *inv;
	struct anc_buf *text;
	int first;
};

static int
to_report(void *arg, const struct anc_inv_result *res)
{
	struct report *rp = arg;
	struct anc_err err;
	char *e = NULL;

	assert_int_equal(anc_inventory_report_entry(rp->inv, res, rp->first,
	    &e, &err), ANC_OK);
	rp->first = 0;
	append(rp->text, e);
	free(e);
	return ANC_OK;
}

/* `anchorage --json inventory check --anchors A --certs CERTS >OUT`. */
static void
make_report(const char *anchors, const char *certs, const char *out,
    const char *error)
{
	struct anc_inventory *inv = NULL;
	struct report rp = { NULL, text_new(), 1 };
	struct anc_err err;
	char *part = NULL;

	assert_int_equal(anc_inventory_new(anchors, NULL, T0, &inv, &err),
	    ANC_OK);
	rp.inv = inv;
	assert_int_equal(anc_inventory_report_head(inv, &part, &err), ANC_OK);
	append(rp.text, part);
	free(part);
	if (anc_inventory_pem(inv, certs, to_report, &rp, &err) != ANC_OK)
		fail_msg("%s", err.msg);
	if (anc_inventory_report_tail(inv, error, &part, &err) != ANC_OK)
		fail_msg("%s", err.msg);
	append(rp.text, part);
	free(part);
	tc_write(out, anc_buf_str(rp.text));
	anc_buf_free(rp.text);
	anc_inventory_free(inv);
}

static void
test_report(void **state)
{
	json_t *doc, *c, *a;
	json_error_t je;
	char *p;

	tc_write(path("r.pem"), p = tc_pem(W.leaf_old.x, W.ica_old.x,
	    W.leaf_new.x, W.ica_new.x, NULL)); free(p);
	make_report(W.anchors, path("r.pem"), path("r.json"), NULL);
	doc = json_load_file(path("r.json"), JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL)
		fail_msg("line %d: %s", je.line, je.text);
	assert_string_equal(json_string_value(json_object_get(doc, "format")),
	    "anchorage-inventory/1");
	assert_string_equal(json_string_value(json_object_get(doc, "at")),
	    "2026-11-29T00:00:00Z");
	a = json_array_get(json_object_get(doc, "anchors"), 1);
	assert_true(json_is_true(json_object_get(a, "retiring")));
	c = json_array_get(json_object_get(doc, "certificates"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "status")),
	    "old-only");
	assert_true(json_is_true(json_object_get(c, "blocks")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(c,
	    "anchors"), 0)), json_string_value(json_object_get(a, "sha256")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc,
	    "summary"), "old-only")), 1);
	assert_true(json_is_false(json_object_get(doc, "safe")));
	assert_null(json_object_get(doc, "error"));
	json_decref(doc);
	/* An interrupted check says so and is never safe. */
	make_report(W.anchors, path("r.pem"), path("e.json"),
	    "stdin:9: YAML syntax error: \x01");
	doc = json_load_file(path("e.json"), 0, &je);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "error")),
	    "stdin:9: YAML syntax error: ?");
	assert_true(json_is_false(json_object_get(doc, "safe")));
	json_decref(doc);
}

static const char gate_head[] =
	"version: 1\n"
	"name: retire\n"
	"participants:\n"
	"  - { name: Alice, role: administrator }\n"
	"  - { name: Bob, role: witness }\n"
	"inputs:\n"
	"  - certificate: { name: root-new, file: root-new.pem }\n"
	"  - certificate: { name: root-old, file: root-old.pem }\n"
	"  - inventory: { name: report, file: report.json }\n"
	"  - bundle: { name: both, file: anchors.pem }\n"
	"  - bundle: { name: leafy, file: anchors-leaf.pem }\n"
	"steps:\n";

/* Check a retire script with `steps` after gate_head. */
static int
gate(const char *steps, struct anc_err *err)
{
	struct anc_ceremony *c = NULL;
	struct anc_buf *text = text_new();
	int r;

	append(text, gate_head);
	append(text, steps);
	tc_write(path("retire.yaml"), anc_buf_str(text));
	anc_buf_free(text);
	if ((r = anc_ceremony_load(path("retire.yaml"), &c, err)) == ANC_OK)
		r = anc_ceremony_check(c, err);
	anc_ceremony_free(c);
	return r;
}

static void
expect_gate(const char *steps, int code, const char *msg)
{
	struct anc_err err;

	anc_err_clear(&err);
	if (gate(steps, &err) != code)
		fail_msg("expected %s, got: %s", anc_strerror(code), err.msg);
	if (msg != NULL && strstr(err.msg, msg) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err.msg, msg);
}

/*
 * `ceremony check` re-signs an input whose key is in the token with a
 * throwaway key (a retire ceremony that also signs a CRL with the old
 * root); the gate still knows it by subject and serial.
 */
static void
keyed_retire(void)
{
	struct anc_ceremony *c = NULL;
	struct anc_err err;

	tc_write(path("keyed.yaml"), "version: 1\nname: retire-keyed\n"
	    "token: \"pkcs11:token=t\"\nparticipants:\n"
	    "  - { name: Alice, role: administrator }\n"
	    "  - { name: Bob, role: witness }\ninputs:\n"
	    "  - certificate: { name: root-new, file: root-new.pem }\n"
	    "  - certificate: { name: root-old, file: root-old.pem, key: old }\n"
	    "  - inventory: { name: report, file: report.json }\nsteps:\n"
	    "  - sign-crl: { issuer: root-old, crl-number: 1, output: crl }\n"
	    "  - bundle: { anchors: [root-new], retires: [root-old], "
	    "inventory: report, output: b }\n");
	if (anc_ceremony_load(path("keyed.yaml"), &c, &err) != ANC_OK ||
	    anc_ceremony_check(c, &err) != ANC_OK)
		fail_msg("%s", err.msg);
	anc_ceremony_free(c);
}

#define RETIRE \
	"  - bundle: { anchors: [root-new], retires: [root-old], " \
	"inventory: report, output: b }\n"

static void
test_gate(void **state)
{
	char *p, steps[1024], fp[65];

	tc_write(path("root-new.pem"), p = tc_pem(W.root_new.x, NULL)); free(p);
	tc_write(path("root-old.pem"), p = tc_pem(W.root_old.x, NULL)); free(p);
	tc_write(path("g.pem"), p = tc_pem(W.leaf_old.x, W.ica_old.x,
	    W.leaf_new.x, W.ica_new.x, NULL)); free(p);
	make_report(W.anchors, path("g.pem"), path("report.json"), NULL);
	expect_gate(RETIRE, ANC_E_UNSAFE, "step 1 (bundle): retiring root-old "
	    "would break 1 certificate(s) of inventory report \"report\"");
	expect_gate(RETIRE, ANC_E_UNSAFE, "g.pem:1 (CN=old.svc, sha256 ");

	/* A named exception lets exactly that certificate through. */
	assert_int_equal(anc_cert_fingerprint(W.leaf_old.x, fp), ANC_OK);
	snprintf(steps, sizeof(steps), "  - bundle:\n"
	    "      anchors: [root-new]\n      retires: [root-old]\n"
	    "      inventory: report\n      exceptions:\n"
	    "        - { certificate: %s, reason: decommissioned, "
	    "approved-by: Alice }\n      output: b\n", fp);
	expect_gate(steps, ANC_OK, NULL);

	/* Once the leaf is re-issued, the exception is stale. */
	tc_write(path("g.pem"), p = tc_pem(W.leaf_new.x, W.ica_new.x, NULL));
	free(p);
	make_report(W.anchors, path("g.pem"), path("report.json"), NULL);
	expect_gate(RETIRE, ANC_OK, NULL);
	expect_gate(steps, ANC_E_UNSAFE, "exceptions[1]: certificate ");
	keyed_retire();

	/* A report made without the anchor being retired proves nothing. */
	make_report(path("root-new.pem"), path("g.pem"), path("report.json"),
	    NULL);
	expect_gate(RETIRE, ANC_E_UNSAFE, "was made without the retiring "
	    "anchor CN=root.example");
	/* Nor one that checked an anchor the step forgets. */
	tc_write(path("three.pem"), p = tc_pem(W.root_new.x, W.root_old.x,
	    W.root_foreign.x, NULL)); free(p);
	make_report(path("three.pem"), path("g.pem"), path("report.json"), NULL);
	expect_gate(RETIRE, ANC_E_UNSAFE, "checked anchor 3 (CN=other.example");
	make_report(W.anchors, path("g.pem"), path("report.json"),
	    "stopped");
	expect_gate(RETIRE, ANC_E_UNSAFE, "is incomplete: the check stopped");
	tc_write(path("report.json"), "{ \"format\": 1 ");
	expect_gate(RETIRE, ANC_E_INPUT, "inventory report \"report\": line 1");
	tc_write(path("report.json"), "{ \"format\": \"other\" }");
	expect_gate(RETIRE, ANC_E_INPUT, "expected format "
	    "\"anchorage-inventory/1\"");
}

/* Bundle inputs give every certificate; repeats and leaves are refused. */
static void
test_bundle_input(void **state)
{
	char *p;

	tc_write(path("g.pem"), p = tc_pem(W.leaf_new.x, W.ica_new.x, NULL));
	free(p);
	make_report(W.anchors, path("g.pem"), path("report.json"), NULL);
	expect_gate("  - bundle: { anchors: [both], output: b }\n", ANC_OK, NULL);
	expect_gate("  - bundle: { anchors: [both, root-new], output: b }\n",
	    ANC_E_UNSAFE, "anchor \"root-new\" is already in the bundle");
	expect_gate("  - bundle: { anchors: [both], retires: [root-old], "
	    "inventory: report, output: b }\n", ANC_E_UNSAFE,
	    "retires \"root-old\" is also in the bundle");
	expect_gate("  - bundle: { anchors: [leafy], output: b }\n",
	    ANC_E_UNSAFE, "certificate 2 of \"leafy\" is not a CA certificate");
}

/*
 * The fast path for plain leaves against X509_verify_cert: each variant
 * is checked once after a plain leaf of the same chain, in Secrets (so the
 * fast path is tried), and once alone (so X509_verify_cert decides); the
 * results must be the same.
 */

enum variant { V_PLAIN, V_EXPIRED, V_NOT_YET, V_FORGED, V_CRIT_UNKNOWN,
    V_NONCRIT_UNKNOWN, V_CA, V_SHA384, V_V1, V_PRINTABLE, V_DUP_SAN,
    V_NO_AKID, V_WRONG_AKID, V__COUNT };

static void
add_raw_ext(X509 *x, const char *oid, int crit)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e;

	assert_non_null(o);
	assert_non_null(v);
	assert_int_equal(ASN1_OCTET_STRING_set(v, (const unsigned char *)
	    "\x05\x00", 2), 1);
	e = X509_EXTENSION_create_by_OBJ(NULL, o, crit, v);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(v);
	ASN1_OBJECT_free(o);
}

static X509 *
variant(enum variant v, const struct tc *ica)
{
	EVP_PKEY *k = tc_key(), *other = tc_key();
	X509 *x = X509_new();
	time_t nb = T0 - DAY, na = T0 + 30 * DAY;

	if (v == V_EXPIRED)
		nb = T0 - 60 * DAY, na = T0 - DAY;
	if (v == V_NOT_YET)
		nb = T0 + DAY, na = T0 + 60 * DAY;
	X509_set_version(x, v == V_V1 ? 0 : 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7000 + (long)v);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_UTF8, (const unsigned char *)"variant.svc", -1, -1, 0);
	if (v == V_PRINTABLE)
		/* The issuer's name as a PrintableString: the same name to
		 * X509_verify_cert, other bytes to the fast path. */
		X509_NAME_add_entry_by_txt(X509_get_issuer_name(x), "CN",
		    V_ASN1_PRINTABLESTRING, (const unsigned char *)"ica-new",
		    -1, -1, 0);
	else
		X509_set_issuer_name(x, X509_get_subject_name(ica->x));
	ASN1_TIME_set(X509_getm_notBefore(x), nb);
	ASN1_TIME_set(X509_getm_notAfter(x), na);
	X509_set_pubkey(x, k);
	if (v != V_V1) {
		tc_ext(x, ica->x, NID_basic_constraints, v == V_CA ?
		    "critical,CA:TRUE" : "critical,CA:FALSE");
		tc_ext(x, ica->x, NID_key_usage, "critical,digitalSignature");
		tc_ext(x, ica->x, NID_ext_key_usage, "serverAuth");
		tc_ext(x, ica->x, NID_subject_alt_name, "DNS:variant.svc");
		if (v == V_WRONG_AKID)
			tc_ext(x, W.ica_old.x, NID_authority_key_identifier,
			    "keyid");
		else if (v != V_NO_AKID)
			tc_ext(x, ica->x, NID_authority_key_identifier, "keyid");
	}
	if (v == V_DUP_SAN)
		tc_ext(x, ica->x, NID_subject_alt_name, "DNS:other.svc");
	if (v == V_CRIT_UNKNOWN || v == V_NONCRIT_UNKNOWN)
		add_raw_ext(x, "1.3.6.1.4.1.99999.1", v == V_CRIT_UNKNOWN);
	assert_true(X509_sign(x, v == V_FORGED ? other : ica->k,
	    v == V_SHA384 ? EVP_sha384() : EVP_sha256()) > 0);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
	return x;
}

/* Secrets with these tls.crt chains (NULL-terminated pairs), checked by a
 * new inventory. */
static void
check_variants(struct results *rs, X509 *leaf1, X509 *leaf2)
{
	struct anc_inventory *inv = inventory(NULL);
	struct anc_err err;
	struct anc_buf *y = text_new();
	char *p;

	append(y, "items:\n");
	secret(y, "first", "kubernetes.io/tls", p = b64_of(tc_pem(leaf1,
	    W.ica_new.x, NULL)), NULL);
	free(p);
	if (leaf2 != NULL) {
		secret(y, "second", "kubernetes.io/tls", p = b64_of(tc_pem(
		    leaf2, W.ica_new.x, NULL)), NULL);
		free(p);
	}
	tc_write(path("variants.yaml"), anc_buf_str(y));
	anc_buf_free(y);
	rs->n = 0;
	if (anc_inventory_k8s(inv, path("variants.yaml"), collect, rs, &err) !=
	    ANC_OK)
		fail_msg("%s", err.msg);
	anc_inventory_free(inv);
}

static void
test_fast_path(void **state)
{
	struct results *fast = calloc(1, sizeof(*fast));
	struct results *slow = calloc(1, sizeof(*slow));
	const struct anc_inv_result *a, *b;
	struct anc_inv_fast *f = NULL;
	struct anc_inv_result r;
	struct tc nc;
	unsigned char *der;
	X509 *x;
	int v, len;

	assert_non_null(fast);
	assert_non_null(slow);
	assert_int_equal(anc_inv_fast_new(W.ica_new.x, NULL, &W.root_new.x, 1,
	    &f), ANC_OK);
	assert_non_null(f);
	for (v = 0; v < V__COUNT; v++) {
		x = variant((enum variant)v, &W.ica_new);
		/* The fast path itself decides only the plain cases. */
		der = NULL;
		len = i2d_X509(x, &der);
		memset(&r, 0, sizeof(r));
		assert_int_equal(anc_inv_fast_leaf(f, T0, der, (size_t)len, &r),
		    v == V_PLAIN || v == V_SHA384 || v == V_NO_AKID);
		OPENSSL_free(der);
		check_variants(fast, W.leaf_new.x, x);
		check_variants(slow, x, NULL);
		X509_free(x);
		assert_int_equal(fast->n, 2);
		assert_int_equal(slow->n, 1);
		a = &fast->r[1];
		b = &slow->r[0];
		if (a->status != b->status || a->anchors != b->anchors ||
		    strcmp(a->detail, b->detail) != 0 ||
		    strcmp(a->subject, b->subject) != 0 ||
		    strcmp(a->not_after, b->not_after) != 0 ||
		    strcmp(a->sha256, b->sha256) != 0)
			fail_msg("variant %d: after a plain leaf %s (%s), alone "
			    "%s (%s)", v, anc_inv_status_name(a->status),
			    a->detail, anc_inv_status_name(b->status), b->detail);
		/* Plain variants chain; the broken ones do not. */
		assert_int_equal(b->status == ANC_INV_OK, v == V_PLAIN ||
		    v == V_NONCRIT_UNKNOWN || v == V_CA || v == V_SHA384 ||
		    v == V_V1 || v == V_PRINTABLE || v == V_NO_AKID);
	}
	anc_inv_fast_free(f);
	/* A CA under name constraints is never taken on the fast path. */
	nc = tc_make("ica-nc", &W.root_new, 0, T0 - DAY, T0 + DAY);
	tc_ext(nc.x, W.root_new.x, NID_name_constraints,
	    "critical,permitted;DNS:.example");
	assert_true(X509_sign(nc.x, W.root_new.k, EVP_sha256()) > 0);
	assert_int_equal(anc_inv_fast_new(nc.x, NULL, &W.root_new.x, 1, &f),
	    ANC_OK);
	assert_null(f);
	tc_free(&nc);
	free(fast);
	free(slow);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_reader),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_stream_verdicts),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_k8s),
		cmocka_unit_test(test_k8s_syntax),
		cmocka_unit_test(test_k8s_ca_repeats),
		cmocka_unit_test(test_anchors),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_gate),
		cmocka_unit_test(test_bundle_input),
		cmocka_unit_test(test_fast_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
