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

std::string bundled_buildkit_version(const std::string& engine_version) {
  // moby vendor.conf / go.mod of each release line.
  if (engine_version.rfind("20.10.", 0) == 0) return "v0.8";
  if (engine_version.rfind("23.0.", 0) == 0) return "v0.10";
  if (engine_version.rfind("24.0.", 0) == 0) return "v0.11";
  return "unknown";
}

nlohmann::json EngineFacts::to_json() const {
  return nlohmann::json{{"endpoint", endpoint},
                        {"engine_version", engine_version},
                        {"api_version", api_version},
                        {"daemon_api_version", daemon_api_version},
                        {"buildkit_version", buildkit_version},
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
