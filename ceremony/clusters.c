/*
 * anchorage: reading the cluster list; see clusters.h and docs/fleet.md.
 * One pass over the bytes in memory, one line and one cluster at a time:
 * the version line, then each cluster's name, namespace, names and CSR
 * path, each field checked on its own line.  Checking the list as a whole
 * (duplicates, overlaps, exclusions, CSR files) is clusters_check.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "clusters.h"
#include "clusters_int.h"
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
int
anc_clusters_lerr(struct anc_err *err, const char *path, int line,
    size_t index, const char *field, const char *fmt, ...)
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
			return anc_clusters_lerr(err, rd->path, rd->line,
			    c->index, field, "%s", why);
		for (i = 0; i < t->n_ip; i++)
			if (memcmp(&t->ip[i], &r, sizeof(r)) == 0)
				return anc_clusters_lerr(err, rd->path,
				    rd->line, c->index, field,
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
		return anc_clusters_lerr(err, rd->path, rd->line, c->index,
		    field, "%s", why);
	for (i = 0; i < *cnt; i++)
		if (strlen((*v)[i]) == n && memcmp((*v)[i], s, n) == 0)
			return anc_clusters_lerr(err, rd->path, rd->line,
			    c->index, field,
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
	return anc_clusters_lerr(err, rd->path, rd->line, c->index, field,
	    "more than %d items",
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
		return anc_clusters_lerr(err, rd->path, rd->line, c->index,
		    NULL, "unknown field "
		    "\"%.*s\"; expected dns=, ip=, email= or csr=",
		    (int)(klen > 40 ? 40 : klen), t);
	if ((*seen & (1u << k)) != 0)
		return anc_clusters_lerr(err, rd->path, rd->line, c->index,
		    keys[k], "given "
		    "twice; expected each field once");
	*seen |= 1u << k;
	v = eq + 1;
	if (v == end)
		return anc_clusters_lerr(err, rd->path, rd->line, c->index,
		    keys[k], "empty; "
		    "expected a value after \"%s=\"", keys[k]);
	if (k == 3) {
		if (n - 4 > 4095)
			return anc_clusters_lerr(err, rd->path, rd->line,
			    c->index, "csr",
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
		return anc_clusters_lerr(err, rd->path, rd->line, 0, NULL,
		    "more than %d "
		    "clusters; expected at most %d in one list",
		    ANC_CLUSTERS_MAX, ANC_CLUSTERS_MAX);
	c->index = ++rd->index;
	c->line = rd->line;
	(void)token(&p, end, &t, &n);
	if (!label_ok(t, n))
		return anc_clusters_lerr(err, rd->path, rd->line, c->index,
		    "name", "\"%.*s\": "
		    "expected a cluster name of 1 to 63 lowercase letters, "
		    "digits and '-', not starting or ending with '-'",
		    (int)(n > 63 ? 63 : n), t);
	memcpy(c->name, t, n);
	if (!token(&p, end, &t, &n))
		return anc_clusters_lerr(err, rd->path, rd->line, c->index,
		    "namespace",
		    "missing; expected the cluster's name, its namespace, then "
		    "dns=, ip=, email= and csr=");
	if (!label_ok(t, n))
		return anc_clusters_lerr(err, rd->path, rd->line, c->index,
		    "namespace",
		    "\"%.*s\": expected a Kubernetes namespace of 1 to 63 "
		    "lowercase letters, digits and '-'",
		    (int)(n > 63 ? 63 : n), t);
	memcpy(c->ns, t, n);
	while (token(&p, end, &t, &n))
		if ((r = field(rd, c, t, n, &seen, err)) != ANC_OK)
			return r;
	if ((seen & 7u) == 0)
		return anc_clusters_lerr(err, rd->path, rd->line, c->index,
		    NULL, "no names; "
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
			return anc_clusters_lerr(err, rd->path, rd->line, 0,
			    NULL, "a line of %zu "
			    "bytes; expected at most %d", len,
			    ANC_CLUSTERS_LINE_MAX);
		if (!printable(line, len))
			return anc_clusters_lerr(err, rd->path, rd->line, 0,
			    NULL, "a control or "
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
				return anc_clusters_lerr(err, rd->path,
				    rd->line, 0, NULL,
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
		return anc_clusters_lerr(err, rd->path,
		    rd->line > 0 ? rd->line : 1, 0, NULL,
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
