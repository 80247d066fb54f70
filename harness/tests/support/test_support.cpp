#include "support/test_support.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "util/hash.h"
#include "util/process.h"
#include "util/temp_dir.h"

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

std::filesystem::path report_run(const std::string& binary, const std::filesystem::path& run_dir) {
  const auto report_dir = run_dir / "report";
  auto report =
      util::run_process({binary, "report", (run_dir / "results.jsonl").string(), "--out", report_dir.string(), "--no-png"});
  REQUIRE(report);
  INFO(report->out << report->err);
  REQUIRE(report->exit_code == 0);
  return report_dir;
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

std::string ensure_busybox_image(docker::EngineClient& client) {
  const std::string name = "buildbench-test/busybox:1";
  if (client.inspect_image(name)) return name;
  const std::filesystem::path busybox = "/bin/busybox";
  if (!std::filesystem::exists(busybox)) {
    throw std::runtime_error("/bin/busybox is missing: install Debian's busybox-static (scripts/setup.sh does)");
  }
  util::TempDir root("buildbench-busybox-");
  std::filesystem::create_directories(root.path() / "bin");
  std::filesystem::create_directories(root.path() / "tmp");
  std::filesystem::copy_file(busybox, root.path() / "bin" / "busybox");
  for (const char* applet : {"sh", "cat", "echo", "ls", "wc", "sleep", "true", "false", "mkdir", "cp", "sha256sum"}) {
    std::filesystem::create_symlink("busybox", root.path() / "bin" / applet);
  }
  auto tar = util::run_process({"tar", "-C", root.path().string(), "-c", "."});
  if (!tar || tar->exit_code != 0) throw std::runtime_error("tar of the busybox rootfs failed");
  std::string bytes = std::move(tar->out);
  size_t offset = 0;
  auto body = [&](char* buffer, size_t capacity) -> util::Result<size_t> {
    size_t n = std::min(capacity, bytes.size() - offset);
    std::memcpy(buffer, bytes.data() + offset, n);
    offset += n;
    return n;
  };
  auto imported = client.import_image(body, "buildbench-test/busybox", "1", {"ENV PATH=/bin", "CMD [\"/bin/sh\"]"});
  if (!imported) throw std::runtime_error("importing the busybox test image failed: " + imported.error().message);
  return name;
}

std::string unique_token() { return util::random_hex(8); }

ScopedEnv::ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
  if (const char* saved = std::getenv(name)) saved_ = saved;
  if (value) {
    ::setenv(name, value->c_str(), 1);
  } else {
    ::unsetenv(name);
  }
}

ScopedEnv::~ScopedEnv() {
  if (saved_) {
    ::setenv(name_, saved_->c_str(), 1);
  } else {
    ::unsetenv(name_);
  }
}

util::Fd listen_unix_socket(const std::filesystem::path& path, int backlog) {
  util::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof address.sun_path) throw std::runtime_error("socket path too long: " + path.string());
  std::memcpy(address.sun_path, path.c_str(), path.string().size() + 1);
  if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd.get(), backlog) != 0) {
    throw std::runtime_error("cannot listen on " + path.string() + ": " + std::strerror(errno));
  }
  return fd;
}

}  // namespace buildbench::test
