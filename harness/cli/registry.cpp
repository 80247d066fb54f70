#include "cli/commands.h"

#include <string_view>

namespace buildbench::cli {
namespace {

struct CommandEntry {
  std::string_view name;
  void (*add)(CLI::App&);
};

// Every top-level command, by the name it is called with (one function may
// add several: fixture and proxy).
constexpr CommandEntry kCommands[] = {
    {"daemon", register_daemon_command},   {"doctor", register_doctor_command},
    {"build", register_build_command},     {"run", register_run_command},
    {"merge", register_merge_command},     {"fixture", register_fixture_commands},
    {"proxy", register_fixture_commands},  {"images", register_images_command},
    {"report", register_report_command},   {"compare", register_compare_command},
    {"validate", register_validate_command},
};

}  // namespace

void register_all_commands(CLI::App& app) {
  for (size_t i = 0; i < std::size(kCommands); ++i) {
    bool added_already = false;
    for (size_t j = 0; j < i; ++j) added_already = added_already || kCommands[j].add == kCommands[i].add;
    if (!added_already) kCommands[i].add(app);
  }
}

void register_commands(CLI::App& app, int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "";
  for (const auto& entry : kCommands) {
    if (entry.name == command) {
      entry.add(app);
      return;
    }
  }
  register_all_commands(app);
}

}  // namespace buildbench::cli
