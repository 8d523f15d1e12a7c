/*
 * anchorage: the README that goes with a Vault chain file.
 *
 * Plain text for the operator at the Vault side: where the file came
 * from, the two certificates it holds in order (subject, SHA-256,
 * notAfter), the one command that imports it and the commands that check
 * it.  The chain is checked as cert-manager and Vault will read it, and
 * the file name, pasted into those commands, is kept to bytes a shell
 * takes as one word.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/manifest.h"
#include "manifest_int.h"

/* The file name is pasted into shell commands: keep it to safe bytes. */
static int
shell_word_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && s[0] != '-' &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == strlen(s);
}

static int
describe_cert(BIO *b, const char *title, X509 *x, const char *what,
    struct anc_err *err)
{
	struct anc_manifest_cert ci;
	int r;

	if ((r = anc_manifest_cert_info(x, what, &ci, err)) != ANC_OK)
		return r;
	/* RFC 2253 with control and non-ASCII bytes escaped: plain text. */
	if (BIO_printf(b, "%s\n   subject:  ", title) <= 0 ||
	    X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
	    XN_FLAG_RFC2253) < 0 ||
	    BIO_printf(b, "\n   SHA-256:  %s\n   notAfter: %s\n\n", ci.sha256,
	    ci.not_after) <= 0)
		return anc_err_ossl(err, ANC_E_NOMEM, "Vault README");
	return ANC_OK;
}

static int
readme_text(BIO *b, const char *f, X509 *ica, X509 *root,
    const struct anc_provenance *p, struct anc_err *err)
{
	int r;

	if (BIO_printf(b,
	    "%s: signed Vault intermediate and its root\n"
	    "\n"
	    "Written by anchorage %s in ceremony %s\n"
	    "(script SHA-256 %s).\n"
	    "\n"
	    "%s holds two PEM certificates, in this order:\n"
	    "\n", f, p->tool_version, p->ceremony, p->ceremony_sha256, f) <= 0)
		return anc_err_ossl(err, ANC_E_NOMEM, "Vault README");
	if ((r = describe_cert(b, "1. the intermediate, Vault's issuing CA",
	    ica, "intermediate", err)) != ANC_OK ||
	    (r = describe_cert(b, "2. the root that signed it", root, "root",
	    err)) != ANC_OK)
		return r;
	if (BIO_printf(b,
	    "Import it into the mount whose CSR was signed (pki_int here;\n"
	    "use your mount's path):\n"
	    "\n"
	    "  vault write pki_int/intermediate/set-signed certificate=@%s\n"
	    "\n"
	    "The root follows the intermediate so that Vault's ca_chain, and\n"
	    "the ca.crt cert-manager's Vault issuer writes, end at the root.\n"
	    "\n"
	    "Check:\n"
	    "\n"
	    "  vault read pki_int/cert/ca_chain\n"
	    "      shows the same two certificates, intermediate first.\n"
	    "  awk '/BEGIN CERTIFICATE/ { n++ } n == 2' %s > root.pem\n"
	    "  openssl x509 -in root.pem -outform DER | sha256sum\n"
	    "      prints the root's SHA-256 above; compare it with the\n"
	    "      ceremony's signed paper record too.\n"
	    "  openssl verify -CAfile root.pem %s\n"
	    "      verifies the intermediate against the root: \"%s: OK\".\n"
	    "\n"
	    "The root's private key never left its PKCS#11 token, and the\n"
	    "intermediate's private key never left Vault: only the CSR came\n"
	    "into the appliance, and only certificates leave it.\n",
	    f, f, f, f) <= 0)
		return anc_err_ossl(err, ANC_E_NOMEM, "Vault README");
	return ANC_OK;
}

/* A memory BIO's contents as a NUL-terminated string of our own. */
static int
bio_string(BIO *b, char **out, size_t *len, struct anc_err *err)
{
	char *mem = NULL, *buf;
	long n;

	n = BIO_get_mem_data(b, &mem);
	if (n <= 0 || (buf = malloc((size_t)n + 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "Vault README");
	memcpy(buf, mem, (size_t)n);
	buf[n] = '\0';
	*out = buf;	/* transferred */
	*len = (size_t)n;
	return ANC_OK;
}

int
anc_manifest_vault_readme(const char *chain_file, X509 *intermediate,
    X509 *root, const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err)
{
	X509 *chain[2] = { intermediate, root };
	BIO *b = NULL;
	int r = ANC_E_INTERNAL;

	if (!shell_word_ok(chain_file)) {
		r = anc_err_set(err, ANC_E_INTERNAL, "Vault README: chain file "
		    "name \"%.200s\": expected letters, digits, '.', '_' and "
		    "'-', not starting with '-'",
		    chain_file != NULL ? chain_file : "");
		goto out;
	}
	if (!anc_manifest_provenance_ok(p)) {
		r = anc_err_set(err, ANC_E_INTERNAL, "Vault README: expected "
		    "the ceremony name, tool version and script SHA-256");
		goto out;
	}
	if (intermediate == NULL || root == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "Vault README: expected "
		    "the intermediate and the root");
		goto out;
	}
	if ((r = anc_manifest_check_chain(chain_file, chain, 2, err)) !=
	    ANC_OK)
		goto out;
	if ((b = BIO_new(BIO_s_mem())) == NULL) {
		r = anc_err_ossl(err, ANC_E_NOMEM, "Vault README");
		goto out;
	}
	if ((r = readme_text(b, chain_file, intermediate, root, p, err)) !=
	    ANC_OK)
		goto out;
	if ((r = bio_string(b, out, len, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	BIO_free(b);
	return r;
}
