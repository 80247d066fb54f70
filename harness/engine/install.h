#pragma once
// Installing an engine without touching the system: Debian's .debs are
// fetched with `apt-get download` under a private sources list, lists and
// cache (never the system's apt state or /var/lib/docker), or taken from a
// directory the user brought, and unpacked with `dpkg-deb -x` under
// engines_dir()/NAME. The install is staged in a temporary directory and the
// completion marker is written last, before the rename: a directory without
// the marker is a half-finished install, redone and never used.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/catalog.h"
#include "util/result.h"

namespace buildbench::engine {

// $BUILDBENCH_STATE_DIR/engines, default /var/lib/buildbench/engines.
std::filesystem::path engines_dir();

struct EngineLayout {
  std::filesystem::path dir;  // engines/28.5

  std::filesystem::path tree() const { return dir / "root"; }  // the unpacked packages
  std::filesystem::path marker() const { return dir / "installed.json"; }
  std::filesystem::path dockerd() const { return tree() / "usr/sbin/dockerd"; }
  std::filesystem::path docker_cli() const { return tree() / "usr/bin/docker"; }
  // Put first in dockerd's PATH: it starts containerd and the shim from there.
  std::vector<std::filesystem::path> path_dirs() const { return {tree() / "usr/sbin", tree() / "usr/bin"}; }
};
EngineLayout layout_for(std::string_view name, const std::filesystem::path& root = engines_dir());

enum class InstallState {
  Missing,
  Installed,     // the marker is there and names this engine's versions
  HalfFinished,  // a directory without a valid marker: killed midway
};
InstallState install_state(const EngineSpec& spec, const EngineLayout& layout);
// The marker's text for `spec` (JSON); `source` says where the .debs came from.
std::string marker_json(const EngineSpec& spec, std::string_view source);

// ---- the Debian mirror, from the system's apt sources ----

// The first `deb` URI of a deb822 .sources text whose suites are not only
// security suites (those live on another archive); nullopt when none.
std::optional<std::string> mirror_from_deb822(std::string_view text);
// The same for one-line sources.list text: `deb [options] URI suite comps`.
std::optional<std::string> mirror_from_one_line(std::string_view text);
// Looks at apt_etc/sources.list.d/*.sources, then *.list, then sources.list.
util::Result<std::string> system_mirror(const std::filesystem::path& apt_etc = "/etc/apt");

// ---- apt-get with private state ----

struct AptDirs {
  std::filesystem::path sources_list;
  std::filesystem::path lists;  // holds partial/
  std::filesystem::path cache;  // holds archives/partial/
};
AptDirs apt_dirs_under(const std::filesystem::path& dir);
std::string private_sources_list(std::string_view mirror, const std::vector<std::string>& suites);
// The -o options that keep apt away from the system's sources, lists, cache
// and dpkg status.
std::vector<std::string> apt_private_options(const AptDirs& dirs);
std::vector<std::string> apt_update_argv(const AptDirs& dirs);
// `apt-get download package=version...`: writes the .debs into the cwd.
std::vector<std::string> apt_download_argv(const AptDirs& dirs, const std::vector<Component>& components);

// ---- can the binaries run here ----

// What the dynamic loader says when a binary needs a symbol version the
// system's libraries lack:
//   /x/runc: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /x/runc)
struct MissingSymbolVersion {
  std::string binary;          // "/x/runc"
  std::string library;         // "/lib/x86_64-linux-gnu/libc.so.6"
  std::string symbol_version;  // "GLIBC_2.38"
};
std::optional<MissingSymbolVersion> parse_loader_error(std::string_view stderr_text);

// Runs each binary of the unpacked engine that a daemon or a peer build
// needs with --version; the first that the dynamic loader refuses is the
// error, naming the binary and the missing symbol version. Also checks for the system's runc.
util::Status check_binaries_run(const EngineLayout& layout);

// ---- install / remove ----

using ProgressSink = std::function<void(std::string_view line)>;

struct InstallOptions {
  std::optional<std::filesystem::path> from_debs;  // offline: .debs the user brought
  std::filesystem::path apt_etc = "/etc/apt";
  std::filesystem::path root = engines_dir();
  ProgressSink progress;
};

enum class InstallOutcome { AlreadyInstalled, Installed, Redone };

util::Result<InstallOutcome> install_engine(const EngineSpec& spec, const InstallOptions& options);
// Removes the unpacked engine (not its daemon's data). A no-op when absent.
util::Status remove_engine(const EngineSpec& spec, const std::filesystem::path& root = engines_dir());

// ---- what is installed ----

struct InstalledEngine {
  const EngineSpec* spec = nullptr;
  bool installed = false;
  bool half_finished = false;
  std::vector<Component> components;  // the versions actually present
  std::string detail;                 // where, or why not
};
// Every known engine, oldest first, with its state. The system's engine is
// installed when docker.io is (its versions come from dpkg-query).
std::vector<InstalledEngine> list_engines(const std::filesystem::path& root = engines_dir());
// The newest installed engine; nullptr when none is.
const EngineSpec* newest_installed(const std::filesystem::path& root = engines_dir());
bool is_installed(const EngineSpec& spec, const std::filesystem::path& root = engines_dir());

}  // namespace buildbench::engine
