/*
 * anchorage: checking the script's token before a run changes anything,
 * internal to ceremony/.  The needs model (anc_ceremony_needs,
 * anc_need_check) against the capabilities the token reports.
 */
#ifndef ANCHORAGE_PREFLIGHT_H
#define ANCHORAGE_PREFLIGHT_H

#include <jansson.h>

#include "anchorage/ceremony.h"
#include "anchorage/token.h"

struct anc_err;

/*
 * Read an open token's capabilities, and those of the script's
 * backup-token from the same module `m` (no login needed), and refuse,
 * with ANC_E_TOKEN_LACKS naming each step, algorithm and missing
 * mechanism or size, tokens that lack what the script needs.
 */
int anc_preflight_fits(const struct anc_ceremony *c, struct anc_module *m,
    struct anc_token *t, struct anc_err *err);

/*
 * A rehearsal's look at the real token: load `module` (with `args`, its
 * initialisation string, when not NULL), open the script's token (no
 * login, no session object, nothing written), check the script against
 * its capabilities as a run would, and unload the module again.
 * On success *rec (owned by the caller) holds what was found, for the
 * rehearsal transcript's "probe" record.  Module or token missing:
 * ANC_E_MODULE / ANC_E_NOTOKEN; a token that lacks something:
 * ANC_E_TOKEN_LACKS.  Must run before the rehearsal points SOFTHSM2_CONF
 * at its throwaway token.
 */
int anc_preflight_real_token(const struct anc_ceremony *c,
    const char *module, const char *args, json_t **rec,
    struct anc_err *err);

#endif /* ANCHORAGE_PREFLIGHT_H */
