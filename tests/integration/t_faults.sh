#!/usr/bin/env bash
# Faults the real token cannot show, injected by tests/mock/anc-mock-p11.c
# (a module that forwards to SoftHSM2): a locked PIN, the PIN warning
# flags, a lying signature, a token that disappears, an error on signing,
# a process killed mid-ceremony, a full disk.  After each: the documented
# exit status, a message that says what is left in the token, no partial
# file, and a rerun that is refused rather than making a second key.
source "$(dirname "$0")/lib.sh"
: "${ANC_MOCK_MODULE:?set by CTest}"

make_token m8-root
good=$T/root.yaml
example root.yaml "$good"
n=0

# mock FAULT ARGS...: anchorage through the fault-injecting module.
mock() {
	local f=$1
	shift
	ANC_MOCK_TARGET=$ANC_MODULE_PATH ANC_MOCK_FAULT=$f ANC_MOCK_LOG=$T/calls \
	    "$ANCHORAGE" --module "$ANC_MOCK_MODULE" "$@"
}
fresh() {	# a new outbox name and an empty call log
	n=$((n + 1))
	OUTBOX=$T/out$n
	: >"$T/calls"
}
# Only whole files: no SHA256SUMS, no temporary or partial name.
no_partial() {
	[ ! -e "$1/SHA256SUMS" ] || fail "$1: SHA256SUMS after a failed run"
	! ls -A "$1" 2>/dev/null | grep -q 'partial' || fail "$1: partial file"
	local f
	for f in "$1"/*.pem; do
		[ -e "$f" ] || continue
		openssl x509 -in "$f" -noout 2>/dev/null || fail "$f is not a whole certificate"
	done
}
keys_in_token() { p11_objects m8-root | grep -c 'Private Key Object' || true; }
delete_key() {	# officers' way forward: destroy the orphan key, then rerun
	type_pin "$T/pin-m8-root" | script -qec "pkcs11-tool --module \
	    $ANC_MODULE_PATH --token-label m8-root --login --delete-object \
	    --type privkey --label $1" /dev/null >/dev/null 2>&1
	type_pin "$T/pin-m8-root" | script -qec "pkcs11-tool --module \
	    $ANC_MODULE_PATH --token-label m8-root --login --delete-object \
	    --type pubkey --label $1" /dev/null >/dev/null 2>&1
	[ "$(keys_in_token)" -eq 0 ] || fail "could not delete $1"
}

# Locked PIN: refused before the PIN is even read, no C_Login.
fresh
expect_exit 3 mock pin-locked ceremony run "$good" --outbox "$OUTBOX" \
    --pin-source "file:$T/does-not-exist" --yes
expect_msg 'the user PIN is locked; not asking for it'
! grep -q C_Login "$T/calls" || fail "C_Login was called on a locked token"
pass "locked PIN: no login attempt"

# Final try and count low: a warning before the one attempt.
fresh
expect_exit 0 mock pin-final-try ceremony run "$good" --outbox "$OUTBOX" \
    --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'one more wrong PIN locks it'
[ "$(grep -c C_Login "$T/calls")" -eq 1 ] || fail "expected one C_Login"
delete_key m8-root-2026
fresh
expect_exit 0 mock pin-count-low ceremony run "$good" --outbox "$OUTBOX" \
    --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'reports a wrong PIN since the last good login'
delete_key m8-root-2026
pass "PIN warnings before the attempt"

# A token that returns an invalid signature: nothing is written.
fresh
expect_exit 1 mock bad-signature ceremony run "$good" --outbox "$OUTBOX" \
    --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'step 2 \(self-sign\).*does not verify'
expect_msg 'left behind: key "m8-root-2026" in the token'
[ ! -e "$OUTBOX/root-2026.pem" ] || fail "an unverified certificate was written"
no_partial "$OUTBOX"
pass "bad signature refused"

# The rerun is refused, never a silent second key; the way forward is
# documented (destroy the key, or sign with it in a recovery script).
fresh
expect_exit 4 anc ceremony run "$good" --outbox "$OUTBOX" \
    --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'label "m8-root-2026" is already in the token'
[ "$(keys_in_token)" -eq 1 ] || fail "a second key was made"
delete_key m8-root-2026
pass "rerun after a failure refused"

# Each PKCS#11 failure in turn, and a kill at the same points.
for point in C_GenerateKeyPair:1 C_SignInit:1 C_Sign:1 C_GenerateRandom:2; do
	for how in "fail=$point:CKR_DEVICE_ERROR" "remove=$point" "kill=$point"; do
		fresh
		got=0
		mock "$how" ceremony run "$good" --outbox "$OUTBOX" \
		    --pin-source "file:$T/pin-m8-root" --yes \
		    >"$T/stdout" 2>"$T/stderr" || got=$?
		case $how in
		fail=*) [ $got -eq 1 ] || fail "$how: exit $got" ;;
		remove=*) [ $got -eq 3 ] || { cat "$T/stderr"; fail "$how: exit $got"; } ;;
		kill=*) [ $got -eq 137 ] || fail "$how: exit $got" ;;
		esac
		no_partial "$OUTBOX"
		if [ "${how%%=*}" != kill ]; then
			grep -q 'left behind:' "$T/stderr" || { cat "$T/stderr"; fail "$how: no report"; }
			if [ "$(keys_in_token)" -eq 1 ]; then
				expect_msg 'key "m8-root-2026" in the token'
			else
				expect_msg 'no key was generated'
			fi
		fi
		[ "$(keys_in_token)" -le 1 ] || fail "$how: more than one key"
		[ "$(keys_in_token)" -eq 0 ] || delete_key m8-root-2026
	done
done
pass "token failures and kills at each call: whole files only, one key at most"

# A full disk: stopped at its first signature, the run gets a file size
# limit of zero (prlimit), so its first outbox write fails with EFBIG
# while the token's own files were written before.
fresh
( trap '' XFSZ; exec env ANC_MOCK_TARGET="$ANC_MODULE_PATH" \
    ANC_MOCK_FAULT=stop=C_Sign:1 "$ANCHORAGE" --module "$ANC_MOCK_MODULE" \
    ceremony run "$good" --outbox "$OUTBOX" --pin-source "file:$T/pin-m8-root" \
    --yes ) > >(cat >"$T/stdout") 2> >(cat >"$T/stderr") &
pid=$!
for _ in $(seq 200); do
	[ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] && break
	sleep 0.05
done
[ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] || fail "the run did not stop at C_Sign"
prlimit --pid "$pid" --fsize=0:0
kill -CONT "$pid"
got=0
wait "$pid" || got=$?
sleep 0.2	# let the output readers finish
[ $got -eq 1 ] || { cat "$T/stderr"; fail "full disk: exit $got"; }
expect_msg 'root-2026.pem: cannot write'
expect_msg 'left behind: key "m8-root-2026" in the token'
# The transcript was written before the limit; nothing else may be there.
[ -z "$(ls -A "$OUTBOX" | grep -vx transcript.jsonl)" ] ||
    { ls -la "$OUTBOX"; fail "full disk left files"; }
pass "full disk: nothing written"
