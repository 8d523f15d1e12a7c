#!/usr/bin/env bash
# Rehearsals (--rehearsal): the same scripts against a throwaway SoftHSM2
# token the appliance makes itself, after a read-only look at the real
# token (its own test: t_probe_run).  No PIN is asked (there is no terminal
# to ask on, and none is given), every record says "rehearsal": true, the
# token directory is gone afterwards, the test's own tokens are untouched,
# and an issuing-CA script rehearses with a stand-in for the root's key.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
VERIFY="$ANC_SRC/tests/integration/verify_transcript.py"
DRIVE="$ANC_SRC/tests/integration/pty_drive.py"
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }

# Rehearsal tokens go to $TMPDIR: this test's own, so that it sees only
# its own leftovers.
export TMPDIR=$T/tmp
mkdir -m 700 "$TMPDIR"
leftovers() { find "$TMPDIR" -mindepth 1; }

# all_rehearsal TRANSCRIPT: every record is marked.
all_rehearsal() {
	"$PY" - "$1" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert recs and all(r["rehearsal"] is True for r in recs), "unmarked record"
EOF
}

# The real token a rehearsal checks before making its throwaway one.
make_token m8-root

# Without a terminal (setsid), so a PIN prompt would fail the run.
example root.yaml "$T/root.yaml"
setsid -w "$ANCHORAGE" --module "$ANC_MODULE_PATH" ceremony run \
    "$T/root.yaml" --outbox "$T/root" --rehearsal --yes </dev/null \
    >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "rehearsal of root.yaml"; }
grep -q 'complete (rehearsal)' "$T/out" || fail "the run does not say rehearsal"
grep -q "rehearsal: throwaway SoftHSM2 token in $TMPDIR/anchorage-rehearsal\\." \
    "$T/err" || fail "the throwaway token is not announced"
# A whole word: the closing hash's words include "spindle".
! grep -qiw 'PIN' "$T/out" "$T/err" || fail "a PIN was mentioned"
all_rehearsal "$T/root/transcript.jsonl" || fail "root: unmarked records"
anc transcript verify "$T/root" >"$T/v" || fail "root: transcript verify"
grep -q 'REHEARSAL' "$T/v" || fail "verify does not say REHEARSAL"
"$PY" "$VERIFY" "$T/root" "$T/root/root-2026.pem" >/dev/null ||
    fail "root: independent verifier"
grep -q '"label":"m8-root"' "$T/root/transcript.jsonl" ||
    fail "the rehearsal token does not carry the script's label"
pass "rehearsal of the root ceremony: no PIN, every record marked"

# The issuing-CA script names the root's key in the token; the rehearsal
# token has a stand-in, so the same script runs unchanged.
mkdir -p "$T/ica/root"
cp "$T/root/root-2026.pem" "$T/ica/root/"
cp "$ANC_SRC/ceremony/examples/issuing-ca.yaml" "$T/ica/"
setsid -w "$ANCHORAGE" ceremony run "$T/ica/issuing-ca.yaml" --outbox \
    "$T/ica/out" --rehearsal --yes </dev/null >"$T/out2" 2>"$T/err2" ||
    { cat "$T/err2"; fail "rehearsal of issuing-ca.yaml"; }
all_rehearsal "$T/ica/out/transcript.jsonl" || fail "issuing: unmarked records"
anc transcript verify "$T/ica/out" >/dev/null || fail "issuing: transcript verify"
grep -q '"type":"key"' "$T/ica/out/transcript.jsonl" ||
    fail "issuing: the stand-in key is not recorded"
pass "rehearsal of the issuing-CA ceremony with a stand-in root key"

# A trust bundle brought in is recorded as one, with its hash.
mkdir -p "$T/rot"
cp "$T/ica/out/trust-bundle.pem" "$T/rot/"
cat >"$T/rot/bundle-input.yaml" <<'EOF'
version: 1
name: bundle-input
token: "pkcs11:token=m8-root"
participants:
  - { name: "Alice Example", role: administrator }
  - { name: "Bob Example", role: witness }
inputs:
  - bundle: { name: bundle-in-use, file: trust-bundle.pem }
steps:
  - generate-key: { label: m8-root-2027, algorithm: ecdsa-p256 }
  - self-sign: { key: m8-root-2027, subject: { CN: root-2027 },
                 validity: 87600h, path-length: 1, output: root-2027 }
  - bundle: { anchors: [root-2027, bundle-in-use], output: tb }
EOF
setsid -w "$ANCHORAGE" ceremony run "$T/rot/bundle-input.yaml" \
    --outbox "$T/rot/out" --rehearsal --yes </dev/null >"$T/out4" \
    2>"$T/err4" || { cat "$T/err4"; fail "rehearsal with a bundle input"; }
"$PY" - "$T/rot/out/transcript.jsonl" \
    "$(sha256sum <"$T/rot/trust-bundle.pem" | cut -d' ' -f1)" <<'EOF' ||
import json, sys
ins = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "input"]
assert [(r["name"], r["kind"], r["sha256"]) for r in ins] == \
    [("bundle-in-use", "bundle", sys.argv[2])], ins
EOF
    fail "the bundle input is not recorded as a bundle"
pass "rehearsal with a bundle input: recorded as kind bundle"

# On a terminal, without --yes: the officers confirm, still no PIN asked.
mkdir -m 700 "$T/cap"
cat >"$T/s" <<'EOF'
expect 60 type "monoskope-root-2026" to start
send monoskope-root-2026
expect 120 type "step 1" to run it
send step 1
expect 120 "witnessed" to confirm
send witnessed
expect 60 type "step 2" to run it
send step 2
expect 120 "witnessed" to confirm
send witnessed
expect 60 type "step 3" to run it
send step 3
expect 120 "witnessed" to confirm
send witnessed
eof 60
EOF
rc=0
timeout 300 "$PY" "$DRIVE" "$T/s" "$T/cap" --stdout "$T/out3" --stderr \
    "$T/err3" -- "$ANCHORAGE" ceremony run "$T/root.yaml" --outbox \
    "$T/root2" --rehearsal >"$T/tty3" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/tty3" "$T/err3"; fail "interactive rehearsal: exit $rc"; }
! grep -q 'User PIN' "$T/tty3" || fail "interactive rehearsal asked for a PIN"
all_rehearsal "$T/root2/transcript.jsonl" || fail "interactive: unmarked records"
grep -q '"name":"Bob Example","phase":"after"' "$T/root2/transcript.jsonl" ||
    fail "interactive rehearsal: the witness is not recorded"
pass "interactive rehearsal: confirmations, no PIN"

# --pin-source makes no sense in a rehearsal.
expect_exit 2 anc ceremony run "$T/root.yaml" --outbox "$T/x" --rehearsal \
    --yes --pin-source "file:$T/pin-m8-root"
expect_msg 'a rehearsal makes its own throwaway token'

# Nothing left behind: no rehearsal directory, and the test's own token
# directory holds only the token made above, without any key.
[ -z "$(leftovers)" ] || { leftovers; fail "a rehearsal token was left in $TMPDIR"; }
[ "$(ls "$T/tokens" | wc -l)" -eq 1 ] || fail "a rehearsal wrote into SOFTHSM2_CONF's tokens"
[ -z "$(p11_objects m8-root | grep 'label:')" ] || fail "a rehearsal touched the real token"
pass "no rehearsal token left behind; the real token untouched"
