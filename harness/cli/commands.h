#pragma once
// Every subcommand registers itself on the CLI11 app and leaves a callback
// that returns the process exit code (see docs in README: 0 ok, 1 a build or
// check failed, 2 bad input, 3 daemon unreachable, 130 interrupted).
#include <CLI/CLI.hpp>

namespace buildbench::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitNoDaemon = 3;
inline constexpr int kExitInterrupted = 130;

void register_all_commands(CLI::App& app);
int run_selected_command(CLI::App& app);

// One function per command file (cli/command_<name>.cpp).
void register_daemon_command(CLI::App& app);
void register_doctor_command(CLI::App& app);
void register_build_command(CLI::App& app);
void register_images_command(CLI::App& app);
void register_fixture_commands(CLI::App& app);

}  // namespace buildbench::cli
