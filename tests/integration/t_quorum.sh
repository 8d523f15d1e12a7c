#!/usr/bin/env bash
# Quorum activation (docs/quorum.md), through a pseudo-terminal: a split-pin
# ceremony shows each officer their share; the token's new PIN is rebuilt
# from the shares by an independent python3 reference and checked with
# pkcs11-tool; then a quorum ceremony is activated with K shares (one
# C_Login), and refused with K-1 shares, a mistyped share, a forged share
# (valid check, wrong bytes), a repeated share and a share of another split,
# each time before any C_Login (counted with OpenSC's pkcs11-spy).  No share
# and no PIN appears in an outbox, a log, or /proc/PID/{cmdline,environ}.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
DRIVE="$ANC_SRC/tests/integration/pty_drive.py"
SPY=/usr/lib/x86_64-linux-gnu/pkcs11-spy.so
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }
[ -e "$SPY" ] || { echo "skip: no pkcs11-spy"; exit 77; }

make_token m8-root
CAP=$T/cap		# what the driver saves from the screen (0600 files)
mkdir -m 700 "$CAP"
n=0

# drive SCRIPT CMD...: run CMD on a pty; its stdout and stderr go to
# $T/out.N and $T/err.N (searched for secrets at the end); the status is
# kept in $rc.
drive() {
	local script=$1
	shift
	n=$((n + 1))
	rc=0
	"$PY" "$DRIVE" "$script" "$CAP" --stdout "$T/out.$n" --stderr \
	    "$T/err.$n" -- "$@" || rc=$?
	[ "$rc" -ne 125 ] || { cat "$T/err.$n" >&2; fail "pty driver"; }
}
last_err() { cat "$T/err.$n"; }
expect_err() {
	grep -Eq -- "$1" "$T/err.$n" || { last_err >&2; fail "stderr of run $n does not match /$1/"; }
}

# spy_run SCRIPT YAML OUTBOX: a ceremony run through pkcs11-spy; the number
# of C_Login calls goes to $logins.
spy_run() {
	rm -f "$T/spy.log"
	PKCS11SPY_OUTPUT=$T/spy.log spy_env drive "$1" \
	    "$ANCHORAGE" --module "$SPY" ceremony run "$2" --outbox "$3" --yes
	logins=$(grep -c 'C_Login' "$T/spy.log" || true)
}

# login_ok PINFILE: pkcs11-tool logs in with that PIN (typed on a pty).
login_ok() {
	local out
	out=$(type_pin "$1" | script -qec "pkcs11-tool --module \
	    $ANC_MODULE_PATH --token-label m8-root --login --list-objects \
	    --type privkey" /dev/null 2>&1 | tr -d '\r')
	grep -q 'Logging in' <<<"$out" && ! grep -Eq 'CKR_|error' <<<"$out"
}

people='participants:
  - { name: Alice Example, role: administrator }
  - { name: Bob Example, role: witness }
  - { name: Carol Example, role: crypto-officer }
  - { name: Dave Example, role: crypto-officer }
  - { name: Erin Example, role: crypto-officer }'

cat >"$T/split.yaml" <<EOF
version: 1
name: m8-pin-split
token: "pkcs11:token=m8-root"
$people
steps:
  - split-pin: { threshold: 2, officers: [Carol Example, Dave Example, Erin Example] }
EOF

# --- Checked and planned without a token ---
expect_exit 0 anc ceremony check "$T/split.yaml"
expect_exit 0 anc ceremony plan "$T/split.yaml"
grep -q 'split it so that any 2 of the 3 officers rebuild it' "$T/stdout" ||
    fail "plan does not describe the split"
cp "$T/stdout" "$T/out.plan"
pass "split-pin checked and planned"

# --- The split: each officer types their name, sees their share, types done ---
cat >"$T/split.pty" <<'EOF'
expect 60 Carol Example, type your name to see your share: $
send Carol Example
expect 10 \n    ([0-9]+-[0-9A-Z-]+)\r?\n
save share1
expect 10 Type done when it is written down: $
send done
# A wrong name does not show the share; the right one does.
expect 10 Dave Example, type your name to see your share: $
send Carol Example
expect 10 Dave Example, type your name to see your share: $
send Dave Example
expect 10 \n    ([0-9]+-[0-9A-Z-]+)\r?\n
save share2
expect 10 Type done when it is written down: $
procscan share1 share2
send done
expect 10 Erin Example, type your name to see your share: $
send Erin Example
expect 10 \n    ([0-9]+-[0-9A-Z-]+)\r?\n
save share3
expect 10 Type done when it is written down: $
send done
EOF
drive "$T/split.pty" "$ANCHORAGE" --module "$ANC_MODULE_PATH" ceremony run \
    "$T/split.yaml" --outbox "$T/o-split" --pin-source "file:$T/pin-m8-root" --yes
[ "$rc" -eq 0 ] || { last_err >&2; fail "split-pin run: exit $rc"; }
expect_err 'split-pin: user PIN changed; any 2 of 3 shares rebuild it: Carol Example \(share 1\), Dave Example \(share 2\), Erin Example \(share 3\); commitment [0-9a-f]{16}'
commitment=$(grep -o 'commitment [0-9a-f]\{16\}' "$T/err.$n" | head -1 | cut -d' ' -f2)
for i in 1 2 3; do
	grep -Eq "^$i-([0-9A-Z]{4}-){11}[0-9A-Z]{4}$" "$CAP/share$i" ||
	    fail "share $i is not in the written form"
done
[ "$(sort -u "$CAP"/share? | wc -l)" -eq 3 ] || fail "shares are not distinct"
expect_exit 0 anc outbox verify "$T/o-split"
cp "$T/stdout" "$T/out.verify"
expect_exit 0 anc transcript verify "$T/o-split"
cp "$T/stdout" "$T/out.tverify"
"$PY" - "$T/o-split/transcript.jsonl" "$commitment" <<'EOF' || fail "split-pin record"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
split = [r for r in recs if r["type"] == "split-pin"]
assert len(split) == 1, split
r = split[0]
assert (r["step"], r["threshold"], r["shares"], r["commitment"]) == (1, 2, 3, sys.argv[2]), r
assert [o["name"] for o in r["officers"]] == ["Carol Example", "Dave Example", "Erin Example"], r
assert [o["share"] for o in r["officers"]] == [1, 2, 3], r
EOF
pass "split-pin showed three shares, one officer at a time, and recorded the split"

# --- The independent reference: rebuild the PIN, forge a share ---
cat >"$T/ref.py" <<'EOF'
import hashlib, sys
ALPHA = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
def mul(a, b):
    p = 0
    for i in range(8):
        if (b >> i) & 1:
            p ^= a << i
    for bit in range(14, 7, -1):
        if (p >> bit) & 1:
            p ^= 0x11B << (bit - 8)
    return p
def inv(a):
    return next(x for x in range(1, 256) if mul(a, x) == 1)
def read(path):
    text = open(path).read().strip()
    body = text.split("-", 1)[1].replace("-", "")
    n = 0
    for c in body:
        n = n * 32 + ALPHA.index(c)
    return bytearray(n.to_bytes(30, "big"))
def write(b):
    n, s = int.from_bytes(b, "big"), ""
    for i in range(48):
        s = ALPHA[n & 31] + s
        n >>= 5
    return "%d-" % b[2] + "-".join(s[i:i + 4] for i in range(0, 48, 4))
def check(b):
    return hashlib.sha256(b"anchorage/shamir/check/v1" + bytes(b[:27])).digest()[:3]
cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "pin":            # pin SHARE SHARE...: the PIN they rebuild
    sh = [read(p) for p in args]
    secret = bytearray(16)
    for i, a in enumerate(sh):
        num = den = 1
        for j, b in enumerate(sh):
            if i != j:
                num, den = mul(num, b[2]), mul(den, a[2] ^ b[2])
        w = mul(num, inv(den))
        for k in range(16):
            secret[k] ^= mul(w, a[3 + k])
    assert sh[0][1] == len(sh)
    assert hashlib.sha256(b"anchorage/shamir/commitment/v1" + bytes([sh[0][1]]) + secret).digest()[:8] == bytes(sh[0][19:27])
    print(secret.hex())
elif cmd == "forge":        # forge SHARE: other bytes, a check that passes
    b = read(args[0])
    b[10] ^= 0x5a
    b[27:30] = check(b)
    print(write(b))
elif cmd == "typo":         # typo SHARE: one character changed
    t = open(args[0]).read().strip()
    i = len(t) - 6
    print(t[:i] + ("Z" if t[i] != "Z" else "Y") + t[i + 1:])
EOF
( umask 077
  "$PY" "$T/ref.py" pin "$CAP/share1" "$CAP/share3" >"$CAP/pin"
  "$PY" "$T/ref.py" pin "$CAP/share2" "$CAP/share3" >"$CAP/pin23"
  "$PY" "$T/ref.py" forge "$CAP/share2" >"$CAP/forged2"
  "$PY" "$T/ref.py" typo "$CAP/share1" >"$CAP/typo1" )
grep -Eq '^[0-9a-f]{32}$' "$CAP/pin" || fail "reference rebuilt no PIN"
cmp -s "$CAP/pin" "$CAP/pin23" || fail "two pairs of shares rebuild different PINs"
login_ok "$CAP/pin" || fail "the token does not take the PIN the shares rebuild"
login_ok "$T/pin-m8-root" && fail "the old PIN still works"
pass "the shares rebuild the token's new PIN (independent reference, pkcs11-tool)"

# A rehearsal makes and rebuilds a split on its throwaway token, but shows
# no share (it would be void) and asks for no PIN.
expect_exit 0 anc ceremony run "$T/split.yaml" --outbox "$T/o-reh" --rehearsal --yes
expect_msg 'split-pin: rehearsal: a 2-of-3 split was made and rebuilt; no share is shown and the PIN is not changed'
cp "$T/stderr" "$T/err.reh"
login_ok "$CAP/pin" || fail "the rehearsal changed the real token's PIN"
pass "rehearsal: split made and rebuilt, nothing shown, no PIN asked"

# --- A quorum ceremony ---
quorum_yaml() {
	cat <<EOF
version: 1
name: m8-root-quorum
token: "pkcs11:token=m8-root"
$people
quorum: { threshold: 2, officers: [Carol Example, Dave Example, Erin Example]$1 }
steps:
  - generate-key: { label: m8-root-2026 }
  - self-sign: { key: m8-root-2026, subject: { CN: root.monoskope.cluster.local },
                 output: root-2026 }
  - bundle: { anchors: [root-2026], output: trust-bundle }
EOF
}
quorum_yaml ", commitment: $commitment" >"$T/quorum.yaml"
quorum_yaml ", commitment: 0123456789abcdef" >"$T/quorum-other.yaml"

expect_exit 0 anc ceremony plan "$T/quorum.yaml"
grep -q "Activation: shares of any 2 of these crypto officers, no PIN: Carol Example, Dave Example, Erin Example; commitment $commitment" \
    "$T/stdout" || fail "plan does not show the quorum"
expect_exit 2 anc ceremony run "$T/quorum.yaml" --outbox "$T/o-src" \
    --pin-source "file:$CAP/pin" --yes
expect_msg 'ceremony run: --pin-source: m8-root-quorum activates the token with a quorum'
[ ! -e "$T/o-src" ] || fail "outbox made for a refused --pin-source"
pass "plan shows the quorum; --pin-source refused"

no_login_run() {
	[ "$rc" -eq 3 ] || { last_err >&2; fail "$1: exit $rc, expected 3"; }
	[ "$logins" -eq 0 ] || fail "$1: $logins C_Login calls, expected none"
	[ -z "$(ls -A "$2" 2>/dev/null | grep -v transcript.jsonl)" ] ||
	    fail "$1: files left in $2"
}

# K-1: Carol types hers, Dave and Erin are absent.
cat >"$T/k-1.pty" <<'EOF'
expect 60 Share of Carol Example \(officer 1 of 3; Enter alone if absent\): $
sendfile share1
expect 10 Share of Dave Example .*: $
send
expect 10 Share of Erin Example .*: $
send
EOF
spy_run "$T/k-1.pty" "$T/quorum.yaml" "$T/o-k1"
no_login_run "K-1 shares" "$T/o-k1"
expect_err 'quorum: 1 of the 2 shares needed were given; no login was attempted'
pass "K-1 shares: refused, no C_Login"

# A mistyped share is caught as it is typed; three tries, then refused.
cat >"$T/typo.pty" <<'EOF'
expect 60 Share of Carol Example .*: $
sendfile typo1
expect 10 That does not read as a share: the share does not check out: a character is wrong, missing or swapped.  Type it again.\r?\nShare of Carol Example .*: $
sendfile typo1
expect 10 Type it again.\r?\nShare of Carol Example .*: $
sendfile typo1
EOF
spy_run "$T/typo.pty" "$T/quorum.yaml" "$T/o-typo"
no_login_run "mistyped share" "$T/o-typo"
expect_err "quorum: Carol Example's share did not read in 3 attempts; no login was attempted"
pass "mistyped share: refused at entry, no C_Login"

# A forged share reads correctly but rebuilds a PIN the commitment refuses.
cat >"$T/forged.pty" <<'EOF'
expect 60 Share of Carol Example .*: $
sendfile share1
expect 10 Share of Dave Example .*: $
sendfile forged2
EOF
spy_run "$T/forged.pty" "$T/quorum.yaml" "$T/o-forged"
no_login_run "forged share" "$T/o-forged"
expect_err 'quorum: the secret rebuilt from 2 shares does not match their commitment: at least one share is wrong; no login was attempted'
pass "forged share (valid check): refused by the commitment, no C_Login"

# The same share twice.
cat >"$T/dup.pty" <<'EOF'
expect 60 Share of Carol Example .*: $
sendfile share1
expect 10 Share of Dave Example .*: $
sendfile share1
EOF
spy_run "$T/dup.pty" "$T/quorum.yaml" "$T/o-dup"
no_login_run "repeated share" "$T/o-dup"
expect_err "quorum: Dave Example gave share 1, which Carol Example gave already; no login was attempted"
pass "repeated share: refused, no C_Login"

# Shares of another split than the one the script names.
cat >"$T/other.pty" <<'EOF'
expect 60 Share of Carol Example .*: $
sendfile share1
EOF
spy_run "$T/other.pty" "$T/quorum-other.yaml" "$T/o-other"
no_login_run "other split" "$T/o-other"
expect_err "quorum: Carol Example's share is from the split with commitment $commitment, not 0123456789abcdef as the script says; no login was attempted"
pass "share of another split: refused, no C_Login"

# K shares, any K of N: Carol is absent; Dave mistypes once, then types his
# share; Erin types hers.  Nothing typed is echoed.
cat >"$T/ok.pty" <<'EOF'
expect 60 Share of Carol Example .*: $
send
expect 10 Share of Dave Example .*: $
procscan share1 share2 share3 pin
sendfile typo1
expect 10 Type it again.\r?\nShare of Dave Example .*: $
sendfile share2
expect 10 Share of Erin Example .*: $
sendfile share3
eof 120
absent share1 share2 share3 pin
EOF
spy_run "$T/ok.pty" "$T/quorum.yaml" "$T/o-ok"
[ "$rc" -eq 0 ] || { last_err >&2; fail "quorum run: exit $rc"; }
[ "$logins" -eq 1 ] || fail "quorum run: $logins C_Login calls, expected 1"
grep -q 'complete' "$T/out.$n" || fail "quorum run did not complete"
expect_exit 0 anc outbox verify "$T/o-ok"
cp "$T/stdout" "$T/out.verify2"
openssl x509 -in "$T/o-ok/root-2026.pem" -noout -subject |
    grep -q 'root.monoskope.cluster.local' || fail "root not made"
pass "K of N shares (2 and 3): one C_Login, ceremony complete"

# A key that needs a login before each signature (CKA_ALWAYS_AUTHENTICATE,
# through the mock module): the officers are asked for their shares again
# for each signature; the rebuilt PIN is not kept in between.
sed -e 's/m8-root-2026/m8-root-aa/' "$T/quorum.yaml" >"$T/quorum-aa.yaml"
cat >"$T/aa.pty" <<'EOF'
expect 60 Share of Carol Example .*: $
sendfile share1
expect 10 Share of Dave Example .*: $
sendfile share2
expect 60 asks for its PIN again before one signature with key "m8-root-aa"[^\n]*\r?\nShare of Carol Example .*: $
sendfile share1
expect 10 Share of Dave Example .*: $
sendfile share2
expect 60 asks for its PIN again before one signature with key "m8-root-aa"[^\n]*\r?\nShare of Carol Example .*: $
send
expect 10 Share of Dave Example .*: $
sendfile share2
expect 10 Share of Erin Example .*: $
sendfile share3
eof 120
EOF
: >"$T/aa.calls"
drive "$T/aa.pty" env ANC_MOCK_TARGET="$ANC_MODULE_PATH" ANC_MOCK_QUIRKS=always-auth \
    ANC_MOCK_LOG="$T/aa.calls" "$ANCHORAGE" --module "$ANC_MOCK_MODULE" \
    ceremony run "$T/quorum-aa.yaml" --outbox "$T/o-aa" --yes
[ "$rc" -eq 0 ] || { last_err >&2; fail "quorum with always-authenticate: exit $rc"; }
[ "$(grep -cx 'C_Login(CKU_CONTEXT_SPECIFIC)' "$T/aa.calls")" -eq 2 ] ||
    fail "quorum with always-authenticate: expected 2 context-specific logins"
grep -c '"type":"context-login"' "$T/o-aa/transcript.jsonl" | grep -qx 1 ||
    fail "quorum with always-authenticate: context login not recorded"
expect_exit 0 anc transcript verify "$T/o-aa"
pass "always-authenticate key under a quorum: shares asked again for each signature"

# --- No share and no PIN anywhere they could leak to ---
cp "$T/pin-m8-root" "$CAP/oldpin"
for secret in share1 share2 share3 forged2 typo1 pin oldpin; do
	v=$(cat "$CAP/$secret")
	for f in "$T"/o-* "$T"/out.* "$T"/err.* "$T/stdout" "$T/stderr"; do
		[ -e "$f" ] || continue
		! grep -rqF -- "$v" "$f" || fail "$secret found in $f"
	done
done
# The shares' letters without dashes, in case something reformats them.
for secret in share1 share2 share3; do
	v=$(cut -d- -f2- "$CAP/$secret" | tr -d -)
	! grep -rqF -- "$v" "$T"/o-* "$T"/out.* "$T"/err.* || fail "$secret (undashed) leaked"
done
pass "no share or PIN in any outbox, log, or /proc/PID/{cmdline,environ}"
