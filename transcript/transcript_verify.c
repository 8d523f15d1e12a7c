/*
 * anchorage: `transcript verify`.  The transcript is checked on its own
 * terms, without trusting the run that wrote it: every line is a record in
 * canonical form, numbered, chained to the line before; it opens with
 * "start" and closes with "end" or "abort" and nothing after; every output
 * file it names has the recorded SHA-256; and the closing signature
 * verifies with a key that a certificate the verifier holds vouches for.
 * The first failure is named by line (which is also the record's seq) or
 * by file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "transcript_int.h"
#include "verify_int.h"

/*
 * Longest line read: a closing record of format 1 lists every file.  A
 * bound on one record, not on the file, which is read a line at a time:
 * a fleet's transcript passes ANC_OUTBOX_FILE_MAX, its lines stay short.
 */
#define LINE_MAX_BYTES ANC_OUTBOX_FILE_MAX

static int
known_type(const char *t)
{
	static const char *const types[] = { "start", "participants",
	    "token", "probe", "input", "step", "key", "output", "cluster",
	    "confirmation", "exception", "split-pin", "context-login",
	    "backup-keypair", "backup-trust", "backup-wrap", "backup-restore",
	    "backup-verify", "abort", "end" };
	size_t i;

	for (i = 0; t != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t, types[i]) == 0)
			return 1;
	return 0;
}

static int
is_closing(const char *t)
{
	return t != NULL && (strcmp(t, "end") == 0 || strcmp(t, "abort") == 0);
}

/* The line parses to an object and is exactly its canonical form. */
static int
parse_line(struct vctx *v, const char *line, size_t len, size_t no,
    json_t **out, struct anc_err *err)
{
	json_error_t je;
	json_t *rec;
	char *canon;
	int same;

	rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (rec == NULL || !json_is_object(rec)) {
		json_decref(rec);
		return anc_trv_fail(v, no, err, "not a JSON object (%s at "
		    "column %d)", rec == NULL ? je.text : "another JSON value",
		    je.column);
	}
	canon = anc_tr_dump(rec);
	same = canon != NULL && strlen(canon) == len &&
	    memcmp(canon, line, len) == 0;
	free(canon);
	if (!same) {
		json_decref(rec);
		return anc_trv_fail(v, no, err, "not in canonical form "
		    "(compact, keys sorted): the line was edited");
	}
	*out = rec;
	return ANC_OK;
}

/* seq, prev, type, time and the run-wide flags. */
static int
check_frame(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	const char *prev = anc_trv_str(rec, "prev");
	const char *type = anc_trv_str(rec, "type");
	const char *when = anc_trv_str(rec, "time");
	json_t *seq = json_object_get(rec, "seq");

	if (prev == NULL || strcmp(prev, v->prev) != 0)
		return anc_trv_fail(v, no, err, "prev is %s, expected %s, the "
		    "SHA-256 of %s: a record at or before this line was "
		    "changed, removed, added or moved", prev != NULL ? prev :
		    "missing", v->prev, no == 1 ? "nothing (64 zeros)" :
		    "the line before");
	if (!json_is_integer(seq) || json_integer_value(seq) != (json_int_t)no)
		return anc_trv_fail(v, no, err, "seq is %lld, expected %zu: "
		    "records were removed, added or moved",
		    json_is_integer(seq) ? (long long)json_integer_value(seq) :
		    -1LL, no);
	if (!known_type(type))
		return anc_trv_fail(v, no, err, "type \"%s\" is not a record "
		    "type", type != NULL ? type : "");
	if (when == NULL || strlen(when) != 20 || when[10] != 'T' ||
	    when[19] != 'Z')
		return anc_trv_fail(v, no, err, "time is not RFC 3339 UTC");
	if (!json_is_boolean(json_object_get(rec, "rehearsal")) ||
	    !json_is_boolean(json_object_get(rec, "unattended")))
		return anc_trv_fail(v, no, err, "rehearsal and unattended must "
		    "be true or false");
	if (no == 1) {
		v->rehearsal = json_is_true(json_object_get(rec, "rehearsal"));
		v->unattended = json_is_true(json_object_get(rec,
		    "unattended"));
	}
	if (json_is_true(json_object_get(rec, "rehearsal")) != v->rehearsal ||
	    json_is_true(json_object_get(rec, "unattended")) != v->unattended)
		return anc_trv_fail(v, no, err, "rehearsal or unattended "
		    "differs from the first record");
	return ANC_OK;
}

/* The start record's "format": absent in format 1, which wrote none. */
static int
check_format(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	const json_t *f = json_object_get(rec, "format");

	if (f == NULL) {
		v->format = 1;
		return ANC_OK;
	}
	if (!json_is_integer(f) || json_integer_value(f) < 2 ||
	    json_integer_value(f) > ANC_TR_FORMAT)
		return anc_trv_fail(v, no, err, "format %s is not one this "
		    "verifier knows (1 to %d): a newer anchorage wrote it",
		    json_is_integer(f) ? "number" : "member", ANC_TR_FORMAT);
	v->format = (int)json_integer_value(f);
	return ANC_OK;
}

/* What each kind of record must hold for the rest to be checked. */
static int
check_record(struct vctx *v, const json_t *rec, size_t no, size_t last,
    struct anc_err *err)
{
	const char *type = anc_trv_str(rec, "type"), *name;
	int r;

	if ((no == 1) != (strcmp(type, "start") == 0))
		return anc_trv_fail(v, no, err, "%s", no == 1 ? "the first "
		    "record must be \"start\"" : "a second \"start\" record");
	if (is_closing(type) && no != last)
		return anc_trv_fail(v, no, err, "records follow the closing "
		    "\"%s\" record", type);
	if (!is_closing(type) && no == last)
		return anc_trv_fail(v, no, err, "the last record is \"%s\", "
		    "expected a closing \"end\" or \"abort\": the transcript "
		    "is cut short", type);
	if (no == 1) {
		name = anc_trv_str(rec, "ceremony");
		snprintf(v->s->ceremony, sizeof(v->s->ceremony), "%s",
		    name != NULL ? name : "");
		v->expect_signed = json_is_object(json_object_get(rec,
		    "signer"));
		if ((r = check_format(v, rec, no, err)) != ANC_OK)
			return r;
	}
	if (strcmp(type, "output") == 0)
		return anc_trv_output(v, rec, no, err);
	if (strcmp(type, "cluster") == 0)
		return anc_trv_cluster(v, rec, no, err);
	if (strcmp(type, "end") == 0)
		return anc_trv_end_outputs(v, rec, no, err);
	return ANC_OK;
}

static int
check_line(struct vctx *v, const char *line, size_t len, size_t no,
    size_t last, struct anc_err *err)
{
	json_t *rec = NULL;
	int r;

	if ((r = parse_line(v, line, len, no, &rec, err)) != ANC_OK)
		return r;
	if ((r = check_frame(v, rec, no, err)) != ANC_OK ||
	    (r = check_record(v, rec, no, last, err)) != ANC_OK ||
	    (no == last && (r = anc_trv_closing(v, rec, no, err)) != ANC_OK)) {
		json_decref(rec);
		return r;
	}
	anc_sha256_hex(line, len, v->prev);
	json_decref(rec);
	return ANC_OK;
}

/* One line (anc_file_getline): its buffer and what the read gave. */
struct line {
	char *buf;
	size_t len, cap;
	int got;
};

static int
read_line(FILE *f, struct line *l)
{
	return l->got = anc_file_getline(f, LINE_MAX_BYTES, &l->buf, &l->cap,
	    &l->len);
}

/* Line by line, each checked once the next one shows whether it is the
 * last: nothing but the line and the one after it is held. */
static int
check_all(struct vctx *v, FILE *f, struct anc_err *err)
{
	struct line a = { 0 }, b = { 0 }, *cur = &a, *next = &b, *t;
	size_t no;
	int r = ANC_OK;

	if (read_line(f, cur) == 0) {
		r = anc_trv_fail(v, 1, err, "the transcript is empty");
		goto out;
	}
	for (no = 1; cur->got != 0; no++) {
		if (cur->got < 0) {
			r = anc_trv_fail(v, no, err, "the line is longer than "
			    "%u bytes, or could not be read, or memory ran out",
			    LINE_MAX_BYTES);
			goto out;
		}
		if (cur->got == 2) {
			r = anc_trv_fail(v, no, err, "the line does not end "
			    "with a newline: the record was cut short");
			goto out;
		}
		/* An empty line may have no buffer at all. */
		if (cur->len > 0 &&
		    memchr(cur->buf, '\0', cur->len) != NULL) {
			r = anc_trv_fail(v, no, err, "a NUL byte in the line");
			goto out;
		}
		(void)read_line(f, next);
		if ((r = check_line(v, cur->buf, cur->len, no,
		    next->got == 0 ? no : no + 1, err)) != ANC_OK)
			goto out;
		t = cur;
		cur = next;
		next = t;
	}
	v->s->records = no - 1;
	memcpy(v->s->closing_hash, v->prev, sizeof(v->s->closing_hash));
	v->s->rehearsal = v->rehearsal;
	v->s->unattended = v->unattended;
	/* The hash is ours and the buffer holds 32 words: cannot fail. */
	if (anc_pgp_words_hex(v->prev, v->s->words, sizeof(v->s->words)) != 0)
		r = anc_err_set(err, ANC_E_INTERNAL, "closing hash words");
 out:
	free(a.buf);
	free(b.buf);
	return r;
}

/* The transcript as a stream: a regular file, not a symbolic link. */
static FILE *
open_transcript(const char *outbox, struct anc_err *err)
{
	char path[4096];
	struct stat st;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", outbox, ANC_TR_FILE);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		anc_err_set(err, ANC_E_VERIFY, "%s: cannot open: %s", path,
		    errno == ELOOP ? "a symbolic link" : strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		anc_err_set(err, ANC_E_VERIFY, "%s: expected a regular file",
		    path);
		return NULL;
	}
	return f;
}

int
anc_transcript_verify(const char *outbox, const char *anchor,
    struct anc_tr_summary *s, struct anc_err *err)
{
	struct vctx v;
	FILE *f;
	int r;

	memset(s, 0, sizeof(*s));
	memset(&v, 0, sizeof(v));
	v.outbox = outbox;
	v.anchor = anchor;
	v.s = s;
	memcpy(v.prev, ANC_TR_ZERO, sizeof(v.prev));
	/* Missing or unreadable is a failed verification too. */
	snprintf(s->fail_file, sizeof(s->fail_file), "%s", ANC_TR_FILE);
	if ((f = open_transcript(outbox, err)) == NULL)
		return ANC_E_VERIFY;
	s->fail_file[0] = '\0';
	if ((v.files_md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(v.files_md, EVP_sha256(), NULL) != 1)
		r = anc_err_set(err, ANC_E_NOMEM, "transcript");
	else
		r = check_all(&v, f, err);
	fclose(f);
	EVP_MD_CTX_free(v.files_md);
	return r;
}
