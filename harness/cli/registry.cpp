#include "cli/commands.h"

namespace buildbench::cli {

void register_all_commands(CLI::App& app) {
  register_daemon_command(app);
  register_doctor_command(app);
  register_build_command(app);
  register_run_command(app);
  register_merge_command(app);
  register_fixture_commands(app);
  register_images_command(app);
  register_report_command(app);
  register_compare_command(app);
  register_validate_command(app);
}

}  // namespace buildbench::cli
