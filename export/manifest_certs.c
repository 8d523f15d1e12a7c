/*
 * anchorage: certificates as the consumers of the manifests read them.
 *
 * A certificate's SHA-256 fingerprint and notAfter for annotations and
 * the Vault README; the chain rule cert-manager and Vault apply (each
 * certificate issued and signed by the next, ending at a self-signed
 * root CA, basicConstraints as Go reads it); and the lists of a trust
 * bundle's anchors, each of which must be a self-signed CA.  A chain
 * that breaks the rule is refused with ANC_E_INTERNAL: the ceremony
 * builds the chains and checks them first.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/hash.h"
#include "anchorage/sigcheck.h"
#include "manifest_int.h"

int
anc_manifest_cert_info(X509 *x, const char *what,
    struct anc_manifest_cert *ci, struct anc_err *err)
{
	struct tm tm;

	if (anc_cert_fingerprint(x, ci->sha256) != ANC_OK)
		return anc_err_ossl(err, ANC_E_CRYPTO, "%s: cannot compute "
		    "the SHA-256 fingerprint", what);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1 ||
	    strftime(ci->not_after, sizeof(ci->not_after),
	    "%Y-%m-%dT%H:%M:%SZ", &tm) != ANC_MANIFEST_DATE_LEN - 1)
		return anc_err_ossl(err, ANC_E_CRYPTO, "%s: unreadable "
		    "notAfter", what);
	return ANC_OK;
}

/*
 * basicConstraints CA:TRUE, as Go's IsCA (cert-manager) reads it; OpenSSL's
 * other answers (v1 roots, keyCertSign alone) do not count.
 */
static int
is_ca(X509 *x)
{
	return X509_check_ca(x) == 1;
}

/* The signature is checked once per certificate object (sigcheck.h): for
 * a certificate of this run, the check made after signing it with the
 * token's public key answers here. */
static int
is_self_signed_ca(X509 *x)
{
	return is_ca(x) && anc_sig_self_signed(x);
}

/*
 * cert-manager (>= 1.4) joins every certificate of tls.crt, plus the first
 * of ca.crt, into one chain or fails each issuance, and
 * Vault imports the chain file as issuers: each certificate must be issued
 * and signed by the next, ending at a self-signed root.
 */
int
anc_manifest_check_chain(const char *what, X509 *const *chain,
    size_t n, struct anc_err *err)
{
	size_t i;

	if (chain == NULL || n < 2)
		return anc_err_set(err, ANC_E_INTERNAL, "%s: expected a CA and "
		    "its chain up to the root, got %zu certificate(s)", what,
		    chain == NULL ? 0 : n);
	if (!is_ca(chain[0]))
		return anc_err_set(err, ANC_E_INTERNAL, "%s: the first "
		    "certificate is not a CA", what);
	/* A failed signature check leaves only "EVP lib" in OpenSSL's
	 * queue; the message below says more. */
	for (i = 0; i + 1 < n; i++) {
		if (X509_check_issued(chain[i + 1], chain[i]) != X509_V_OK ||
		    !anc_sig_check(chain[i], X509_get0_pubkey(chain[i + 1]))) {
			ERR_clear_error();
			return anc_err_set(err, ANC_E_INTERNAL, "%s: "
			    "certificate %zu is not issued by certificate %zu "
			    "(names or signature), so the certificates do not "
			    "form one chain", what, i + 1, i + 2);
		}
	}
	if (!is_self_signed_ca(chain[n - 1])) {
		ERR_clear_error();
		return anc_err_set(err, ANC_E_INTERNAL, "%s: the last "
		    "certificate is not a self-signed root CA", what);
	}
	return ANC_OK;
}

/*
 * The anchors' fingerprints and notAfter, each joined with commas, in
 * order.  Every anchor must be a self-signed CA: a bundle is what clients
 * trust without further proof.
 */
int
anc_manifest_anchor_lists(X509 *const *a, size_t n, char **fps,
    char **dates, struct anc_err *err)
{
	struct anc_manifest_cert ci;
	char *f = NULL, *d = NULL, what[32];
	size_t i, fl = 0, dl = 0;
	int r = ANC_E_INTERNAL;

	if (a == NULL || n == 0 || n > 1024) {
		r = anc_err_set(err, ANC_E_INTERNAL, "trust bundle: expected "
		    "1 to 1024 anchors, got %zu", a == NULL ? 0 : n);
		goto out;
	}
	if ((f = malloc(n * ANC_SHA256_HEX)) == NULL ||
	    (d = malloc(n * ANC_MANIFEST_DATE_LEN)) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "trust bundle");
		goto out;
	}
	f[0] = d[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "anchor %zu", i + 1);
		if (!is_self_signed_ca(a[i])) {
			ERR_clear_error();
			r = anc_err_set(err, ANC_E_INTERNAL, "trust bundle: %s "
			    "is not a self-signed CA certificate", what);
			goto out;
		}
		if ((r = anc_manifest_cert_info(a[i], what, &ci, err)) !=
		    ANC_OK)
			goto out;
		/* Each entry and its comma or NUL fit its share exactly. */
		fl += (size_t)snprintf(f + fl, n * ANC_SHA256_HEX - fl, "%s%s",
		    i > 0 ? "," : "", ci.sha256);
		dl += (size_t)snprintf(d + dl, n * ANC_MANIFEST_DATE_LEN - dl,
		    "%s%s", i > 0 ? "," : "", ci.not_after);
	}
	*fps = f;
	*dates = d;
	f = d = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	free(f);
	free(d);
	return r;
}
