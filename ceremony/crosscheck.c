/*
 * anchorage: checks across the exported Kubernetes objects.
 *
 * Each export step is valid on its own, yet a combination can still fail
 * in the cluster: cert-manager's CA Issuer reads its Secret only from its
 * own namespace, a ClusterIssuer only from the cluster-resource namespace,
 * and Monoskope's chart makes a namespaced Issuer of its own.  What can
 * never work is refused (ANC_E_FIELD, like every other check across
 * fields); what depends on objects outside the script is a warning.
 * docs/ceremony-format.md, "Checks across exports", lists both.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "ceremony_int.h"

static int
xerr(const struct anc_ceremony *c, const struct anc_step *s,
    const char *param, struct anc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
xerr(const struct anc_ceremony *c, const struct anc_step *s,
    const char *param, struct anc_err *err, const char *fmt, ...)
{
	char msg[ANC_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return anc_err_set(err, ANC_E_FIELD, "%s:%d: steps[%d].%s.%s: %s",
	    c->path, s->line, s->index, anc_step_kind_name(s), param,
	    msg);
}

static int
warn(struct anc_ceremony *c, const struct anc_step *s, struct anc_err *err,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
warn(struct anc_ceremony *c, const struct anc_step *s, struct anc_err *err,
    const char *fmt, ...)
{
	char msg[ANC_ERR_MSG_MAX], *line, **grown;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = snprintf(NULL, 0, "%s:%d: steps[%d].%s: %s", c->path, s->line,
	    s->index, anc_step_kind_name(s), msg);
	if (n < 0 || (line = malloc((size_t)n + 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "warning");
	snprintf(line, (size_t)n + 1, "%s:%d: steps[%d].%s: %s", c->path,
	    s->line, s->index, anc_step_kind_name(s), msg);
	grown = realloc(c->warnings, (c->n_warnings + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(line);
		return anc_err_set(err, ANC_E_NOMEM, "warning");
	}
	c->warnings = grown;
	c->warnings[c->n_warnings++] = line;	/* owned by the ceremony */
	return ANC_OK;
}

/* The export-secret step writing Secret `name`, or NULL.  Output names
 * are unique (rule 5), so there is at most one. */
static const struct anc_step *
secret_step(const struct anc_ceremony *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].kind == ANC_STEP_EXPORT_SECRET &&
		    strcmp(c->steps[i].k8s_name, name) == 0)
			return &c->steps[i];
	return NULL;
}

static int
check_issuer(struct anc_ceremony *c, const struct anc_step *s,
    struct anc_err *err)
{
	const struct anc_step *sec = secret_step(c, s->secret);
	const char *need = s->cluster_issuer ? s->cluster_namespace :
	    s->k8s_namespace;
	int r;

	if (sec != NULL && strcmp(sec->k8s_namespace, need) != 0) {
		if (s->cluster_issuer)
			return xerr(c, s, "secret", err, "ClusterIssuer %s reads "
			    "Secret \"%s\" only from cert-manager's "
			    "cluster-resource namespace \"%s\", but steps[%d] "
			    "exports it to namespace \"%s\"; expected "
			    "export-secret namespace \"%s\" (or set "
			    "cluster-resource-namespace to where cert-manager's "
			    "--cluster-resource-namespace points)", s->k8s_name,
			    s->secret, need, sec->index, sec->k8s_namespace,
			    need);
		return xerr(c, s, "namespace", err, "Issuer %s/%s reads Secret "
		    "\"%s\" from its own namespace, but steps[%d] exports it to "
		    "namespace \"%s\"; expected the same namespace for both",
		    s->k8s_namespace, s->k8s_name, s->secret, sec->index,
		    sec->k8s_namespace);
	}
	if (sec == NULL &&
	    (r = warn(c, s, err, "Secret \"%s\" is not exported by this "
	    "script; the %s works only once that Secret exists in namespace "
	    "\"%s\" (from an earlier ceremony's export-secret)", s->secret,
	    s->cluster_issuer ? "ClusterIssuer" : "Issuer", need)) != ANC_OK)
		return r;
	if (s->cluster_issuer &&
	    (r = warn(c, s, err, "kind ClusterIssuer: no helm-values-%s.yaml "
	    "is written; Monoskope's chart makes a namespaced Issuer of its "
	    "own (pki.issuer), which cannot read a Secret kept in \"%s\"",
	    s->k8s_name, need)) != ANC_OK)
		return r;
	return ANC_OK;
}

int
anc_crosscheck(struct anc_ceremony *c, struct anc_err *err)
{
	size_t i;
	int r;

	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].kind == ANC_STEP_EXPORT_ISSUER &&
		    (r = check_issuer(c, &c->steps[i], err)) != ANC_OK)
			return r;
	return ANC_OK;
}
