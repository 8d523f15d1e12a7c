#!/usr/bin/env bash
# token probe of a backup ceremony (docs/token-probe.md, docs/backup.md):
# the verdict covers what the backup steps need from both tokens, the
# script's token and its backup-token, read without the backup token's
# PIN.  On SoftHSM2 every need is met, by the mechanisms pkcs11-tool
# lists for that token with the flag the need names; a backup-token that
# is not there makes the script not runnable (exit 3), and nothing is left
# in either token.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }

make_token m8-root
make_token m8-root-backup
PIN="file:$T/pin-m8-root"
example backup-root.yaml "$T/b.yaml"

expect_exit 0 anc --json token probe "pkcs11:token=m8-root" \
    --pin-source "$PIN" --script "$T/b.yaml"
cp "$T/stdout" "$T/probe.json"
for tok in m8-root m8-root-backup; do
	pkcs11-tool --module "$ANC_MODULE_PATH" --token-label "$tok" -M \
	    >"$T/mechs-$tok.txt" 2>&1 || fail "pkcs11-tool -M $tok"
done
"$PY" "$ANC_SRC/tests/integration/check_probe_mechs.py" "$T/probe.json" \
    "$T/mechs-m8-root.txt" "$T/mechs-m8-root-backup.txt" >"$T/judged.txt" ||
    fail "the probe and pkcs11-tool -M disagree"
for want in "token backup-trust transfer-key CKM_AES_KEY_GEN" \
    "token backup-wrap wrap-transfer CKM_RSA_PKCS_OAEP" \
    "token backup-wrap wrap-key CKM_AES_KEY_WRAP_PAD" \
    "backup-token backup-keypair keygen CKM_RSA_PKCS_KEY_PAIR_GEN" \
    "backup-token backup-restore unwrap-transfer CKM_RSA_PKCS_OAEP" \
    "backup-token backup-restore unwrap-key CKM_AES_KEY_WRAP_PAD" \
    "backup-token backup-verify prove CKM_ECDSA"; do
	grep -qx "met $want" "$T/judged.txt" ||
	    { cat "$T/judged.txt"; fail "not met: $want"; }
done
"$PY" - "$T/probe.json" <<'PYEOF' || fail "backup verdict on SoftHSM2"
import json, sys
(s,) = json.load(open(sys.argv[1]))["scripts"]
assert s["can_run"] is True, s
b = s["backup_token"]
assert b["label"] == "m8-root-backup" and "error" not in b, b
assert any(m["name"] == "CKM_AES_KEY_WRAP_PAD" and m["listed"] and
           "unwrap" in m["flags"] for m in b["mechanisms"]), b
# Nothing missing; unchecked only the trust attributes, which no
# mechanism shows.
for n in s["needs"]:
    assert n["status"] == "met" or n["need"] == "trusted", n
trusted = [n for n in s["needs"] if n["need"] == "trusted"]
assert {n["key"] for n in trusted} == {"", "m8-root-2026-b"}, trusted
PYEOF
pass "backup script runnable on SoftHSM2: both tokens' wrap and unwrap mechanisms as pkcs11-tool lists them"

expect_exit 0 anc token probe "pkcs11:token=m8-root" --pin-source "$PIN" \
    --script "$T/b.yaml"
grep -q "this token and the backup token can run it" "$T/stdout" ||
    { cat "$T/stdout"; fail "text verdict"; }
grep -Eq "step 6 \(backup-restore\) on the backup token: the ecdsa-p256 key \"m8-root-2026-b\" unwrapped with the transfer key \(AES key wrap with padding\): met: CKM_AES_KEY_WRAP_PAD" \
    "$T/stdout" || { cat "$T/stdout"; fail "text: backup-restore need"; }
grep -q "backup token pkcs11:token=m8-root-backup: \"m8-root-backup\"" \
    "$T/stdout" || { cat "$T/stdout"; fail "text: backup token"; }
pass "text output names each backup need and the token it is on"

# A backup-token that is not there: the script cannot run.
sed 's/token=m8-root-backup/token=absent/' "$T/b.yaml" >"$T/absent.yaml"
expect_exit 3 anc --json token probe "pkcs11:token=m8-root" \
    --pin-source "$PIN" --script "$T/absent.yaml"
"$PY" - "$T/stdout" <<'PYEOF' || fail "absent backup token"
import json, sys
(s,) = json.load(open(sys.argv[1]))["scripts"]
assert s["can_run"] is False, s
assert "absent" in s["backup_token"]["error"], s["backup_token"]
assert all(n["status"] == "unchecked" for n in s["needs"]
           if n["token"] == "backup-token"), s["needs"]
PYEOF
pass "an absent backup token makes the backup script not runnable"

for tok in m8-root m8-root-backup; do
	objs=$(p11_objects "$tok")
	! grep -Eq "^(Private|Public) Key Object" <<<"$objs" ||
	    { echo "$objs"; fail "probe left a key in $tok"; }
done
pass "nothing left in either token"
