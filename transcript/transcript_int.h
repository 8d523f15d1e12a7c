/*
 * anchorage: transcript internals shared by the files of transcript/.
 */
#ifndef ANCHORAGE_TRANSCRIPT_INT_H
#define ANCHORAGE_TRANSCRIPT_INT_H

#include <jansson.h>

#include "anchorage/err.h"
#include "anchorage/transcript.h"

extern const char *const anc_pgp_even[256];
extern const char *const anc_pgp_odd[256];

/*
 * Read and verify a transcript (transcript_verify.c), keeping its records
 * for the report: *records is a JSON array, owned by the caller.
 */
ANC_MUST_CHECK
int anc_tr_load_verified(const char *outbox, const char *anchor,
    json_t **records, struct anc_tr_summary *s, struct anc_err *err);

#endif /* ANCHORAGE_TRANSCRIPT_INT_H */
