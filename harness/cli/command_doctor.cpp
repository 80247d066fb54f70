// `buildbench doctor`: is everything a benchmark needs in place?
#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "docker/endpoint.h"
#include "docker/engine_facts.h"

namespace buildbench::cli {

void register_doctor_command(CLI::App& app) {
  auto* doctor = app.add_subcommand("doctor", "Check the daemon (DOCKER_HOST), its versions and the base images");
  auto json = std::make_shared<bool>(false);
  doctor->add_flag("--json", *json, "Print the facts as JSON");
  doctor->callback([json] {
    auto endpoint = docker::Endpoint::from_environment();
    if (!endpoint) {
      print_error(endpoint.error().message);
      finish(kExitBadInput);
      return;
    }
    docker::EngineClient client(*endpoint);
    auto facts = docker::gather_engine_facts(client);
    if (!facts) {
      print_error(facts.error().message);
      finish(kExitNoDaemon);
      return;
    }
    if (*json) {
      fmt::print("{}\n", facts->to_json().dump(2));
      return;
    }
    auto ok = paint(stdout, "32", "ok");
    fmt::print("{:<18} {} ({})\n", "daemon", ok, facts->endpoint);
    fmt::print("{:<18} {}\n", "engine", facts->engine_version);
    fmt::print("{:<18} {} (daemon {})\n", "API version", facts->api_version, facts->daemon_api_version);
    fmt::print("{:<18} {} (default builder: {})\n", "BuildKit", facts->buildkit_version,
               facts->default_builder == "2" ? "BuildKit" : "classic");
    fmt::print("{:<18} {}\n", "storage driver", facts->storage_driver);
    fmt::print("{:<18} {}\n", "kernel", facts->kernel);
    fmt::print("{:<18} v{}\n", "cgroup", facts->cgroup_version);
    fmt::print("{:<18} {} × {}\n", "CPU", facts->host_cpus, facts->host_cpu_model);
  });
}

}  // namespace buildbench::cli
