/*
 * anchorage: X.509 certificate profiles and lints, internal to ceremony/.
 *
 * A certificate is built from a spec (profile.c), linted before it is
 * signed, signed (by the token or, for `ceremony check`, a throwaway key),
 * verified, and linted again (lint.c).  No function here touches a token:
 * signing keys arrive as EVP_PKEYs.
 */
#ifndef ANCHORAGE_PROFILE_H
#define ANCHORAGE_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "ceremony_int.h"

struct anc_err;

enum anc_profile {
	ANC_PROFILE_ROOT = 1,		/* self-signed trust anchor */
	ANC_PROFILE_INTERMEDIATE,	/* issuing CA signed by a root */
	ANC_PROFILE_CROSS		/* a root's key certified by another root */
};

#define ANC_SERIAL_LEN 17	/* 0x01 prefix + 128 random bits from the token */

struct anc_cert_spec {
	enum anc_profile profile;
	const struct anc_dn *subject;	/* ignored when subject_name is set */
	const X509_NAME *subject_name;	/* exact subject (cross-sign, CSR) */
	EVP_PKEY *subject_key;		/* the public key being certified */
	X509 *issuer;			/* NULL for ANC_PROFILE_ROOT */
	unsigned char serial[ANC_SERIAL_LEN];
	time_t not_before;
	time_t not_after;
	int path_length;		/* ANC_PATHLEN_NONE or >= 0 */
	/* Issuing CAs: critical nameConstraints and an EKU limit, added
	 * after the AKID; NULL and 0 for none. */
	const struct anc_constraints *nc;
	unsigned eku;
};

/* Serial bytes: a 0x01 prefix, so the integer is positive and of fixed
 * length, then `rnd` (ANC_SERIAL_LEN - 1 bytes). */
void anc_profile_serial(unsigned char serial[ANC_SERIAL_LEN],
    const unsigned char *rnd);

/*
 * Build the unsigned certificate: version 3, serial, issuer (the issuer's
 * subject, byte for byte; the subject for roots), validity, subject, key;
 * critical basicConstraints CA:TRUE with the path length; critical keyUsage
 * keyCertSign and cRLSign; subjectKeyIdentifier (SHA-1 of the public key
 * BIT STRING, RFC 5280 method 1); authorityKeyIdentifier with the issuer's
 * key identifier only, and none on roots; no EKU unless the spec limits
 * it; nameConstraints when the spec has them.  *out owned by caller.
 */
ANC_MUST_CHECK
int anc_profile_build(const struct anc_cert_spec *s, X509 **out,
    struct anc_err *err);

/*
 * The subject a spec asks for: subject_name itself (borrowed; *owned set
 * to NULL), or the name built from `subject` in its order (UTF8String;
 * PrintableString for C), returned in both *name and *owned, which the
 * caller frees.  Used by the build and by the lint that compares.
 */
ANC_MUST_CHECK
int anc_profile_subject(const struct anc_cert_spec *s, const X509_NAME **name,
    X509_NAME **owned, struct anc_err *err);

/* X509_set_pubkey, the same bytes for a fraction of the cost (profile.c
 * says why): 1 on success, 0 with OpenSSL's error queue set. */
ANC_MUST_CHECK
int anc_profile_set_pubkey(X509 *x, EVP_PKEY *key);

/* i2d_PUBKEY (the DER SubjectPublicKeyInfo), likewise. */
ANC_MUST_CHECK
int anc_profile_i2d_pubkey(EVP_PKEY *key, unsigned char **der);

/* The digest a key signs with: SHA-384 for P-384, SHA-256 otherwise. */
const EVP_MD *anc_profile_md(EVP_PKEY *signer);

/* Sign `x` with `signer` (in the token or in software). */
ANC_MUST_CHECK
int anc_profile_sign(X509 *x, EVP_PKEY *signer, struct anc_err *err);

/*
 * Check the certificate against its spec and RFC 5280 basics: v3, a
 * positive serial of 8..20 octets with at least 64 bits, notBefore before
 * notAfter, notAfter not past the issuer's, issuer name equal to the
 * issuer's subject, the extensions listed above with the right
 * criticality and nothing else, path length below the issuer's, SKID equal
 * to the key's, AKID equal to the issuer's SKID, signature algorithm
 * matching the signer's key.  Works on a signed or unsigned certificate
 * (`signed_` says which).  Returns ANC_OK or ANC_E_LINT naming the rule
 * ("lint bc-present-critical: basicConstraints not critical, expected
 * present and critical").  Rule ids: version-3, no-unique-ids,
 * serial-positive, serial-length, serial-entropy, serial-matches-spec,
 * validity-encoding, validity-order, validity-matches-spec,
 * root-validity, validity-within-issuer, issuer-ca, issuer-name-match,
 * subject-matches-spec, subject-nonempty-cn, key-matches-spec,
 * key-allowed, no-eku, no-unknown-extensions, ext-unique,
 * nc-present-critical, nc-matches-spec, eku-matches-spec (constraints.c),
 * bc-present-critical, bc-ca-true, bc-pathlen, ku-present-critical,
 * ku-exact, skid-present, skid-noncritical, skid-matches-key,
 * akid-absent-on-root, akid-present, akid-keyid-only,
 * akid-matches-issuer-skid, sig-alg-matches-key (signed only).
 */
/*
 * The longest validity starting at `not_before` that ends no later than
 * `issuer`'s notAfter, as text for a refusal: "at most 43795h" (whole
 * hours, rounded down), or "none: the issuer expires within the hour".
 */
void anc_validity_fit(const X509 *issuer, time_t not_before, char *buf,
    size_t cap);

ANC_MUST_CHECK
int anc_lint_cert(X509 *x, const struct anc_cert_spec *s, int signed_,
    struct anc_err *err);

/* Verify x's signature with `pub`: ANC_OK or ANC_E_BADSIG. */
ANC_MUST_CHECK
int anc_verify_cert(X509 *x, EVP_PKEY *pub, struct anc_err *err);

/* A software key of the same algorithm, for linting (`ceremony check`). */
ANC_MUST_CHECK
int anc_throwaway_key(enum anc_keyalg alg, EVP_PKEY **out,
    struct anc_err *err);

/* The keyalg of a public key, or ANC_KEY_NONE if not one of ours. */
enum anc_keyalg anc_key_alg(EVP_PKEY *key);

/* One certificate a CRL revokes. */
struct anc_crl_revoked {
	const char *name;		/* for messages */
	X509 *cert;
	enum anc_crl_reason reason;
};

/* What a CRL is built from; everything is borrowed. */
struct anc_crl_spec {
	X509 *issuer;
	const char *issuer_name;	/* for messages */
	time_t now;			/* thisUpdate */
	uint64_t validity;		/* seconds until nextUpdate */
	uint64_t number;		/* CRL number */
	const struct anc_crl_revoked *revoked;
	size_t n_revoked;
	X509_CRL *previous;		/* the CRL this one replaces, or NULL */
	const char *previous_name;
	int check_previous;		/* verify the previous CRL's signature */
};

/*
 * An unsigned CRL (crl.c): v2, the issuer's name, thisUpdate now,
 * nextUpdate after `validity` and never past the issuer's notAfter, CRL
 * number, AKID, one entry per revoked certificate (each must have been
 * issued by the issuer) with its reason code, and the entries of the
 * previous CRL still in force.
 */
ANC_MUST_CHECK
int anc_crl_build(const struct anc_crl_spec *spec, X509_CRL **out,
    struct anc_err *err);

#endif /* ANCHORAGE_PROFILE_H */
