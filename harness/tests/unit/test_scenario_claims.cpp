// Claims in scenario files: every field read, defaults, the canonical form,
// and the checks of names against the scenario. The exact problem messages
// of broken claims are in tests/data/scenarios/broken/33-claims.*.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "scenario/claims.h"
#include "scenario/scenario.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace buildbench::scenario;
using buildbench::test::data_path;

namespace {

Scenario load_ok(const fs::path& file) {
  auto outcome = load_scenario(file);
  INFO(outcome.report(file));
  REQUIRE(outcome.ok());
  return *outcome.scenario;
}

std::vector<std::string> messages(const std::vector<Problem>& problems) {
  std::vector<std::string> out;
  for (const auto& problem : problems) out.push_back(problem.pointer + ": " + problem.message);
  return out;
}

}  // namespace

TEST_CASE("claims: every check kind is read with its fields and defaults", "[scenario][claims]") {
  Scenario s = load_ok(data_path("scenarios/valid/claims.json"));
  REQUIRE(s.claims.size() == 4);

  const Claim& faster = s.claims[0];
  CHECK(faster.id == "faster");
  CHECK(faster.text == "Fast is much faster.");
  CHECK(faster.note == "Taken as half the time.");
  REQUIRE(faster.checks.size() == 2);
  CHECK(faster.checks[0].type == CheckType::Faster);
  CHECK(faster.checks[0].variant == "fast");
  CHECK(faster.checks[0].than == "slow");
  CHECK(faster.checks[0].kind == "cold");
  CHECK(faster.checks[0].metric == "wall_s");  // the default
  CHECK(faster.checks[0].holds_at_most == 0.5);
  CHECK(faster.checks[1].metric == "context_transfer_s");
  CHECK_FALSE(faster.checks[1].holds_at_most.has_value());  // null: any significant speed-up holds

  const Claim& less = s.claims[1];
  CHECK(less.note.empty());
  REQUIRE(less.checks.size() == 1);
  CHECK(less.checks[0].type == CheckType::Less);
  CHECK(less.checks[0].metric == "context_bytes");

  const Claim& cache = s.claims[2];
  REQUIRE(cache.checks.size() == 1);
  CHECK(cache.checks[0].type == CheckType::CachedUntil);
  CHECK(cache.checks[0].kind == "cachebust:SEED");  // a build kind's label
  CHECK(cache.checks[0].last_cached_step == "RUN go mod download");

  const Claim& small = s.claims[3];
  REQUIRE(small.checks.size() == 1);
  CHECK(small.checks[0].type == CheckType::AtMost);
  CHECK(small.checks[0].metric == "image_size");
  CHECK(small.checks[0].value == 20000000.0);
}

TEST_CASE("claims: a scenario without claims has none, and says so in its canonical form", "[scenario][claims]") {
  Scenario s = load_ok(data_path("scenarios/valid/minimal.json"));
  CHECK(s.claims.empty());
  CHECK(to_json(s)["claims"] == nlohmann::ordered_json::array());
}

TEST_CASE("claims: the canonical JSON reads back to the same claims", "[scenario][claims]") {
  Scenario s = load_ok(data_path("scenarios/valid/claims.json"));
  auto json = claims_to_json(s.claims);
  CHECK(json[0]["checks"][1]["holds_at_most"].is_null());
  CHECK_FALSE(json[2]["checks"][0].contains("metric"));  // cached_until has none
  CHECK_FALSE(json[2]["checks"][0].contains("than"));
  std::vector<std::string> variants = {"slow", "fast"};
  std::vector<std::string> kinds = {"cold", "cachebust:SEED"};
  auto again = parse_claims(json, "/claims", &variants, &kinds);
  INFO(messages(again.problems).size());
  REQUIRE(again.problems.empty());
  CHECK(claims_to_json(again.claims) == json);
}

TEST_CASE("claims: names are checked against the scenario unless the lists are null", "[scenario][claims]") {
  auto json = nlohmann::ordered_json::parse(R"([
    {"id": "a", "text": "t", "checks": [{"check": "less", "variant": "x", "than": "y", "kind": "z", "metric": "proxy_bytes"}]}
  ])");
  std::vector<std::string> variants = {"slow", "fast"};
  std::vector<std::string> kinds = {"cold"};
  auto checked = parse_claims(json, "/claims", &variants, &kinds);
  CHECK(messages(checked.problems) ==
        std::vector<std::string>{
            "/claims/0/checks/0/variant: unknown variant `x` (expected one of: `slow`, `fast`); a check names a variant of /variants",
            "/claims/0/checks/0/than: unknown variant `y` (expected one of: `slow`, `fast`); a check names a variant of /variants",
            "/claims/0/checks/0/kind: unknown build kind `z` (expected one of: `cold`); a check names a build kind of /build_kinds"});
  CHECK(checked.claims.empty());
  auto unchecked = parse_claims(json, "/claims", nullptr, nullptr);
  CHECK(unchecked.problems.empty());
  REQUIRE(unchecked.claims.size() == 1);
  CHECK(unchecked.claims[0].checks[0].variant == "x");
}

TEST_CASE("claims: the array itself must be an array of at most 64 claims", "[scenario][claims]") {
  auto not_array = parse_claims(nlohmann::ordered_json::object(), "/claims", nullptr, nullptr);
  REQUIRE(not_array.problems.size() == 1);
  CHECK(not_array.problems[0].pointer == "/claims");
  CHECK(not_array.problems[0].message.rfind("is an object (expected an array of claims", 0) == 0);
  nlohmann::ordered_json many = nlohmann::ordered_json::array();
  for (int i = 0; i < 65; ++i) many.push_back(nlohmann::ordered_json::object());
  auto too_many = parse_claims(many, "/claims", nullptr, nullptr);
  REQUIRE(too_many.problems.size() == 1);
  CHECK(too_many.problems[0].message == "has 65 claims (expected at most 64)");
}

TEST_CASE("claims: the scenarios of the repository validate with their claims", "[scenario][claims]") {
  Scenario seed = load_ok(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/seed.json");
  std::vector<std::string> ids;
  for (const auto& claim : seed.claims) ids.push_back(claim.id);
  CHECK(ids == std::vector<std::string>{"layer-order", "cache-mounts", "parallel-stages", "dockerignore", "cachebust",
                                        "small-image"});
  for (const auto& claim : seed.claims) {
    // A note explains; measured numbers belong to the report, never to the scenario.
    CHECK(claim.note.find("MB") == std::string::npos);
  }
}
