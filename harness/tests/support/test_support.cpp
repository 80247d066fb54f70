#include "support/test_support.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "docker/endpoint.h"
#include "docker/engine_client.h"

namespace buildbench::test {

std::filesystem::path data_path(const std::string& relative) {
  return std::filesystem::path(BUILDBENCH_TEST_DATA) / relative;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string require_daemon() {
  static std::string cached;
  if (!cached.empty()) return cached;
  auto endpoint = docker::Endpoint::from_environment();
  std::string reason;
  if (!endpoint) {
    reason = endpoint.error().message;
  } else {
    docker::EngineClient client(*endpoint);
    auto ping = client.ping();
    if (ping) {
      cached = endpoint->describe();
      return cached;
    }
    reason = ping.error().message;
  }
  const char* required = std::getenv("BUILDBENCH_REQUIRE_DAEMON");
  if (required != nullptr && std::string(required) == "1") {
    std::fprintf(stderr, "FATAL: a Docker daemon is required (BUILDBENCH_REQUIRE_DAEMON=1): %s\n", reason.c_str());
    std::exit(1);
  }
  std::fprintf(stderr, "SKIPPED: no Docker daemon: %s\n", reason.c_str());
  std::exit(77);
}

}  // namespace buildbench::test
