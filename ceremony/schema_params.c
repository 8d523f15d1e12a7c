/*
 * anchorage: the parameter types that several kinds of step share
 * (docs/ceremony-format.md, Steps): a certificate's subject, its name
 * constraints and EKU limit, and the crypto officers holding shares of the
 * PIN (split-pin, and the script's quorum).  Each kind's own table is in
 * its step_<kind>.c; the types every mapping uses are schema_types.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "constraints.h"
#include "schema.h"
#include "step.h"

/*
 * Subject names
 */

/* Attributes as they are encoded, from the top of the directory down. */
struct dn_form {
	char *c, *st, *l, *o, *ou, *cn;
};

#define DN(m) offsetof(struct dn_form, m)

static const struct anc_field dn_fields[] = {
	{ "C",	&anc_t_country,	 NONE,	   DN(c),  0 },
	{ "ST",	&anc_t_dn_value, NONE,	   DN(st), 0 },
	{ "L",	&anc_t_dn_value, NONE,	   DN(l),  0 },
	{ "O",	&anc_t_dn_value, NONE,	   DN(o),  0 },
	{ "OU",	&anc_t_dn_value, NONE,	   DN(ou), 0 },
	{ "CN",	&anc_t_dn_value, REQUIRED, DN(cn), 0 },
};

/* Whatever the order in the script, the model holds the encoding order. */
static int
nd_subject(struct anc_reader *p, void *obj, const struct anc_field *f)
{
	struct anc_dn *dn = anc_at(obj, f->off);
	struct dn_form form;
	char **v;
	size_t i;
	int r;

	memset(&form, 0, sizeof(form));
	if ((r = anc_read_map(p, dn_fields, ANC_N(dn_fields), &form)) ==
	    ANC_OK) {
		for (i = 0; i < ANC_N(dn_fields); i++) {
			v = anc_at(&form, dn_fields[i].off);
			if (*v == NULL)
				continue;
			dn->attrs[dn->n].type = dn_fields[i].key;
			dn->attrs[dn->n++].value = *v;
			*v = NULL;	/* transferred */
		}
	}
	for (i = 0; i < ANC_N(dn_fields); i++)
		free(*(char **)anc_at(&form, dn_fields[i].off));
	return r;
}

const struct anc_type anc_t_subject = { .node = nd_subject };

/*
 * Name constraints and EKU limits of issuing CAs
 */

static const char *
rule_nc_dns(const char *s, size_t len, const struct anc_type *t)
{
	return anc_nc_check_dns(s, len);
}

static const struct anc_type t_nc_dns = { .scalar = anc_sc_string,
    .rule = rule_nc_dns };

/* A DNS name or e-mail domain appended to v[0..*n), refusing repeats. */
static int
nc_name_item(struct anc_reader *p, char ***v, size_t *n)
{
	size_t dup;
	int r;

	if ((r = anc_read_name_item(p, &t_nc_dns, v, NULL, n, &dup)) !=
	    ANC_OK)
		return r;
	if (dup != 0)
		return anc_read_bad(p, "\"%s\" is already item %zu of this "
		    "list", (*v)[dup - 1], dup);
	return ANC_OK;
}

static int
nc_dns_item(struct anc_reader *p, void *obj)
{
	struct anc_subtrees *t = obj;

	return nc_name_item(p, &t->dns, &t->n_dns);
}

static int
nc_email_item(struct anc_reader *p, void *obj)
{
	struct anc_subtrees *t = obj;

	return nc_name_item(p, &t->email, &t->n_email);
}

static int
nc_ip_item(struct anc_reader *p, void *obj)
{
	struct anc_subtrees *t = obj;
	struct anc_ip_range range, *nv;
	struct anc_scalar v;
	const char *why;
	size_t i;

	if (anc_read_scalar(p, &v) == NULL)
		return anc_read_bad(p, "expected an IP range such as "
		    "10.1.0.0/16");
	if ((why = anc_nc_parse_ip(v.s, v.len, &range)) != NULL)
		return anc_read_bad(p, "%s", why);
	for (i = 0; i < t->n_ip; i++)
		if (memcmp(&t->ip[i], &range, sizeof(range)) == 0)
			return anc_read_bad(p, "the range is already item %zu "
			    "of this list", i + 1);
	if ((nv = anc_read_add(p, &t->ip, &t->n_ip, sizeof(*nv))) == NULL)
		return ANC_E_NOMEM;
	*nv = range;
	return ANC_OK;
}

static const struct anc_type t_nc_dns_list = ANC_LIST(1, ANC_NC_MAX,
    "DNS names", nc_dns_item);
static const struct anc_type t_nc_ip_list = ANC_LIST(1, ANC_NC_MAX,
    "IP ranges", nc_ip_item);
static const struct anc_type t_nc_email_list = ANC_LIST(1, ANC_NC_MAX,
    "e-mail domains", nc_email_item);

static const struct anc_field subtree_fields[] = {
	{ "dns",   &t_nc_dns_list,   NONE, 0, 0 },
	{ "ip",	   &t_nc_ip_list,    NONE, 0, 0 },
	{ "email", &t_nc_email_list, NONE, 0, 0 },
};

/* permitted or excluded: at least one name of some type. */
static int
nd_subtrees(struct anc_reader *p, void *obj, const struct anc_field *f)
{
	struct anc_subtrees *t = anc_at(obj, f->off);
	int line = anc_read_line(p), r;

	if ((r = anc_read_map(p, subtree_fields, ANC_N(subtree_fields), t)) !=
	    ANC_OK)
		return r;
	if (t->n_dns == 0 && t->n_ip == 0 && t->n_email == 0)
		return anc_read_err(p, ANC_E_FIELD, line, "expected at least "
		    "one of dns, ip, email");
	return ANC_OK;
}

static const struct anc_type t_subtrees = { .node = nd_subtrees };

#define NCF(m) offsetof(struct anc_constraints, m)

static const struct anc_field nc_fields[] = {
	{ "permitted", &t_subtrees, NONE, NCF(permitted), 0 },
	{ "excluded",  &t_subtrees, NONE, NCF(excluded),  0 },
};

/* Constraints that leave the CA nothing to issue are a mistake. */
static int
nd_name_constraints(struct anc_reader *p, void *obj,
    const struct anc_field *f)
{
	struct anc_constraints *nc = anc_at(obj, f->off);
	char what[256];
	int r;

	nc->line = anc_read_line(p);
	if ((r = anc_read_map(p, nc_fields, ANC_N(nc_fields), nc)) != ANC_OK)
		return r;
	if (anc_nc_empty(nc))
		return anc_read_err(p, ANC_E_FIELD, nc->line, "expected "
		    "permitted or excluded subtrees");
	if (anc_nc_self_excluded(nc, what, sizeof(what)))
		return anc_read_err(p, ANC_E_FIELD, nc->line, "%s; expected "
		    "permitted names that can be used", what);
	return ANC_OK;
}

const struct anc_type anc_t_name_constraints = {
    .node = nd_name_constraints };

static const char *
eku_name(int v)
{
	return anc_eku_name((enum anc_eku)v);
}

static const int ekus[] = { ANC_EKU_SERVER_AUTH, ANC_EKU_CLIENT_AUTH,
    ANC_EKU_CODE_SIGNING, ANC_EKU_EMAIL_PROTECTION, ANC_EKU_TIME_STAMPING,
    ANC_EKU_OCSP_SIGNING };

static const struct anc_type t_eku_name = ANC_ONE_OF(eku_name, ekus);

/* One bit per purpose in the mask at obj. */
static int
eku_item(struct anc_reader *p, void *obj)
{
	static const struct anc_field item = { "", &t_eku_name, REQUIRED, 0,
	    0 };
	unsigned *mask = obj;
	struct anc_scalar v;
	int eku, r;

	if ((r = anc_sc_one_of(p, &eku, &item, anc_read_scalar(p, &v))) !=
	    ANC_OK)
		return r;
	if ((*mask & (1u << eku)) != 0)
		return anc_read_bad(p, "duplicate purpose \"%s\"",
		    eku_name(eku));
	*mask |= 1u << eku;
	return ANC_OK;
}

const struct anc_type anc_t_eku = ANC_LIST(1, ANC_EKU__COUNT, "purposes",
    eku_item);

/*
 * Crypto officers holding shares of the PIN: split-pin and quorum
 */

static int
officer_item(struct anc_reader *p, void *obj)
{
	struct anc_officers *o = obj;
	size_t dup;
	int r;

	if ((r = anc_read_name_item(p, &anc_t_person, &o->names, &o->lines,
	    &o->n, &dup)) != ANC_OK)
		return r;
	if (dup != 0)
		return anc_read_bad(p, "\"%s\" is already officers[%zu]",
		    o->names[dup - 1], dup);
	return ANC_OK;
}

const struct anc_type anc_t_officers = ANC_LIST(2, ANC_CER_OFFICERS_MAX,
    "participant names", officer_item);
