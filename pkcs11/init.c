/*
 * anchorage: initialising a token, for rehearsals on a throwaway SoftHSM2
 * token.  Raw C_InitToken and C_InitPIN on the module libp11 loaded:
 * libp11 0.4.12's PKCS11_init_token passes a NUL-terminated label where
 * PKCS#11 wants 32 blank-padded bytes.
 */
#include <string.h>

#include <p11-kit/uri.h>

#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "p11_int.h"

#define ANC_INIT_SLOTS_MAX 256

/* The first slot holding a token that is not initialised. */
static int
blank_slot(struct anc_module *m, CK_SLOT_ID *out, struct anc_err *err)
{
	CK_SLOT_ID slots[ANC_INIT_SLOTS_MAX];
	CK_ULONG n = ANC_INIT_SLOTS_MAX, i;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	if ((rv = m->fl->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv, "module %s: "
		    "C_GetSlotList failed", m->description);
	for (i = 0; i < n; i++)
		if (m->fl->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    !(ti.flags & CKF_TOKEN_INITIALIZED)) {
			*out = slots[i];
			return ANC_OK;
		}
	return anc_err_set(err, ANC_E_NOTOKEN, "module %s: no slot holds an "
	    "uninitialised token", m->description);
}

/* The slot whose token carries the blank-padded label (SoftHSM2 gives an
 * initialised token a new slot id). */
static int
labelled_slot(struct anc_module *m, const CK_UTF8CHAR lab[32],
    CK_SLOT_ID *out, struct anc_err *err)
{
	CK_SLOT_ID slots[ANC_INIT_SLOTS_MAX];
	CK_ULONG n = ANC_INIT_SLOTS_MAX, i;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	if ((rv = m->fl->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv, "C_GetSlotList failed");
	for (i = 0; i < n; i++)
		if (m->fl->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    (ti.flags & CKF_TOKEN_INITIALIZED) &&
		    memcmp(ti.label, lab, 32) == 0) {
			*out = slots[i];
			return ANC_OK;
		}
	return anc_err_set(err, ANC_E_NOTOKEN, "the token just initialised "
	    "is not in the slot list");
}

/* As the security officer, set the user PIN. */
static int
init_user_pin(struct anc_module *m, CK_SLOT_ID slot, struct anc_secret *so,
    struct anc_secret *user, struct anc_err *err)
{
	CK_SESSION_HANDLE s;
	CK_RV rv;
	int r = ANC_E_INTERNAL;

	if ((rv = m->fl->C_OpenSession(slot, CKF_SERIAL_SESSION |
	    CKF_RW_SESSION, NULL, NULL, &s)) != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv, "C_OpenSession failed");
	if ((rv = m->fl->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)anc_secret_buf(so),
	    anc_secret_len(so))) != CKR_OK) {
		r = anc_err_ckr(err, ANC_E_LOGIN, rv, "C_Login as SO failed");
		goto out;
	}
	rv = m->fl->C_InitPIN(s, (CK_UTF8CHAR_PTR)anc_secret_buf(user),
	    anc_secret_len(user));
	(void)m->fl->C_Logout(s);
	if (rv != CKR_OK) {
		r = anc_err_ckr(err, ANC_E_PKCS11, rv, "C_InitPIN failed");
		goto out;
	}
	/* success */
	r = ANC_OK;
 out:
	(void)m->fl->C_CloseSession(s);
	return r;
}

int
anc_module_init_token(struct anc_module *m, const char *label,
    struct anc_secret *so_pin, struct anc_secret *user_pin,
    struct anc_err *err)
{
	CK_UTF8CHAR lab[32];
	CK_SLOT_ID slot;
	CK_RV rv;
	size_t ll = strlen(label);
	int r;

	if (ll == 0 || ll > sizeof(lab))
		return anc_err_set(err, ANC_E_INPUT, "token label \"%s\": "
		    "expected 1 to 32 bytes", label);
	memset(lab, ' ', sizeof(lab));
	memcpy(lab, label, ll);
	if ((r = blank_slot(m, &slot, err)) != ANC_OK)
		return r;
	if ((rv = m->fl->C_InitToken(slot,
	    (CK_UTF8CHAR_PTR)anc_secret_buf(so_pin), anc_secret_len(so_pin),
	    lab)) != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv, "token \"%s\": "
		    "C_InitToken failed", label);
	if ((r = labelled_slot(m, lab, &slot, err)) != ANC_OK ||
	    (r = init_user_pin(m, slot, so_pin, user_pin, err)) != ANC_OK)
		return anc_err_prefix(err, "token \"%s\"", label);
	/* libp11's slot list predates the new token: read it again. */
	PKCS11_release_all_slots(m->ctx, m->slots, m->nslots);
	m->slots = NULL;
	m->nslots = 0;
	if (PKCS11_enumerate_slots(m->ctx, &m->slots, &m->nslots) != 0)
		return anc_err_ossl(err, ANC_E_MODULE, "module %s: cannot list "
		    "slots", m->description);
	return ANC_OK;
}

int
anc_uri_token_label(const char *uri, char *label, size_t cap,
    struct anc_err *err)
{
	CK_TOKEN_INFO *ti;
	void *u = NULL;
	int r;

	if ((r = anc_uri_parse(uri, &u, err)) != ANC_OK)
		return r;
	ti = p11_kit_uri_get_token_info(u);
	/* Unset, the label is zero-filled; set, blank-padded. */
	if (ti->label[0] == '\0')
		label[0] = '\0';
	else
		anc_p11_str(label, cap, ti->label, sizeof(ti->label));
	anc_uri_free(u);
	return ANC_OK;
}
