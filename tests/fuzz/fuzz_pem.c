/*
 * Fuzz target: certificates and trust bundles read from PEM, as input
 * certificates of a ceremony are.  Every block is decoded, not only the
 * first.  Promises checked: a refusal is ANC_E_INPUT (or NOMEM) and names
 * the file; what was accepted can be written out again and read back as
 * the same number of certificates.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "fuzz.h"

#define WHAT "fuzz.pem"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

/* Write the certificates as anchorage writes a bundle, and read that. */
static void
round_trip(STACK_OF(X509) *sk)
{
	X509 *certs[64];
	STACK_OF(X509) *again = NULL;
	struct anc_err err;
	char *pem = NULL, fp[65];
	size_t len = 0;
	int i, n = sk_X509_num(sk);

	if (n > (int)(sizeof(certs) / sizeof(certs[0])))
		n = (int)(sizeof(certs) / sizeof(certs[0]));
	for (i = 0; i < n; i++) {
		certs[i] = sk_X509_value(sk, i);
		/* What OpenSSL cannot encode again has no fingerprint: an
		 * answer (""), not a crash. */
		if (anc_cert_fingerprint(certs[i], fp) != ANC_OK &&
		    fp[0] != '\0')
			abort();
	}
	anc_err_clear(&err);
	/* OpenSSL may refuse to encode what it parsed; that is an error
	 * the caller reports, not a crash. */
	if (anc_pem_certs(certs, (size_t)n, &pem, &len, &err) != ANC_OK)
		return;
	if (anc_pem_read_certs((const unsigned char *)pem, len, WHAT, &again,
	    &err) != ANC_OK || sk_X509_num(again) != n)
		abort();
	sk_X509_pop_free(again, X509_free);
	free(pem);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	STACK_OF(X509) *sk = NULL;
	struct anc_err err;
	int r;

	anc_err_clear(&err);
	r = anc_pem_read_certs(data, size, WHAT, &sk, &err);
	if (r == ANC_OK) {
		if (sk == NULL || sk_X509_num(sk) < 1)
			abort();
		round_trip(sk);
		sk_X509_pop_free(sk, X509_free);
	} else if (sk != NULL || (r != ANC_E_INPUT && r != ANC_E_NOMEM) ||
	    err.code != r || strncmp(err.msg, WHAT, strlen(WHAT)) != 0)
		abort();
	ERR_clear_error();
	return 0;
}
