/*
 * A PKCS#11 module for tests: it forwards every call to a real module
 * (SoftHSM2) and injects what SoftHSM2 cannot show: a locked PIN, the
 * final-try and count-low flags, a signature that does not verify, a token
 * that disappears, a call that fails, and a process killed at an exact
 * call.  Test-only: built under tests/, never installed, never linked into
 * the appliance.
 *
 * Configuration (environment, test only; never a PIN):
 *   ANC_MOCK_TARGET  the real module (default: SoftHSM2)
 *   ANC_MOCK_FAULT   one of
 *       pin-locked | pin-final-try | pin-count-low | bad-signature
 *       fail=FUNCTION:N:CKR_NAME   the Nth call of FUNCTION returns CKR_NAME
 *       remove=FUNCTION:N          from the Nth call of FUNCTION on, the
 *                                  token is gone (CKR_DEVICE_REMOVED)
 *       kill=FUNCTION:N            the Nth call of FUNCTION kills the process
 *       stop=FUNCTION:N            the Nth call of FUNCTION stops the process
 *                                  (SIGSTOP), so a test can change its limits
 *       corrupt=C_UnwrapKey:N      the Nth C_UnwrapKey gets its wrapped key
 *                                  with one byte flipped, as from a damaged
 *                                  backup medium
 *   ANC_MOCK_LOG     a file that gets one line per call of a wrapped function
 *   ANC_MOCK_HIDE_MECHS  ec | rsa: a token without those mechanisms (key
 *                    pair generation and signing): C_GetMechanismList leaves
 *                    them out, C_GetMechanismInfo and C_GenerateKeyPair
 *                    answer CKR_MECHANISM_INVALID, as openCryptoki's
 *                    software token does for EC
 *   ANC_MOCK_MECHINFO    invalid: C_GetMechanismInfo answers
 *                    CKR_MECHANISM_INVALID for every mechanism it lists
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#define DEFAULT_TARGET "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"

static CK_FUNCTION_LIST real_list, *real;
static CK_FUNCTION_LIST mock;

static struct {
	char kind[32];		/* "fail", "remove", "kill", "stop", or a flag */
	char fn[64];
	unsigned long nth;
	CK_RV rv;
	unsigned long count;
	int removed;
	int corrupt_now;	/* this call's input is to be damaged */
} fault;

static const struct {
	const char *name;
	CK_RV rv;
} rvs[] = {
	{ "CKR_DEVICE_ERROR", CKR_DEVICE_ERROR },
	{ "CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED },
	{ "CKR_DEVICE_MEMORY", CKR_DEVICE_MEMORY },
	{ "CKR_FUNCTION_FAILED", CKR_FUNCTION_FAILED },
	{ "CKR_GENERAL_ERROR", CKR_GENERAL_ERROR },
	{ "CKR_TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT },
	{ "CKR_SESSION_HANDLE_INVALID", CKR_SESSION_HANDLE_INVALID },
};

static void
parse_fault(void)
{
	const char *f = getenv("ANC_MOCK_FAULT");
	char rvname[64] = "";
	size_t i;

	if (f == NULL)
		return;
	if (sscanf(f, "%31[a-z]=%63[A-Za-z_]:%lu:%63s", fault.kind, fault.fn,
	    &fault.nth, rvname) < 3) {
		snprintf(fault.kind, sizeof(fault.kind), "%s", f);
		return;
	}
	for (i = 0; i < sizeof(rvs) / sizeof(rvs[0]); i++)
		if (strcmp(rvs[i].name, rvname) == 0)
			fault.rv = rvs[i].rv;
}

static void
log_call(const char *fn)
{
	const char *path = getenv("ANC_MOCK_LOG");
	FILE *f;

	if (path == NULL || (f = fopen(path, "a")) == NULL)
		return;
	fprintf(f, "%s\n", fn);
	fclose(f);
}

static int
is(const char *kind)
{
	return strcmp(fault.kind, kind) == 0;
}

/* Count a call of `fn`; non-zero CK_RV when this call must fail. */
static CK_RV
hit(const char *fn)
{
	log_call(fn);
	if (fault.removed)
		return CKR_DEVICE_REMOVED;
	if (fault.fn[0] == '\0' || strcmp(fault.fn, fn) != 0)
		return CKR_OK;
	if (++fault.count != fault.nth)
		return CKR_OK;
	if (is("kill"))
		kill(getpid(), SIGKILL);
	if (is("stop"))
		kill(getpid(), SIGSTOP);
	if (is("remove")) {
		fault.removed = 1;
		return CKR_DEVICE_REMOVED;
	}
	if (is("fail"))
		return fault.rv != CKR_OK ? fault.rv : CKR_DEVICE_ERROR;
	fault.corrupt_now = is("corrupt");
	return CKR_OK;
}

#define GUARD(fn) do {				\
	CK_RV _rv = hit(fn);			\
	if (_rv != CKR_OK)			\
		return _rv;			\
} while (0)

/* Is `m` one of the mechanisms ANC_MOCK_HIDE_MECHS takes away? */
static int
hidden(CK_MECHANISM_TYPE m)
{
	static const CK_MECHANISM_TYPE ec[] = { CKM_EC_KEY_PAIR_GEN, CKM_ECDSA,
	    CKM_ECDSA_SHA1, CKM_ECDSA_SHA224, CKM_ECDSA_SHA256,
	    CKM_ECDSA_SHA384, CKM_ECDSA_SHA512, CKM_ECDH1_DERIVE, 0 };
	static const CK_MECHANISM_TYPE rsa[] = { CKM_RSA_PKCS_KEY_PAIR_GEN,
	    CKM_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_SHA224_RSA_PKCS,
	    CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS, CKM_SHA512_RSA_PKCS,
	    CKM_RSA_PKCS_PSS, CKM_RSA_X_509, 0 };
	const char *h = getenv("ANC_MOCK_HIDE_MECHS");
	const CK_MECHANISM_TYPE *v;

	if (h == NULL)
		return 0;
	v = strcmp(h, "ec") == 0 ? ec : strcmp(h, "rsa") == 0 ? rsa : NULL;
	for (; v != NULL && *v != 0; v++)
		if (*v == m)
			return 1;
	return 0;
}

static CK_RV
m_GetMechanismList(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list,
    CK_ULONG_PTR count)
{
	CK_MECHANISM_TYPE all[512];
	CK_ULONG n = sizeof(all) / sizeof(all[0]), i, kept = 0;
	CK_RV rv;

	GUARD("C_GetMechanismList");
	if ((rv = real->C_GetMechanismList(id, all, &n)) != CKR_OK)
		return rv;
	for (i = 0; i < n; i++) {
		if (hidden(all[i]))
			continue;
		if (list != NULL && kept < *count)
			list[kept] = all[i];
		kept++;
	}
	rv = list != NULL && kept > *count ? CKR_BUFFER_TOO_SMALL : CKR_OK;
	*count = kept;
	return rv;
}

static CK_RV
m_GetMechanismInfo(CK_SLOT_ID id, CK_MECHANISM_TYPE m,
    CK_MECHANISM_INFO_PTR info)
{
	const char *mi = getenv("ANC_MOCK_MECHINFO");

	GUARD("C_GetMechanismInfo");
	if (hidden(m) || (mi != NULL && strcmp(mi, "invalid") == 0))
		return CKR_MECHANISM_INVALID;
	return real->C_GetMechanismInfo(id, m, info);
}

static CK_RV
m_GetSlotInfo(CK_SLOT_ID id, CK_SLOT_INFO_PTR info)
{
	CK_RV rv = real->C_GetSlotInfo(id, info);

	if (rv == CKR_OK && fault.removed)
		info->flags &= ~(CK_FLAGS)CKF_TOKEN_PRESENT;
	return rv;
}

static CK_RV
m_GetTokenInfo(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info)
{
	CK_RV rv;

	GUARD("C_GetTokenInfo");
	if ((rv = real->C_GetTokenInfo(id, info)) != CKR_OK)
		return rv;
	if (is("pin-locked"))
		info->flags |= CKF_USER_PIN_LOCKED;
	else if (is("pin-final-try"))
		info->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
	else if (is("pin-count-low"))
		info->flags |= CKF_USER_PIN_COUNT_LOW;
	return rv;
}

static CK_RV
m_Login(CK_SESSION_HANDLE s, CK_USER_TYPE u, CK_UTF8CHAR_PTR pin,
    CK_ULONG len)
{
	GUARD("C_Login");
	if (is("pin-locked"))
		return CKR_PIN_LOCKED;
	return real->C_Login(s, u, pin, len);
}

static CK_RV
m_Sign(CK_SESSION_HANDLE s, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
    CK_ULONG_PTR siglen)
{
	CK_RV rv;

	GUARD("C_Sign");
	rv = real->C_Sign(s, data, len, sig, siglen);
	/* A token that lies: the signature is well formed but wrong. */
	if (rv == CKR_OK && sig != NULL && *siglen > 8 && is("bad-signature"))
		sig[*siglen - 8] ^= 0x01;
	return rv;
}

static CK_RV
m_SignInit(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	GUARD("C_SignInit");
	if (m != NULL && hidden(m->mechanism))
		return CKR_MECHANISM_INVALID;
	return real->C_SignInit(s, m, k);
}

static CK_RV
m_GenerateKeyPair(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m,
    CK_ATTRIBUTE_PTR pub, CK_ULONG npub, CK_ATTRIBUTE_PTR priv,
    CK_ULONG npriv, CK_OBJECT_HANDLE_PTR hpub, CK_OBJECT_HANDLE_PTR hpriv)
{
	GUARD("C_GenerateKeyPair");
	if (m != NULL && hidden(m->mechanism))
		return CKR_MECHANISM_INVALID;
	return real->C_GenerateKeyPair(s, m, pub, npub, priv, npriv, hpub,
	    hpriv);
}

static CK_RV
m_GenerateRandom(CK_SESSION_HANDLE s, CK_BYTE_PTR buf, CK_ULONG len)
{
	GUARD("C_GenerateRandom");
	return real->C_GenerateRandom(s, buf, len);
}

static CK_RV
m_GetAttributeValue(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
    CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	GUARD("C_GetAttributeValue");
	return real->C_GetAttributeValue(s, o, t, n);
}

static CK_RV
m_FindObjectsInit(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	GUARD("C_FindObjectsInit");
	return real->C_FindObjectsInit(s, t, n);
}

static CK_RV
m_WrapKey(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE wk,
    CK_OBJECT_HANDLE k, CK_BYTE_PTR out, CK_ULONG_PTR len)
{
	GUARD("C_WrapKey");
	return real->C_WrapKey(s, m, wk, k, out, len);
}

static CK_RV
m_UnwrapKey(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE uk,
    CK_BYTE_PTR in, CK_ULONG len, CK_ATTRIBUTE_PTR t, CK_ULONG n,
    CK_OBJECT_HANDLE_PTR k)
{
	CK_BYTE copy[8192];
	CK_RV rv;

	GUARD("C_UnwrapKey");
	if (!fault.corrupt_now || len == 0 || len > sizeof(copy))
		return real->C_UnwrapKey(s, m, uk, in, len, t, n, k);
	fault.corrupt_now = 0;
	memcpy(copy, in, len);
	copy[len / 2] ^= 0x01;
	rv = real->C_UnwrapKey(s, m, uk, copy, len, t, n, k);
	return rv;
}

static CK_RV
m_CreateObject(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n,
    CK_OBJECT_HANDLE_PTR o)
{
	GUARD("C_CreateObject");
	return real->C_CreateObject(s, t, n, o);
}

static CK_RV
m_GenerateKey(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t,
    CK_ULONG n, CK_OBJECT_HANDLE_PTR k)
{
	GUARD("C_GenerateKey");
	return real->C_GenerateKey(s, m, t, n, k);
}

static CK_RV
m_OpenSession(CK_SLOT_ID id, CK_FLAGS f, CK_VOID_PTR app, CK_NOTIFY cb,
    CK_SESSION_HANDLE_PTR s)
{
	GUARD("C_OpenSession");
	return real->C_OpenSession(id, f, app, cb, s);
}

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out)
{
	const char *target = getenv("ANC_MOCK_TARGET");
	CK_C_GetFunctionList get;
	CK_FUNCTION_LIST_PTR list;
	void *dl;

	if (real == NULL) {
		if ((dl = dlopen(target ? target : DEFAULT_TARGET,
		    RTLD_NOW | RTLD_LOCAL)) == NULL)
			return CKR_GENERAL_ERROR;
		*(void **)&get = dlsym(dl, "C_GetFunctionList");
		if (get == NULL || get(&list) != CKR_OK)
			return CKR_GENERAL_ERROR;
		real_list = *list;
		real = &real_list;
		mock = real_list;
		mock.C_GetSlotInfo = m_GetSlotInfo;
		mock.C_GetTokenInfo = m_GetTokenInfo;
		mock.C_Login = m_Login;
		mock.C_Sign = m_Sign;
		mock.C_SignInit = m_SignInit;
		mock.C_GenerateKeyPair = m_GenerateKeyPair;
		mock.C_GenerateRandom = m_GenerateRandom;
		mock.C_GetAttributeValue = m_GetAttributeValue;
		mock.C_FindObjectsInit = m_FindObjectsInit;
		mock.C_OpenSession = m_OpenSession;
		mock.C_WrapKey = m_WrapKey;
		mock.C_UnwrapKey = m_UnwrapKey;
		mock.C_CreateObject = m_CreateObject;
		mock.C_GenerateKey = m_GenerateKey;
		mock.C_GetMechanismList = m_GetMechanismList;
		mock.C_GetMechanismInfo = m_GetMechanismInfo;
		parse_fault();
	}
	*out = &mock;
	return CKR_OK;
}
