#!/usr/bin/env bash
# token probe through the mock module's vendor behaviours (ANC_MOCK_QUIRKS):
# the probe reports each behaviour as the module shows it, still makes,
# uses and destroys its trial key pairs where the module allows, and
# judges a script by what the ceremony would meet.
source "$(dirname "$0")/lib.sh"
: "${ANC_MOCK_MODULE:?set by CTest}"
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }

make_token m8-root
URI="pkcs11:token=m8-root"
PIN="file:$T/pin-m8-root"
example root.yaml "$T/root.yaml"

# probe QUIRKS ARGS...: anchorage --json token probe through the mock.
probe() {
	local q=$1
	shift
	ANC_MOCK_TARGET=$ANC_MODULE_PATH ANC_MOCK_QUIRKS=$q \
	    ANC_MOCK_LOG="$T/calls" "${ANC_RUN[@]}" "$ANCHORAGE" \
	    --module "$ANC_MOCK_MODULE" --json token probe "$URI" "$@"
}
# check QUIRK PYTHON: the JSON of the last probe, asserted in python.
check() {
	"$PY" -c "import json, sys
d = json.load(open('$T/stdout'))
tok = d['token']
trials = {t['algorithm']: t for t in d['trials']}
ok = all(t['ok'] for t in d['trials'])
$2" || { cat "$T/stdout" "$T/stderr"; fail "probe under $1"; }
}

# Keys that need a context-specific login before each signature: the
# trial signs all the same, with the PIN from the same source.
: >"$T/calls"
expect_exit 0 probe always-auth --pin-source "$PIN" --script "$T/root.yaml"
check always-auth "assert ok and d['scripts'][0]['can_run'], d"
grep -q "C_Login(CKU_CONTEXT_SPECIFIC)" "$T/calls" ||
    { cat "$T/calls"; fail "always-auth: no context-specific login seen"; }
pass "always-auth: trial keys signed after a context-specific login"

# The bare EC point: the trial's public key is read right, so its
# signatures verify.
expect_exit 0 probe raw-ec-point --pin-source "$PIN" --script "$T/root.yaml"
check raw-ec-point "assert trials['ecdsa-p256']['ok'], trials"
pass "raw-ec-point: the trial signature verifies with the bare point"

# A PIN pad: the probe reports the flag and reads no PIN.
cp "$T/pin-m8-root" "$T/pinpad"
ANC_MOCK_PINPAD=$T/pinpad expect_exit 0 probe protected-path \
    --script "$T/root.yaml"
check protected-path "assert tok['protected_authentication_path'] is True and ok"
pass "protected-path: reported, no PIN asked, trials made"

# One session: the probe works in the one session it has.
expect_exit 0 probe one-session --pin-source "$PIN" --script "$T/root.yaml"
check one-session "assert ok, trials"
check one-session "assert tok['max_sessions'] == 1, tok"
pass "one-session: the limit reported, the trials made in one session"

# No random number generator: the root script cannot run (its serial
# numbers and key ids come from the token).
expect_exit 3 probe no-rng --pin-source "$PIN" --script "$T/root.yaml"
check no-rng "assert d['random']['ok'] is False and tok['rng'] is False
assert d['scripts'][0]['can_run'] is False, d['scripts']"
pass "no-rng: reported, and the root script judged not runnable (exit 3)"

# A PIN length limit is reported as the token gives it.
expect_exit 0 probe max-pin=8 --pin-source "$PIN" --script "$T/root.yaml"
check max-pin=8 "assert tok['max_pin_length'] == 8, tok"
pass "max-pin=8: the PIN length limit reported"

objs=$(p11_objects m8-root)
! grep -Eq "^(Private|Public) Key Object" <<<"$objs" ||
    { echo "$objs"; fail "a probe left a key in the token"; }
pass "no probe left a key in the token"
