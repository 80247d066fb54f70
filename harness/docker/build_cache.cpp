#include "docker/build_cache.h"

#include <limits>

#include "docker/engine_client.h"

namespace buildbench::docker {
namespace {

// 26.1.5's /system/df dereferences nil with type=build-cache at these.
constexpr std::string_view kFirstSafeDfTypeVersion = "1.44";
constexpr std::string_view kReservedSpaceVersion = "1.48";

std::string string_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool bool_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

int64_t BuildCacheUsage::total_bytes() const {
  // Saturating: the sizes are the daemon's numbers, not to be trusted to sum.
  int64_t total = 0;
  for (const auto& record : records) {
    if (record.size <= 0) continue;
    total = record.size > std::numeric_limits<int64_t>::max() - total ? std::numeric_limits<int64_t>::max()
                                                                      : total + record.size;
  }
  return total;
}

std::string system_df_path(std::string_view api_version) {
  if (compare_api_versions(api_version, kFirstSafeDfTypeVersion) >= 0) return "/system/df?type=build-cache";
  return "/system/df";
}

util::Result<BuildCacheUsage> parse_build_cache_usage(const nlohmann::json& df) {
  if (!df.is_object()) return util::error("GET /system/df: expected a JSON object");
  auto cache = df.find("BuildCache");
  // null: a daemon with no BuildKit cache at all (20.10 says null when empty).
  if (cache == df.end()) return util::error("GET /system/df: the answer has no BuildCache");
  BuildCacheUsage usage;
  if (cache->is_null()) return usage;
  if (!cache->is_array()) return util::error("GET /system/df: BuildCache is not an array");
  for (const auto& entry : *cache) {
    if (!entry.is_object()) continue;
    BuildCacheRecord record;
    record.id = string_field(entry, "ID");
    record.type = string_field(entry, "Type");
    if (auto size = entry.find("Size"); size != entry.end() && size->is_number_integer()) {
      record.size = size->get<int64_t>();
    }
    record.in_use = bool_field(entry, "InUse");
    record.shared = bool_field(entry, "Shared");
    for (const char* key : {"Parents", " Parents"}) {
      auto parents = entry.find(key);
      if (parents == entry.end() || !parents->is_array()) continue;
      for (const auto& parent : *parents) {
        if (parent.is_string() && !parent.get_ref<const std::string&>().empty()) {
          record.parents.push_back(parent.get<std::string>());
        }
      }
    }
    if (record.parents.empty()) {
      if (std::string parent = string_field(entry, "Parent"); !parent.empty()) record.parents.push_back(parent);
    }
    usage.records.push_back(std::move(record));
  }
  return usage;
}

std::string build_prune_path(std::string_view api_version, const BuildCachePrune& prune) {
  std::string path = std::string("/build/prune?all=") + (prune.all ? "1" : "0");
  if (!prune.filters.empty()) path += "&filters=" + url_encode(prune.filters.dump());
  if (prune.keep_bytes) {
    const bool reserved = compare_api_versions(api_version, kReservedSpaceVersion) >= 0;
    path += std::string(reserved ? "&reserved-space=" : "&keep-storage=") + std::to_string(*prune.keep_bytes);
  }
  return path;
}

}  // namespace buildbench::docker
