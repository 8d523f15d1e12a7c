/*
 * anchorage: what the two cluster-list files share and nothing else
 * includes: the one shape of their messages.
 */
#ifndef ANCHORAGE_CLUSTERS_INT_H
#define ANCHORAGE_CLUSTERS_INT_H

#include <stddef.h>

#include "anchorage/err.h"

struct anc_err;

/* Sets err to ANC_E_INPUT "PATH:LINE: clusters[N].FIELD: WHAT" (without
 * the clusters[N] part when index is 0, without .FIELD when field is
 * NULL) and returns ANC_E_INPUT. */
ANC_MUST_CHECK
int anc_clusters_lerr(struct anc_err *err, const char *path, int line,
    size_t index, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif /* ANCHORAGE_CLUSTERS_INT_H */
