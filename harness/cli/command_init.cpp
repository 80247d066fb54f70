// `buildbench init DIR [--out FILE]`: a first scenario for your own
// repository (scenario/init_project.h), printed or written to FILE. Exit 0
// when the scenario validates, 1 when it is written but validate would still
// refuse it (the reasons are in the file and on stderr), 2 on bad input.
#include <fmt/core.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "runner/run_scenario.h"
#include "scenario/init_project.h"
#include "scenario/scenario.h"

namespace buildbench::cli {

void register_init_command(CLI::App& app) {
  auto* init = app.add_subcommand("init", "Write a first scenario for your own repository (Dockerfiles, base images, build kinds)");
  auto directory = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  init->add_option("dir", *directory, "The repository's root directory")->required();
  init->add_option("--out", *out, "Write the scenario to FILE (default: print it)");
  init->add_flag("--force", *force, "Overwrite FILE if it exists");
  init->callback([directory, out, force] {
    scenario::InitOptions options;
    options.repository = *directory;
    options.scenario_file = out->empty() ? std::filesystem::current_path() / "scenario.json" : std::filesystem::path(*out);
    options.environment = runner::preflight_environment();
    std::error_code ec;
    if (!out->empty() && std::filesystem::exists(*out, ec) && !*force) {
      std::fprintf(stderr, "buildbench init: %s exists (use --force to overwrite it)\n", out->c_str());
      finish(kExitBadInput);
    }
    auto result = scenario::init_scenario(options);
    if (!result) {
      std::fprintf(stderr, "buildbench init: %s\n", result.error().message.c_str());
      finish(kExitBadInput);
    }
    if (out->empty()) {
      fmt::print("{}", result->text);
    } else {
      std::ofstream file(*out, std::ios::binary | std::ios::trunc);
      file << result->text;
      file.close();
      if (!file) {
        std::fprintf(stderr, "buildbench init: cannot write %s\n", out->c_str());
        finish(kExitBadInput);
      }
      fmt::print("wrote {}\n", *out);
    }
    for (const auto& note : result->notes) std::fprintf(stderr, "note: %s\n", note.c_str());
    const std::string name = out->empty() ? "scenario" : *out;
    for (const auto& problem : result->problems) {
      std::fprintf(stderr, "%s\n", scenario::format_problem(name, problem).c_str());
    }
    std::fflush(stdout);
    finish(result->problems.empty() ? kExitOk : kExitFailure);
  });
}

}  // namespace buildbench::cli
