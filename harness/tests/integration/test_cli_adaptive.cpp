// `buildbench run` with adaptive repetitions against the real daemon: a
// two-variant scenario whose claim has a large effect is decided at its min,
// only the claim's cells are built, the footer records the harness's own
// time, and the report says at which n each claim was decided.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "runner/results.h"
#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {
const std::string kBinary = std::string(BUILDBENCH_BINARY_DIR) + "/bin/buildbench";
const std::string kScenario = std::string(BUILDBENCH_TEST_DATA) + "/scenarios/valid/adaptive.json";
}  // namespace

TEST_CASE("run adaptive: a large effect is decided at min, only the claim's cells are built", "[integration][runner]") {
  test::require_daemon();
  util::TempDir out("buildbench-adaptive-");
  auto run = util::run_process({kBinary, "run", kScenario, "--out", out.path().string()});
  REQUIRE(run);
  INFO(run->out << run->err);
  REQUIRE(run->exit_code == 0);
  // The plan printed before the run says which cell serves which claim.
  CHECK(run->err.find("plan: 2 of 6 cells") != std::string::npos);
  CHECK(run->err.find("cache-mounts · code-change: claim cache-mounts") != std::string::npos);
  CHECK(run->err.find("cells decided") != std::string::npos);

  auto results = runner::read_results(out.path() / "results.jsonl");
  REQUIRE(results);
  REQUIRE(results->footer);
  CHECK(results->header.adaptive["min"] == 5);
  // Calibrated 5..6: both looks at p < 0.026 (the next level n = 6 allows,
  // 0.041, would count 5.6% errors).
  CHECK(results->header.adaptive["design"] == "calibrated");
  CHECK(results->header.adaptive["first_look_n"] == 5);
  CHECK(results->header.adaptive["look_alpha"].get<double>() == Approx(0.02597).epsilon(1e-3));
  std::map<std::string, size_t> per_variant;
  for (const auto& sample : results->samples) {
    CHECK(sample.kind == "code-change");  // no cold or warm cell serves the claim
    CHECK(sample.record.ok);
    ++per_variant[sample.variant];
  }
  // Cache mounts keep the compiled packages: several times faster, which
  // five builds a side decide (p = 0.0079 < 0.026).
  CHECK(per_variant["slow"] == 5);
  CHECK(per_variant["cache-mounts"] == 5);

  const auto& time = results->footer->harness_time;
  REQUIRE(time.is_object());
  CHECK(time["builds_s"].get<double>() > 0);
  CHECK(time["harness_s"].get<double>() > 0);
  CHECK(time["run_wall_s"].get<double>() > time["builds_s"].get<double>());
  CHECK(time["parts"].contains("fixture_mutation_s"));
  CHECK(time["parts"].contains("image_removal_s"));

  const auto report_dir = test::report_run(kBinary, out.path());
  std::string markdown = test::read_file(report_dir / "report.md");
  CHECK(markdown.find("**holds** (decided at n=5)") != std::string::npos);
  CHECK(markdown.find("the harness's own work") != std::string::npos);
  CHECK(markdown.find("Repetitions: adaptive, 5 to 6 per cell until decided") != std::string::npos);
}
