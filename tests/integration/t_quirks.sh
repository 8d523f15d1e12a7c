#!/usr/bin/env bash
# Vendor behaviours no open module shows, injected by tests/mock/anc-mock-p11.c
# (ANC_MOCK_QUIRKS, forwarding to SoftHSM2).  Each gets what a user would
# expect: it works where it safely can, otherwise a message naming the
# module's limitation, exit 3 and nothing changed.  pkcs11-tool shows the
# token's contents and openssl checks the results.
source "$(dirname "$0")/lib.sh"
: "${ANC_MOCK_MODULE:?set by CTest}"

make_token m8-root
n=0

# quirk QUIRKS ARGS...: anchorage through the mock module with QUIRKS.
quirk() {
	local q=$1
	shift
	ANC_MOCK_TARGET=$ANC_MODULE_PATH ANC_MOCK_QUIRKS=$q ANC_MOCK_LOG=$T/calls \
	    "${ANC_RUN[@]}" "$ANCHORAGE" --module "$ANC_MOCK_MODULE" "$@"
}
fresh() {	# a new outbox name and an empty call log
	n=$((n + 1))
	OUTBOX=$T/out$n
	: >"$T/calls"
}
# objects_in_token: every object pkcs11-tool sees after logging in.
objects_in_token() {
	type_pin "$T/pin-m8-root" | script -qec "pkcs11-tool --module \
	    $ANC_MODULE_PATH --token-label m8-root --login --list-objects" \
	    /dev/null 2>&1 | tr -d '\r' | grep -c 'Object;' || true
}
nothing_changed() {	# $1: the outbox of a refused run
	[ "$(objects_in_token)" -eq 0 ] || fail "$2: the token holds objects"
	[ ! -e "$1/SHA256SUMS" ] || fail "$2: SHA256SUMS written"
	[ -z "$(ls "$1" 2>/dev/null | grep -v '^transcript.jsonl$')" ] ||
	    fail "$2: files in the outbox"
}
delete_key() {	# remove both halves of key $1, with pkcs11-tool
	local type
	for type in privkey pubkey; do
		type_pin "$T/pin-m8-root" | script -qec "pkcs11-tool --module \
		    $ANC_MODULE_PATH --token-label m8-root --login \
		    --delete-object --type $type --label $1" /dev/null \
		    >/dev/null 2>&1
	done
	[ "$(objects_in_token)" -eq 0 ] || fail "could not delete $1"
}
root_yaml() {	# root_yaml ALG FILE
	example root.yaml "$2" -e "s/algorithm: ecdsa-p256/algorithm: $1/"
}
# The root certificate verifies, and its key is the token's EC point as
# pkcs11-tool reads it from SoftHSM2 itself (a DER OCTET STRING there).
check_root() {
	local out=$1 tag=$2 point cert
	openssl verify -x509_strict -CAfile "$out/root-2026.pem" \
	    "$out/root-2026.pem" >/dev/null || fail "$tag: root does not verify"
	point=$(type_pin "$T/pin-m8-root" | script -qec "pkcs11-tool --module \
	    $ANC_MODULE_PATH --token-label m8-root --login --list-objects \
	    --type pubkey" /dev/null 2>&1 | tr -d '\r' |
	    awk '/EC_POINT:/ { print substr($2, 5) }')
	cert=$(openssl x509 -in "$out/root-2026.pem" -noout -pubkey |
	    openssl pkey -pubin -outform DER | od -An -tx1 | tr -d ' \n')
	[ -n "$point" ] && [ "${cert: -${#point}}" = "$point" ] ||
	    fail "$tag: certificate key differs from the token's"
}

# CKA_EC_POINT without its DER wrapping: read by its length for the
# curve (tests/unit/test_ec_point.c covers the point that looks wrapped).
for alg in ecdsa-p256 ecdsa-p384; do
	fresh
	root_yaml "$alg" "$T/root-$alg.yaml"
	expect_exit 0 quirk raw-ec-point ceremony run "$T/root-$alg.yaml" \
	    --outbox "$OUTBOX" --pin-source "file:$T/pin-m8-root" --yes
	check_root "$OUTBOX" "raw-ec-point $alg"
	delete_key m8-root-2026
done
pass "raw CKA_EC_POINT: P-256 and P-384 roots match the token's keys"

# A key template attribute the module does not take: named, exit 3,
# nothing generated.
for q in reject-attr=CKA_EXTRACTABLE inconsistent-attr=CKA_DERIVE; do
	fresh
	expect_exit 3 quirk "$q" ceremony run "$T/root-ecdsa-p256.yaml" \
	    --outbox "$OUTBOX" --pin-source "file:$T/pin-m8-root" --yes
	expect_msg "the module refuses ${q#*=}=FALSE in the key template"
	expect_msg 'limitation of the module; nothing was generated'
	nothing_changed "$OUTBOX" "$q"
done
pass "refused template attribute named, nothing generated"

# One session at a time, announced in the token info or found out when a
# second C_OpenSession fails: anchorage makes every call through its one
# session, so the root ceremony works (libp11 0.4.12 used to hang there,
# waiting for a second session at the first signature).
for q in one-session session-count; do
	fresh
	expect_exit 0 timeout 120 env ANC_MOCK_TARGET="$ANC_MODULE_PATH" \
	    ANC_MOCK_QUIRKS=$q ANC_MOCK_LOG="$T/calls" "${ANC_RUN[@]}" \
	    "$ANCHORAGE" --module "$ANC_MOCK_MODULE" ceremony run \
	    "$T/root-ecdsa-p256.yaml" --outbox "$OUTBOX" \
	    --pin-source "file:$T/pin-m8-root" --yes
	[ "$(grep -cx C_OpenSession "$T/calls")" -eq 1 ] ||
	    fail "$q: more than one session opened"
	check_root "$OUTBOX" "$q"
	delete_key m8-root-2026
done
pass "one-session token: the ceremony runs in one session"

# No random number generator: no serial or key id from the host.
for q in no-rng rng-unsupported; do
	fresh
	expect_exit 3 quirk "$q" ceremony run "$T/root-ecdsa-p256.yaml" \
	    --outbox "$OUTBOX" --pin-source "file:$T/pin-m8-root" --yes
	expect_msg 'random number generator'
	! grep -q C_GenerateKeyPair "$T/calls" || fail "$q: key generation tried"
	nothing_changed "$OUTBOX" "$q"
done
pass "token without a usable RNG refused before any change"

# A PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH): no PIN is asked for or
# read, C_Login gets none, and the officers are told to use the device.
# The mock's "PIN pad" reads ANC_MOCK_PINPAD.
fresh
cp "$T/pin-m8-root" "$T/pinpad"
ANC_MOCK_PINPAD=$T/pinpad expect_exit 0 quirk protected-path ceremony run \
    "$T/root-ecdsa-p256.yaml" --outbox "$OUTBOX" --yes </dev/null
expect_msg 'protected authentication path: enter the user PIN on the device'
grep -qx 'C_Login(NULL PIN)' "$T/calls" || fail "protected-path: no C_Login without a PIN"
check_root "$OUTBOX" protected-path
# and a PIN file given anyway is not read
ANC_MOCK_PINPAD=$T/pinpad expect_exit 0 quirk protected-path token keys \
    pkcs11:token=m8-root --pin-source "file:$T/does-not-exist"
expect_msg 'and does not read --pin-source'
grep -q '^private "m8-root-2026"' "$T/stdout" || fail "protected-path: token keys"
delete_key m8-root-2026
# A quorum cannot be typed on a PIN pad: such a script is refused (exit 3)
# before any share is asked for or any key is made.
example root.yaml "$T/root-quorum.yaml" -e '/^steps:/i\
quorum: { threshold: 2, officers: [Carol Example, Dave Example], commitment: 0123456789abcdef }' \
    -e 's/role: witness }/role: witness }\n  - { name: Carol Example, role: crypto-officer }\n  - { name: Dave Example, role: crypto-officer }/'
fresh
ANC_MOCK_PINPAD=$T/pinpad expect_exit 3 quirk protected-path ceremony run \
    "$T/root-quorum.yaml" --outbox "$OUTBOX" --yes </dev/null
expect_msg 'takes its PIN on its own PIN pad.*the script.s quorum cannot activate it'
! grep -q 'C_Login' "$T/calls" || fail "protected-path quorum: a login was tried"
nothing_changed "$OUTBOX" "protected-path quorum"
pass "protected authentication path: PIN on the device, none from the host"

# CKA_ALWAYS_AUTHENTICATE: every signature gets its context-specific login
# with the PIN from --pin-source, never a terminal prompt from libp11 (the
# run is on a pseudo-terminal, where libp11 would ask).
fresh
script -qec "env ANC_MOCK_TARGET=$ANC_MODULE_PATH ANC_MOCK_QUIRKS=always-auth \
    ANC_MOCK_LOG=$T/calls $ANCHORAGE --module $ANC_MOCK_MODULE ceremony run \
    $T/root-ecdsa-p256.yaml --outbox $OUTBOX --pin-source file:$T/pin-m8-root \
    --yes; echo exit=\$?" /dev/null </dev/null >"$T/tty" 2>&1
grep -q 'exit=0' "$T/tty" || { cat "$T/tty"; fail "always-auth: run failed"; }
! grep -qi 'PKCS#11 key PIN\|enter.*PIN' "$T/tty" || fail "always-auth: prompted on the terminal"
signs=$(grep -cx C_Sign "$T/calls")
ctx=$(grep -cx 'C_Login(CKU_CONTEXT_SPECIFIC)' "$T/calls")
[ "$signs" -ge 2 ] && [ "$ctx" -eq "$signs" ] ||
    fail "always-auth: $signs signatures, $ctx context logins"
check_root "$OUTBOX" always-auth
# Recorded: each login within a step, and the key's attribute (which
# covers the closing record's own signature).
python3 - "$OUTBOX/transcript.jsonl" "$signs" <<'PY' || fail "always-auth: transcript"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
ctx = [r for r in recs if r["type"] == "context-login"]
assert len(ctx) == int(sys.argv[2]) - 1, len(ctx)
assert all(r["key"] == "m8-root-2026" and r["step"] == 2 for r in ctx), ctx
key = [r for r in recs if r["type"] == "key"][0]
assert key["attributes"]["always_authenticate"] is True, key
PY
expect_exit 0 anc transcript verify "$OUTBOX"
expect_exit 0 quirk always-auth token keys pkcs11:token=m8-root \
    --pin-source "file:$T/pin-m8-root"
grep -q 'ALWAYS_AUTHENTICATE' "$T/stdout" || fail "token keys: no ALWAYS_AUTHENTICATE"
expect_exit 0 quirk always-auth --json token keys pkcs11:token=m8-root \
    --pin-source "file:$T/pin-m8-root"
python3 -c 'import json,sys; k=[k for k in json.load(open(sys.argv[1])) if k["class"]=="private"]; assert k and k[0]["always_authenticate"]==1' \
    "$T/stdout" || fail "token keys --json: always_authenticate"
delete_key m8-root-2026
pass "always-authenticate key: one context login per signature from --pin-source"

# token list: the URI it prints is percent-encoded (RFC 7512) and selects
# the token, here one whose label has spaces, as NSS's have.
make_token "NSS test token"
expect_exit 0 anc token list
uri=$(awk '/uri:.*NSS/ { print $2 }' "$T/stdout")
case "$uri;" in
pkcs11:*token=NSS%20test%20token\;*) ;;
*) fail "token list: URI \"$uri\" is not percent-encoded" ;;
esac
expect_exit 0 anc --json token list
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sys.argv[2] in [s.get("uri") for s in d["slots"]]' \
    "$T/stdout" "$uri" || fail "token list --json: uri"
expect_exit 0 anc token keys "$uri" --pin-source "file:$T/pin-NSS test token"
grep -q 'no keys' "$T/stdout" || fail "the listed URI does not select the token"
pass "token list prints RFC 7512 URIs that select the token"

# The read-back check refuses a key the token generated (here it says
# CKA_LOCAL is false): the message, the failure report and the abort
# record say the key IS in the token and give its label and CKA_ID.
fresh
expect_exit 4 quirk not-local ceremony run "$T/root-ecdsa-p256.yaml" \
    --outbox "$OUTBOX" --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'CKA_LOCAL is not true'
id=$(sed -n 's/.*the key pair IS in the token (label "m8-root-2026", CKA_ID \([0-9a-f]*\)).*/\1/p' "$T/stderr" | head -1)
[ ${#id} -eq 32 ] || fail "not-local: no CKA_ID in the message"
expect_msg "left behind: key \"m8-root-2026\" in the token \\(CKA_ID $id\\)"
! grep -q 'no key was generated' "$T/stderr" || fail "not-local: says no key"
python3 - "$OUTBOX/transcript.jsonl" "$id" <<'PY' || fail "not-local: abort record"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
end = recs[-1]
assert end["type"] == "abort", end["type"]
assert end["left_behind"]["keys"] == ["m8-root-2026"], end["left_behind"]
assert end["left_behind"]["key_ids"] == [sys.argv[2]], end["left_behind"]
PY
type_pin "$T/pin-m8-root" | script -qec "pkcs11-tool --module \
    $ANC_MODULE_PATH --token-label m8-root --login --list-objects \
    --type privkey" /dev/null 2>&1 | tr -d '\r' | grep -q "ID: *$id" ||
    fail "not-local: pkcs11-tool does not see key $id"
delete_key m8-root-2026
pass "key refused by the read-back: named with its CKA_ID as left in the token"

# A slow token (one second per signature): on a terminal the run shows
# that the token is working; without one it prints no progress line.
fresh
script -qec "env ANC_MOCK_TARGET=$ANC_MODULE_PATH ANC_MOCK_QUIRKS=slow-sign \
    $ANCHORAGE --module $ANC_MOCK_MODULE ceremony run $T/root-ecdsa-p256.yaml \
    --outbox $OUTBOX --pin-source file:$T/pin-m8-root --yes; echo exit=\$?" \
    /dev/null </dev/null >"$T/tty" 2>&1
grep -q 'exit=0' "$T/tty" || { cat "$T/tty"; fail "slow-sign: run failed"; }
grep -aq 'step 2/3 self-sign: the token is working, [0-9]* s' "$T/tty" ||
    { cat -v "$T/tty"; fail "slow-sign: no progress on the terminal"; }
grep -aq 'closing record: the token is working' "$T/tty" ||
    fail "slow-sign: no progress for the closing signature"
check_root "$OUTBOX" slow-sign
delete_key m8-root-2026
fresh
expect_exit 0 quirk slow-sign ceremony run "$T/root-ecdsa-p256.yaml" \
    --outbox "$OUTBOX" --pin-source "file:$T/pin-m8-root" --yes
! grep -q 'the token is working' "$T/stderr" || fail "slow-sign: progress without a terminal"
delete_key m8-root-2026
pass "slow token: progress on a terminal only"

# split-pin on a token that takes PINs of at most 8 characters: refused
# before any share is shown (on a terminal, where shares would show), and
# the PIN is unchanged.
cat >"$T/split.yaml" <<EOF
version: 1
name: m8-pin-split
token: "pkcs11:token=m8-root"
participants:
  - { name: Alice Example, role: administrator }
  - { name: Bob Example, role: witness }
  - { name: Carol Example, role: crypto-officer }
  - { name: Dave Example, role: crypto-officer }
steps:
  - split-pin: { threshold: 2, officers: [Carol Example, Dave Example] }
EOF
fresh
script -qec "env ANC_MOCK_TARGET=$ANC_MODULE_PATH ANC_MOCK_QUIRKS=max-pin=8 \
    $ANCHORAGE --module $ANC_MOCK_MODULE ceremony run $T/split.yaml \
    --outbox $OUTBOX --pin-source file:$T/pin-m8-root --yes; echo exit=\$?" \
    /dev/null </dev/null >"$T/tty" 2>&1
grep -q 'exit=3' "$T/tty" || { cat "$T/tty"; fail "max-pin: not refused with exit 3"; }
grep -q 'accepts user PINs of [0-9]* to 8 characters' "$T/tty" ||
    { cat "$T/tty"; fail "max-pin: limits not named"; }
# Refused by the run's up-front check of the token (nothing was changed),
# or, where that is bypassed, by split-pin itself (no share was shown).
grep -Eq 'no share was shown and the PIN was not changed|cannot run this ceremony; nothing was changed' "$T/tty" ||
    { cat "$T/tty"; fail "max-pin: message"; }
! grep -qi 'share 1 of\|type your name' "$T/tty" || fail "max-pin: a share was shown"
# the old PIN still logs in (pkcs11-tool, SoftHSM2 directly)
type_pin "$T/pin-m8-root" | script -qec "pkcs11-tool --module $ANC_MODULE_PATH \
    --token-label m8-root --login --list-objects" /dev/null 2>&1 | tr -d '\r' \
    >"$T/p11"
grep -q 'Logging in' "$T/p11" && ! grep -q 'CKR_' "$T/p11" ||
    { cat "$T/p11"; fail "max-pin: the old PIN no longer logs in"; }
pass "split-pin refused before any share when the token's PIN limits exclude it"
