/*
 * anchorage: the cluster list; see clusters.h and docs/fleet.md.
 *
 * Checking the whole list (duplicates, overlaps) keeps one small key per
 * name while it runs; the batch steps then read the list again one
 * cluster at a time, so the run itself holds one cluster.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anchorage/err.h"
#include "clusters.h"
#include "constraints.h"

void
anc_clusters_begin(struct anc_clusters_reader *rd, const char *path,
    const unsigned char *data, size_t len)
{
	memset(rd, 0, sizeof(*rd));
	rd->path = path;
	rd->data = (const char *)data;
	rd->len = len;
}

void
anc_cluster_clear(struct anc_cluster *c)
{
	anc_subtrees_free(&c->permitted);
	free(c->csr);
	memset(c, 0, sizeof(*c));
}

/* "PATH:LINE: clusters[N].FIELD: ..." (FIELD NULL: the line itself). */
static int
lerr(struct anc_err *err, const char *path, int line, size_t index,
    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int
lerr(struct anc_err *err, const char *path, int line, size_t index,
    const char *field, const char *fmt, ...)
{
	char what[ANC_ERR_MSG_MAX / 2], where[96] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (index > 0)
		snprintf(where, sizeof(where), " clusters[%zu]%s%s:", index,
		    field != NULL ? "." : "", field != NULL ? field : "");
	return anc_err_set(err, ANC_E_INPUT, "%s:%d:%s %s", path, line, where,
	    what);
}

/* A DNS label: the cluster name, and a Kubernetes namespace. */
static int
label_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

static int
printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return 0;
		else if ((unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The next token of [*p, end): *tok and *n, or 0 when none is left. */
static int
token(const char **p, const char *end, const char **tok, size_t *n)
{
	while (*p < end && is_space(**p))
		(*p)++;
	if (*p == end)
		return 0;
	*tok = *p;
	while (*p < end && !is_space(**p))
		(*p)++;
	*n = (size_t)(*p - *tok);
	return 1;
}

/* Append one item of a dns=, ip= or email= list. */
static int
add_item(struct anc_clusters_reader *rd, struct anc_cluster *c, char key,
    const char *s, size_t n, size_t pos, struct anc_err *err)
{
	const char *what = key == 'd' ? "dns" : key == 'i' ? "ip" : "email";
	struct anc_subtrees *t = &c->permitted;
	char field[32], *copy, **nv;
	struct anc_ip_range r, *ni;
	const char *why;
	size_t i, *cnt = key == 'd' ? &t->n_dns : &t->n_email;
	char ***v = key == 'd' ? &t->dns : &t->email;

	snprintf(field, sizeof(field), "%s[%zu]", what, pos);
	if (key == 'i') {
		if ((why = anc_nc_parse_ip(s, n, &r)) != NULL)
			return lerr(err, rd->path, rd->line, c->index, field, "%s",
			    why);
		for (i = 0; i < t->n_ip; i++)
			if (memcmp(&t->ip[i], &r, sizeof(r)) == 0)
				return lerr(err, rd->path, rd->line, c->index, field,
				    "the range is already ip[%zu]", i + 1);
		if (t->n_ip == ANC_NC_MAX)
			goto full;
		if ((ni = realloc(t->ip, (t->n_ip + 1) * sizeof(*ni))) == NULL)
			return anc_err_set(err, ANC_E_NOMEM, "%s", rd->path);
		t->ip = ni;
		ni[t->n_ip++] = r;
		return ANC_OK;
	}
	if ((why = anc_nc_check_dns(s, n)) != NULL)
		return lerr(err, rd->path, rd->line, c->index, field, "%s", why);
	for (i = 0; i < *cnt; i++)
		if (strlen((*v)[i]) == n && memcmp((*v)[i], s, n) == 0)
			return lerr(err, rd->path, rd->line, c->index, field,
			    "\"%.*s\" is already %s[%zu]", (int)n, s, what,
			    i + 1);
	if (*cnt == ANC_NC_MAX)
		goto full;
	if ((copy = strndup(s, n)) == NULL ||
	    (nv = realloc(*v, (*cnt + 1) * sizeof(*nv))) == NULL) {
		free(copy);
		return anc_err_set(err, ANC_E_NOMEM, "%s", rd->path);
	}
	*v = nv;
	nv[(*cnt)++] = copy;
	return ANC_OK;
 full:
	return lerr(err, rd->path, rd->line, c->index, field, "more than %d items",
	    ANC_NC_MAX);
}

/* key=value, one of dns, ip, email (comma lists) and csr. */
static int
field(struct anc_clusters_reader *rd, struct anc_cluster *c, const char *t,
    size_t n, unsigned *seen, struct anc_err *err)
{
	static const char *const keys[] = { "dns", "ip", "email", "csr" };
	const char *eq = memchr(t, '=', n), *v, *end = t + n, *comma;
	size_t k, klen, pos;
	int r;

	klen = eq != NULL ? (size_t)(eq - t) : n;
	for (k = 0; k < 4; k++)
		if (strlen(keys[k]) == klen && memcmp(keys[k], t, klen) == 0)
			break;
	if (eq == NULL || k == 4)
		return lerr(err, rd->path, rd->line, c->index, NULL, "unknown field "
		    "\"%.*s\"; expected dns=, ip=, email= or csr=",
		    (int)(klen > 40 ? 40 : klen), t);
	if ((*seen & (1u << k)) != 0)
		return lerr(err, rd->path, rd->line, c->index, keys[k], "given "
		    "twice; expected each field once");
	*seen |= 1u << k;
	v = eq + 1;
	if (v == end)
		return lerr(err, rd->path, rd->line, c->index, keys[k], "empty; "
		    "expected a value after \"%s=\"", keys[k]);
	if (k == 3) {
		if (n - 4 > 4095)
			return lerr(err, rd->path, rd->line, c->index, "csr",
			    "longer than 4095 bytes");
		if ((c->csr = strndup(v, (size_t)(end - v))) == NULL)
			return anc_err_set(err, ANC_E_NOMEM, "%s", rd->path);
		return ANC_OK;
	}
	for (pos = 1; v <= end; pos++) {
		if ((comma = memchr(v, ',', (size_t)(end - v))) == NULL)
			comma = end;
		if ((r = add_item(rd, c, keys[k][0], v, (size_t)(comma - v),
		    pos, err)) != ANC_OK)
			return r;
		v = comma + 1;
	}
	return ANC_OK;
}

static int
cluster_line(struct anc_clusters_reader *rd, const char *p, const char *end,
    struct anc_cluster *c, struct anc_err *err)
{
	const char *t;
	unsigned seen = 0;
	size_t n;
	int r;

	if (rd->index == ANC_CLUSTERS_MAX)
		return lerr(err, rd->path, rd->line, 0, NULL, "more than %d "
		    "clusters; expected at most %d in one list",
		    ANC_CLUSTERS_MAX, ANC_CLUSTERS_MAX);
	c->index = ++rd->index;
	c->line = rd->line;
	(void)token(&p, end, &t, &n);
	if (!label_ok(t, n))
		return lerr(err, rd->path, rd->line, c->index, "name", "\"%.*s\": "
		    "expected a cluster name of 1 to 63 lowercase letters, "
		    "digits and '-', not starting or ending with '-'",
		    (int)(n > 63 ? 63 : n), t);
	memcpy(c->name, t, n);
	if (!token(&p, end, &t, &n))
		return lerr(err, rd->path, rd->line, c->index, "namespace",
		    "missing; expected the cluster's name, its namespace, then "
		    "dns=, ip=, email= and csr=");
	if (!label_ok(t, n))
		return lerr(err, rd->path, rd->line, c->index, "namespace",
		    "\"%.*s\": expected a Kubernetes namespace of 1 to 63 "
		    "lowercase letters, digits and '-'",
		    (int)(n > 63 ? 63 : n), t);
	memcpy(c->ns, t, n);
	while (token(&p, end, &t, &n))
		if ((r = field(rd, c, t, n, &seen, err)) != ANC_OK)
			return r;
	if ((seen & 7u) == 0)
		return lerr(err, rd->path, rd->line, c->index, NULL, "no names; "
		    "expected at least one of dns=, ip=, email= (an issuing CA "
		    "without name constraints could certify any name)");
	return ANC_OK;
}

int
anc_clusters_next(struct anc_clusters_reader *rd, struct anc_cluster *c,
    struct anc_err *err)
{
	const char *line, *nl, *p, *end;
	size_t len;
	int r;

	anc_cluster_clear(c);
	while (rd->off < rd->len) {
		line = rd->data + rd->off;
		nl = memchr(line, '\n', rd->len - rd->off);
		len = nl != NULL ? (size_t)(nl - line) : rd->len - rd->off;
		rd->off += len + (nl != NULL);
		rd->line++;
		if (len > ANC_CLUSTERS_LINE_MAX)
			return lerr(err, rd->path, rd->line, 0, NULL, "a line of %zu "
			    "bytes; expected at most %d", len,
			    ANC_CLUSTERS_LINE_MAX);
		if (!printable(line, len))
			return lerr(err, rd->path, rd->line, 0, NULL, "a control or "
			    "non-ASCII character; expected printable ASCII, "
			    "spaces and tabs");
		p = line;
		end = line + len;
		while (p < end && is_space(*p))
			p++;
		if (p == end || *p == '#')
			continue;
		if (!rd->header) {
			while (end > p && is_space(end[-1]))
				end--;
			if ((size_t)(end - p) != strlen(ANC_CLUSTERS_HEADER) ||
			    memcmp(p, ANC_CLUSTERS_HEADER, (size_t)(end - p)) !=
			    0)
				return lerr(err, rd->path, rd->line, 0, NULL,
				    "expected the first line to be \"%s\"",
				    ANC_CLUSTERS_HEADER);
			rd->header = 1;
			continue;
		}
		if ((r = cluster_line(rd, p, end, c, err)) != ANC_OK) {
			anc_cluster_clear(c);
			return r;
		}
		return 1;
	}
	if (!rd->header)
		return lerr(err, rd->path, rd->line > 0 ? rd->line : 1, 0, NULL,
		    "empty; expected \"%s\" and one line per cluster",
		    ANC_CLUSTERS_HEADER);
	return 0;
}

int
anc_cluster_csr_path(const char *dir, const struct anc_cluster *c,
    char *buf, size_t cap)
{
	int w;

	if (c->csr == NULL)
		return -1;
	w = c->csr[0] == '/' ? snprintf(buf, cap, "%s", c->csr) :
	    snprintf(buf, cap, "%s/%s", dir, c->csr);
	return w > 0 && (size_t)w < cap ? 0 : -1;
}

/*
 * The whole-list checks: a sorted key per name.  DNS names are keyed by
 * their labels from the top down, joined by '\1' (below every label
 * character), so that the names under a name follow it directly; CIDR
 * ranges by family, address and prefix, so that the ranges inside one
 * follow it.  A name nested in another of the same cluster is refused, so
 * the key right after a name is another cluster's whenever one overlaps.
 */
struct key {
	char type;		/* 'd', 'i', 'e' */
	char k[ANC_DNS_MAX + 40];
	size_t klen;
	size_t cluster;		/* index in the list */
	int line;
	size_t pos;		/* 1-based in its field */
};

struct keys {
	struct key *v;
	size_t n, cap;
};

static struct key *
key_add(struct keys *ks)
{
	struct key *nv;

	if (ks->n == ks->cap) {
		ks->cap = ks->cap == 0 ? 256 : ks->cap * 2;
		if ((nv = realloc(ks->v, ks->cap * sizeof(*nv))) == NULL)
			return NULL;
		ks->v = nv;
	}
	memset(&ks->v[ks->n], 0, sizeof(ks->v[0]));
	return &ks->v[ks->n++];
}

static void
dns_key(struct key *k, const char *name)
{
	size_t n = strlen(name), end = n, i, o = 0;

	/* "a.b.c" -> "c\1b\1a" */
	while (end > 0) {
		for (i = end; i > 0 && name[i - 1] != '.'; i--)
			continue;
		if (o > 0)
			k->k[o++] = '\1';
		memcpy(k->k + o, name + i, end - i);
		o += end - i;
		end = i > 0 ? i - 1 : 0;
	}
	k->klen = o;
}

static void
ip_key(struct key *k, const struct anc_ip_range *r)
{
	k->k[0] = (char)r->len;
	memcpy(k->k + 1, r->addr, (size_t)r->len);
	k->k[1 + r->len] = (char)r->prefix;
	k->klen = (size_t)r->len + 2;
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
	struct key *k;
	size_t i;

	for (i = 0; i < c->permitted.n_dns; i++) {
		if ((k = key_add(ks)) == NULL)
			return -1;
		k->type = 'd';
		dns_key(k, c->permitted.dns[i]);
		k->cluster = c->index;
		k->line = c->line;
		k->pos = i + 1;
	}
	for (i = 0; i < c->permitted.n_ip; i++) {
		if ((k = key_add(ks)) == NULL)
			return -1;
		k->type = 'i';
		ip_key(k, &c->permitted.ip[i]);
		k->cluster = c->index;
		k->line = c->line;
		k->pos = i + 1;
	}
	for (i = 0; i < c->permitted.n_email; i++) {
		if ((k = key_add(ks)) == NULL)
			return -1;
		k->type = 'e';
		k->klen = strlen(c->permitted.email[i]);
		memcpy(k->k, c->permitted.email[i], k->klen);
		k->cluster = c->index;
		k->line = c->line;
		k->pos = i + 1;
	}
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
				return lerr(err, path, c->line, c->index, field,
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
				return lerr(err, path, c->line, c->index, "ip", "%s "
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
		return lerr(err, path, c->line, c->index, "csr", "given, expected "
		    "none: this step makes each cluster's issuing-CA key "
		    "itself");
	if (rules->csr > 0 && c->csr == NULL)
		return lerr(err, path, c->line, c->index, "csr", "missing; expected "
		    "csr=FILE, the cluster's certificate request");
	if (c->csr == NULL)
		return ANC_OK;
	if (anc_cluster_csr_path(rules->dir, c, file, sizeof(file)) != 0)
		return lerr(err, path, c->line, c->index, "csr", "path too long");
	if (stat(file, &st) != 0)
		return lerr(err, path, c->line, c->index, "csr", "%s: %s; expected "
		    "the cluster's certificate request", file, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return lerr(err, path, c->line, c->index, "csr", "%s: not a regular "
		    "file; expected the cluster's certificate request", file);
	return ANC_OK;
}

static int
check_overlaps(const char *path, struct keys *ks, struct anc_err *err)
{
	const struct key *a, *b;
	char x[ANC_DNS_MAX + 1], y[ANC_DNS_MAX + 1], field[32];
	size_t i;

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
		return lerr(err, path, b->line, b->cluster, field, "%s overlaps %s "
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
		if ((k = key_add(&names)) == NULL) {
			r = anc_err_set(err, ANC_E_NOMEM, "%s", path);
			goto out;
		}
		k->type = 'n';
		k->klen = strlen(c.name);
		memcpy(k->k, c.name, k->klen);
		k->cluster = c.index;
		k->line = c.line;
		if ((r = self_nested(path, &c, err)) != ANC_OK ||
		    (r = check_csr(path, &c, rules, err)) != ANC_OK)
			goto out;
		if (rules->excluded != NULL) {
			memset(&nc, 0, sizeof(nc));
			nc.permitted = c.permitted;
			nc.excluded = *rules->excluded;
			if (anc_nc_self_excluded(&nc, what, sizeof(what))) {
				r = lerr(err, path, c.line, c.index, NULL, "%s of the "
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
		r = lerr(err, path, rd.line, 0, NULL, "no clusters; expected one "
		    "line per cluster after \"%s\"", ANC_CLUSTERS_HEADER);
		goto out;
	}
	qsort(names.v, names.n, sizeof(names.v[0]), key_cmp);
	for (i = 0; i + 1 < names.n; i++)
		if (key_cmp(&names.v[i], &names.v[i + 1]) == 0) {
			k = names.v[i].line > names.v[i + 1].line ?
			    &names.v[i] : &names.v[i + 1];
			r = lerr(err, path, k->line, k->cluster, "name", "duplicate "
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
	free(names.v);
	free(ks.v);
	return r;
}
