/*
 * anchorage: the kinds of step a script can use, each defined in its own
 * step_<kind>.c (step.h says what a kind holds).  The order is the one
 * messages list them in ("unknown step kind ...; expected one of: ...").
 */

#include "step.h"

/* One line per kind. */
#define ANC_STEP_KINDS(X) \
	X(generate_key) \
	X(self_sign) \
	X(issue_intermediate) \
	X(sign_csr) \
	X(cross_sign) \
	X(bundle) \
	X(sign_crl) \
	X(export_secret) \
	X(export_bundle) \
	X(export_issuer) \
	X(export_vault) \
	X(split_pin) \
	X(backup_keypair) \
	X(backup_trust) \
	X(backup_wrap) \
	X(backup_restore) \
	X(backup_verify) \
	X(batch_issue_intermediate) \
	X(batch_sign_csr)

#define DECLARE(k)	extern const struct anc_step_type anc_kind_##k;
#define ENTRY(k)	&anc_kind_##k,

ANC_STEP_KINDS(DECLARE)

const struct anc_step_type *const anc_step_types[] = {
	ANC_STEP_KINDS(ENTRY)
};

const size_t anc_n_step_types = ANC_N(anc_step_types);

/* A kind's number is its output's bit in the artifact classes (step.h). */
_Static_assert(ANC_N(anc_step_types) < ANC_ART_INPUT_BASE,
    "step kinds would overlap the input bits of ANC_ART_*");
