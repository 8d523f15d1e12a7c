/*
 * anchorage: `outbox verify`.
 *
 * What crosses the air gap is checked on its own terms, without trusting
 * the run that wrote it: SHA256SUMS lists every file and every hash
 * matches; each file is of an allowed kind and holds what its kind allows;
 * and no private key appears anywhere but tls.key of a kubernetes.io/tls
 * Secret (the issuing CA's, DESIGN.md "Outbox and exports").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <yaml.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/secmem.h"
#include "export_int.h"

#define PRIVATE_KEY "PRIVATE KEY"

enum presence { P_ABSENT = 0, P_REGULAR, P_SYMLINK, P_DIR, P_OTHER };

/* One name seen in SHA256SUMS, in the directory, or both. */
struct vfile {
	char name[ANC_OUTBOX_NAME_MAX + sizeof(ANC_OUTBOX_SUBDIR) + 1];
	int listed;
	size_t line;			/* in SHA256SUMS */
	char want[ANC_SHA256_HEX];
	enum presence present;
};

struct vlist {
	struct vfile *v;
	size_t n, cap;
};

static struct vfile *
vlist_add(struct vlist *l)
{
	struct vfile *nv;
	size_t ncap;

	if (l->n == l->cap) {
		ncap = l->cap == 0 ? 32 : l->cap * 2;
		if ((nv = reallocarray(l->v, ncap, sizeof(*nv))) == NULL)
			return NULL;
		l->v = nv;
		l->cap = ncap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* A copy fit for a terminal: a tampered outbox must not put escape
 * sequences in front of the operator. */
static void
printable(const unsigned char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < cap; i++)
		out[o++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out[o] = '\0';
}

/* Messages are cut to fit an item; the full one goes to err. */
static void
copy_msg(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int
lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* One "<64 lowercase hex>  <name>" line (without its newline). */
static int
parse_sums_line(const char *l, size_t len, size_t line, struct vlist *list,
    struct anc_err *err)
{
	const size_t hexlen = ANC_SHA256_HEX - 1;
	struct vfile *f;
	const char *base;
	char name[ANC_OUTBOX_NAME_MAX + 1], shown[80];
	size_t nlen;
	int sub;

	if (len < hexlen + 3 || !lower_hex(l, hexlen) || l[hexlen] != ' ' ||
	    l[hexlen + 1] != ' ')
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: expected "
		    "\"<64 lowercase hex digits>  <file name>\"", line);
	nlen = len - hexlen - 2;
	if (nlen > ANC_OUTBOX_NAME_MAX ||
	    memchr(l + hexlen + 2, '\0', nlen) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: file name "
		    "too long or not text", line);
	memcpy(name, l + hexlen + 2, nlen);
	name[nlen] = '\0';
	if (anc_outbox_name_split(name, &sub, &base) != 0 ||
	    (!sub && (strcmp(base, ANC_OUTBOX_SUMS) == 0 ||
	    strcmp(base, ANC_OUTBOX_SUBDIR) == 0))) {
		printable((const unsigned char *)name, nlen, shown,
		    sizeof(shown));
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: file name "
		    "\"%s\", expected a plain name or %s/ and a plain name",
		    line, shown, ANC_OUTBOX_SUBDIR);
	}
	if ((f = vlist_add(list)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "SHA256SUMS");
	memcpy(f->name, name, nlen + 1);
	memcpy(f->want, l, hexlen);
	f->want[hexlen] = '\0';
	f->listed = 1;
	f->line = line;
	return ANC_OK;
}

static int
vfile_cmp(const void *a, const void *b)
{
	const struct vfile *fa = a, *fb = b;
	int c = strcmp(fa->name, fb->name);

	/* Equal names: the SHA256SUMS entry first, the directory's next. */
	return c != 0 ? c : fb->listed - fa->listed;
}

static int
parse_sums(const char *text, size_t len, struct vlist *list,
    struct anc_err *err)
{
	const char *eol;
	size_t pos = 0, line = 0, i;
	int r;

	while (pos < len) {
		line++;
		if ((eol = memchr(text + pos, '\n', len - pos)) == NULL)
			return anc_err_set(err, ANC_E_VERIFY, "line %zu: no "
			    "newline at the end, expected one per line", line);
		if ((r = parse_sums_line(text + pos, (size_t)(eol - text) -
		    pos, line, list, err)) != ANC_OK)
			return r;
		pos = (size_t)(eol - text) + 1;
	}
	qsort(list->v, list->n, sizeof(list->v[0]), vfile_cmp);
	for (i = 1; i < list->n; i++)
		if (strcmp(list->v[i - 1].name, list->v[i].name) == 0)
			return anc_err_set(err, ANC_E_VERIFY, "line %zu: %s "
			    "listed again (first on line %zu), expected each "
			    "file once", list->v[i].line, list->v[i].name,
			    list->v[i - 1].line);
	return ANC_OK;
}

static int
read_sums(const char *dir, struct vlist *list, struct anc_err *err)
{
	unsigned char *text = NULL;
	char *path = NULL;
	size_t len = 0;
	struct anc_err e;
	int r;

	if (asprintf(&path, "%s/%s", dir, ANC_OUTBOX_SUMS) < 0)
		return anc_err_set(err, ANC_E_NOMEM, "%s", dir);
	r = anc_file_read(path, ANC_OUTBOX_FILE_MAX, &text, &len, &e);
	free(path);
	if (r == ANC_E_NOMEM)
		return anc_err_set(err, r, "%s", e.msg);
	if (r != ANC_OK)
		return anc_err_set(err, ANC_E_VERIFY, "missing or unreadable, "
		    "expected a regular file listing every file (%s)",
		    anc_strerror(r));
	r = parse_sums((const char *)text, len, list, err);
	free(text);
	return r;
}

static enum presence
presence_of(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return P_REGULAR;
	if (S_ISLNK(st->st_mode))
		return P_SYMLINK;
	if (S_ISDIR(st->st_mode))
		return P_DIR;
	return P_OTHER;
}

static int walk(int dirfd, const char *dir, const char *prefix,
    struct vlist *l, struct anc_err *err);

/* Descend into manifests/, the one subdirectory allowed. */
static int
walk_subdir(int dirfd, const char *dir, struct vlist *l, struct anc_err *err)
{
	int fd, r;

	fd = openat(dirfd, ANC_OUTBOX_SUBDIR,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return anc_err_set(err, ANC_E_IO, "%s/%s: %s", dir,
		    ANC_OUTBOX_SUBDIR, strerror(errno));
	r = walk(fd, dir, ANC_OUTBOX_SUBDIR "/", l, err);
	close(fd);
	return r;
}

/* Every entry of the directory (and of manifests/) but SHA256SUMS. */
static int
walk(int dirfd, const char *dir, const char *prefix, struct vlist *l,
    struct anc_err *err)
{
	struct dirent *de;
	struct stat st;
	struct vfile *f;
	DIR *d;
	int fd, r = ANC_OK, top = prefix[0] == '\0';

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
	    0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return anc_err_set(err, ANC_E_IO, "%s/%s: cannot list: %s",
		    dir, prefix, strerror(errno));
	}
	while (r == ANC_OK && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    (top && strcmp(de->d_name, ANC_OUTBOX_SUMS) == 0))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			r = anc_err_set(err, ANC_E_IO, "%s/%s%s: %s", dir,
			    prefix, de->d_name, strerror(errno));
			break;
		}
		if (top && S_ISDIR(st.st_mode) &&
		    strcmp(de->d_name, ANC_OUTBOX_SUBDIR) == 0) {
			r = walk_subdir(dirfd, dir, l, err);
			continue;
		}
		if ((f = vlist_add(l)) == NULL) {
			r = anc_err_set(err, ANC_E_NOMEM, "%s", dir);
			break;
		}
		snprintf(f->name, sizeof(f->name), "%s%s", prefix, de->d_name);
		f->present = presence_of(&st);
	}
	if (r == ANC_OK && errno != 0)
		r = anc_err_set(err, ANC_E_IO, "%s/%s: cannot list: %s", dir,
		    prefix, strerror(errno));
	closedir(d);
	return r;
}

/* Sort SHA256SUMS entries and directory entries together, joining the
 * two records of a name into one. */
static void
merge(struct vlist *l)
{
	size_t i, o = 0;

	qsort(l->v, l->n, sizeof(l->v[0]), vfile_cmp);
	for (i = 0; i < l->n; i++) {
		if (o > 0 && strcmp(l->v[o - 1].name, l->v[i].name) == 0) {
			l->v[o - 1].present = l->v[i].present;
			continue;
		}
		l->v[o++] = l->v[i];
	}
	l->n = o;
}

/* ---- content ---- */

static int
b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' ||
	    c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Base64 (with line breaks) to bytes; -1 if `s` is not base64. *out is
 * owned by the caller, who wipes it: it may be a key. */
static int
b64_decode(const unsigned char *s, size_t n, unsigned char **out,
    size_t *outlen)
{
	EVP_ENCODE_CTX *ctx;
	unsigned char *buf;
	int l1 = 0, l2 = 0, ok;
	size_t i;

	if (n == 0 || n > INT_MAX - 4)
		return -1;
	for (i = 0; i < n; i++)
		if (!b64_char(s[i]))
			return -1;
	if ((buf = malloc(n + 4)) == NULL)
		return -1;
	if ((ctx = EVP_ENCODE_CTX_new()) == NULL) {
		free(buf);
		return -1;
	}
	EVP_DecodeInit(ctx);
	ok = EVP_DecodeUpdate(ctx, buf, &l1, s, (int)n) >= 0 &&
	    EVP_DecodeFinal(ctx, buf + l1, &l2) == 1;
	EVP_ENCODE_CTX_free(ctx);
	if (!ok) {
		anc_freezero(buf, n + 4);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)(l1 + l2);
	return 0;
}

/* Does DER parse as a private key (PKCS#8, SEC1, PKCS#1)? */
static int
der_private_key(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *k;

	/* Every key encoding is a SEQUENCE; skip the decoders otherwise. */
	if (len < 32 || der[0] != 0x30 || len > LONG_MAX)
		return 0;
	ERR_set_mark();
	k = d2i_AutoPrivateKey(NULL, &p, (long)len);
	ERR_pop_to_mark();
	EVP_PKEY_free(k);
	return k != NULL;
}

/* A private key in plain text, or once base64 is taken off. */
static int
holds_private_key(const unsigned char *s, size_t n)
{
	unsigned char *dec = NULL;
	size_t dn = 0;
	int found;

	if (memmem(s, n, PRIVATE_KEY, strlen(PRIVATE_KEY)) != NULL)
		return 1;
	if (b64_decode(s, n, &dec, &dn) != 0)
		return 0;
	found = memmem(dec, dn, PRIVATE_KEY, strlen(PRIVATE_KEY)) != NULL ||
	    der_private_key(dec, dn);
	anc_freezero(dec, dn);
	return found;
}

static int
check_text(const unsigned char *d, size_t n, size_t *lines,
    struct anc_err *err)
{
	size_t i;

	if (memchr(d, '\0', n) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "binary data, expected "
		    "text");
	if (memmem(d, n, PRIVATE_KEY, strlen(PRIVATE_KEY)) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "holds \"%s\", expected "
		    "no private key", PRIVATE_KEY);
	*lines = 0;
	for (i = 0; i < n; i++)
		if (d[i] == '\n')
			(*lines)++;
	return ANC_OK;
}

struct pem_count {
	size_t certs, crls;
};

static int
scan_pem_block(void *arg, size_t num, const char *type,
    const unsigned char *der, size_t len, struct anc_err *err)
{
	struct pem_count *c = arg;
	const unsigned char *p = der;
	X509_CRL *crl;
	X509 *x;
	int ok;

	if (strstr(type, PRIVATE_KEY) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu is a private "
		    "key (%.40s), expected only certificates or CRLs", num,
		    type);
	if (strcmp(type, "CERTIFICATE") == 0) {
		x = d2i_X509(NULL, &p, (long)len);
		ok = x != NULL && p == der + len;
		X509_free(x);
		c->certs++;
	} else if (strcmp(type, "X509 CRL") == 0) {
		crl = d2i_X509_CRL(NULL, &p, (long)len);
		ok = crl != NULL && p == der + len;
		X509_CRL_free(crl);
		c->crls++;
	} else
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: %.40s, "
		    "expected CERTIFICATE or X509 CRL", num, type);
	ERR_clear_error();
	if (!ok)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: %s does not "
		    "parse (or has trailing bytes)", num, type);
	return ANC_OK;
}

static int
check_pem(const unsigned char *d, size_t n, struct anc_verify_item *it,
    struct anc_err *err)
{
	struct pem_count c = { 0, 0 };
	size_t blocks = 0;
	int r;

	if ((r = anc_pem_each(d, n, NULL, scan_pem_block, &c, &blocks,
	    err)) != ANC_OK)
		return r;
	if (blocks == 0)
		return anc_err_set(err, ANC_E_VERIFY, "no PEM block, expected "
		    "certificates or CRLs");
	if (c.certs > 0 && c.crls > 0)
		return anc_err_set(err, ANC_E_VERIFY, "%zu certificates and %zu "
		    "CRLs, expected one kind per file", c.certs, c.crls);
	if (c.crls > 0) {
		snprintf(it->kind, sizeof(it->kind), "crl");
		snprintf(it->detail, sizeof(it->detail), "%zu CRL%s", c.crls,
		    c.crls > 1 ? "s" : "");
	} else {
		snprintf(it->kind, sizeof(it->kind), "%s", c.certs > 1 ?
		    "bundle" : "certificate");
		snprintf(it->detail, sizeof(it->detail), "%zu certificate%s",
		    c.certs, c.certs > 1 ? "s" : "");
	}
	return ANC_OK;
}

/* ---- YAML ---- */

static size_t
line_of(const yaml_node_t *n)
{
	return n->start_mark.line + 1;
}

static int
scalar_is(const yaml_node_t *n, const char *s)
{
	return n != NULL && n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.length == strlen(s) &&
	    memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

static void
scalar_text(const yaml_node_t *n, char *out, size_t cap)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE) {
		snprintf(out, cap, "(not a string)");
		return;
	}
	printable(n->data.scalar.value, n->data.scalar.length, out, cap);
}

/* The value of `key` in mapping `m`; NULL if absent or `m` is not one. */
static yaml_node_t *
map_get(yaml_document_t *doc, const yaml_node_t *m, const char *key)
{
	const yaml_node_pair_t *p;

	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++)
		if (scalar_is(yaml_document_get_node(doc, p->key), key))
			return yaml_document_get_node(doc, p->value);
	return NULL;
}

static int
scalar_cmp(const void *a, const void *b)
{
	const yaml_node_t *na = *(const yaml_node_t *const *)a;
	const yaml_node_t *nb = *(const yaml_node_t *const *)b;
	size_t la = na->data.scalar.length, lb = nb->data.scalar.length;
	int c = memcmp(na->data.scalar.value, nb->data.scalar.value,
	    la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

/* Keys of a mapping are strings and unique (libyaml does not check). */
static int
check_keys(yaml_document_t *doc, const yaml_node_t *m, struct anc_err *err)
{
	const yaml_node_pair_t *p;
	const yaml_node_t **keys;
	size_t n = 0, i;
	int r = ANC_OK;

	keys = calloc((size_t)(m->data.mapping.pairs.top -
	    m->data.mapping.pairs.start) + 1, sizeof(*keys));
	if (keys == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "YAML");
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		keys[n] = yaml_document_get_node(doc, p->key);
		if (keys[n]->type != YAML_SCALAR_NODE) {
			r = anc_err_set(err, ANC_E_VERIFY, "line %zu: a "
			    "non-string key, expected string keys",
			    line_of(keys[n]));
			goto out;
		}
		n++;
	}
	qsort(keys, n, sizeof(*keys), scalar_cmp);
	for (i = 1; i < n && r == ANC_OK; i++)
		if (scalar_cmp(&keys[i - 1], &keys[i]) == 0)
			r = anc_err_set(err, ANC_E_VERIFY, "line %zu: duplicate "
			    "key, expected each key once", line_of(keys[i]));
 out:
	free(keys);
	return r;
}

/* Count one more reference to child `id`; -1 when it was seen before,
 * which only an alias (or a cycle through the root) can do. */
static int
ref_child(unsigned char *refs, size_t n, int id)
{
	if (id < 2 || (size_t)id > n || refs[id] != 0)
		return -1;
	refs[id] = 1;
	return 0;
}

/* Every node has one parent, so nodes can be checked one by one and
 * nothing is visited twice: no aliases, scalar keys, unique keys. */
static int
check_tree(yaml_document_t *doc, struct anc_err *err)
{
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start), i;
	const yaml_node_item_t *it;
	const yaml_node_pair_t *p;
	const yaml_node_t *node;
	unsigned char *refs;
	int r = ANC_OK, bad = 0;

	if ((refs = calloc(n + 1, 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "YAML");
	for (i = 0; i < n && r == ANC_OK && !bad; i++) {
		node = doc->nodes.start + i;
		if (node->type == YAML_SEQUENCE_NODE)
			for (it = node->data.sequence.items.start;
			    it < node->data.sequence.items.top && !bad; it++)
				bad = ref_child(refs, n, *it) != 0;
		if (node->type == YAML_MAPPING_NODE) {
			for (p = node->data.mapping.pairs.start;
			    p < node->data.mapping.pairs.top && !bad; p++)
				bad = ref_child(refs, n, p->key) != 0 ||
				    ref_child(refs, n, p->value) != 0;
			if (!bad)
				r = check_keys(doc, node, err);
		}
		if (bad)
			r = anc_err_set(err, ANC_E_VERIFY, "line %zu: an alias, "
			    "expected plain YAML", line_of(node));
	}
	free(refs);
	return r;
}

static int
key_block(void *arg, size_t num, const char *type, const unsigned char *der,
    size_t len, struct anc_err *err)
{
	const unsigned char *p = der;
	EVP_PKEY *k;

	if (strcmp(type, "PRIVATE KEY") != 0 &&
	    strcmp(type, "EC PRIVATE KEY") != 0 &&
	    strcmp(type, "RSA PRIVATE KEY") != 0)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: %.40s, "
		    "expected an unencrypted private key", num, type);
	ERR_set_mark();
	k = d2i_AutoPrivateKey(NULL, &p, (long)len);
	ERR_pop_to_mark();
	EVP_PKEY_free(k);
	if (k == NULL || p != der + len)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: does not "
		    "parse as a private key", num);
	return ANC_OK;
}

/* tls.key of a kubernetes.io/tls Secret: exactly one private key. */
static int
check_tls_key(const yaml_node_t *n, int base64, const char *field,
    struct anc_err *err)
{
	const unsigned char *v;
	unsigned char *dec = NULL;
	size_t len, dn = 0, blocks = 0;
	int r;

	if (n->type != YAML_SCALAR_NODE)
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: %s.tls.key: "
		    "expected a string", line_of(n), field);
	v = n->data.scalar.value;
	len = n->data.scalar.length;
	if (base64) {
		if (b64_decode(v, len, &dec, &dn) != 0)
			return anc_err_set(err, ANC_E_VERIFY, "line %zu: "
			    "%s.tls.key: expected base64", line_of(n), field);
		v = dec;
		len = dn;
	}
	r = anc_pem_each(v, len, NULL, key_block, NULL, &blocks, err);
	if (r == ANC_OK && blocks != 1)
		r = anc_err_set(err, ANC_E_VERIFY, "%zu PEM blocks, expected "
		    "one private key", blocks);
	anc_freezero(dec, dn);
	if (r != ANC_OK)
		return anc_err_prefix(err, "line %zu: %s.tls.key", line_of(n),
		    field);
	return ANC_OK;
}

/* The Secret's key slots: data.tls.key (base64), stringData.tls.key. */
static int
check_secret(yaml_document_t *doc, const yaml_node_t *root,
    const yaml_node_t *slot[2], struct anc_err *err)
{
	yaml_node_t *type = map_get(doc, root, "type");
	yaml_node_t *data = map_get(doc, root, "data");
	yaml_node_t *sdata = map_get(doc, root, "stringData");
	char shown[64];
	int r;

	if (!scalar_is(type, "kubernetes.io/tls")) {
		scalar_text(type, shown, sizeof(shown));
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: Secret of "
		    "type %s, expected kubernetes.io/tls (no other Secret "
		    "leaves the appliance)", line_of(root),
		    type == NULL ? "(none)" : shown);
	}
	slot[0] = map_get(doc, data, "tls.key");
	slot[1] = map_get(doc, sdata, "tls.key");
	if ((slot[0] == NULL && slot[1] == NULL) ||
	    (map_get(doc, data, "tls.crt") == NULL &&
	    map_get(doc, sdata, "tls.crt") == NULL))
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: Secret without "
		    "tls.crt and tls.key, expected both", line_of(root));
	if (slot[0] != NULL &&
	    (r = check_tls_key(slot[0], 1, "data", err)) != ANC_OK)
		return r;
	if (slot[1] != NULL &&
	    (r = check_tls_key(slot[1], 0, "stringData", err)) != ANC_OK)
		return r;
	return ANC_OK;
}

static const struct {
	const char *kind;
	const char *api;
} k8s_kinds[] = {
	{ "Secret", "v1" },
	{ "ConfigMap", "v1" },
	{ "Bundle", "trust.cert-manager.io/v1alpha1" },
	{ "Issuer", "cert-manager.io/v1" },
	{ "ClusterIssuer", "cert-manager.io/v1" },
};

/* A Kubernetes object of an allowed kind; *kind names it. */
static int
check_object(yaml_document_t *doc, const yaml_node_t *root,
    const yaml_node_t *slot[2], const char **kind, struct anc_err *err)
{
	yaml_node_t *api = map_get(doc, root, "apiVersion");
	yaml_node_t *k = map_get(doc, root, "kind");
	char shown[64], shown_api[64];
	size_t i, n = sizeof(k8s_kinds) / sizeof(k8s_kinds[0]);

	if (root->type != YAML_MAPPING_NODE || api == NULL || k == NULL ||
	    api->type != YAML_SCALAR_NODE || k->type != YAML_SCALAR_NODE)
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: expected a "
		    "Kubernetes object with apiVersion and kind",
		    line_of(root));
	for (i = 0; i < n && !scalar_is(k, k8s_kinds[i].kind); i++)
		continue;
	scalar_text(k, shown, sizeof(shown));
	if (i == n)
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: kind %s, "
		    "expected Secret, ConfigMap, Bundle, Issuer or "
		    "ClusterIssuer", line_of(k), shown);
	if (!scalar_is(api, k8s_kinds[i].api)) {
		scalar_text(api, shown_api, sizeof(shown_api));
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: %s with "
		    "apiVersion %s, expected %s", line_of(api), shown,
		    shown_api, k8s_kinds[i].api);
	}
	*kind = k8s_kinds[i].kind;
	if (i == 0)
		return check_secret(doc, root, slot, err);
	return ANC_OK;
}

/* Every string but the allowed key slots is free of private keys. */
static int
scan_scalars(yaml_document_t *doc, const yaml_node_t *slot[2],
    struct anc_err *err)
{
	const yaml_node_t *n;

	for (n = doc->nodes.start; n < doc->nodes.top; n++) {
		if (n->type != YAML_SCALAR_NODE || n == slot[0] ||
		    n == slot[1])
			continue;
		if (holds_private_key(n->data.scalar.value,
		    n->data.scalar.length))
			return anc_err_set(err, ANC_E_VERIFY, "line %zu: a "
			    "private key, allowed only in tls.key of a "
			    "kubernetes.io/tls Secret", line_of(n));
	}
	return ANC_OK;
}

static int
check_document(yaml_document_t *doc, int manifest, const char **kind,
    struct anc_err *err)
{
	const yaml_node_t *root = yaml_document_get_root_node(doc);
	const yaml_node_t *slot[2] = { NULL, NULL };
	int r;

	if ((r = check_tree(doc, err)) != ANC_OK)
		return r;
	if (manifest)
		r = check_object(doc, root, slot, kind, err);
	else if (root->type != YAML_MAPPING_NODE)
		r = anc_err_set(err, ANC_E_VERIFY, "line %zu: expected a "
		    "mapping of Helm values", line_of(root));
	if (r != ANC_OK)
		return r;
	return scan_scalars(doc, slot, err);
}

/* manifests/ hold Kubernetes objects; helm-values-*.yaml a mapping. */
static int
check_yaml(const unsigned char *text, size_t len, int manifest,
    struct anc_verify_item *it, struct anc_err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	const char *kind = "Helm values";
	size_t ndocs = 0, off = 0;
	int loaded = 0, r = ANC_E_INTERNAL;

	if (!yaml_parser_initialize(&parser))
		return anc_err_set(err, ANC_E_NOMEM, "YAML");
	yaml_parser_set_input_string(&parser, text, len);
	it->detail[0] = '\0';
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			r = anc_err_set(err, ANC_E_VERIFY, "line %zu: not valid "
			    "YAML: %s", parser.problem_mark.line + 1,
			    parser.problem != NULL ? parser.problem : "error");
			goto out;
		}
		loaded = 1;
		if (yaml_document_get_root_node(&doc) == NULL)
			break;
		ndocs++;
		if ((r = check_document(&doc, manifest, &kind, err)) != ANC_OK)
			goto out;
		if (off < sizeof(it->detail))
			off += (size_t)snprintf(it->detail + off,
			    sizeof(it->detail) - off, "%s%s", ndocs > 1 ?
			    ", " : "", kind);
		yaml_document_delete(&doc);
		loaded = 0;
	}
	if (ndocs == 0) {
		r = anc_err_set(err, ANC_E_VERIFY, "no YAML document, expected "
		    "%s", manifest ? "Kubernetes objects" : "Helm values");
		goto out;
	}
	/* success */
	r = ANC_OK;
 out:
	if (loaded)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return r;
}

/* ---- one file ---- */

enum fkind { K_UNKNOWN, K_PEM, K_MANIFEST, K_HELM, K_TRANSCRIPT, K_README };

static const char *const kind_names[] = {
	"unknown", "pem", "manifest", "helm-values", "transcript", "readme"
};

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static enum fkind
kind_of(const char *name)
{
	const char *base;
	int sub;

	if (anc_outbox_name_split(name, &sub, &base) != 0)
		return K_UNKNOWN;
	if (sub)
		return ends_with(base, ".yaml") ? K_MANIFEST : K_UNKNOWN;
	if (ends_with(base, ".pem"))
		return K_PEM;
	if (strncmp(base, "helm-values-", 12) == 0 &&
	    ends_with(base + 11, ".yaml"))
		return K_HELM;
	if (strcmp(base, "transcript.jsonl") == 0)
		return K_TRANSCRIPT;
	if (strcmp(base, "README.txt") == 0 || ends_with(base, ".README.txt"))
		return K_README;
	return K_UNKNOWN;
}

static int
check_content(enum fkind k, const unsigned char *d, size_t n,
    struct anc_verify_item *it, struct anc_err *err)
{
	size_t lines = 0;
	int r;

	switch (k) {
	case K_PEM:
		return check_pem(d, n, it, err);
	case K_MANIFEST:
	case K_HELM:
		return check_yaml(d, n, k == K_MANIFEST, it, err);
	case K_TRANSCRIPT:
	case K_README:
		if ((r = check_text(d, n, &lines, err)) != ANC_OK)
			return r;
		snprintf(it->detail, sizeof(it->detail), "%zu %s", lines,
		    k == K_TRANSCRIPT ? "records" : "lines");
		return ANC_OK;
	case K_UNKNOWN:
	default:
		return anc_err_set(err, ANC_E_VERIFY, "not an allowed kind of "
		    "file, expected *.pem, %s/*.yaml, helm-values-*.yaml, "
		    "transcript.jsonl or README.txt", ANC_OUTBOX_SUBDIR);
	}
}

static const char *
presence_problem(enum presence p)
{
	switch (p) {
	case P_SYMLINK:
		return "a symbolic link, expected a regular file";
	case P_DIR:
		return "a directory, expected only " ANC_OUTBOX_SUBDIR "/";
	case P_OTHER:
		return "not a regular file (FIFO, socket or device)";
	case P_ABSENT:
		return "listed in " ANC_OUTBOX_SUMS " but missing";
	case P_REGULAR:
	default:
		return NULL;
	}
}

/* Fill `it` for one file; `sums_ok` is whether SHA256SUMS was usable. */
static void
check_file(const char *dir, const struct vfile *f, int sums_ok,
    struct anc_verify_item *it)
{
	enum fkind k = kind_of(f->name);
	unsigned char *data = NULL;
	char *path = NULL, got[ANC_SHA256_HEX];
	size_t len = 0;
	struct anc_err e;
	const char *why;

	anc_err_clear(&e);
	printable((const unsigned char *)f->name, strlen(f->name), it->file,
	    sizeof(it->file));
	snprintf(it->kind, sizeof(it->kind), "%s", kind_names[k]);
	it->ok = 0;
	if ((why = presence_problem(f->present)) != NULL) {
		snprintf(it->detail, sizeof(it->detail), "%s", why);
		goto out;
	}
	if (!f->listed) {
		snprintf(it->detail, sizeof(it->detail), "%s", sums_ok ?
		    "not listed in " ANC_OUTBOX_SUMS : "not checked: "
		    ANC_OUTBOX_SUMS " is unusable");
		goto out;
	}
	if (asprintf(&path, "%s/%s", dir, f->name) < 0) {
		path = NULL;
		snprintf(it->detail, sizeof(it->detail), "out of memory");
		goto out;
	}
	if (anc_file_read(path, ANC_OUTBOX_FILE_MAX, &data, &len, &e) !=
	    ANC_OK) {
		copy_msg(it->detail, sizeof(it->detail), e.msg);
		goto out;
	}
	anc_sha256_hex(data, len, got);
	if (strcmp(got, f->want) != 0) {
		snprintf(it->detail, sizeof(it->detail), "SHA-256 %s, but %s "
		    "line %zu lists %s", got, ANC_OUTBOX_SUMS, f->line,
		    f->want);
		goto out;
	}
	if (check_content(k, data, len, it, &e) != ANC_OK) {
		copy_msg(it->detail, sizeof(it->detail), e.msg);
		goto out;
	}
	it->ok = 1;
 out:
	/* The Secret manifest holds the issuing CA's key. */
	anc_freezero(data, len);
	free(path);
}

int
anc_outbox_verify(const char *dir, struct anc_verify_item **items,
    size_t *n, struct anc_err *err)
{
	struct vlist l = { NULL, 0, 0 };
	struct anc_verify_item *it = NULL;
	struct anc_err se;
	size_t i, nlisted = 0, first = SIZE_MAX;
	int dirfd = -1, sums, r = ANC_E_INTERNAL;

	*items = NULL;
	*n = 0;
	anc_err_clear(&se);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return anc_err_set(err, errno == ENOENT ? ANC_E_INPUT : ANC_E_IO,
		    "%s: cannot open the outbox: %s", dir, errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
	sums = read_sums(dir, &l, &se);
	if (sums != ANC_OK && sums != ANC_E_VERIFY) {
		r = anc_err_set(err, sums, "%s/%s: %s", dir, ANC_OUTBOX_SUMS,
		    se.msg);
		goto out;
	}
	if (sums != ANC_OK)
		l.n = 0;	/* a half-parsed list proves nothing */
	if ((r = walk(dirfd, dir, "", &l, err)) != ANC_OK)
		goto out;
	merge(&l);
	if ((it = calloc(l.n + 1, sizeof(*it))) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "%s", dir);
		goto out;
	}
	snprintf(it[0].file, sizeof(it[0].file), "%s", ANC_OUTBOX_SUMS);
	snprintf(it[0].kind, sizeof(it[0].kind), "checksums");
	it[0].ok = sums == ANC_OK;
	for (i = 0; i < l.n; i++)
		nlisted += l.v[i].listed;
	if (it[0].ok)
		snprintf(it[0].detail, sizeof(it[0].detail), "%zu files listed",
		    nlisted);
	else {
		copy_msg(it[0].detail, sizeof(it[0].detail), se.msg);
		first = 0;
	}
	for (i = 0; i < l.n; i++) {
		check_file(dir, &l.v[i], sums == ANC_OK, &it[i + 1]);
		if (!it[i + 1].ok && first == SIZE_MAX)
			first = i + 1;
	}
	if (first != SIZE_MAX)
		r = anc_err_set(err, ANC_E_VERIFY, "%s/%s: %s", dir,
		    it[first].file, it[first].detail);
	else
		r = ANC_OK;
	*items = it;
	*n = l.n + 1;
	it = NULL;	/* transferred */
 out:
	free(it);
	free(l.v);
	close(dirfd);
	return r;
}
