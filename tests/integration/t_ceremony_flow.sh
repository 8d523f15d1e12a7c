#!/usr/bin/env bash
# The officers' workflow on a terminal (docs/ceremony-guide.md), driven
# through a pseudo-terminal: typed confirmations (a wrong word and a wrong
# name are refused and asked again), a witness's exception, an abort in
# the middle (recorded; only complete files left; the transcript verifies
# up to it), an abort before anything, and no terminal without --yes.  A
# sentinel PIN, typed with echo off, appears nowhere: terminal, stdout,
# stderr, transcript, report.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
DRIVE="$ANC_SRC/tests/integration/pty_drive.py"
VERIFY="$ANC_SRC/tests/integration/verify_transcript.py"
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }
CAP=$T/cap
mkdir -m 700 "$CAP"
n=0

# A token whose user PIN is a distinctive random string, in $CAP/pin-LABEL.
sentinel_token() {
	local label=$1
	( umask 077
	  printf 'Sentinel-%s\n' "$(head -c 12 /dev/urandom | od -An -tx1 |
	      tr -d ' \n')" >"$CAP/pin-$label"
	  new_pin_file "$T/so-$label"
	  cat "$T/so-$label" "$CAP/pin-$label" >"$T/init-$label" )
	"$ANC_TOKEN_INIT" "$ANC_MODULE_PATH" "$label" "$T/init-$label" ||
	    fail "token $label could not be made"
	rm -f "$T/init-$label" "$T/so-$label"
}

# drive SCRIPT CMD...: CMD on a pty, stdout/stderr kept in $T/out.N and
# $T/err.N, the terminal in $T/tty.N; the status in $rc.
drive() {
	local script=$1
	shift
	n=$((n + 1))
	rc=0
	timeout 300 "$PY" "$DRIVE" "$script" "$CAP" --stdout "$T/out.$n" \
	    --stderr "$T/err.$n" -- "$@" >"$T/tty.$n" 2>&1 || rc=$?
	[ "$rc" -ne 125 ] && [ "$rc" -ne 124 ] ||
	    { cat "$T/tty.$n" "$T/err.$n" >&2; fail "pty driver (run $n)"; }
}

# A script with two witnesses, so the witness must say who they are.
script_for() {
	example root.yaml "$T/$1.yaml" -e "s/token=m8-root/token=$1/" \
	    -e '/role: witness }/a\  - { name: "Carol Example", role: witness }'
}

# --- 1. a complete run, every confirmation typed, one exception ---------
sentinel_token flow
script_for flow
cat >"$T/s1" <<'EOF'
expect 60 type "monoskope-root-2026" to start
send monoskope-root-2026
expect 60 User PIN for token "flow"
sendfile pin-flow
expect 60 type "step 1" to run it
send yes
expect 30 not confirmed: type "step 1" exactly.*type "step 1" to run it
send step 1
expect 120 witness: type your name
send Mallory
expect 30 is not a participant.*type your name
send Carol Example
expect 30 "witnessed" to confirm
send exception
expect 30 exception \(one line
send fan noise from the HSM; the key was generated anyway
expect 30 type your name
send Carol Example
expect 30 "witnessed" to confirm
send witnessed
expect 30 type "step 2" to run it
send step 2
expect 60 type your name
send Bob Example
expect 30 "witnessed" to confirm
send witnessed
expect 30 type "step 3" to run it
send step 3
expect 60 type your name
send Bob Example
expect 30 "witnessed" to confirm
send witnessed
absent pin-flow
eof 60
EOF
drive "$T/s1" "$ANCHORAGE" --module "$ANC_MODULE_PATH" ceremony run \
    "$T/flow.yaml" --outbox "$T/o1"
[ "$rc" -eq 0 ] || { cat "$T/tty.$n" "$T/err.$n"; fail "interactive run: exit $rc"; }
anc transcript verify "$T/o1" >"$T/v1" || fail "transcript verify after the run"
grep -q 'completed' "$T/v1" || fail "verify does not say completed"
hash=$("$PY" "$VERIFY" "$T/o1" "$T/o1/root-2026.pem") ||
    fail "independent verifier"
grep -q "$(echo "$hash" | cut -c1-4) $(echo "$hash" | cut -c5-8)" "$T/out.$n" ||
    fail "the closing hash printed is not the one the verifier computes"
"$PY" - "$T/o1/transcript.jsonl" <<'EOF' || fail "records of the interactive run"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
conf = [(r["step"], r["phase"], r["role"], r["name"], r["typed"])
        for r in recs if r["type"] == "confirmation"]
assert conf == [
    (0, "start", "administrator", "Alice Example", "monoskope-root-2026"),
    (1, "before", "administrator", "Alice Example", "step 1"),
    (1, "after", "witness", "Carol Example", "witnessed"),
    (2, "before", "administrator", "Alice Example", "step 2"),
    (2, "after", "witness", "Bob Example", "witnessed"),
    (3, "before", "administrator", "Alice Example", "step 3"),
    (3, "after", "witness", "Bob Example", "witnessed")], conf
exc = [r for r in recs if r["type"] == "exception"]
assert len(exc) == 1 and exc[0]["name"] == "Carol Example" and \
    exc[0]["step"] == 1 and exc[0]["text"].startswith("fan noise"), exc
assert all(not r["unattended"] and not r["rehearsal"] for r in recs)
assert recs[-1]["type"] == "end" and "signature" in recs[-1]
EOF
anc transcript report "$T/o1" >"$T/report1.html" || fail "transcript report"
for want in 'fan noise from the HSM' 'EXCEPTION' 'Carol Example' \
    'Sign-off' "$(echo "$hash" | cut -c1-4)"; do
	grep -q "$want" "$T/report1.html" || fail "report lacks '$want'"
done
pass "interactive run: confirmations, a wrong word, a wrong name, an exception"

# --- 2. an abort in the middle -------------------------------------------
sentinel_token flow2
script_for flow2
cat >"$T/s2" <<'EOF'
expect 60 type "monoskope-root-2026" to start
send monoskope-root-2026
expect 60 type "step 1" to run it
send step 1
expect 120 type your name
send Bob Example
expect 30 "witnessed" to confirm
send witnessed
expect 30 type "step 2" to run it
send step 2
expect 60 type your name
send Bob Example
expect 30 "witnessed" to confirm
send abort
expect 30 reason for the abort
send the subject on the screen is not the approved one
eof 60
EOF
drive "$T/s2" "$ANCHORAGE" --module "$ANC_MODULE_PATH" ceremony run \
    "$T/flow2.yaml" --outbox "$T/o2" --pin-source "file:$CAP/pin-flow2"
[ "$rc" -eq 4 ] || { cat "$T/err.$n"; fail "abort: expected exit 4, got $rc"; }
grep -q 'aborted by the witness, Bob Example: the subject on the screen' \
    "$T/err.$n" || fail "abort: the message does not say who and why"
grep -q 'left behind: key "m8-root-2026" in the token' "$T/err.$n" ||
    fail "abort: the key left in the token is not reported"
# Only complete files: the certificate and the transcript, nothing hidden,
# no SHA256SUMS (so outbox verify refuses it).
[ "$(ls -A "$T/o2" | sort | tr '\n' ' ')" = "root-2026.pem transcript.jsonl " ] ||
    { ls -A "$T/o2"; fail "abort: unexpected files in the outbox"; }
expect_exit 1 anc outbox verify "$T/o2"
anc transcript verify "$T/o2" >"$T/v2" || fail "abort: the transcript does not verify"
grep -q 'ABORTED' "$T/v2" || fail "abort: verify does not say ABORTED"
"$PY" "$VERIFY" "$T/o2" "$T/o2/root-2026.pem" >/dev/null ||
    fail "abort: independent verifier"
"$PY" - "$T/o2/transcript.jsonl" <<'EOF' || fail "abort record"
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
assert last["type"] == "abort" and last["step"] == 2, last
assert last["by"]["role"] == "witness" and last["by"]["name"] == "Bob Example"
assert last["by"]["text"] == "the subject on the screen is not the approved one"
assert last["left_behind"]["keys"] == ["m8-root-2026"], last
assert last["left_behind"]["files"] == ["root-2026.pem"], last
assert [len(i) for i in last["left_behind"]["key_ids"]] == [32], last
assert "signature" in last, "an abort after the root exists is signed"
EOF
pass "abort midway: recorded, signed, only complete files, verifies"

# --- 3. an abort at the start: nothing touched, unsigned, verifies ------
cat >"$T/s3" <<'EOF'
expect 60 type "monoskope-root-2026" to start
send abort
expect 30 reason for the abort
send
eof 60
EOF
drive "$T/s3" "$ANCHORAGE" --module "$ANC_MODULE_PATH" ceremony run \
    "$T/flow2.yaml" --outbox "$T/o3"
[ "$rc" -eq 4 ] || fail "abort at start: expected exit 4, got $rc"
! grep -q 'User PIN' "$T/tty.$n" || fail "abort at start: a PIN was asked"
anc transcript verify "$T/o3" >"$T/v3" || fail "abort at start: verify"
grep -q 'NOT signed: the run ended before step 2 (self-sign)' "$T/v3" ||
    { cat "$T/v3"; fail "abort at start: unsigned reason"; }
[ "$(cut -d, -f1 "$T/o3/transcript.jsonl" | wc -l)" -eq 3 ] &&
    tail -1 "$T/o3/transcript.jsonl" | grep -q '"type":"abort"' ||
    fail "abort at start: expected start, participants and abort records"
pass "abort at the start: recorded unsigned, no PIN asked"

# --- 4. no terminal and no --yes: a usage error, nothing created --------
expect_exit 2 setsid -w "$ANCHORAGE" --module "$ANC_MODULE_PATH" ceremony \
    run "$T/flow2.yaml" --outbox "$T/o4" </dev/null
expect_msg 'no terminal to confirm on; use --yes'
[ ! -e "$T/o4" ] || fail "no terminal: the outbox was created"
pass "no terminal without --yes: usage error"

# --- the sentinel PINs appear nowhere -----------------------------------
for f in "$T"/out.* "$T"/err.* "$T"/tty.* "$T"/o*/transcript.jsonl \
    "$T/report1.html"; do
	for p in "$CAP"/pin-*; do
		! grep -qF -- "$(cat "$p")" "$f" || fail "a PIN appears in $f"
	done
done
pass "no PIN in the terminal, stdout, stderr, transcripts or report"
