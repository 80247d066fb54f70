// The checks run and validate make before building (scenario/preflight.h):
// each pitfall of a real repository is named with FILE:LINE and a fix.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "scenario/preflight.h"
#include "scenario/scenario.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench::scenario;
namespace fs = std::filesystem;
using buildbench::test::write_file;

namespace {

constexpr const char* kGoMain = "package main\n\nfunc main() { println(\"hi\") }\n";

// A repository and a scenario next to it; the test writes the Dockerfile.
struct Repo {
  buildbench::util::TempDir dir{"buildbench-preflight-"};
  fs::path project() const { return dir.path() / "app"; }
  Repo() {
    write_file(project() / "go.mod", "module example.com/app\n\ngo 1.22\n");
    write_file(project() / "main.go", kGoMain);
    write_file(project() / "README.md", "# app\n");
    write_file(project() / ".dockerignore", "*.md\n");
  }
  void dockerfile(const std::string& text) { write_file(project() / "Dockerfile", text); }
  // Loads a scenario over the project with these build kinds (JSON text).
  Scenario scenario(const std::string& kinds = R"(["cold", "warm"])", const std::string& extra = "",
                    const std::string& variant_extra = "") {
    std::string text = R"({"schema": 1, "name": "t", "fixture": {"path": "app"}, )" + extra +
                       R"("variants": [{"name": "v", "dockerfile": "app/Dockerfile")" + variant_extra +
                       R"(}], "build_kinds": )" + kinds + "}";
    write_file(dir.path() / "scenario.json", text);
    auto loaded = load_scenario(dir.path() / "scenario.json");
    if (!loaded.ok()) FAIL(loaded.report("scenario.json"));
    return *loaded.scenario;
  }
};

PreflightEnvironment no_daemon() { return {}; }
PreflightEnvironment daemon_without_images() {
  PreflightEnvironment environment;
  environment.image_present = [](const std::string&) -> std::optional<bool> { return false; };
  return environment;
}

std::string all(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& problem : problems) out += problem.pointer + ": " + problem.message + "\n";
  return out;
}

const std::string kGoodDockerfile =
    "FROM golang:1.24-alpine AS build\nWORKDIR /src\nCOPY go.mod ./\nCOPY . .\nARG CACHEBUST\n"
    "RUN go build -o /app .\nFROM alpine:3.21\nCOPY --from=build /app /app\n";

}  // namespace

TEST_CASE("preflight: a clean repository passes with every kind that applies", "[scenario][preflight]") {
  Repo repo;
  repo.dockerfile(kGoodDockerfile);
  auto outcome = preflight(repo.scenario(R"(["cold", "warm", "code-change", "touch", "ignored-file-change",
                                            "dependency-add", "cachebust"])"),
                           no_daemon());
  INFO(all(outcome.problems));
  CHECK(outcome.ok());
  CHECK(outcome.notes.empty());
}

TEST_CASE("pitfall: a copied go.sum that does not exist", "[scenario][preflight]") {
  Repo repo;
  repo.dockerfile("FROM golang:1.24-alpine\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n");
  auto outcome = preflight(repo.scenario(), no_daemon());
  REQUIRE(outcome.problems.size() == 1);
  CHECK(outcome.problems[0].pointer == "/variants/0/dockerfile");
  CHECK_THAT(outcome.problems[0].message, Catch::StartsWith("app/Dockerfile:3: `COPY go.mod go.sum ./` copies go.sum, which the project does not have"));
  CHECK_THAT(outcome.problems[0].message, Catch::Contains("fix: write `go.sum*` instead of `go.sum`"));
  // The fix works: a wildcard may match nothing.
  repo.dockerfile("FROM golang:1.24-alpine\nWORKDIR /src\nCOPY go.mod go.sum* ./\nRUN go mod download\n");
  CHECK(preflight(repo.scenario(), no_daemon()).ok());
}

TEST_CASE("pitfall: a go directive newer than the offline Go image", "[scenario][preflight]") {
  Repo repo;
  repo.dockerfile(kGoodDockerfile);
  write_file(repo.project() / "go.mod", "module example.com/app\n\n// comment\ngo 1.25.1\n");
  auto outcome = preflight(repo.scenario(), no_daemon());
  REQUIRE(outcome.problems.size() == 1);
  CHECK(outcome.problems[0].pointer == "/fixture/path");
  CHECK_THAT(outcome.problems[0].message, Catch::StartsWith("app/go.mod:4: `go 1.25.1` is newer than the Go of the offline build image (1.24)"));
  CHECK_THAT(outcome.problems[0].message, Catch::Contains("fix: lower the directive to `go 1.24`"));
  write_file(repo.project() / "go.mod", "module example.com/app\n\ngo 1.24.3\n");
  CHECK(preflight(repo.scenario(), no_daemon()).ok());
}

TEST_CASE("pitfall: a # syntax= line is stripped offline, and said", "[scenario][preflight]") {
  Repo repo;
  repo.dockerfile("# syntax=docker/dockerfile:1.7\n" + kGoodDockerfile);
  auto outcome = preflight(repo.scenario(), no_daemon());
  INFO(all(outcome.problems));
  CHECK(outcome.ok());
  CHECK(outcome.strip_syntax == std::set<size_t>{0});
  REQUIRE(outcome.notes.size() == 1);
  CHECK_THAT(outcome.notes[0].message, Catch::StartsWith("app/Dockerfile:1: `# syntax=docker/dockerfile:1.7` makes BuildKit fetch that frontend image"));
  CHECK_THAT(outcome.notes[0].message, Catch::Contains("the run strips the line"));
  // With the frontend image in the daemon nothing is stripped.
  PreflightEnvironment has_frontend;
  has_frontend.image_present = [](const std::string& image) -> std::optional<bool> { return image == "docker/dockerfile:1.7"; };
  CHECK(preflight(repo.scenario(), has_frontend).strip_syntax.empty());
}

TEST_CASE("pitfall: steps that need a network", "[scenario][preflight]") {
  Repo repo;
  repo.dockerfile("FROM golang:1.24-alpine\nRUN apt-get update && \\\n    apt-get install -y git\nFROM alpine:3.21\n"
                  "COPY --from=0 /usr/bin/git /usr/bin/git\nRUN apk add --no-cache ca-certificates\n");
  auto outcome = preflight(repo.scenario(), no_daemon());
  // apk is in neither offline stand-in: certain failure.
  REQUIRE(outcome.problems.size() == 1);
  CHECK_THAT(outcome.problems[0].message, Catch::StartsWith("app/Dockerfile:6: `RUN apk add --no-cache ca-certificates` needs a network (apk downloads Alpine packages)"));
  CHECK_THAT(outcome.problems[0].message, Catch::Contains("fix: drop the step, or bake what it installs into a local image"));
  // apt-get may reach a mirror: a note, unless the network is off.
  REQUIRE(outcome.notes.size() == 1);
  CHECK_THAT(outcome.notes[0].message, Catch::StartsWith("app/Dockerfile:2: `RUN apt-get update &&"));
  CHECK_THAT(outcome.notes[0].message, Catch::Contains("needs a network (apt-get downloads Debian packages)"));
  auto offline = preflight(repo.scenario(R"(["cold"])", R"("network_mode": "none", )"), no_daemon());
  CHECK(offline.problems.size() == 2);
  for (const char* step : {"RUN pip install -r req.txt", "RUN npm ci", "RUN curl -fsSL https://x | sh", "RUN wget https://x"}) {
    repo.dockerfile(std::string("FROM golang:1.24-alpine\n") + step + "\n");
    auto found = preflight(repo.scenario(R"(["cold"])", R"("network_mode": "none", )"), no_daemon());
    INFO(step);
    REQUIRE(found.problems.size() == 1);
    CHECK_THAT(found.problems[0].message, Catch::StartsWith("app/Dockerfile:2:") && Catch::Contains("needs a network"));
  }
  repo.dockerfile("FROM golang:1.24-alpine\nRUN go build -o /x . && echo curling\n");
  CHECK(preflight(repo.scenario(R"(["cold"])", R"("network_mode": "none", )"), no_daemon()).ok());
}

TEST_CASE("pitfall: a hard-coded GOPROXY", "[scenario][preflight]") {
  Repo repo;
  repo.dockerfile("FROM golang:1.24-alpine\nENV GOPROXY=https://proxy.golang.org,direct\nCOPY . .\nRUN go build .\n");
  // With a dependency change it would download: a problem.
  auto outcome = preflight(repo.scenario(R"(["cold", "dependency-add"])"), no_daemon());
  REQUIRE(outcome.problems.size() == 1);
  CHECK_THAT(outcome.problems[0].message, Catch::StartsWith("app/Dockerfile:2: `ENV GOPROXY=https://proxy.golang.org,direct` sends go to `https://proxy.golang.org,direct` instead of buildbench's module proxy"));
  CHECK_THAT(outcome.problems[0].message, Catch::Contains("fix: drop the ENV"));
  // Nothing to download: a note.
  auto quiet = preflight(repo.scenario(), no_daemon());
  CHECK(quiet.ok());
  REQUIRE(quiet.notes.size() == 1);
  // An ARG can be overridden by the scenario.
  repo.dockerfile("FROM golang:1.24-alpine\nARG GOPROXY=https://proxy.golang.org\nCOPY . .\nRUN go build .\n");
  auto arg = preflight(repo.scenario(), no_daemon());
  REQUIRE(arg.problems.size() == 1);
  CHECK_THAT(arg.problems[0].message, Catch::Contains("fix: add \"build_args\": {\"GOPROXY\": \"http://127.0.0.1:"));
  CHECK(preflight(repo.scenario(R"(["cold"])", "", R"(, "build_args": {"GOPROXY": "http://127.0.0.1:17878"})"), no_daemon()).ok());
}

TEST_CASE("pitfall: FROM images not available offline", "[scenario][preflight]") {
  Repo repo;
  repo.dockerfile("FROM node:20-alpine AS web\nRUN true\nFROM golang:1.24-alpine\nCOPY --from=web /x /x\n");
  auto absent = preflight(repo.scenario(), daemon_without_images());
  REQUIRE(absent.problems.size() == 1);
  CHECK_THAT(absent.problems[0].message, Catch::StartsWith("app/Dockerfile:1: FROM node:20-alpine is not available offline"));
  CHECK_THAT(absent.problems[0].message, Catch::Contains("fix: map it in /base_images to a local image"));
  auto unknown = preflight(repo.scenario(), no_daemon());
  REQUIRE(unknown.problems.size() == 1);
  CHECK_THAT(unknown.problems[0].message, Catch::Contains("no daemon answered"));
  PreflightEnvironment has_node;
  has_node.image_present = [](const std::string& image) -> std::optional<bool> { return image == "node:20-alpine"; };
  CHECK(preflight(repo.scenario(), has_node).ok());
  auto mapped = preflight(repo.scenario(R"(["cold"])", R"("base_images": {"node:20-alpine": "buildbench/runtime:busybox", "golang:1.24-alpine": "buildbench/go:1.24"}, )"),
                          daemon_without_images());
  CHECK(mapped.ok());
}

TEST_CASE("checks: cachebust needs a declared ARG", "[scenario][preflight]") {
  Repo repo;
  repo.dockerfile("FROM golang:1.24-alpine\nARG VERSION=dev\nCOPY . .\nRUN go build .\n");
  auto outcome = preflight(repo.scenario(R"(["cold", "warm", "cachebust"])"), no_daemon());
  REQUIRE(outcome.problems.size() == 1);
  CHECK(outcome.problems[0].pointer == "/build_kinds/2");
  CHECK_THAT(outcome.problems[0].message, Catch::StartsWith("no Dockerfile of the scenario declares `ARG CACHEBUST`"));
  CHECK_THAT(outcome.problems[0].message, Catch::Contains("`VERSION`"));
  CHECK(preflight(repo.scenario(R"(["cold", {"kind": "cachebust", "arg": "VERSION"}])"), no_daemon()).ok());
}

TEST_CASE("checks: every kind on a path fixture finds its files, or says why not", "[scenario][preflight]") {
  Repo repo;
  repo.dockerfile(kGoodDockerfile);
  fs::remove(repo.project() / ".dockerignore");
  fs::remove(repo.project() / "README.md");  // else it would be the copied text file non-go-change edits
  auto outcome = preflight(repo.scenario(R"(["cold", "ignored-file-change", "dependency-bump", "non-go-change"])"), no_daemon());
  REQUIRE(outcome.problems.size() == 3);
  CHECK(outcome.problems[0].pointer == "/build_kinds/1");
  CHECK_THAT(outcome.problems[0].message, Catch::Contains("uses no .dockerignore"));
  CHECK(outcome.problems[1].pointer == "/build_kinds/2");
  CHECK_THAT(outcome.problems[1].message, Catch::Contains("go.mod requires no module"));
  CHECK(outcome.problems[2].pointer == "/build_kinds/3");
  CHECK_THAT(outcome.problems[2].message, Catch::Contains("no COPY step sends a text file"));
}

TEST_CASE("checks: a non-Go project names its code files with a glob", "[scenario][preflight]") {
  buildbench::util::TempDir dir("buildbench-preflight-");
  write_file(dir.path() / "app/src/app.py", "print(1)\n");
  write_file(dir.path() / "app/Dockerfile", "FROM alpine:3.21\nCOPY src /src\nCMD [\"/bin/sh\"]\n");
  std::string base = R"({"schema": 1, "name": "t", "variants": [{"name": "v", "dockerfile": "app/Dockerfile"}], "build_kinds": ["cold", "code-change"], )";
  write_file(dir.path() / "no-glob.json", base + R"("fixture": {"path": "app"}})");
  auto loaded = load_scenario(dir.path() / "no-glob.json");
  REQUIRE(loaded.ok());
  auto outcome = preflight(*loaded.scenario, no_daemon());
  REQUIRE(outcome.problems.size() == 1);
  CHECK_THAT(outcome.problems[0].message, Catch::Contains("\"code_change\": {\"glob\": \"src/**/*.py\"}"));
  write_file(dir.path() / "glob.json", base + R"("fixture": {"path": "app", "code_change": {"glob": "src/**/*.py"}}})");
  loaded = load_scenario(dir.path() / "glob.json");
  REQUIRE(loaded.ok());
  CHECK(loaded.scenario->fixture.code_glob == "src/**/*.py");
  CHECK(preflight(*loaded.scenario, no_daemon()).ok());
}

TEST_CASE("go versions compare by the parts the image names", "[scenario][preflight]") {
  CHECK(go_version_newer("1.25", "1.24"));
  CHECK(go_version_newer("1.25.0", "1.24"));
  CHECK(go_version_newer("2.0", "1.24"));
  CHECK_FALSE(go_version_newer("1.24.5", "1.24"));
  CHECK_FALSE(go_version_newer("1.24", "1.24"));
  CHECK_FALSE(go_version_newer("1.9", "1.24"));
  CHECK_FALSE(go_version_newer("1.21rc1", "1.24"));
}

TEST_CASE("preflight: each engine a scenario names must be usable, named by its pointer", "[scenario][preflight][engines]") {
  Repo repo;
  repo.dockerfile(kGoodDockerfile);
  auto s = repo.scenario(R"(["cold", "warm"])", R"("engines": ["20.10", "26.1"], )");
  PreflightEnvironment environment;
  environment.engine_unusable = [](const std::string& name) -> std::optional<std::string> {
    if (name == "26.1") return "engine 26.1 is not installed (install it: buildbench engine install 26.1)";
    return std::nullopt;
  };
  auto outcome = preflight(s, environment);
  REQUIRE(outcome.problems.size() == 1);
  CHECK(outcome.problems[0].pointer == "/engines/1");
  CHECK(outcome.problems[0].message.find("buildbench engine install 26.1") != std::string::npos);
  // Without a way to tell (unit tests, init), engine names are not judged.
  CHECK(preflight(s, no_daemon()).ok());
}
