#!/usr/bin/env bash
# Installs everything buildbench needs from Debian's packages, then configures
# and builds it. Idempotent: with nothing to install and nothing changed it
# finishes in seconds.
# Usage: scripts/setup.sh [cmake preset, default "default"] [target...]
# Without targets everything is built (tests, benchmarks, fuzz targets).
set -euo pipefail
cd "$(dirname "$0")/.."

preset="${1:-${BUILDBENCH_PRESET:-default}}"
shift || true
targets=("$@")

packages=(
  # toolchain and build
  g++ cmake ninja-build pkg-config git
  # libraries (find_package)
  libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev libfmt-dev catch2 libbenchmark-dev
  libarchive-dev libzstd-dev liblz4-dev libacl1-dev libssl-dev libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc libnghttp2-dev
  libcpp-httplib-dev
  # fuzzing (clang's libFuzzer) and sanitizer runtimes
  clang libclang-rt-14-dev
  # the Docker engine (20.10: API 1.41, BuildKit v0.8), its reference CLI is /usr/bin/docker
  docker.io
  # offline base images
  debootstrap busybox-static
  # figures (SVG -> PNG) and the HTML report check
  librsvg2-bin chromium libxml2-utils
  # the SARIF 2.1.0 schema check of `advise --sarif` (tests)
  python3-jsonschema
  # session debugging and benchmarks
  socat curl procps
  # real Go modules for the dependency presets (harness/fixture/presets.cpp,
  # docs/dependency-world.md): grpc-service ...
  golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev golang-google-genproto-dev
  golang-golang-x-net-dev golang-golang-x-sys-dev golang-golang-x-text-dev golang-golang-x-oauth2-dev
  golang-golang-x-crypto-dev golang-google-api-dev golang-go.opencensus-dev golang-golang-x-sync-dev
  # ... web-service ...
  golang-github-go-chi-chi-dev golang-github-prometheus-client-golang-dev golang-github-prometheus-client-model-dev
  golang-github-prometheus-common-dev golang-github-prometheus-procfs-dev golang-protobuf-extensions-dev
  golang-github-beorn7-perks-dev golang-github-cespare-xxhash-dev golang-github-sirupsen-logrus-dev
  golang-github-spf13-cobra-dev golang-github-spf13-pflag-dev
  # ... and the module both add for dependency-add
  golang-github-google-go-cmp-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# dependency-bump's newer module versions (from trixie, into the buildbench
# cache; nothing is installed). Best effort: without them only that build
# kind of the presets is unavailable, and it says what to run.
if [[ $(id -u) -eq 0 ]]; then
  scripts/fetch-module-versions.sh >/dev/null || echo "setup: scripts/fetch-module-versions.sh failed; dependency-bump with a preset needs it" >&2
fi

binary_dir=$(case "$preset" in default | ci) echo build ;; *) echo "build-$preset" ;; esac)
if [[ ! -f "$binary_dir/CMakeCache.txt" ]]; then
  cmake --preset "$preset" >/dev/null
fi
if ((${#targets[@]} > 0)); then
  cmake --build "$binary_dir" -j "$(nproc)" --target "${targets[@]}"
else
  cmake --build "$binary_dir" -j "$(nproc)"
fi
