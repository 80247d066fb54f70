// `buildbench engine list|install|remove`: the Docker engines buildbench
// knows, installed from Debian's .debs under a directory it owns.
#include <cstdio>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/engine_selection.h"
#include "cli/terminal.h"
#include "engine/engine_daemon.h"
#include "engine/install.h"

namespace buildbench::cli {
namespace {

const engine::EngineSpec& known_or_exit(const std::string& name) {
  auto spec = engine::known_engine(name);
  if (!spec) {
    print_error(spec.error().message);
    finish(kExitBadInput);
  }
  return **spec;
}

void list_engines(bool json) {
  auto engines = engine::list_engines();
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& state : engines) {
      nlohmann::ordered_json item;
      item["name"] = state.spec->name;
      item["engine_version"] = state.spec->engine_version;
      item["suite"] = state.spec->is_system() ? "system" : state.spec->suite;
      item["installed"] = state.installed;
      item["half_finished"] = state.half_finished;
      item["components"] = nlohmann::ordered_json::object();
      for (const auto& c : state.components) item["components"][c.package] = c.version;
      item["detail"] = state.detail;
      item["socket"] = engine::daemon_paths(*state.spec).socket.string();
      out.push_back(item);
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  for (const auto& state : engines) {
    const auto& spec = *state.spec;
    std::string mark = state.installed        ? paint(stdout, "32", "installed")
                       : state.half_finished ? paint(stdout, "31", "half-finished")
                                             : "not installed";
    fmt::print("{:<6} {:<9} {:<8} {}\n", spec.name, spec.engine_version, spec.is_system() ? "system" : spec.suite, mark);
    for (const auto& c : state.components) {
      fmt::print("         {:<14} {}\n", c.package, c.version.empty() ? "-" : c.version);
    }
    fmt::print("         {}\n", state.detail);
    if (state.installed) fmt::print("         daemon socket {}\n", engine::daemon_paths(spec).socket.string());
  }
}

}  // namespace

void register_engine_command(CLI::App& app) {
  auto* command = app.add_subcommand("engine", "List, install or remove the Docker engines buildbench can run");
  command->require_subcommand(1);

  auto json = std::make_shared<bool>(false);
  auto names = std::make_shared<bool>(false);
  auto* list = command->add_subcommand("list", "The known engines, whether installed, and their component versions");
  list->add_flag("--json", *json, "As JSON");
  list->add_flag("--names", *names, "Only the names, oldest first, one per line (for scripts)");
  list->callback([json, names] {
    if (*names) {
      for (const auto& spec : engine::known_engines()) fmt::print("{}\n", spec.name);
      return;
    }
    list_engines(*json);
  });

  auto name = std::make_shared<std::string>();
  auto from_debs = std::make_shared<std::string>();
  auto* install = command->add_subcommand(
      "install", "Install an engine from Debian's packages under BUILDBENCH_STATE_DIR/engines (system untouched)");
  install->add_option("name", *name, "Engine name (buildbench engine list)")->required();
  install->add_option("--from-debs", *from_debs, "Offline: take the .debs from this directory instead of the mirror");
  install->callback([name, from_debs] {
    const auto& spec = known_or_exit(*name);
    engine::InstallOptions options;
    if (!from_debs->empty()) options.from_debs = *from_debs;
    options.progress = [](std::string_view line) {
      std::fprintf(stderr, "engine: %.*s\n", static_cast<int>(line.size()), line.data());
      std::fflush(stderr);
    };
    if (spec.is_system()) {
      if (engine::is_installed(spec)) {
        fmt::print("engine {} is the system's docker.io, installed\n", spec.name);
        return;
      }
      print_error("engine 20.10 is the system's docker.io: run scripts/setup.sh (apt-get install docker.io)");
      finish(kExitFailure);
      return;
    }
    auto outcome = engine::install_engine(spec, options);
    if (!outcome) {
      print_error("engine install " + spec.name + ": " + outcome.error().message);
      finish(kExitFailure);
      return;
    }
    auto layout = engine::layout_for(spec.name);
    const char* what = *outcome == engine::InstallOutcome::AlreadyInstalled ? "already installed"
                       : *outcome == engine::InstallOutcome::Redone         ? "installed again (a half-finished install was removed)"
                                                                            : "installed";
    fmt::print("engine {} ({}) {} at {}\nstart its daemon: buildbench daemon start --engine {}\n", spec.name,
               spec.engine_version, what, layout.dir.string(), spec.name);
  });

  auto remove_name = std::make_shared<std::string>();
  auto* remove = command->add_subcommand("remove", "Remove an installed engine (its daemon's data stays)");
  remove->add_option("name", *remove_name, "Engine name")->required();
  remove->callback([remove_name] {
    const auto& spec = known_or_exit(*remove_name);
    if (!spec.is_system() && engine::managed_daemon_for(spec).status().running) {
      print_error("the daemon of engine " + spec.name + " runs: stop it first (buildbench daemon stop --engine " +
                  spec.name + ")");
      finish(kExitFailure);
      return;
    }
    auto removed = engine::remove_engine(spec);
    if (!removed) {
      print_error(removed.error().message);
      finish(kExitBadInput);
      return;
    }
    fmt::print("engine {} removed from {}\n", spec.name, engine::layout_for(spec.name).dir.string());
  });
}

}  // namespace buildbench::cli
