// buildbench: measure how fast Docker images build.
// main reads straight through: options -> command -> exit code.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"buildbench: measure how fast Docker images build.\n"
               "Exit codes: 0 ok, 1 a build or check failed, 2 bad input, 3 daemon unreachable, "
               "130 interrupted, 70 internal error."};
  app.set_version_flag("--version", std::string("buildbench ") + BUILDBENCH_VERSION);
  app.require_subcommand(1);
  buildbench::cli::register_all_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a command's own code, see cli::finish
  } catch (const CLI::Error& e) {
    int code = app.exit(e);  // prints help, the version, or the usage error
    return code == 0 ? 0 : buildbench::cli::kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "buildbench: internal error: %s\n", e.what());
    return buildbench::cli::kExitInternal;
  }
  return buildbench::cli::kExitOk;
}
