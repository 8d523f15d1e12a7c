/*
 * anchorage: the backup steps (docs/backup.md).  A key generated with
 * backup: wrap-with-trusted is copied from the script's token to the
 * backup token under dual control:
 *
 *   backup-keypair  backup token: an unwrap-only RSA-3072 key pair; its
 *                   public key goes to the outbox
 *   backup-trust    token, as SO: that public key becomes a trusted
 *                   wrapping key, for this session only
 *   backup-wrap     token: C_WrapKey; the blob goes to the backup medium
 *   backup-restore  backup token: C_UnwrapKey of the blob read back
 *   backup-verify   backup token: a fresh challenge signed there verifies
 *                   with the anchor certificate's public key
 *
 * Each kind is in its step_backup_<kind>.c; here is what they share.
 * While checking there are no tokens (e->bk is NULL): the steps only say
 * what they will do; their checks have run on the script.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"
#include "anchorage/transcript.h"
#include "records.h"

int
anc_backup_checking(struct anc_engine *e, const struct anc_step *s)
{
	if (e->bk != NULL)
		return 0;
	anc_engine_say(e, "  %s needs both tokens: it runs with `ceremony run`",
	    anc_step_kind_name(s));
	return 1;
}

void
anc_backup_made(struct anc_backup_ctx *bk, const char *what,
    const char *label)
{
	if (bk->nmade < sizeof(bk->made) / sizeof(bk->made[0]))
		snprintf(bk->made[bk->nmade++], sizeof(bk->made[0]),
		    "%s \"%s\" in the backup token", what, label);
}

json_t *
anc_backup_token_json(struct anc_token *t)
{
	struct anc_slot_info info;
	struct anc_err err;

	if (anc_token_info(t, &info, &err) != ANC_OK)
		return json_null();
	return json_pack("{s:o, s:o}", "label", anc_tr_str(info.label),
	    "serial", anc_tr_str(info.serial));
}

int
anc_backup_record(struct anc_engine *e, const char *type, json_t *body,
    struct anc_err *err)
{
	if (e->tr == NULL) {
		json_decref(body);
		return ANC_OK;
	}
	return anc_tr_append(e->tr, type, body, err);
}


int
anc_backup_need(struct anc_derive *d, const struct anc_step *s, int backup,
    enum anc_need_op op, enum anc_keyalg alg, const char *key,
    const char *use, struct anc_err *err)
{
	struct anc_need *n;

	if ((n = anc_need_push(d, s, op, alg, key, use, err)) == NULL)
		return ANC_E_INTERNAL;
	n->backup = backup;
	return ANC_OK;
}
