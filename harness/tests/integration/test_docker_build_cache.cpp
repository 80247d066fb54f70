// /system/df and /build/prune on the daemon DOCKER_HOST names, at every API
// version whose parameters differ (docs/engines-protocol.md): the df query
// we send must not crash the daemon (26.1.5 panics on type=build-cache at
// 1.42-1.43), and the prune's space parameter must be accepted.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker/build_cache.h"
#include "docker/engine_client.h"
#include "support/test_support.h"

using namespace buildbench;

namespace {

// The daemon's own API version, and the versions our parameters switch at
// that it speaks (every daemon here answers down to 1.24 at least).
std::vector<std::string> versions_to_try(docker::EngineClient& client) {
  auto ping = client.ping();
  REQUIRE(ping.ok());
  std::vector<std::string> versions;
  for (const char* version : {"1.41", "1.42", "1.43", "1.44", "1.47", "1.48"}) {
    if (docker::compare_api_versions(version, ping->api_version) <= 0) versions.emplace_back(version);
  }
  return versions;
}

docker::EngineClient pinned_client(const std::string& version) {
  auto endpoint = docker::Endpoint::from_environment();
  REQUIRE(endpoint.ok());
  endpoint->pinned_api_version = version;
  return docker::EngineClient(*endpoint);
}

}  // namespace

TEST_CASE("build cache usage and a no-op prune work at each API version the daemon speaks",
          "[integration][build_cache]") {
  test::require_daemon();
  auto negotiated = docker::EngineClient(*docker::Endpoint::from_environment());
  const auto versions = versions_to_try(negotiated);
  REQUIRE_FALSE(versions.empty());
  for (const auto& version : versions) {
    INFO("API " << version);
    auto client = pinned_client(version);
    auto usage = client.build_cache_usage();
    INFO((usage ? std::string() : usage.error().message));
    REQUIRE(usage.ok());
    CHECK(usage->total_bytes() >= 0);

    // Prunes nothing: an id no record has, and the space to keep set far
    // above any cache. The daemon must accept the parameter of this version.
    docker::BuildCachePrune prune;
    prune.filters = {{"id", {"buildbench-test-no-such-record-" + test::unique_token()}}};
    prune.keep_bytes = uint64_t{1} << 50;
    auto pruned = client.prune_build_cache(prune);
    INFO((pruned ? std::string() : pruned.error().message));
    REQUIRE(pruned.ok());
    CHECK(*pruned == 0);
  }
}
