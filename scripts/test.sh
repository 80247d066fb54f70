#!/usr/bin/env bash
# The README's test command: sets everything up, makes sure a Docker daemon is
# reachable (starting the one the project owns when DOCKER_HOST names none),
# makes the offline base images, and runs every test through ctest.
#   scripts/test.sh            all tests (unit, fuzz corpora, integration)
#   BUILDBENCH_TEST_ASAN=1     also build with ASan+UBSan and run the unit tests there
#   BUILDBENCH_TEST_ENGINES    the engines that get the focused second pass (session and
#                              `buildbench run` integration tests), default "28.5"; "" = none
#   BUILDBENCH_ENGINE_DEBS     install those engines offline from this directory of .debs
#   BUILDBENCH_TEST_ENGINE_TESTS  ctest -R regex of that pass (default: the session tests, advise's
#                              prediction-vs-trace agreement; `buildbench run` on 28.5 is
#                              covered in the full suite by the two-engine run of ci-small,
#                              20.10 and 28.5 interleaved; the SIGINT/--resume test, which is
#                              about the runner, not the engine, runs on 20.10 only)
# The full suite runs on engine 20.10 (the system's docker.io), as before.
# In CI (CI=true) the sanitizer pass is on by default.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh default

bin=build/bin/buildbench
second_engines="${BUILDBENCH_TEST_ENGINES-28.5}"
# The newer engines install first (idempotent: a no-op once installed), so
# the engine integration test finds one in the full suite too.
for name in $second_engines; do
  "$bin" engine install "$name" ${BUILDBENCH_ENGINE_DEBS:+--from-debs "$BUILDBENCH_ENGINE_DEBS"}
done
# A daemon must answer: the one DOCKER_HOST names, else ours (engine 20.10).
if [[ -z "${DOCKER_HOST:-}" ]] || ! "$bin" doctor --skip-images >/dev/null 2>&1; then
  "$bin" daemon start --engine 20.10
  eval "$("$bin" daemon env --engine 20.10)"
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
owned_host=$(eval "$("$bin" daemon env --engine 20.10)" && echo "$DOCKER_HOST")
if [[ $DOCKER_HOST == "$owned_host" ]]; then
  DOCKER_HOST=$owned_host /usr/bin/docker image prune -f >/dev/null || echo "test: could not prune untagged images" >&2
fi

# The other engines: their own daemons (left running, as the 20.10 one is),
# the offline base images imported from the cached tarballs, and the tests
# that talk to a daemon the most: the session and advise's agreement (the
# runner ran on both engines in the full suite: integration.cli.run --engines).
engine_tests="${BUILDBENCH_TEST_ENGINE_TESTS:-^integration\.(session\.|advise\.)}"
for name in $second_engines; do
  started=$SECONDS
  "$bin" daemon start --engine "$name"
  engine_host=$(eval "$("$bin" daemon env --engine "$name")" && echo "$DOCKER_HOST")
  DOCKER_HOST=$engine_host "$bin" images >/dev/null
  DOCKER_HOST=$engine_host "$bin" doctor
  echo "test: engine $name at $engine_host: session and run integration tests"
  DOCKER_HOST=$engine_host ctest --test-dir build --output-on-failure -R "$engine_tests" || status=$?
  DOCKER_HOST=$engine_host /usr/bin/docker image prune -f >/dev/null || echo "test: could not prune untagged images" >&2
  echo "test: engine $name took $((SECONDS - started)) s"
done

if [[ "${BUILDBENCH_TEST_ASAN:-${CI:-false}}" == 1 || "${BUILDBENCH_TEST_ASAN:-${CI:-false}}" == true ]]; then
  echo "test: ASan+UBSan build, unit tests and fuzz corpora"
  [[ -f build-asan/CMakeCache.txt ]] || cmake --preset asan >/dev/null
  # Only what the unit label runs: the integration suite already ran above.
  mapfile -t targets < <(cmake --build build-asan --target help | sed -n 's/^\(unit_[a-z_]*\|fuzz_[a-z_]*\):.*/\1/p')
  cmake --build build-asan -j "$(nproc)" --target "${targets[@]}"
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L unit || status=$?
fi
exit "$status"
