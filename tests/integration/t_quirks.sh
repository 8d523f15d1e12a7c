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

# One session at a time: refused before anything is done.
fresh
expect_exit 3 quirk one-session ceremony run "$T/root-ecdsa-p256.yaml" \
    --outbox "$OUTBOX" --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'allows one session at a time.*anchorage needs two'
expect_msg 'nothing was changed'
! grep -q C_GenerateKeyPair "$T/calls" || fail "one-session: key generation tried"
nothing_changed "$OUTBOX" one-session
pass "one-session token refused before any change"

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
