#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, -Werror) into
# build-fuzz/ and runs each for a bounded time from its committed seeds.
# Fails on any crash, sanitizer report, leak, timeout or broken promise;
# prints the executions of each target from libFuzzer's final stats.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target: the argument, else ANC_FUZZ_SECONDS, else 60.
# TARGET: names as in tests/fuzz/fuzz_<name>.c; all of them by default.
# ANC_FUZZ_JOBS targets run at once (default: the number of CPUs).
# ANC_FUZZ_BUILD is the build directory (default build-fuzz).
# What the fuzzer adds to a corpus stays in build-fuzz/fuzz-work/<name>,
# so later runs start from it; a crashing input is written to
# build-fuzz/fuzz-artifacts/ and the report to build-fuzz/fuzz-logs/.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${ANC_FUZZ_SECONDS:-60}
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
	secs=$1
	shift
fi
build=${ANC_FUZZ_BUILD:-$top/build-fuzz}
jobs=${ANC_FUZZ_JOBS:-$(nproc)}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for src in "$top"/tests/fuzz/fuzz_*.c; do
		src=${src##*/fuzz_}
		targets+=("${src%.c}")
	done
fi

logs=$build/fuzz-logs
mkdir -p "$logs" "$build/fuzz-artifacts"
CC=clang cmake -S "$top" -B "$build" -DANC_FUZZ=ON \
    -DANC_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzz-targets \
    >"$logs/build.log" 2>&1 || { cat "$logs/build.log"; exit 1; }
# Crash reports name functions and lines.
[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ] &&
    export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

run_one() {
	local name=$1 dict=() rc=0
	local work=$build/fuzz-work/$name seeds=$top/tests/fuzz/corpus/$name
	if [ ! -d "$seeds" ]; then
		echo "no seeds: $seeds" >"$logs/$name.log"
		echo 1 >"$logs/$name.rc"
		return
	fi
	mkdir -p "$work"
	[ -f "$top/tests/fuzz/$name.dict" ] && dict=(-dict="$top/tests/fuzz/$name.dict")
	"$build/tests/fuzz/fuzz_$name" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$build/fuzz-artifacts/$name-" "${dict[@]}" \
	    "$work" "$seeds" >"$logs/$name.log" 2>&1 || rc=$?
	echo "$rc" >"$logs/$name.rc"
}

stat_of() {	# stat_of NAME STAT: a number from libFuzzer's final stats
	sed -n "s/^stat::$2: *//p" "$logs/$1.log" | tail -1
}

echo "fuzzing ${#targets[@]} targets, ${secs}s each, $jobs at a time"
running=0
for name in "${targets[@]}"; do
	rm -f "$logs/$name.log" "$logs/$name.rc"
	run_one "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
done
wait

failed=0
printf '%-16s %-7s %12s %9s %10s %8s\n' target result executions "exec/s" "new units" "rss MB"
for name in "${targets[@]}"; do
	rc=$(cat "$logs/$name.rc" 2>/dev/null || echo 1)
	result=ok
	[ "$rc" -eq 0 ] || { result=FAILED; failed=1; }
	printf '%-16s %-7s %12s %9s %10s %8s\n' "$name" "$result" \
	    "$(stat_of "$name" number_of_executed_units)" \
	    "$(stat_of "$name" average_exec_per_sec)" \
	    "$(stat_of "$name" new_units_added)" "$(stat_of "$name" peak_rss_mb)"
done
for name in "${targets[@]}"; do
	[ "$(cat "$logs/$name.rc" 2>/dev/null || echo 1)" -eq 0 ] && continue
	echo "=== $name: $logs/$name.log"
	grep -E -A40 '^==[0-9]+==ERROR|runtime error|^SUMMARY|deadly signal|Test unit written' \
	    "$logs/$name.log" | head -80 || tail -40 "$logs/$name.log"
done
[ "$failed" -eq 0 ] || { echo "fuzzing failed"; exit 1; }
echo "fuzzing passed: no crash in ${#targets[@]} targets"
