#!/usr/bin/env bash
# Benchmark (not a test): how much of a run's wall time is the harness's own
# work between builds (fixture resets and mutations, cold-state prunes,
# build-cache queries, results writes, image removal, module proxy start,
# adaptive decisions) rather than the timed builds. Target: <= 3%.
#   scripts/bench-harness-time.sh [SCENARIO [buildbench run options...]]
#       runs the scenario (default scenarios/ci-small.json --reps 2) on
#       DOCKER_HOST, reports it, prints the share and its parts
#   scripts/bench-harness-time.sh --from RESULTS.jsonl...
#       prints the figure of finished runs; for results written before the
#       harness recorded its time, the run's wall time minus its builds'
#       (from the header's and footer's timestamps, 1 s resolution)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BUILDBENCH_BIN:-build/bin/buildbench}

figure() {
  local results=$1
  jq -rs --arg file "$results" '
    (map(select(.type == "header"))[0]) as $h
    | (map(select(.type == "footer"))[0]) as $f
    | [ .[] | select(.type == "sample") ] as $s
    | if ($f.harness_time // null) != null then
        ($f.harness_time) as $t
        | "\($file): harness \($t.harness_s * 100 | round / 100) s of \($t.run_wall_s | round) s run = "
          + "\($t.harness_s / $t.run_wall_s * 10000 | round / 100)% (target <= 3%: "
          + (if $t.harness_s / $t.run_wall_s <= 0.03 then "met" else "not met" end) + ")\n"
          + ([$t.parts | to_entries[] | select(.key != "setup_s" and .key != "warm_prep_s")
              | select(.value >= 0.005) | "  \(.key) \(.value * 1000 | round / 1000) s"] | sort | join("\n"))
          + "\n  (not counted: set-up \($t.parts.setup_s // 0 | . * 10 | round / 10) s, "
          + "builds to reach a warm state \($t.parts.warm_prep_s // 0 | . * 10 | round / 10) s)"
      else
        (($f.finished_at | fromdateiso8601) - ($h.started_at | fromdateiso8601)) as $run
        | ([$s[].record.wall_s] | add) as $builds
        | "\($file): \($run - $builds | . * 10 | round / 10) s of \($run) s run outside builds = "
          + "\(($run - $builds) / $run * 10000 | round / 100)% (from timestamps; this file records no harness_time)"
      end' "$results"
}

if [[ ${1:-} == --from ]]; then
  shift
  for results in "$@"; do figure "$results"; done
  exit 0
fi

scenario=${1:-scenarios/ci-small.json}
shift || true
args=("$@")
[[ $# -eq 0 && $scenario == scenarios/ci-small.json ]] && args=(--reps 2)
out=$(mktemp -d /tmp/bench-harness-time.XXXXXX)
"$bin" run "$scenario" --out "$out" --quiet "${args[@]}"
"$bin" report "$out/results.jsonl" --out "$out/report" --no-png | tail -n 1
figure "$out/results.jsonl"
rm -rf "$out"
