/*
 * anchorage: what the three constraints files share and nothing else
 * includes.  constraints.c holds the model and its comparisons,
 * constraints_ext.c builds the extensions, constraints_proof.c makes the
 * throwaway leaves: the leaves carry names and EKUs encoded as the
 * extensions encode them, and are placed with the model's comparisons.
 */
#ifndef ANCHORAGE_CONSTRAINTS_INT_H
#define ANCHORAGE_CONSTRAINTS_INT_H

#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "ceremony_int.h"

/* The reserved top-level domain (RFC 6761) the proof's outside names use;
 * a constraint on it would make the proof meaningless. */
#define ANC_NC_OUTSIDE_TLD	"invalid"

/* No DNS name, IP range or e-mail domain. */
ANC_MUST_CHECK
int anc_subtrees_empty(const struct anc_subtrees *t);

/* `name` equals `base` or is under it (RFC 5280: labels added on the
 * left). */
ANC_MUST_CHECK
int anc_nc_dns_within(const char *name, const char *base);

/* The address (len bytes) lies in the range. */
ANC_MUST_CHECK
int anc_nc_ip_within(const unsigned char *addr, int len,
    const struct anc_ip_range *r);

/* The OpenSSL NID of an EKU purpose (NID_undef if out of range). */
ANC_MUST_CHECK
int anc_eku_nid(enum anc_eku e);

/* A dNSName or rfc822Name (type GEN_DNS, GEN_EMAIL) holding `s`. */
GENERAL_NAME *anc_nc_gen_text(int type, const char *s);

/* An iPAddress: the address alone (prefix 0), or a range as RFC 5280
 * encodes it in a subtree, the address followed by the mask. */
GENERAL_NAME *anc_nc_gen_ip(const unsigned char *addr, int len, int prefix);

/* The purposes of the `eku` bits, in enum anc_eku order. */
EXTENDED_KEY_USAGE *anc_nc_eku_build(unsigned eku);

#endif /* ANCHORAGE_CONSTRAINTS_INT_H */
