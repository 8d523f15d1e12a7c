/*
 * anchorage: name constraints and EKU limits of issuing CAs; see
 * constraints.h.  The extension is built from the spec alone and linted
 * by comparing DER, so what the reviewers approved is what is signed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "constraints.h"
#include "profile.h"

/* The reserved top-level domain (RFC 6761) the proof's outside names use;
 * a constraint on it would make the proof meaningless. */
#define OUTSIDE_TLD	"invalid"
#define PROBE		"nc-proof"

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
	if (strlen(OUTSIDE_TLD) == len - i &&
	    memcmp(s + i, OUTSIDE_TLD, len - i) == 0)
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

static int
subtrees_empty(const struct anc_subtrees *t)
{
	return t->n_dns == 0 && t->n_ip == 0 && t->n_email == 0;
}

int
anc_nc_empty(const struct anc_constraints *nc)
{
	return subtrees_empty(&nc->permitted) && subtrees_empty(&nc->excluded);
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
static int
dns_within(const char *name, const char *base)
{
	size_t n = strlen(name), b = strlen(base);

	if (n == b)
		return strcmp(name, base) == 0;
	return n > b && name[n - b - 1] == '.' &&
	    strcmp(name + n - b, base) == 0;
}

static int
ip_within(const unsigned char *addr, int len, const struct anc_ip_range *r)
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
			if (dns_within(a->dns[i], b->dns[j]) ||
			    dns_within(b->dns[j], a->dns[i])) {
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
			if (ip_within(a->ip[i].addr, a->ip[i].len, &b->ip[j]) ||
			    ip_within(b->ip[j].addr, b->ip[j].len, &a->ip[i])) {
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
			if (dns_within(p->dns[i], e->dns[j])) {
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
			    ip_within(p->ip[i].addr, p->ip[i].len, &e->ip[j])) {
				anc_nc_format_ip(&p->ip[i], x, sizeof(x));
				anc_nc_format_ip(&e->ip[j], y, sizeof(y));
				snprintf(what, cap, "permitted IP range %s is "
				    "within excluded %s", x, y);
				return 1;
			}
	return 0;
}

/*
 * The extensions
 */

static GENERAL_NAME *
gen_text(int type, const char *s)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_IA5STRING *v = ASN1_IA5STRING_new();

	if (g == NULL || v == NULL ||
	    ASN1_STRING_set(v, s, (int)strlen(s)) != 1) {
		GENERAL_NAME_free(g);
		ASN1_IA5STRING_free(v);
		return NULL;
	}
	GENERAL_NAME_set0_value(g, type, v);
	return g;
}

/* An address (len bytes), or with `mask` a range as RFC 5280 encodes it:
 * the address followed by the mask. */
static GENERAL_NAME *
gen_ip(const unsigned char *addr, int len, int prefix)
{
	unsigned char buf[32];
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	int i, n = len, bits;

	memcpy(buf, addr, (size_t)len);
	if (prefix > 0) {
		for (i = 0; i < len; i++) {
			bits = prefix - i * 8;
			buf[len + i] = bits >= 8 ? 0xff : bits <= 0 ? 0 :
			    (unsigned char)(0xff << (8 - bits));
		}
		n = 2 * len;
	}
	if (g == NULL || v == NULL || ASN1_OCTET_STRING_set(v, buf, n) != 1) {
		GENERAL_NAME_free(g);
		ASN1_OCTET_STRING_free(v);
		return NULL;
	}
	GENERAL_NAME_set0_value(g, GEN_IPADD, v);
	return g;
}

static int
push_subtree(STACK_OF(GENERAL_SUBTREE) *sk, GENERAL_NAME *g)
{
	GENERAL_SUBTREE *st;

	if (g == NULL || (st = GENERAL_SUBTREE_new()) == NULL) {
		GENERAL_NAME_free(g);
		return -1;
	}
	GENERAL_NAME_free(st->base);
	st->base = g;	/* transferred */
	if (sk_GENERAL_SUBTREE_push(sk, st) <= 0) {
		GENERAL_SUBTREE_free(st);
		return -1;
	}
	return 0;
}

/* DNS names, then IP ranges, then e-mail domains: one fixed order. */
static STACK_OF(GENERAL_SUBTREE) *
subtrees(const struct anc_subtrees *t)
{
	STACK_OF(GENERAL_SUBTREE) *sk;
	size_t i;

	if (subtrees_empty(t) || (sk = sk_GENERAL_SUBTREE_new_null()) == NULL)
		return NULL;
	for (i = 0; i < t->n_dns; i++)
		if (push_subtree(sk, gen_text(GEN_DNS, t->dns[i])) != 0)
			goto fail;
	for (i = 0; i < t->n_ip; i++)
		if (push_subtree(sk, gen_ip(t->ip[i].addr, t->ip[i].len,
		    t->ip[i].prefix)) != 0)
			goto fail;
	for (i = 0; i < t->n_email; i++)
		if (push_subtree(sk, gen_text(GEN_EMAIL, t->email[i])) != 0)
			goto fail;
	return sk;
 fail:
	sk_GENERAL_SUBTREE_pop_free(sk, GENERAL_SUBTREE_free);
	return NULL;
}

static int
nc_build(const struct anc_constraints *nc, NAME_CONSTRAINTS **out)
{
	NAME_CONSTRAINTS *v = NAME_CONSTRAINTS_new();

	if (v == NULL)
		return -1;
	v->permittedSubtrees = subtrees(&nc->permitted);
	v->excludedSubtrees = subtrees(&nc->excluded);
	if ((v->permittedSubtrees == NULL) !=
	    subtrees_empty(&nc->permitted) ||
	    (v->excludedSubtrees == NULL) != subtrees_empty(&nc->excluded)) {
		NAME_CONSTRAINTS_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

static EXTENDED_KEY_USAGE *
eku_build(unsigned eku)
{
	EXTENDED_KEY_USAGE *v = sk_ASN1_OBJECT_new_null();
	ASN1_OBJECT *o;
	int i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < ANC_EKU__COUNT; i++) {
		if ((eku & (1u << i)) == 0)
			continue;
		if ((o = OBJ_nid2obj(ekus[i].nid)) == NULL ||
		    sk_ASN1_OBJECT_push(v, o) <= 0) {
			sk_ASN1_OBJECT_pop_free(v, ASN1_OBJECT_free);
			return NULL;
		}
	}
	return v;
}

int
anc_nc_add_extensions(X509 *x, const struct anc_constraints *nc,
    unsigned eku, struct anc_err *err)
{
	NAME_CONSTRAINTS *v = NULL;
	EXTENDED_KEY_USAGE *k = NULL;
	int r = ANC_OK;

	if (!anc_nc_empty(nc)) {
		/* Critical: RFC 5280 4.2.1.10 requires it, so a verifier that
		 * cannot enforce the constraints refuses the chain. */
		if (nc_build(nc, &v) != 0 ||
		    X509_add1_ext_i2d(x, NID_name_constraints, v, 1,
		    X509V3_ADD_DEFAULT) != 1)
			r = anc_err_ossl(err, ANC_E_CRYPTO,
			    "certificate: cannot add nameConstraints");
	}
	if (r == ANC_OK && eku != 0) {
		if ((k = eku_build(eku)) == NULL ||
		    X509_add1_ext_i2d(x, NID_ext_key_usage, k, 0,
		    X509V3_ADD_DEFAULT) != 1)
			r = anc_err_ossl(err, ANC_E_CRYPTO,
			    "certificate: cannot add extendedKeyUsage");
	}
	NAME_CONSTRAINTS_free(v);
	sk_ASN1_OBJECT_pop_free(k, ASN1_OBJECT_free);
	return r;
}

/*
 * Lint
 */

/* The extension's value DER against what `want` encodes to. */
static int
ext_is(X509 *x, int nid, const void *want, const ASN1_ITEM *it, int *crit)
{
	X509_EXTENSION *ext;
	const ASN1_OCTET_STRING *have;
	unsigned char *der = NULL;
	int i, n, same;

	if ((i = X509_get_ext_by_NID(x, nid, -1)) < 0)
		return -1;
	ext = X509_get_ext(x, i);
	*crit = X509_EXTENSION_get_critical(ext);
	have = X509_EXTENSION_get_data(ext);
	if ((n = ASN1_item_i2d((const ASN1_VALUE *)want, &der, it)) <= 0)
		return 0;
	same = ASN1_STRING_length(have) == n &&
	    memcmp(ASN1_STRING_get0_data(have), der, (size_t)n) == 0;
	OPENSSL_free(der);
	return same;
}

static int
lint_fail(struct anc_err *err, const char *rule, const char *what)
{
	return anc_err_set(err, ANC_E_LINT, "lint %s: %s", rule, what);
}

int
anc_nc_lint(X509 *x, const struct anc_constraints *nc, unsigned eku,
    struct anc_err *err)
{
	NAME_CONSTRAINTS *v = NULL;
	EXTENDED_KEY_USAGE *k = NULL;
	int crit = 0, same, r = ANC_OK;

	if (anc_nc_empty(nc)) {
		if (X509_get_ext_by_NID(x, NID_name_constraints, -1) >= 0)
			r = lint_fail(err, "nc-matches-spec", "nameConstraints "
			    "present, expected none: the script gives none");
	} else if (nc_build(nc, &v) != 0) {
		r = anc_err_ossl(err, ANC_E_NOMEM, "lint: nameConstraints");
	} else if ((same = ext_is(x, NID_name_constraints, v,
	    ASN1_ITEM_rptr(NAME_CONSTRAINTS), &crit)) < 0 || !crit) {
		r = lint_fail(err, "nc-present-critical", same < 0 ?
		    "nameConstraints absent, expected present and critical" :
		    "nameConstraints not critical, expected present and "
		    "critical");
	} else if (!same) {
		r = lint_fail(err, "nc-matches-spec", "nameConstraints differ "
		    "from the script's name-constraints, expected exactly "
		    "those subtrees");
	}
	if (r != ANC_OK)
		goto out;
	if (eku == 0) {
		/* lint.c's no-eku rule refuses an EKU the script did not ask
		 * for. */
		goto out;
	}
	if ((k = eku_build(eku)) == NULL) {
		r = anc_err_ossl(err, ANC_E_NOMEM, "lint: extendedKeyUsage");
		goto out;
	}
	same = ext_is(x, NID_ext_key_usage, k,
	    ASN1_ITEM_rptr(EXTENDED_KEY_USAGE), &crit);
	if (same != 1 || crit)
		r = lint_fail(err, "eku-matches-spec", same < 0 ?
		    "extendedKeyUsage absent, expected the script's limit" :
		    crit ? "extendedKeyUsage critical, expected not critical" :
		    "extendedKeyUsage differs from the script's limit");
 out:
	NAME_CONSTRAINTS_free(v);
	sk_ASN1_OBJECT_pop_free(k, ASN1_OBJECT_free);
	return r;
}

/*
 * The proof
 */

/* A name of a leaf: type GEN_DNS, GEN_EMAIL (text) or GEN_IPADD. */
struct probe {
	int type;
	char text[ANC_DNS_MAX + 16];
	unsigned char addr[16];
	int len;
};

struct proof {
	X509 *ca;		/* the copy with the throwaway key */
	NAME_CONSTRAINTS *nc_ext;	/* quick: the CA's extension, decoded */
	EVP_PKEY *key;
	X509_STORE *store;
	time_t now;
	const struct anc_constraints *nc;
	struct anc_err *err;
};

static void
probe_show(const struct probe *p, char *buf, size_t cap)
{
	struct anc_ip_range r;
	char a[64];

	if (p->type != GEN_IPADD) {
		snprintf(buf, cap, "%s %s", p->type == GEN_DNS ? "DNS name" :
		    "e-mail address", p->text);
		return;
	}
	memcpy(r.addr, p->addr, 16);
	r.len = p->len;
	r.prefix = p->len * 8;
	anc_nc_format_ip(&r, a, sizeof(a));
	a[strcspn(a, "/")] = '\0';
	snprintf(buf, cap, "IP address %s", a);
}

static int
leaf_make(struct proof *pf, const struct probe *v, size_t n, unsigned eku,
    X509 **out)
{
	GENERAL_NAMES *san = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *g;
	X509_NAME *subj = X509_NAME_new();
	EXTENDED_KEY_USAGE *k = NULL;
	X509 *x = X509_new();
	size_t i;
	int ok = 0;

	if (san == NULL || subj == NULL || x == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		g = v[i].type == GEN_IPADD ? gen_ip(v[i].addr, v[i].len, 0) :
		    gen_text(v[i].type, v[i].text);
		if (g == NULL || sk_GENERAL_NAME_push(san, g) <= 0) {
			GENERAL_NAME_free(g);
			goto out;
		}
	}
	/* A subject that is no host name, so only the SAN is checked. */
	if (X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"anchorage name-constraint proof", -1, -1,
	    0) != 1 ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
	    X509_set_subject_name(x, subj) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(pf->ca)) != 1 ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &pf->now) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), 1, 0, &pf->now) == NULL ||
	    X509_add1_ext_i2d(x, NID_subject_alt_name, san, 0,
	    X509V3_ADD_DEFAULT) != 1)
		goto out;
	/* NAME_CONSTRAINTS_check reads only names: a quick proof's leaf has
	 * neither key nor signature. */
	if (pf->nc_ext != NULL) {
		*out = x;
		x = NULL;	/* transferred */
		ok = 1;
		goto out;
	}
	if (anc_profile_set_pubkey(x, pf->key) != 1)
		goto out;
	if (eku != 0 && ((k = eku_build(eku)) == NULL ||
	    X509_add1_ext_i2d(x, NID_ext_key_usage, k, 0,
	    X509V3_ADD_DEFAULT) != 1))
		goto out;
	if (X509_sign(x, pf->key, EVP_sha256()) <= 0)
		goto out;
	*out = x;
	x = NULL;	/* transferred */
	ok = 1;
 out:
	sk_GENERAL_NAME_pop_free(san, GENERAL_NAME_free);
	sk_ASN1_OBJECT_pop_free(k, ASN1_OBJECT_free);
	X509_NAME_free(subj);
	X509_free(x);
	return ok;
}

/* X509_verify_cert of a leaf under the copy: X509_V_OK or its error. */
static int
verify(struct proof *pf, const struct probe *v, size_t n, unsigned eku,
    int purpose, int *code)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509 *leaf = NULL;
	int ok = 0;

	if (pf->nc_ext != NULL) {
		/* Quick: OpenSSL's name-constraint check alone, as
		 * X509_verify_cert calls it, without the chain around it. */
		if (!leaf_make(pf, v, n, eku, &leaf))
			goto out;
		/* Decodes the names NAME_CONSTRAINTS_check reads.  It reports
		 * the unsigned leaf as invalid, so its answer is not used; the
		 * outside leaves' refusals show that the names were read. */
		(void)X509_check_purpose(leaf, -1, 0);
		*code = NAME_CONSTRAINTS_check(leaf, pf->nc_ext);
		ok = 1;
		goto out;
	}
	if (ctx == NULL || !leaf_make(pf, v, n, eku, &leaf) ||
	    X509_STORE_CTX_init(ctx, pf->store, leaf, NULL) != 1)
		goto out;
	X509_STORE_CTX_set_time(ctx, 0, pf->now);
	if (purpose != 0 && X509_STORE_CTX_set_purpose(ctx, purpose) != 1)
		goto out;
	*code = X509_verify_cert(ctx) == 1 ? X509_V_OK :
	    X509_STORE_CTX_get_error(ctx);
	ok = 1;
 out:
	X509_STORE_CTX_free(ctx);
	X509_free(leaf);
	ERR_clear_error();
	return ok;
}

static int
expect(struct proof *pf, const char *rule, const struct probe *v, size_t n,
    unsigned eku, int purpose, int want)
{
	char what[300];
	int code = -1;

	if (!verify(pf, v, n, eku, purpose, &code))
		return anc_err_ossl(pf->err, ANC_E_CRYPTO, "proof %s: cannot "
		    "make or verify the throwaway leaf", rule);
	if (code == want)
		return ANC_OK;
	probe_show(&v[0], what, sizeof(what));
	return anc_err_set(pf->err, ANC_E_LINT, "proof %s: a leaf with %s%s "
	    "was %s by OpenSSL's chain verification (%s), expected %s", rule,
	    what, n > 1 ? " and other names" : "", code == X509_V_OK ?
	    "accepted" : "refused", code == X509_V_OK ? "ok" :
	    X509_verify_cert_error_string(code), want == X509_V_OK ?
	    "accepted" : X509_verify_cert_error_string(want));
}

/* The name `a` followed by `b`; 0 if it is too long. */
static int
probe_text(struct probe *p, int type, const char *a, const char *b)
{
	int w;

	p->type = type;
	w = snprintf(p->text, sizeof(p->text), "%s%s", a, b);
	return w > 0 && (size_t)w < sizeof(p->text) &&
	    (type != GEN_DNS || w <= ANC_DNS_MAX);
}

/* A name in `base`: a label added on the left, or base itself if that is
 * too long. */
static void
dns_inside(struct probe *p, int type, const char *base)
{
	if (type == GEN_EMAIL) {
		probe_text(p, type, PROBE "@", base);
		return;
	}
	if (!probe_text(p, type, PROBE ".", base))
		probe_text(p, type, "", base);
}

static int
dns_excluded(const struct anc_subtrees *e, int type, const char *name)
{
	char *const *v = type == GEN_DNS ? e->dns : e->email;
	size_t i, n = type == GEN_DNS ? e->n_dns : e->n_email;
	const char *host = type == GEN_EMAIL ? strchr(name, '@') + 1 : name;

	for (i = 0; i < n; i++)
		if (type == GEN_DNS ? dns_within(host, v[i]) :
		    strcmp(host, v[i]) == 0)
			return 1;
	return 0;
}

static int
ip_in_any(const struct anc_ip_range *v, size_t n, const unsigned char *a,
    int len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ip_within(a, len, &v[i]))
			return 1;
	return 0;
}

/* The range's first or last address (+ step, which may carry past it). */
static int
ip_edge(const struct anc_ip_range *r, int last, int step, unsigned char *a)
{
	int i, bits, carry;

	memcpy(a, r->addr, (size_t)r->len);
	if (last)
		for (i = 0; i < r->len; i++) {
			bits = r->prefix - i * 8;
			if (bits < 8)
				a[i] |= bits <= 0 ? 0xff : 0xff >> bits;
		}
	if (step == 0)
		return 1;
	/* +1 or -1, refusing to wrap around the address space. */
	for (i = r->len - 1; i >= 0; i--) {
		carry = step > 0 ? a[i] == 0xff : a[i] == 0x00;
		a[i] = (unsigned char)(a[i] + step);
		if (!carry)
			return 1;
	}
	return 0;
}

/* A name inside the permitted subtree and outside every excluded one. */
static int
inside_permitted(struct proof *pf, int type, size_t i, struct probe *p)
{
	const struct anc_subtrees *t = &pf->nc->permitted, *e = &pf->nc->excluded;
	const struct anc_ip_range *r;
	int k;

	if (type != GEN_IPADD) {
		dns_inside(p, type, type == GEN_DNS ? t->dns[i] : t->email[i]);
		return !dns_excluded(e, type, p->text) ||
		    (probe_text(p, type, type == GEN_DNS ? "" : PROBE "@",
		    type == GEN_DNS ? t->dns[i] : t->email[i]) &&
		    !dns_excluded(e, type, p->text));
	}
	r = &t->ip[i];
	p->type = GEN_IPADD;
	p->len = r->len;
	/* First, last, then the addresses next to them. */
	for (k = 0; k < 4; k++) {
		if (!ip_edge(r, k & 1, k < 2 ? 0 : (k == 2 ? 1 : -1), p->addr))
			continue;
		if (ip_within(p->addr, p->len, r) &&
		    !ip_in_any(e->ip, e->n_ip, p->addr, p->len))
			return 1;
	}
	return 0;
}

/* A name of the type outside every permitted subtree. */
static int
outside_permitted(struct proof *pf, int type, struct probe *p)
{
	const struct anc_subtrees *t = &pf->nc->permitted;
	size_t i;
	int k;

	if (type != GEN_IPADD)
		return probe_text(p, type, type == GEN_DNS ? PROBE "." :
		    PROBE "@" PROBE ".", OUTSIDE_TLD);
	p->type = GEN_IPADD;
	for (i = 0; i < t->n_ip; i++)
		for (k = 0; k < 2; k++) {
			p->len = t->ip[i].len;
			if (ip_edge(&t->ip[i], k == 0, k == 0 ? 1 : -1,
			    p->addr) &&
			    !ip_in_any(t->ip, t->n_ip, p->addr, p->len))
				return 1;
		}
	return 0;
}

static int
permitted_within(const struct anc_subtrees *t, const struct probe *p)
{
	const char *host;
	size_t i;

	if (p->type == GEN_IPADD)
		return t->n_ip == 0 || ip_in_any(t->ip, t->n_ip, p->addr,
		    p->len);
	if (p->type == GEN_DNS) {
		for (i = 0; i < t->n_dns; i++)
			if (dns_within(p->text, t->dns[i]))
				return 1;
		return t->n_dns == 0;
	}
	host = strchr(p->text, '@') + 1;
	for (i = 0; i < t->n_email; i++)
		if (strcmp(host, t->email[i]) == 0)
			return 1;
	return t->n_email == 0;
}

static const struct {
	int type;
	const char *permitted, *excluded;
} kinds[] = {
	{ GEN_DNS, "nc-dns-permitted", "nc-dns-excluded" },
	{ GEN_IPADD, "nc-ip-permitted", "nc-ip-excluded" },
	{ GEN_EMAIL, "nc-email-permitted", "nc-email-excluded" },
};

static size_t
count(const struct anc_subtrees *t, int type)
{
	return type == GEN_DNS ? t->n_dns : type == GEN_IPADD ? t->n_ip :
	    t->n_email;
}

static int
prove_excluded(struct proof *pf, int type, const char *rule)
{
	const struct anc_subtrees *e = &pf->nc->excluded;
	struct probe p;
	size_t i;
	int r;

	for (i = 0; i < count(e, type); i++) {
		memset(&p, 0, sizeof(p));
		if (type == GEN_IPADD) {
			p.type = GEN_IPADD;
			p.len = e->ip[i].len;
			ip_edge(&e->ip[i], 0, 0, p.addr);
		} else {
			dns_inside(&p, type, type == GEN_DNS ? e->dns[i] :
			    e->email[i]);
		}
		/* Outside every permitted subtree it is refused for that
		 * first (OpenSSL checks permitted before excluded). */
		if ((r = expect(pf, rule, &p, 1, 0, 0,
		    permitted_within(&pf->nc->permitted, &p) ?
		    X509_V_ERR_EXCLUDED_VIOLATION :
		    X509_V_ERR_PERMITTED_VIOLATION)) != ANC_OK)
			return r;
	}
	return ANC_OK;
}

/* The TLS purposes an EKU limit can be checked for by X509_verify_cert. */
static int
prove_eku(struct proof *pf, const struct probe *in, size_t n, unsigned eku)
{
	static const struct {
		enum anc_eku bit;
		int purpose;
	} tls[] = {
		{ ANC_EKU_SERVER_AUTH, X509_PURPOSE_SSL_SERVER },
		{ ANC_EKU_CLIENT_AUTH, X509_PURPOSE_SSL_CLIENT },
	};
	unsigned want;
	size_t i;
	int r;

	for (i = 0; i < sizeof(tls) / sizeof(tls[0]); i++) {
		want = 1u << tls[i].bit;
		/* The leaf asks for the purpose; the CA's limit decides. */
		if ((r = expect(pf, (eku & want) != 0 ? "eku-permitted" :
		    "eku-excluded", in, n, want, tls[i].purpose,
		    (eku & want) != 0 ? X509_V_OK :
		    X509_V_ERR_INVALID_PURPOSE)) != ANC_OK)
			return r;
	}
	return ANC_OK;
}

/* The CA's names, validity and extensions with `key`: built afresh, so
 * that an unsigned certificate (a batch's check) can be copied too. */
static X509 *
ca_copy(X509 *ca, EVP_PKEY *key)
{
	X509 *x = X509_new();
	int i, ok;

	ok = x != NULL && X509_set_version(x, X509_get_version(ca)) == 1 &&
	    X509_set_serialNumber(x, X509_get_serialNumber(ca)) == 1 &&
	    X509_set_subject_name(x, X509_get_subject_name(ca)) == 1 &&
	    X509_set_issuer_name(x, X509_get_issuer_name(ca)) == 1 &&
	    X509_set1_notBefore(x, X509_get0_notBefore(ca)) == 1 &&
	    X509_set1_notAfter(x, X509_get0_notAfter(ca)) == 1 &&
	    anc_profile_set_pubkey(x, key) == 1;
	for (i = 0; ok && i < X509_get_ext_count(ca); i++)
		ok = X509_add_ext(x, X509_get_ext(ca, i), -1) == 1;
	/* Signed so that it encodes; as the trust anchor its signature is
	 * never checked. */
	if (!ok || X509_sign(x, key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int
prove(X509 *ca, EVP_PKEY *key, const struct anc_constraints *nc,
    unsigned eku, time_t now, int quick, struct anc_err *err)
{
	struct proof pf;
	struct probe in[3 * ANC_NC_MAX + 1], out;
	X509_VERIFY_PARAM *vp;
	size_t i, k, n = 0;
	int crit = -1, r = ANC_E_CRYPTO;

	memset(&pf, 0, sizeof(pf));
	memset(in, 0, sizeof(in));
	pf.now = now;
	pf.nc = nc;
	pf.key = key;
	pf.err = err;
	if (quick) {
		/* The leaves name the CA as issuer; nothing else of it. */
		pf.ca = ca;
		if ((pf.nc_ext = X509_get_ext_d2i(ca, NID_name_constraints,
		    &crit, NULL)) == NULL) {
			ERR_clear_error();
			if (anc_nc_empty(nc))
				return ANC_OK;
			return anc_err_set(err, ANC_E_LINT, "proof: no "
			    "nameConstraints to prove");
		}
	} else if ((pf.ca = ca_copy(ca, key)) == NULL ||
	    (pf.store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(pf.store, pf.ca) != 1 ||
	    (vp = X509_STORE_get0_param(pf.store)) == NULL ||
	    X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN) != 1) {
		/* The copy is the trust anchor (partial chain), so its own
		 * signature is not checked and its constraints are, as for
		 * any CA above. */
		r = anc_err_ossl(err, ANC_E_CRYPTO, "proof: the throwaway CA");
		goto out;
	}
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (i = 0; i < count(&nc->permitted, kinds[k].type); i++)
			if (!inside_permitted(&pf, kinds[k].type, i, &in[n++])) {
				r = anc_err_set(err, ANC_E_LINT, "proof %s: "
				    "no name of permitted subtree %zu is "
				    "outside the excluded ones",
				    kinds[k].permitted, i + 1);
				goto out;
			}
	}
	if (n == 0)	/* only exclusions: a name outside them all */
		probe_text(&in[n++], GEN_DNS, PROBE ".", OUTSIDE_TLD);
	/* One leaf with a name in every permitted subtree is accepted ... */
	if ((r = expect(&pf, "nc-permitted-accepts", in, n, 0, 0,
	    X509_V_OK)) != ANC_OK)
		goto out;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		/* ... a leaf outside the permitted ones of a type is not ... */
		if (count(&nc->permitted, kinds[k].type) > 0) {
			memset(&out, 0, sizeof(out));
			if (!outside_permitted(&pf, kinds[k].type, &out)) {
				r = anc_err_set(err, ANC_E_LINT, "proof %s: the "
				    "permitted IP ranges leave no address "
				    "outside them", kinds[k].permitted);
				goto out;
			}
			if ((r = expect(&pf, kinds[k].permitted, &out, 1, 0, 0,
			    X509_V_ERR_PERMITTED_VIOLATION)) != ANC_OK)
				goto out;
		}
		/* ... nor one inside an excluded subtree. */
		if ((r = prove_excluded(&pf, kinds[k].type,
		    kinds[k].excluded)) != ANC_OK)
			goto out;
	}
	if (eku != 0 && !quick)
		r = prove_eku(&pf, in, n, eku);
 out:
	X509_STORE_free(pf.store);
	if (!quick)
		X509_free(pf.ca);
	NAME_CONSTRAINTS_free(pf.nc_ext);
	return r;
}

int
anc_nc_prove(X509 *ca, EVP_PKEY *key, const struct anc_constraints *nc,
    unsigned eku, time_t now, struct anc_err *err)
{
	return prove(ca, key, nc, eku, now, 0, err);
}

int
anc_nc_prove_names(X509 *ca, EVP_PKEY *key, const struct anc_constraints *nc,
    time_t now, struct anc_err *err)
{
	return prove(ca, key, nc, 0, now, 1, err);
}

int
anc_nc_check_leaf(X509 *leaf, X509 *issuer)
{
	NAME_CONSTRAINTS *nc;
	int crit = -1, rv;

	nc = X509_get_ext_d2i(issuer, NID_name_constraints, &crit, NULL);
	if (nc == NULL) {
		ERR_clear_error();
		return X509_V_OK;
	}
	rv = NAME_CONSTRAINTS_check(leaf, nc);
	if (rv == X509_V_OK)
		rv = NAME_CONSTRAINTS_check_CN(leaf, nc);
	NAME_CONSTRAINTS_free(nc);
	return rv;
}
