// The /system/df build-cache reader on arbitrary bytes (as JSON when they
// parse): every shape of record, parent key spelling and size type.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "docker/build_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto json = nlohmann::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), nullptr, false);
  if (json.is_discarded()) return 0;
  auto usage = buildbench::docker::parse_build_cache_usage(json);
  if (!usage) return 0;
  if (usage->total_bytes() < 0) std::abort();
  for (const auto& record : usage->records) {
    for (const auto& parent : record.parents) {
      if (parent.empty()) std::abort();  // only strings the daemon named
    }
  }
  return 0;
}
