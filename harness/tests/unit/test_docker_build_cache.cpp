// The build cache's API differences by version: which /system/df query is
// safe, how parents are spelled, and how /build/prune names the space to keep.
#include <catch2/catch.hpp>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "docker/build_cache.h"

using buildbench::docker::build_prune_path;
using buildbench::docker::BuildCachePrune;
using buildbench::docker::parse_build_cache_usage;
using buildbench::docker::system_df_path;

TEST_CASE("system/df: type=build-cache only from API 1.44 (26.1.5 panics at 1.42 and 1.43)", "[build_cache]") {
  CHECK(system_df_path("1.41") == "/system/df");
  CHECK(system_df_path("1.42") == "/system/df");
  CHECK(system_df_path("1.43") == "/system/df");
  CHECK(system_df_path("1.44") == "/system/df?type=build-cache");
  CHECK(system_df_path("1.47") == "/system/df?type=build-cache");
  CHECK(system_df_path("1.51") == "/system/df?type=build-cache");
}

TEST_CASE("system/df: parents as Parent, Parents and \" Parents\"", "[build_cache]") {
  // Shapes as 20.10 (1.41), the API docs (1.42+) and 26.1/28.5 (leading space) send them.
  const auto df = nlohmann::json::parse(R"({"BuildCache": [
    {"ID": "a", "Type": "regular", "Size": 100, "InUse": false, "Shared": true, "Parent": "p0"},
    {"ID": "b", "Type": "source.local", "Size": 20, "InUse": true, "Parents": ["p1", "p2"]},
    {"ID": "c", "Type": "exec.cachemount", "Size": 3, " Parents": ["p3"]},
    {"ID": "d", "Type": "regular", "Size": 4, " Parents": null},
    {"ID": "e", "Type": "regular"}
  ]})");
  auto usage = parse_build_cache_usage(df);
  REQUIRE(usage.ok());
  REQUIRE(usage->records.size() == 5);
  CHECK(usage->records[0].parents == std::vector<std::string>{"p0"});
  CHECK(usage->records[0].shared);
  CHECK(usage->records[1].parents == std::vector<std::string>{"p1", "p2"});
  CHECK(usage->records[1].in_use);
  CHECK(usage->records[1].type == "source.local");
  CHECK(usage->records[2].parents == std::vector<std::string>{"p3"});
  CHECK(usage->records[3].parents.empty());
  CHECK(usage->records[4].size == -1);
  CHECK(usage->total_bytes() == 127);
}

TEST_CASE("system/df: an empty cache is null on 20.10; a missing or odd BuildCache is an error", "[build_cache]") {
  auto empty = parse_build_cache_usage(nlohmann::json::parse(R"({"BuildCache": null, "Images": []})"));
  REQUIRE(empty.ok());
  CHECK(empty->records.empty());
  CHECK(empty->total_bytes() == 0);
  CHECK_FALSE(parse_build_cache_usage(nlohmann::json::parse(R"({"Images": []})")).ok());
  CHECK_FALSE(parse_build_cache_usage(nlohmann::json::parse(R"({"BuildCache": {}})")).ok());
  CHECK_FALSE(parse_build_cache_usage(nlohmann::json::parse("[]")).ok());
  // Sizes are the daemon's: their sum saturates instead of overflowing.
  auto huge = parse_build_cache_usage(nlohmann::json::parse(
      R"({"BuildCache": [{"Size": 9223372036854775807}, {"Size": 9223372036854775807}, {"Parents": ["", "p"]}]})"));
  REQUIRE(huge.ok());
  CHECK(huge->total_bytes() == INT64_MAX);
  CHECK(huge->records[2].parents == std::vector<std::string>{"p"});
}

TEST_CASE("build/prune: keep-storage up to 1.47, reserved-space from 1.48", "[build_cache]") {
  BuildCachePrune prune;
  prune.all = true;
  CHECK(build_prune_path("1.41", prune) == "/build/prune?all=1");
  CHECK(build_prune_path("1.51", prune) == "/build/prune?all=1");
  prune.keep_bytes = 1048576;
  CHECK(build_prune_path("1.41", prune) == "/build/prune?all=1&keep-storage=1048576");
  CHECK(build_prune_path("1.47", prune) == "/build/prune?all=1&keep-storage=1048576");
  CHECK(build_prune_path("1.48", prune) == "/build/prune?all=1&reserved-space=1048576");
  CHECK(build_prune_path("1.51", prune) == "/build/prune?all=1&reserved-space=1048576");
  prune.all = false;
  prune.keep_bytes.reset();
  prune.filters = {{"type", {"exec.cachemount"}}};
  CHECK(build_prune_path("1.45", prune) == "/build/prune?all=0&filters=%7B%22type%22%3A%5B%22exec.cachemount%22%5D%7D");
}
