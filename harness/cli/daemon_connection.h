#pragma once
// The daemon a command talks to: DOCKER_HOST (see docker::Endpoint), checked
// with /_ping. On failure the error is printed and the command ends with
// exit 2 (bad DOCKER_HOST) or 3 (no daemon answers), through cli::finish.
#include <memory>

#include "docker/engine_client.h"

namespace buildbench::cli {

std::unique_ptr<docker::EngineClient> connect_from_environment();
// The same client without the /_ping: for a command that checks the daemon
// itself, e.g. with ping() on another thread while it prepares its work.
std::unique_ptr<docker::EngineClient> client_from_environment();

}  // namespace buildbench::cli
