#include "cli/daemon_connection.h"

#include "cli/commands.h"
#include "cli/terminal.h"

namespace buildbench::cli {

std::unique_ptr<docker::EngineClient> client_from_environment() {
  auto endpoint = docker::Endpoint::from_environment();
  if (!endpoint) {
    print_error(endpoint.error().message);
    finish(kExitBadInput);
  }
  return std::make_unique<docker::EngineClient>(*endpoint);
}

std::unique_ptr<docker::EngineClient> connect_from_environment() {
  auto client = client_from_environment();
  if (auto ping = client->ping(); !ping) {
    print_error(ping.error().message);
    finish(kExitNoDaemon);
  }
  return client;
}

}  // namespace buildbench::cli
