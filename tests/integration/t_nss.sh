#!/usr/bin/env bash
# NSS softokn (libnss3's libsoftokn3.so) needs initialisation arguments
# in C_Initialize's pReserved: --module-args or ANCHORAGE_MODULE_ARGS.
# Its one token is labelled "NSS Certificate DB", so `token list` must
# print a percent-encoded URI that selects it.  The NSS database is made
# with certutil (libnss3-tools), its password read from a 0600 file.
source "$(dirname "$0")/lib.sh"
SOFTOKN=/usr/lib/x86_64-linux-gnu/libsoftokn3.so
# In the ASan build, LeakSanitizer is off here: softokn and NSPR leak by
# themselves from code reported as an unknown module once unloaded, which
# no suppression can name (as for tpm2-pkcs11, tests/integration/p11/).
# Memory errors and UBSan still stop the test; anchorage's own leaks are
# caught by the same commands on SoftHSM2, with leaks fatal.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
# Under valgrind the same: memory errors still fail the test, leaks are
# not looked for.
[ ${#ANC_RUN[@]} -eq 0 ] || ANC_RUN+=(--leak-check=no)
[ -e "$SOFTOKN" ] || fail "$SOFTOKN missing (package libnss3)"

mkdir "$T/nss"
new_pin_file "$T/pin-nss"
certutil -N -d "sql:$T/nss" -f "$T/pin-nss" >/dev/null ||
    fail "certutil could not make the NSS database"
args="configdir='sql:$T/nss' certPrefix='' keyPrefix='' secmod='secmod.db' flags="
nss() { "${ANC_RUN[@]}" "$ANCHORAGE" --module "$SOFTOKN" "$@"; }

# Without its arguments softokn does not initialise: exit 3 and a hint.
expect_exit 3 nss token list
expect_msg 'module-args or ANCHORAGE_MODULE_ARGS'
pass "NSS softokn without arguments: refused with a hint"

expect_exit 0 nss --module-args "$args" token list
uri=$(awk '/uri:.*NSS%20Certificate%20DB/ { print $2 }' "$T/stdout")
[ -n "$uri" ] || { cat "$T/stdout"; fail "no percent-encoded URI for NSS Certificate DB"; }
ANCHORAGE_MODULE_ARGS=$args expect_exit 0 nss token keys "$uri" \
    --pin-source "file:$T/pin-nss"
grep -q 'no keys' "$T/stdout" || fail "token keys on NSS: $(cat "$T/stdout")"
pass "NSS softokn with --module-args and ANCHORAGE_MODULE_ARGS: $uri"

# A rehearsal first looks at the real token, read-only, through the same
# arguments: without them softokn does not initialise and the rehearsal
# stops before its transcript (exit 3); with them the probe record
# describes NSS's token, and the rehearsal runs on its throwaway SoftHSM2
# token, leaving nothing in the NSS database.
example root.yaml "$T/root.yaml" \
    -e 's|pkcs11:token=m8-root|pkcs11:token=NSS%20Certificate%20DB|'
expect_exit 3 nss ceremony run "$T/root.yaml" --outbox "$T/reh0" \
    --rehearsal --yes
expect_msg "rehearsal: checking the ceremony's own token"
expect_msg 'module-args or ANCHORAGE_MODULE_ARGS'
[ ! -e "$T/reh0" ] || fail "NSS rehearsal without arguments wrote $T/reh0"
expect_exit 0 nss --module-args "$args" ceremony run "$T/root.yaml" \
    --outbox "$T/reh" --rehearsal --yes
python3 - "$T/reh/transcript.jsonl" "$SOFTOKN" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
types = [r["type"] for r in recs]
p = recs[types.index("probe")]
assert p["read_only"] is True and p["module"]["path"] == sys.argv[2], p
assert p["token"]["label"] == "NSS Certificate DB", p["token"]
assert all(n["status"] == "met" for n in p["needs"]), p["needs"]
assert recs[types.index("token")]["serial"] != p["token"]["serial"]
PYEOF
    fail "NSS rehearsal: probe record"
! certutil -K -d "sql:$T/nss" -f "$T/pin-nss" 2>/dev/null | grep -q m8-root ||
    fail "NSS rehearsal: a key was made in the real token"
pass "NSS softokn: rehearsal probes the real token with --module-args"

# token probe loads the module with the same arguments, and its trial key
# pair shows up front what the run below is refused for.
ANCHORAGE_MODULE_ARGS=$args expect_exit 3 nss token probe "$uri" \
    --script "$T/root.yaml" --pin-source "file:$T/pin-nss"
grep -q 'ecdsa-p256 FAILED: generated; template CKA_LOCAL is not true' \
    "$T/stdout" || fail "token probe on NSS: $(cat "$T/stdout" "$T/stderr")"
grep -q 'this token CANNOT run it' "$T/stdout" ||
    fail "token probe on NSS: no verdict"
pass "NSS softokn: token probe with ANCHORAGE_MODULE_ARGS"

# A root ceremony on NSS softokn, its arguments from the environment.
# softokn reports CKA_LOCAL false for the key it has just generated, so
# the read-back check refuses it (exit 4): the message and the abort record
# name the key left in the database, which certutil lists by that CKA_ID.
ANCHORAGE_MODULE_ARGS=$args expect_exit 4 nss ceremony run "$T/root.yaml" \
    --outbox "$T/out" --pin-source "file:$T/pin-nss" --yes
expect_msg 'CKA_LOCAL is not true'
id=$(sed -n 's/.*IS in the token (label "m8-root-2026", CKA_ID \([0-9a-f]*\)).*/\1/p' \
    "$T/stderr" | head -1)
[ ${#id} -eq 32 ] || fail "NSS: the refusal names no CKA_ID"
certutil -K -d "sql:$T/nss" -f "$T/pin-nss" 2>/dev/null |
    grep -q "$id *m8-root-2026" || fail "NSS: certutil does not list key $id"
grep -q "\"key_ids\":\[\"$id\"\]" "$T/out/transcript.jsonl" ||
    fail "NSS: abort record without the key's CKA_ID"
pass "NSS softokn: ceremony run with ANCHORAGE_MODULE_ARGS; its non-local key refused and named"

# status reads the token's public keys through the same arguments: the
# key the refused run left, which no certificate of the rehearsal's
# outbox carries, is listed.
expect_exit 3 nss status --outbox "$T/reh" --token "$uri"
expect_msg 'module-args or ANCHORAGE_MODULE_ARGS'
ANCHORAGE_MODULE_ARGS=$args expect_exit 0 nss status --outbox "$T/reh" \
    --token "$uri"
grep -q 'key "m8-root-2026" in the token matches no known' "$T/stdout" ||
    fail "status on NSS: $(cat "$T/stdout")"
pass "NSS softokn: status --token with ANCHORAGE_MODULE_ARGS"
