// validate = run: every scenario `buildbench run` refuses before building,
// `buildbench validate` refuses too, with the same JSON pointers and
// messages (both call scenario::preflight), and each refusal of a build
// kind is what the run's mutation would fail with.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "fixture/module_store.h"
#include "fixture/mutations.h"
#include "runner/run_scenario.h"
#include "runner/workspace.h"
#include "scenario/preflight.h"
#include "scenario/scenario.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench;
namespace fs = std::filesystem;
using test::write_file;

namespace {

struct Refusal {
  const char* what;
  const char* dockerfile;
  const char* kinds;
  const char* extra;  // more top-level keys, each followed by a comma
  const char* expected_pointer;
  const char* expected_text;
};

// One entry per reason run refuses a scenario before building.
const Refusal kRefusals[] = {
    {"copied go.sum missing", "FROM golang:1.24-alpine\nCOPY go.mod go.sum ./\n", R"(["cold"])", "",
     "/variants/0/dockerfile", "copies go.sum, which the project does not have"},
    {"copied file missing", "FROM golang:1.24-alpine\nCOPY config.yaml ./\n", R"(["cold"])", "",
     "/variants/0/dockerfile", "copies config.yaml, which the project does not have"},
    {"network step with no network", "FROM golang:1.24-alpine\nRUN pip install flask\n", R"(["cold"])",
     R"("network_mode": "none",)", "/variants/0/dockerfile", "needs a network"},
    {"apk in an offline stand-in", "FROM alpine:3.21\nRUN apk add git\n", R"(["cold"])", "", "/variants/0/dockerfile",
     "has no apk"},
    {"hard-coded GOPROXY ARG", "FROM golang:1.24-alpine\nARG GOPROXY=https://proxy.golang.org\n", R"(["cold"])", "",
     "/variants/0/dockerfile", "instead of buildbench's module proxy"},
    {"FROM image not available offline", "FROM example.invalid/nothing:1\n", R"(["cold"])", "",
     "/variants/0/dockerfile", "FROM example.invalid/nothing:1 is not"},
    {"Dockerfile that does not parse", "FROM golang:1.24-alpine\nRUN --mount=type=cahce,target=/x true\n",
     R"(["cold"])", "", "/variants/0/dockerfile", "app/Dockerfile:2"},
    {"cachebust without a declared ARG", "FROM golang:1.24-alpine\nCOPY . .\n", R"(["cold", "cachebust"])", "",
     "/build_kinds/1", "declares `ARG CACHEBUST`"},
    {"code-change with no code file", "FROM golang:1.24-alpine\nCOPY go.mod ./\n", R"(["cold", "code-change"])", "",
     "/build_kinds/1", "no Go source file"},
    {"touch with no code file", "FROM golang:1.24-alpine\nCOPY go.mod ./\n", R"(["cold", "touch"])", "",
     "/build_kinds/1", "no Go source file"},
    {"ignored-file-change without .dockerignore", "FROM golang:1.24-alpine\nCOPY . .\n",
     R"(["cold", "ignored-file-change"])", "", "/build_kinds/1", "no .dockerignore"},
    {"non-go-change without a copied text file", "FROM golang:1.24-alpine\nCOPY . .\n",
     R"(["cold", "non-go-change"])", "", "/build_kinds/1", "no COPY step sends a text file"},
    {"dependency-bump with nothing the proxy serves", "FROM golang:1.24-alpine\nCOPY . .\n",
     R"(["cold", "dependency-bump"])", "", "/build_kinds/1", "go.mod requires no module"},
    {"go directive newer than the image", nullptr, R"(["cold"])", "", "/fixture/path", "is newer than the Go"},
    {"custom append to a missing file", "FROM golang:1.24-alpine\nCOPY . .\n",
     R"(["cold", {"kind": "custom", "name": "x", "append": {"file": "nope.txt", "line": "x"}}])", "",
     "/build_kinds/1/append/file", "is not a file of the project"},
    {"an engine buildbench does not know", "FROM golang:1.24-alpine\nCOPY . .\n", R"(["cold"])",
     R"("engines": ["19.03"],)", "/engines/0", "19.03"},
};

struct Written {
  util::TempDir dir{"buildbench-refusal-"};
  fs::path scenario;
};

void write_case(Written& written, const Refusal& refusal) {
  fs::path app = written.dir.path() / "app";
  write_file(app / "main.go", "package main\n\nfunc main() {}\n");
  write_file(app / "go.mod", refusal.dockerfile == nullptr ? "module x\n\ngo 1.26\n" : "module x\n\ngo 1.22\n");
  write_file(app / "Dockerfile",
             refusal.dockerfile == nullptr ? "FROM golang:1.24-alpine\nCOPY . .\nRUN go build .\n" : refusal.dockerfile);
  written.scenario = written.dir.path() / "scenario.json";
  write_file(written.scenario, std::string(R"({"schema": 1, "name": "refusal", "fixture": {"path": "app"}, )") +
                                   refusal.extra + R"( "variants": [{"name": "v", "dockerfile": "app/Dockerfile"}], )" +
                                   R"("build_kinds": )" + refusal.kinds + "}");
}

}  // namespace

TEST_CASE("validate refuses every scenario run refuses, with the same pointers and messages", "[runner][preflight]") {
  for (const auto& refusal : kRefusals) {
    CAPTURE(refusal.what);
    Written written;
    write_case(written, refusal);

    // What `buildbench validate` does: load, then the checks run makes.
    auto loaded = scenario::load_scenario(written.scenario);
    if (!loaded.ok()) FAIL(loaded.report(written.scenario));
    auto validated = scenario::preflight(*loaded.scenario, runner::preflight_environment(loaded.scenario->engines));
    REQUIRE_FALSE(validated.ok());
    bool named = false;
    for (const auto& problem : validated.problems) {
      if (problem.pointer == refusal.expected_pointer && problem.message.find(refusal.expected_text) != std::string::npos) named = true;
    }
    const std::string validate_report = scenario::LoadOutcome{std::nullopt, validated.problems}.report(written.scenario);
    INFO(validate_report);
    CHECK(named);

    // What `buildbench run` does (a dry run stops before any daemon is needed).
    runner::RunOptions options;
    options.scenario_file = written.scenario;
    options.out_dir = written.dir.path() / "out";
    options.dry_run = true;
    options.quiet = true;
    auto run = runner::run_scenario(options);
    REQUIRE_FALSE(run);
    CHECK(run.error().message == validate_report);
  }
}

TEST_CASE("a kind validate accepts on a path fixture is one the run's mutation applies, and the reverse", "[runner][preflight]") {
  // The run's workspace applies kinds through the same profile and rules.
  const std::vector<std::pair<scenario::KindType, const char*>> kinds = {
      {scenario::KindType::CodeChange, "code-change"},       {scenario::KindType::Touch, "touch"},
      {scenario::KindType::IgnoredFileChange, "ignored-file-change"}, {scenario::KindType::NonGoChange, "non-go-change"},
      {scenario::KindType::DependencyAdd, "dependency-add"}, {scenario::KindType::DependencyBump, "dependency-bump"},
  };
  for (bool rich : {false, true}) {
    util::TempDir dir("buildbench-kinds-");
    fs::path app = dir.path() / "app";
    write_file(app / "go.mod", "module x\n\ngo 1.22\n");
    write_file(app / "main.go", "package main\n\nfunc main() {}\n");
    write_file(app / "Dockerfile", "FROM golang:1.24-alpine\nCOPY . .\nRUN go build .\n");
    if (rich) {
      write_file(app / ".dockerignore", "notes.md\n");
      write_file(app / "notes.md", "x\n");
      write_file(app / "assets/site.css", "body {}\n");
    }
    for (const auto& [type, name] : kinds) {
      CAPTURE(rich, name);
      write_file(dir.path() / "s.json", std::string(R"({"schema": 1, "name": "k", "fixture": {"path": "app"}, )") +
                                            R"("variants": [{"name": "v", "dockerfile": "app/Dockerfile"}], "build_kinds": ["warm", ")" +
                                            name + "\"]}");
      auto loaded = scenario::load_scenario(dir.path() / "s.json");
      REQUIRE(loaded.ok());
      auto checked = scenario::preflight(*loaded.scenario, {});
      auto workspace = runner::Workspace::create(*loaded.scenario, loaded.scenario->series[0], dir.path() / "work");
      REQUIRE(workspace);
      REQUIRE(workspace->reset(loaded.scenario->variants[0], 1));
      auto mutated = workspace->mutate(loaded.scenario->build_kinds[1]);
      CHECK(checked.ok() == mutated.ok());
      if (!mutated.ok()) {
        REQUIRE_FALSE(checked.problems.empty());
        // The run's error carries the reason validation gave.
        std::string reason = checked.problems[0].message.substr(checked.problems[0].message.find(": ") + 2);
        CHECK_THAT(mutated.error().message, Catch::Contains(reason));
      }
    }
  }
}
