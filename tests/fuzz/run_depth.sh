#!/usr/bin/env bash
# tests/fuzz/run_depth.sh: run libFuzzer targets to a number of executions each and print the
# figures issue 11 asks for (executions, corpus files, coverage edges, features, rate).
#
#   tests/fuzz/run_depth.sh [RUNS] [target ...]      (default RUNS 10000000, every target)
#
# FUZZ_SECONDS=N caps each target's run at N seconds as well (-max_total_time), for a fixed budget.
# Builds build-fuzz/ (clang, -fsanitize=fuzzer + address,undefined) when missing, runs each
# target on a copy of its corpus with -runs=RUNS, merges the new inputs back into
# tests/fuzz/corpus/<target>/ (-merge=1: only inputs that add coverage), and prints one line per
# target. A crash or sanitizer report stops that target, leaves the reproducer in
# build-fuzz/depth/<target>/, and makes the script exit 1. Environment: FUZZ_JOBS (parallel
# targets, default 1), FUZZ_RSS_MB (default 2048).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-10000000}
shift || true
bd="$here/build-fuzz"
if [ ! -x "$bd/tests/fuzz/fuzz_properties" ]; then
  cmake -S "$here" -B "$bd" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DKC_FUZZ=ON -DKC_SANITIZE=address,undefined >/dev/null
fi
ninja -C "$bd" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$here"/tests/fuzz/fuzz_*.c; do
    t=$(basename "$f" .c); t=${t#fuzz_}
    [ "$t" = replay_main ] || targets+=("$t")
  done
fi
# malloc_context_size=0: no allocation stacks kept per malloc (a quarter of the time went to
# them); a reproducer replays with full stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:malloc_context_size=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
one() {
  local t=$1 w="$bd/depth/$1" corpus="$here/tests/fuzz/corpus/$1"
  rm -rf "$w"; mkdir -p "$w/work" "$w/art"
  cp -r "$corpus/." "$w/work/" 2>/dev/null || true
  local t0=$SECONDS
  if ! (cd "$w" && "$bd/tests/fuzz/fuzz_$t" -runs="$runs" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        ${FUZZ_SECONDS:+-max_total_time="$FUZZ_SECONDS"} \
        -artifact_prefix="$w/art/" -print_final_stats=1 work >"$w/log" 2>&1); then
    echo "$t: FAILED after $((SECONDS - t0)) s, see $w/log and $w/art/"
    touch "$bd/depth/FAILED"
    return 1
  fi
  mkdir -p "$corpus"
  (cd "$w" && "$bd/tests/fuzz/fuzz_$t" -merge=1 "$corpus" work >"$w/merge.log" 2>&1) || true
  local execs cov ft
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$w/log" | grep -oE '[0-9]+$' || echo ?)
  cov=$(grep -oE 'cov: [0-9]+' "$w/log" | tail -1 | grep -oE '[0-9]+' || echo ?)
  ft=$(grep -oE 'ft: [0-9]+' "$w/log" | tail -1 | grep -oE '[0-9]+' || echo ?)
  local secs=$((SECONDS - t0)); [ "$secs" -gt 0 ] || secs=1
  printf '%-22s executions %-10s corpus %-6s cov %-6s ft %-7s %6d s (%d exec/s)\n' "$t" "$execs" \
    "$(ls "$corpus" | wc -l)" "$cov" "$ft" "$secs" "$(( ${execs//\?/0} / secs ))"
}
mkdir -p "$bd/depth"; rm -f "$bd/depth/FAILED"
jobs_max=${FUZZ_JOBS:-1}
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  one "$t" &
done
wait || true
[ ! -e "$bd/depth/FAILED" ] || status=1
exit $status
