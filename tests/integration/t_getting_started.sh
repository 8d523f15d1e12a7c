#!/usr/bin/env bash
# docs/getting-started.md, followed as a new operator would: the blocks of
# that page marked `<!-- getting-started: NAME -->` are read from the page
# and run as written.  The token is initialised the two ways the page
# shows (softhsm2-util, and pkcs11-tool as for an HSM), PINs typed on a
# pseudo-terminal, never on a command line.  The ceremony runs with typed
# confirmations.  The documented apply commands run with Debian's kubectl
# (1.20) against a stand-in API server, client-side (--dry-run=client -o
# yaml): the Secret kubectl would send holds tls.key once, with no
# last-applied-configuration copy, where a plain `kubectl apply` (run too,
# for contrast) copies it.  Also: before a token exists the run stops
# with exit 3 and leaves no outbox, and no doc prints a client-side apply
# for a Secret.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
DOC=$ANC_SRC/docs/getting-started.md
DRIVE=$ANC_SRC/tests/integration/pty_drive.py
SOFTHSM=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so
# Debian's kubectl: ANC_KUBECTL (scripts/test sets it, see anc_kubectl in
# scripts/common.sh), else the package's /usr/bin/kubectl.
KUBECTL=${ANC_KUBECTL:-}
if [ -z "$KUBECTL" ] && dpkg-query -W -f='${Status}' kubernetes-client \
    2>/dev/null | grep -q 'install ok installed'; then
	KUBECTL=/usr/bin/kubectl
fi
[ -n "$KUBECTL" ] && [ -x "$KUBECTL" ] ||
    fail "ANC_KUBECTL: Debian's kubectl is needed (./scripts/test provides it)"
"$KUBECTL" version --client --short 2>/dev/null | grep -q 'v1\.20\.' ||
    fail "$KUBECTL is not Debian's kubectl 1.20"

# block NAME: the fenced block after <!-- getting-started: NAME -->.
block() {
	awk -v want="<!-- getting-started: $1 -->" '
	    $0 == want { found = 1; next }
	    found && /^```/ { if (inside) exit; inside = 1; next }
	    inside { print }' "$DOC"
}
for b in softhsm2 softhsm2-init pkcs11-tool-init first-ceremony.yaml check \
    run verify apply; do
	[ -n "$(block "$b")" ] || fail "docs/getting-started.md: no block $b"
done

# `anchorage` as the page writes it: this build, on this test's module.
mkdir -p "$T/bin" "$T/home"
cat >"$T/bin/anchorage" <<EOF
#!/bin/sh
exec ${ANC_RUN[*]} "$ANCHORAGE" --module "$ANC_MODULE_PATH" "\$@"
EOF
chmod 755 "$T/bin/anchorage"
export PATH="$T/bin:$PATH" HOME="$T/home"
CAP=$T/cap
mkdir -m 700 "$CAP"
new_pin_file "$CAP/so" 16
new_pin_file "$CAP/user" 16

# on_tty SCRIPT CMDLINE: CMDLINE (bash) on a pseudo-terminal, driven by
# SCRIPT; its terminal in $T/tty, its status must be 0.
on_tty() {
	local rc=0
	timeout 300 "$PY" "$DRIVE" "$1" "$CAP" -- bash -c "$2" >"$T/tty" 2>&1 ||
	    rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/tty" >&2; fail "on a terminal: $2"; }
}

# --- 2. the token, SoftHSM2 ----------------------------------------------
cd "$HOME"
block first-ceremony.yaml >first-ceremony.yaml
source <(block softhsm2)
[ "$SOFTHSM2_CONF" = "$HOME/anchorage/softhsm2.conf" ] || fail "SOFTHSM2_CONF"

# Before the token exists: exit 3, nothing written, the name still free.
expect_exit 3 anchorage ceremony run first-ceremony.yaml --outbox first-outbox \
    --yes --pin-source "file:$CAP/user"
expect_msg 'token pkcs11:token=m8-root: no token'
expect_msg 'no transcript and no outbox were written, so first-outbox is still free'
[ ! -e first-outbox ] || fail "a run without its token left first-outbox"
pass "no token yet: exit 3, no outbox, the name still free"

cat >"$T/init.tty" <<'EOF'
expect 30 Please enter SO PIN: 
noecho 30
sendfile so
expect 30 Please reenter SO PIN: 
noecho 30
sendfile so
expect 30 Please enter user PIN: 
noecho 30
sendfile user
expect 30 Please reenter user PIN: 
noecho 30
sendfile user
absent so user
eof 60
EOF
[ "$(block softhsm2-init | wc -l)" -eq 1 ] || fail "softhsm2-init: one command"
block softhsm2-init | grep -qv -- '--pin\|--so-pin' || fail "a PIN on the command line"
on_tty "$T/init.tty" "$(block softhsm2-init)"
anchorage token list | grep -q '^token "m8-root"' ||
    fail "softhsm2-util did not initialise m8-root"
pass "softhsm2-util asked for both PINs on the terminal, echo off"

# --- 2. the token, as on an HSM: pkcs11-tool, in a token directory of its
# own where slot index 1 is the blank one, as the page assumes.
(
	mkdir -p "$T/hsm/tokens"
	printf 'directories.tokendir = %s\nobjectstore.backend = file\n' \
	    "$T/hsm/tokens" >"$T/hsm/softhsm2.conf"
	export SOFTHSM2_CONF=$T/hsm/softhsm2.conf MODULE=$SOFTHSM
	( umask 077; cat "$CAP/so" "$CAP/user" >"$T/hsm/init" )
	"$ANC_TOKEN_INIT" "$SOFTHSM" other-token "$T/hsm/init" >/dev/null
	block pkcs11-tool-init >"$T/hsm/cmds"
	[ "$(wc -l <"$T/hsm/cmds")" -eq 2 ] || fail "pkcs11-tool-init: two commands"
	grep -q -- '--pin\|--so-pin' "$T/hsm/cmds" && fail "a PIN on the command line"
	printf 'expect 30 new SO PIN: \nnoecho 30\nsendfile so\nexpect 30 (again|SO PIN).*: \nnoecho 30\nsendfile so\neof 60\n' \
	    >"$T/hsm/t1"
	on_tty "$T/hsm/t1" "$(sed -n 1p "$T/hsm/cmds")"
	# Initialised, no user PIN yet: refused before anything is written.
	expect_exit 3 anchorage --module "$SOFTHSM" ceremony run \
	    "$HOME/first-ceremony.yaml" --outbox "$T/hsm/out" --yes \
	    --pin-source "file:$CAP/user"
	expect_msg 'has no user PIN yet'
	[ ! -e "$T/hsm/out" ] || fail "a token without a user PIN left an outbox"
	printf 'expect 30 SO PIN.*: \nnoecho 30\nsendfile so\nexpect 30 new.*PIN.*: \nnoecho 30\nsendfile user\nexpect 30 (again|PIN).*: \nnoecho 30\nsendfile user\neof 60\n' \
	    >"$T/hsm/t2"
	on_tty "$T/hsm/t2" "$(sed -n 2p "$T/hsm/cmds")"
	anchorage --module "$SOFTHSM" -q ceremony run "$HOME/first-ceremony.yaml" \
	    --outbox "$T/hsm/out" --yes --pin-source "file:$CAP/user" >/dev/null ||
	    fail "a ceremony on the token pkcs11-tool initialised"
	openssl verify -CAfile "$T/hsm/out/root-2026.pem" \
	    "$T/hsm/out/issuing-2026.pem" >/dev/null || fail "pkcs11-tool token chain"
)
pass "pkcs11-tool: init-token, then (refused until then) init-pin; the token works"

# --- 3, 4. the script, checked and planned ---------------------------------
bash -euo pipefail -c "$(block check)" >"$T/check.out" 2>"$T/check.err" ||
    { cat "$T/check.err" >&2; fail "check/plan as the page writes them"; }
grep -q 'is valid and every certificate lints clean' "$T/check.out" || fail "check"
grep -q 'warning' "$T/check.err" && { cat "$T/check.err" >&2; fail "warnings"; }
grep -q 'ConfigMap cert-manager/m8-trust-bundle-source' "$T/check.out" ||
    fail "the plan does not put the bundle source in cert-manager"
pass "check: valid, no warnings; plan: bundle source in cert-manager"

# --- 5. the run, typed as the officers would --------------------------------
nsteps=$(grep -c '^  - [a-z-]*:' first-ceremony.yaml)
{
	echo 'expect 60 type "monoskope-first-ceremony-2026" to start'
	echo 'send monoskope-first-ceremony-2026'
	echo 'expect 60 User PIN for token "m8-root"'
	echo 'noecho 30'
	echo 'sendfile user'
	for i in $(seq 1 "$nsteps"); do
		echo "expect 120 type \"step $i\" to run it"
		echo "send step $i"
		echo 'expect 120 "witnessed" to confirm'
		echo 'send witnessed'
	done
	echo 'absent user'
	echo 'eof 120'
} >"$T/run.tty"
[ "$(block run | wc -l)" -eq 1 ] || fail "run: one command"
on_tty "$T/run.tty" "$(block run)"
[ -s first-outbox/SHA256SUMS ] || fail "the run did not complete"
pass "ceremony run: $nsteps steps confirmed on the terminal"

# --- 6. verify ---------------------------------------------------------------
bash -euo pipefail -c "$(block verify)" >"$T/verify.out" 2>"$T/verify.err" ||
    { cat "$T/verify.err" >&2; fail "verify as the page writes it"; }
fp=$(openssl x509 -in first-outbox/root-2026.pem -outform DER | sha256sum | cut -c1-64)
grep -q "^$fp  -" "$T/verify.out" || fail "the fingerprint line"
grep -q "$fp" first-outbox-report.html || fail "the report lacks the root's DER fingerprint"
openssl x509 -in first-outbox/root-2026.pem -noout -text |
    grep -q 'ASN1 OID: secp384r1' || fail "the root is not P-384"
# The report: each certificate's DER fingerprint next to its file hash,
# each labelled, so nobody compares the wrong one (issue 13, item 4).
for f in root-2026 issuing-2026; do
	der=$(openssl x509 -in "first-outbox/$f.pem" -outform DER | sha256sum | cut -c1-64)
	file=$(sha256sum "first-outbox/$f.pem" | cut -c1-64)
	grep -q "$file  $f.pem" first-outbox/SHA256SUMS || fail "$f in SHA256SUMS"
	grep -q "<td>$f.pem<br>file SHA-256 (as in SHA256SUMS) <span class=\"hash\">$file</span><br>certificate SHA-256 fingerprint (DER, compare this one) <span class=\"hash\">$der</span>" \
	    first-outbox-report.html || fail "the report's row for $f.pem"
done
pass "outbox and transcript verify; report: file hash and DER fingerprint, labelled"

# --- 7. apply, client-side, against a stand-in API server ---------------------
"$PY" "$ANC_SRC/tests/integration/k8s_discovery.py" "$T/port" "$T/api.log" &
api=$!
trap 'kill "$api" 2>/dev/null; cleanup' EXIT
for i in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || fail "the stand-in API server did not start"
cat >"$T/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: stand-in
  cluster: { server: "http://127.0.0.1:$(cat "$T/port")" }
users:
- name: nobody
  user: {}
contexts:
- name: stand-in
  context: { cluster: stand-in, user: nobody }
current-context: stand-in
EOF
export KUBECONFIG=$T/kubeconfig
SECRET=first-outbox/manifests/secret-m8-trust-anchor.yaml
n=0
while read -r line; do
	case $line in kubectl\ *) ;; *) fail "apply block: not kubectl: $line" ;; esac
	n=$((n + 1))
	# shellcheck disable=SC2086 # the documented words, as written
	"$KUBECTL" ${line#kubectl } --dry-run=client -o yaml >"$T/apply.$n" \
	    2>"$T/apply.$n.err" || { cat "$T/apply.$n.err" >&2; fail "$line"; }
	case $line in
	*secret-*)
		"$PY" "$ANC_SRC/tests/integration/check_apply.py" "$T/apply.$n" \
		    "$SECRET" --no-copy >/dev/null || fail "$line copies the key" ;;
	*configmap-*)
		grep -q '^  namespace: cert-manager$' "$T/apply.$n" ||
		    fail "the bundle source is not in cert-manager" ;;
	esac
done < <(block apply)
[ "$n" -eq 4 ] || fail "apply block: $n commands"
grep -q '^kind: Secret$' "$T/apply.1" || fail "the Secret was not the first"
pass "the documented apply commands: no copy of tls.key, source in cert-manager"

# The contrast: plain client-side apply does copy it, so the check can fail.
"$KUBECTL" apply -f "$SECRET" --dry-run=client -o yaml >"$T/contrast" ||
    fail "kubectl apply (contrast)"
"$PY" "$ANC_SRC/tests/integration/check_apply.py" "$T/contrast" "$SECRET" \
    --copy >/dev/null || fail "client-side apply was expected to copy the key"
"$PY" "$ANC_SRC/tests/integration/check_apply.py" "$T/contrast" "$SECRET" \
    --no-copy >/dev/null 2>&1 && fail "the check missed the copied key"
# kubectl replace, the documented way to replace the Secret later.
"$KUBECTL" replace -f "$SECRET" --dry-run=client -o yaml >"$T/replace" ||
    fail "kubectl replace"
"$PY" "$ANC_SRC/tests/integration/check_apply.py" "$T/replace" "$SECRET" \
    --no-copy >/dev/null || fail "kubectl replace copies the key"
# kubectl create of the whole directory, as the demo prints it.
"$KUBECTL" create -f first-outbox/manifests/ --dry-run=client -o yaml \
    >"$T/create-dir" || fail "kubectl create -f first-outbox/manifests/"
"$PY" "$ANC_SRC/tests/integration/check_apply.py" "$T/create-dir" "$SECRET" \
    --no-copy >/dev/null || fail "kubectl create -f DIR copies the key"
[ "$(grep -c '^kind: ' "$T/create-dir")" -ge 4 ] || fail "create -f DIR: objects"
grep -v '^GET ' "$T/api.log" && fail "a dry run wrote to the API server"
pass "contrast: kubectl apply copies tls.key into last-applied-configuration; replace does not"

# --- no doc, README, demo or outbox README prints a client-side apply of a
# Secret or of a whole manifests directory (which may hold one).
if grep -rnE 'kubectl apply ' "$ANC_SRC/README.md" "$ANC_SRC/docs" \
    "$ANC_SRC/scripts/demo" "$ANC_SRC/export" | grep -v -- '--server-side' |
    grep -E 'secret-|manifests/( |$|\))|manifests/?$'; then
	fail "a client-side kubectl apply of a Secret is printed above"
fi
pass "no client-side apply of a Secret in README, docs, demo or outbox texts"
