#pragma once
// One timed build: send the context (tar body or BuildKit session), stream
// and decode the daemon's answer, inspect the image, and return what was
// measured as a BuildRecord. Everything above this (runner, CLI) measures
// builds only through run_build.
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "docker/build_record.h"
#include "docker/engine_client.h"
#include "session/secret_sources.h"
#include "util/result.h"

namespace buildbench::builder {

struct BuildRequest {
  std::filesystem::path context_dir;
  std::optional<std::filesystem::path> dockerfile;  // default: <context>/Dockerfile
  docker::BuilderKind builder = docker::BuilderKind::BuildKit;
  // Default: a session with BuildKit (as `docker build` sends contexts), a
  // tar body with the classic builder (which cannot use a session).
  std::optional<docker::ContextTransfer> transfer;
  std::string network_mode = "host";  // the machines here have no bridge network
  bool no_cache = false;
  std::map<std::string, std::string> build_args;
  std::map<std::string, std::string> labels;
  std::vector<std::string> tags;
  std::string target;
  // A `# syntax=` line makes BuildKit fetch a frontend image; offline that
  // fails unless the image is already local. When true, the line is removed
  // (and the record says so) instead of failing.
  bool strip_syntax_line = false;
  // Session transfer: selects the daemon's cached copy of the context.
  // Empty = stable per machine and context directory (incremental, as the
  // docker CLI); a fresh value makes the daemon start from an empty copy
  // (a cold build that destroys nothing).
  std::string session_shared_key;
  // BuildKit: the id POST /build/cancel takes; empty = a fresh random one.
  std::string build_id;
  // Served through the session (RUN --mount=type=secret / type=ssh); read
  // before anything is sent. Both need the session transfer.
  std::vector<session::SecretSource> secrets;
  std::vector<session::SshAgent> ssh_agents;
};

// Called from the streaming thread as the daemon reports progress.
struct BuildObserver {
  std::function<void(const std::string& line)> on_output;  // classic output / BuildKit step names
};

// Fails only when the build could not be attempted or its outcome is unknown
// (bad input, daemon unreachable, request refused, interrupted). A build that
// ran and failed is a record with ok == false, its failed step and log tail.
util::Result<docker::BuildRecord> run_build(docker::EngineClient& client, const BuildRequest& request,
                                            const BuildObserver& observer = {});

// The transfer run_build uses for a request whose `transfer` is unset.
docker::ContextTransfer default_transfer(docker::BuilderKind builder);

std::string to_string(docker::BuilderKind builder);
std::string to_string(docker::ContextTransfer transfer);

}  // namespace buildbench::builder
