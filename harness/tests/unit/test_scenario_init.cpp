// `buildbench init`: a scenario for a repository shaped like a real one
// loads, passes the checks run makes, and keeps the build kinds that apply.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "scenario/init_project.h"
#include "scenario/preflight.h"
#include "scenario/scenario.h"
#include "support/repo_shapes.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench;
using namespace buildbench::scenario;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> labels(const Scenario& s) {
  std::vector<std::string> out;
  for (const auto& kind : s.build_kinds) out.push_back(kind.label());
  return out;
}

bool any_contains(const std::vector<std::string>& notes, const std::string& text) {
  return std::any_of(notes.begin(), notes.end(), [&](const std::string& note) { return note.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("init: each repository shape gives a scenario that validates, with the kinds that apply", "[scenario][init]") {
  const std::map<test::RepoShape, std::vector<std::string>> expected = {
      {test::RepoShape::GoMultiStage,
       {"cold", "warm", "code-change", "touch", "ignored-file-change", "non-go-change", "dependency-add", "cachebust:VERSION"}},
      {test::RepoShape::GoSingleStage, {"cold", "warm", "code-change", "touch", "cachebust"}},
      {test::RepoShape::PythonBusybox, {"cold", "warm", "code-change", "touch", "ignored-file-change"}},
  };
  for (auto shape : test::all_repo_shapes()) {
    CAPTURE(test::shape_name(shape));
    util::TempDir dir("buildbench-init-");
    test::write_repo(shape, dir.path() / "repo", "t");
    InitOptions options;
    options.repository = dir.path() / "repo";
    options.scenario_file = dir.path() / "scenarios" / "mine.json";
    auto result = init_scenario(options);
    REQUIRE(result);
    INFO(result->text);
    CHECK(result->problems.empty());
    test::write_file(options.scenario_file, result->text);
    auto loaded = load_scenario(options.scenario_file);
    REQUIRE(loaded.ok());
    CHECK(loaded.scenario->fixture.path_as_written == "../repo");
    CHECK(preflight(*loaded.scenario, {}).ok());
    CHECK(labels(*loaded.scenario) == expected.at(shape));
    // Each kind left out says why.
    if (shape == test::RepoShape::GoSingleStage) {
      CHECK(any_contains(result->notes, "left out ignored-file-change"));
      CHECK(any_contains(result->notes, "do not send go.sum"));
      CHECK(loaded.scenario->variants[0].build_args.at("GOPROXY").rfind("http://127.0.0.1:", 0) == 0);
      CHECK(loaded.scenario->base_images.at("golang:1.22-bookworm") == "buildbench/go:1.24");
    }
    if (shape == test::RepoShape::PythonBusybox) {
      CHECK(loaded.scenario->fixture.code_glob == "**/*.py");
      CHECK(any_contains(result->notes, "cachebust left out"));
      CHECK(loaded.scenario->base_images.at("busybox:1.36") == "buildbench/runtime:busybox");
    }
    if (shape == test::RepoShape::GoMultiStage) {
      CHECK(result->text.find("`# syntax=docker/dockerfile:1` needs a frontend image") != std::string::npos);
      CHECK(any_contains(result->notes, "left out dependency-bump"));
    }
  }
}

TEST_CASE("init: an image it cannot map is a note, and the scenario says what validate refuses", "[scenario][init]") {
  util::TempDir dir("buildbench-init-");
  test::write_file(dir.path() / "repo/app.py", "print(1)\n");
  test::write_file(dir.path() / "repo/Dockerfile", "FROM python:3.12-slim\nCOPY app.py /app.py\nCMD [\"python\", \"/app.py\"]\n");
  InitOptions options;
  options.repository = dir.path() / "repo";
  options.scenario_file = dir.path() / "s.json";
  auto result = init_scenario(options);
  REQUIRE(result);
  CHECK(any_contains(result->notes, "could not map python:3.12-slim"));
  REQUIRE_FALSE(result->problems.empty());
  CHECK_THAT(result->problems[0].message, Catch::Contains("Dockerfile:1: FROM python:3.12-slim"));
  CHECK(result->text.find("validate refuses this scenario until") != std::string::npos);
  // It still loads: the user fixes the one thing and goes on.
  CHECK(parse_scenario(result->text, options.scenario_file).ok());
}

TEST_CASE("init: a directory without a Dockerfile is an error", "[scenario][init]") {
  util::TempDir dir("buildbench-init-");
  test::write_file(dir.path() / "README.md", "x\n");
  InitOptions options;
  options.repository = dir.path();
  options.scenario_file = dir.path() / "s.json";
  auto result = init_scenario(options);
  REQUIRE_FALSE(result);
  CHECK_THAT(result.error().message, Catch::Contains("has no Dockerfile"));
}
