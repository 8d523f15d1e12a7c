/*
 * anchorage: `transcript verify`, the outbox files.  Each file an "output"
 * or "cluster" record names must exist with the recorded SHA-256; the
 * names go, in record order, into one running hash, which the "end" record
 * must match (format 2: outputs_count and outputs_sha256; format 1: its
 * list of every file).  Then the outbox may hold nothing else but the
 * transcript and SHA256SUMS.  Nothing is kept per file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "verify_int.h"

/* An outbox file name as the writer makes them: plain, or manifests/. */
static int
safe_name(const char *f)
{
	const unsigned char *p;
	const char *c = f;
	size_t n;
	int parts = 0;

	/* As the outbox names files: up to 4 components (a batch step's
	 * "out/cluster/manifests/x.yaml"), none empty, "." or "..". */
	if (strlen(f) > 255)
		return 0;
	for (;;) {
		n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.') || ++parts > 4)
			return 0;
		if (c[n] == '\0')
			break;
		c += n + 1;
	}
	for (p = (const unsigned char *)f; *p != '\0'; p++)
		if (*p == '\\' || *p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* "<sha256>  <file>\n", as the writer folds it (anc_tr_outputs). */
static int
fold(EVP_MD_CTX *md, const char *sha, const char *file)
{
	return EVP_DigestUpdate(md, sha, strlen(sha)) == 1 &&
	    EVP_DigestUpdate(md, "  ", 2) == 1 &&
	    EVP_DigestUpdate(md, file, strlen(file)) == 1 &&
	    EVP_DigestUpdate(md, "\n", 1) == 1 ? 0 : -1;
}

int
anc_trv_output(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	const char *file = anc_trv_str(rec, "file");
	const char *want = anc_trv_str(rec, "sha256");
	char path[4096 + 256], got[ANC_SHA256_HEX];
	struct anc_err rerr;

	if (file == NULL || want == NULL || !safe_name(file))
		return anc_trv_fail(v, no, err, "output record without a valid "
		    "file name and sha256");
	if (fold(v->files_md, want, file) != 0)
		return anc_err_set(err, ANC_E_CRYPTO, "transcript: SHA-256");
	v->files++;
	snprintf(v->s->fail_file, sizeof(v->s->fail_file), "%s", file);
	snprintf(path, sizeof(path), "%s/%s", v->outbox, file);
	/* Hashed in pieces: no file is held whole, whatever its size. */
	if (anc_file_sha256(AT_FDCWD, NULL, path, NULL, NULL, got, &rerr) !=
	    ANC_OK)
		return anc_trv_fail(v, no, err, "output %s: %s", file,
		    rerr.msg);
	if (strcmp(got, want) != 0)
		return anc_trv_fail(v, no, err, "output %s has SHA-256 %s, the "
		    "transcript records %s: the file was changed", path, got,
		    want);
	v->s->fail_file[0] = '\0';
	v->s->outputs++;
	return ANC_OK;
}

/* A batch step's cluster: each of its files as an output record. */
int
anc_trv_cluster(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	const json_t *files = json_object_get(rec, "files");
	size_t i;
	int r;

	if (!json_is_array(files) || json_array_size(files) == 0)
		return anc_trv_fail(v, no, err, "cluster record without "
		    "files");
	for (i = 0; i < json_array_size(files); i++)
		if ((r = anc_trv_output(v, json_array_get(files, i), no,
		    err)) != ANC_OK)
			return r;
	return ANC_OK;
}


/* The end record's count and hash of the files, or for format 1 those
 * of its list; -1 when the record has no valid account. */
static int
end_account(const struct vctx *v, const json_t *rec, size_t *count,
    char hex[ANC_SHA256_HEX])
{
	const json_t *list = json_object_get(rec, "outputs"), *f;
	const json_t *n = json_object_get(rec, "outputs_count");
	const char *want = anc_trv_str(rec, "outputs_sha256");
	unsigned char md[32];
	EVP_MD_CTX *ctx;
	size_t i;
	int r = -1;

	if (v->format >= 2) {
		if (!json_is_integer(n) || json_integer_value(n) < 0 ||
		    want == NULL || strlen(want) != 64)
			return -1;
		*count = (size_t)json_integer_value(n);
		memcpy(hex, want, ANC_SHA256_HEX);
		return 0;
	}
	if (!json_is_array(list) || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	for (i = 0; i < json_array_size(list); i++) {
		f = json_array_get(list, i);
		if (anc_trv_str(f, "file") == NULL ||
		    anc_trv_str(f, "sha256") == NULL ||
		    fold(ctx, anc_trv_str(f, "sha256"),
		    anc_trv_str(f, "file")) != 0)
			goto out;
	}
	if (EVP_DigestFinal_ex(ctx, md, NULL) != 1)
		goto out;
	anc_hex(md, sizeof(md), hex);
	*count = json_array_size(list);
	r = 0;
 out:
	EVP_MD_CTX_free(ctx);
	return r;
}

/*
 * Regular files under the directory `fd` (`rel` inside the outbox, ""
 * at the top), the top's transcript and SHA256SUMS aside, into *n; any
 * other kind of entry, or directories deeper than the outbox makes, is
 * named in `bad`.  One directory open per level: bounded by the depth.
 */
static int
count_files(int fd, const char *rel, int depth, size_t *n, char *bad,
    size_t cap)
{
	char sub[512];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int cfd, r = 0;

	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		snprintf(bad, cap, "%s: %s", rel[0] ? rel : ".",
		    strerror(errno));
		return -1;
	}
	while (r == 0 && (d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 ||
		    strcmp(d->d_name, "..") == 0 || (depth == 0 &&
		    (strcmp(d->d_name, ANC_TR_FILE) == 0 ||
		    strcmp(d->d_name, "SHA256SUMS") == 0)))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "",
		    d->d_name);
		if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0) {
			snprintf(bad, cap, "%s: %s", sub, strerror(errno));
			r = -1;
		} else if (S_ISREG(st.st_mode))
			(*n)++;
		else if (!S_ISDIR(st.st_mode) || depth >= 3) {
			snprintf(bad, cap, "%s: %s", sub, S_ISDIR(st.st_mode) ?
			    "a directory deeper than the outbox makes" :
			    "neither a regular file nor a directory");
			r = -1;
		} else if ((cfd = openat(dirfd(dir), d->d_name, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			snprintf(bad, cap, "%s: %s", sub, strerror(errno));
			r = -1;
		} else
			r = count_files(cfd, sub, depth + 1, n, bad, cap);
	}
	closedir(dir);
	return r;
}

/* Nothing in the outbox that the transcript does not record.  Every file
 * a record names was found with its hash, and a run never writes one name
 * twice, so as many files as records name means no other file. */
static int
no_other_files(struct vctx *v, size_t no, struct anc_err *err)
{
	char bad[600] = "";
	size_t n = 0;
	int fd;

	if ((fd = open(v->outbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    count_files(fd, "", 0, &n, bad, sizeof(bad)) != 0)
		return anc_trv_fail(v, no, err, "the outbox %s: %s",
		    v->outbox, bad[0] ? bad : strerror(errno));
	if (n > v->files)
		return anc_trv_fail(v, no, err, "the outbox holds %zu files "
		    "besides %s and SHA256SUMS, the transcript records %zu: "
		    "files were added (anchorage outbox verify names them)",
		    n, ANC_TR_FILE, v->files);
	if (n < v->files)
		return anc_trv_fail(v, no, err, "the records name %zu files, "
		    "the outbox holds %zu: a file is named twice", v->files,
		    n);
	return ANC_OK;
}

int
anc_trv_end_outputs(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	char want[ANC_SHA256_HEX], got[ANC_SHA256_HEX];
	unsigned char md[32];
	size_t count = 0;

	if (EVP_DigestFinal_ex(v->files_md, md, NULL) != 1)
		return anc_err_set(err, ANC_E_CRYPTO, "transcript: SHA-256");
	anc_hex(md, sizeof(md), got);
	if (end_account(v, rec, &count, want) != 0)
		return anc_trv_fail(v, no, err, "%s", v->format >= 2 ?
		    "the end record has no valid outputs_count and "
		    "outputs_sha256" : "the end record has no valid list of "
		    "outputs");
	if (count != v->files)
		return anc_trv_fail(v, no, err, "the end record accounts for "
		    "%zu output files, the output and cluster records name "
		    "%zu: a record was removed or added", count, v->files);
	if (strcmp(want, got) != 0)
		return anc_trv_fail(v, no, err, "the end record's %s does not "
		    "match the files the output and cluster records name "
		    "(SHA-256 %s): a record was changed", v->format >= 2 ?
		    "outputs_sha256" : "list of outputs", got);
	return no_other_files(v, no, err);
}
