#pragma once
// Shared helpers for unit and integration tests.
#include <filesystem>
#include <optional>
#include <string>

#include "util/fd.h"

namespace buildbench::test {

// Path of a file under harness/tests/data.
std::filesystem::path data_path(const std::string& relative);
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

// For integration tests: returns the DOCKER_HOST endpoint in use when a daemon
// answers /_ping. Otherwise exits the test process with 77 (ctest: skipped),
// or fails hard when BUILDBENCH_REQUIRE_DAEMON=1 (CI must never skip these).
std::string require_daemon();

// For the CLI's integration tests: `BINARY report RUN/results.jsonl --out
// RUN/report --no-png`, which must exit 0 (its output goes into the failure
// message); returns the report directory.
std::filesystem::path report_run(const std::string& binary, const std::filesystem::path& run_dir);

}  // namespace buildbench::test

namespace buildbench::docker {
class EngineClient;
}

namespace buildbench::test {

// A tiny image with busybox as /bin/sh and its applets, imported from the
// host's busybox-static (no registry needed); returns its name.
std::string ensure_busybox_image(docker::EngineClient& client);

// A unique token for names and file contents, so tests never hit a cache
// entry another run left behind.
std::string unique_token();

// Sets an environment variable (or unsets it, for nullopt) for its own
// lifetime, and puts back what was there before.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

// A Unix socket bound at `path` and listening, as a daemon's (for fakes of
// one); throws when the path cannot be bound.
util::Fd listen_unix_socket(const std::filesystem::path& path, int backlog = 8);

}  // namespace buildbench::test
