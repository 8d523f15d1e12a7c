/*
 * anchorage: what `transcript report` shares between its files:
 * transcript_report.c makes the page, transcript_report_read.c reads the
 * records again once the transcript has verified.
 */
#ifndef ANCHORAGE_REPORT_INT_H
#define ANCHORAGE_REPORT_INT_H

#include <jansson.h>

#include "anchorage/err.h"
#include "anchorage/transcript.h"

/* Called with each record in order, borrowed for the call (json_incref
 * to keep it); ANC_OK to go on. */
typedef int anc_tr_record_fn(void *arg, json_t *rec, struct anc_err *err);

/*
 * The records of OUTBOX's transcript, which verified with the summary `s`
 * (anc_transcript_verify), read again a line at a time: memory does not
 * grow with the transcript.  Each line must chain to the one before, and
 * the last must be the closing line that verified, or the transcript has
 * changed since: ANC_E_VERIFY.  A changed record is only found by the
 * line after it or at the end, when `fn` has seen it, so whatever `fn`
 * makes is used only once the call has returned ANC_OK.
 */
ANC_MUST_CHECK
int anc_tr_each_verified(const char *outbox, const struct anc_tr_summary *s,
    anc_tr_record_fn *fn, void *arg, struct anc_err *err);

#endif /* ANCHORAGE_REPORT_INT_H */
