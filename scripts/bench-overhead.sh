#!/usr/bin/env bash
# Benchmark (not a test): a warm no-op rebuild of the same small context,
# measured side by side in one run, interleaved, through
#   1. buildbench build            (BuildKit session, the default)
#   2. buildbench build --context-transfer tar
#   3. a raw API call: tar | curl --unix-socket POST /build?version=2
#   4. DOCKER_BUILDKIT=1 /usr/bin/docker build (the docker CLI 20.10)
#   5. on a Docker 23+ daemon, when it is installed: `docker buildx build`
#      of docker-cli 28.5.2 with the buildx 0.29.1 plugin (the modern peer)
# Each is a whole process run, timed from outside. Prints medians and the
# ratios the issues set as targets: buildbench <= 1.05x raw, <= 0.8x CLI,
# <= 1.0x buildx, each with a 95% confidence interval and a verdict.
#   scripts/bench-overhead.sh [ROUNDS=128]   (a multiple of 8, or of 10 with
#                                             buildx, keeps the order balanced)
#   scripts/bench-overhead.sh --summarize FILE...   (pools samples kept with BENCH_SAMPLES)
# MODERN_ENGINE_ROOT: the unpacked engine holding usr/bin/docker and
# usr/libexec/docker/cli-plugins/docker-buildx (default: the 28.5 engine
# `buildbench engine install 28.5` puts under $BUILDBENCH_STATE_DIR, else
# /var/lib/buildbench); NO_BUILDX=1 leaves the modern peer out.
set -euo pipefail
cd "$(dirname "$0")/.."

# Per contender: the median of its times. Per pair: the median of the
# per-round ratios (the two were timed within ~0.3 s of each other, so the
# machine's slow and fast spells cancel out) with a distribution-free 95%
# confidence interval for that median (the sign test's order statistics).
# The verdict is "met" only when the whole interval is within the target.
summarize() {
  awk '
  function sort_copy(src, n, dst,   i, j, t) {
    for (i = 1; i <= n; i++) dst[i] = src[i]
    for (i = 2; i <= n; i++) { t = dst[i]; for (j = i - 1; j >= 1 && dst[j] > t; j--) dst[j + 1] = dst[j]; dst[j + 1] = t }
  }
  function median(s, n) { return (n % 2) ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2 }
  { for (c = 1; c <= NF; c++) t[c, NR] = $c; if (NR == 1 || NF < cols) cols = NF; n = NR }
  function pair(label, a, b, target,   i, r, s, lo, hi, k, med, verdict) {
    for (i = 1; i <= n; i++) r[i] = t[a, i] / t[b, i]
    sort_copy(r, n, s)
    med = median(s, n)
    k = int((n - 1.96 * sqrt(n)) / 2); if (k < 1) k = 1
    lo = s[k]; hi = s[n - k + 1]
    if (hi <= target) verdict = "met"
    else if (lo > target) verdict = "not met"
    else verdict = "undecided"
    printf "%-38s %8.3f %8.3f  [%.3f, %.3f]  <= %.2f  %s\n", label, med_of[a] / med_of[b], med, lo, hi, target, verdict
  }
  END {
    split("buildbench buildbench_tar raw cli buildx", label, " ")
    printf "%-38s %10s\n", "warm no-op rebuild (" n " rounds)", "median ms"
    for (c = 1; c <= cols; c++) {
      for (i = 1; i <= n; i++) col[i] = t[c, i]
      sort_copy(col, n, sorted); med_of[c] = median(sorted, n)
      printf "%-38s %10.1f\n", label[c], med_of[c] / 1000
    }
    printf "\n%-38s %8s %8s  %-16s  %-7s  %s\n", "", "medians", "paired", "paired 95% CI", "target", "verdict"
    pair("buildbench (tar) / raw API call", 2, 3, 1.05)
    pair("buildbench (tar) / docker CLI", 2, 4, 0.80)
    pair("buildbench (session) / docker CLI", 1, 4, 0.80)
    pair("buildbench (session) / raw API call", 1, 3, 1.05)
    if (cols >= 5) {
      pair("buildbench (session) / buildx 0.29", 1, 5, 1.00)
      pair("buildbench (tar) / buildx 0.29", 2, 5, 1.00)
    }
    print "\n\"medians\": ratio of the medians; \"paired\": median of per-round ratios."
    print "The session rows compare unlike requests with the raw call: the daemon does"
    print "~9 ms more for a session build than for a tar body (see README)."
  }' "$@"
}

if [[ ${1:-} == --summarize ]]; then
  shift
  [[ $# -gt 0 ]] || { echo "--summarize: name the sample files (kept with BENCH_SAMPLES=FILE)" >&2; exit 2; }
  for file in "$@"; do
    [[ -s $file ]] || { echo "--summarize: $file is missing or empty" >&2; exit 2; }
  done
  summarize "$@"
  exit 0
fi
rounds="${1:-128}"
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
  echo "ROUNDS must be a positive whole number, not '$rounds' (usage: $0 [ROUNDS=128] | --summarize FILE...)" >&2
  exit 2
fi
bin=build/bin/buildbench
[[ -x $bin ]] || scripts/setup.sh >/dev/null
if [[ -z "${DOCKER_HOST:-}" ]]; then
  "$bin" daemon start >/dev/null
  eval "$("$bin" daemon env)"
fi
socket="${DOCKER_HOST#unix://}"
api=$(curl -s --unix-socket "$socket" http://docker/_ping -D - -o /dev/null | tr -d '\r' | awk -F': ' 'tolower($1)=="api-version"{print $2}')

ctx=$(mktemp -d)
# One line per round: microseconds of buildbench, buildbench_tar, raw, cli (and buildx).
# BENCH_SAMPLES=FILE keeps them.
samples_file=${BENCH_SAMPLES:-$(mktemp)}
: >"$samples_file"
docker_config=""
trap 'rm -rf "$ctx" ${docker_config:+"$docker_config"}; [[ -n "${BENCH_SAMPLES:-}" ]] || rm -f "$samples_file"' EXIT
printf 'FROM scratch\nCOPY . /ctx\n' >"$ctx/Dockerfile"
for i in $(seq 1 20); do head -c 2048 /dev/urandom | base64 >"$ctx/file$i.txt"; done
tag=buildbench-bench/overhead:latest

run_buildbench() { "$bin" build "$ctx" -t "$tag" >/dev/null; }
run_buildbench_tar() { "$bin" build "$ctx" -t "$tag" --context-transfer tar >/dev/null; }
run_raw() {
  tar -C "$ctx" -c . | curl -sf --unix-socket "$socket" -X POST -H 'Content-Type: application/x-tar' \
    --data-binary @- "http://docker/v$api/build?version=2&t=$tag" >/dev/null
}
run_cli() { DOCKER_BUILDKIT=1 /usr/bin/docker build -q -t "$tag" "$ctx" >/dev/null; }

# The modern peer: docker-cli 28.5 + buildx 0.29 from an engine buildbench
# installed. buildx finds its plugin through a DOCKER_CONFIG of our own.
modern_root=${MODERN_ENGINE_ROOT:-${BUILDBENCH_STATE_DIR:-/var/lib/buildbench}/engines/28.5/root}
names=(buildbench buildbench_tar raw cli)
orders=("0 1 2 3" "3 0 1 2" "2 0 3 1" "1 0 2 3" "3 1 0 2" "2 1 3 0" "0 3 2 1" "1 3 2 0")
if [[ ${NO_BUILDX:-} != 1 ]]; then
  if [[ ! -x $modern_root/usr/bin/docker || ! -x $modern_root/usr/libexec/docker/cli-plugins/docker-buildx ]]; then
    echo "bench-overhead: no docker CLI + buildx plugin under $modern_root (buildbench engine install 28.5, or set MODERN_ENGINE_ROOT); comparing without the modern peer" >&2
  elif [[ $(printf '%s\n1.42\n' "$api" | sort -V | head -1) != 1.42 ]]; then
    echo "bench-overhead: the daemon speaks API $api (Docker 20.10); buildx 0.29 is compared on Docker 23+ only" >&2
  else
    docker_config=$(mktemp -d)
    mkdir -p "$docker_config/cli-plugins"
    ln -s "$modern_root/usr/libexec/docker/cli-plugins/docker-buildx" "$docker_config/cli-plugins/docker-buildx"
    run_buildx() {
      DOCKER_CONFIG=$docker_config "$modern_root/usr/bin/docker" buildx build --builder default --network host -q \
        -t "$tag" "$ctx" >/dev/null
    }
    names+=(buildx)
    # Williams design for five: within these ten rounds every ordered pair
    # of contenders follows each other exactly twice.
    orders=("0 1 4 2 3" "1 2 0 3 4" "2 3 1 4 0" "3 4 2 0 1" "4 0 3 1 2"
            "3 2 4 1 0" "4 3 0 2 1" "0 4 1 3 2" "1 0 2 4 3" "2 1 3 0 4")
  fi
fi

for name in "${names[@]}"; do "run_$name"; done  # warm everything up
# A build is slower or faster depending on what ran just before it (the
# daemon's idle time, its clean-up after a session). Over these eight rounds
# every ordered pair of contenders, the same one twice included (across the
# end of one round and the start of the next), follows each other exactly
# twice, so no contender is charged more of that than another.
for ((i = 0; i < rounds; i++)); do
  declare -A took=()
  for k in ${orders[i % ${#orders[@]}]}; do
    name=${names[k]}
    # $EPOCHREALTIME is read by bash itself: no process is started inside
    # the timed window but the contender's own.
    start=$EPOCHREALTIME
    "run_$name"
    end=$EPOCHREALTIME
    took[$name]=$((${end/./} - ${start/./}))
  done
  line=""
  for name in "${names[@]}"; do line+="${took[$name]} "; done
  echo "${line% }" >>"$samples_file"
  if [[ -t 2 ]]; then printf '\rround %d/%d' $((i + 1)) "$rounds" >&2; fi
done
[[ -t 2 ]] && printf '\r\033[K' >&2
summarize "$samples_file"

"$bin" build "$ctx" -t "$tag" --json >/dev/null && curl -s --unix-socket "$socket" -X DELETE "http://docker/v$api/images/$tag" >/dev/null || true
