/*
 * anchorage: the throwaway token of a rehearsal; see rehearsal.h.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/secmem.h"
#include "rehearsal.h"

#define PIN_BYTES 16	/* 128 bits, written as 32 hex digits */

struct anc_rehearsal {
	char dir[PATH_MAX];
	char conf[PATH_MAX];
	char *old_conf;		/* SOFTHSM2_CONF before, or NULL */
	struct anc_secret *so, *user;
};

/* A random PIN straight into a locked secret buffer. */
static int
random_pin(struct anc_secret **out, struct anc_err *err)
{
	unsigned char rnd[PIN_BYTES];

	if ((*out = anc_secret_new()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "rehearsal PIN");
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO, "rehearsal PIN");
	anc_hex(rnd, sizeof(rnd), anc_secret_buf(*out));
	anc_secret_set_len(*out, 2 * sizeof(rnd));
	anc_wipe(rnd, sizeof(rnd));
	return ANC_OK;
}

static int
write_conf(struct anc_rehearsal *rh, struct anc_err *err)
{
	char text[PATH_MAX + 128];
	int dfd, n, r;

	n = snprintf(text, sizeof(text), "# anchorage rehearsal token\n"
	    "directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
	    "log.level = ERROR\n", rh->dir);
	if (n < 0 || (size_t)n >= sizeof(text) || (size_t)snprintf(rh->conf,
	    sizeof(rh->conf), "%s/softhsm2.conf", rh->dir) >= sizeof(rh->conf))
		return anc_err_set(err, ANC_E_INTERNAL, "%s: path too long",
		    rh->dir);
	if ((r = anc_dir_open(rh->dir, 0, &dfd, err)) != ANC_OK)
		return r;
	if (mkdirat(dfd, "tokens", 0700) != 0)
		r = anc_err_set(err, ANC_E_IO, "%s/tokens: cannot create",
		    rh->dir);
	else
		r = anc_file_create(dfd, "softhsm2.conf", 0600, text,
		    (size_t)n, err);
	close(dfd);
	return r;
}

int
anc_rehearsal_begin(struct anc_rehearsal **out, struct anc_err *err)
{
	struct anc_rehearsal *rh;
	const char *old = getenv("SOFTHSM2_CONF"), *tmp = getenv("TMPDIR");
	int r = ANC_E_INTERNAL;

	if ((rh = calloc(1, sizeof(*rh))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "rehearsal");
	if (old != NULL && (rh->old_conf = strdup(old)) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "rehearsal");
		goto out;
	}
	snprintf(rh->dir, sizeof(rh->dir), "%s/anchorage-rehearsal.XXXXXX",
	    tmp != NULL && tmp[0] == '/' && strlen(tmp) < 1024 ? tmp : "/tmp");
	/* mkdtemp makes it 0700, owned by us, under a name nobody chose. */
	if (mkdtemp(rh->dir) == NULL) {
		r = anc_err_set(err, ANC_E_IO, "rehearsal: cannot create a "
		    "temporary token directory %s", rh->dir);
		rh->dir[0] = '\0';
		goto out;
	}
	if ((r = write_conf(rh, err)) != ANC_OK ||
	    (r = random_pin(&rh->so, err)) != ANC_OK ||
	    (r = random_pin(&rh->user, err)) != ANC_OK)
		goto out;
	if (setenv("SOFTHSM2_CONF", rh->conf, 1) != 0) {
		r = anc_err_set(err, ANC_E_NOMEM, "rehearsal: SOFTHSM2_CONF");
		goto out;
	}
	*out = rh;
	rh = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	/* After a failure what was set up goes; the first error is told. */
	if (anc_rehearsal_end(rh) != 0 && r == ANC_OK)
		r = anc_err_set(err, ANC_E_IO, "rehearsal: cleanup");
	return r;
}

/* "pkcs11:token=" and the label, percent-encoded where RFC 7512 wants. */
static int
label_uri(const char *label, char *uri, size_t cap)
{
	static const char keep[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
	size_t off;
	const unsigned char *p;

	off = (size_t)snprintf(uri, cap, "pkcs11:token=");
	for (p = (const unsigned char *)label; *p != '\0'; p++) {
		if (off + 4 > cap)
			return -1;
		if (strchr(keep, *p) != NULL)
			uri[off++] = (char)*p;
		else
			off += (size_t)snprintf(uri + off, cap - off, "%%%02X",
			    *p);
	}
	uri[off] = '\0';
	return 0;
}

int
anc_rehearsal_token(struct anc_rehearsal *rh, struct anc_module *m,
    const char *script_uri, char *uri, size_t cap, struct anc_err *err)
{
	char label[33];
	int r;

	if ((r = anc_uri_token_label(script_uri, label, sizeof(label),
	    err)) != ANC_OK)
		return r;
	if (label[0] == '\0')
		snprintf(label, sizeof(label), "rehearsal");
	if (label_uri(label, uri, cap) != 0)
		return anc_err_set(err, ANC_E_INTERNAL, "rehearsal token URI");
	r = anc_module_init_token(m, label, rh->so, rh->user, err);
	/* The SO PIN has done its one job. */
	anc_secret_free(rh->so);
	rh->so = NULL;
	return r;
}

int
anc_rehearsal_pin(void *arg, const struct anc_slot_info *info,
    struct anc_secret *pin, struct anc_err *err)
{
	struct anc_rehearsal *rh = arg;

	if (rh->user == NULL)
		return anc_err_set(err, ANC_E_PIN_UNAVAILABLE, "rehearsal token "
		    "\"%s\": its PIN was already used", info->label);
	memcpy(anc_secret_buf(pin), anc_secret_buf(rh->user),
	    anc_secret_len(rh->user));
	anc_secret_set_len(pin, anc_secret_len(rh->user));
	anc_secret_free(rh->user);
	rh->user = NULL;
	return ANC_OK;
}

const char *
anc_rehearsal_dir(const struct anc_rehearsal *rh)
{
	return rh->dir;
}

static int
remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	return remove(path) == 0 ? 0 : -1;
}

int
anc_rehearsal_end(struct anc_rehearsal *rh)
{
	int rc = 0;

	if (rh == NULL)
		return 0;
	/* Depth first, never following a link out of the directory. */
	if (rh->dir[0] != '\0' && nftw(rh->dir, remove_one, 16,
	    FTW_DEPTH | FTW_PHYS) != 0)
		rc = -1;
	if (rh->old_conf != NULL)
		rc |= setenv("SOFTHSM2_CONF", rh->old_conf, 1);
	else
		rc |= unsetenv("SOFTHSM2_CONF");
	anc_secret_free(rh->so);
	anc_secret_free(rh->user);
	free(rh->old_conf);
	free(rh);
	return rc;
}
