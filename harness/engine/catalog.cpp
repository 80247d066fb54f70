#include "engine/catalog.h"

namespace buildbench::engine {

const std::vector<EngineSpec>& known_engines() {
  // Versions as Debian published them and as they were tried here
  // (docs/engines.md). A newer Debian upload under the same name would be a
  // different engine: the pins keep measurements comparable.
  static const std::vector<EngineSpec> engines = {
      {"20.10", "20.10.24", "", {{"docker.io", ""}, {"containerd", ""}, {"runc", ""}}},
      {"26.1",
       "26.1.5",
       "trixie",
       {{"docker.io", "26.1.5+dfsg1-9+deb13u1+b1"},
        {"containerd", "1.7.24~ds1-6+deb13u1"},
        {"docker-cli", "26.1.5+dfsg1-9+deb13u1+b1"},
        {"docker-buildx", "0.13.1+ds1-3"}}},
      {"28.5",
       "28.5.2",
       "forky",
       {{"docker.io", "28.5.2+dfsg4-5"},
        {"containerd", "2.1.9+ds1-5"},
        {"docker-cli", "28.5.2+dfsg4-5"},
        {"docker-buildx", "0.29.1+ds1-4"}}},
  };
  return engines;
}

const EngineSpec* find_engine(std::string_view name) {
  for (const auto& spec : known_engines()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const EngineSpec* find_engine_by_version(std::string_view daemon_version) {
  for (const auto& spec : known_engines()) {
    if (!daemon_version.starts_with(spec.engine_version)) continue;
    const auto rest = daemon_version.substr(spec.engine_version.size());
    if (rest.empty() || rest.front() < '0' || rest.front() > '9') return &spec;
  }
  return nullptr;
}

std::string known_engine_names() {
  std::string out;
  for (const auto& spec : known_engines()) out += (out.empty() ? "" : ", ") + spec.name;
  return out;
}

const EngineSpec& system_engine() { return known_engines().front(); }

}  // namespace buildbench::engine
