// buildbench: measure how fast Docker images build.
// main reads straight through: options -> command -> exit code.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "cli/commands.h"

namespace {

int run(int argc, char** argv) {
  CLI::App app{"buildbench: measure how fast Docker images build.\n"
               "Exit codes: 0 ok, 1 a build or check failed, 2 bad input, 3 daemon unreachable, "
               "130 interrupted, 70 internal error."};
  app.set_version_flag("--version", std::string("buildbench ") + BUILDBENCH_VERSION);
  app.require_subcommand(1);
  buildbench::cli::register_commands(app, argc, argv);
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

}  // namespace

int main(int argc, char** argv) {
  const int code = run(argc, argv);
  // Every command has released what it owns by now (results fsync'ed and
  // closed, daemons and sessions stopped). What is left are library-wide
  // statics, and tearing them down (gRPC, OpenSSL, libcurl) took ~4 ms, a
  // measurable share of a warm no-op build. Flush our output and leave.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}
