/*
 * anchorage: name constraints and EKU limits of issuing CAs, the script's
 * side; see constraints.h.  The text forms a script writes (DNS names,
 * CIDR ranges, EKU names) are read and checked here, and the model they
 * fill (permitted and excluded subtrees) is copied, freed and compared:
 * whether two sets share a name, and whether a permitted subtree lies
 * within an excluded one.  Building the extensions is constraints_ext.c;
 * proving them with throwaway leaves is constraints_proof.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "anchorage/err.h"
#include "constraints.h"
#include "constraints_int.h"

static const struct {
	const char *name;
	int nid;
} ekus[ANC_EKU__COUNT] = {
	{ "server-auth", NID_server_auth },
	{ "client-auth", NID_client_auth },
	{ "code-signing", NID_code_sign },
	{ "email-protection", NID_email_protect },
	{ "time-stamping", NID_time_stamp },
	{ "ocsp-signing", NID_OCSP_sign },
};

const char *
anc_eku_name(enum anc_eku e)
{
	return (unsigned)e < ANC_EKU__COUNT ? ekus[e].name : "unknown";
}

int
anc_eku_nid(enum anc_eku e)
{
	return (unsigned)e < ANC_EKU__COUNT ? ekus[e].nid : NID_undef;
}

/*
 * Text forms
 */

static int
label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

const char *
anc_nc_check_dns(const char *s, size_t len)
{
	static const char *const want = "expected a lowercase DNS name such "
	    "as prod-eu-1.example.com (labels of 1 to 63 letters, digits and "
	    "'-', not starting or ending with '-', at most 253 characters, "
	    "no leading dot or wildcard)";
	size_t i, start = 0;

	if (len < 1 || len > ANC_DNS_MAX)
		return want;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!label_char(s[i]))
				return want;
			continue;
		}
		if (i == start || i - start > 63 || s[start] == '-' ||
		    s[i - 1] == '-')
			return want;
		start = i + 1;
	}
	/* The last label, the top-level domain. */
	for (i = len; i > 0 && s[i - 1] != '.'; i--)
		continue;
	if (strlen(ANC_NC_OUTSIDE_TLD) == len - i &&
	    memcmp(s + i, ANC_NC_OUTSIDE_TLD, len - i) == 0)
		return "names under the reserved top-level domain \"invalid\" "
		    "cannot be constrained: the proof uses it for names "
		    "outside every constraint";
	return NULL;
}

const char *
anc_nc_parse_ip(const char *s, size_t len, struct anc_ip_range *out)
{
	char buf[64], *slash, *end;
	unsigned long prefix;
	int i, bits;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len >= sizeof(buf))
		goto bad;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) == NULL)
		return "expected an address range with a prefix length, such as "
		    "10.1.0.0/16 or fd00:1::/48";
	*slash = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->len = 4;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->len = 16;
	else
		goto bad;
	if (slash[1] < '1' || slash[1] > '9')
		goto bad_prefix;
	prefix = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || prefix < 1 || prefix > (unsigned long)out->len * 8)
		goto bad_prefix;
	out->prefix = (int)prefix;
	for (i = 0; i < out->len; i++) {
		bits = out->prefix - i * 8;
		if (bits >= 8)
			continue;
		if ((out->addr[i] & (bits <= 0 ? 0xff : 0xff >> bits)) != 0)
			return "host bits are set; expected the network address "
			    "of the range (e.g. 10.1.0.0/16, not 10.1.2.3/16)";
	}
	return NULL;
 bad_prefix:
	return out->len == 4 ? "expected a prefix length from 1 to 32" :
	    "expected a prefix length from 1 to 128";
 bad:
	return "expected an IPv4 or IPv6 range such as 10.1.0.0/16 or "
	    "fd00:1::/48";
}

void
anc_nc_format_ip(const struct anc_ip_range *r, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(r->len == 4 ? AF_INET : AF_INET6, r->addr, a,
	    sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, cap, "%s/%d", a, r->prefix);
}

/*
 * Model
 */

int
anc_subtrees_empty(const struct anc_subtrees *t)
{
	return t->n_dns == 0 && t->n_ip == 0 && t->n_email == 0;
}

int
anc_nc_empty(const struct anc_constraints *nc)
{
	return anc_subtrees_empty(&nc->permitted) &&
	    anc_subtrees_empty(&nc->excluded);
}

static void
names_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
anc_subtrees_free(struct anc_subtrees *t)
{
	names_free(t->dns, t->n_dns);
	names_free(t->email, t->n_email);
	free(t->ip);
	memset(t, 0, sizeof(*t));
}

void
anc_nc_free(struct anc_constraints *nc)
{
	anc_subtrees_free(&nc->permitted);
	anc_subtrees_free(&nc->excluded);
}

static int
names_copy(char ***dst, char *const *src, size_t n)
{
	size_t i;

	*dst = NULL;
	if (n == 0)
		return 0;
	if ((*dst = calloc(n, sizeof(**dst))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (((*dst)[i] = strdup(src[i])) == NULL)
			return -1;
	return 0;
}

int
anc_subtrees_copy(struct anc_subtrees *dst, const struct anc_subtrees *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->n_dns = src->n_dns;
	dst->n_email = src->n_email;
	if (names_copy(&dst->dns, src->dns, src->n_dns) != 0 ||
	    names_copy(&dst->email, src->email, src->n_email) != 0)
		goto fail;
	if (src->n_ip > 0) {
		if ((dst->ip = malloc(src->n_ip * sizeof(*dst->ip))) == NULL)
			goto fail;
		memcpy(dst->ip, src->ip, src->n_ip * sizeof(*dst->ip));
		dst->n_ip = src->n_ip;
	}
	return ANC_OK;
 fail:
	anc_subtrees_free(dst);
	return ANC_E_NOMEM;
}

/* `name` equals `base` or is under it (RFC 5280: labels added on the left). */
int
anc_nc_dns_within(const char *name, const char *base)
{
	size_t n = strlen(name), b = strlen(base);

	if (n == b)
		return strcmp(name, base) == 0;
	return n > b && name[n - b - 1] == '.' &&
	    strcmp(name + n - b, base) == 0;
}

int
anc_nc_ip_within(const unsigned char *addr, int len,
    const struct anc_ip_range *r)
{
	int i, bits;

	if (len != r->len)
		return 0;
	for (i = 0; i < len; i++) {
		bits = r->prefix - i * 8;
		if (bits <= 0)
			break;
		if (((addr[i] ^ r->addr[i]) &
		    (bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff)) != 0)
			return 0;
	}
	return 1;
}

int
anc_subtrees_overlap(const struct anc_subtrees *a,
    const struct anc_subtrees *b, char *what, size_t cap)
{
	char x[64], y[64];
	size_t i, j;

	for (i = 0; i < a->n_dns; i++)
		for (j = 0; j < b->n_dns; j++)
			if (anc_nc_dns_within(a->dns[i], b->dns[j]) ||
			    anc_nc_dns_within(b->dns[j], a->dns[i])) {
				snprintf(what, cap, "DNS name %s overlaps %s",
				    a->dns[i], b->dns[j]);
				return 1;
			}
	for (i = 0; i < a->n_email; i++)
		for (j = 0; j < b->n_email; j++)
			if (strcmp(a->email[i], b->email[j]) == 0) {
				snprintf(what, cap, "e-mail domain %s is "
				    "also %s", a->email[i], b->email[j]);
				return 1;
			}
	for (i = 0; i < a->n_ip; i++)
		for (j = 0; j < b->n_ip; j++)
			/* CIDR ranges are nested or apart: they meet iff
			 * one holds the other's network address. */
			if (anc_nc_ip_within(a->ip[i].addr, a->ip[i].len,
			    &b->ip[j]) ||
			    anc_nc_ip_within(b->ip[j].addr, b->ip[j].len,
			        &a->ip[i])) {
				anc_nc_format_ip(&a->ip[i], x, sizeof(x));
				anc_nc_format_ip(&b->ip[j], y, sizeof(y));
				snprintf(what, cap, "IP range %s overlaps %s", x,
				    y);
				return 1;
			}
	return 0;
}

int
anc_nc_self_excluded(const struct anc_constraints *nc, char *what,
    size_t cap)
{
	const struct anc_subtrees *p = &nc->permitted, *e = &nc->excluded;
	char x[64], y[64];
	size_t i, j;

	for (i = 0; i < p->n_dns; i++)
		for (j = 0; j < e->n_dns; j++)
			if (anc_nc_dns_within(p->dns[i], e->dns[j])) {
				snprintf(what, cap, "permitted DNS name %s is "
				    "within excluded %s", p->dns[i], e->dns[j]);
				return 1;
			}
	for (i = 0; i < p->n_email; i++)
		for (j = 0; j < e->n_email; j++)
			if (strcmp(p->email[i], e->email[j]) == 0) {
				snprintf(what, cap, "permitted e-mail domain %s "
				    "is also excluded", p->email[i]);
				return 1;
			}
	for (i = 0; i < p->n_ip; i++)
		for (j = 0; j < e->n_ip; j++)
			if (p->ip[i].prefix >= e->ip[j].prefix &&
			    anc_nc_ip_within(p->ip[i].addr, p->ip[i].len,
			        &e->ip[j])) {
				anc_nc_format_ip(&p->ip[i], x, sizeof(x));
				anc_nc_format_ip(&e->ip[j], y, sizeof(y));
				snprintf(what, cap, "permitted IP range %s is "
				    "within excluded %s", x, y);
				return 1;
			}
	return 0;
}
