/*
 * anchorage: finding private keys in bytes that are about to leave the
 * appliance, for `outbox verify`; private to export/.
 */
#ifndef ANCHORAGE_EXPORT_KEYSCAN_H
#define ANCHORAGE_EXPORT_KEYSCAN_H

#include <stddef.h>

#include "anchorage/err.h"

/* What every PEM private key's label ends with. */
#define ANC_PRIVATE_KEY_TAG "PRIVATE KEY"
/* Levels of base64 taken off while looking for a key. */
#define ANC_KEY_B64_DEPTH 2

/*
 * A private key in `s`: PEM ("PRIVATE KEY"), DER, or either in base64,
 * down to `depth` levels of base64 (a Secret's data holds base64 of PEM,
 * itself base64).  Returns 1, 0, or -1 when out of memory.
 */
ANC_MUST_CHECK
int anc_holds_private_key(const unsigned char *s, size_t n, int depth);

/* Can `c` stand in a run of base64 as anc_holds_private_key reads one
 * (base64's alphabet without '=', and white space)? */
int anc_b64_run_char(unsigned char c);

/* Base64 (with line breaks) to bytes; -1 if `s` is not base64. *out is
 * owned by the caller, who wipes it: it may be a key. */
ANC_MUST_CHECK
int anc_b64_decode(const unsigned char *s, size_t n, unsigned char **out,
    size_t *outlen);

#endif /* ANCHORAGE_EXPORT_KEYSCAN_H */
