#!/usr/bin/env bash
# Secret hygiene during a real run: a sentinel PIN appears nowhere but in
# its pin-source file (not in the outbox, stdout, stderr, /proc/PID/cmdline
# or environ while the run is live), core dumps are off, and the process
# never forks or execs.
source "$(dirname "$0")/lib.sh"
: "${ANC_MOCK_MODULE:?set by CTest}"

SENTINEL="sentinel-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
( umask 077; printf '12345678\n%s\n' "$SENTINEL" >"$T/init"
  printf '%s\n' "$SENTINEL" >"$T/pin-m8-root" )
"$ANC_TOKEN_INIT" "$ANC_MODULE_PATH" m8-root "$T/init" || fail "token"
rm -f "$T/init"
C=$T/c
mkdir -m 700 "$C"
cp "$ANC_SRC"/ceremony/examples/*.yaml "$C/"

# The root ceremony, stopped (SIGSTOP, by the test module) at its first
# signature, i.e. after login: look at the live process from outside.
( exec env ANC_MOCK_TARGET="$ANC_MODULE_PATH" ANC_MOCK_FAULT=stop=C_Sign:1 \
    "$ANCHORAGE" --module "$ANC_MOCK_MODULE" ceremony run "$C/root.yaml" \
    --outbox "$C/root" --pin-source "file:$T/pin-m8-root" --yes ) \
    >"$T/out1" 2>"$T/err1" &
pid=$!
for _ in $(seq 200); do
	[ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] && break
	sleep 0.05
done
[ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] || fail "the run did not stop"
! grep -aq "$SENTINEL" "/proc/$pid/cmdline" || fail "PIN in cmdline"
! grep -aq "$SENTINEL" "/proc/$pid/environ" || fail "PIN in environ"
grep -Eq '^Max core file size +0 +0' "/proc/$pid/limits" ||
    fail "core dumps are not off: $(grep core "/proc/$pid/limits")"
# No child process: nothing was forked or exec'd after login.
[ -z "$(ps -o pid= --ppid "$pid")" ] || fail "the run has children"
kill -CONT "$pid"
wait "$pid" || fail "root ceremony"
pass "live process: no PIN in cmdline or environ, core dumps off, no children"

# The rest of the ceremonies, traced: only the one execve that starts
# anchorage, and no new process (fork, vfork, or a clone that is not a
# thread: p11-kit's proxy loads modules that start threads of their own).
for s in issuing-ca vault-intermediate; do
	if [ "$s" = vault-intermediate ]; then
		mkdir -p "$C/vault"
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout /dev/null -subj "/CN=vault int" -out "$C/vault/pki_int.csr" 2>/dev/null
	fi
	lsan_off strace -f -qq -e trace=fork,vfork,clone,clone3,execve \
	    -o "$T/trace-$s" \
	    "$ANCHORAGE" --module "$ANC_MODULE_PATH" ceremony run "$C/$s.yaml" \
	    --outbox "$C/$s" --pin-source "file:$T/pin-m8-root" --yes \
	    >>"$T/out1" 2>>"$T/err1" || fail "ceremony $s"
	# Match system calls by name at the start of a line, not in paths.
	[ "$(grep -Ec '^[0-9]+ +execve\(' "$T/trace-$s")" -eq 1 ] ||
	    { cat "$T/trace-$s"; fail "$s: exec"; }
	! grep -E '^[0-9]+ +(fork|vfork|clone|clone3)\(' "$T/trace-$s" |
	    grep -vq CLONE_THREAD || { cat "$T/trace-$s"; fail "$s: fork"; }
done
pass "no fork or exec in a run"

# Nowhere in what the runs wrote or printed.
if grep -rlaF "$SENTINEL" "$C" "$T/out1" "$T/err1"; then
	fail "the PIN appears in the files above"
fi
pass "PIN absent from outboxes, stdout and stderr"
