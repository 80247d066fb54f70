// `buildbench validate FILE...`: check scenario files without building
// anything: the file itself, then every check `buildbench run` makes before
// it builds (scenario::preflight). Every problem of every file is printed, so one run shows all
// there is to fix; the exit code is 2 when any file has a problem.
#include <fmt/core.h>

#include <cstdio>

#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "runner/run_scenario.h"
#include "scenario/plan.h"
#include "scenario/preflight.h"
#include "scenario/scenario.h"

namespace buildbench::cli {

void register_validate_command(CLI::App& app) {
  auto* validate = app.add_subcommand("validate", "Check scenario files: every problem, with its JSON pointer");
  auto files = std::make_shared<std::vector<std::string>>();
  auto print_resolved = std::make_shared<bool>(false);
  validate->add_option("files", *files, "Scenario files (JSON with comments)")->required();
  validate->add_flag("--resolved", *print_resolved,
                     "Also print each valid scenario in its canonical form, every default filled in");
  validate->callback([files, print_resolved] {
    bool any_problem = false;
    for (const auto& name : *files) {
      auto outcome = scenario::load_scenario(name);
      if (!outcome.ok()) {
        any_problem = true;
        for (const auto& problem : outcome.problems) {
          std::fprintf(stderr, "%s\n", scenario::format_problem(name, problem).c_str());
        }
        continue;
      }
      const scenario::Scenario& s = *outcome.scenario;
      // What `buildbench run` checks before building, with the same function.
      // The scenario's engines are checked as run checks them: known, installed.
      auto checked = scenario::preflight(s, runner::preflight_environment(s.engines));
      for (const auto& note : checked.notes) {
        std::fprintf(stderr, "%s\n", scenario::format_problem(name, {note.pointer, "note: " + note.message}).c_str());
      }
      if (!checked.ok()) {
        any_problem = true;
        for (const auto& problem : checked.problems) {
          std::fprintf(stderr, "%s\n", scenario::format_problem(name, problem).c_str());
        }
        continue;
      }
      size_t samples = scenario::make_plan(s).size();
      fmt::print("{}: {} ({} variant{}, {} build kind{}, {} sample{} planned)\n", name, paint(stdout, "32", "ok"),
                 s.variants.size(), s.variants.size() == 1 ? "" : "s", s.build_kinds.size(),
                 s.build_kinds.size() == 1 ? "" : "s", samples, samples == 1 ? "" : "s");
      if (*print_resolved) fmt::print("{}\n", scenario::to_json(s).dump(2));
    }
    std::fflush(stdout);
    finish(any_problem ? kExitBadInput : kExitOk);
  });
}

}  // namespace buildbench::cli
