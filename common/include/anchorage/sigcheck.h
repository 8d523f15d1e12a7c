/*
 * anchorage: certificate signature checks, each made once.
 *
 * The same certificate object is checked several times in one run: after
 * it is signed (with the public key read from the token), then by every
 * export that holds it (the Secret's chain, the trust bundle's anchors,
 * the Vault chain).  A signature check is a function of the certificate's
 * bytes and the key alone, so a success is remembered on the X509 object,
 * with a copy of its DER and the key, and a later check of the same bytes
 * with an equal key returns it.  A certificate changed since, another key,
 * or a certificate never verified: the signature is verified again.
 * Failures are never remembered.
 */
#ifndef ANCHORAGE_SIGCHECK_H
#define ANCHORAGE_SIGCHECK_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/err.h"

/* Verify x's signature with `key` now, whatever x remembers, and remember
 * a success.  1 verified, 0 not (OpenSSL's error queue says why). */
ANC_MUST_CHECK
int anc_sig_verify(X509 *x, EVP_PKEY *key);

/* As X509_verify(x, key) == 1, answered from what x remembers when it was
 * verified in its present form with an equal key. */
ANC_MUST_CHECK
int anc_sig_check(X509 *x, EVP_PKEY *key);

/* As X509_self_signed(x, 1) == 1: issued by itself (names, key
 * identifiers, algorithm) and its signature checked with anc_sig_check
 * and its own key. */
ANC_MUST_CHECK
int anc_sig_self_signed(X509 *x);

#endif /* ANCHORAGE_SIGCHECK_H */
