#pragma once
// What a command's --engine NAME selects, with the CLI's exit codes: an
// unknown name lists the known ones and exits 2; an engine that is not
// installed says how to install it and exits 2.
#include <memory>
#include <string>

#include "docker/engine_client.h"

#include "engine/catalog.h"
#include "engine/managed_daemon.h"

namespace buildbench::cli {

enum class EngineDefault {
  NewestInstalled,  // daemon start, run: what a new daemon should be
  NewestRunning,    // stop, status, env, doctor, images, clean: the daemon that is up
};

// `name` empty = the default; exits through finish() on bad input.
const engine::EngineSpec& select_engine(const std::string& name, EngineDefault fallback);
// The engine's managed daemon; `name_override` (daemon --name) keeps the
// older per-name paths.
engine::ManagedDaemon daemon_of(const engine::EngineSpec& spec, const std::string& name_override = "");

// A client for `--engine NAME`'s managed daemon, or for DOCKER_HOST when
// `name` is empty; checked with /_ping (exit 3 when it does not answer).
std::unique_ptr<docker::EngineClient> connect_engine_or_environment(const std::string& name);

}  // namespace buildbench::cli
