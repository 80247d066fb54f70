#!/usr/bin/env bash
# Benchmark (not a test): the BuildKit session context transfer of
# `buildbench build --context-transfer session` against the reference docker
# CLI 20.10 (`DOCKER_BUILDKIT=1 /usr/bin/docker build`), side by side in one
# run, on a large context with `COPY . /x/`:
#   cold     a context path the daemon has never seen (fresh shared key) + --no-cache
#   warm     the same build again, nothing changed
#   changed  one small file edited, then built
# plus, on a small context, a warm no-op against a raw API call (curl with a
# tar body). Each tool is timed as a whole process, from exec to exit, and
# the kinds are interleaved tool by tool so that machine drift hits both.
#
# On a Docker 23+ daemon the modern peer joins when it is installed:
# `docker buildx build` of docker-cli 28.5.2 with the buildx 0.29.1 plugin
# (the 20.10 CLI stays too: it still speaks to newer daemons).
#
# Targets (issue 3): every large-context median within 1.1x of the CLI, warm
# faster than the CLI; small warm no-op <= 1.05x raw API and <= 0.8x the CLI.
# Issue 18: buildbench <= 1.0x buildx on each kind.
#
# Usage: scripts/bench-session.sh [RUNS]
# Environment: SIZE_MB (default 500), RUNS (default 5), BUILDBENCH
# (default build/bin/buildbench), DOCKER_CLI (default /usr/bin/docker),
# MODERN_ENGINE_ROOT (the unpacked engine with usr/bin/docker and
# usr/libexec/docker/cli-plugins/docker-buildx; default the 28.5 engine
# `buildbench engine install 28.5` made under $BUILDBENCH_STATE_DIR, else
# /var/lib/buildbench), NO_BUILDX=1 (leave the modern peer out),
# DOCKER_HOST (default: the daemon buildbench owns, started if needed), BENCH_DIR
# (default a new directory under /tmp, removed at the end).
#
# Side effects: images tagged buildbench-test/session-bench-* (removed at the
# end) and, per cold run and tool, one cached copy of the context in the
# daemon's build cache (about SIZE_MB each), left to the daemon's cache GC:
# this script never prunes the build cache.
set -euo pipefail

RUNS=${1:-${RUNS:-5}}
SIZE_MB=${SIZE_MB:-500}
BUILDBENCH=${BUILDBENCH:-build/bin/buildbench}
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
if [[ -z ${DOCKER_HOST:-} ]]; then
  # The daemon the project owns (started when it is not running).
  "$BUILDBENCH" daemon start >/dev/null
  eval "$("$BUILDBENCH" daemon env)"
fi
export DOCKER_HOST
export DOCKER_BUILDKIT=1

die() { echo "bench-session: $*" >&2; exit 1; }
[[ -x $BUILDBENCH ]] || die "$BUILDBENCH not found (build the buildbench target, or set BUILDBENCH)"
[[ -x $DOCKER_CLI ]] || die "$DOCKER_CLI not found (Debian docker.io provides /usr/bin/docker 20.10)"
[[ $DOCKER_HOST == unix://* ]] || die "DOCKER_HOST must be a unix socket for the raw API comparison"
SOCKET=${DOCKER_HOST#unix://}
command -v curl >/dev/null || die "curl is needed for the raw API comparison"
"$DOCKER_CLI" version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "no daemon at $DOCKER_HOST"

BENCH_DIR=${BENCH_DIR:-$(mktemp -d /tmp/bb-bench-session.XXXXXX)}
TAG_CLI=buildbench-test/session-bench-cli
TAG_BB=buildbench-test/session-bench-bb
TAG_BX=buildbench-test/session-bench-bx
TAG_RAW=buildbench-test/session-bench-raw
cleanup() {
  "$DOCKER_CLI" rmi -f "$TAG_CLI" "$TAG_BB" "$TAG_BX" "$TAG_RAW" "$TAG_CLI-small" "$TAG_BB-small" "$TAG_BX-small" \
    >/dev/null 2>&1 || true
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

now_ns() { date +%s%N; }
# Runs a command quietly; prints its wall time in seconds; fails loudly.
timed() {
  local start end
  start=$(now_ns)
  if ! "$@" >"$BENCH_DIR/last.log" 2>&1; then
    cat "$BENCH_DIR/last.log" >&2
    die "failed: $*"
  fi
  end=$(now_ns)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cli_build() { "$DOCKER_CLI" build -q --network host -t "$2" ${3:-} "$1"; }
bb_build() { "$BUILDBENCH" build "$1" --context-transfer session -t "$2" ${3:-} --json; }

# The modern peer, when installed and the daemon is Docker 23+ (API 1.42+).
TOOLS="cli bb"
MODERN_ROOT=${MODERN_ENGINE_ROOT:-${BUILDBENCH_STATE_DIR:-/var/lib/buildbench}/engines/28.5/root}
server_api=$(curl -s --unix-socket "$SOCKET" http://docker/_ping -D - -o /dev/null | tr -d '\r' |
  awk -F': ' 'tolower($1)=="api-version" {print $2}')
if [[ ${NO_BUILDX:-} != 1 ]]; then
  if [[ ! -x $MODERN_ROOT/usr/bin/docker || ! -x $MODERN_ROOT/usr/libexec/docker/cli-plugins/docker-buildx ]]; then
    echo "bench-session: no docker CLI + buildx plugin under $MODERN_ROOT (buildbench engine install 28.5, or set MODERN_ENGINE_ROOT); comparing without the modern peer" >&2
  elif [[ $(printf '%s\n1.42\n' "$server_api" | sort -V | head -1) != 1.42 ]]; then
    echo "bench-session: the daemon speaks API $server_api (Docker 20.10); buildx 0.29 is compared on Docker 23+ only" >&2
  else
    mkdir -p "$BENCH_DIR/docker-config/cli-plugins"
    ln -s "$MODERN_ROOT/usr/libexec/docker/cli-plugins/docker-buildx" "$BENCH_DIR/docker-config/cli-plugins/docker-buildx"
    TOOLS="cli bb bx"
  fi
fi
bx_build() {
  DOCKER_CONFIG=$BENCH_DIR/docker-config "$MODERN_ROOT/usr/bin/docker" buildx build --builder default -q \
    --network host -t "$2" ${3:-} "$1"
}
has_bx() { [[ $TOOLS == *bx* ]]; }

# ---- the large context: SIZE_MB of incompressible data in 512 KiB files,
# plus 1000 small source-like files in nested directories.
echo "creating a ${SIZE_MB} MB context in $BENCH_DIR/base ..."
BASE=$BENCH_DIR/base
mkdir -p "$BASE"
printf 'FROM scratch\nCOPY . /x/\n' >"$BASE/Dockerfile"
big_files=$((SIZE_MB * 2))
for ((i = 0; i < big_files; i++)); do
  d=$BASE/data/$((i % 16))
  mkdir -p "$d"
  head -c 524288 /dev/urandom >"$d/blob-$i.bin"
done
for ((i = 0; i < 1000; i++)); do
  d=$BASE/src/pkg$((i % 50))
  mkdir -p "$d"
  printf 'package pkg%d\n// file %d\nconst N%d = %d\n' $((i % 50)) "$i" "$i" "$i" >"$d/f$i.go"
done

# Each tool works on its own hard-linked copy: equal content, its own path,
# so each has its own shared key (its own cached copy in the daemon).
fresh_copy() { local dir=$BENCH_DIR/$1-$2; cp -al "$BASE" "$dir"; echo "$dir"; }

declare -A T
record() { T[$1]+="$2 "; }

for ((run = 1; run <= RUNS; run++)); do
  cli_ctx=$(fresh_copy cli "$run")
  bb_ctx=$(fresh_copy bb "$run")
  bx_ctx=""
  has_bx && bx_ctx=$(fresh_copy bx "$run")
  # Rotate which tool goes first.
  read -ra tools <<<"$TOOLS"
  order=""
  for ((k = 0; k < ${#tools[@]}; k++)); do order+="${tools[(k + run) % ${#tools[@]}]} "; done
  for kind in cold warm changed; do
    for tool in $order; do
      ctx=${tool}_ctx
      ctx=${!ctx}
      if [[ $kind == changed ]]; then
        # A new file (not an edit of the hard-linked one, which both copies share).
        f=$ctx/src/pkg7/f7.go
        rm -f "$f"
        printf 'package pkg7\nconst Changed = "%s-%s"\n' "$run" "$(now_ns)" >"$f"
      fi
      extra=""
      [[ $kind == cold ]] && extra=--no-cache
      if [[ $tool == cli ]]; then
        t=$(timed cli_build "$ctx" "$TAG_CLI" "$extra")
      elif [[ $tool == bx ]]; then
        t=$(timed bx_build "$ctx" "$TAG_BX" "$extra")
      else
        t=$(timed bb_build "$ctx" "$TAG_BB" "$extra")
        if [[ $kind == warm ]]; then
          files=$(grep -o '"context_files_sent": *[0-9]*' "$BENCH_DIR/last.log" | grep -o '[0-9]*$' || echo '?')
          [[ $files == 0 ]] || echo "  note: warm run $run sent $files files" >&2
        fi
      fi
      record "$kind-$tool" "$t"
      printf '  run %d %-7s %-3s %8.3f s\n' "$run" "$kind" "$tool" "$t"
    done
  done
  rm -rf "$cli_ctx" "$bb_ctx" ${bx_ctx:+"$bx_ctx"}
done

# ---- small context, warm no-op: buildbench vs raw API (curl, tar body) vs CLI.
SMALL=$BENCH_DIR/small
mkdir -p "$SMALL/cmd"
printf 'FROM scratch\nCOPY . /x/\n' >"$SMALL/Dockerfile"
printf 'module example.com/small\n\ngo 1.24\n' >"$SMALL/go.mod"
printf 'package main\n\nfunc main() {}\n' >"$SMALL/cmd/main.go"
tar -C "$SMALL" --owner=0 --group=0 --numeric-owner -cf "$BENCH_DIR/small.tar" .
api=$(curl -s --unix-socket "$SOCKET" http://docker/_ping -D - -o /dev/null | tr -d '\r' | awk -F': ' 'tolower($1)=="api-version" {print $2}')
raw_build() {
  curl -sf --unix-socket "$SOCKET" -X POST -H 'Content-Type: application/x-tar' \
    --data-binary "@$BENCH_DIR/small.tar" \
    "http://docker/v${api}/build?version=2&networkmode=host&rm=1&t=$TAG_RAW" -o "$BENCH_DIR/raw.out"
}
timed raw_build >/dev/null
timed cli_build "$SMALL" "$TAG_CLI-small" >/dev/null
timed bb_build "$SMALL" "$TAG_BB-small" >/dev/null
has_bx && timed bx_build "$SMALL" "$TAG_BX-small" >/dev/null
small_runs=$((RUNS * 4))
for ((run = 1; run <= small_runs; run++)); do
  record small-raw "$(timed raw_build)"
  record small-cli "$(timed cli_build "$SMALL" "$TAG_CLI-small")"
  record small-bb "$(timed bb_build "$SMALL" "$TAG_BB-small")"
  if has_bx; then record small-bx "$(timed bx_build "$SMALL" "$TAG_BX-small")"; fi
done

# ---- report
med() { tr ' ' '\n' <<<"${T[$1]}" | grep -v '^$' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v limit="$2" 'BEGIN { print (r <= limit) ? "ok" : "MISSED" }'; }

echo
echo "context: ${SIZE_MB} MB ($big_files x 512 KiB + 1000 small files), COPY . /x/, $RUNS runs; medians in seconds"
printf '%-8s %10s %12s %8s  %s\n' kind "docker CLI" "buildbench" ratio "target"
for kind in cold warm changed; do
  c=$(med "$kind-cli")
  b=$(med "$kind-bb")
  r=$(ratio "$b" "$c")
  limit=1.10
  [[ $kind == warm ]] && limit=1.00
  printf '%-8s %10.3f %12.3f %8s  <= %s %s\n' "$kind" "$c" "$b" "$r" "$limit" "$(verdict "$r" "$limit")"
done
if has_bx; then
  echo
  printf '%-8s %10s %12s %8s  %s\n' kind "buildx 0.29" "buildbench" ratio "target"
  for kind in cold warm changed; do
    x=$(med "$kind-bx")
    b=$(med "$kind-bb")
    r=$(ratio "$b" "$x")
    printf '%-8s %10.3f %12.3f %8s  <= 1.00 %s\n' "$kind" "$x" "$b" "$r" "$(verdict "$r" 1.00)"
  done
fi
echo
echo "small context, warm no-op, $small_runs runs; medians in seconds"
raw=$(med small-raw)
cli=$(med small-cli)
bb=$(med small-bb)
printf '%-22s %8.4f\n' "raw API (curl, tar)" "$raw" "docker CLI" "$cli" "buildbench session" "$bb"
r_raw=$(ratio "$bb" "$raw")
r_cli=$(ratio "$bb" "$cli")
printf 'buildbench / raw API = %s (target <= 1.05 %s); buildbench / CLI = %s (target <= 0.80 %s)\n' \
  "$r_raw" "$(verdict "$r_raw" 1.05)" "$r_cli" "$(verdict "$r_cli" 0.80)"
if has_bx; then
  bx=$(med small-bx)
  r_bx=$(ratio "$bb" "$bx")
  printf '%-22s %8.4f\n' "docker buildx 0.29" "$bx"
  printf 'buildbench / buildx = %s (target <= 1.00 %s)\n' "$r_bx" "$(verdict "$r_bx" 1.00)"
fi
