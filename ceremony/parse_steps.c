/*
 * anchorage: the schema of a ceremony's steps, one table per kind, and
 * what each table cannot say beside it (docs/ceremony-format.md, Steps).
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "constraints.h"
#include "schema.h"

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

static const struct anc_type t_subject = { .node = nd_subject };

/*
 * sign-csr policy
 */

/* Indexed by enum anc_policy_alg. */
static const char *const policy_alg_names[] = {
	"rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256", "ecdsa-p384"
};
static const int policy_algs[] = { ANC_POLICY_RSA_2048, ANC_POLICY_RSA_3072,
    ANC_POLICY_RSA_4096, ANC_POLICY_EC_P256, ANC_POLICY_EC_P384 };

#define POLICY_ALGS_ALL ((1u << ANC_N(policy_algs)) - 1)

static const char *
policy_alg_name(int v)
{
	return policy_alg_names[v];
}

static const struct anc_type t_policy_alg = ANC_ONE_OF(policy_alg_name,
    policy_algs);

/* One bit per algorithm in the step's policy_algs. */
static int
policy_alg_item(struct anc_reader *p, void *obj)
{
	static const struct anc_field item = { "", &t_policy_alg, REQUIRED,
	    0, 0 };
	struct anc_step *s = obj;
	struct anc_scalar v;
	int alg, r;

	if ((r = anc_sc_one_of(p, &alg, &item, anc_read_scalar(p, &v))) !=
	    ANC_OK)
		return r;
	if ((s->policy_algs & (1u << alg)) != 0)
		return anc_read_bad(p, "duplicate algorithm \"%s\"",
		    policy_alg_names[alg]);
	s->policy_algs |= 1u << alg;
	return ANC_OK;
}

/* The list given replaces the default of all algorithms. */
static int
nd_policy_algs(struct anc_reader *p, void *obj, const struct anc_field *f)
{
	((struct anc_step *)obj)->policy_algs = 0;
	return anc_nd_list(p, obj, f);
}

static const struct anc_type t_policy_algs = { .node = nd_policy_algs,
    .min = 1, .max = ANC_N(policy_algs), .what = "algorithms",
    .item = policy_alg_item };

static const struct anc_field policy_fields[] = {
	{ "algorithms",	     &t_policy_algs, NONE,     0, 0 },
	{ "max-validity",    &anc_t_validity, "87600h", S(policy_max_validity), 0 },
	{ "max-path-length", &anc_t_pathlen, "0",     S(policy_max_path_length), 0 },
};

static const struct anc_type t_policy = ANC_MAPPING(policy_fields);

/* A sign-csr step has a policy even when the script gives none. */
static int
sign_csr_init(struct anc_reader *p, struct anc_step *s)
{
	s->policy_algs = POLICY_ALGS_ALL;
	return anc_read_defaults(p, policy_fields, ANC_N(policy_fields), s);
}

/*
 * bundle: anchors, retired anchors and the retire gate's exceptions
 */

static int
anchor_item(struct anc_reader *p, void *obj)
{
	struct anc_step *s = obj;
	size_t dup;
	int r;

	if ((r = anc_read_name_item(p, &anc_t_artifact, &s->anchors,
	    &s->anchor_lines, &s->n_anchors, &dup)) != ANC_OK)
		return r;
	if (dup != 0)
		return anc_read_bad(p, "duplicate anchor \"%s\"",
		    s->anchors[dup - 1]);
	return ANC_OK;
}

static int
retire_item(struct anc_reader *p, void *obj)
{
	struct anc_step *s = obj;
	size_t dup;
	int r;

	if ((r = anc_read_name_item(p, &anc_t_artifact, &s->retires,
	    &s->retire_lines, &s->n_retires, &dup)) != ANC_OK)
		return r;
	if (dup != 0)
		return anc_read_bad(p, "duplicate retired anchor \"%s\"",
		    s->retires[dup - 1]);
	return ANC_OK;
}

/* Why a certificate may break: one line, as the transcript keeps it. */
static const struct anc_type t_exception_reason = ANC_STRING(anc_rule_line,
    1, 256, "expected 1 to 256 characters on one line, without spaces at "
    "either end");

#define EX(m) offsetof(struct anc_exception, m)

static const struct anc_field exception_fields[] = {
	{ "certificate", &anc_t_sha256,	      REQUIRED, EX(certificate), 0 },
	{ "reason",	 &t_exception_reason, REQUIRED, EX(reason),	 0 },
	{ "approved-by", &anc_t_person,	      REQUIRED, EX(approved_by), 0 },
};

static int
exception_item(struct anc_reader *p, void *obj)
{
	struct anc_step *s = obj;
	struct anc_exception *x;
	size_t i;
	int r;

	if ((x = anc_read_add(p, &s->exceptions, &s->n_exceptions,
	    sizeof(*x))) == NULL)
		return ANC_E_NOMEM;
	x->line = anc_read_line(p);
	if ((r = anc_read_map(p, exception_fields, ANC_N(exception_fields),
	    x)) != ANC_OK)
		return r;
	for (i = 0; i + 1 < s->n_exceptions; i++)
		if (strcmp(s->exceptions[i].certificate, x->certificate) == 0) {
			anc_read_push(p, "certificate");
			return anc_read_err(p, ANC_E_FIELD, x->line, "%s "
			    "already has exceptions[%zu]", x->certificate,
			    i + 1);
		}
	return ANC_OK;
}

static const struct anc_type t_anchors = ANC_LIST(1, ANC_CER_LIST_MAX,
    "artifact names", anchor_item);
static const struct anc_type t_retires = ANC_LIST(1, ANC_CER_LIST_MAX,
    "artifact names", retire_item);
static const struct anc_type t_exceptions = ANC_LIST(1, ANC_CER_LIST_MAX,
    "exceptions", exception_item);

/*
 * sign-crl revocations
 */

#define RV(m) offsetof(struct anc_revocation, m)

static const struct anc_field revoke_fields[] = {
	{ "certificate", &anc_t_artifact, REQUIRED,	 RV(certificate), 0 },
	{ "reason",	 &anc_t_reason,	  "unspecified", RV(reason),	  0 },
};

static int
revoke_item(struct anc_reader *p, void *obj)
{
	struct anc_step *s = obj;
	struct anc_revocation *rv;
	size_t i;
	int r;

	if ((rv = anc_read_add(p, &s->revoke, &s->n_revoke, sizeof(*rv))) ==
	    NULL)
		return ANC_E_NOMEM;
	rv->line = anc_read_line(p);
	if ((r = anc_read_defaults(p, revoke_fields, ANC_N(revoke_fields),
	    rv)) != ANC_OK || (r = anc_read_map(p, revoke_fields,
	    ANC_N(revoke_fields), rv)) != ANC_OK)
		return r;
	for (i = 0; i + 1 < s->n_revoke; i++)
		if (strcmp(s->revoke[i].certificate, rv->certificate) == 0) {
			anc_read_push(p, "certificate");
			return anc_read_err(p, ANC_E_FIELD, rv->line, "\"%s\" "
			    "is already revoked by revoke[%zu]",
			    rv->certificate, i + 1);
		}
	return ANC_OK;
}

static const struct anc_type t_revoke = ANC_LIST(0, ANC_CER_LIST_MAX,
    "revocations", revoke_item);

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

static const struct anc_type t_name_constraints = {
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

static const struct anc_type t_eku = ANC_LIST(1, ANC_EKU__COUNT, "purposes",
    eku_item);

/*
 * Steps: one table per kind
 */

static const struct anc_field generate_key_fields[] = {
	{ "label",	 &anc_t_label,	    REQUIRED,	  S(label),	SL(label) },
	{ "algorithm",	 &anc_t_token_alg,  "ecdsa-p256", S(algorithm), 0 },
};

static const struct anc_field self_sign_fields[] = {
	{ "key",	 &anc_t_label,	    REQUIRED,	  S(key),	  SL(key) },
	{ "subject",	 &t_subject,	    REQUIRED,	  S(subject),	  0 },
	{ "validity",	 &anc_t_validity,   "87600h",	  S(validity),	  SL(validity) },
	{ "path-length", &anc_t_pathlen,    "1",	  S(path_length), SL(path_length) },
	{ "output",	 &anc_t_artifact,   REQUIRED,	  S(output),	  SL(output) },
};

static const struct anc_field issue_intermediate_fields[] = {
	{ "issuer",	 &anc_t_artifact,   REQUIRED,	  S(issuer),	  SL(issuer) },
	{ "subject",	 &t_subject,	    REQUIRED,	  S(subject),	  0 },
	{ "validity",	 &anc_t_validity,   "43800h",	  S(validity),	  SL(validity) },
	{ "path-length", &anc_t_pathlen,    "0",	  S(path_length), SL(path_length) },
	{ "algorithm",	 &anc_t_soft_alg,   "ecdsa-p256", S(algorithm),	  0 },
	{ "name-constraints", &t_name_constraints, NONE,  S(nc),	  0 },
	{ "extended-key-usage", &t_eku,	    NONE,	  S(eku),	  0 },
	{ "output",	 &anc_t_artifact,   REQUIRED,	  S(output),	  SL(output) },
};

static const struct anc_field sign_csr_fields[] = {
	{ "issuer",	 &anc_t_artifact,   REQUIRED,	  S(issuer),	  SL(issuer) },
	{ "csr",	 &anc_t_artifact,   REQUIRED,	  S(csr),	  SL(csr) },
	{ "subject",	 &t_subject,	    NONE,	  S(subject),	  0 },
	{ "validity",	 &anc_t_validity,   "43800h",	  S(validity),	  SL(validity) },
	{ "path-length", &anc_t_pathlen,    "0",	  S(path_length), SL(path_length) },
	{ "policy",	 &t_policy,	    NONE,	  0,		  0 },
	{ "name-constraints", &t_name_constraints, NONE,  S(nc),	  0 },
	{ "extended-key-usage", &t_eku,	    NONE,	  S(eku),	  0 },
	{ "output",	 &anc_t_artifact,   REQUIRED,	  S(output),	  SL(output) },
};

static const struct anc_field cross_sign_fields[] = {
	{ "issuer",	 &anc_t_artifact,   REQUIRED,	  S(issuer),	  SL(issuer) },
	{ "certificate", &anc_t_artifact,   REQUIRED,	  S(certificate), SL(certificate) },
	{ "validity",	 &anc_t_validity,   "43800h",	  S(validity),	  SL(validity) },
	{ "path-length", &anc_t_pathlen,    "1",	  S(path_length), SL(path_length) },
	{ "output",	 &anc_t_artifact,   REQUIRED,	  S(output),	  SL(output) },
};

static const struct anc_field bundle_fields[] = {
	{ "anchors",	 &t_anchors,	    REQUIRED,	  0,		  0 },
	{ "retires",	 &t_retires,	    NONE,	  0,		  0 },
	{ "inventory",	 &anc_t_artifact,   NONE,	  S(inventory),	  SL(inventory) },
	{ "exceptions",	 &t_exceptions,	    NONE,	  0,		  0 },
	{ "output",	 &anc_t_artifact,   REQUIRED,	  S(output),	  SL(output) },
};

static const struct anc_field sign_crl_fields[] = {
	{ "issuer",	 &anc_t_artifact,   REQUIRED,	  S(issuer),	  SL(issuer) },
	{ "revoke",	 &t_revoke,	    NONE,	  0,		  0 },
	{ "crl-number",	 &anc_t_crl_number, REQUIRED,	  S(crl_number),  0 },
	{ "previous",	 &anc_t_artifact,   NONE,	  S(previous),	  0 },
	{ "validity",	 &anc_t_crl_validity, "720h",	  S(validity),	  SL(validity) },
	{ "output",	 &anc_t_artifact,   REQUIRED,	  S(output),	  SL(output) },
};

static const struct anc_field export_secret_fields[] = {
	{ "name",	 &anc_t_k8s_name,   "m8-trust-anchor", S(k8s_name), 0 },
	{ "namespace",	 &anc_t_namespace,  "monoskope",  S(k8s_namespace), 0 },
	{ "issuing-ca",	 &anc_t_artifact,   REQUIRED,	  S(issuing_ca),  SL(issuing_ca) },
};

static const struct anc_field export_bundle_fields[] = {
	{ "name",	 &anc_t_k8s_name,   "m8-trust-bundle", S(k8s_name), 0 },
	/* trust-manager's trust namespace: the source ConfigMap's */
	{ "trust-namespace", &anc_t_namespace, "cert-manager", S(k8s_namespace), 0 },
	{ "target-namespace", &anc_t_namespace, "monoskope", S(target_namespace), 0 },
	{ "bundle",	 &anc_t_artifact,   REQUIRED,	  S(bundle),	  SL(bundle) },
};

static const struct anc_field export_issuer_fields[] = {
	{ "name",	 &anc_t_k8s_name,   "m8-root-ca-issuer", S(k8s_name), 0 },
	{ "namespace",	 &anc_t_namespace,  "monoskope",  S(k8s_namespace), 0 },
	{ "kind",	 &anc_t_issuer_kind, "Issuer",	  S(cluster_issuer), 0 },
	{ "secret",	 &anc_t_k8s_name,   "m8-trust-anchor", S(secret),   0 },
	{ "cluster-resource-namespace", &anc_t_namespace, "cert-manager",
	    S(cluster_namespace), 0 },
};

static const struct anc_field export_vault_fields[] = {
	{ "certificate", &anc_t_artifact,   REQUIRED,	  S(certificate), SL(certificate) },
	{ "output",	 &anc_t_artifact,   "vault-chain", S(output),	  SL(output) },
};

static const struct anc_field split_pin_fields[] = {
	{ "threshold",	 &anc_t_threshold,  REQUIRED,	  S(officers.threshold),
	    S(officers.threshold_line) },
	{ "officers",	 &anc_t_officers,   REQUIRED,	  S(officers),	  0 },
};

/* Each kind: its table, and what its table cannot say. */
static const struct step_schema {
	enum anc_step_kind kind;
	const struct anc_field *fields;
	size_t n;
	int (*init)(struct anc_reader *, struct anc_step *);
} step_schemas[] = {
#define KIND(k, f, init) { k, f, ANC_N(f), init }
	KIND(ANC_STEP_GENERATE_KEY, generate_key_fields, NULL),
	KIND(ANC_STEP_SELF_SIGN, self_sign_fields, NULL),
	KIND(ANC_STEP_ISSUE_INTERMEDIATE, issue_intermediate_fields, NULL),
	KIND(ANC_STEP_SIGN_CSR, sign_csr_fields, sign_csr_init),
	KIND(ANC_STEP_CROSS_SIGN, cross_sign_fields, NULL),
	KIND(ANC_STEP_BUNDLE, bundle_fields, NULL),
	KIND(ANC_STEP_SIGN_CRL, sign_crl_fields, NULL),
	KIND(ANC_STEP_EXPORT_SECRET, export_secret_fields, NULL),
	KIND(ANC_STEP_EXPORT_BUNDLE, export_bundle_fields, NULL),
	KIND(ANC_STEP_EXPORT_ISSUER, export_issuer_fields, NULL),
	KIND(ANC_STEP_EXPORT_VAULT, export_vault_fields, NULL),
	KIND(ANC_STEP_SPLIT_PIN, split_pin_fields, NULL),
#undef KIND
};

/* `- kind: {parameters}`: defaults first, then what the script says. */
int
anc_read_step(struct anc_reader *p, void *obj)
{
	struct anc_ceremony *c = obj;
	const char *names[ANC_N(step_schemas)];
	const struct step_schema *k;
	struct anc_step *s;
	size_t i, mark;
	int r;

	if ((s = anc_read_add(p, &c->steps, &c->n_steps, sizeof(*s))) == NULL)
		return ANC_E_NOMEM;
	s->index = (int)c->n_steps;
	for (i = 0; i < ANC_N(step_schemas); i++)
		names[i] = anc_step_kind_name(step_schemas[i].kind);
	if ((r = anc_read_one_key(p, "step kind", names, ANC_N(names), &i)) !=
	    ANC_OK)
		return r;
	k = &step_schemas[i];
	s->kind = k->kind;
	s->line = anc_read_line(p);
	mark = anc_read_push(p, names[i]);
	if ((r = anc_read_next(p)) != ANC_OK ||
	    (r = anc_read_defaults(p, k->fields, k->n, s)) != ANC_OK ||
	    (k->init != NULL && (r = k->init(p, s)) != ANC_OK) ||
	    (r = anc_read_map(p, k->fields, k->n, s)) != ANC_OK)
		return r;
	anc_read_pop(p, mark);
	return anc_read_one_key_end(p, "step kind");
}
