// `buildbench dockerfile parse`: the model printed for people and as JSON,
// and a Dockerfile that does not parse reported like a compiler, exit 2.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

const std::string kBinary = std::string(BUILDBENCH_BINARY_DIR) + "/bin/buildbench";
const std::string kFixtures = std::string(BUILDBENCH_SOURCE_DIR) + "/fixtures/dockerfiles/";

}  // namespace

TEST_CASE("dockerfile parse --json prints the model", "[cli][dockerfile]") {
  auto run = util::run_process({kBinary, "dockerfile", "parse", kFixtures + "production.Dockerfile", "--json"});
  REQUIRE(run);
  INFO(run->err);
  REQUIRE(run->exit_code == 0);
  auto model = nlohmann::json::parse(run->out);
  REQUIRE(model["stages"].size() == 2);
  CHECK(model["stages"][0]["name"] == "build");
  const auto& build = model["stages"][0]["instructions"][5];
  CHECK(build["keyword"] == "RUN");
  CHECK(build["mounts"][1]["target"] == "/root/.cache/go-build");
  CHECK(build["lines"]["first"] == 9);
  CHECK(build["lines"]["last"] == 11);
}

TEST_CASE("dockerfile parse shows stages, reachability and expanded words", "[cli][dockerfile]") {
  util::TempDir dir("buildbench-dockerfile-");
  test::write_file(dir.path() / "Dockerfile",
                   "ARG GO=1.24\n"
                   "FROM golang:${GO} AS build\n"
                   "ARG GO\n"
                   "WORKDIR /src/$GO\n"
                   "FROM build AS lint\n"
                   "FROM scratch\n"
                   "COPY --from=build /src /src\n");
  auto run = util::run_process(
      {kBinary, "dockerfile", "parse", (dir.path() / "Dockerfile").string(), "--build-arg", "GO=1.23"});
  REQUIRE(run);
  INFO(run->out << run->err);
  REQUIRE(run->exit_code == 0);
  CHECK(run->out.find("stage 0 build from image golang:1.23") != std::string::npos);
  CHECK(run->out.find("/src/$GO → /src/1.23") != std::string::npos);
  CHECK(run->out.find("lint from stage build (not built for this target)") != std::string::npos);
  CHECK(run->out.find("from stage build") != std::string::npos);
}

TEST_CASE("dockerfile parse reports a bad Dockerfile as file:line:column, exit 2", "[cli][dockerfile]") {
  util::TempDir dir("buildbench-dockerfile-");
  test::write_file(dir.path() / "Dockerfile", "FROM alpine\nRUN --mount=type=cache go build\n");
  auto run = util::run_process({kBinary, "dockerfile", "parse", (dir.path() / "Dockerfile").string()});
  REQUIRE(run);
  CHECK(run->exit_code == 2);
  CHECK(run->err.find((dir.path() / "Dockerfile").string() + ":2:5: RUN --mount type=cache needs a target") !=
        std::string::npos);
}
