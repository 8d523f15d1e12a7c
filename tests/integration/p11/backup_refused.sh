#!/usr/bin/env bash
# A module that cannot take part in a backup (docs/backup.md, Modules) is
# refused before the first login and before anything changes in either
# token, with a message naming each backup step, the token it runs on and
# the mechanism that token lacks; `token probe` gives the same verdict
# from the same needs, and pkcs11-tool confirms that each mechanism it
# names is absent (or present without the flag the step needs).  CTest
# runs this on tpm2-pkcs11, whose mechanisms have no CKF_WRAP or
# CKF_UNWRAP and which has no AES key wrap.
source "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }

# The primary keeps its SO PIN file, for backup-trust.
new_pin_file "$T/pin-bkp" "$ANC_PIN_LEN"
new_pin_file "$T/so-bkp" "$ANC_PIN_LEN"
( umask 077; cat "$T/so-bkp" "$T/pin-bkp" >"$T/init-bkp" )
"$ANC_TOKEN_INIT" "$ANC_MODULE_PATH" bkp "$T/init-bkp" ||
    fail "token bkp could not be made"
p11_settle
make_token bks
example backup-root.yaml "$T/b.yaml" -e 's/token=m8-root-backup"/token=bks"/' \
    -e 's/token=m8-root"/token=bkp"/'

# The probe: not runnable, and what it names is really missing.
expect_exit 3 anc --json token probe "pkcs11:token=bkp" \
    --pin-source "file:$T/pin-bkp" --script "$T/b.yaml"
cp "$T/stdout" "$T/probe.json"
for tok in bkp bks; do
	pkcs11-tool --module "$ANC_MODULE_PATH" --token-label "$tok" -M \
	    >"$T/mechs-$tok.txt" 2>&1 || fail "pkcs11-tool -M $tok"
	p11_settle
done
"$PY" "$ANC_SRC/tests/integration/check_probe_mechs.py" "$T/probe.json" \
    "$T/mechs-bkp.txt" "$T/mechs-bks.txt" >"$T/judged.txt" ||
    fail "the probe and pkcs11-tool -M disagree"
cat "$T/judged.txt"
for want in "token backup-wrap wrap-key CKM_AES_KEY_WRAP_PAD" \
    "backup-token backup-restore unwrap-key CKM_AES_KEY_WRAP_PAD" \
    "backup-token backup-restore unwrap-transfer CKM_RSA_PKCS_OAEP"; do
	grep -qx "missing $want" "$T/judged.txt" ||
	    fail "the probe does not name as missing: $want"
done
"$PY" - "$T/probe.json" <<'PYEOF' || fail "backup verdict on $ANC_P11"
import json, sys
(s,) = json.load(open(sys.argv[1]))["scripts"]
assert s["can_run"] is False, s
assert s["backup_token"]["label"] == "bks", s["backup_token"]
PYEOF
pass "probe on $ANC_P11: the backup script is not runnable; each mechanism it names is missing by pkcs11-tool -M"

# The run: the same needs, refused before any C_Login (OpenSC's spy
# sees every call), so no PIN was tried and nothing changed.
SPY=/usr/lib/x86_64-linux-gnu/pkcs11-spy.so
PKCS11SPY_OUTPUT=$T/spy.log spy_env expect_exit 3 \
    "$ANCHORAGE" --module "$SPY" ceremony run "$T/b.yaml" --outbox "$T/out" \
    --pin-source "file:$T/pin-bkp" --backup-pin-source "file:$T/pin-bks" \
    --so-pin-source "file:$T/so-bkp" --backup-medium "$T/medium" --yes
p11_settle
expect_msg 'step 6 \(backup-restore\) on the backup token: the ecdsa-p256 key "m8-root-2026-b" unwrapped with the transfer key \(AES key wrap with padding\): the token does not list CKM_AES_KEY_WRAP_PAD'
expect_msg 'step 4 \(backup-wrap\): .*CKM_AES_KEY_WRAP_PAD'
! grep -q 'C_Login' "$T/spy.log" || fail "a C_Login was made before the refusal"
grep -q 'C_GetMechanismInfo' "$T/spy.log" || fail "the spy saw no mechanism query"
[ ! -e "$T/out" ] || fail "an outbox was made"
for tok in bkp bks; do
	objs=$(p11_objects "$tok")
	p11_settle
	! grep -q 'Object;' <<<"$objs" || { echo "$objs"; fail "$tok holds an object"; }
done
[ ! -e "$T/medium/m8-root-2026-b.wrapped" ] || fail "a blob was written"
pass "a module without the backup mechanisms is refused before the first login, and nothing changed"
