/*
 * anchorage: the cluster list of a fleet ceremony, internal to ceremony/.
 * docs/fleet.md describes the format: a line format read in a single pass,
 * one cluster per line, so that a batch step reads, builds, signs, writes
 * and frees one cluster at a time.
 */
#ifndef ANCHORAGE_CLUSTERS_H
#define ANCHORAGE_CLUSTERS_H

#include <stddef.h>

#include "ceremony_int.h"

struct anc_err;

#define ANC_CLUSTERS_MAX	10000	/* clusters in one list */
#define ANC_CLUSTERS_LINE_MAX	4096	/* bytes in one line */
#define ANC_CLUSTERS_HEADER	"anchorage-clusters 1"

struct anc_cluster {
	char name[64];		/* a DNS label: the sub-directory's name */
	char ns[64];		/* Kubernetes namespace */
	struct anc_subtrees permitted;	/* its names: DNS, IP, e-mail */
	char *csr;		/* as written, or NULL */
	size_t index;		/* 1-based position in the list */
	int line;
};

/* A pass over a list held in memory (the input's bytes, borrowed). */
struct anc_clusters_reader {
	const char *path;	/* for messages */
	const char *data;
	size_t len, off;
	int line;
	size_t index;
	int header;		/* the version line has been read */
};

void anc_clusters_begin(struct anc_clusters_reader *rd, const char *path,
    const unsigned char *data, size_t len);

/*
 * The next cluster into *c (cleared first; free with anc_cluster_clear).
 * Returns 1 with a cluster, 0 at the end, or an error code with err
 * "PATH:LINE: clusters[N].FIELD: what was expected".  Each line is checked
 * on its own here; anc_clusters_check checks the list as a whole.
 */
int anc_clusters_next(struct anc_clusters_reader *rd, struct anc_cluster *c,
    struct anc_err *err);

void anc_cluster_clear(struct anc_cluster *c);

/* What a batch step asks of its list. */
struct anc_clusters_rules {
	int csr;		/* 1: every cluster has csr=; -1: none has */
	int forbid_overlap;	/* no name shared by two clusters */
	const struct anc_subtrees *excluded;	/* the step's exclusions */
	const char *dir;	/* relative csr= paths start here */
};

/*
 * The whole list: every line as anc_clusters_next reads it, names unique,
 * no permitted name within the step's exclusions, no overlap between two
 * clusters when the rules forbid it, and every csr= an existing regular
 * file.  *count is the number of clusters (at least 1).  Returns ANC_OK or
 * ANC_E_INPUT naming the file, line and field.
 */
int anc_clusters_check(const char *path, const unsigned char *data,
    size_t len, const struct anc_clusters_rules *rules, size_t *count,
    struct anc_err *err);

/* The CSR path of a cluster: as written if absolute, else under dir. */
int anc_cluster_csr_path(const char *dir, const struct anc_cluster *c,
    char *buf, size_t cap);

#endif /* ANCHORAGE_CLUSTERS_H */
