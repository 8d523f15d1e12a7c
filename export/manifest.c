/*
 * anchorage: the manifests that hold no secret: the trust bundle as a
 * ConfigMap and as a trust-manager Bundle, cert-manager's Issuer or
 * ClusterIssuer, and the Helm values that point a chart at the Secret.
 *
 * Every writer checks what it is given against the rules the consumer
 * applies (manifest_meta.c, manifest_certs.c) and refuses rather than
 * write a file that would be rejected or, worse, accepted and fail later
 * in the cluster.  Those rules are the ceremony's to enforce first, so a
 * refusal here is ANC_E_INTERNAL.  The Secret is manifest_secret.c's;
 * the Vault chain README vault_readme.c's.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/manifest.h"
#include "manifest_int.h"
#include "yaml_emit.h"

#define PREFIX ANC_ANNOTATION_PREFIX

/* ---- trust bundle: ConfigMap and trust-manager Bundle ---- */

int
anc_manifest_bundle_configmap(const char *name, const char *ns,
    X509 *const *anchors, size_t n, const struct anc_provenance *p,
    char **out, size_t *len, struct anc_err *err)
{
	struct anc_yaml y;
	struct anc_manifest_ann ann[2];
	struct anc_manifest_meta m = { name, ns, "trust-bundle", p, ann, 2 };
	char *fps = NULL, *dates = NULL, *pem = NULL;
	size_t pem_len = 0;
	int r = ANC_E_INTERNAL;

	if ((r = anc_yaml_open(&y, err)) != ANC_OK)
		goto out;
	if (ns == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "ConfigMap %s: no "
		    "namespace", name != NULL ? name : "");
		goto out;
	}
	if ((r = anc_manifest_check_meta("ConfigMap", &m, err)) != ANC_OK ||
	    (r = anc_manifest_anchor_lists(anchors, n, &fps, &dates,
	    err)) != ANC_OK ||
	    (r = anc_pem_certs(anchors, n, &pem, &pem_len, err)) != ANC_OK)
		goto out;
	ann[0] = (struct anc_manifest_ann){ PREFIX "anchors", fps };
	ann[1] = (struct anc_manifest_ann){ PREFIX "anchors-not-after",
	    dates };
	anc_manifest_emit_head(&y, "v1", "ConfigMap", &m);
	anc_yaml_key(&y, "data");
	anc_yaml_map(&y);
	anc_yaml_key(&y, ANC_BUNDLE_KEY);
	anc_yaml_literal(&y, pem, pem_len);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	if ((r = anc_yaml_close(&y, "ConfigMap", out, len, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	anc_yaml_free(&y);
	free(fps);
	free(dates);
	free(pem);
	return r;
}

static void
emit_bundle_spec(struct anc_yaml *y, const char *source,
    const char *target_ns)
{
	anc_yaml_key(y, "spec");
	anc_yaml_map(y);
	anc_yaml_key(y, "sources");
	anc_yaml_seq(y);
	anc_yaml_map(y);
	anc_yaml_key(y, "configMap");
	anc_yaml_map(y);
	anc_yaml_kv(y, "name", source);
	anc_yaml_kv(y, "key", ANC_BUNDLE_KEY);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
	anc_yaml_seq_end(y);
	anc_yaml_key(y, "target");
	anc_yaml_map(y);
	anc_yaml_key(y, "configMap");
	anc_yaml_map(y);
	anc_yaml_kv(y, "key", ANC_BUNDLE_KEY);
	anc_yaml_map_end(y);
	anc_yaml_key(y, "namespaceSelector");
	anc_yaml_map(y);
	anc_yaml_key(y, "matchLabels");
	anc_yaml_map(y);
	anc_yaml_kv(y, "kubernetes.io/metadata.name", target_ns);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
}

int
anc_manifest_trust_bundle(const char *name, const char *source,
    const char *target_ns, X509 *const *anchors, size_t n,
    const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err)
{
	struct anc_yaml y;
	struct anc_manifest_ann ann[2];
	struct anc_manifest_meta m = { name, NULL, "trust-bundle", p, ann, 2 };
	char *fps = NULL, *dates = NULL;
	int r = ANC_E_INTERNAL;

	if ((r = anc_yaml_open(&y, err)) != ANC_OK)
		goto out;
	if ((r = anc_manifest_check_meta("Bundle", &m, err)) != ANC_OK ||
	    (r = anc_manifest_check_name("Bundle source ConfigMap", source,
	    err)) != ANC_OK ||
	    (r = anc_manifest_check_namespace("Bundle target namespace",
	    target_ns, err)) != ANC_OK ||
	    (r = anc_manifest_anchor_lists(anchors, n, &fps, &dates,
	    err)) != ANC_OK)
		goto out;
	ann[0] = (struct anc_manifest_ann){ PREFIX "anchors", fps };
	ann[1] = (struct anc_manifest_ann){ PREFIX "anchors-not-after",
	    dates };
	anc_manifest_emit_head(&y, "trust.cert-manager.io/v1alpha1", "Bundle",
	    &m);
	emit_bundle_spec(&y, source, target_ns);
	anc_yaml_map_end(&y);
	if ((r = anc_yaml_close(&y, "Bundle", out, len, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	anc_yaml_free(&y);
	free(fps);
	free(dates);
	return r;
}

/* ---- cert-manager Issuer, Helm values ---- */

int
anc_manifest_issuer(const char *name, const char *ns, int cluster,
    const char *secret, const struct anc_provenance *p, char **out,
    size_t *len, struct anc_err *err)
{
	const char *kind = cluster ? "ClusterIssuer" : "Issuer";
	struct anc_yaml y;
	struct anc_manifest_meta m = { name, cluster ? NULL : ns, "issuer", p,
	    NULL, 0 };
	int r = ANC_E_INTERNAL;

	if ((r = anc_yaml_open(&y, err)) != ANC_OK)
		goto out;
	if (!cluster && ns == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "Issuer %s: no namespace",
		    name != NULL ? name : "");
		goto out;
	}
	if ((r = anc_manifest_check_meta(kind, &m, err)) != ANC_OK ||
	    (r = anc_manifest_check_name("spec.ca.secretName", secret,
	    err)) != ANC_OK)
		goto out;
	anc_manifest_emit_head(&y, "cert-manager.io/v1", kind, &m);
	anc_yaml_key(&y, "spec");
	anc_yaml_map(&y);
	anc_yaml_key(&y, "ca");
	anc_yaml_map(&y);
	anc_yaml_kv(&y, "secretName", secret);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	if ((r = anc_yaml_close(&y, kind, out, len, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	anc_yaml_free(&y);
	return r;
}

/*
 * Values files have no metadata to carry provenance, and libyaml's
 * emitter cannot write comments, so `p` goes unused here: the outbox's
 * SHA256SUMS and transcript say where the file came from.
 */
int
anc_manifest_helm_values(const char *issuer, const char *secret,
    const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err)
{
	struct anc_yaml y;
	int r = ANC_E_INTERNAL;

	if ((r = anc_yaml_open(&y, err)) != ANC_OK)
		goto out;
	if ((r = anc_manifest_check_name("pki.issuer.name", issuer,
	    err)) != ANC_OK ||
	    (r = anc_manifest_check_name(
	    "pki.issuer.ca.existingTrustAnchorSecretName", secret,
	    err)) != ANC_OK)
		goto out;
	anc_yaml_map(&y);
	anc_yaml_key(&y, "pki");
	anc_yaml_map(&y);
	anc_yaml_key(&y, "enabled");
	anc_yaml_bool(&y, 1);
	anc_yaml_key(&y, "issuer");
	anc_yaml_map(&y);
	anc_yaml_kv(&y, "name", issuer);
	anc_yaml_key(&y, "ca");
	anc_yaml_map(&y);
	anc_yaml_key(&y, "enabled");
	anc_yaml_bool(&y, 1);
	anc_yaml_kv(&y, "existingTrustAnchorSecretName", secret);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	anc_yaml_map_end(&y);
	if ((r = anc_yaml_close(&y, "Helm values", out, len, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	anc_yaml_free(&y);
	return r;
}
