/*
 * anchorage: wiping and holding secrets.
 *
 * Every PIN, share and software private key passes through these helpers so
 * that wiping is the default, not something each caller remembers.
 */
#ifndef ANCHORAGE_SECMEM_H
#define ANCHORAGE_SECMEM_H

#include <stddef.h>

#include "anchorage/err.h"

/* Overwrite `len` bytes at `p` in a way the compiler cannot elide. */
void anc_wipe(void *p, size_t len);

/* Wipe then free.  anc_freezero(NULL, n) does nothing. */
void anc_freezero(void *p, size_t len);

/*
 * A fixed-size buffer for one secret (a PIN), locked in memory where the
 * system allows it and excluded from core dumps.  Freed with
 * anc_secret_free(), which wipes it.  The buffer always holds a NUL after
 * `len` bytes.
 */
struct anc_secret;

#define ANC_SECRET_MAX 256

ANC_MUST_CHECK
struct anc_secret *anc_secret_new(void);
void anc_secret_free(struct anc_secret *s);
ANC_MUST_CHECK
char *anc_secret_buf(struct anc_secret *s);	/* ANC_SECRET_MAX + 1 bytes */
size_t anc_secret_len(const struct anc_secret *s);
void anc_secret_set_len(struct anc_secret *s, size_t len);

/*
 * Make the process unfit to leak secrets: no core dumps (RLIMIT_CORE 0) and
 * not dumpable (PR_SET_DUMPABLE 0), so /proc/PID/mem and ptrace by other
 * users are refused.  Returns 0 or -1 with errno set.
 */
ANC_MUST_CHECK
int anc_harden_process(void);

#endif /* ANCHORAGE_SECMEM_H */
