#pragma once
// The Docker engines buildbench knows by name. `20.10` is the system's
// docker.io (Debian 12); the newer ones are Debian's own packages from later
// suites, unpacked under a directory buildbench owns (install.h), run with
// the system's runc (their runc needs a newer GLIBC than Debian 12 has).
#include <string>
#include <string_view>
#include <vector>

namespace buildbench::engine {

// One Debian package of an engine, pinned to the version that was checked.
struct Component {
  std::string package;  // "docker.io"
  std::string version;  // "28.5.2+dfsg4-5"
};

struct EngineSpec {
  std::string name;            // "28.5": what --engine takes
  std::string engine_version;  // "28.5.2": what /version reports
  // Debian suite the packages come from; empty for the system's engine,
  // which apt installs (scripts/setup.sh) and buildbench never unpacks.
  std::string suite;
  std::vector<Component> components;

  bool is_system() const { return suite.empty(); }
};

// Oldest first; the order is the order of age (the last installed one is
// "the newest installed").
const std::vector<EngineSpec>& known_engines();
// nullptr when `name` is not a known engine.
const EngineSpec* find_engine(std::string_view name);
// The engine whose release a daemon's /version reports ("20.10.24+dfsg1" ->
// 20.10): the release, then the end or a non-digit, so "28.5.20" is not
// 28.5.2. nullptr when it is none of them.
const EngineSpec* find_engine_by_version(std::string_view daemon_version);
// "20.10, 26.1, 28.5": for messages about an unknown name.
std::string known_engine_names();

// The system's engine ("20.10").
const EngineSpec& system_engine();

}  // namespace buildbench::engine
