/*
 * anchorage: kinds of step, internal to ceremony/.
 *
 * Everything about one kind is in its file, ceremony/step_<kind>.c: the
 * table of its parameters, its checks across fields, the words the plan
 * reads aloud, the outbox files it writes, the artifacts its transcript
 * record names, and its action.  The file defines one struct
 * anc_step_type, listed in anc_step_types[] (steps.c); the parser sets
 * each step's `type` to it, and validate, plan, records and engine reach
 * the kind only through that.  The helpers the kinds share are declared
 * below, each where its stage lives.
 */
#ifndef ANCHORAGE_STEP_H
#define ANCHORAGE_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "anchorage/buf.h"
#include "anchorage/ceremony.h"
#include "ceremony_int.h"
#include "schema.h"

struct anc_derive;
struct anc_engine;
struct anc_err;
struct anc_buf;
struct anc_vctx;

struct anc_step_type {
	enum anc_step_kind kind;
	const char *name;		/* as scripts spell it */
	int uses_token;			/* the script needs `token` */
	int uses_backup_token;		/* ... or `backup-token` (docs/backup.md) */
	/* Schema: the parameters, and the defaults no table can say. */
	const struct anc_field *fields;
	size_t n_fields;
	int (*init)(struct anc_reader *p, struct anc_step *s);
	/* Meaning: references to artifacts, limits across fields. */
	int (*check)(struct anc_vctx *v, const struct anc_step *s);
	/* What the step does, in the words the administrator reads aloud. */
	void (*plan)(struct anc_buf *t, const struct anc_step *s);
	/* The outbox files it writes, into names[0..*n). */
	int (*files)(const struct anc_step *s, char names[][128], size_t cap,
	    size_t *n);
	/* What it needs from the token (`token probe`, the run's first
	 * check): anc_need_push() and the helpers below. */
	int (*needs)(struct anc_derive *d, const struct anc_step *s,
	    struct anc_err *err);
	/* The artifacts it reads, for its transcript record. */
	void (*inputs)(const struct anc_engine *e, const struct anc_step *s,
	    struct anc_confirm_item *v, size_t cap, size_t *n);
	/* The action: build, lint, sign, verify, then write. */
	int (*run)(struct anc_engine *e, const struct anc_step *s,
	    struct anc_err *err);
};

/* Every kind, in the order scripts' messages list them (steps.c).  Only
 * the parser reads the list: it gives each step its kind's descriptor
 * (anc_step.type), through which the other stages reach the kind. */
#define ANC_CER_STEP_KINDS_MAX	32
extern const struct anc_step_type *const anc_step_types[];
extern const size_t anc_n_step_types;

#define ANC_STEP_FIELDS(f)	.fields = (f), .n_fields = ANC_N(f)

/*
 * Schema (schema_params.c): parameter types more than one kind uses
 */

extern const struct anc_type anc_t_subject, anc_t_name_constraints,
    anc_t_eku;
/* sign-csr's policy, which batch-sign-csr shares (step_sign_csr.c): the
 * mapping, its defaults, and its limits on validity and path length. */
extern const struct anc_type anc_t_policy;
ANC_MUST_CHECK
int anc_sign_csr_init(struct anc_reader *p, struct anc_step *s);
ANC_MUST_CHECK
int anc_check_policy(struct anc_vctx *v, const struct anc_step *s);
/* The batch steps' shared parts (step_batch_issue_intermediate.c): the
 * overlap rule, the checks, the outbox directory and the token needs. */
extern const struct anc_type anc_t_overlap;
ANC_MUST_CHECK
int anc_check_batch(struct anc_vctx *v, const struct anc_step *s);
ANC_MUST_CHECK
int anc_step_files_batch(const struct anc_step *s, char names[][128],
    size_t cap, size_t *n);
ANC_MUST_CHECK
int anc_needs_batch(struct anc_derive *d, const struct anc_step *s,
    struct anc_err *err);

/*
 * Checks (validate.c)
 */

/*
 * What an artifact is, one bit each, so a reference can accept several:
 * the output of a step of kind k is bit k, the inputs sit above
 * ANC_ART_INPUT_BASE.  steps.c refuses to compile when the kinds reach it.
 */
#define ANC_ART_INPUT_BASE	48
#define ANC_ART_STEP(k)		(UINT64_C(1) << (k))	/* output of kind k */
#define ANC_ART_CERT_IN		(UINT64_C(1) << 48)	/* certificate input */
#define ANC_ART_CERT_KEY	(UINT64_C(1) << 49)	/* ... key in the token */
#define ANC_ART_CSR_IN		(UINT64_C(1) << 50)	/* csr input */
#define ANC_ART_INVENTORY_IN	(UINT64_C(1) << 51)	/* inventory input */
#define ANC_ART_BUNDLE_IN	(UINT64_C(1) << 52)	/* bundle input */
#define ANC_ART_CRL_IN		(UINT64_C(1) << 53)	/* crl input */
#define ANC_ART_CLUSTERS_IN	(UINT64_C(1) << 54)	/* clusters input */

struct anc_vctx {
	const struct anc_ceremony *c;
	struct anc_err *err;
};

/* A named input or step output. */
struct anc_artref {
	const struct anc_input *in;
	const struct anc_step *step;
};

/* "PATH:LINE: FIELD: ..." as ANC_E_FIELD. */
int anc_verr(struct anc_vctx *v, int line, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "steps[3].issue-intermediate.issuer" into buf. */
const char *anc_step_field(char *buf, size_t cap, const struct anc_step *s,
    const char *param);
/* A field's line, or the step's when the field was left to its default. */
ANC_MUST_CHECK
int anc_line_or(const struct anc_step *s, int line);
/*
 * `name`, referred to by step s in `field`, must be an input or the output
 * of an earlier step, of a class in `accept` (`expect` says which in
 * words).  The definition goes to *a.
 */
ANC_MUST_CHECK
int anc_ref(struct anc_vctx *v, const struct anc_step *s, const char *field,
    int line, const char *name, uint64_t accept, const char *expect,
    struct anc_artref *a);
/* The certificate whose key signs: a root made here, or one brought in
 * together with the label of its key in the token. */
ANC_MUST_CHECK
int anc_ref_issuer(struct anc_vctx *v, const struct anc_step *s,
    struct anc_artref *a);
/* Below a root made in this script: a shorter path and a shorter life. */
ANC_MUST_CHECK
int anc_check_under(struct anc_vctx *v, const struct anc_step *s,
    const struct anc_artref *a);
/* Officers holding shares of the PIN: crypto officers, at least K. */
ANC_MUST_CHECK
int anc_check_officers(struct anc_vctx *v, const struct anc_officers *o,
    const char *field);

/*
 * Plan text (plan.c)
 */

/* Plan text is written with anc_buf_put() (anchorage/buf.h). */
void anc_put_dn(struct anc_buf *t, const struct anc_dn *dn);
/* "Carol Example (share 1), ..." */
void anc_put_names(struct anc_buf *t, const struct anc_officers *o,
    int numbered);
/* "<what> for <subject>, valid <d>, path length <n>" */
void anc_put_cert_step(struct anc_buf *t, const struct anc_step *s,
    const char *what);

/*
 * Outbox files (names.c)
 */

/* Append prefix + name + suffix; 0, or -1 when names[] or a name is full. */
ANC_MUST_CHECK
int anc_step_add_file(char names[][128], size_t cap, size_t *n,
    const char *prefix, const char *name, const char *suffix);
/* A certificate step's one file: "<output>.pem". */
ANC_MUST_CHECK
int anc_step_files_pem(const struct anc_step *s, char names[][128],
    size_t cap, size_t *n);

/*
 * Token needs (needs.c)
 */

/* One need of step s, added to d; NULL (err set) when d is full. */
struct anc_need *anc_need_push(struct anc_derive *d,
    const struct anc_step *s, enum anc_need_op op, enum anc_keyalg alg,
    const char *key, const char *use, struct anc_err *err);
/* A certificate issued under `issuer`: when its key is in the token, a
 * serial number (if `serial`) from the token's generator, then a
 * signature. */
ANC_MUST_CHECK
int anc_need_issue(struct anc_derive *d, const struct anc_step *s,
    const char *issuer, int serial, struct anc_err *err);
/* Artifact `art` is signed by token key `label` from now on (or, for
 * a wrapped key, carries it). */
void anc_need_signer(struct anc_derive *d, const char *art,
    const char *label);
/* The algorithm the script gives key `label`; ANC_KEY_NONE if unsaid. */
enum anc_keyalg anc_need_key_alg(const struct anc_derive *d,
    const char *label);
/* The key behind artifact `art`: its algorithm, and its label in *label
 * (NULL when no token key is behind it). */
enum anc_keyalg anc_need_art_key(const struct anc_derive *d,
    const char *art, const char **label);

/*
 * Transcript records (records.c)
 */

/* One artifact a step reads; token_key: a key label, not a file. */
void anc_rec_item(const struct anc_engine *e, struct anc_confirm_item *v,
    size_t cap, size_t *n, const char *name, int token_key);
/* The issuer, CSR and certificate, where the kind has them. */
void anc_rec_inputs_signing(const struct anc_engine *e,
    const struct anc_step *s, struct anc_confirm_item *v, size_t cap,
    size_t *n);

#endif /* ANCHORAGE_STEP_H */
