/*
 * Fuzz target: the cluster list of a fleet ceremony (docs/fleet.md), and
 * CSRs read the batch way (csr_fast.c).  The input is read line by line,
 * then checked whole with overlaps forbidden, then, as a CSR, with the
 * proof of possession verified.  Promises checked: the reader stops (one
 * cluster per call, never more than the lines), every cluster it returns
 * has a name, a namespace and at least one name, a failure has a message
 * naming the file, the whole-list check agrees with the reader on the
 * count, and a CSR taken by either path carries a key and a subject,
 * with its proof of possession verified, in both key forms (verified and
 * not), and the two read the same key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "clusters.h"
#include "fuzz.h"
#include "steps.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anc_clusters_reader rd;
	struct anc_clusters_rules rules;
	struct anc_cluster c;
	struct anc_err err;
	struct anc_csr_keys keys;
	struct anc_csr csr, plain;
	size_t n = 0, lines = 1, i, count = 0;
	int r;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&c, 0, sizeof(c));
	anc_err_clear(&err);
	anc_clusters_begin(&rd, "fuzz.txt", data, size);
	while ((r = anc_clusters_next(&rd, &c, &err)) == 1) {
		if (++n > lines || c.name[0] == '\0' || c.ns[0] == '\0' ||
		    c.permitted.n_dns + c.permitted.n_ip +
		    c.permitted.n_email == 0)
			abort();
	}
	anc_cluster_clear(&c);
	if (r != 0 && strncmp(err.msg, "fuzz.txt:", 9) != 0)
		abort();
	memset(&rules, 0, sizeof(rules));
	rules.forbid_overlap = 1;
	rules.dir = "/nonexistent";
	anc_err_clear(&err);
	r = anc_clusters_check("fuzz.txt", data, size, &rules, &count, &err);
	if (r == ANC_OK && count != n)
		abort();
	anc_err_clear(&err);
	memset(&keys, 0, sizeof(keys));
	if (anc_csr_read_fast(data, size, "fuzz.csr", 1, &keys, &csr, &err) ==
	    ANC_OK) {
		if (csr.key == NULL || csr.subject == NULL || !csr.pop)
			abort();
		anc_err_clear(&err);
		if (anc_csr_read_fast(data, size, "fuzz.csr", 0, &keys, &plain,
		    &err) != ANC_OK || plain.key == NULL ||
		    EVP_PKEY_eq(plain.key, csr.key) != 1)
			abort();
		anc_csr_clear(&plain);
	} else if (strncmp(err.msg, "fuzz.csr", 8) != 0 &&
	    strncmp(err.msg, "policy proof-of-possession", 26) != 0) {
		abort();
	}
	anc_csr_clear(&csr);
	anc_csr_keys_free(&keys);
	return 0;
}
