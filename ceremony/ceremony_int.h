/*
 * anchorage: the typed ceremony, internal to ceremony/.
 *
 * parse.c turns YAML into this model, checking shape and types (unknown
 * and duplicate keys, anchors, aliases, tags, wrong types, limits).
 * validate.c then checks meaning (references between steps, ranges that
 * depend on other fields).  Only a model that passed both reaches run.c.
 */
#ifndef ANCHORAGE_CEREMONY_INT_H
#define ANCHORAGE_CEREMONY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/rotation.h"
#include "anchorage/token.h"

/* Limits, documented in docs/ceremony-format.md. */
#define ANC_CER_FILE_MAX	(256 * 1024)	/* bytes of YAML */
#define ANC_CER_SCALAR_MAX	4096		/* bytes in one scalar */
#define ANC_CER_DEPTH_MAX	8		/* nested collections */
#define ANC_CER_STEPS_MAX	256
#define ANC_CER_LIST_MAX	64		/* participants, anchors, revocations */
#define ANC_CER_INPUTS_MAX	256
#define ANC_CER_NAME_MAX	64		/* ceremony, artifact, label, k8s names */
#define ANC_CER_DN_MAX		8		/* attributes in one subject */
#define ANC_CER_VALIDITY_MAX	(100ULL * 366 * 86400)	/* seconds */
#define ANC_CER_PATHLEN_MAX	16
#define ANC_PATHLEN_NONE	(-1)		/* no pathLenConstraint */
#define ANC_CER_OFFICERS_MAX	16		/* N of a K-of-N PIN split */

enum anc_role {
	ANC_ROLE_ADMINISTRATOR = 1,
	ANC_ROLE_WITNESS,
	ANC_ROLE_CRYPTO_OFFICER,
	ANC_ROLE_AUDITOR,
	ANC_ROLE_OBSERVER
};

struct anc_participant {
	char *name;
	enum anc_role role;
	int line;
};

enum anc_input_kind {
	ANC_INPUT_CERTIFICATE = 1,	/* a PEM certificate from an earlier ceremony */
	ANC_INPUT_CSR,			/* a PEM or DER PKCS#10 request */
	ANC_INPUT_INVENTORY,		/* an inventory check report (rotation) */
	ANC_INPUT_BUNDLE,		/* a PEM trust bundle: every certificate */
	ANC_INPUT_CRL,			/* a CRL from an earlier ceremony */
	ANC_INPUT_CLUSTERS		/* a fleet's cluster list (docs/fleet.md) */
};

struct anc_input {
	enum anc_input_kind kind;
	char *name;		/* artifact name other fields refer to */
	char *file;		/* as written; relative to the script's directory */
	char *path;		/* resolved path */
	char *key;		/* certificate inputs: label of its key in the token, or NULL */
	char *sha256;		/* expected SHA-256 (64 lowercase hex), or NULL */
	int line;
};

/*
 * Name constraints of an issuing CA (RFC 5280 4.2.1.10), by type; docs:
 * ceremony-format.md "Name constraints".  DNS names and e-mail domains are
 * lowercase, without a leading dot; an IP range is an address and a prefix.
 */
struct anc_ip_range {
	unsigned char addr[16];	/* network address, host bits zero */
	int len;		/* 4 or 16 bytes */
	int prefix;		/* 1..32 or 1..128 */
};

struct anc_subtrees {
	char **dns;
	size_t n_dns;
	struct anc_ip_range *ip;
	size_t n_ip;
	char **email;
	size_t n_email;
};

struct anc_constraints {
	struct anc_subtrees permitted;
	struct anc_subtrees excluded;
	int line;		/* of the name-constraints mapping; 0: none */
};

/* Extended key usages an issuing CA may be limited to, one bit each. */
enum anc_eku {
	ANC_EKU_SERVER_AUTH = 0,
	ANC_EKU_CLIENT_AUTH,
	ANC_EKU_CODE_SIGNING,
	ANC_EKU_EMAIL_PROTECTION,
	ANC_EKU_TIME_STAMPING,
	ANC_EKU_OCSP_SIGNING,
	ANC_EKU__COUNT
};

/* One attribute of a distinguished name, in the order they are encoded. */
struct anc_dn_attr {
	const char *type;	/* "C", "ST", "L", "O", "OU", "CN": static strings */
	char *value;
};

struct anc_dn {
	struct anc_dn_attr attrs[ANC_CER_DN_MAX];
	size_t n;		/* 0: not given */
};

enum anc_step_kind {
	ANC_STEP_GENERATE_KEY = 1,
	ANC_STEP_SELF_SIGN,
	ANC_STEP_ISSUE_INTERMEDIATE,
	ANC_STEP_SIGN_CSR,
	ANC_STEP_CROSS_SIGN,
	ANC_STEP_BUNDLE,
	ANC_STEP_SIGN_CRL,
	ANC_STEP_EXPORT_SECRET,
	ANC_STEP_EXPORT_BUNDLE,
	ANC_STEP_EXPORT_ISSUER,
	ANC_STEP_EXPORT_VAULT,
	ANC_STEP_SPLIT_PIN,
	ANC_STEP_BACKUP_KEYPAIR,	/* backup token: the unwrap key pair */
	ANC_STEP_BACKUP_TRUST,		/* token, as SO: trust it for one wrap */
	ANC_STEP_BACKUP_WRAP,		/* token: wrap a key to the medium */
	ANC_STEP_BACKUP_RESTORE,	/* backup token: unwrap it */
	ANC_STEP_BACKUP_VERIFY,		/* backup token: sign a challenge */
	ANC_STEP_BATCH_ISSUE,		/* batch-issue-intermediate */
	ANC_STEP_BATCH_SIGN_CSR		/* batch-sign-csr */
};

enum anc_crl_reason {
	ANC_REASON_UNSPECIFIED = 0,
	ANC_REASON_KEY_COMPROMISE = 1,
	ANC_REASON_CA_COMPROMISE = 2,
	ANC_REASON_AFFILIATION_CHANGED = 3,
	ANC_REASON_SUPERSEDED = 4,
	ANC_REASON_CESSATION_OF_OPERATION = 5
};

/*
 * Crypto officers who hold shares of the user PIN, K of N: a split-pin
 * step's, or the script's quorum.  threshold 0: absent.
 */
struct anc_officers {
	int threshold;		/* K, 2..ANC_CER_OFFICERS_MAX */
	char **names;		/* N participant names, in share order */
	int *lines;		/* where each name was written */
	size_t n;
	char *commitment;	/* quorum: 16 lowercase hex digits, or NULL */
	int line;		/* of the quorum mapping */
	int threshold_line;
};

struct anc_revocation {
	char *certificate;	/* artifact name */
	enum anc_crl_reason reason;
	int line;
};

/*
 * One step.  Which fields are meaningful depends on `kind`; the others are
 * zero/NULL.  Defaults are filled in by the parser, so run.c never guesses.
 */
struct anc_step_type;

struct anc_step {
	enum anc_step_kind kind;
	/* The kind's descriptor (step.h), set by the parser: the stages reach
	 * the kind through it, not through the list of kinds in steps.c, so
	 * the helpers the kinds call never depend on that list. */
	const struct anc_step_type *type;
	int line;		/* line of the step's key in the file */
	int index;		/* 1-based position in steps */

	/* generate-key */
	char *label;
	enum anc_keyalg algorithm;	/* also issue-intermediate's software key */
	enum anc_backup_policy backup;	/* default none */

	/* self-sign: the token key label */
	char *key;

	/* issue-intermediate, sign-csr, cross-sign, sign-crl: artifact name of
	 * the signing certificate, whose key is in the token */
	char *issuer;

	/* sign-csr: input name of the CSR; cross-sign: artifact certified */
	char *csr;
	char *certificate;

	struct anc_dn subject;		/* self-sign, issue-intermediate, sign-csr (optional) */
	uint64_t validity;		/* seconds; CRL: until nextUpdate */
	int path_length;		/* ANC_PATHLEN_NONE or 0..ANC_CER_PATHLEN_MAX */

	/* issue-intermediate, sign-csr: critical nameConstraints, and the
	 * extendedKeyUsage limit (bit (1 << anc_eku) each; 0: none) */
	struct anc_constraints nc;
	unsigned eku;

	/* sign-csr policy */
	unsigned policy_algs;		/* bit (1 << anc_policy_alg) per allowed key */
	uint64_t policy_max_validity;	/* seconds */
	int policy_max_path_length;

	/* bundle; retires, inventory and exceptions make it a retire gate */
	char **anchors;
	size_t n_anchors;
	char **retires;
	size_t n_retires;
	char *inventory;
	struct anc_exception *exceptions;
	size_t n_exceptions;

	/* sign-crl */
	struct anc_revocation *revoke;
	size_t n_revoke;
	uint64_t crl_number;
	char *previous;		/* the CRL this one replaces: a crl input */

	/* exports: Kubernetes object name and namespace (export-bundle:
	 * trust-namespace, where its source ConfigMap goes) */
	char *k8s_name;
	char *k8s_namespace;
	char *target_namespace;	/* export-bundle: where the Bundle delivers */
	char *issuing_ca;	/* export-secret: issue-intermediate output */
	char *bundle;		/* export-bundle: bundle output */
	char *secret;		/* export-issuer: Secret name */
	int cluster_issuer;	/* export-issuer: ClusterIssuer rather than Issuer */
	char *cluster_namespace;	/* export-issuer: cert-manager's
					 * cluster-resource namespace */

	/* batch steps: the clusters input, each cluster's CN (prefix and
	 * the cluster's name), whether two clusters may share a name, and
	 * the names of what each cluster's sub-directory holds */
	char *clusters;
	char *cn_prefix;
	int allow_overlap;
	char *bundle_name;	/* the trust bundle's Bundle and ConfigMap */

	/* split-pin: who gets a share, and how many rebuild the PIN */
	struct anc_officers officers;

	/* backup-trust, backup-restore: the backup-keypair output;
	 * backup-restore: the backup-wrap output */
	char *unwrap_key;
	char *wrapped;

	/* artifact name of the result (certificate, bundle, CRL, chain) */
	char *output;

	/* Lines where fields were written, for validate.c's messages; 0 for
	 * a field left to its default.  anchor_lines parallels anchors. */
	struct anc_step_lines {
		int label, key, issuer, csr, certificate, validity,
		    path_length, issuing_ca, bundle, output, inventory,
		    unwrap_key, wrapped,
		    clusters;
	} lines;
	int *anchor_lines;
	int *retire_lines;
};

/* Keys a sign-csr policy can allow, one bit each in policy_algs. */
enum anc_policy_alg {
	ANC_POLICY_RSA_2048 = 0,
	ANC_POLICY_RSA_3072,
	ANC_POLICY_RSA_4096,
	ANC_POLICY_EC_P256,
	ANC_POLICY_EC_P384
};

struct anc_ceremony {
	char *path;		/* the script as given */
	char *dir;		/* its directory, for relative input paths */
	char sha256[65];	/* of the script's bytes */

	int version;
	char *name;
	char *description;
	char *token;		/* RFC 7512 URI, or NULL if no step needs one */
	int token_line;		/* where token was written; 0 if absent */
	char *backup_token;	/* the backup steps' second token, or NULL */
	int backup_token_line;
	/* Token activation by officers' shares instead of a PIN. */
	struct anc_officers quorum;

	struct anc_participant *participants;
	size_t n_participants;
	struct anc_input *inputs;
	size_t n_inputs;
	struct anc_step *steps;
	size_t n_steps;

	/* What anc_crosscheck() found that may not work in the cluster,
	 * one "FILE:LINE: FIELD: message" each. */
	char **warnings;
	size_t n_warnings;
};

/*
 * Parse YAML text into a new ceremony.  `path` is used in messages and to
 * resolve inputs.  Returns ANC_OK, ANC_E_SYNTAX (not YAML, anchors,
 * aliases, tags, limits), ANC_E_FIELD (unknown, duplicate, missing or
 * mistyped fields, out-of-range values).  Messages are
 * "PATH:LINE: FIELD: what was expected".
 */
ANC_MUST_CHECK
int anc_parse(const char *path, const unsigned char *text, size_t len,
    struct anc_ceremony **out, struct anc_err *err);

/*
 * Check meaning across fields: names unique, references to earlier steps
 * and inputs of the right kind, a token URI when a step needs one, path
 * lengths below the issuer's.  Returns ANC_OK or ANC_E_FIELD.
 */
ANC_MUST_CHECK
int anc_validate(const struct anc_ceremony *c, struct anc_err *err);

/*
 * Check the exported Kubernetes objects against each other (an Issuer and
 * its Secret, a ClusterIssuer and cert-manager's cluster-resource
 * namespace).  Combinations that cannot work: ANC_E_FIELD.  Those that
 * depend on objects outside the script: a line added to c->warnings.
 */
ANC_MUST_CHECK
int anc_crosscheck(struct anc_ceremony *c, struct anc_err *err);

/* Durations: "87600h", "30d", "1h30m", "90s".  Returns 0 or -1. */
ANC_MUST_CHECK
int anc_duration_parse(const char *s, uint64_t *seconds);
/* Shortest exact form ("87600h", "1h30m"), into buf of `cap` bytes. */
void anc_duration_format(uint64_t seconds, char *buf, size_t cap);

const char *anc_step_kind_name(const struct anc_step *s);
const char *anc_role_name(enum anc_role role);
const char *anc_crl_reason_name(enum anc_crl_reason r);

/*
 * The outbox file names a step writes ("root-2026.pem", manifests), into
 * names[0..*n).  Steps that write nothing give *n = 0.  Returns ANC_OK or
 * ANC_E_INTERNAL when `cap` is too small.
 */
ANC_MUST_CHECK
int anc_step_files(const struct anc_step *s, char names[][128], size_t cap,
    size_t *n);

void anc_ceremony_model_free(struct anc_ceremony *c);

#endif /* ANCHORAGE_CEREMONY_INT_H */
