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

#endif /* ANCHORAGE_TRANSCRIPT_INT_H */
