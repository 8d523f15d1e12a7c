/*
 * anchorage: Kubernetes manifests, Helm values and Vault chain notes.
 *
 * Every writer returns text owned by the caller (free(), or anc_freezero()
 * for the Secret, which holds a private key).  Manifests are emitted with
 * libyaml: every string value quoted (YAML 1.1 would read an unquoted `y`
 * or `0755` as a boolean or number), the recommended app.kubernetes.io
 * labels, and provenance annotations under ANC_ANNOTATION_PREFIX.
 */
#ifndef ANCHORAGE_MANIFEST_H
#define ANCHORAGE_MANIFEST_H

#include <stddef.h>

#include <openssl/x509.h>

#include "anchorage/err.h"

struct anc_err;

#define ANC_ANNOTATION_PREFIX "anchorage.dev/"

/* Where a manifest came from; copied into its annotations and labels. */
struct anc_provenance {
	const char *ceremony;		/* ceremony name */
	const char *ceremony_sha256;	/* SHA-256 of the script */
	const char *tool_version;	/* anchorage version */
};

/*
 * A kubernetes.io/tls Secret for cert-manager's CA issuer
 * (docs/export-formats.md):
 * tls.crt = chain[0] (the issuing CA) followed by the rest of its chain up
 * to the root, tls.key = `key`, the issuing CA's private key, as
 * unencrypted PKCS#8 PEM, ca.crt = the root, which must be chain[n-1].
 * Values in `data`, base64.  Annotations carry the issuing CA's and
 * root's SHA-256 fingerprints and notAfter.  *out holds the key: free it
 * with anc_freezero.
 */
ANC_MUST_CHECK
int anc_manifest_tls_secret(const char *name, const char *ns,
    X509 *const *chain, size_t n, EVP_PKEY *key,
    const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err);

/*
 * The trust bundle as a ConfigMap `name` in `ns` (trust-manager's trust
 * namespace), key ANC_BUNDLE_KEY, every anchor written out in order, with
 * their fingerprints and notAfter in annotations.
 */
#define ANC_BUNDLE_KEY "trust-bundle.pem"
ANC_MUST_CHECK
int anc_manifest_bundle_configmap(const char *name, const char *ns,
    X509 *const *anchors, size_t n, const struct anc_provenance *p,
    char **out, size_t *len, struct anc_err *err);

/*
 * A trust-manager Bundle (trust.cert-manager.io/v1alpha1, cluster-scoped)
 * named `name` whose source is the ConfigMap `source` (key
 * ANC_BUNDLE_KEY) and whose target is a ConfigMap with key
 * ANC_BUNDLE_KEY in the namespaces labelled
 * kubernetes.io/metadata.name=`target_ns`.
 */
ANC_MUST_CHECK
int anc_manifest_trust_bundle(const char *name, const char *source,
    const char *target_ns, X509 *const *anchors, size_t n,
    const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err);

/*
 * A cert-manager Issuer (or ClusterIssuer when `cluster`) named `name`
 * using the CA Secret `secret` (spec.ca.secretName).  A ClusterIssuer has
 * no namespace; `ns` is then ignored.
 */
ANC_MUST_CHECK
int anc_manifest_issuer(const char *name, const char *ns, int cluster,
    const char *secret, const struct anc_provenance *p, char **out,
    size_t *len, struct anc_err *err);

/*
 * The Monoskope Helm values snippet that points the chart at the Secret:
 * pki.enabled, pki.issuer.name, pki.issuer.ca.enabled,
 * pki.issuer.ca.existingTrustAnchorSecretName.
 */
ANC_MUST_CHECK
int anc_manifest_helm_values(const char *issuer, const char *secret,
    const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err);

/*
 * The README that goes with a Vault chain file: what it holds (the
 * signed intermediate, then the root) and the exact command,
 * `vault write pki_int/intermediate/set-signed certificate=@FILE`.
 */
ANC_MUST_CHECK
int anc_manifest_vault_readme(const char *chain_file, X509 *intermediate,
    X509 *root, const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err);

#endif /* ANCHORAGE_MANIFEST_H */
