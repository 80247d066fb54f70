// The real-module store's parsers of outside text: go.mod files from Debian
// packages (parse_gomod, then rewrite_gomod), Debian version strings and
// file paths from a package's tree. None may crash; a rewritten go.mod must
// parse back to the same module with only the requirements it was given.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fixture/real_modules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace buildbench::fixture;

  if (auto info = parse_gomod(input); info.ok()) {
    std::map<std::string, std::string> versions;
    for (const auto& require : info->requires_list) versions.emplace(require.path, "v1.2.3");
    std::string rewritten = rewrite_gomod(*info, versions);
    auto again = parse_gomod(rewritten);
    // A module path with spaces or quotes may not survive; one that is a
    // valid module path must.
    if (check_module_path(info->module_path).ok()) {
      if (!again.ok() || again->module_path != info->module_path) __builtin_trap();
      for (const auto& require : again->requires_list) {
        if (versions.count(require.path) == 0 || require.version != "v1.2.3") __builtin_trap();
      }
    }
  }
  if (auto version = module_version_from_debian(input, "example.test/m"); version.ok()) {
    if (module_version_less(*version, *version)) __builtin_trap();
  }
  (void)module_version_less(input, "v1.0.0");
  (void)check_zip_file_path(input);
  (void)excluded_from_module_zip(input, {"sub"});
  return 0;
}
