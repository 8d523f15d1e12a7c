/*
 * anchorage: running a ceremony, internal to ceremony/ and shared by
 * run.c (the order of a run, its outbox and its failure report),
 * run_backend.c (the engine's backend over the token), run_token.c (the
 * script's token: ready, opened, logged in, checked read-only) and
 * run_backup.c (the backup steps' second token and medium).
 */
#ifndef ANCHORAGE_RUN_H
#define ANCHORAGE_RUN_H

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/token.h"
#include "engine.h"

struct anc_rehearsal;

/* run_backend.c: the token backend; a rehearsal's makes stand-ins for
 * input certificates' keys and changes no PIN.  be->arg is the token,
 * set once it is open. */
void anc_run_backend(struct anc_backend *be, int rehearsal);

/*
 * run_token.c: before the outbox or the transcript exists, the script's
 * token must be there and ready for a login (initialised, a user PIN set,
 * not locked).  A first run against a token nobody initialised then
 * costs nothing: no transcript, no outbox directory, the name still free
 * (docs/getting-started.md says how to initialise one).  The module and
 * token stay open for the run.
 */
ANC_MUST_CHECK
int anc_run_token_usable(const struct anc_ceremony *c, const char *module,
    const char *args, const char *outbox, struct anc_module **m,
    struct anc_token **t, struct anc_err *err);

/*
 * Open the script's token, record what it is, and log in once.  In a
 * rehearsal the module is SoftHSM2's whatever --module says, and the token
 * is made first, under the label the script's URI names.  Otherwise
 * anc_run_token_usable() opened the token already.
 */
ANC_MUST_CHECK
int anc_run_open_token(struct anc_engine *e, const struct anc_run_opts *o,
    struct anc_rehearsal *rh, struct anc_module **m, struct anc_token **t,
    struct anc_err *err);

/* Is `label` made by a generate-key step of the script? */
ANC_MUST_CHECK
int anc_run_generated_here(const struct anc_ceremony *c, const char *label);

/* The token's evidence record (what it is, its mechanisms). */
ANC_MUST_CHECK
int anc_run_record_token(struct anc_engine *e, struct anc_module *m,
    struct anc_token *t, const char *module,
    const struct anc_slot_info *info, struct anc_err *err);

/*
 * Read-only checks against the token, before any state changes.  Serial
 * numbers and key ids come from the token's generator: a script that
 * needs random bytes is refused by a token that cannot give them (one
 * test draw, not the CKF_RNG flag alone).  Then generate-key labels must
 * be free, self-sign keys present, and input certificates' keys in the
 * token and matching them.
 */
ANC_MUST_CHECK
int anc_run_rng_preflight(const struct anc_ceremony *c, struct anc_token *t,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_run_keys_preflight(const struct anc_ceremony *c, struct anc_token *t,
    const struct anc_engine *e, struct anc_err *err);

/*
 * run_backup.c: before the outbox is written to, the backup steps' PINs
 * can be asked for and the medium is a directory of its own; after the
 * primary's login, the backup token opened, recorded and logged in; then
 * the read-only checks of both tokens.
 */
ANC_MUST_CHECK
int anc_run_backup_begin(const struct anc_ceremony *c,
    const struct anc_run_opts *o, const struct anc_ui *ui,
    struct anc_backup_ctx *bk, struct anc_err *err);
ANC_MUST_CHECK
int anc_run_open_backup(struct anc_engine *e, struct anc_module *m,
    const char *module, struct anc_err *err);
ANC_MUST_CHECK
int anc_run_backup_preflight(const struct anc_ceremony *c,
    struct anc_backup_ctx *bk, struct anc_err *err);

#endif /* ANCHORAGE_RUN_H */
