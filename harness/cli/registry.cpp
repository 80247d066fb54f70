#include "cli/commands.h"

#include <array>
#include <string_view>

namespace buildbench::cli {
namespace {

// One function per command, with the names it adds (register_fixture_commands
// adds two top-level commands, fixture and proxy; the other second names are empty).
struct CommandEntry {
  void (*add)(CLI::App&);
  std::array<std::string_view, 2> names;
};

constexpr CommandEntry kCommands[] = {
    {register_daemon_command, {"daemon"}},   {register_doctor_command, {"doctor"}},
    {register_build_command, {"build"}},     {register_run_command, {"run"}},
    {register_merge_command, {"merge"}},     {register_fixture_commands, {"fixture", "proxy"}},
    {register_images_command, {"images"}},   {register_report_command, {"report"}},
    {register_compare_command, {"compare"}}, {register_validate_command, {"validate"}},
    {register_engine_command, {"engine"}},   {register_clean_command, {"clean"}},
    {register_dockerfile_command, {"dockerfile"}},
    {register_init_command, {"init"}},
    {register_advise_command, {"advise"}},
};

}  // namespace

void register_all_commands(CLI::App& app) {
  for (const auto& entry : kCommands) entry.add(app);
}

void register_commands(CLI::App& app, int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "";
  for (const auto& entry : kCommands) {
    if (!command.empty() && (entry.names[0] == command || entry.names[1] == command)) {
      entry.add(app);
      return;
    }
  }
  register_all_commands(app);
}

}  // namespace buildbench::cli
