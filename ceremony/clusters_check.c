/*
 * anchorage: checking a cluster list as a whole; see anc_clusters_check in
 * clusters.h.  Each line is read as clusters.c reads it, then the list is
 * checked across lines: cluster names unique, no name within the step's
 * exclusions, no name shared by two clusters when the step forbids
 * overlap, and every csr= an existing regular file.  One small key per
 * name is kept while it runs; the batch steps then read the list again one
 * cluster at a time, so the run itself holds one cluster.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anchorage/buf.h"
#include "anchorage/err.h"
#include "clusters.h"
#include "clusters_int.h"
#include "constraints.h"

/*
 * The whole-list checks: a sorted key per name.  DNS names are keyed by
 * their labels from the top down, joined by '\1' (below every label
 * character), so that the names under a name follow it directly; CIDR
 * ranges by family, address and prefix, so that the ranges inside one
 * follow it.  A name nested in another of the same cluster is refused, so
 * the key right after a name is another cluster's whenever one overlaps.
 */
struct key {
	const char *k;		/* its bytes, in keys.bytes (keys_fix) */
	size_t off, klen;	/* where in keys.bytes, how many */
	size_t cluster;		/* index in the list */
	size_t pos;		/* 1-based in its field */
	int line;
	char type;		/* 'd', 'i', 'e', 'n' */
};

/* The keys' bytes are kept in one buffer, as long as each key is, not in
 * a name-sized buffer per key: a list of thousands of clusters is checked
 * in little more memory than the list itself. */
struct keys {
	struct key *v;
	size_t n, cap;
	struct anc_buf *bytes;	/* NULL until the first key */
};

/* Room for one key: a DNS name's (the reader takes none longer than
 * ANC_DNS_MAX), or an address range's. */
#define KEY_MAX (ANC_DNS_MAX + 40)

/* A new key of cluster c, at `pos` in its field (0: the cluster's name),
 * with a copy of its bytes.  0, or -1 when out of memory. */
static int
key_add(struct keys *ks, const struct anc_cluster *c, char type, size_t pos,
    const void *bytes, size_t len)
{
	struct key *k;

	if (ks->bytes == NULL && (ks->bytes = anc_buf_new(0)) == NULL)
		return -1;
	if ((k = anc_array_room(ks->v, ks->n + 1, &ks->cap, sizeof(*k),
	    256)) == NULL)
		return -1;
	ks->v = k;
	k = &ks->v[ks->n];
	memset(k, 0, sizeof(*k));
	k->off = anc_buf_len(ks->bytes);
	k->klen = len;
	k->cluster = c->index;
	k->pos = pos;
	k->line = c->line;
	k->type = type;
	if (anc_buf_append(ks->bytes, bytes, len) != ANC_OK)
		return -1;
	ks->n++;
	return 0;
}

/* Each key pointed at its bytes, once no more keys are added. */
static void
keys_fix(struct keys *ks)
{
	const char *b;
	size_t i;

	if (ks->bytes == NULL)
		return;
	b = anc_buf_str(ks->bytes);
	for (i = 0; i < ks->n; i++)
		ks->v[i].k = b + ks->v[i].off;
}

static void
keys_free(struct keys *ks)
{
	free(ks->v);
	anc_buf_free(ks->bytes);
}

static size_t
dns_key(char *w, const char *name)
{
	size_t n = strlen(name), end = n, i, o = 0;

	/* "a.b.c" -> "c\1b\1a" */
	while (end > 0) {
		for (i = end; i > 0 && name[i - 1] != '.'; i--)
			continue;
		if (o > 0)
			w[o++] = '\1';
		memcpy(w + o, name + i, end - i);
		o += end - i;
		end = i > 0 ? i - 1 : 0;
	}
	return o;
}

static size_t
ip_key(char *w, const struct anc_ip_range *r)
{
	w[0] = (char)r->len;
	memcpy(w + 1, r->addr, (size_t)r->len);
	w[1 + r->len] = (char)r->prefix;
	return (size_t)r->len + 2;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if ((c = memcmp(x->k, y->k, n)) != 0)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* Does b lie within a (a sorted before b)? */
static int
key_within(const struct key *a, const struct key *b)
{
	struct anc_ip_range r;
	int i, bits;

	if (a->type != b->type)
		return 0;
	if (a->type == 'e')
		return a->klen == b->klen && memcmp(a->k, b->k, a->klen) == 0;
	if (a->type == 'd')
		return b->klen >= a->klen && memcmp(a->k, b->k, a->klen) == 0 &&
		    (b->klen == a->klen || b->k[a->klen] == '\1');
	if (a->k[0] != b->k[0])
		return 0;
	r.len = a->k[0];
	r.prefix = (unsigned char)a->k[1 + r.len];
	memcpy(r.addr, a->k + 1, (size_t)r.len);
	for (i = 0; i < r.len; i++) {
		bits = r.prefix - i * 8;
		if (bits <= 0)
			break;
		if ((((unsigned char)b->k[1 + i] ^ r.addr[i]) &
		    (bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff)) != 0)
			return 0;
	}
	return 1;
}

static void
key_show(const struct key *k, char *buf, size_t cap)
{
	struct anc_ip_range r;
	size_t i, o = 0, end = k->klen, s;

	if (k->type == 'i') {
		r.len = k->k[0];
		memcpy(r.addr, k->k + 1, (size_t)r.len);
		r.prefix = (unsigned char)k->k[1 + r.len];
		anc_nc_format_ip(&r, buf, cap);
		return;
	}
	if (k->type == 'e') {
		snprintf(buf, cap, "%.*s", (int)k->klen, k->k);
		return;
	}
	/* Back from "c\1b\1a" to "a.b.c". */
	while (end > 0 && o + 1 < cap) {
		for (s = end; s > 0 && k->k[s - 1] != '\1'; s--)
			continue;
		for (i = s; i < end && o + 1 < cap; i++)
			buf[o++] = k->k[i];
		if (s > 0 && o + 1 < cap)
			buf[o++] = '.';
		end = s > 0 ? s - 1 : 0;
	}
	buf[o] = '\0';
}

static const char *
type_field(char t)
{
	return t == 'd' ? "dns" : t == 'i' ? "ip" : "email";
}

static int
keys_of(struct keys *ks, const struct anc_cluster *c)
{
	const struct anc_subtrees *p = &c->permitted;
	char w[KEY_MAX];
	size_t i;

	for (i = 0; i < p->n_dns; i++)
		if (key_add(ks, c, 'd', i + 1, w, dns_key(w, p->dns[i])) != 0)
			return -1;
	for (i = 0; i < p->n_ip; i++)
		if (key_add(ks, c, 'i', i + 1, w, ip_key(w, &p->ip[i])) != 0)
			return -1;
	for (i = 0; i < p->n_email; i++)
		if (key_add(ks, c, 'e', i + 1, p->email[i],
		    strlen(p->email[i])) != 0)
			return -1;
	return 0;
}

/* Names nested within the same cluster, which the overlap rule needs
 * ruled out (and which say nothing an outer name does not). */
static int
self_nested(const char *path, const struct anc_cluster *c,
    struct anc_err *err)
{
	struct anc_constraints one;
	struct anc_subtrees a, b;
	char what[256], field[32];
	size_t i, j;

	for (i = 0; i < c->permitted.n_dns; i++)
		for (j = 0; j < c->permitted.n_dns; j++) {
			if (i == j)
				continue;
			memset(&one, 0, sizeof(one));
			one.permitted.dns = &c->permitted.dns[i];
			one.permitted.n_dns = 1;
			one.excluded.dns = &c->permitted.dns[j];
			one.excluded.n_dns = 1;
			if (anc_nc_self_excluded(&one, what, sizeof(what))) {
				snprintf(field, sizeof(field), "dns[%zu]", i + 1);
				return anc_clusters_lerr(err, path, c->line,
				    c->index, field,
				    "%s is within dns[%zu] %s; expected names "
				    "not nested in each other",
				    c->permitted.dns[i], j + 1,
				    c->permitted.dns[j]);
			}
		}
	for (i = 0; i < c->permitted.n_ip; i++)
		for (j = i + 1; j < c->permitted.n_ip; j++) {
			memset(&a, 0, sizeof(a));
			memset(&b, 0, sizeof(b));
			a.ip = &c->permitted.ip[i];
			b.ip = &c->permitted.ip[j];
			a.n_ip = b.n_ip = 1;
			if (anc_subtrees_overlap(&a, &b, what, sizeof(what)))
				return anc_clusters_lerr(err, path, c->line,
				    c->index, "ip", "%s "
				    "within one cluster; expected ranges apart",
				    what);
		}
	return ANC_OK;
}

static int
check_csr(const char *path, const struct anc_cluster *c,
    const struct anc_clusters_rules *rules, struct anc_err *err)
{
	char file[4096 + 256];
	struct stat st;

	if (rules->csr < 0 && c->csr != NULL)
		return anc_clusters_lerr(err, path, c->line, c->index, "csr",
		    "given, expected "
		    "none: this step makes each cluster's issuing-CA key "
		    "itself");
	if (rules->csr > 0 && c->csr == NULL)
		return anc_clusters_lerr(err, path, c->line, c->index, "csr",
		    "missing; expected "
		    "csr=FILE, the cluster's certificate request");
	if (c->csr == NULL)
		return ANC_OK;
	if (anc_cluster_csr_path(rules->dir, c, file, sizeof(file)) != 0)
		return anc_clusters_lerr(err, path, c->line, c->index, "csr",
		    "path too long");
	if (stat(file, &st) != 0)
		return anc_clusters_lerr(err, path, c->line, c->index, "csr",
		    "%s: %s; expected "
		    "the cluster's certificate request", file, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return anc_clusters_lerr(err, path, c->line, c->index, "csr",
		    "%s: not a regular "
		    "file; expected the cluster's certificate request", file);
	return ANC_OK;
}

static int
check_overlaps(const char *path, struct keys *ks, struct anc_err *err)
{
	const struct key *a, *b;
	char x[ANC_DNS_MAX + 1], y[ANC_DNS_MAX + 1], field[32];
	size_t i;

	keys_fix(ks);
	qsort(ks->v, ks->n, sizeof(ks->v[0]), key_cmp);
	for (i = 0; i + 1 < ks->n; i++) {
		a = &ks->v[i];
		b = &ks->v[i + 1];
		if (a->cluster == b->cluster || !key_within(a, b))
			continue;
		/* Reported at the later line of the two. */
		if (b->line < a->line) {
			a = &ks->v[i + 1];
			b = &ks->v[i];
		}
		key_show(b, x, sizeof(x));
		key_show(a, y, sizeof(y));
		snprintf(field, sizeof(field), "%s[%zu]", type_field(b->type),
		    b->pos);
		return anc_clusters_lerr(err, path, b->line, b->cluster, field,
		    "%s overlaps %s "
		    "of clusters[%zu] (line %d); expected each name in one "
		    "cluster only (the step's overlap: forbid)", x, y,
		    a->cluster, a->line);
	}
	return ANC_OK;
}

int
anc_clusters_check(const char *path, const unsigned char *data, size_t len,
    const struct anc_clusters_rules *rules, size_t *count,
    struct anc_err *err)
{
	struct anc_clusters_reader rd;
	struct anc_cluster c;
	struct anc_constraints nc;
	struct keys names = { 0 }, ks = { 0 };
	struct key *k;
	char what[256];
	size_t i;
	int r;

	memset(&c, 0, sizeof(c));
	anc_clusters_begin(&rd, path, data, len);
	while ((r = anc_clusters_next(&rd, &c, err)) == 1) {
		/* Cluster names, as keys of their own kind. */
		if (key_add(&names, &c, 'n', 0, c.name, strlen(c.name)) != 0) {
			r = anc_err_set(err, ANC_E_NOMEM, "%s", path);
			goto out;
		}
		if ((r = self_nested(path, &c, err)) != ANC_OK ||
		    (r = check_csr(path, &c, rules, err)) != ANC_OK)
			goto out;
		if (rules->excluded != NULL) {
			memset(&nc, 0, sizeof(nc));
			nc.permitted = c.permitted;
			nc.excluded = *rules->excluded;
			if (anc_nc_self_excluded(&nc, what, sizeof(what))) {
				r = anc_clusters_lerr(err, path, c.line,
				    c.index, NULL, "%s of the "
				    "step's name-constraints; expected names "
				    "the cluster can use", what);
				goto out;
			}
		}
		if (rules->forbid_overlap && keys_of(&ks, &c) != 0) {
			r = anc_err_set(err, ANC_E_NOMEM, "%s", path);
			goto out;
		}
	}
	if (r != 0)
		goto out;
	if (rd.index == 0) {
		r = anc_clusters_lerr(err, path, rd.line, 0, NULL,
		    "no clusters; expected one "
		    "line per cluster after \"%s\"", ANC_CLUSTERS_HEADER);
		goto out;
	}
	keys_fix(&names);
	qsort(names.v, names.n, sizeof(names.v[0]), key_cmp);
	for (i = 0; i + 1 < names.n; i++)
		if (key_cmp(&names.v[i], &names.v[i + 1]) == 0) {
			k = names.v[i].line > names.v[i + 1].line ?
			    &names.v[i] : &names.v[i + 1];
			r = anc_clusters_lerr(err, path, k->line, k->cluster,
			    "name", "duplicate "
			    "cluster \"%.*s\", already on line %d; expected "
			    "each cluster once", (int)k->klen, k->k, k ==
			    &names.v[i] ? names.v[i + 1].line :
			    names.v[i].line);
			goto out;
		}
	if (rules->forbid_overlap &&
	    (r = check_overlaps(path, &ks, err)) != ANC_OK)
		goto out;
	*count = rd.index;
	/* success */
	r = ANC_OK;
 out:
	anc_cluster_clear(&c);
	keys_free(&names);
	keys_free(&ks);
	return r;
}
