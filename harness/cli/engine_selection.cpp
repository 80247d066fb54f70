#include "cli/engine_selection.h"

#include "cli/commands.h"
#include "cli/daemon_connection.h"
#include "cli/terminal.h"
#include "engine/engine_daemon.h"

namespace buildbench::cli {

const engine::EngineSpec& select_engine(const std::string& name, EngineDefault fallback) {
  util::Result<const engine::EngineSpec*> spec =
      !name.empty()                                 ? engine::installed_engine(name)
      : fallback == EngineDefault::NewestInstalled ? engine::default_engine()
                                                    : engine::default_running_engine();
  if (!spec) {
    print_error(spec.error().message);
    finish(kExitBadInput);
  }
  return **spec;
}

engine::ManagedDaemon daemon_of(const engine::EngineSpec& spec, const std::string& name_override) {
  auto paths = name_override.empty() ? engine::daemon_paths(spec) : engine::ManagedDaemonPaths::for_name(name_override);
  return engine::ManagedDaemon(paths, engine::daemon_program(spec));
}

std::unique_ptr<docker::EngineClient> connect_engine_or_environment(const std::string& name) {
  if (name.empty()) return connect_from_environment();
  const auto& spec = select_engine(name, EngineDefault::NewestRunning);
  auto client = std::make_unique<docker::EngineClient>(daemon_of(spec).endpoint());
  if (auto ping = client->ping(); !ping) {
    print_error("engine " + spec.name + ": " + ping.error().message + " (start it: buildbench daemon start --engine " +
                spec.name + ")");
    finish(kExitNoDaemon);
  }
  return client;
}

}  // namespace buildbench::cli
