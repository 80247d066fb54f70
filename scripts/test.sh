#!/usr/bin/env bash
# The README's test command: sets everything up, makes sure a Docker daemon is
# reachable (starting the one the project owns when DOCKER_HOST names none),
# makes the offline base images, and runs every test through ctest.
#   scripts/test.sh            all tests (unit, fuzz corpora, integration)
#   BUILDBENCH_TEST_ASAN=1     also build with ASan+UBSan and run the unit tests there
# In CI (CI=true) the sanitizer pass is on by default.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh default

bin=build/bin/buildbench
# A daemon must answer: the one DOCKER_HOST names, else ours.
if [[ -z "${DOCKER_HOST:-}" ]] || ! "$bin" doctor --skip-images >/dev/null 2>&1; then
  "$bin" daemon start
  eval "$("$bin" daemon env)"
fi
export DOCKER_HOST
echo "test: using the Docker daemon at $DOCKER_HOST"
# The offline base images the integration tests build on (cached on disk
# after the first time).
"$bin" images
"$bin" doctor
# Integration tests must not skip here: a missing daemon is a failure.
export BUILDBENCH_REQUIRE_DAEMON=1

status=0
ctest --test-dir build --output-on-failure -j "$(nproc)" || status=$?

# The daemon the project owns keeps its data from run to run: drop the
# images the tests left untagged (every rebuild of a tag leaves one, ~60 a
# run), or they pile up until the disk is full (800 images, 35 GB by
# session 3). A daemon someone else owns is left as it is.
owned_host=$(eval "$("$bin" daemon env)" && echo "$DOCKER_HOST")
if [[ $DOCKER_HOST == "$owned_host" ]]; then
  DOCKER_HOST=$owned_host /usr/bin/docker image prune -f >/dev/null || echo "test: could not prune untagged images" >&2
fi

if [[ "${BUILDBENCH_TEST_ASAN:-${CI:-false}}" == 1 || "${BUILDBENCH_TEST_ASAN:-${CI:-false}}" == true ]]; then
  echo "test: ASan+UBSan build, unit tests and fuzz corpora"
  [[ -f build-asan/CMakeCache.txt ]] || cmake --preset asan >/dev/null
  # Only what the unit label runs: the integration suite already ran above.
  mapfile -t targets < <(cmake --build build-asan --target help | sed -n 's/^\(unit_[a-z_]*\|fuzz_[a-z_]*\):.*/\1/p')
  cmake --build build-asan -j "$(nproc)" --target "${targets[@]}"
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L unit || status=$?
fi
exit "$status"
