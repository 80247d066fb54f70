// `buildbench daemon start|stop|status|env [--engine NAME]`: the dockerd the
// project owns, one per engine.
#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/engine_selection.h"
#include "cli/terminal.h"
#include "engine/managed_daemon.h"

namespace buildbench::cli {

void register_daemon_command(CLI::App& app) {
  auto* command = app.add_subcommand("daemon", "Start, stop or inspect the Docker daemons buildbench owns (one per engine)");
  command->require_subcommand(1);
  auto engine_name = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  // On `daemon` and on each subcommand, so both `daemon start --engine 28.5`
  // and `daemon --engine 28.5 start` work.
  auto add_selection = [engine_name, name](CLI::App* where) {
    where->add_option("--engine", *engine_name,
                    "Which engine (buildbench engine list). Default: for start, the newest installed; otherwise the "
                    "newest installed one whose daemon runs");
    where->add_option("--name", *name,
                    "Other data root and socket for the same engine (/var/lib/buildbench/NAME); default: the "
                    "engine's own (20.10: 'default')");
  };
  add_selection(command);

  auto managed = [engine_name, name](EngineDefault fallback) {
    return daemon_of(select_engine(*engine_name, fallback), *name);
  };

  auto* start = command->add_subcommand("start", "Start it (if not running) and wait until it answers /_ping");
  add_selection(start);
  start->callback([managed, engine_name] {
    const auto& spec = select_engine(*engine_name, EngineDefault::NewestInstalled);
    auto daemon = managed(EngineDefault::NewestInstalled);
    auto started = daemon.start();
    if (!started) {
      print_error("engine " + spec.name + ": " + started.error().message);
      finish(kExitNoDaemon);
      return;
    }
    fmt::print("{} dockerd of engine {} at {}\nexport DOCKER_HOST={}\n", *started ? "started" : "already running:",
               spec.name, daemon.endpoint().describe(), daemon.endpoint().describe());
  });
  auto* stop = command->add_subcommand("stop", "Stop it (never touches a daemon it did not start)");
  add_selection(stop);
  stop->callback([managed] {
    auto daemon = managed(EngineDefault::NewestRunning);
    auto status = daemon.status();
    if (!status.running) {
      fmt::print("not running\n");
      return;
    }
    auto stopped = daemon.stop();
    if (!stopped) {
      print_error(stopped.error().message);
      finish(kExitFailure);
      return;
    }
    fmt::print("stopped dockerd (pid {}) at {}\n", status.pid, daemon.endpoint().describe());
  });
  auto* status_command = command->add_subcommand("status", "Say whether it runs and answers; exit 0 only when it does");
  add_selection(status_command);
  status_command->callback([managed, engine_name] {
    const auto& spec = select_engine(*engine_name, EngineDefault::NewestRunning);
    auto daemon = managed(EngineDefault::NewestRunning);
    auto status = daemon.status();
    const auto& p = daemon.paths();
    fmt::print("engine:    {}\n", spec.name);
    fmt::print("daemon:    {}\n", status.running ? (status.answering ? "running, answering" : "running, not answering")
                                                 : "not running");
    if (status.running) fmt::print("pid:       {}\n", status.pid);
    fmt::print("dockerd:   {}\n", daemon.program().dockerd.string());
    fmt::print("socket:    {}\ndata root: {}\nexec root: {}\npid file:  {}\nlog:       {}\n", p.socket.string(),
               p.data_root.string(), p.exec_root.string(), p.pid_file.string(), p.log_file.string());
    if (!status.detail.empty()) fmt::print("detail:    {}\n", status.detail);
    finish(status.running && status.answering ? kExitOk : kExitNoDaemon);
  });
  auto* env = command->add_subcommand("env", "Print the DOCKER_HOST line for the managed daemon");
  add_selection(env);
  env->callback([managed] {
    fmt::print("export DOCKER_HOST=unix://{}\n", managed(EngineDefault::NewestRunning).paths().socket.string());
  });
}

}  // namespace buildbench::cli
