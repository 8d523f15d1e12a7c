/*
 * anchorage: the ceremony steps, internal to ceremony/.  Each takes the
 * engine and its step and returns an error code; the engine adds the step
 * number and file line to any message.
 */
#ifndef ANCHORAGE_STEPS_H
#define ANCHORAGE_STEPS_H

#include "engine.h"
#include "profile.h"

struct anc_err;

int anc_step_generate_key(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_self_sign(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_bundle(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_issue_intermediate(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_sign_csr(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_cross_sign(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_sign_crl(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_export_secret(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_export_bundle(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_export_issuer(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_export_vault(struct anc_engine *, const struct anc_step *,
    struct anc_err *);
int anc_step_split_pin(struct anc_engine *, const struct anc_step *,
    struct anc_err *);

/* Artifacts by name; NULL if absent. */
struct anc_artifact *anc_engine_find(struct anc_engine *e, const char *name);
/* A new artifact; NULL if the name is taken or the table is full. */
struct anc_artifact *anc_engine_new_art(struct anc_engine *e,
    const char *name, enum anc_art_kind kind, const struct anc_step *s);

/*
 * Issue a certificate: serial from the backend's random source, build,
 * lint, sign with `signer_label`, verify with that key's public key as the
 * backend holds it, lint again.  *out owned by the caller.
 */
int anc_steps_issue(struct anc_engine *e, struct anc_cert_spec *spec,
    const char *signer_label, enum anc_keyalg hint, X509 **out,
    struct anc_err *err);

/* When checking: prove the CA's name constraints and EKU limit with
 * throwaway leaves signed by `key` (NULL: one is made).  A no-op in the
 * run and for a CA without them. */
int anc_steps_prove(struct anc_engine *e, X509 *ca,
    const struct anc_constraints *nc, unsigned eku, EVP_PKEY *key,
    struct anc_err *err);

/* Write PEM certificates to the outbox as "<name>.pem" (no-op when
 * checking). */
int anc_steps_write_certs(struct anc_engine *e, const char *name,
    X509 *const *certs, size_t n, struct anc_err *err);

/* The same for every certificate of a stack, in order. */
int anc_steps_write_stack(struct anc_engine *e, const char *name,
    STACK_OF(X509) *sk, struct anc_err *err);

/* Write any bytes to the outbox (no-op when checking). */
int anc_steps_write(struct anc_engine *e, const char *file, const void *data,
    size_t len, mode_t mode, struct anc_err *err);

/* A CRL, PEM or DER, with no trailing data. */
int anc_steps_read_crl(const unsigned char *data, size_t len,
    const char *what, X509_CRL **out, struct anc_err *err);

/* A PKCS#10 request, PEM or DER, with no trailing data. */
int anc_steps_read_csr(const unsigned char *data, size_t len,
    const char *what, X509_REQ **out, struct anc_err *err);

/*
 * sign-csr's policy (policy.c): proof of possession, key type and size,
 * validity and path length against the script's policy and the issuer,
 * subject rules.  Requested extensions are ignored, never copied.  Sets
 * *subject (owned by the caller) to the subject to certify.  Returns
 * ANC_OK or ANC_E_POLICY naming the rule ("policy key-size: ...").
 * `verified` (may be NULL) says whether this same request object has
 * passed the proof of possession and key validation already, which are
 * then not repeated; it is set when they pass.
 */
int anc_policy_check_csr(X509_REQ *req, int *verified,
    const struct anc_step *s, X509 *issuer, const struct anc_cert_spec *spec,
    X509_NAME **subject, struct anc_err *err);

#endif /* ANCHORAGE_STEPS_H */
