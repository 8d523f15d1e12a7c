/*
 * anchorage: the proof of an issuing CA's name constraints and EKU limit;
 * see anc_nc_prove in constraints.h.  Throwaway leaves are made with names
 * inside every permitted subtree, outside the permitted ones of each type
 * and inside each excluded one, and OpenSSL's own chain verification (or,
 * for a batch's later clusters, its name-constraint check alone) must
 * accept the first and refuse the others with the expected error.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "constraints.h"
#include "constraints_int.h"
#include "profile.h"

#define PROBE		"nc-proof"

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
		g = v[i].type == GEN_IPADD ? anc_nc_gen_ip(v[i].addr, v[i].len,
		    0) :
		    anc_nc_gen_text(v[i].type, v[i].text);
		if (g == NULL || sk_GENERAL_NAME_push(san, g) <= 0) {
			GENERAL_NAME_free(g);
			goto out;
		}
	}
	/*
	 * A quick proof's leaf has only what NAME_CONSTRAINTS_check reads: its
	 * subjectAltName, and an empty subject (so no subject name or e-mail
	 * attribute is checked, only the SAN).  No key, no signature: the
	 * check reads names only.  A third of the cost of a whole leaf.
	 */
	if (pf->nc_ext != NULL) {
		if (X509_add1_ext_i2d(x, NID_subject_alt_name, san, 0,
		    X509V3_ADD_DEFAULT) != 1)
			goto out;
		*out = x;
		x = NULL;	/* transferred */
		ok = 1;
		goto out;
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
	if (anc_profile_set_pubkey(x, pf->key) != 1)
		goto out;
	if (eku != 0 && ((k = anc_nc_eku_build(eku)) == NULL ||
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
	X509_STORE_CTX *ctx = NULL;
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
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    !leaf_make(pf, v, n, eku, &leaf) ||
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
		if (type == GEN_DNS ? anc_nc_dns_within(host, v[i]) :
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
		if (anc_nc_ip_within(a, len, &v[i]))
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
				a[i] |= (unsigned char)(bits <= 0 ? 0xff :
				    0xff >> bits);
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
		if (anc_nc_ip_within(p->addr, p->len, r) &&
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
		    PROBE "@" PROBE ".", ANC_NC_OUTSIDE_TLD);
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
			if (anc_nc_dns_within(p->text, t->dns[i]))
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
		probe_text(&in[n++], GEN_DNS, PROBE ".", ANC_NC_OUTSIDE_TLD);
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
