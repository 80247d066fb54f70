// `buildbench advise` as a user runs it: a Dockerfile that does not parse is
// bad input (exit 2, file:line:column); the post's slow Dockerfile gets the
// fast layer order; --json and --sarif write what they promise. No daemon
// is needed (--verify is exercised by docs/advise.md's run and the
// integration.advise test covers the predictions on a daemon).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {
const std::string kBinary = std::string(BUILDBENCH_BINARY_DIR) + "/bin/buildbench";
const std::string kSlow = std::string(BUILDBENCH_SOURCE_DIR) + "/fixtures/dockerfiles/slow.Dockerfile";
}  // namespace

TEST_CASE("advise: a Dockerfile that does not parse is bad input with file:line:column", "[cli][advise]") {
  util::TempDir dir;
  const auto bad = dir.path() / "Dockerfile";
  test::write_file(bad, "FROM alpine\nRUN --mount=type=cahce,target=/x true\n");
  auto out = util::run_process({kBinary, "advise", bad.string()});
  REQUIRE(out);
  CHECK(out->exit_code == 2);
  CHECK(out->err.find(bad.string() + ":2:5:") != std::string::npos);
  CHECK(out->err.find("expected bind, cache, secret, ssh or tmpfs") != std::string::npos);
}

TEST_CASE("advise: the slow Dockerfile, as JSON and SARIF", "[cli][advise]") {
  util::TempDir dir;
  const auto sarif = dir.path() / "advise.sarif";
  auto out = util::run_process({kBinary, "advise", kSlow, "--json", "--only", "BB001", "--sarif", sarif.string()});
  REQUIRE(out);
  INFO(out->err);
  REQUIRE(out->exit_code == 0);
  auto json = nlohmann::json::parse(out->out);
  REQUIRE(json["findings"].size() == 1);
  CHECK(json["findings"][0]["rule"] == "BB001");
  const std::string rewritten = json["rewrite"]["dockerfile"];
  CHECK(rewritten.find("COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n") != std::string::npos);
  // The source edit re-runs COPY . . and the build; nothing is "not modelled".
  bool found = false;
  for (const auto& p : json["predictions"]) {
    if (p["kind"] != "source-edit") continue;
    found = true;
    CHECK(p["re_run"] == 2);
    CHECK(p["not_modelled"].empty());
  }
  CHECK(found);
  auto log = nlohmann::json::parse(test::read_file(sarif));
  CHECK(log["version"] == "2.1.0");
  CHECK(log["runs"][0]["results"][0]["ruleId"] == "BB001");
  CHECK(log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 5);
}

TEST_CASE("advise: unknown options and changes are bad input", "[cli][advise]") {
  auto out = util::run_process({kBinary, "advise", kSlow, "--change", "weather:rain"});
  REQUIRE(out);
  CHECK(out->exit_code == 2);
  CHECK(out->err.find("unknown kind") != std::string::npos);
  auto explain = util::run_process({kBinary, "advise", kSlow, "--explain", "9/9"});
  REQUIRE(explain);
  CHECK(explain->exit_code == 2);
}
