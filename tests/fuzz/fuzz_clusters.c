/*
 * Fuzz target: the cluster list of a fleet ceremony (docs/fleet.md), and
 * CSRs read the batch way (csr_fast.c).  The input is read line by line,
 * then checked whole with overlaps forbidden, then, as a CSR, with the
 * proof of possession verified.  Promises checked: the reader stops (one
 * cluster per call, never more than the lines), every cluster it returns
 * has a name, a namespace and at least one name, a failure has a message
 * naming the file, the whole-list check agrees with the reader on the
 * count, and a CSR taken by either path carries a key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	X509_REQ *req = NULL;
	size_t n = 0, lines = 1, i, count = 0;
	int r, pop = 0;

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
	if (anc_csr_read_fast(data, size, "fuzz.csr", 1, &req, &pop, &err) ==
	    ANC_OK && X509_REQ_get0_pubkey(req) == NULL)
		abort();
	X509_REQ_free(req);
	return 0;
}
