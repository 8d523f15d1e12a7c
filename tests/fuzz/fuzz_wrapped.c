/*
 * Fuzz target: the wrapped-key blob read back from the backup medium
 * (anc_blob_parse).  Promises checked: a blob that parses has a scheme,
 * a label, both SHA-256 values and both wrapped parts; formatted again it
 * parses to the same fields and bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "fuzz.h"
#include "steps.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static int
same(const struct anc_blob *a, const struct anc_blob *b)
{
	return strcmp(a->ceremony, b->ceremony) == 0 &&
	    strcmp(a->label, b->label) == 0 && a->id_len == b->id_len &&
	    memcmp(a->id, b->id, a->id_len) == 0 &&
	    strcmp(a->spki, b->spki) == 0 &&
	    strcmp(a->kek_spki, b->kek_spki) == 0 &&
	    a->w.scheme == b->w.scheme && a->w.kek_len == b->w.kek_len &&
	    memcmp(a->w.kek, b->w.kek, a->w.kek_len) == 0 &&
	    a->w.key_len == b->w.key_len &&
	    memcmp(a->w.key, b->w.key, a->w.key_len) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anc_blob b, again;
	struct anc_err err;
	char *text = NULL;
	size_t len = 0;

	if (anc_blob_parse(data, size, &b, &err) != ANC_OK)
		return 0;
	if (anc_wrap_scheme_name(b.w.scheme) == NULL || b.label[0] == '\0' ||
	    strlen(b.spki) != 64 || strlen(b.kek_spki) != 64 ||
	    b.w.kek == NULL || b.w.kek_len == 0 || b.w.key == NULL ||
	    b.w.key_len == 0)
		abort();
	if (anc_blob_format(&b, &text, &len, &err) != ANC_OK ||
	    anc_blob_parse((const unsigned char *)text, len, &again, &err) !=
	    ANC_OK || !same(&b, &again))
		abort();
	free(text);
	anc_wrapped_clear(&b.w);
	anc_wrapped_clear(&again.w);
	return 0;
}
