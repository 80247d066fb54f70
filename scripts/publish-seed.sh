#!/usr/bin/env bash
# Publishes reports/seed/: the post's claims measured in two dependency
# worlds on the same engines and reported side by side (docs/dependency-world.md,
# "Two worlds"):
#   realistic  scenarios/seed.json      (real modules, grpc-service preset, ci-runner network)
#   toy        scenarios/seed-toy.json  (six synthetic modules of ~32 kB)
#
#   scripts/publish-seed.sh [--engines A,B] [--realistic FILE] [--toy FILE] [--out DIR]
#                           [buildbench run options...]
# --engines A,B      engines whose managed daemons run both scenarios, their
#                    rounds interleaved (default 20.10,28.5; installed first,
#                    from Debian's packages, idempotent).
# --realistic FILE   publish this results file of the realistic world instead
# --toy FILE         of running it (runs made separately, or a run to redo
#                    only one world); with both nothing is built.
# --out DIR          where to publish (default reports/seed).
# Other options go to both `buildbench run`s (e.g. --reps 6 --all-cells).
#
# Everything is written to a staging directory beside DIR first; DIR is
# replaced only once both reports are written, by two renames with Ctrl-C
# held off, so a failure or Ctrl-C leaves the published report as it was.
# A failed or interrupted staging directory is kept when it holds results,
# so the runs (hours) can still be published with --realistic/--toy.
# Output: DIR/ (report of the realistic world with the toy world beside it,
# results.jsonl) and DIR/toy/ (the toy world's results.jsonl and report).
set -euo pipefail

engines="20.10,28.5"
realistic_file=""
toy_file=""
out="reports/seed"
run_args=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --engines) engines=${2:?--engines needs a list, e.g. 20.10,28.5}; shift 2 ;;
    --engines=*) engines=${1#--engines=}; shift ;;
    --realistic) realistic_file=${2:?--realistic needs a results file}; shift 2 ;;
    --realistic=*) realistic_file=${1#--realistic=}; shift ;;
    --toy) toy_file=${2:?--toy needs a results file}; shift 2 ;;
    --toy=*) toy_file=${1#--toy=}; shift ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    *) run_args+=("$1"); shift ;;
  esac
done
for file in "$realistic_file" "$toy_file"; do
  if [[ -n $file && ! -r $file ]]; then
    echo "publish-seed: cannot read results file $file" >&2
    exit 2
  fi
done
# Paths as the caller meant them, before moving to the checkout.
[[ -n $realistic_file ]] && realistic_file=$(realpath "$realistic_file")
[[ -n $toy_file ]] && toy_file=$(realpath "$toy_file")
[[ $out != reports/seed ]] && out=$(realpath -m "$out")
cd "$(dirname "$0")/.."
out=${out%/}
parent=$(dirname "$out")
mkdir -p "$parent"

bin="$PWD/build/bin/buildbench"
if [[ -z $realistic_file || -z $toy_file || ! -x $bin ]]; then
  scripts/setup.sh default buildbench  # only the binary: tests are not needed here
fi

# The staging directory lives beside DIR, so the swap is a rename on one
# file system.
stage=$(mktemp -d "$parent/.$(basename "$out").staging.XXXXXX")
published=0
finish() {
  local status=$?
  if [[ $published -eq 1 ]]; then
    return
  fi
  if compgen -G "$stage/results.jsonl" >/dev/null || compgen -G "$stage/toy/results.jsonl" >/dev/null; then
    echo "publish-seed: not published ($out is unchanged); the results so far are in $stage" >&2
    echo "  publish them later: scripts/publish-seed.sh --realistic $stage/results.jsonl --toy $stage/toy/results.jsonl" >&2
  else
    rm -rf "$stage"
    echo "publish-seed: not published ($out is unchanged)" >&2
  fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM
mkdir -p "$stage/toy"

run_world() {  # run_world SCENARIO DIR: 0, or 1 when some builds failed (still worth a report)
  local status=0
  "$bin" run "$1" --engines "$engines" --out "$2" "${run_args[@]}" || status=$?
  if [[ $status -ne 0 && $status -ne 1 ]]; then
    echo "publish-seed: buildbench run $1 exited $status" >&2
    exit "$status"
  fi
}

if [[ -z $realistic_file || -z $toy_file ]]; then
  IFS=',' read -r -a engine_list <<<"$engines"
  for engine in "${engine_list[@]}"; do
    "$bin" engine install "$engine"
  done
fi
# Each run starts (or reuses) its engines' managed daemons and makes the
# offline base images on each (docs/engines.md).
if [[ -n $realistic_file ]]; then
  cp "$realistic_file" "$stage/results.jsonl"
else
  run_world scenarios/seed.json "$stage"
fi
if [[ -n $toy_file ]]; then
  cp "$toy_file" "$stage/toy/results.jsonl"
else
  run_world scenarios/seed-toy.json "$stage/toy"
fi

# Paths relative to the published directory, so the reports name
# results.jsonl and toy/results.jsonl, not the staging directory.
(cd "$stage/toy" && "$bin" report results.jsonl --out .)
(cd "$stage" && "$bin" report results.jsonl --beside toy=toy/results.jsonl --out .)

# The swap: the old report moves aside, the new one in, the old one goes.
trap '' INT TERM
old=""
if [[ -e $out ]]; then
  old="$parent/.$(basename "$out").old.$$"
  mv "$out" "$old"
fi
mv "$stage" "$out"
published=1
trap - INT TERM
[[ -n $old ]] && rm -rf "$old"
echo
echo "published: $out/report.md (realistic, toy beside it)"
echo "           $out/report.html"
echo "           $out/toy/report.md (toy)"
