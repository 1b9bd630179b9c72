#!/usr/bin/env bash
# tests/run.sh: THE test command. Runs every test connect-c has, from a fresh clone:
#   1. scripts/setup.sh           Debian packages, Python venv, Kafka + JVM Connect jars ($KC_CACHE)
#   2. build/                     normal build (RelWithDebInfo)
#      build-asan/                Debug build with -DKC_SANITIZE=address,undefined
#      build-clang/               clang build, compiled with -Werror only (KC_SKIP_CLANG=1 skips)
#   3. ctest -L 'unit|fuzz'       on both builds
#   4. one Kafka broker (tests/integration/services.sh), exported as KC_BOOTSTRAP / KC_RUN_DIR so
#      every integration suite reuses it
#   5. ctest -L integration       on the ASan build (detect_leaks=1, KC_TEST_TIMEOUT_SCALE=3)
#      ctest -L integration_normal_only on the normal build (what ASan cannot run: RSS bounds)
#   6. stop the services
# Every stage runs even when an earlier test stage failed (build failures stop the run); the exit
# status is nonzero when anything failed. Environment: KC_CACHE, KC_JOBS (default 2),
# KC_SKIP_SETUP=1 (skip step 1), KC_SKIP_ASAN=1 (no sanitizer build: integration runs on build/).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
export KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
JOBS=${KC_JOBS:-2}
SERVICES=$here/tests/integration/services.sh
failed=()
t_start=$SECONDS

stage() { printf '\n=== %s (%ds) ===\n' "$*" $((SECONDS - t_start)); }
fail() {
  echo "run.sh: FAILED: $*" >&2
  failed+=("$*")
}
die() {
  echo "run.sh: FATAL: $*" >&2
  exit 1
}

if [ "${KC_SKIP_SETUP:-0}" != 1 ]; then
  stage "setup"
  "$here/scripts/setup.sh" || die "scripts/setup.sh"
fi
export KC_PYTHON=${KC_PYTHON:-$KC_CACHE/venv/bin/python}

# configure_build DIR CMAKE_ARGS...
configure_build() {
  local dir=$1
  shift
  local gen=()
  if [ ! -f "$dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
  cmake -S "$here" -B "$dir" "${gen[@]}" -DKC_PYTHON="$KC_PYTHON" "$@" || die "configure $dir"
  cmake --build "$dir" -j "$JOBS" || die "build $dir"
}

builds=(build)
stage "build: build/"
configure_build "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "${KC_SKIP_ASAN:-0}" != 1 ]; then
  stage "build: build-asan/ (address,undefined)"
  configure_build "$here/build-asan" -DCMAKE_BUILD_TYPE=Debug -DKC_SANITIZE=address,undefined
  builds+=(build-asan)
fi
if [ "${KC_SKIP_CLANG:-0}" != 1 ] && command -v clang >/dev/null; then
  # The house rule is warning-free on gcc and clang: clang compiles everything with -Werror
  # (its unit tests are not run again; gcc's builds run them).
  stage "build: build-clang/ (clang, -Werror, compile only)"
  configure_build "$here/build-clang" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for b in "${builds[@]}"; do
  stage "unit + fuzz replay: $b"
  ctest --test-dir "$here/$b" -L 'unit|fuzz' --output-on-failure -j "$JOBS" --no-tests=ignore ||
    fail "unit|fuzz on $b"
done

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/kc-run.XXXXXX")
cleanup() {
  "$SERVICES" stop "$run_dir" || true
  rm -rf "$run_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stage "services: kafka"
if "$SERVICES" start-kafka "$run_dir" >/dev/null; then
  set -a
  # shellcheck disable=SC1091
  . "$run_dir/env"
  set +a
  echo "kafka: $KC_BOOTSTRAP (run dir $run_dir)"

  integ=${builds[-1]}
  stage "integration: $integ"
  KC_TEST_TIMEOUT_SCALE=${KC_TEST_TIMEOUT_SCALE:-$([ "$integ" = build-asan ] && echo 3 || echo 1)} \
    ctest --test-dir "$here/$integ" -L '^integration$' --output-on-failure --no-tests=error ||
    fail "integration on $integ"
  if [ "$integ" != build ]; then
    stage "integration (normal build only): build"
    ctest --test-dir "$here/build" -L '^integration_normal_only$' --output-on-failure \
      --no-tests=ignore || fail "integration_normal_only on build"
  fi
else
  fail "start kafka"
fi

stage "stop services"
cleanup
trap - EXIT

stage "done"
if ((${#failed[@]})); then
  printf 'run.sh: %d stage(s) failed:\n' "${#failed[@]}" >&2
  printf '  - %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "run.sh: all tests passed in $((SECONDS - t_start)) s"
