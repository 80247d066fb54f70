#include <catch2/catch.hpp>

#include "fixture/params.h"

using namespace buildbench::fixture;

namespace {
std::string message_of(const FixtureParams& p) {
  auto status = validate(p);
  return status.ok() ? std::string() : status.error().message;
}
}  // namespace

TEST_CASE("default fixture parameters are valid", "[fixture][params]") { CHECK(validate(FixtureParams{}).ok()); }

TEST_CASE("invalid parameters are named with what is expected", "[fixture][params]") {
  FixtureParams p;
  p.packages = 0;
  CHECK_THAT(message_of(p), Catch::Contains("'packages'") && Catch::Contains("expected 1 to"));
  p = {};
  p.import_depth = 30;
  CHECK_THAT(message_of(p), Catch::Contains("'import_depth'"));
  p = {};
  p.import_fan_out = 50;
  CHECK_THAT(message_of(p), Catch::Contains("'import_fan_out'"));
  p = {};
  p.test_files_per_package = 9;
  CHECK_THAT(message_of(p), Catch::Contains("'test_files_per_package'") && Catch::Contains("files_per_package"));
  p = {};
  p.module_path = "Bad Path";
  CHECK_THAT(message_of(p), Catch::Contains("'module_path'"));
  p = {};
  p.binaries = {{"api", 0.5}, {"api", 0.5}};
  CHECK_THAT(message_of(p), Catch::Contains("twice"));
  p = {};
  p.binaries = {{"Api", 0.5}};
  CHECK_THAT(message_of(p), Catch::Contains("'binaries'"));
  p = {};
  p.binaries = {{"api", 1.5}};
  CHECK_THAT(message_of(p), Catch::Contains("package_share"));
  p = {};
  p.junk_dir = "../outside";
  CHECK_THAT(message_of(p), Catch::Contains("'junk_dir'"));
  p = {};
  p.junk_dir = "internal";
  CHECK_THAT(message_of(p), Catch::Contains("collides"));
  p = {};
  p.dep_depth = 9;
  CHECK_THAT(message_of(p), Catch::Contains("'dep_depth'"));
  p = {};
  p.deps_namespace = p.module_path + "/deps";
  CHECK_THAT(message_of(p), Catch::Contains("'deps_namespace'"));
  p = {};
  p.dep_modules = 0;
  p.dep_depth = 0;
  CHECK(message_of(p).empty());  // without modules the depth does not matter
  p.dep_payload_bytes = 1024;
  CHECK_THAT(message_of(p), Catch::Contains("'dep_payload_bytes'") && Catch::Contains("dep_modules is 0"));
  p = {};
  p.dep_payload_bytes = kMaxDepPayloadBytes;
  CHECK(message_of(p).empty());
  p.dep_payload_bytes = kMaxDepPayloadBytes + 1;
  CHECK_THAT(message_of(p), Catch::Contains("'dep_payload_bytes'") && Catch::Contains("expected 0 to 419430400"));
  p.deps_preset = "grpc-service";  // a preset keeps the synthetic modules, so the payload applies
  p.dep_payload_bytes = 1024;
  CHECK(message_of(p).empty());
}

TEST_CASE("parameters round-trip through JSON", "[fixture][params]") {
  FixtureParams p;
  p.packages = 40;
  p.binaries = {{"api", 0.25}, {"worker", 1.0}, {"cli", 0.5}};
  p.seed = 99;
  p.junk_dir = "node_modules";
  p.dep_payload_bytes = 10000000;
  CHECK(to_json(p)["dep_payload_bytes"] == 10000000);
  CHECK(to_json(FixtureParams{})["dep_payload_bytes"] == 0);  // always written, default included
  auto back = params_from_json(to_json(p));
  REQUIRE(back.ok());
  CHECK(*back == p);
}

TEST_CASE("JSON parameters: missing keys default, bad keys and types are named", "[fixture][params]") {
  auto partial = params_from_json(nlohmann::json{{"packages", 6}, {"import_depth", 2}});
  REQUIRE(partial.ok());
  CHECK(partial->packages == 6);
  CHECK(partial->files_per_package == FixtureParams{}.files_per_package);

  auto unknown = params_from_json(nlohmann::json{{"pakages", 6}});
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("unknown fixture parameter 'pakages'") && Catch::Contains("packages"));

  auto negative = params_from_json(nlohmann::json{{"packages", -3}});
  REQUIRE_FALSE(negative.ok());
  CHECK_THAT(negative.error().message, Catch::Contains("'packages'") && Catch::Contains("negative"));

  auto fractional = params_from_json(nlohmann::json::parse(R"({"dep_payload_bytes": 1.5e6})"));
  REQUIRE_FALSE(fractional.ok());
  CHECK_THAT(fractional.error().message, Catch::Contains("'dep_payload_bytes'") && Catch::Contains("integer"));

  auto wrong_type = params_from_json(nlohmann::json{{"module_path", 5}});
  REQUIRE_FALSE(wrong_type.ok());
  CHECK_THAT(wrong_type.error().message, Catch::Contains("'module_path'") && Catch::Contains("string"));

  auto bad_binary = params_from_json(nlohmann::json::parse(R"({"binaries":[{"name":"api","share":1}]})"));
  REQUIRE_FALSE(bad_binary.ok());
  CHECK_THAT(bad_binary.error().message, Catch::Contains("'share'"));

  auto invalid = params_from_json(nlohmann::json{{"packages", 2}, {"import_depth", 5}});
  REQUIRE_FALSE(invalid.ok());
  CHECK_THAT(invalid.error().message, Catch::Contains("'import_depth'"));

  CHECK_FALSE(params_from_json(nlohmann::json::array()).ok());
}
