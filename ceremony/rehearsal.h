/*
 * anchorage: rehearsals, internal to ceremony/.  A rehearsal runs the same
 * script against a SoftHSM2 token made for it in a new temporary
 * directory, with random PINs that exist only in this process's memory,
 * and removes the token afterwards.
 */
#ifndef ANCHORAGE_REHEARSAL_H
#define ANCHORAGE_REHEARSAL_H

#include <stddef.h>

#include "anchorage/err.h"
#include "anchorage/token.h"

struct anc_err;
struct anc_rehearsal;

/* The module a rehearsal loads, whatever --module says. */
#ifndef ANC_SOFTHSM2_MODULE
#define ANC_SOFTHSM2_MODULE "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"
#endif

/*
 * Make the token directory (mkdtemp, 0700, in $TMPDIR if that is an
 * absolute path, else /tmp) and its SoftHSM2 configuration,
 * and point SOFTHSM2_CONF at it.  Must come before the module is loaded:
 * SoftHSM2 reads the variable in C_Initialize.
 */
ANC_MUST_CHECK
int anc_rehearsal_begin(struct anc_rehearsal **out, struct anc_err *err);

/*
 * Initialise the throwaway token with the label the script's URI names
 * ("rehearsal" if it names none) and random SO and user PINs; the SO PIN
 * is wiped at once.  Sets uri (cap bytes) to a URI that selects it.
 */
ANC_MUST_CHECK
int anc_rehearsal_token(struct anc_rehearsal *rh, struct anc_module *m,
    const char *script_uri, char *uri, size_t cap, struct anc_err *err);

/* anc_pin_fn for the one login: hands over the user PIN, then wipes it. */
ANC_MUST_CHECK
int anc_rehearsal_pin(void *arg, const struct anc_slot_info *info,
    struct anc_secret *pin, struct anc_err *err);

/* Where the token lives, for messages. */
const char *anc_rehearsal_dir(const struct anc_rehearsal *rh);

/*
 * After the module is unloaded: remove the token directory, restore
 * SOFTHSM2_CONF, wipe the PINs.  Returns 0, or -1 if something could not
 * be removed.  anc_rehearsal_end(NULL) returns 0.
 */
ANC_MUST_CHECK
int anc_rehearsal_end(struct anc_rehearsal *rh);

#endif /* ANCHORAGE_REHEARSAL_H */
