/*
 * Fuzz target: quorum shares as an officer types them (anc_share_decode).
 * Promises checked: a share that decodes has an index and threshold in
 * range, and encodes back to text that decodes to the same share.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "anchorage/shamir.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anc_share s, again;
	struct anc_err err;
	char text[ANC_SHARE_TEXT_MAX];

	if (anc_share_decode((const char *)data, size, &s, &err) != ANC_OK)
		return 0;
	if (s.index < 1 || s.index > 255 || s.threshold < 2 ||
	    s.threshold > 255)
		abort();
	if (anc_share_encode(&s, text) != ANC_OK ||
	    anc_share_decode(text, strlen(text), &again, &err) != ANC_OK ||
	    memcmp(&s, &again, sizeof(s)) != 0)
		abort();
	anc_wipe(&s, sizeof(s));
	anc_wipe(&again, sizeof(again));
	anc_wipe(text, sizeof(text));
	return 0;
}
