// `buildbench clean [--engine NAME]`: remove what killed runs left on a
// daemon buildbench owns (engine/housekeeping.h).
#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/engine_selection.h"
#include "cli/terminal.h"
#include "engine/housekeeping.h"

namespace buildbench::cli {

void register_clean_command(CLI::App& app) {
  auto engine_name = std::make_shared<std::string>();
  auto* clean = app.add_subcommand(
      "clean", "Remove the images of runs that were killed, from the daemon buildbench owns for an engine");
  clean->add_option("--engine", *engine_name, "Which engine's daemon (default: the newest installed one that runs)");
  clean->callback([engine_name] {
    const auto& spec = select_engine(*engine_name, EngineDefault::NewestRunning);
    auto daemon = daemon_of(spec);
    docker::EngineClient client(daemon.endpoint());
    if (auto ping = client.ping(); !ping) {
      print_error("engine " + spec.name + ": " + ping.error().message + " (buildbench daemon start --engine " +
                  spec.name + ")");
      finish(kExitNoDaemon);
      return;
    }
    auto summary = engine::remove_leftovers(client);
    if (!summary) {
      print_error(summary.error().message);
      finish(kExitFailure);
      return;
    }
    for (const auto& image : summary->removed) {
      fmt::print("removed {} {}{}\n", image.id.substr(0, 19), image.tags.empty() ? "<untagged>" : image.tags.front(),
                 image.pid > 0 ? fmt::format(" (run {} pid {})", image.run, image.pid) : " (older buildbench)");
    }
    for (const auto& failure : summary->failures) print_error("could not remove " + failure);
    fmt::print("{} images of dead runs removed from {} (engine {})\n", summary->removed.size(),
               daemon.endpoint().describe(), spec.name);
    finish(summary->failures.empty() ? kExitOk : kExitFailure);
  });
}

}  // namespace buildbench::cli
