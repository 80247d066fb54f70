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

binary_dir=$(case "$preset" in default | ci) echo build ;; *) echo "build-$preset" ;; esac)
if [[ ! -f "$binary_dir/CMakeCache.txt" ]]; then
  cmake --preset "$preset" >/dev/null
fi
if ((${#targets[@]} > 0)); then
  cmake --build "$binary_dir" -j "$(nproc)" --target "${targets[@]}"
else
  cmake --build "$binary_dir" -j "$(nproc)"
fi
