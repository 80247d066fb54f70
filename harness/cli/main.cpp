// buildbench: measure how fast Docker images build.
// main reads straight through: options -> command -> exit code.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"buildbench: measure how fast Docker images build"};
  app.set_version_flag("--version", std::string("buildbench ") + BUILDBENCH_VERSION);
  app.require_subcommand(1);
  buildbench::cli::register_all_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);  // usage errors exit 2 (CLI11 maps them), --help exits 0
  }
  try {
    return buildbench::cli::run_selected_command(app);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "buildbench: internal error: %s\n", e.what());
    return 70;
  }
}
