#!/usr/bin/env bash
# Unpacks newer Debian suites' versions of Go module sources into the
# buildbench cache, for the dependency-bump build kind of the dependency
# presets (docs/dependency-world.md). Nothing is installed system-wide: apt
# runs with a private sources list, package lists and cache, and each .deb is
# unpacked with dpkg-deb -x into
#   <cache>/debian-gocode/<package>_<version>_<suite>/usr/share/gocode/src/...
# The mirror is the one this system's apt already uses (its .sources files).
# Usage: scripts/fetch-module-versions.sh [PACKAGE[@SUITE]...]
#   default: the bump targets of every preset (buildbench presets list them).
set -euo pipefail

cache_root="${BUILDBENCH_CACHE_DIR:-}"
if [[ -z "$cache_root" ]]; then
  if [[ $(id -u) -eq 0 ]]; then cache_root=/var/cache/buildbench; else cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/buildbench"; fi
fi
out_dir="$cache_root/debian-gocode"
apt_dir="$cache_root/apt-newer-suites"

targets=("$@")
if ((${#targets[@]} == 0)); then
  # The presets' bump targets (harness/fixture/presets.cpp): a newer x/text for
  # grpc-service and a newer chi for web-service, from trixie.
  targets=(golang-golang-x-text-dev@trixie golang-github-go-chi-chi-dev@trixie)
fi

# The system's Debian mirror: the URIs of the entry that carries the main suite.
mirror=""
for file in /etc/apt/sources.list.d/*.sources; do
  [[ -f "$file" ]] || continue
  uri=$(awk '/^URIs:/ {print $2; exit}' "$file")
  suites=$(awk '/^Suites:/ {$1=""; print; exit}' "$file")
  if [[ -n "$uri" && "$suites" != *security* ]]; then mirror="$uri"; break; fi
done
if [[ -z "$mirror" && -f /etc/apt/sources.list ]]; then
  mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
fi
if [[ -z "$mirror" ]]; then
  echo "fetch-module-versions: found no Debian mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2
  exit 1
fi

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
declare -A suites_seen=()
for target in "${targets[@]}"; do suites_seen["${target#*@}"]=1; done

mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$out_dir"
: >"$apt_dir/sources.list"
for suite in "${!suites_seen[@]}"; do
  echo "deb [signed-by=$keyring] $mirror $suite main" >>"$apt_dir/sources.list"
done
apt_options=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Dir::State::Status=/dev/null
  -o Debug::NoLocking=1 -o APT::Sandbox::User=root
)
# Package lists older than a day are refreshed.
if [[ -z $(find "$apt_dir/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -1) ]]; then
  echo "fetch-module-versions: reading the package lists of ${!suites_seen[*]}"
  apt-get "${apt_options[@]}" update -qq
fi

for target in "${targets[@]}"; do
  package="${target%@*}"
  suite="${target#*@}"
  version=$(apt-cache "${apt_options[@]}" show "$package/$suite" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
  if [[ -z "$version" ]]; then
    echo "fetch-module-versions: $package is not in $suite" >&2
    exit 1
  fi
  dest="$out_dir/${package}_${version//:/%3a}_${suite}"
  if [[ -f "$dest/debian-version" ]]; then
    echo "fetch-module-versions: $package $version ($suite) already in $dest"
    continue
  fi
  work=$(mktemp -d)
  (cd "$work" && apt-get "${apt_options[@]}" download -qq "$package/$suite")
  deb=$(ls "$work"/*.deb)
  rm -rf "$dest.partial"
  mkdir -p "$dest.partial"
  dpkg-deb -x "$deb" "$dest.partial"
  echo "$version" >"$dest.partial/debian-version"
  echo "$suite" >"$dest.partial/suite"
  rm -rf "$dest" "$work"
  mv "$dest.partial" "$dest"
  echo "fetch-module-versions: $package $version ($suite) -> $dest"
done
