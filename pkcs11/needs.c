/*
 * anchorage: does the token have what a ceremony needs?  Compares one need
 * (a key pair, a signature, random bytes, a PIN length, a backup's
 * transfer key, wrap or unwrap) with the capabilities the token reported.
 * Pure: no token calls, so the same answer is given by `token probe`, by
 * `ceremony run` before anything changes, and by the unit tests.
 */
#include <stdio.h>
#include <string.h>

#include "anchorage/err.h"
#include "p11_int.h"

/* Key size in bits a need's algorithm asks of a mechanism. */
static unsigned long
alg_bits(enum anc_keyalg alg)
{
	switch (alg) {
	case ANC_KEY_EC_P256:
		return 256;
	case ANC_KEY_EC_P384:
		return 384;
	case ANC_KEY_RSA_3072:
		return 3072;
	case ANC_KEY_RSA_4096:
		return 4096;
	default:
		return 0;
	}
}

static int
is_ec(enum anc_keyalg alg)
{
	return alg == ANC_KEY_EC_P256 || alg == ANC_KEY_EC_P384;
}

const unsigned long *
anc_need_mechs(const struct anc_need *n)
{
	static const unsigned long ec_gen[] = { CKM_EC_KEY_PAIR_GEN,
	    ANC_MECH_END };
	static const unsigned long rsa_gen[] = { CKM_RSA_PKCS_KEY_PAIR_GEN,
	    ANC_MECH_END };
	static const unsigned long ecdsa[] = { CKM_ECDSA, ANC_MECH_END };
	/* The hashing mechanism first, as the signer prefers it (some
	 * tokens allow CKM_RSA_PKCS only for keys that may decrypt); else
	 * CKM_RSA_PKCS over a DigestInfo.  Either serves. */
	static const unsigned long rsa256[] = { CKM_SHA256_RSA_PKCS,
	    CKM_RSA_PKCS, ANC_MECH_END };
	static const unsigned long rsa384[] = { CKM_SHA384_RSA_PKCS,
	    CKM_RSA_PKCS, ANC_MECH_END };
	/* A restored key's proof signs with the hashing mechanism only. */
	static const unsigned long rsa_proof[] = { CKM_SHA256_RSA_PKCS,
	    ANC_MECH_END };
	/* The backup scheme (docs/backup.md): no alternatives. */
	static const unsigned long aes_gen[] = { CKM_AES_KEY_GEN,
	    ANC_MECH_END };
	static const unsigned long oaep[] = { CKM_RSA_PKCS_OAEP,
	    ANC_MECH_END };
	static const unsigned long kwp[] = { CKM_AES_KEY_WRAP_PAD,
	    ANC_MECH_END };
	static const unsigned long none[] = { ANC_MECH_END };

	switch (n->op) {
	case ANC_NEED_TRANSFER_KEY:
		return aes_gen;
	case ANC_NEED_WRAP_TRANSFER:
	case ANC_NEED_UNWRAP_TRANSFER:
		return oaep;
	case ANC_NEED_WRAP_KEY:
	case ANC_NEED_UNWRAP_KEY:
		return kwp;
	case ANC_NEED_KEYGEN:
		if (alg_bits(n->alg) == 0)
			return none;
		return is_ec(n->alg) ? ec_gen : rsa_gen;
	case ANC_NEED_SIGN:
	case ANC_NEED_PROVE:
		if (alg_bits(n->alg) == 0)
			return none;
		if (is_ec(n->alg))
			return ecdsa;
		if (n->op == ANC_NEED_PROVE)
			return rsa_proof;
		return n->hash_bits == 384 ? rsa384 : rsa256;
	default:
		return none;
	}
}

/* The flag a mechanism must have to serve the need. */
static unsigned long
need_flag(enum anc_need_op op, const char **name)
{
	switch (op) {
	case ANC_NEED_KEYGEN:
		*name = "CKF_GENERATE_KEY_PAIR";
		return CKF_GENERATE_KEY_PAIR;
	case ANC_NEED_TRANSFER_KEY:
		*name = "CKF_GENERATE";
		return CKF_GENERATE;
	case ANC_NEED_WRAP_TRANSFER:
	case ANC_NEED_WRAP_KEY:
		*name = "CKF_WRAP";
		return CKF_WRAP;
	case ANC_NEED_UNWRAP_TRANSFER:
	case ANC_NEED_UNWRAP_KEY:
		*name = "CKF_UNWRAP";
		return CKF_UNWRAP;
	default:
		*name = "CKF_SIGN";
		return CKF_SIGN;
	}
}

/*
 * The key size the need asks of its mechanism, and its unit: the key's
 * bits for key pairs and signatures, the unwrap key's 3072 bits for
 * RSA-OAEP, and the transfer key's 32 bytes for the AES mechanisms (the
 * standard counts AES key sizes in bytes).
 */
static unsigned long
need_size(const struct anc_need *n, const char **unit)
{
	*unit = "bits";
	switch (n->op) {
	case ANC_NEED_WRAP_TRANSFER:
	case ANC_NEED_UNWRAP_TRANSFER:
		return 3072;
	case ANC_NEED_TRANSFER_KEY:
	case ANC_NEED_WRAP_KEY:
	case ANC_NEED_UNWRAP_KEY:
		*unit = "bytes";
		return 32;
	default:
		return alg_bits(n->alg);
	}
}

static const char *
alg_or(enum anc_keyalg alg, const char *unknown)
{
	return anc_keyalg_name(alg) != NULL ? anc_keyalg_name(alg) : unknown;
}

/* The backup needs, in words. */
static void
describe_backup(const struct anc_need *n, const char *where, char *buf,
    size_t cap)
{
	const char *alg = alg_or(n->alg, "(algorithm of the key in the "
	    "token)");

	switch (n->op) {
	case ANC_NEED_TRANSFER_KEY:
		snprintf(buf, cap, "%s: an AES-256 transfer key", where);
		break;
	case ANC_NEED_WRAP_TRANSFER:
		snprintf(buf, cap, "%s: the transfer key wrapped under the "
		    "rsa-3072 unwrap key (RSA-OAEP)", where);
		break;
	case ANC_NEED_UNWRAP_TRANSFER:
		snprintf(buf, cap, "%s: the transfer key unwrapped with the "
		    "rsa-3072 unwrap key \"%s\" (RSA-OAEP)", where, n->key);
		break;
	case ANC_NEED_WRAP_KEY:
	case ANC_NEED_UNWRAP_KEY:
		snprintf(buf, cap, "%s: the %s key \"%s\" %s the transfer key "
		    "(AES key wrap with padding)", where, alg, n->key,
		    n->op == ANC_NEED_WRAP_KEY ? "wrapped under" :
		    "unwrapped with");
		break;
	case ANC_NEED_PROVE:
		snprintf(buf, cap, "%s: an %s signature on a challenge with "
		    "the restored key \"%s\"", where, alg, n->key);
		break;
	default:
		if (n->key[0] != '\0')
			snprintf(buf, cap, "%s: %s kept on key \"%s\"", where,
			    n->use, n->key);
		else
			snprintf(buf, cap, "%s: %s kept on the unwrap key and "
			    "the transfer key", where, n->use);
		break;
	}
}

const char *
anc_need_describe(const struct anc_need *n, char *buf, size_t cap)
{
	char where[160], key[96] = "";
	const char *tok = n->backup ? " on the backup token" : "";

	if (n->step > 0)
		snprintf(where, sizeof(where), "step %d (%s)%s", n->step,
		    n->kind, tok);
	else
		snprintf(where, sizeof(where), "%s%s", n->kind, tok);
	if (n->key[0] != '\0')
		snprintf(key, sizeof(key), " with key \"%s\"", n->key);
	switch (n->op) {
	case ANC_NEED_KEYGEN:
		snprintf(buf, cap, "%s: an %s key pair \"%s\"", where,
		    alg_or(n->alg, "unknown"), n->key);
		break;
	case ANC_NEED_SIGN:
		snprintf(buf, cap, "%s: an %s signature%s", where,
		    alg_or(n->alg, "(algorithm of the key in the token)"), key);
		break;
	case ANC_NEED_RANDOM:
		snprintf(buf, cap, "%s: random bytes from the token for the %s",
		    where, n->use);
		break;
	case ANC_NEED_PIN_LEN:
		snprintf(buf, cap, "%s: a new user PIN of %lu characters",
		    where, n->pin_len);
		break;
	default:
		describe_backup(n, where, buf, cap);
		break;
	}
	return buf;
}

const char *
anc_need_op_name(enum anc_need_op op)
{
	static const char *const names[] = { "?", "keygen", "sign", "random",
	    "pin-length", "transfer-key", "wrap-transfer", "wrap-key",
	    "unwrap-transfer", "unwrap-key", "prove", "trusted" };

	return (size_t)op < sizeof(names) / sizeof(names[0]) ? names[op] :
	    "?";
}

const char *
anc_need_status_name(enum anc_need_status st)
{
	static const char *const names[] = { "?", "met", "missing",
	    "unchecked" };

	return (size_t)st < sizeof(names) / sizeof(names[0]) ? names[st] :
	    "?";
}

/*
 * EC sizes are bits by the standard, but some modules report bytes
 * (66 for P-521); a maximum below 128 can only be bytes.
 */
static void
key_range(const struct anc_mech_caps *m, enum anc_keyalg alg,
    unsigned long *lo, unsigned long *hi)
{
	*lo = m->min_key;
	*hi = m->max_key;
	if (is_ec(alg) && (m->type == CKM_EC_KEY_PAIR_GEN ||
	    m->type == CKM_ECDSA) && *hi > 0 && *hi < 128) {
		*lo *= 8;
		*hi *= 8;
	}
}

/* Does mechanism entry `m` serve the need?  1 yes, 0 no (why in note). */
static int
mech_serves(const struct anc_need *n, const struct anc_mech_caps *m,
    char *note, size_t cap)
{
	const char *flag, *unit, *name = anc_mechanism_name(m->type);
	unsigned long want = need_flag(n->op, &flag), size, lo, hi;

	size = need_size(n, &unit);
	if ((m->flags & want) == 0) {
		snprintf(note, cap, "%s is listed without %s", name, flag);
		return 0;
	}
	key_range(m, n->alg, &lo, &hi);
	/* 0..0 means the module did not say. */
	if ((lo != 0 || hi != 0) && (size < lo || (hi != 0 && size > hi))) {
		snprintf(note, cap, "%s allows key sizes %lu to %lu %s; %s "
		    "needs %lu", name, lo, hi, unit, n->op == ANC_NEED_KEYGEN ||
		    n->op == ANC_NEED_SIGN || n->op == ANC_NEED_PROVE ?
		    anc_keyalg_name(n->alg) : "the backup", size);
		return 0;
	}
	return 1;
}

/* Mechanisms: the first listed one that serves. */
static void
check_mechs(const struct anc_need *n, const struct anc_token_caps *c,
    struct anc_need_result *res)
{
	const unsigned long *want = anc_need_mechs(n);
	const struct anc_mech_caps *m, *noinfo = NULL;
	char note[200] = "", names[160] = "";
	size_t i, off = 0;

	if (want[0] == ANC_MECH_END) {
		res->status = ANC_NEED_UNCHECKED;
		snprintf(res->detail, sizeof(res->detail), "the key's "
		    "algorithm is known only once the key is read from the "
		    "token");
		return;
	}
	for (i = 0; want[i] != ANC_MECH_END; i++) {
		if (off < sizeof(names))
			off += (size_t)snprintf(names + off, sizeof(names) - off,
			    "%s%s", i > 0 ? " or " : "",
			    anc_mechanism_name(want[i]));
		if ((m = anc_caps_mech(c, want[i])) == NULL)
			continue;
		if (!m->have_info) {
			if (noinfo == NULL)
				noinfo = m;
			continue;
		}
		if (mech_serves(n, m, note, sizeof(note))) {
			res->status = ANC_NEED_MET;
			res->mech = m->type;
			snprintf(res->detail, sizeof(res->detail), "%s",
			    anc_mechanism_name(m->type));
			return;
		}
	}
	if (noinfo != NULL) {
		res->status = ANC_NEED_UNCHECKED;
		res->mech = noinfo->type;
		snprintf(res->detail, sizeof(res->detail), "%s is listed but "
		    "C_GetMechanismInfo answered %s: its flags and key sizes "
		    "are unknown", anc_mechanism_name(noinfo->type),
		    anc_ckr_name(noinfo->info_rv));
		return;
	}
	res->status = ANC_NEED_MISSING;
	res->mech = want[0];	/* the preferred one, for the message */
	if (note[0] != '\0')
		snprintf(res->detail, sizeof(res->detail), "%s", note);
	else
		snprintf(res->detail, sizeof(res->detail), "the token does not "
		    "list %s", names);
}

static void
check_pin(const struct anc_need *n, const struct anc_token_caps *c,
    struct anc_need_result *res)
{
	unsigned long lo = c->info.min_pin_len, hi = c->info.max_pin_len;

	if (hi == ANC_P11_UNAVAILABLE || hi == 0) {
		res->status = ANC_NEED_UNCHECKED;
		snprintf(res->detail, sizeof(res->detail), "the token does not "
		    "report its PIN length limits");
	} else if (n->pin_len < lo || n->pin_len > hi) {
		res->status = ANC_NEED_MISSING;
		snprintf(res->detail, sizeof(res->detail), "the token accepts "
		    "user PINs of %lu to %lu characters", lo, hi);
	} else {
		res->status = ANC_NEED_MET;
		snprintf(res->detail, sizeof(res->detail), "PINs of %lu to %lu "
		    "characters", lo, hi);
	}
}

void
anc_need_check(const struct anc_need *n, const struct anc_token_caps *c,
    struct anc_need_result *res)
{
	memset(res, 0, sizeof(*res));
	res->mech = ANC_MECH_END;
	switch (n->op) {
	case ANC_NEED_KEYGEN:
	case ANC_NEED_SIGN:
	case ANC_NEED_TRANSFER_KEY:
	case ANC_NEED_WRAP_TRANSFER:
	case ANC_NEED_WRAP_KEY:
	case ANC_NEED_UNWRAP_TRANSFER:
	case ANC_NEED_UNWRAP_KEY:
	case ANC_NEED_PROVE:
		check_mechs(n, c, res);
		break;
	case ANC_NEED_TRUSTED:
		res->status = ANC_NEED_UNCHECKED;
		snprintf(res->detail, sizeof(res->detail), "no mechanism shows "
		    "it: the run reads %s back and refuses a token that did "
		    "not keep it, before the key leaves the token", n->use);
		break;
	case ANC_NEED_RANDOM:
		res->status = c->info.has_rng ? ANC_NEED_MET : ANC_NEED_MISSING;
		snprintf(res->detail, sizeof(res->detail), "%s",
		    c->info.has_rng ? "C_GenerateRandom (CKF_RNG)" :
		    "the token has no random number generator (no CKF_RNG)");
		break;
	case ANC_NEED_PIN_LEN:
		check_pin(n, c, res);
		break;
	default:
		res->status = ANC_NEED_UNCHECKED;
		snprintf(res->detail, sizeof(res->detail), "unknown need");
		break;
	}
}
