/*
 * Fuzz target: what `outbox verify` reads in each file of an outbox.  The
 * input is a file name, a newline, then the file's bytes; the name picks
 * the kind (PEM, manifest, Helm values, transcript, README), as it does
 * in an outbox.  Promises checked: a refusal has one of the documented
 * codes and a message; an accepted file holds the text "PRIVATE KEY" only if
 * it is a manifest with a kubernetes.io/tls Secret.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "export_int.h"
#include "fuzz.h"

#define NAME_MAX_LEN 300

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anc_verify_item it;
	struct anc_err err;
	const uint8_t *nl;
	char name[NAME_MAX_LEN + 1];
	size_t nlen;
	int r;

	nl = memchr(data, '\n', size < NAME_MAX_LEN ? size : NAME_MAX_LEN);
	if (nl == NULL)
		return 0;
	nlen = (size_t)(nl - data);
	memcpy(name, data, nlen);
	name[nlen] = '\0';
	data += nlen + 1;
	size -= nlen + 1;

	memset(&it, 0, sizeof(it));
	anc_err_clear(&err);
	r = anc_outbox_check_content(name, data, size, &it, &err);
	if (strnlen(it.kind, sizeof(it.kind)) == sizeof(it.kind) ||
	    strnlen(it.detail, sizeof(it.detail)) == sizeof(it.detail))
		abort();
	if (r == ANC_OK) {
		if (memmem(data, size, "PRIVATE KEY", 11) != NULL &&
		    (strcmp(anc_outbox_kind(name), "manifest") != 0 ||
		    strstr(it.detail, "Secret") == NULL))
			abort();
	} else if ((r != ANC_E_VERIFY && r != ANC_E_INPUT && r != ANC_E_NOMEM) ||
	    err.code != r || err.msg[0] == '\0')
		abort();
	ERR_clear_error();
	return 0;
}
