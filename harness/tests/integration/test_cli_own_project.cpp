// Your own project end to end against the real daemon (docs/own-project.md):
// `buildbench init` on repositories shaped like real ones, then validate,
// run (cold, warm and each kind once) and report; and every build kind on a
// path fixture that is a git work tree, which the run never modifies.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "fixture/generator.h"
#include "runner/results.h"
#include "runner/sanity.h"
#include "support/repo_shapes.h"
#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;
namespace fs = std::filesystem;

namespace {

const std::string kBinary = std::string(BUILDBENCH_BINARY_DIR) + "/bin/buildbench";

util::ProcessOutput must_run(const std::vector<std::string>& argv, int expected_exit = 0) {
  auto run = util::run_process(argv);
  REQUIRE(run);
  INFO(argv[1] << ":\n" << run->out << run->err);
  REQUIRE(run->exit_code == expected_exit);
  return *run;
}

// init, validate, run (one repetition, no warm-up), report; the samples by kind.
std::map<std::string, runner::Sample> init_validate_run(const fs::path& dir, const fs::path& repo, std::string* report_md) {
  const fs::path scenario = dir / "scenario.json";
  must_run({kBinary, "init", repo.string(), "--out", scenario.string()});
  auto validated = must_run({kBinary, "validate", scenario.string()});
  CHECK(validated.out.find(": ok (") != std::string::npos);
  const fs::path out = dir / "results";
  must_run({kBinary, "run", scenario.string(), "--out", out.string(), "--reps", "1", "--warmups", "0", "--quiet"});
  auto results = runner::read_results(out / "results.jsonl");
  REQUIRE(results);
  std::map<std::string, runner::Sample> by_kind;
  for (const auto& sample : results->samples) {
    INFO(sample.kind << ": " << sample.record.error);
    CHECK(sample.record.ok);
    by_kind[sample.kind] = sample;
  }
  must_run({kBinary, "report", (out / "results.jsonl").string(), "--out", (dir / "report").string(), "--no-png"});
  *report_md = test::read_file(dir / "report" / "report.md");
  return by_kind;
}

}  // namespace

TEST_CASE("own project: every build kind on a git work tree, which stays untouched", "[integration][own-project]") {
  test::require_daemon();
  util::TempDir dir("buildbench-own-");
  const fs::path repo = dir.path() / "greeter";
  test::write_repo(test::RepoShape::GoMultiStage, repo, test::unique_token());
  auto git = util::run_process({"sh", "-c", "cd '" + repo.string() + "' && git init -q && git add -A && "
                                "git -c user.email=t@example.com -c user.name=t commit -qm initial"});
  REQUIRE(git);
  REQUIRE(git->exit_code == 0);
  auto before = fixture::tree_hash(repo);
  REQUIRE(before);

  std::string report;
  auto by = init_validate_run(dir.path(), repo, &report);
  for (const char* kind : {"cold", "warm", "code-change", "touch", "ignored-file-change", "non-go-change",
                           "dependency-add", "cachebust:VERSION"}) {
    CAPTURE(kind);
    REQUIRE(by.count(kind) == 1);
  }
  const auto& warm = by["warm"].record;
  // Everything is cached but a RUN with a cache mount: a cold build on a
  // daemon buildbench does not own gives cache mounts a fresh namespace
  // (BUILDKIT_CACHE_MOUNT_NS), which BuildKit 0.8 keys the step by.
  for (const auto& step : warm.steps) {
    CAPTURE(step.name);
    if (!step.cached && runner::changes_content(step.name)) CHECK(step.name.find("--mount=type=cache") != std::string::npos);
  }
  // The code change reaches the binary: a new image, `go build` ran again.
  CHECK(by["code-change"].record.image_id != warm.image_id);
  CHECK(by["code-change"].record.cached_steps < by["code-change"].record.total_steps);
  // mtime and ignored files change nothing the build reads.
  CHECK(by["touch"].record.cached_steps == by["touch"].record.total_steps);
  CHECK(by["ignored-file-change"].record.cached_steps == by["ignored-file-change"].record.total_steps);
  CHECK(by["non-go-change"].record.cached_steps < by["non-go-change"].record.total_steps);
  CHECK(by["cachebust:VERSION"].record.cached_steps < by["cachebust:VERSION"].record.total_steps);
  // The new module came from buildbench's proxy.
  CHECK(by["dependency-add"].proxy.requests > 0);
  // The `# syntax=` line was stripped, and the report says so.
  CHECK(report.find("run: ") != std::string::npos);
  CHECK(report.find("# syntax=docker/dockerfile:1") != std::string::npos);
  // The user's tree is as it was.
  CHECK(*fixture::tree_hash(repo) == *before);
}

TEST_CASE("own project: init's scenario validates and runs on differently shaped repositories", "[integration][own-project]") {
  test::require_daemon();
  for (auto shape : {test::RepoShape::GoSingleStage, test::RepoShape::PythonBusybox}) {
    CAPTURE(test::shape_name(shape));
    util::TempDir dir("buildbench-own-");
    const fs::path repo = dir.path() / test::shape_name(shape);
    test::write_repo(shape, repo, test::unique_token());
    std::string report;
    auto by = init_validate_run(dir.path(), repo, &report);
    CHECK(by.count("cold") == 1);
    CHECK(by.count("code-change") == 1);
    CHECK(by["warm"].record.cached_steps == by["warm"].record.total_steps);
    CHECK(by["code-change"].record.cached_steps < by["code-change"].record.total_steps);
    CHECK(by["touch"].record.cached_steps == by["touch"].record.total_steps);
    CHECK(report.find("## ") != std::string::npos);
  }
}
