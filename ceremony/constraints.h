/*
 * anchorage: name constraints and extended key usage limits of issuing
 * CAs, internal to ceremony/.  The script's forms are read here (shared by
 * the ceremony parser and the cluster list), turned into the critical
 * nameConstraints extension, linted against the spec, and proved with
 * throwaway leaves that OpenSSL's own chain verification must accept
 * (inside the constraints) and refuse (outside).
 */
#ifndef ANCHORAGE_CONSTRAINTS_H
#define ANCHORAGE_CONSTRAINTS_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "ceremony_int.h"

struct anc_err;

#define ANC_NC_MAX	64	/* subtrees of one type, permitted or excluded */
#define ANC_DNS_MAX	253	/* characters in a DNS name */

/* NULL when `s` is an acceptable DNS-name (or e-mail domain) constraint,
 * else what was expected. */
const char *anc_nc_check_dns(const char *s, size_t len);

/* Read "10.1.0.0/16" or "fd00::/8".  NULL on success, else what was
 * expected (host bits set, prefix out of range, not an address). */
const char *anc_nc_parse_ip(const char *s, size_t len,
    struct anc_ip_range *out);

/* "10.1.0.0/16": the range as a script writes it. */
void anc_nc_format_ip(const struct anc_ip_range *r, char *buf, size_t cap);

/* EKU names ("server-auth", ...) by enum anc_eku. */
const char *anc_eku_name(enum anc_eku e);

ANC_MUST_CHECK
int anc_nc_empty(const struct anc_constraints *nc);
void anc_subtrees_free(struct anc_subtrees *t);
void anc_nc_free(struct anc_constraints *nc);

/* A deep copy (the cluster list hands its clusters' names to a step). */
ANC_MUST_CHECK
int anc_subtrees_copy(struct anc_subtrees *dst, const struct anc_subtrees *src);

/*
 * Whether two sets of subtrees share a name: a DNS name or e-mail domain
 * equal to, or under, one of the other's, or IP ranges that intersect.
 * Returns 1 and describes the first pair in `what`, else 0.
 */
ANC_MUST_CHECK
int anc_subtrees_overlap(const struct anc_subtrees *a,
    const struct anc_subtrees *b, char *what, size_t cap);

/* One permitted subtree within an excluded one of the same set: 1 and
 * `what` described, else 0 (a subtree nothing could ever use). */
ANC_MUST_CHECK
int anc_nc_self_excluded(const struct anc_constraints *nc, char *what,
    size_t cap);

/* Add the critical nameConstraints (when nc is not empty) and the
 * non-critical extendedKeyUsage (when eku is not 0) to x. */
ANC_MUST_CHECK
int anc_nc_add_extensions(X509 *x, const struct anc_constraints *nc,
    unsigned eku, struct anc_err *err);

/*
 * Lint: nameConstraints present exactly when nc is not empty, critical,
 * and its DER what nc asks for; extendedKeyUsage present exactly when
 * eku is, not critical, with exactly those purposes.  Rule ids:
 * nc-present-critical, nc-matches-spec, eku-matches-spec.
 */
ANC_MUST_CHECK
int anc_nc_lint(X509 *x, const struct anc_constraints *nc, unsigned eku,
    struct anc_err *err);

/*
 * The proof: with a copy of `ca` carrying a throwaway key as the only
 * trusted certificate, X509_verify_cert must accept one leaf holding a
 * name inside every permitted subtree (and none excluded), and refuse,
 * with OpenSSL's name-constraint errors, a leaf outside the permitted
 * subtrees of each type and a leaf inside each excluded subtree.  With an
 * EKU limit, the accepted leaf is checked for each TLS purpose: accepted
 * for the ones allowed, refused for the others.  `key` is the throwaway
 * key (a P-256 key; callers proving many CAs pass the same one).
 * Returns ANC_OK or ANC_E_LINT ("proof nc-dns-permitted: ...").
 */
ANC_MUST_CHECK
int anc_nc_prove(X509 *ca, EVP_PKEY *key, const struct anc_constraints *nc,
    unsigned eku, time_t now, struct anc_err *err);

/*
 * The same leaves against the CA's own nameConstraints extension with
 * OpenSSL's name-constraint check (NAME_CONSTRAINTS_check, which
 * X509_verify_cert calls) and no chain: for the clusters of a batch after
 * the first, whose profile, EKU limit and chain anc_nc_prove has shown,
 * and whose own names are what differs.  The CA may be unsigned.
 */
int anc_nc_prove_names(X509 *ca, EVP_PKEY *key,
    const struct anc_constraints *nc, time_t now, struct anc_err *err);

/*
 * A certificate's names against its issuer's name constraints, as
 * X509_verify_cert checks them: X509_V_OK, or the X509_V_ERR_* code.
 * Used by inventory check to name the violation.
 */
ANC_MUST_CHECK
int anc_nc_check_leaf(X509 *leaf, X509 *issuer);

#endif /* ANCHORAGE_CONSTRAINTS_H */
