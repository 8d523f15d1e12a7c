/*
 * anchorage: what a token says it can do, read without logging in.
 *
 * Modules differ in how much they tell: some list a mechanism and then
 * answer C_GetMechanismInfo with CKR_MECHANISM_INVALID, some report key
 * sizes of 0.  Nothing here fails for that; the gaps are kept so that
 * checks can say "unchecked" instead of guessing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "p11_int.h"

static void
version(char *dst, size_t cap, CK_VERSION v)
{
	snprintf(dst, cap, "%u.%u", (unsigned)v.major, (unsigned)v.minor);
}

static int
read_mechs(struct anc_token *t, struct anc_token_caps *c,
    struct anc_err *err)
{
	unsigned long *types = NULL;
	CK_MECHANISM_INFO mi;
	size_t n = 0, i;
	CK_RV rv;
	int r;

	if ((r = anc_token_mechanisms(t, &types, &n, err)) != ANC_OK)
		return r;
	if ((c->mechs = calloc(n + 1, sizeof(*c->mechs))) == NULL) {
		free(types);
		return anc_err_set(err, ANC_E_NOMEM, "mechanism list");
	}
	for (i = 0; i < n; i++) {
		c->mechs[i].type = types[i];
		memset(&mi, 0, sizeof(mi));
		rv = t->m->fl->C_GetMechanismInfo(t->slot_id, types[i], &mi);
		c->mechs[i].info_rv = rv;
		if (rv != CKR_OK)
			continue;
		c->mechs[i].have_info = 1;
		c->mechs[i].min_key = mi.ulMinKeySize;
		c->mechs[i].max_key = mi.ulMaxKeySize;
		c->mechs[i].flags = mi.flags;
	}
	c->nmechs = n;
	free(types);
	return ANC_OK;
}

int
anc_token_caps_read(struct anc_token *t, struct anc_token_caps **out,
    struct anc_err *err)
{
	struct anc_token_caps *c;
	CK_INFO li;
	CK_RV rv;
	int r = ANC_E_INTERNAL;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "token capabilities");
	if ((r = anc_token_info(t, &c->info, err)) != ANC_OK)
		goto out;
	if ((rv = t->m->fl->C_GetInfo(&li)) != CKR_OK) {
		r = anc_err_ckr(err, ANC_E_PKCS11, rv, "C_GetInfo failed");
		goto out;
	}
	anc_p11_str(c->library_manufacturer, sizeof(c->library_manufacturer),
	    li.manufacturerID, sizeof(li.manufacturerID));
	anc_p11_str(c->library_description, sizeof(c->library_description),
	    li.libraryDescription, sizeof(li.libraryDescription));
	version(c->library_version, sizeof(c->library_version),
	    li.libraryVersion);
	version(c->cryptoki_version, sizeof(c->cryptoki_version),
	    li.cryptokiVersion);
	if ((r = read_mechs(t, c, err)) != ANC_OK)
		goto out;
	*out = c;
	c = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	anc_token_caps_free(c);
	return r;
}

void
anc_token_caps_free(struct anc_token_caps *c)
{
	if (c == NULL)
		return;
	free(c->mechs);
	free(c);
}

const struct anc_mech_caps *
anc_caps_mech(const struct anc_token_caps *c, unsigned long mech)
{
	size_t i;

	for (i = 0; i < c->nmechs; i++)
		if (c->mechs[i].type == mech)
			return &c->mechs[i];
	return NULL;
}

const struct anc_mech_role *
anc_mechs_that_matter(size_t *n)
{
	static const struct anc_mech_role m[] = {
		{ CKM_EC_KEY_PAIR_GEN, "EC key pair generation" },
		{ CKM_RSA_PKCS_KEY_PAIR_GEN, "RSA key pair generation (and the "
		    "backup's unwrap key)" },
		{ CKM_ECDSA, "ECDSA signature on a digest (ceremony)" },
		{ CKM_ECDSA_SHA256, "ECDSA with SHA-256 in the token" },
		{ CKM_ECDSA_SHA384, "ECDSA with SHA-384 in the token" },
		{ CKM_RSA_PKCS, "RSA PKCS#1 v1.5 signature on a DigestInfo "
		    "(ceremony)" },
		{ CKM_SHA256_RSA_PKCS, "RSA PKCS#1 v1.5 with SHA-256 (ceremony)" },
		{ CKM_SHA384_RSA_PKCS, "RSA PKCS#1 v1.5 with SHA-384" },
		{ CKM_SHA512_RSA_PKCS, "RSA PKCS#1 v1.5 with SHA-512" },
		{ CKM_RSA_PKCS_PSS, "RSA-PSS on a digest" },
		{ CKM_SHA256_RSA_PKCS_PSS, "RSA-PSS with SHA-256" },
		{ CKM_RSA_PKCS_OAEP, "backup: the transfer key wrapped and "
		    "unwrapped (RSA-OAEP)" },
		{ CKM_AES_KEY_GEN, "backup: the AES-256 transfer key" },
		{ CKM_AES_KEY_WRAP_PAD, "backup: the key wrapped and unwrapped "
		    "under the transfer key (RFC 5649)" },
		/* What CKM_RSA_AES_KEY_WRAP does in one call, the backup
		 * composes from the two above (docs/backup.md). */
		{ CKM_RSA_AES_KEY_WRAP, "RSA-AES key wrap (not used by the "
		    "backup)" },
		{ CKM_AES_KEY_WRAP, "AES key wrap, RFC 3394 (not used by the "
		    "backup)" },
	};

	*n = sizeof(m) / sizeof(m[0]);
	return m;
}

struct flag {
	unsigned long bit;
	const char *name;
};

static const char *
flag_names(const struct flag *f, size_t nf, unsigned long flags, char *buf,
    size_t cap)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < nf && off < cap; i++) {
		if ((flags & f[i].bit) == 0)
			continue;
		n = snprintf(buf + off, cap - off, "%s%s", off > 0 ? "," : "",
		    f[i].name);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}

#define F(bit, name) { bit, name }

const char *
anc_token_flag_names(unsigned long flags, char *buf, size_t cap)
{
	static const struct flag f[] = {
		F(CKF_RNG, "rng"), F(CKF_WRITE_PROTECTED, "write_protected"),
		F(CKF_LOGIN_REQUIRED, "login_required"),
		F(CKF_USER_PIN_INITIALIZED, "user_pin_initialized"),
		F(CKF_RESTORE_KEY_NOT_NEEDED, "restore_key_not_needed"),
		F(CKF_CLOCK_ON_TOKEN, "clock_on_token"),
		F(CKF_PROTECTED_AUTHENTICATION_PATH,
		    "protected_authentication_path"),
		F(CKF_DUAL_CRYPTO_OPERATIONS, "dual_crypto_operations"),
		F(CKF_TOKEN_INITIALIZED, "token_initialized"),
		F(CKF_SECONDARY_AUTHENTICATION, "secondary_authentication"),
		F(CKF_USER_PIN_COUNT_LOW, "user_pin_count_low"),
		F(CKF_USER_PIN_FINAL_TRY, "user_pin_final_try"),
		F(CKF_USER_PIN_LOCKED, "user_pin_locked"),
		F(CKF_USER_PIN_TO_BE_CHANGED, "user_pin_to_be_changed"),
		F(CKF_SO_PIN_COUNT_LOW, "so_pin_count_low"),
		F(CKF_SO_PIN_FINAL_TRY, "so_pin_final_try"),
		F(CKF_SO_PIN_LOCKED, "so_pin_locked"),
		F(CKF_SO_PIN_TO_BE_CHANGED, "so_pin_to_be_changed"),
	};

	return flag_names(f, sizeof(f) / sizeof(f[0]), flags, buf, cap);
}

const char *
anc_mech_flag_names(unsigned long flags, char *buf, size_t cap)
{
	static const struct flag f[] = {
		F(CKF_HW, "hw"), F(CKF_ENCRYPT, "encrypt"),
		F(CKF_DECRYPT, "decrypt"), F(CKF_DIGEST, "digest"),
		F(CKF_SIGN, "sign"), F(CKF_SIGN_RECOVER, "sign_recover"),
		F(CKF_VERIFY, "verify"), F(CKF_VERIFY_RECOVER, "verify_recover"),
		F(CKF_GENERATE, "generate"),
		F(CKF_GENERATE_KEY_PAIR, "generate_key_pair"),
		F(CKF_WRAP, "wrap"), F(CKF_UNWRAP, "unwrap"),
		F(CKF_DERIVE, "derive"), F(CKF_EC_F_P, "ec_f_p"),
		F(CKF_EC_NAMEDCURVE, "ec_named_curve"),
		F(CKF_EC_UNCOMPRESS, "ec_uncompress"),
		F(CKF_EC_COMPRESS, "ec_compress"),
	};

	return flag_names(f, sizeof(f) / sizeof(f[0]), flags, buf, cap);
}
