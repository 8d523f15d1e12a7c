#!/usr/bin/env bash
# Bad input: each case gets a clear message, the documented exit status,
# and leaves nothing behind (no file in the outbox, no key in the token).
source "$(dirname "$0")/lib.sh"

make_token m8-root
good=$T/root.yaml
example root.yaml "$good"

# no_key LABEL: pkcs11-tool sees no private key in the token.
no_key() {
	! p11_objects m8-root | grep -q "label: *$1" || fail "key $1 was left in the token"
}
# empty_dir DIR: the outbox holds nothing (or does not exist) but, once a
# run has started, its transcript closed with an abort record.
empty_dir() {
	[ ! -e "$1" ] || [ -z "$(ls -A "$1" | grep -vx transcript.jsonl)" ] ||
	    { ls -la "$1"; fail "$1 is not empty"; }
	[ ! -e "$1/transcript.jsonl" ] ||
	    tail -n1 "$1/transcript.jsonl" | grep -q '"type":"abort"' ||
	    fail "$1: the transcript is not closed with an abort record"
}
run_good() {
	anc ceremony run "$1" --outbox "$2" --pin-source "file:$T/pin-m8-root" --yes
}

# Malformed YAML.
printf 'version: 1\nname: [unclosed\n' >"$T/bad.yaml"
expect_exit 2 anc ceremony check "$T/bad.yaml"
expect_msg "bad.yaml:[0-9]+: YAML syntax error"
expect_exit 2 run_good "$T/bad.yaml" "$T/o1"
empty_dir "$T/o1"
pass "malformed YAML"

# Unknown field.
sed 's/^name:/nmae:/' "$good" >"$T/unknown.yaml"
expect_exit 2 anc ceremony check "$T/unknown.yaml"
expect_msg 'unknown.yaml:[0-9]+: .*unknown field "nmae"'
pass "unknown field"

# Duplicate key.
sed 's/^version: 1$/version: 1\nversion: 1/' "$good" >"$T/dup.yaml"
expect_exit 2 anc ceremony check "$T/dup.yaml"
expect_msg 'dup.yaml:[0-9]+: .*duplicate key "version"'
pass "duplicate key"

# A PIN in the token URI.
sed 's/token=m8-root/token=m8-root;pin-value=1234/' "$good" >"$T/pinuri.yaml"
expect_exit 2 anc ceremony check "$T/pinuri.yaml"
expect_msg 'pin'
pass "PIN in URI refused"

# A key named for an input, in a script whose steps use no token: there is
# no token to look for it in, so it is refused before anything is made.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/nk.key" -subj /CN=nk -days 2 -out "$T/nk.pem" \
    -addext basicConstraints=critical,CA:TRUE 2>/dev/null
cat >"$T/nokey.yaml" <<'EOF'
version: 1
name: key-without-token
participants:
  - { name: "Alice Example", role: administrator }
  - { name: "Bob Example", role: witness }
inputs:
  - certificate: { name: old-root, file: nk.pem, key: m8-root }
steps:
  - bundle: { anchors: [old-root], output: tb }
EOF
expect_exit 2 anc ceremony check "$T/nokey.yaml"
expect_msg 'nokey.yaml:7: inputs\[1\].certificate.key: "m8-root" names a key in the token, but no step uses the token'
expect_exit 2 anc ceremony run "$T/nokey.yaml" --outbox "$T/o-nokey" --yes
empty_dir "$T/o-nokey"
pass "input key without a token refused"

# Missing token.
sed 's/token=m8-root/token=absent/' "$good" >"$T/absent.yaml"
expect_exit 3 run_good "$T/absent.yaml" "$T/o2"
expect_msg 'token pkcs11:token=absent: no token'
empty_dir "$T/o2"
pass "missing token"

# Wrong PIN: exactly one C_Login, seen through OpenSC's pkcs11-spy.
SPY=/usr/lib/x86_64-linux-gnu/pkcs11-spy.so
( umask 077; echo 000000wrong >"$T/wrong-pin" )
PKCS11SPY_OUTPUT=$T/spy.log spy_env expect_exit 3 \
    "$ANCHORAGE" --module "$SPY" ceremony run "$good" --outbox "$T/o3" \
    --pin-source "file:$T/wrong-pin" --yes
expect_msg 'wrong PIN; anchorage makes one attempt per run'
[ "$(grep -c 'C_Login' "$T/spy.log")" -eq 1 ] || fail "expected exactly one C_Login"
empty_dir "$T/o3"
no_key m8-root-2026
pass "wrong PIN: one attempt"

# pin-source with loose permissions.
cp "$T/pin-m8-root" "$T/loose-pin"
chmod 0644 "$T/loose-pin"
expect_exit 4 anc ceremony run "$good" --outbox "$T/o4" \
    --pin-source "file:$T/loose-pin" --yes
expect_msg "loose-pin: mode 0644, expected 0600 or stricter"
empty_dir "$T/o4"
no_key m8-root-2026
pass "loose pin-source refused"

# Existing output file: refused before the token is touched.
mkdir -m 700 "$T/o5"
echo "keep me" >"$T/o5/root-2026.pem"
expect_exit 4 run_good "$good" "$T/o5"
expect_msg 'root-2026.pem: already exists'
[ "$(cat "$T/o5/root-2026.pem")" = "keep me" ] || fail "existing file changed"
[ "$(ls -A "$T/o5")" = "root-2026.pem" ] || fail "files left in o5"
no_key m8-root-2026
pass "existing output refused"

# Symlink at an output path.
mkdir -m 700 "$T/o6"
ln -s /tmp/nowhere "$T/o6/trust-bundle.pem"
expect_exit 4 run_good "$good" "$T/o6"
expect_msg 'trust-bundle.pem: already exists'
[ "$(ls -A "$T/o6")" = "trust-bundle.pem" ] || fail "files left in o6"
[ ! -e /tmp/nowhere ] || fail "followed the symlink"
no_key m8-root-2026
pass "symlink at output refused"

# Existing label: the second run is refused before anything changes.
run_good "$good" "$T/o7" >/dev/null 2>&1 || fail "first run"
expect_exit 4 run_good "$good" "$T/o8"
expect_msg 'label "m8-root-2026" is already in the token'
empty_dir "$T/o8"
[ "$(p11_objects m8-root | grep -c 'Private Key Object')" -eq 1 ] ||
    fail "a second key was made"
pass "existing label refused"

# Usage errors exit 2 and name the command.
expect_exit 2 anc ceremony run "$good"
expect_msg 'ceremony run: --outbox DIR is required'
expect_exit 2 anc nonsense
expect_exit 0 anc ceremony run --help
pass "usage"
