/*
 * anchorage: the records of a run, internal to ceremony/.  The transcript
 * itself (the file, its hash chain, its closing signature) is written by
 * transcript/ (anchorage/transcript.h); this is what ceremony/ records in
 * it: what a step will do, one function per record type, and the closing
 * record's signer.
 */
#ifndef ANCHORAGE_RECORDS_H
#define ANCHORAGE_RECORDS_H

#include <stddef.h>

#include "anchorage/err.h"
#include "anchorage/transcript.h"
#include "ceremony_int.h"

struct anc_err;

/*
 * What a step will do, as `ceremony plan` says it, without its number or
 * the files it writes (plan.c).  *text owned by the caller.
 */
ANC_MUST_CHECK
int anc_step_describe(const struct anc_step *s, char **text,
    struct anc_err *err);

/*
 * The records of a run (records.c), one function per type; each does
 * nothing when e->tr is NULL (checking).  docs/transcript-format.md lists
 * their fields.
 */
struct anc_engine;

/* Room for the inputs of the largest step. */
#define ANC_REC_ITEMS_MAX (2 * ANC_CER_LIST_MAX + 4)

ANC_MUST_CHECK
int anc_rec_start(struct anc_engine *e, const char *outbox,
    const char *module, const struct anc_step *signer,
    const struct anc_input *signer_in, struct anc_err *err);
ANC_MUST_CHECK
int anc_rec_participants(struct anc_engine *e, struct anc_err *err);
ANC_MUST_CHECK
int anc_rec_token(struct anc_engine *e, const struct anc_slot_info *info,
    const unsigned long *mechs, size_t nmech, const char *module_path,
    const char *module_manufacturer, const char *module_description,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_rec_input(struct anc_engine *e, const struct anc_input *in,
    const char *sha256, struct anc_err *err);
ANC_MUST_CHECK
int anc_rec_step(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_rec_key(struct anc_engine *e, const struct anc_key_info *k,
    const char *spki_sha256, struct anc_err *err);
/* A file written for one cluster of a batch step. */
struct anc_rec_file {
	char name[300];
	char sha256[65];
	size_t size;
};

/* One cluster of a batch step: its files (and CSR) in one record. */
ANC_MUST_CHECK
int anc_rec_cluster(struct anc_engine *e, const char *cluster, int line,
    const char *csr_sha256, const struct anc_rec_file *files, size_t n,
    struct anc_err *err);
ANC_MUST_CHECK
/* The token asked for the PIN again for one signature with `key`. */
int anc_rec_context_login(struct anc_engine *e, const char *key,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_rec_output(struct anc_engine *e, const char *file,
    const char *sha256, size_t size, struct anc_err *err);
ANC_MUST_CHECK
int anc_rec_confirmation(struct anc_engine *e, enum anc_confirm_phase phase,
    int step, const char *role, const char *name, const char *typed,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_rec_exception(struct anc_engine *e, int step, const char *role,
    const char *name, const char *text, struct anc_err *err);

/* A step's inputs with the SHA-256 of the file each came from (NULL for
 * a key in the token), into v[cap]. */
void anc_rec_step_inputs(const struct anc_engine *e,
    const struct anc_step *s, struct anc_confirm_item *v, size_t cap,
    size_t *n);

/*
 * The key that signs the closing record (closing.c): the first self-sign
 * step's, else the first input certificate's with a key in the token;
 * both NULL if the script has neither.
 */
void anc_closing_signer(const struct anc_ceremony *c,
    const struct anc_step **step, const struct anc_input **in);

/*
 * Write the closing record: "end" when `complete`, else "abort" saying
 * `cause`.  Signed when the signer's certificate exists; an abort that
 * cannot be signed is written unsigned.  Then the UI is told the closing
 * hash.  Does nothing if there is no transcript or it is closed already.
 */
ANC_MUST_CHECK
int anc_closing_write(struct anc_engine *e, int complete,
    const struct anc_err *cause, struct anc_err *err);

#endif /* ANCHORAGE_RECORDS_H */
