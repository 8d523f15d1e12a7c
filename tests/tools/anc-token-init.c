/*
 * Test and demo helper: initialise a fresh token in the first slot that
 * has none, reading the SO PIN and user PIN from a 0600 file (two lines),
 * so that no PIN is ever on a command line.  Not installed; not part of
 * the appliance.
 *
 * usage: anc-token-init MODULE LABEL PINFILE [MODEL]
 *
 * With MODEL, the token of that model is initialised again even if it
 * already is (openCryptoki's software token: one token, shared by every
 * test, wiped for each; its SO PIN then is the current one).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/secmem.h"

static int
fail(const char *what, CK_RV rv)
{
	fprintf(stderr, "anc-token-init: %s failed: 0x%lx\n", what,
	    (unsigned long)rv);
	return 1;
}

/* Split "SO\nUSER\n" in place; returns the user PIN or NULL. */
static char *
split(char *buf)
{
	char *nl = strchr(buf, '\n');

	if (nl == NULL)
		return NULL;
	*nl = '\0';
	return nl + 1;
}

/* The token's model, trimmed, is `model`. */
static int
is_model(const CK_TOKEN_INFO *ti, const char *model)
{
	size_t n = sizeof(ti->model);

	while (n > 0 && ti->model[n - 1] == ' ')
		n--;
	return strlen(model) == n && memcmp(ti->model, model, n) == 0;
}

static int
init(CK_FUNCTION_LIST_PTR fl, const char *label, char *so, char *user,
    const char *model)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO ti;
	CK_UTF8CHAR lab[32];
	CK_SESSION_HANDLE s;
	CK_RV rv;

	if ((rv = fl->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK)
		return fail("C_GetSlotList", rv);
	for (i = 0; i < n; i++)
		if (fl->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    (model != NULL ? is_model(&ti, model) :
		    !(ti.flags & CKF_TOKEN_INITIALIZED)))
			break;
	if (i == n)
		return fail("finding an uninitialised token", CKR_GENERAL_ERROR);
	memset(lab, ' ', sizeof(lab));
	memcpy(lab, label, strlen(label) < 32 ? strlen(label) : 32);
	if ((rv = fl->C_InitToken(slots[i], (CK_UTF8CHAR_PTR)so, strlen(so),
	    lab)) != CKR_OK)
		return fail("C_InitToken", rv);
	/* SoftHSM2 moves an initialised token to a new slot id: find it. */
	n = 64;
	if ((rv = fl->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK)
		return fail("C_GetSlotList", rv);
	for (i = 0; i < n; i++)
		if (fl->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    memcmp(ti.label, lab, 32) == 0)
			break;
	if (i == n)
		return fail("finding the new token", CKR_GENERAL_ERROR);
	if ((rv = fl->C_OpenSession(slots[i], CKF_SERIAL_SESSION |
	    CKF_RW_SESSION, NULL, NULL, &s)) != CKR_OK)
		return fail("C_OpenSession", rv);
	if ((rv = fl->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)so, strlen(so))) !=
	    CKR_OK)
		return fail("C_Login(SO)", rv);
	if ((rv = fl->C_InitPIN(s, (CK_UTF8CHAR_PTR)user, strlen(user))) !=
	    CKR_OK)
		return fail("C_InitPIN", rv);
	(void)fl->C_Logout(s);
	(void)fl->C_CloseSession(s);
	return 0;
}

int
main(int argc, char **argv)
{
	CK_C_GetFunctionList get;
	CK_FUNCTION_LIST_PTR fl;
	struct anc_err err;
	unsigned char *buf = NULL;
	char *user;
	size_t len = 0;
	void *dl;
	int rc;

	if (argc < 4 || argc > 5 || strlen(argv[2]) > 32) {
		fprintf(stderr, "usage: anc-token-init MODULE LABEL PINFILE "
		    "[MODEL]\n");
		return 2;
	}
	/* The file is "SO PIN\nUSER PIN\n". */
	if (anc_file_read(argv[3], 2 * ANC_SECRET_MAX + 2, &buf, &len, &err) !=
	    ANC_OK) {
		fprintf(stderr, "anc-token-init: %s\n", err.msg);
		return 1;
	}
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	if ((dl = dlopen(argv[1], RTLD_NOW)) == NULL ||
	    (*(void **)&get = dlsym(dl, "C_GetFunctionList")) == NULL ||
	    get(&fl) != CKR_OK || fl->C_Initialize(NULL) != CKR_OK) {
		fprintf(stderr, "anc-token-init: cannot load %s\n", argv[1]);
		return 1;
	}
	rc = (user = split((char *)buf)) == NULL ? fail("reading two PINs", 0) :
	    init(fl, argv[2], (char *)buf, user, argc == 5 ? argv[4] : NULL);
	anc_freezero(buf, len + 1);
	fl->C_Finalize(NULL);
	return rc;
}
