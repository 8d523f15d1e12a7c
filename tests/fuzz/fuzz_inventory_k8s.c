/*
 * Fuzz target: `kubectl get secrets -A -o yaml` as inventory check reads
 * it (anc_inventory_k8s).  The input is written to a file of its own; the
 * anchors are one self-signed P-256 CA made at start.  Promises checked:
 * the reader returns one of its documented codes, and every result it
 * hands over has a status with a name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "anchorage/rotation.h"
#include "fuzz.h"

static char dir[64], anchors[96], input[96];

static void
cleanup(void)
{
	unlink(anchors);
	unlink(input);
	rmdir(dir);
}

/* One self-signed CA, enough for the reader to have an anchor. */
static void
make_anchor(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *bc;
	FILE *f;

	if (k == NULL || x == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), 1) ||
	    !X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"fuzz root", -1, -1, 0) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(x)) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 86400) ||
	    !X509_set_pubkey(x, k))
		abort();
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((bc = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
	    "critical,CA:TRUE")) == NULL || !X509_add_ext(x, bc, -1) ||
	    !X509_sign(x, k, EVP_sha256()) ||
	    (f = fopen(anchors, "w")) == NULL || !PEM_write_X509(f, x))
		abort();
	fclose(f);
	X509_EXTENSION_free(bc);
	X509_free(x);
	EVP_PKEY_free(k);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/anc-fuzz-k8s.XXXXXX",
	    tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(anchors, sizeof(anchors), "%s/anchors.pem", dir);
	snprintf(input, sizeof(input), "%s/secrets.yaml", dir);
	atexit(cleanup);
	make_anchor();
	return 0;
}

static int
result(void *arg, const struct anc_inv_result *res)
{
	if (anc_inv_status_name(res->status) == NULL)
		abort();
	++*(size_t *)arg;
	return ANC_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anc_inventory *inv = NULL;
	struct anc_err err;
	size_t n = 0;
	FILE *f;
	int r;

	if ((f = fopen(input, "w")) == NULL ||
	    fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (anc_inventory_new(anchors, NULL, 2000000000, &inv, &err) != ANC_OK)
		abort();
	r = anc_inventory_k8s(inv, input, result, &n, &err);
	if (r != ANC_OK && r != ANC_E_SYNTAX && r != ANC_E_INPUT &&
	    r != ANC_E_IO)
		abort();
	anc_inventory_free(inv);
	return 0;
}
