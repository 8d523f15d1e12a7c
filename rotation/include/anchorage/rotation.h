/*
 * anchorage: trust-anchor rotation.
 *
 * `status` collects the anchors, issuing CAs and cross-certificates found in
 * outboxes, a trust bundle and (optionally) a token, and says for each one
 * how long it has left, which rotation phase it is in and whether action is
 * due.  `inventory check` reads a cluster's certificates one at a time and
 * says for each which anchors it chains to, and whether removing the
 * retiring anchors would break it.  Nothing here prints: results go to
 * the caller, which is appliance/.
 */
#ifndef ANCHORAGE_ROTATION_H
#define ANCHORAGE_ROTATION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/rfc3339.h"	/* times in and out: ANC_RFC3339_LEN */

struct anc_err;

/*
 * Status
 */

enum anc_status_kind {
	ANC_STATUS_ANCHOR = 1,		/* self-signed root */
	ANC_STATUS_ISSUING_CA,		/* CA certified by an anchor */
	ANC_STATUS_CROSS,		/* an anchor's key certified by another */
	ANC_STATUS_KEY			/* token key matching no known anchor */
};

enum anc_status_level {
	ANC_STATUS_FINE = 0,
	ANC_STATUS_SOON,		/* notAfter inside --warn-days */
	ANC_STATUS_EXPIRED
};

struct anc_status_item {
	enum anc_status_kind kind;
	char subject[256];		/* one line, RFC 2253 */
	char sha256[65];		/* fingerprint of the DER; "" for keys */
	char anchor_sha256[65];		/* the anchor that issued it, or "" */
	char not_before[ANC_RFC3339_LEN];
	char not_after[ANC_RFC3339_LEN];
	long days_left;			/* whole days to notAfter; < 0 past it */
	const char *phase;		/* static text, see docs/rotation.md */
	int in_bundle;			/* anchors: in the bundle in use */
	enum anc_status_level level;	/* only for items that are in use */
	char advice[256];		/* what to do, or "" */
	char source[512];		/* the first file it was read from */
	char key_label[129];		/* token key with its public key, or "" */
	/* Anchors: tokens the outboxes' transcripts show holding the key
	 * (generated there, or restored by a backup); 0: no record. */
	int key_tokens;
};

struct anc_status;

/* A collector for the clock `at` (the instant days are counted from). */
ANC_MUST_CHECK
int anc_status_new(time_t at, int warn_days, struct anc_status **out,
    struct anc_err *err);

/*
 * Add every certificate of an outbox.  The outbox must verify
 * (anc_outbox_verify): status reads only what SHA256SUMS vouches for.  A
 * trust-bundle ConfigMap manifest in it becomes the bundle in use unless
 * anc_status_add_bundle() names one, so give outboxes oldest first.
 * Returns ANC_OK, ANC_E_INPUT, ANC_E_VERIFY, ANC_E_IO.
 */
ANC_MUST_CHECK
int anc_status_add_outbox(struct anc_status *st, const char *dir,
    struct anc_err *err);

/* The trust bundle in use (PEM, every certificate a self-signed CA). */
ANC_MUST_CHECK
int anc_status_add_bundle(struct anc_status *st, const char *file,
    struct anc_err *err);

/*
 * Match the public-key objects of a token (no login: public objects only,
 * so cron needs no PIN) to the anchors; keys that match none are listed
 * as ANC_STATUS_KEY items.  `args`, when not NULL, is the module's
 * initialisation string (anc_module_load_args).  Before the outboxes, so
 * that they are read once (see anc_status_finish).  Returns ANC_OK or a
 * token error.
 */
ANC_MUST_CHECK
int anc_status_add_token(struct anc_status *st, const char *module,
    const char *args, const char *uri, struct anc_err *err);

/* Decide phases and warnings; call once, after everything is added.  An
 * anchor or token key added after an issuing CA has the outboxes read
 * again, for their CAs only. */
ANC_MUST_CHECK
int anc_status_finish(struct anc_status *st, struct anc_err *err);

/* The items in order: anchors, issuing CAs, cross-certificates, token
 * keys, each kind newest first.  An item is valid until the next call of
 * anc_status_item() (a CA's is made when asked for) or anc_status_free(). */
size_t anc_status_count(const struct anc_status *st);
const struct anc_status_item *anc_status_item(const struct anc_status *st,
    size_t i);
/* Where the bundle in use came from, or NULL if none is known. */
const char *anc_status_bundle_source(const struct anc_status *st);
/* The rotation as a whole: "steady", "introduced", "switched", "unknown";
 * and the next step in words. */
const char *anc_status_phase(const struct anc_status *st);
const char *anc_status_next(const struct anc_status *st);
/* 1 if any item in use is inside the buffer or expired. */
ANC_MUST_CHECK
int anc_status_action_due(const struct anc_status *st);
time_t anc_status_at(const struct anc_status *st);
ANC_MUST_CHECK
int anc_status_warn_days(const struct anc_status *st);

void anc_status_free(struct anc_status *st);

/*
 * Inventory
 */

#define ANC_INV_ANCHORS_MAX 64

/* What a certificate's check found.  docs/rotation.md explains each. */
enum anc_inv_status {
	ANC_INV_OK = 0,		/* chains to an anchor that stays */
	ANC_INV_OLD_ONLY,	/* chains only to retiring anchors: breaks */
	ANC_INV_INCOMPLETE,	/* its issuer is missing: anchor unknown */
	ANC_INV_EXPIRED,	/* it or its chain is outside its validity */
	ANC_INV_UNTRUSTED,	/* chains to none of the anchors */
	ANC_INV_INVALID,	/* a bad signature or a malformed chain */
	ANC_INV_GARBAGE,	/* not a certificate at all */
	ANC_INV_OUTSIDE_NC,	/* names outside its issuing CA's constraints */
	ANC_INV__COUNT
};

/* "ok", "old-only", "incomplete", "expired", "untrusted", "invalid",
 * "garbage", "outside-constraints". */
const char *anc_inv_status_name(enum anc_inv_status s);

struct anc_inv_anchor {
	char subject[256];
	char sha256[65];
	char serial[64];	/* hex, as openssl x509 -serial prints it */
	char not_after[ANC_RFC3339_LEN];
	int retiring;
};

/* One certificate's result, handed to the caller as it is found. */
struct anc_inv_result {
	char source[320];	/* "ns/name tls.crt", "dir/web.pem #2" */
	enum anc_inv_status status;
	int blocks;		/* retirement is unsafe because of it */
	char subject[256];	/* "" for garbage */
	char sha256[65];	/* "" for garbage */
	char not_after[ANC_RFC3339_LEN];
	uint64_t anchors;	/* bit i: chains to anchor i */
	char detail[384];	/* why, in words */
};

struct anc_inv_summary {
	size_t total;
	size_t by_status[ANC_INV__COUNT];
	size_t blocking;
	size_t secrets;		/* Secrets read (kubectl input) */
	size_t skipped;		/* ... of a type other than kubernetes.io/tls */
};

/* Called for each certificate; a non-ANC_OK return stops the check. */
typedef int (*anc_inv_fn)(void *arg, const struct anc_inv_result *res);

struct anc_inventory;

/*
 * Read the anchors (a PEM trust bundle of self-signed CAs, at most
 * ANC_INV_ANCHORS_MAX) and the anchors to retire: those of `retire` (each
 * must be in the bundle) or, when it is NULL, every anchor but the newest
 * (by notBefore).  `at` is the verification time.  Returns ANC_OK,
 * ANC_E_INPUT.
 */
ANC_MUST_CHECK
int anc_inventory_new(const char *anchors, const char *retire, time_t at,
    struct anc_inventory **out, struct anc_err *err);

/* The verification time given to anc_inventory_new(). */
time_t anc_inventory_at(const struct anc_inventory *inv);

size_t anc_inventory_anchor_count(const struct anc_inventory *inv);
const struct anc_inv_anchor *anc_inventory_anchor(
    const struct anc_inventory *inv, size_t i);

/*
 * The three sources.  `path` "-" is standard input.  Memory does not grow
 * with the number of certificates: each is checked, handed to `fn` and
 * released before the next is read.  A garbage entry is a result, never an
 * error; the return is ANC_OK, ANC_E_INPUT (unreadable path), ANC_E_SYNTAX
 * (the kubectl output stops being YAML; results so far were delivered),
 * ANC_E_IO, or what `fn` returned.
 *
 * PEM files and streams: a certificate followed by the certificates that
 * issue it, in order, is one chain (as in tls.crt); a certificate that does
 * not issue the one before it starts the next chain.  A directory is read
 * file by file (not recursively), in directory order.
 */
ANC_MUST_CHECK
int anc_inventory_pem(struct anc_inventory *inv, const char *path,
    anc_inv_fn fn, void *arg, struct anc_err *err);

/* `kubectl get secrets -A -o yaml` (a List, a single Secret, or several
 * documents): every kubernetes.io/tls Secret's tls.crt chain and each
 * certificate of its ca.crt.  tls.key is skipped, never decoded. */
ANC_MUST_CHECK
int anc_inventory_k8s(struct anc_inventory *inv, const char *path,
    anc_inv_fn fn, void *arg, struct anc_err *err);

const struct anc_inv_summary *anc_inventory_summary(
    const struct anc_inventory *inv);
/* 1 when no certificate blocks: the retiring anchors can go. */
ANC_MUST_CHECK
int anc_inventory_safe(const struct anc_inventory *inv);

/*
 * The report as JSON text ("anchorage-inventory/1", docs/rotation.md),
 * in three parts so it streams: the head (clock and anchors), one entry
 * per result (`first` for the first, which takes no leading comma), and
 * the tail (summary, verdict, and `error` unless NULL).  The retire
 * ceremony reads this document.  *out owned by the caller (free()).
 */
ANC_MUST_CHECK
int anc_inventory_report_head(const struct anc_inventory *inv, char **out,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_inventory_report_entry(const struct anc_inventory *inv,
    const struct anc_inv_result *res, int first, char **out,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_inventory_report_tail(const struct anc_inventory *inv,
    const char *error, char **out, struct anc_err *err);

void anc_inventory_free(struct anc_inventory *inv);

/*
 * The retire gate: a bundle step that retires anchors reads an inventory
 * report back and refuses to drop an anchor while the report shows a
 * certificate that would break.
 */

/* The largest inventory report a ceremony reads (100,000 certificates
 * take about 40 MiB). */
#define ANC_INV_REPORT_MAX	(256u << 20)

/* A retire gate's named exception: this certificate may break. */
struct anc_exception {
	char *certificate;	/* SHA-256 fingerprint, lowercase hex */
	char *reason;
	char *approved_by;	/* a participant's name */
	int line;
};

/* What the gate is asked, in plain data; everything is borrowed. */
struct anc_retire_req {
	const char *script;		/* the ceremony script, for messages */
	const char *report;		/* the report's input name */
	const unsigned char *raw;	/* the report's bytes */
	size_t raw_len;
	STACK_OF(X509) *bundle;		/* the anchors the bundle keeps */
	char *const *retire_names;	/* the anchors it drops, and */
	X509 *const *retire_certs;	/* their certificates */
	size_t n_retires;
	const struct anc_exception *exceptions;
	size_t n_exceptions;
	/* `ceremony check`: inputs whose key is in the token carry a
	 * throwaway key, so report anchors also match by subject and
	 * serial. */
	int checking;
	/* Progress lines, for the officers (may be NULL). */
	void (*say)(void *arg, const char *line);
	void *say_arg;
};

/*
 * The retire gate of a bundle step with `retires`: the inventory report
 * must have been made with every retiring anchor and every anchor of the
 * bundle, and no certificate in it may chain only to retiring anchors (or
 * be incomplete) unless an exception names it; an exception that names no
 * such certificate is refused too.  Returns ANC_OK, ANC_E_INPUT (the
 * report), ANC_E_UNSAFE (what would break).
 */
ANC_MUST_CHECK
int anc_retire_check(const struct anc_retire_req *q, struct anc_err *err);

#endif /* ANCHORAGE_ROTATION_H */
