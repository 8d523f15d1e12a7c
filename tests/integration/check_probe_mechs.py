#!/usr/bin/python3
"""Does `token probe --json` agree with pkcs11-tool about the mechanisms?

usage: check_probe_mechs.py PROBE_JSON TOKEN_MECHS BACKUP_MECHS

TOKEN_MECHS and BACKUP_MECHS are what `pkcs11-tool -M` printed for the
script's token and its backup-token.  For the one script probed, every
need the probe judged by a mechanism is checked against that token's
listing: "met" needs a mechanism pkcs11-tool lists with the flag the need
uses; "missing" needs one it does not list, or lists without that flag.
Prints one line a judged need, "STATUS TOKEN KIND NEED MECHANISM", for
the caller's own expectations; exits 1 on the first disagreement.
"""
import json
import re
import sys

# pkcs11-tool's names; it has none for CKM_AES_KEY_WRAP_PAD (0x210a).
TOOL = {
    "CKM_EC_KEY_PAIR_GEN": "ECDSA-KEY-PAIR-GEN",
    "CKM_RSA_PKCS_KEY_PAIR_GEN": "RSA-PKCS-KEY-PAIR-GEN",
    "CKM_ECDSA": "ECDSA",
    "CKM_RSA_PKCS": "RSA-PKCS",
    "CKM_SHA256_RSA_PKCS": "SHA256-RSA-PKCS",
    "CKM_SHA384_RSA_PKCS": "SHA384-RSA-PKCS",
    "CKM_RSA_PKCS_OAEP": "RSA-PKCS-OAEP",
    "CKM_AES_KEY_GEN": "AES-KEY-GEN",
    "CKM_AES_KEY_WRAP_PAD": "mechtype-0x210A",
}
FLAG = {
    "keygen": "generate_key_pair", "sign": "sign", "prove": "sign",
    "transfer-key": "generate", "wrap-transfer": "wrap",
    "wrap-key": "wrap", "unwrap-transfer": "unwrap",
    "unwrap-key": "unwrap",
}


def listing(path):
    """pkcs11-tool -M's lines: name -> its flags."""
    out = {}
    for line in open(path):
        m = re.match(r"^  (\S+?),? (.*)$", line)
        if m:
            out[m.group(1)] = [f.strip() for f in m.group(2).split(",")]
    return out


def main():
    doc = json.load(open(sys.argv[1]))
    tokens = {"token": listing(sys.argv[2]),
              "backup-token": listing(sys.argv[3])}
    (script,) = doc["scripts"]
    for n in script["needs"]:
        if n["status"] not in ("met", "missing") or "mechanism" not in n:
            continue
        flags = tokens[n["token"]].get(TOOL[n["mechanism"]])
        has = flags is not None and FLAG[n["need"]] in flags
        if has != (n["status"] == "met"):
            sys.exit("%s: %s, but pkcs11-tool -M lists %s for the %s" %
                     (n["description"], n["detail"], flags, n["token"]))
        print(n["status"], n["token"], n["kind"], n["need"],
              n["mechanism"])


main()
