#!/bin/sh
# Re-records the build response streams in this folder from a running
# dockerd (Docker 20.10 / BuildKit v0.8 at the time of recording) with curl,
# so the decoder tests run on real bytes. The base image
# buildbench-test/stream-busybox:1 is imported from Debian's busybox-static
# when missing. Tags it builds: buildbench-test/stream-*. The unit tests
# assert on these exact recordings (image IDs, step names): update them too.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sock=${SOCK:-/run/buildbench/docker.sock}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! curl -sf --unix-socket "$sock" http://x/v1.41/images/buildbench-test/stream-busybox:1/json > /dev/null; then
  mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/tmp"
  cp /bin/busybox "$work/rootfs/bin/busybox"
  for applet in sh echo cat ls sleep seq head tail wc true false mkdir cp mv rm date env sed grep find; do
    ln -s busybox "$work/rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$work/rootfs/etc/passwd"
  echo 'root:x:0:' > "$work/rootfs/etc/group"
  # Without the content type the daemon parses the tar as a form.
  tar -C "$work/rootfs" -c . |
    curl -sf --unix-socket "$sock" -X POST -H 'Content-Type: application/x-tar' --data-binary @- \
      'http://x/v1.41/images/create?fromSrc=-&repo=buildbench-test/stream-busybox&tag=1' > /dev/null
fi

# Two stages (build, tools) depend only on base, so BuildKit runs them in
# parallel; both print output lines over time.
mkdir -p "$work/multi/src"
echo hello > "$work/multi/src/a.txt"
echo tools > "$work/multi/tools.txt"
cat > "$work/multi/Dockerfile" <<'DOCKERFILE'
FROM buildbench-test/stream-busybox:1 AS base
RUN echo base-ready > /base.txt

FROM base AS build
COPY src/ /src/
RUN for i in 1 2 3 4; do echo "build line $i"; sleep 0.4; done && cat /src/a.txt > /out-build.txt

FROM base AS tools
COPY tools.txt /tools.txt
RUN for i in 1 2 3 4; do echo "tools line $i"; sleep 0.4; done && cp /tools.txt /out-tools.txt

FROM buildbench-test/stream-busybox:1
COPY --from=build /out-build.txt /app/
COPY --from=tools /out-tools.txt /app/
RUN ls /app
DOCKERFILE

mkdir -p "$work/fail"
cat > "$work/fail/Dockerfile" <<'DOCKERFILE'
FROM buildbench-test/stream-busybox:1
RUN echo preparing > /prep.txt
RUN echo "first output line" && echo "second output line" && echo "oops on stderr" >&2 && exit 3
RUN echo never
DOCKERFILE

build() {  # build <context> <query> <output>
  tar -C "$work/$1" -c . |
    curl -sN --unix-socket "$sock" -X POST -H 'Content-Type: application/x-tar' \
      --data-binary @- "http://x/v1.41/build?networkmode=host&$2" > "$here/$3"
  echo "recorded $3 ($(wc -c < "$here/$3") bytes)"
}

build multi "version=2&nocache=1&t=buildbench-test/stream-bk:1" buildkit_cold.jsonl
build multi "version=2&t=buildbench-test/stream-bk:1" buildkit_warm.jsonl
build fail "version=2&nocache=1&t=buildbench-test/stream-bk-fail:1" buildkit_fail.jsonl
build multi "version=1&nocache=1&t=buildbench-test/stream-classic:1" classic_cold.jsonl
build multi "version=1&t=buildbench-test/stream-classic:1" classic_warm.jsonl
# forcerm: the classic builder otherwise keeps the failed RUN container.
build fail "version=1&nocache=1&forcerm=1&t=buildbench-test/stream-classic-fail:1" classic_fail.jsonl

# Build checks (BuildKit >= 0.15, Docker 28.x) arrive as trace warnings:
# recorded from a 28.5 daemon when SOCK28 names its socket (FromAsCasing,
# ConsistentInstructionCasing x2, JSONArgsRecommended). The same file is in
# ../../../fuzz/corpus/build_stream, its trace messages in corpus/build_trace.
if [ -n "${SOCK28:-}" ]; then
  mkdir -p "$work/checks"
  printf 'FROM scratch as builder\nCOPY f.txt /f.txt\nfrom builder\ncmd echo hi\n' > "$work/checks/Dockerfile"
  echo hi > "$work/checks/f.txt"
  sock=$SOCK28 build checks "version=2&t=buildbench-test/stream-checks:1" buildkit28_warnings.jsonl
fi
