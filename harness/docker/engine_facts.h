#pragma once
// What a results header and `doctor` say about the engine and the machine.
#include <string>

#include <nlohmann/json.hpp>

#include "docker/engine_client.h"
#include "util/result.h"

namespace buildbench::docker {

struct EngineFacts {
  std::string endpoint;
  std::string engine_version;    // "20.10.24+dfsg1"
  std::string api_version;       // the version in use (negotiated or pinned)
  std::string daemon_api_version;
  std::string buildkit_version;  // bundled BuildKit, "unknown" when the engine does not say
  std::string buildkit_source;   // how buildkit_version was found (the table's citation)
  std::string containerd_version;  // /version Components
  std::string runc_version;
  std::string image_store;       // "containerd snapshotter" or "classic (graph driver)" from /info
  std::string default_builder;   // Builder-Version from /_ping: "2" means BuildKit
  std::string storage_driver;
  std::string kernel;
  std::string cgroup_version;
  std::string operating_system;
  std::string architecture;
  int daemon_cpus = 0;
  int64_t daemon_memory_bytes = 0;
  std::string host_cpu_model;    // from /proc/cpuinfo of the machine running buildbench
  int host_cpus = 0;

  nlohmann::json to_json() const;
};

util::Result<EngineFacts> gather_engine_facts(EngineClient& client);

// The BuildKit an engine release bundles; the Engine API does not report it
// (neither /version nor buildx's Control.Info on Debian's builds), so this is
// a table by engine release. Only releases whose BuildKit was checked are
// listed; others are "unknown".
std::string bundled_buildkit_version(const std::string& engine_version);
// Where the table's entry for that release comes from.
std::string bundled_buildkit_source(const std::string& engine_version);

// "containerd snapshotter" when /info's DriverStatus has driver-type
// io.containerd.snapshotter.v1, else "classic (<driver>)".
std::string image_store_from_info(const nlohmann::json& info);
// The Version of a /version Components entry ("containerd", "runc"), else "".
std::string component_version(const nlohmann::json& version, const std::string& name);

}  // namespace buildbench::docker
