# Sourced by lib.sh for ANC_P11=opencryptoki: openCryptoki 3.8.1's software
# token (swtok, slot 3 of the stock /etc/opencryptoki/opencryptoki.conf)
# behind its pkcsslotd daemon.
#
# openCryptoki 3.8.1 is system-wide: one daemon, one configuration, one
# software token under /var/lib/opencryptoki/swtok, none of it relocatable
# (no per-process configuration until 3.12).  So CTest runs the tests that
# use it one at a time (RESOURCE_LOCK opencryptoki), and make_token takes
# the token over whatever state it is in: C_InitToken wipes every object
# and sets the new label.  The daemon is started if it is not running and
# left running; the token is left initialised, for the next run to wipe.

# No EC mechanisms in 3.8.1's software token; PINs of 4 to 8 characters.
ANC_P11_ALGS="rsa-3072 rsa-4096"
ANC_P11_REFUSED="ecdsa-p256:CKM_EC_KEY_PAIR_GEN ecdsa-p384:CKM_EC_KEY_PAIR_GEN"
ANC_PIN_LEN=8
ANC_P11_MODEL="IBM SoftTok"

# In the ASan build, LeakSanitizer is off for this module's runs: the
# module leaks by itself (C_Initialize allocations never freed by C_Finalize), from code it reports as an unknown
# module once unloaded, which no suppression can name.  Memory errors and
# UBSan still stop the test; anchorage's own leaks are caught by the same
# ceremonies on SoftHSM2, which run with leaks fatal.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# C_InitToken of an initialised token needs its current SO PIN, so the SO
# PIN stays the software token's factory default: this token only ever
# holds test keys.
ANC_SO_PIN_FILE=$T/ock-so
( umask 077; echo 87654321 >"$ANC_SO_PIN_FILE" )

# CTest's RESOURCE_LOCK serialises the tests of one ctest run; this lock,
# held until the test exits, also those of runs from other build trees on
# the same machine.  Daemons started below must not inherit it.
exec 8>/tmp/anchorage-opencryptoki-tests.lock
flock -w 900 8 || fail "opencryptoki: another test run holds the token"

# The lock directories come from tmpfiles.d, which a container may never
# have applied.
for d in /var/lock/opencryptoki /var/lock/opencryptoki/swtok; do
	[ -d "$d" ] || install -d -m 770 -g pkcs11 "$d" ||
	    fail "opencryptoki: cannot make $d"
done
if ! pgrep -x pkcsslotd >/dev/null; then
	pkcsslotd </dev/null >/dev/null 2>&1 8>&- ||
	    fail "opencryptoki: pkcsslotd does not start"
fi
