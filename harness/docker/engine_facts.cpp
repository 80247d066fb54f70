#include "docker/engine_facts.h"

#include <fstream>
#include <thread>

namespace buildbench::docker {
namespace {

std::string string_field(const nlohmann::json& object, const char* key) {
  if (object.is_object() && object.contains(key) && object[key].is_string()) return object[key].get<std::string>();
  return {};
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

}  // namespace

namespace {

struct BundledBuildKit {
  const char* release_prefix;
  const char* version;
  const char* source;
};

// moby's vendor.conf / go.mod of each release line, and the public record
// that names it (docs/engines.md).
constexpr BundledBuildKit kBundledBuildKit[] = {
    {"20.10.", "v0.8", "moby 20.10 vendor.conf; docker/cli#3919"},
    {"23.0.", "v0.10", "moby 23.0 go.mod"},
    {"24.0.", "v0.11", "moby 24.0 go.mod"},
    {"26.1.", "v0.13", "docker/compose#11583"},
    {"28.5.", "v0.25", "moby/moby#51137"},
};

const BundledBuildKit* bundled_buildkit(const std::string& engine_version) {
  for (const auto& entry : kBundledBuildKit) {
    if (engine_version.rfind(entry.release_prefix, 0) == 0) return &entry;
  }
  return nullptr;
}

}  // namespace

std::string bundled_buildkit_version(const std::string& engine_version) {
  const auto* entry = bundled_buildkit(engine_version);
  return entry != nullptr ? entry->version : "unknown";
}

std::string bundled_buildkit_source(const std::string& engine_version) {
  const auto* entry = bundled_buildkit(engine_version);
  return entry != nullptr ? std::string("table by engine release (") + entry->source + ")"
                          : "not in buildbench's table by engine release";
}

std::string image_store_from_info(const nlohmann::json& info) {
  std::string driver = string_field(info, "Driver");
  if (info.is_object() && info.contains("DriverStatus") && info["DriverStatus"].is_array()) {
    for (const auto& pair : info["DriverStatus"]) {
      if (pair.is_array() && pair.size() == 2 && pair[0] == "driver-type" && pair[1] == "io.containerd.snapshotter.v1") {
        return "containerd snapshotter (" + driver + ")";
      }
    }
  }
  return "classic (graph driver " + driver + ")";
}

std::string component_version(const nlohmann::json& version, const std::string& name) {
  if (!version.is_object() || !version.contains("Components") || !version["Components"].is_array()) return {};
  for (const auto& component : version["Components"]) {
    if (component.is_object() && component.value("Name", "") == name) return string_field(component, "Version");
  }
  return {};
}

nlohmann::json EngineFacts::to_json() const {
  return nlohmann::json{{"endpoint", endpoint},
                        {"engine_version", engine_version},
                        {"api_version", api_version},
                        {"daemon_api_version", daemon_api_version},
                        {"buildkit_version", buildkit_version},
                        {"buildkit_source", buildkit_source},
                        {"containerd_version", containerd_version},
                        {"runc_version", runc_version},
                        {"image_store", image_store},
                        {"default_builder", default_builder},
                        {"storage_driver", storage_driver},
                        {"kernel", kernel},
                        {"cgroup_version", cgroup_version},
                        {"operating_system", operating_system},
                        {"architecture", architecture},
                        {"daemon_cpus", daemon_cpus},
                        {"daemon_memory_bytes", daemon_memory_bytes},
                        {"host_cpu_model", host_cpu_model},
                        {"host_cpus", host_cpus}};
}

util::Result<EngineFacts> gather_engine_facts(EngineClient& client) {
  auto ping = client.ping();
  if (!ping) return ping.error();
  auto api = client.api_version();
  if (!api) return api.error();
  auto version = client.version();
  if (!version) return version.error();
  auto info = client.info();
  if (!info) return info.error();
  EngineFacts facts;
  facts.endpoint = client.endpoint().describe();
  facts.engine_version = string_field(*version, "Version");
  facts.api_version = *api;
  facts.daemon_api_version = ping->api_version;
  facts.default_builder = ping->builder_version;
  facts.buildkit_version = bundled_buildkit_version(facts.engine_version);
  facts.buildkit_source = bundled_buildkit_source(facts.engine_version);
  facts.containerd_version = component_version(*version, "containerd");
  facts.runc_version = component_version(*version, "runc");
  facts.image_store = image_store_from_info(*info);
  facts.storage_driver = string_field(*info, "Driver");
  facts.kernel = string_field(*info, "KernelVersion");
  facts.cgroup_version = string_field(*info, "CgroupVersion");
  facts.operating_system = string_field(*info, "OperatingSystem");
  facts.architecture = string_field(*info, "Architecture");
  if (info->contains("NCPU") && (*info)["NCPU"].is_number()) facts.daemon_cpus = (*info)["NCPU"].get<int>();
  if (info->contains("MemTotal") && (*info)["MemTotal"].is_number()) {
    facts.daemon_memory_bytes = (*info)["MemTotal"].get<int64_t>();
  }
  facts.host_cpu_model = cpu_model();
  facts.host_cpus = static_cast<int>(std::thread::hardware_concurrency());
  return facts;
}

}  // namespace buildbench::docker
