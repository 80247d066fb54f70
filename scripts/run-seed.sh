#!/usr/bin/env bash
# The main job: set everything up, run the seed comparison (the post's
# Dockerfiles on a generated Go service) on a Docker daemon the project owns,
# and write the report.
#   scripts/run-seed.sh [SCENARIO] [--engine NAME] [buildbench run options...]
# --engine NAME: the Docker engine whose managed daemon runs the builds
# (buildbench engine list). Default: the newest engine buildbench knows,
# installed first when it is not yet (from Debian's packages, idempotent);
# --engine 20.10 keeps the system's docker.io.
# Which claims: in the realistic world (the default scenario) the two about
# dependencies, layer-order and cache-mounts, whose cells fit the 30-minute
# budget with set-up; BUILDBENCH_CLAIMS=all (or any --claims) for the others
# too, which takes longer (README, "The main job").
# Output: reports/latest/ (report.md, report.html, figures/, results.jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=scenarios/seed.json
if [[ $# -gt 0 && $1 != -* ]]; then
  scenario=$1
  shift
fi
engine=""
run_args=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --engine) engine=${2:?--engine needs a name}; shift 2 ;;
    --engine=*) engine=${1#--engine=}; shift ;;
    *) run_args+=("$1"); shift ;;
  esac
done
if ((${#run_args[@]})); then set -- "${run_args[@]}"; else set --; fi
out="${BUILDBENCH_OUT:-reports/latest}"
# The scenario's adaptive repetitions (3 to 10 per cell, until each claim is
# decided; docs/adaptive-repetitions.md) and only the cells its claims read.
# BUILDBENCH_REPS=N runs a fixed N instead (the published report used 6 with
# BUILDBENCH_ALL_CELLS=1: every variant x build kind).
reps="${BUILDBENCH_REPS:-}"
claims="${BUILDBENCH_CLAIMS-}"
if [[ -z $claims && $scenario == scenarios/seed.json && -z ${BUILDBENCH_ALL_CELLS:-} ]]; then
  claims=layer-order,cache-mounts
fi

scripts/setup.sh default buildbench  # only the binary: tests are not needed here
bin=build/bin/buildbench
if [[ -z $engine ]]; then
  engine=$("$bin" engine list --names | tail -n 1)  # oldest first
fi
"$bin" engine install "$engine"

# A managed daemon: its own data root and socket, started and stopped by the
# run, so a benchmark never touches anyone's own caches.
status=0
reps_option=()
[[ -n $reps ]] && reps_option=(--reps "$reps")
for arg in "$@"; do [[ $arg == --reps* ]] && reps_option=(); done
[[ -n ${BUILDBENCH_ALL_CELLS:-} ]] && reps_option+=(--all-cells)
claims_option=()
[[ -n $claims && $claims != all ]] && claims_option=(--claims "$claims")
for arg in "$@"; do [[ $arg == --claims* ]] && claims_option=(); done
"$bin" run "$scenario" --daemon managed --engine "$engine" --out "$out" "${reps_option[@]}" "${claims_option[@]}" "$@" || status=$?
if [[ $status -ne 0 && $status -ne 1 ]]; then
  exit "$status"  # 1 = some builds failed: still worth a report
fi
"$bin" report "$out/results.jsonl" --out "$out"
echo
echo "report: $out/report.md"
echo "        $out/report.html"
exit "$status"
