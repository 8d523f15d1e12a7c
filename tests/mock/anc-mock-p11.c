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
 *   ANC_MOCK_QUIRKS  vendor behaviours no open module shows, comma-separated:
 *       always-auth       every private key has CKA_ALWAYS_AUTHENTICATE: each
 *                         C_Sign needs a C_Login(CKU_CONTEXT_SPECIFIC) after
 *                         its C_SignInit (checked against the user PIN)
 *       raw-ec-point      CKA_EC_POINT is the bare point, not DER-wrapped
 *       reject-attr=CKA_X C_GenerateKeyPair refuses a template that holds
 *                         CKA_X (CKR_ATTRIBUTE_TYPE_INVALID)
 *       inconsistent-attr=CKA_X  the same with CKR_TEMPLATE_INCONSISTENT
 *       protected-path    CKF_PROTECTED_AUTHENTICATION_PATH: C_Login takes
 *                         no PIN; the "PIN pad" reads ANC_MOCK_PINPAD (a file)
 *       one-session       at most one open session, as ulMaxSessionCount 1
 *                         says; a second C_OpenSession: CKR_SESSION_COUNT
 *       session-count     the same limit, not announced in the token info
 *       no-rng            no CKF_RNG; C_GenerateRandom: CKR_RANDOM_NO_RNG
 *       rng-unsupported   CKF_RNG set, but C_GenerateRandom answers
 *                         CKR_FUNCTION_NOT_SUPPORTED
 *       slow-sign         each C_Sign takes one second
 *       max-pin=N         ulMaxPinLen N; C_SetPIN refuses a longer PIN
 *       not-local         CKA_LOCAL reads false (a key the token says it
 *                         did not generate): the read-back check refuses it
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
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* Vendor behaviours (ANC_MOCK_QUIRKS). */
#define MOCK_SESSIONS 64
static struct {
	int always_auth, raw_ec_point, protected_path, one_session;
	int quiet_limit;	/* session-count: the limit is not announced */
	int no_rng, rng_unsupported, slow_sign, not_local;
	CK_ATTRIBUTE_TYPE reject_attr;
	CK_RV reject_rv;
	CK_ULONG max_pin;
	/* always-auth: sessions whose signing operation still needs its
	 * context-specific login */
	CK_SESSION_HANDLE need_auth[MOCK_SESSIONS];
	CK_ULONG open;		/* sessions open, for one-session */
} q;

static const struct {
	const char *name;
	CK_ATTRIBUTE_TYPE type;
} attr_names[] = {
	{ "CKA_VERIFY", CKA_VERIFY }, { "CKA_ENCRYPT", CKA_ENCRYPT },
	{ "CKA_WRAP", CKA_WRAP }, { "CKA_DERIVE", CKA_DERIVE },
	{ "CKA_EXTRACTABLE", CKA_EXTRACTABLE }, { "CKA_DECRYPT", CKA_DECRYPT },
	{ "CKA_UNWRAP", CKA_UNWRAP }, { "CKA_SENSITIVE", CKA_SENSITIVE },
	{ "CKA_PRIVATE", CKA_PRIVATE }, { "CKA_ID", CKA_ID },
};

static void
parse_quirk(const char *w)
{
	const char *v = strchr(w, '=');
	size_t i;

	if (strcmp(w, "always-auth") == 0)
		q.always_auth = 1;
	else if (strcmp(w, "raw-ec-point") == 0)
		q.raw_ec_point = 1;
	else if (strcmp(w, "protected-path") == 0)
		q.protected_path = 1;
	else if (strcmp(w, "one-session") == 0)
		q.one_session = 1;
	else if (strcmp(w, "session-count") == 0)
		q.one_session = q.quiet_limit = 1;
	else if (strcmp(w, "no-rng") == 0)
		q.no_rng = 1;
	else if (strcmp(w, "rng-unsupported") == 0)
		q.rng_unsupported = 1;
	else if (strcmp(w, "slow-sign") == 0)
		q.slow_sign = 1;
	else if (strcmp(w, "not-local") == 0)
		q.not_local = 1;
	else if (strncmp(w, "max-pin=", 8) == 0)
		q.max_pin = strtoul(v + 1, NULL, 10);
	else if (v != NULL && (strncmp(w, "reject-attr=", 12) == 0 ||
	    strncmp(w, "inconsistent-attr=", 18) == 0)) {
		q.reject_rv = w[0] == 'r' ? CKR_ATTRIBUTE_TYPE_INVALID :
		    CKR_TEMPLATE_INCONSISTENT;
		for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
			if (strcmp(attr_names[i].name, v + 1) == 0)
				q.reject_attr = attr_names[i].type;
	}
}

static void
parse_quirks(void)
{
	const char *env = getenv("ANC_MOCK_QUIRKS");
	char buf[256], *w, *save = NULL;

	if (env == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s", env);
	for (w = strtok_r(buf, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save))
		parse_quirk(w);
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

/* always-auth: the slot of session s in need_auth, or -1. */
static int
auth_slot(CK_SESSION_HANDLE s)
{
	int i;

	for (i = 0; i < MOCK_SESSIONS; i++)
		if (q.need_auth[i] == s)
			return i;
	return -1;
}

static void
auth_set(CK_SESSION_HANDLE s, int need)
{
	int i;

	if (need && auth_slot(s) >= 0)
		return;
	i = auth_slot(need ? 0 : s);

	if (i >= 0)
		q.need_auth[i] = need ? s : 0;
}

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
	if (q.protected_path)
		info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
	if (q.no_rng)
		info->flags &= ~(CK_FLAGS)CKF_RNG;
	if (q.max_pin > 0)
		info->ulMaxPinLen = q.max_pin;
	if (q.one_session && !q.quiet_limit) {
		info->ulMaxSessionCount = 1;
		info->ulMaxRwSessionCount = 1;
	}
	return rv;
}

/* The PIN typed on the device's own PIN pad (protected-path). */
static CK_RV
pin_pad(CK_SESSION_HANDLE s, CK_USER_TYPE u)
{
	const char *path = getenv("ANC_MOCK_PINPAD");
	unsigned char pin[256];
	ssize_t n;
	int fd;

	if (path == NULL || (fd = open(path, O_RDONLY)) < 0)
		return CKR_FUNCTION_CANCELED;	/* nobody typed */
	n = read(fd, pin, sizeof(pin));
	close(fd);
	while (n > 0 && (pin[n - 1] == '\n' || pin[n - 1] == '\r'))
		n--;
	if (n <= 0)
		return CKR_FUNCTION_CANCELED;
	return real->C_Login(s, u, pin, (CK_ULONG)n);
}

/* A context-specific login: the user PIN again, checked by setting it
 * to itself (SoftHSM2 has no context-specific login of its own). */
static CK_RV
context_login(CK_SESSION_HANDLE s, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	CK_RV rv;

	log_call("C_Login(CKU_CONTEXT_SPECIFIC)");
	if (auth_slot(s) < 0)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (pin == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = real->C_SetPIN(s, pin, len, pin, len);
	if (rv == CKR_OK)
		auth_set(s, 0);
	return rv;
}

static CK_RV
m_Login(CK_SESSION_HANDLE s, CK_USER_TYPE u, CK_UTF8CHAR_PTR pin,
    CK_ULONG len)
{
	GUARD("C_Login");
	if (is("pin-locked"))
		return CKR_PIN_LOCKED;
	if (u == CKU_CONTEXT_SPECIFIC && q.always_auth)
		return context_login(s, pin, len);
	if (q.protected_path) {
		/* A PIN pad device takes no PIN from the host. */
		if (pin != NULL || len != 0)
			return CKR_ARGUMENTS_BAD;
		log_call("C_Login(NULL PIN)");
		return pin_pad(s, u);
	}
	return real->C_Login(s, u, pin, len);
}

static CK_RV
m_Sign(CK_SESSION_HANDLE s, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
    CK_ULONG_PTR siglen)
{
	CK_RV rv;

	GUARD("C_Sign");
	if (q.always_auth && auth_slot(s) >= 0) {
		/* As the standard says: the operation ends, unauthorised. */
		auth_set(s, 0);
		(void)real->C_Sign(s, data, len, NULL, siglen);
		return CKR_USER_NOT_LOGGED_IN;
	}
	if (q.slow_sign && sig != NULL) {
		struct timespec one = { 1, 0 };

		nanosleep(&one, NULL);
	}
	rv = real->C_Sign(s, data, len, sig, siglen);
	/* A token that lies: the signature is well formed but wrong. */
	if (rv == CKR_OK && sig != NULL && *siglen > 8 && is("bad-signature"))
		sig[*siglen - 8] ^= 0x01;
	return rv;
}

static CK_RV
m_SignInit(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	CK_OBJECT_CLASS cls = 0;
	CK_ATTRIBUTE a = { CKA_CLASS, &cls, sizeof(cls) };
	CK_RV rv;

	GUARD("C_SignInit");
	if (m != NULL && hidden(m->mechanism))
		return CKR_MECHANISM_INVALID;
	if ((rv = real->C_SignInit(s, m, k)) != CKR_OK)
		return rv;
	if (q.always_auth && real->C_GetAttributeValue(s, k, &a, 1) ==
	    CKR_OK && cls == CKO_PRIVATE_KEY)
		auth_set(s, 1);
	return rv;
}

static CK_RV
m_GenerateKeyPair(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m,
    CK_ATTRIBUTE_PTR pub, CK_ULONG npub, CK_ATTRIBUTE_PTR priv,
    CK_ULONG npriv, CK_OBJECT_HANDLE_PTR hpub, CK_OBJECT_HANDLE_PTR hpriv)
{
	CK_ULONG i;

	GUARD("C_GenerateKeyPair");
	for (i = 0; q.reject_attr != 0 && i < npub + npriv; i++)
		if ((i < npub ? pub[i] : priv[i - npub]).type == q.reject_attr)
			return q.reject_rv;
	if (m != NULL && hidden(m->mechanism))
		return CKR_MECHANISM_INVALID;
	return real->C_GenerateKeyPair(s, m, pub, npub, priv, npriv, hpub,
	    hpriv);
}

static CK_RV
m_GenerateRandom(CK_SESSION_HANDLE s, CK_BYTE_PTR buf, CK_ULONG len)
{
	GUARD("C_GenerateRandom");
	if (q.no_rng)
		return CKR_RANDOM_NO_RNG;
	if (q.rng_unsupported)
		return CKR_FUNCTION_NOT_SUPPORTED;
	return real->C_GenerateRandom(s, buf, len);
}

/* raw-ec-point: the point without its DER OCTET STRING header, for a
 * size query or into the caller's buffer. */
static CK_RV
raw_point(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t)
{
	unsigned char der[160];
	CK_ATTRIBUTE a = { CKA_EC_POINT, der, sizeof(der) };
	size_t hdr, len;

	if (real->C_GetAttributeValue(s, o, &a, 1) != CKR_OK ||
	    a.ulValueLen < 2 || der[0] != 0x04) {
		t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
		return CKR_ATTRIBUTE_TYPE_INVALID;
	}
	hdr = der[1] < 0x80 ? 2 : 3;
	len = a.ulValueLen - hdr;
	if (t->pValue != NULL && t->ulValueLen < len) {
		t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
		return CKR_BUFFER_TOO_SMALL;
	}
	if (t->pValue != NULL)
		memcpy(t->pValue, der + hdr, len);
	t->ulValueLen = len;
	return CKR_OK;
}

static CK_RV
m_GetAttributeValue(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
    CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	CK_ATTRIBUTE c[64];
	CK_ULONG i;
	CK_RV rv, prv;

	GUARD("C_GetAttributeValue");
	if (!q.raw_ec_point || n > 64)
		rv = real->C_GetAttributeValue(s, o, t, n);
	else {
		/* The point is answered here; the rest by the real module. */
		memcpy(c, t, n * sizeof(*c));
		for (i = 0; i < n; i++)
			if (c[i].type == CKA_EC_POINT)
				c[i].pValue = NULL;
		rv = real->C_GetAttributeValue(s, o, c, n);
		for (i = 0; i < n; i++) {
			if (t[i].type != CKA_EC_POINT) {
				t[i].ulValueLen = c[i].ulValueLen;
				continue;
			}
			if (c[i].ulValueLen == CK_UNAVAILABLE_INFORMATION) {
				t[i].ulValueLen = c[i].ulValueLen;
				continue;
			}
			if ((prv = raw_point(s, o, &t[i])) != CKR_OK &&
			    rv == CKR_OK)
				rv = prv;
		}
	}
	for (i = 0; i < n; i++)
		if (((q.always_auth && t[i].type == CKA_ALWAYS_AUTHENTICATE) ||
		    (q.not_local && t[i].type == CKA_LOCAL)) &&
		    t[i].ulValueLen == sizeof(CK_BBOOL) && t[i].pValue != NULL)
			*(CK_BBOOL *)t[i].pValue = t[i].type == CKA_LOCAL ?
			    CK_FALSE : CK_TRUE;
	return rv;
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
	CK_RV rv;

	GUARD("C_OpenSession");
	if (q.one_session && q.open >= 1)
		return CKR_SESSION_COUNT;
	rv = real->C_OpenSession(id, f, app, cb, s);
	if (rv == CKR_OK)
		q.open++;
	return rv;
}

static CK_RV
m_CloseSession(CK_SESSION_HANDLE s)
{
	CK_RV rv = real->C_CloseSession(s);

	if (rv == CKR_OK && q.open > 0)
		q.open--;
	auth_set(s, 0);
	return rv;
}

static CK_RV
m_CloseAllSessions(CK_SLOT_ID id)
{
	q.open = 0;
	memset(q.need_auth, 0, sizeof(q.need_auth));
	return real->C_CloseAllSessions(id);
}

static CK_RV
m_SetPIN(CK_SESSION_HANDLE s, CK_UTF8CHAR_PTR old, CK_ULONG oldlen,
    CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	GUARD("C_SetPIN");
	if (q.max_pin > 0 && len > q.max_pin)
		return CKR_PIN_LEN_RANGE;
	return real->C_SetPIN(s, old, oldlen, pin, len);
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
		mock.C_CloseSession = m_CloseSession;
		mock.C_CloseAllSessions = m_CloseAllSessions;
		mock.C_SetPIN = m_SetPIN;
		mock.C_WrapKey = m_WrapKey;
		mock.C_UnwrapKey = m_UnwrapKey;
		mock.C_CreateObject = m_CreateObject;
		mock.C_GenerateKey = m_GenerateKey;
		mock.C_GetMechanismList = m_GetMechanismList;
		mock.C_GetMechanismInfo = m_GetMechanismInfo;
		parse_fault();
		parse_quirks();
	}
	*out = &mock;
	return CKR_OK;
}
