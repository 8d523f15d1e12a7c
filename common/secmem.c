/* anchorage: wiping secrets and keeping them out of dumps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <openssl/crypto.h>

#include "anchorage/secmem.h"

void
anc_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		OPENSSL_cleanse(p, len);
}

void
anc_freezero(void *p, size_t len)
{
	if (p == NULL)
		return;
	anc_wipe(p, len);
	free(p);
}

/* One page-aligned mapping, so mlock and MADV_DONTDUMP cover it exactly. */
struct anc_secret {
	size_t len;
	int locked;
	char buf[ANC_SECRET_MAX + 1];
};

struct anc_secret *
anc_secret_new(void)
{
	struct anc_secret *s;

	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return NULL;
	/* Best effort: an unprivileged process may have RLIMIT_MEMLOCK 0.
	 * The process is also made undumpable, so this is defence in depth. */
	s->locked = mlock(s, sizeof(*s)) == 0;
	(void)madvise(s, sizeof(*s), MADV_DONTDUMP);
	s->len = 0;
	return s;
}

void
anc_secret_free(struct anc_secret *s)
{
	int locked;

	if (s == NULL)
		return;
	locked = s->locked;
	anc_wipe(s, sizeof(*s));
	if (locked)
		(void)munlock(s, sizeof(*s));
	(void)munmap(s, sizeof(*s));
}

char *
anc_secret_buf(struct anc_secret *s)
{
	return s->buf;
}

size_t
anc_secret_len(const struct anc_secret *s)
{
	return s->len;
}

void
anc_secret_set_len(struct anc_secret *s, size_t len)
{
	if (len > ANC_SECRET_MAX)
		len = ANC_SECRET_MAX;
	s->len = len;
	s->buf[len] = '\0';
}

int
anc_harden_process(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -1;
	return 0;
}
