// The Go module parsers that see outside bytes: GOPROXY request paths (from
// any HTTP client), go.mod and go.sum texts (from fixtures a user may have
// edited), module zips and fixture parameters. None may crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fixture/go_module.h"
#include "fixture/module_proxy.h"
#include "fixture/module_store.h"
#include "fixture/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace buildbench::fixture;

  if (auto request = parse_proxy_path(input); request.ok()) {
    // Whatever parses must name a module path that passes Go's checks.
    if (!check_module_path(request->module).ok()) __builtin_trap();
  }
  if (auto unescaped = unescape_module_path(input); unescaped.ok()) {
    // Escaping is the inverse of unescaping.
    auto again = unescape_module_path(escape_module_path(*unescaped));
    if (!again.ok() || *again != *unescaped) __builtin_trap();
  }
  auto requires_found = parse_gomod_requires(input);
  std::string edited = set_gomod_require(input, {"example.test/fuzz", "v1.0.0", false});
  bool found = false;
  for (const auto& r : parse_gomod_requires(edited)) found = found || r.path == "example.test/fuzz";
  if (!found) __builtin_trap();
  (void)requires_found;
  (void)merge_gosum(input, "example.test/a v1.0.0 h1:x\n");
  (void)check_semver(input);
  (void)check_module_file_path(input);
  (void)read_zip(input);
  auto json = nlohmann::json::parse(input, nullptr, false);
  if (!json.is_discarded()) (void)params_from_json(json);
  return 0;
}
