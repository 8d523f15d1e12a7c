# Shared setup for the integration tests: a SoftHSM2 token directory of
# the test's own (SOFTHSM2_CONF), PIN files that never reach argv or the
# environment, and small assertion helpers.  Results are checked with
# tools that are not the code under test: openssl, certtool, pkcs11-tool.
set -euo pipefail

: "${ANCHORAGE:?set by CTest: the anchorage binary}"
: "${ANC_TOKEN_INIT:?set by CTest: the token init helper}"
: "${ANC_SRC:?set by CTest: the source tree}"
ANC_MODULE_PATH=${ANC_MODULE_PATH:-/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so}

T=$(mktemp -d /tmp/anc-it.XXXXXX)
# Hooks run at exit before $T goes (a software TPM to stop).
ANC_AT_EXIT=()
cleanup() {
	local h
	for h in "${ANC_AT_EXIT[@]}"; do "$h" || true; done
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/tokens"
chmod 700 "$T"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$T" >"$T/softhsm2.conf"
export SOFTHSM2_CONF="$T/softhsm2.conf"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# Which PKCS#11 implementation the test runs against (CTest sets it, with
# ANC_MODULE_PATH): softhsm (SoftHSM2, directly or through p11-kit's
# proxy), opencryptoki (its software token, behind pkcsslotd) or tpm2
# (tpm2-pkcs11 on a software TPM of the test's own).  Each file in
# tests/integration/p11/ sets up its module and says what it cannot do:
#   ANC_P11_ALGS     the key algorithms it can generate
#   ANC_P11_REFUSED  those it cannot, each "algorithm:CKM_MISSING"
#   ANC_PIN_LEN      the longest PIN it takes
#   ANC_P11_MODEL    set if make_token initialises one shared token again
#   p11_settle       run after each program that used the module
ANC_P11=${ANC_P11:-softhsm}
ANC_P11_ALGS="ecdsa-p256 ecdsa-p384 rsa-3072 rsa-4096"
ANC_P11_REFUSED=
ANC_PIN_LEN=16
ANC_P11_MODEL=
p11_settle() { :; }
case $ANC_P11 in
softhsm) ;;
opencryptoki|tpm2) source "$ANC_SRC/tests/integration/p11/$ANC_P11.sh" ;;
*) fail "ANC_P11=$ANC_P11: unknown module kind" ;;
esac

# A random PIN of the given length, in a 0600 file.
new_pin_file() {
	local f=$1
	( umask 077; head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' |
	    head -c "${2:-16}" >"$f"; echo >>"$f" )
}

# make_token LABEL: a new token; its user PIN in $T/pin-LABEL (0600).
make_token() {
	local label=$1
	new_pin_file "$T/pin-$label" "$ANC_PIN_LEN"
	new_pin_file "$T/so-$label" "$ANC_PIN_LEN"
	[ -z "${ANC_SO_PIN_FILE:-}" ] || cp "$ANC_SO_PIN_FILE" "$T/so-$label"
	( umask 077; cat "$T/so-$label" "$T/pin-$label" >"$T/init-$label" )
	"$ANC_TOKEN_INIT" "$ANC_MODULE_PATH" "$label" "$T/init-$label" \
	    ${ANC_P11_MODEL:+"$ANC_P11_MODEL"} ||
	    fail "token $label could not be made"
	p11_settle
	rm -f "$T/init-$label" "$T/so-$label"
}

# ANC_VALGRIND=1 runs every anchorage command of anc() under valgrind's
# memcheck: a memory error or a definite leak makes it exit 99, which no
# test expects.  tests/valgrind.supp holds suppressions for third-party
# code only.  ANC_RUN is the prefix, for tests that call $ANCHORAGE.
ANC_RUN=()
if [ "${ANC_VALGRIND:-0}" = 1 ]; then
	ANC_RUN=(valgrind -q --error-exitcode=99 --leak-check=full
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite
	    --suppressions="$ANC_SRC/tests/valgrind.supp")
fi
anc() {
	local rc=0
	"${ANC_RUN[@]}" "$ANCHORAGE" --module "$ANC_MODULE_PATH" "$@" || rc=$?
	p11_settle
	return "$rc"
}

# lsan_off CMD...: CMD without LeakSanitizer (in the ASan build; elsewhere
# it changes nothing), for runs it cannot check: under ptrace (strace), and
# through OpenSC's pkcs11-spy, below.
lsan_off() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$@"
}

# spy_env CMD...: CMD run with pkcs11-spy as the module, logging to
# $PKCS11SPY_OUTPUT.  The spy keeps its log FILE, function list and module
# handle in globals it never frees, even after C_Finalize; libp11 then
# unloads it, so LeakSanitizer reports them lost from a module it can no
# longer name, which no suppression can match.
spy_env() {
	PKCS11SPY=$ANC_MODULE_PATH lsan_off "$@"
}

# The key algorithms a test goes through; ANC_ALGS overrides.  Under
# valgrind RSA-4096 is left out: SoftHSM2 takes minutes to generate it
# there, and RSA-3072 runs the same code of ours.
# Only what the module can do (ANC_P11_ALGS).
if [ "${ANC_VALGRIND:-0}" = 1 ]; then
	ANC_ALGS=${ANC_ALGS:-$(tr ' ' '\n' <<<"$ANC_P11_ALGS" |
	    grep -vx rsa-4096 | tr '\n' ' ')}
else
	ANC_ALGS=${ANC_ALGS:-$ANC_P11_ALGS}
fi
# The algorithm of the token keys in the example ceremonies: their own
# (ecdsa-p256) if the module has it, else the first it has; ANC_ROOT_ALG
# overrides.
if [ -z "${ANC_ROOT_ALG:-}" ]; then
	case " $ANC_P11_ALGS " in
	*" ecdsa-p256 "*) ANC_ROOT_ALG=ecdsa-p256 ;;
	*) ANC_ROOT_ALG=${ANC_P11_ALGS%% *} ;;
	esac
fi

# copy_examples DIR: the example ceremonies, their token keys made with
# ANC_ROOT_ALG (issuing CA keys are made in software: they stay).
copy_examples() {
	local f
	cp "$ANC_SRC"/ceremony/examples/*.yaml "$1/"
	for f in root.yaml rotation-introduce.yaml; do
		sed -i "s/algorithm: ecdsa-p256/algorithm: $ANC_ROOT_ALG/" "$1/$f"
	done
}

# expect_exit CODE CMD...: run, keep stderr in $T/stderr, compare status.
expect_exit() {
	local want=$1 got=0
	shift
	"$@" >"$T/stdout" 2>"$T/stderr" || got=$?
	[ "$got" -eq "$want" ] || {
		cat "$T/stderr" >&2
		fail "expected exit $want, got $got: $*"
	}
}

# expect_msg PATTERN: the last command's stderr matches (grep -E).
expect_msg() {
	grep -Eq -- "$1" "$T/stderr" || {
		cat "$T/stderr" >&2
		fail "stderr does not match /$1/"
	}
}

# type_pin FILE: the PIN typed into a pseudo-terminal for a program that
# reads it only from a terminal (pkcs11-tool).  Typed again a few times:
# a loaded machine may start the program late and flush the first line;
# extra lines are never read.
type_pin() {
	local i
	for i in 1 2 3 4; do
		sleep 0.4
		cat "$1" 2>/dev/null || return 0
	done
}

# p11_objects LABEL: pkcs11-tool's view of the private keys, logged in with
# the PIN typed on a pseudo-terminal (pkcs11-tool reads no PIN file).
p11_objects() {
	local label=$1
	type_pin "$T/pin-$label" | script -qec "pkcs11-tool --module \
	    $ANC_MODULE_PATH --token-label $label --login --list-objects \
	    --type privkey" /dev/null 2>&1 | tr -d '\r'
	p11_settle
}

# root_script NAME: the head of a ceremony script NAME that uses the root
# of ceremony/examples/root.yaml (key m8-root-2026 in token m8-root, its
# certificate at root/root-2026.pem), up to that certificate, the first of
# its inputs; the caller writes its other inputs and its steps after it.
root_script() {
	cat <<YAML
version: 1
name: $1
token: "pkcs11:token=m8-root"
participants:
  - { name: "Alice Example", role: administrator }
  - { name: "Bob Example", role: witness }
inputs:
  - certificate: { name: root-2026, file: root/root-2026.pem, key: m8-root-2026 }
YAML
}

# A copy of an example ceremony with sed expressions applied.
example() {
	local name=$1 out=$2
	shift 2
	sed -e '' "$@" "$ANC_SRC/ceremony/examples/$name" >"$out"
}
