#pragma once
// Every subcommand registers itself on the CLI11 app with a callback that
// does the work. A callback ends with `finish(code)`: CLI11 carries a non-zero
// code out of parse() as CLI::RuntimeError, and main returns it.
// Exit codes (README): 0 ok, 1 a build or check failed, 2 bad input,
// 3 daemon unreachable, 130 interrupted, 70 internal error.
#include <CLI/CLI.hpp>

namespace buildbench::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitNoDaemon = 3;
inline constexpr int kExitInternal = 70;
inline constexpr int kExitInterrupted = 130;

// Ends a command's callback with `code` as the process exit code.
inline void finish(int code) {
  if (code != kExitOk) throw CLI::RuntimeError(code);
}

void register_all_commands(CLI::App& app);
// Only the command argv[1] names, when it names one (CLI11 building every
// command's options took ~0.3 ms of each start); all of them otherwise, so
// that help and usage errors list every command.
void register_commands(CLI::App& app, int argc, char** argv);

// One function per command file (cli/command_<name>.cpp).
void register_daemon_command(CLI::App& app);
void register_doctor_command(CLI::App& app);
void register_build_command(CLI::App& app);
void register_run_command(CLI::App& app);
void register_merge_command(CLI::App& app);
void register_images_command(CLI::App& app);
void register_fixture_commands(CLI::App& app);
void register_report_command(CLI::App& app);
void register_compare_command(CLI::App& app);
void register_validate_command(CLI::App& app);
void register_engine_command(CLI::App& app);
void register_clean_command(CLI::App& app);
void register_dockerfile_command(CLI::App& app);
void register_init_command(CLI::App& app);
void register_advise_command(CLI::App& app);

}  // namespace buildbench::cli
