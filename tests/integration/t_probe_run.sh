#!/usr/bin/env bash
# The run's up-front refusal and the rehearsal's probe of the real token.
# A token that lacks what the script needs (the mock module hides its EC
# mechanisms, as openCryptoki's software token has none) is refused with
# exit 3 before any login, key generation or transcript record, naming the
# step, the algorithm and the missing mechanism; pkcs11-tool then sees no
# object.  A rehearsal checks the real module and token read-only and
# records what it found.
source "$(dirname "$0")/lib.sh"

: "${ANC_MOCK_MODULE:?set by CTest}"
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }
export TMPDIR=$T/tmp
mkdir -m 700 "$TMPDIR"

make_token m8-root
PIN="file:$T/pin-m8-root"
example root.yaml "$T/root.yaml"
example root.yaml "$T/root-rsa.yaml" -e 's/ecdsa-p256/rsa-3072/'

# mock ENV... -- ARGS: anchorage through the mock module, its calls logged.
mock() {
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	env ANC_MOCK_TARGET="$ANC_MODULE_PATH" ANC_MOCK_LOG="$T/calls" \
	    "${envs[@]}" "${ANC_RUN[@]}" "$ANCHORAGE" --module "$ANC_MOCK_MODULE" "$@"
}

# no_objects WHAT: pkcs11-tool sees no key object in the token.
no_objects() {
	local out
	out=$(type_pin "$T/pin-m8-root" | script -qec "pkcs11-tool --module \
	    $ANC_MODULE_PATH --token-label m8-root --login --list-objects" \
	    /dev/null 2>&1 | tr -d '\r')
	grep -q '^Logging in to "m8-root"' <<<"$out" && ! grep -q '^error:' <<<"$out" ||
	    { echo "$out"; fail "$1: pkcs11-tool"; }
	! grep -Eq '^(Private|Public) Key Object' <<<"$out" ||
	    { echo "$out"; fail "$1: an object was left in the token"; }
}

# A run on a token without EC: refused up front.
rm -f "$T/calls"
expect_exit 3 mock ANC_MOCK_HIDE_MECHS=ec -- ceremony run "$T/root.yaml" \
    --outbox "$T/o-ec" --pin-source "$PIN" --yes
expect_msg 'root.yaml: token "m8-root" \(SoftHSM project SoftHSM v2\) cannot run this ceremony; nothing was changed'
expect_msg 'root.yaml:[0-9]+: step 1 \(generate-key\): an ecdsa-p256 key pair "m8-root-2026": the token does not list CKM_EC_KEY_PAIR_GEN'
expect_msg 'root.yaml:[0-9]+: step 2 \(self-sign\): an ecdsa-p256 signature with key "m8-root-2026": the token does not list CKM_ECDSA'
[ ! -e "$T/o-ec" ] || { ls -la "$T/o-ec"; fail "an outbox or transcript was written"; }
! grep -Eq '^C_(Login|GenerateKeyPair|GenerateRandom|Sign)$' "$T/calls" ||
    { sort "$T/calls" | uniq -c; fail "the refused run logged in or changed the token"; }
no_objects "refused run"
pass "run on a token without EC: exit 3 before login, keygen or transcript"

# Rehearsal: the real token is probed read-only and the probe recorded.
rm -f "$T/calls"
setsid -w env ANC_MOCK_TARGET="$ANC_MODULE_PATH" ANC_MOCK_LOG="$T/calls" \
    "$ANCHORAGE" --module "$ANC_MOCK_MODULE" ceremony run "$T/root.yaml" \
    --outbox "$T/reh" --rehearsal --yes </dev/null >"$T/out" 2>"$T/err" ||
    { cat "$T/err"; fail "rehearsal"; }
! grep -Eq '^C_(Login|GenerateKeyPair|GenerateRandom|Sign)$' "$T/calls" ||
    { sort "$T/calls" | uniq -c; fail "the rehearsal logged in to the real token or changed it"; }
grep -q '^C_GetMechanismList$' "$T/calls" || fail "the real token was not probed"
pkcs11-tool --module "$ANC_MODULE_PATH" -L >"$T/tokens.txt" 2>&1
"$PY" - "$T/reh/transcript.jsonl" "$ANC_MOCK_MODULE" "$T/tokens.txt" <<'PYEOF' ||
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
types = [r["type"] for r in recs]
assert types.count("probe") == 1 and types.index("probe") < types.index("token"), types
p = recs[types.index("probe")]
assert p["rehearsal"] is True and p["read_only"] is True
assert p["module"]["path"] == sys.argv[2], p["module"]
serial = re.search(r"serial num\s*:\s*(\S+)", open(sys.argv[3]).read()).group(1)
assert p["token"]["label"] == "m8-root" and p["token"]["serial"] == serial, p["token"]
assert "CKM_ECDSA" in p["mechanisms"]
needs = [(n["step"], n["need"], n.get("algorithm"), n.get("mechanism"), n["status"])
         for n in p["needs"]]
assert (1, "keygen", "ecdsa-p256", "CKM_EC_KEY_PAIR_GEN", "met") in needs, needs
assert (0, "sign", "ecdsa-p256", "CKM_ECDSA", "met") in needs, needs
# The token record describes the throwaway token, not the real one.
tok = recs[types.index("token")]
assert tok["serial"] != serial
PYEOF
    fail "rehearsal: probe record"
anc transcript verify "$T/reh" >/dev/null || fail "rehearsal: transcript verify"
"$PY" "$ANC_SRC/tests/integration/verify_transcript.py" "$T/reh" \
    "$T/reh/root-2026.pem" >/dev/null || fail "rehearsal: independent verifier"
anc transcript report "$T/reh" >"$T/report.html" || fail "rehearsal: report"
grep -q "The ceremony's token, checked read-only" "$T/report.html" ||
    fail "the report does not show the probe"
no_objects "rehearsal"
pass "rehearsal: the real token probed read-only and recorded"

# A rehearsal against a token without EC stops before its transcript.
expect_exit 3 mock ANC_MOCK_HIDE_MECHS=ec -- ceremony run "$T/root.yaml" \
    --outbox "$T/reh-ec" --rehearsal --yes
expect_msg 'step 1 \(generate-key\): an ecdsa-p256 key pair "m8-root-2026": the token does not list CKM_EC_KEY_PAIR_GEN'
[ ! -e "$T/reh-ec" ] || fail "a refused rehearsal wrote an outbox"
# ... and so does one whose module cannot be loaded.
expect_exit 3 "$ANCHORAGE" --module /nonexistent/module.so ceremony run \
    "$T/root.yaml" --outbox "$T/reh-nomod" --rehearsal --yes
expect_msg '/nonexistent/module.so'
[ ! -e "$T/reh-nomod" ] || fail "a rehearsal without its module wrote an outbox"
[ -z "$(find "$TMPDIR" -mindepth 1)" ] || fail "a rehearsal token was left behind"
pass "rehearsal refused (exit 3) for a token without EC or a missing module"

# The same token runs the RSA script; pkcs11-tool then lists its key (the
# listing above can see keys).
expect_exit 0 mock ANC_MOCK_HIDE_MECHS=ec -- ceremony run "$T/root-rsa.yaml" \
    --outbox "$T/o-rsa" --pin-source "$PIN" --yes
anc outbox verify "$T/o-rsa" >/dev/null || fail "RSA run: outbox verify"
! ( no_objects "RSA run" ) >/dev/null 2>&1 || fail "pkcs11-tool does not see the RSA run's key"
pass "the same token runs the RSA-3072 script"
