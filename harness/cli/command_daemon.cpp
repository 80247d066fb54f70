// `buildbench daemon start|stop|status|env`: the dockerd the project owns.
#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "docker/managed_daemon.h"

namespace buildbench::cli {

void register_daemon_command(CLI::App& app) {
  auto* daemon = app.add_subcommand("daemon", "Start, stop or inspect the Docker daemon buildbench owns");
  daemon->require_subcommand(1);
  auto name = std::make_shared<std::string>("default");
  daemon->add_option("--name", *name, "Which managed daemon (each has its own data root and socket)")
      ->capture_default_str();

  auto paths = [name] { return docker::ManagedDaemonPaths::for_name(*name); };

  daemon->add_subcommand("start", "Start it (if not running) and wait until it answers /_ping")
      ->callback([paths] {
        docker::ManagedDaemon managed(paths());
        auto started = managed.start();
        if (!started) {
          print_error(started.error().message);
          finish(kExitNoDaemon);
          return;
        }
        fmt::print("{} dockerd at {}\nexport DOCKER_HOST={}\n", *started ? "started" : "already running:",
                   managed.endpoint().describe(), managed.endpoint().describe());
      });
  daemon->add_subcommand("stop", "Stop it (never touches a daemon it did not start)")->callback([paths] {
    docker::ManagedDaemon managed(paths());
    auto status = managed.status();
    if (!status.running) {
      fmt::print("not running\n");
      return;
    }
    auto stopped = managed.stop();
    if (!stopped) {
      print_error(stopped.error().message);
      finish(kExitFailure);
      return;
    }
    fmt::print("stopped dockerd (pid {})\n", status.pid);
  });
  daemon->add_subcommand("status", "Say whether it runs and answers; exit 0 only when it does")
      ->callback([paths] {
        docker::ManagedDaemon managed(paths());
        auto status = managed.status();
        const auto& p = managed.paths();
        fmt::print("daemon:    {}\n", status.running ? (status.answering ? "running, answering" : "running, not answering")
                                                     : "not running");
        if (status.running) fmt::print("pid:       {}\n", status.pid);
        fmt::print("socket:    {}\ndata root: {}\nexec root: {}\npid file:  {}\nlog:       {}\n", p.socket.string(),
                   p.data_root.string(), p.exec_root.string(), p.pid_file.string(), p.log_file.string());
        if (!status.detail.empty()) fmt::print("detail:    {}\n", status.detail);
        finish(status.running && status.answering ? kExitOk : kExitNoDaemon);
      });
  daemon->add_subcommand("env", "Print the DOCKER_HOST line for the managed daemon")->callback([paths] {
    fmt::print("export DOCKER_HOST=unix://{}\n", paths().socket.string());
  });
}

}  // namespace buildbench::cli
