/*
 * bench/floor: the least a program can do to run the benchmark ceremony's
 * token work, so that anchorage's time can be compared with the token's
 * own cost rather than with a guess.
 *
 *   floor ceremony MODULE TOKEN-LABEL PINFILE
 *	dlopen, C_Initialize, find the token by label, C_OpenSession,
 *	C_Login, C_GenerateKeyPair (P-256, the root key template anchorage
 *	uses), two C_Sign calls (root and issuing-CA digests), C_Logout,
 *	C_CloseSession, C_Finalize.  No certificate is built: only the token
 *	calls are made.
 *   floor rawsign MODULE TOKEN-LABEL PINFILE N [ec-p256|rsa-3072]
 *	the same set-up, then N signatures on one session with the generated
 *	token key: CKM_ECDSA of a 32-byte digest (P-256, the default), or
 *	CKM_RSA_PKCS of a SHA-256 DigestInfo (RSA-3072); prints the rate.
 *   floor rawsign-session MODULE TOKEN-LABEL PINFILE N
 *	the same with a session key (CKA_TOKEN false).  SoftHSM2 re-reads a
 *	token object's file on every use; the difference between the two
 *	rates is that cost, which no application can avoid for a root key.
 *
 * The PIN is read from a file (first line), never from argv or the
 * environment, and wiped right after C_Login.  Not part of anchorage.
 */
#define _DEFAULT_SOURCE	/* explicit_bzero, clock_gettime */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <p11-kit/pkcs11.h>

/* DER of the P-256 OID, as CKA_EC_PARAMS wants it. */
static const unsigned char rsa_e[] = { 0x01, 0x00, 0x01 };
/* The DigestInfo prefix of SHA-256 (RFC 8017, 9.2, note 1). */
static const unsigned char sha256_info[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
};

static const unsigned char p256_oid[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};

struct floor {
	void *dl;
	CK_FUNCTION_LIST_PTR fl;
	int initialized;
	CK_SESSION_HANDLE s;
	int rsa;		/* RSA-3072 rather than P-256 */
	int have_session;
	int logged_in;
};

static int
ckfail(const char *what, CK_RV rv)
{
	fprintf(stderr, "floor: %s failed: CKR 0x%lx\n", what,
	    (unsigned long)rv);
	return 1;
}

static int
load(struct floor *f, const char *module)
{
	CK_C_GetFunctionList get;
	CK_RV rv;

	if ((f->dl = dlopen(module, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "floor: %s: %s\n", module, dlerror());
		return 1;
	}
	*(void **)&get = dlsym(f->dl, "C_GetFunctionList");
	if (get == NULL) {
		fprintf(stderr, "floor: %s: no C_GetFunctionList\n", module);
		return 1;
	}
	if ((rv = get(&f->fl)) != CKR_OK)
		return ckfail("C_GetFunctionList", rv);
	if ((rv = f->fl->C_Initialize(NULL)) != CKR_OK)
		return ckfail("C_Initialize", rv);
	f->initialized = 1;
	return 0;
}

/* The one slot whose token carries `label` (blank-padded to 32 bytes). */
static int
find_token(struct floor *f, const char *label, CK_SLOT_ID *slot)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO ti;
	unsigned char want[32];
	size_t len = strlen(label);
	CK_RV rv;

	if (len > sizeof(want)) {
		fprintf(stderr, "floor: token label longer than 32 bytes\n");
		return 1;
	}
	memset(want, ' ', sizeof(want));
	memcpy(want, label, len);
	if ((rv = f->fl->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK)
		return ckfail("C_GetSlotList", rv);
	for (i = 0; i < n; i++) {
		if ((rv = f->fl->C_GetTokenInfo(slots[i], &ti)) != CKR_OK)
			return ckfail("C_GetTokenInfo", rv);
		if (memcmp(ti.label, want, sizeof(want)) == 0) {
			*slot = slots[i];
			return 0;
		}
	}
	fprintf(stderr, "floor: no token labelled \"%s\"\n", label);
	return 1;
}

/* Reads the first line of a 0600 file and logs in; wipes the PIN. */
static int
login(struct floor *f, const char *pinfile)
{
	char pin[256];
	size_t len;
	FILE *fp;
	CK_RV rv;

	if ((fp = fopen(pinfile, "re")) == NULL) {
		fprintf(stderr, "floor: %s: %s\n", pinfile, strerror(errno));
		return 1;
	}
	if (fgets(pin, sizeof(pin), fp) == NULL) {
		fprintf(stderr, "floor: %s: no PIN\n", pinfile);
		fclose(fp);
		explicit_bzero(pin, sizeof(pin));
		return 1;
	}
	fclose(fp);
	len = strcspn(pin, "\r\n");
	rv = f->fl->C_Login(f->s, CKU_USER, (CK_UTF8CHAR_PTR)pin, len);
	explicit_bzero(pin, sizeof(pin));
	if (rv != CKR_OK)
		return ckfail("C_Login", rv);
	f->logged_in = 1;
	return 0;
}

static int
open_token(struct floor *f, const char *module, const char *label,
    const char *pinfile)
{
	CK_SLOT_ID slot;
	CK_RV rv;

	if (load(f, module) != 0 || find_token(f, label, &slot) != 0)
		return 1;
	rv = f->fl->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
	    NULL, NULL, &f->s);
	if (rv != CKR_OK)
		return ckfail("C_OpenSession", rv);
	f->have_session = 1;
	return login(f, pinfile);
}

/*
 * A P-256 pair with anchorage's root template: a token object, private,
 * sensitive, sign-only, one label and a 16-byte id on both halves.  The
 * token must store it as anchorage's would, or the comparison is unfair.
 * `token` false makes session objects instead, for rawsign-session.
 */
static int
generate(struct floor *f, CK_BBOOL token, CK_OBJECT_HANDLE *priv)
{
	static const char label[] = "floor-root";
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	unsigned char id[16];
	CK_MECHANISM mech = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_ULONG bits = 3072;
	CK_ATTRIBUTE pubt[] = {
		{ CKA_TOKEN, &token, sizeof(token) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_ENCRYPT, &no, sizeof(no) },
		{ CKA_WRAP, &no, sizeof(no) },
		{ CKA_DERIVE, &no, sizeof(no) },
		{ CKA_LABEL, (void *)(uintptr_t)label, sizeof(label) - 1 },
		{ CKA_ID, id, sizeof(id) },
		{ CKA_EC_PARAMS, (void *)(uintptr_t)p256_oid,
		    sizeof(p256_oid) },
	};
	CK_ULONG npub = sizeof(pubt) / sizeof(pubt[0]);
	CK_ATTRIBUTE privt[] = {
		{ CKA_TOKEN, &token, sizeof(token) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_DECRYPT, &no, sizeof(no) },
		{ CKA_UNWRAP, &no, sizeof(no) },
		{ CKA_DERIVE, &no, sizeof(no) },
		{ CKA_LABEL, (void *)(uintptr_t)label, sizeof(label) - 1 },
		{ CKA_ID, id, sizeof(id) },
	};
	CK_OBJECT_HANDLE pub;
	CK_RV rv;

	/* The id is not random: drawing it would be a token call anchorage
	 * makes but the floor's brief (load, login, generate, sign) does not. */
	memset(id, 0xf1, sizeof(id));
	if (f->rsa) {
		/* The last attribute becomes the size; the exponent follows. */
		mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
		pubt[npub - 1].type = CKA_MODULUS_BITS;
		pubt[npub - 1].pValue = &bits;
		pubt[npub - 1].ulValueLen = sizeof(bits);
	}
	rv = f->fl->C_GenerateKeyPair(f->s, &mech, pubt, npub, privt,
	    sizeof(privt) / sizeof(privt[0]), &pub, priv);
	if (rv == CKR_OK && f->rsa) {
		CK_ATTRIBUTE e = { CKA_PUBLIC_EXPONENT, NULL, 0 };

		/* SoftHSM2's default exponent is 65537; say so if not. */
		if (f->fl->C_GetAttributeValue(f->s, pub, &e, 1) != CKR_OK ||
		    e.ulValueLen != sizeof(rsa_e))
			fprintf(stderr, "floor: RSA exponent not 65537\n");
	}
	if (rv != CKR_OK)
		return ckfail("C_GenerateKeyPair", rv);
	return 0;
}

static int
sign(struct floor *f, CK_OBJECT_HANDLE key, const unsigned char *digest)
{
	CK_MECHANISM mech = { CKM_ECDSA, NULL, 0 };
	unsigned char sig[384], in[sizeof(sha256_info) + 32];
	CK_ULONG siglen = sizeof(sig), inlen = 32, want = 64;
	CK_RV rv;

	memcpy(in, digest, 32);
	if (f->rsa) {
		mech.mechanism = CKM_RSA_PKCS;
		memcpy(in, sha256_info, sizeof(sha256_info));
		memcpy(in + sizeof(sha256_info), digest, 32);
		inlen = sizeof(in);
		want = 384;
	}
	if ((rv = f->fl->C_SignInit(f->s, &mech, key)) != CKR_OK)
		return ckfail("C_SignInit", rv);
	rv = f->fl->C_Sign(f->s, in, inlen, sig, &siglen);
	if (rv != CKR_OK)
		return ckfail("C_Sign", rv);
	if (siglen != want) {
		fprintf(stderr, "floor: C_Sign gave %lu bytes, expected %lu\n",
		    (unsigned long)siglen, (unsigned long)want);
		return 1;
	}
	return 0;
}

/* Logout, close and finalize: what a careful program does last. */
static int
close_token(struct floor *f)
{
	int bad = 0;
	CK_RV rv;

	if (f->logged_in && (rv = f->fl->C_Logout(f->s)) != CKR_OK)
		bad = ckfail("C_Logout", rv);
	f->logged_in = 0;
	if (f->have_session && (rv = f->fl->C_CloseSession(f->s)) != CKR_OK)
		bad = ckfail("C_CloseSession", rv);
	f->have_session = 0;
	if (f->initialized && (rv = f->fl->C_Finalize(NULL)) != CKR_OK)
		bad = ckfail("C_Finalize", rv);
	f->initialized = 0;
	if (f->dl != NULL)
		dlclose(f->dl);
	f->dl = NULL;
	return bad;
}

/*
 * Two signatures, as the ceremony makes: the root's and the issuing CA's.
 * The digests stand for SHA-256 hashes of the two TBS certificates; their
 * content does not change what the token does.
 */
static int
do_ceremony(struct floor *f)
{
	unsigned char root_tbs[32], issuing_tbs[32];
	CK_OBJECT_HANDLE key;

	memset(root_tbs, 0x52, sizeof(root_tbs));
	memset(issuing_tbs, 0x49, sizeof(issuing_tbs));
	if (generate(f, CK_TRUE, &key) != 0 || sign(f, key, root_tbs) != 0 ||
	    sign(f, key, issuing_tbs) != 0)
		return 1;
	return 0;
}

static double
seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * Wall time and this process's CPU time: the token runs in-process, so on
 * a machine busy with other work the CPU time is the steadier figure.
 */
static int
do_rawsign(struct floor *f, CK_BBOOL token, unsigned long n)
{
	unsigned char digest[32];
	struct timespec w0, w1, c0, c1;
	CK_OBJECT_HANDLE key;
	unsigned long i;
	double wall, cpu;

	memset(digest, 0x5a, sizeof(digest));
	if (generate(f, token, &key) != 0)
		return 1;
	if (clock_gettime(CLOCK_MONOTONIC, &w0) != 0 ||
	    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0) != 0) {
		perror("floor: clock_gettime");
		return 1;
	}
	for (i = 0; i < n; i++) {
		/* A different digest each time, as every certificate differs. */
		memcpy(digest, &i, sizeof(i));
		if (sign(f, key, digest) != 0)
			return 1;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &w1) != 0 ||
	    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1) != 0) {
		perror("floor: clock_gettime");
		return 1;
	}
	wall = seconds(&w0, &w1);
	cpu = seconds(&c0, &c1);
	printf("rawsign %s %s key: %lu signatures in %.6f s: %.0f sig/s, "
	    "%.2f us/sig, %.2f cpu-us/sig\n", f->rsa ? "rsa-3072" : "ec-p256",
	    token ? "token" : "session", n,
	    wall, (double)n / wall, wall * 1e6 / (double)n,
	    cpu * 1e6 / (double)n);
	return 0;
}

static int
usage(const char *why)
{
	fprintf(stderr, "floor: %s\n"
	    "usage: floor ceremony MODULE TOKEN-LABEL PINFILE\n"
	    "       floor rawsign MODULE TOKEN-LABEL PINFILE N "
	    "[ec-p256|rsa-3072]\n"
	    "       floor rawsign-session MODULE TOKEN-LABEL PINFILE N\n", why);
	return 2;
}

int
main(int argc, char **argv)
{
	struct floor f = { 0 };
	unsigned long n = 0;
	CK_BBOOL token = CK_TRUE;
	char *end;
	int r;

	if (argc < 5)
		return usage("missing arguments");
	if (strcmp(argv[1], "ceremony") == 0) {
		if (argc != 5)
			return usage("ceremony takes three arguments");
	} else if (strcmp(argv[1], "rawsign") == 0 ||
	    strcmp(argv[1], "rawsign-session") == 0) {
		if (argc == 7 && strcmp(argv[6], "rsa-3072") == 0)
			f.rsa = 1;
		else if (argc != 6 && (argc != 7 ||
		    strcmp(argv[6], "ec-p256") != 0))
			return usage("rawsign takes four arguments and an "
			    "optional algorithm (ec-p256, rsa-3072)");
		token = strcmp(argv[1], "rawsign") == 0;
		errno = 0;
		n = strtoul(argv[5], &end, 10);
		if (errno != 0 || *end != '\0' || n == 0)
			return usage("N must be a positive integer");
	} else {
		return usage("unknown mode");
	}
	r = open_token(&f, argv[2], argv[3], argv[4]);
	if (r == 0)
		r = n == 0 ? do_ceremony(&f) : do_rawsign(&f, token, n);
	if (close_token(&f) != 0)
		r = 1;
	return r;
}
