#pragma once
// The build cache as the Engine API shows it (GET /system/df) and prunes it
// (POST /build/prune), with what differs between API versions
// (docs/engines-protocol.md):
//  - `?type=build-cache` (API 1.42+) makes /system/df size only the build
//    cache, but Docker 26.1.5 panics on it at 1.42 and 1.43 (nil dereference,
//    empty reply): it is sent from 1.44 on only.
//  - A record's parents: `Parent` (string) up to 1.41, `Parents` (array) from
//    1.42; 26.1 and 28.5 spell the key `" Parents"`, with a leading space.
//  - The space to keep: `keep-storage` up to 1.47, `reserved-space` from 1.48
//    (keep-storage is deprecated there, and removal is planned).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace buildbench::docker {

struct BuildCacheRecord {
  std::string id;
  std::string type;  // regular, source.local, exec.cachemount, ...
  int64_t size = -1;
  bool in_use = false;
  bool shared = false;
  std::vector<std::string> parents;
};

struct BuildCacheUsage {
  std::vector<BuildCacheRecord> records;
  // Sum of the records' sizes (those the daemon gave a size).
  int64_t total_bytes() const;
};

// The /system/df path (unversioned) for the API version in use.
std::string system_df_path(std::string_view api_version);
// The `BuildCache` array of a /system/df answer; an answer without one is an
// error (the daemon predates BuildKit or sent something else).
util::Result<BuildCacheUsage> parse_build_cache_usage(const nlohmann::json& df);

struct BuildCachePrune {
  bool all = false;  // also what is not dangling (internal records, cache mounts)
  nlohmann::json filters = nlohmann::json::object();  // e.g. {"type":["exec.cachemount"]}
  std::optional<uint64_t> keep_bytes;  // keep this much cache, drop the least recently used beyond it
};
// The /build/prune path (unversioned, with its query) for the API version in use.
std::string build_prune_path(std::string_view api_version, const BuildCachePrune& prune);

}  // namespace buildbench::docker
