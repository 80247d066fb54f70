#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "report/model.h"
#include "report/writers.h"
#include "runner/results.h"
#include "test_report_synthetic.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

report::ReportModel build(const std::vector<runner::ResultsFile>& files, report::ReportOptions options = {}) {
  auto model = report::build_report(files, options);
  REQUIRE(model.ok());
  return std::move(model).value();
}

bool has_warning(const report::Cell& cell, const std::string& id) {
  return std::any_of(cell.warnings.begin(), cell.warnings.end(), [&](const auto& w) { return w.id == id; });
}

}  // namespace

TEST_CASE("build_report groups samples per kind and variant and excludes warm-ups", "[report]") {
  auto model = build({test::synthetic_results(6)});
  CHECK(model.variants == std::vector<std::string>{"slow", "fast", "cachemount"});
  CHECK(model.kinds == std::vector<std::string>{"cold", "warm", "code-change"});
  CHECK(model.baseline_variant == "slow");
  CHECK_FALSE(model.has_sweep());
  REQUIRE(model.cells.size() == 9);
  CHECK(model.cells[0].kind == "cold");
  CHECK(model.cells[0].variant == "slow");
  CHECK(model.cells[3].kind == "warm");

  const auto* warm = model.find("", "slow", "warm");
  REQUIRE(warm != nullptr);
  CHECK(warm->samples.size() == 6);  // the warm-up (99 s) is not among them
  REQUIRE(warm->summary(report::Metric::Wall));
  CHECK(warm->summary(report::Metric::Wall)->max < 1.0);
  CHECK(model.inputs.at(0).warmups == 3);
  CHECK(model.inputs.at(0).samples == 54);
  // The sanity warning of one sample is carried to the cell.
  CHECK(has_warning(*warm, "sanity"));
}

TEST_CASE("build_report compares every variant with the baseline", "[report]") {
  auto model = build({test::synthetic_results(6)});
  const auto* slow = model.find("", "slow", "code-change");
  const auto* fast = model.find("", "fast", "code-change");
  REQUIRE(slow != nullptr);
  REQUIRE(fast != nullptr);
  CHECK_FALSE(slow->vs_baseline.has_value());
  REQUIRE(fast->vs_baseline.has_value());
  CHECK(fast->vs_baseline->ratio.ratio == Approx(2.4 / 13.5).epsilon(0.02));
  CHECK(fast->vs_baseline->significant);
  CHECK(fast->vs_baseline->verdict == stats::Verdict::Improved);
  CHECK(fast->vs_baseline->ratio.ci_low <= fast->vs_baseline->ratio.ratio);
  CHECK(fast->vs_baseline->ratio.ci_high >= fast->vs_baseline->ratio.ratio);
  // Exact metrics are summarized too.
  REQUIRE(fast->summary(report::Metric::ContextBytes));
  CHECK(fast->summary(report::Metric::ContextBytes)->median == 180000);
  CHECK(fast->total_steps == 8);
  REQUIRE(fast->median_sample.has_value());
}

TEST_CASE("build_report warns about too few samples", "[report]") {
  auto model = build({test::synthetic_results(3)});
  const auto* cell = model.find("", "fast", "cold");
  REQUIRE(cell != nullptr);
  CHECK(has_warning(*cell, "too_few_samples"));
  REQUIRE(cell->summary(report::Metric::Wall));
  CHECK(cell->summary(report::Metric::Wall)->median_ci.below_nominal);
}

TEST_CASE("build_report refuses results of different scenarios", "[report]") {
  auto a = test::synthetic_results(3, "a.jsonl");
  auto b = test::synthetic_results(3, "b.jsonl");
  b.header.scenario_hash = "9999888877776666";
  b.header.scenario_name = "other";
  auto model = report::build_report({a, b});
  REQUIRE_FALSE(model.ok());
  CHECK_THAT(model.error().message, Catch::Contains("different scenarios"));
  CHECK_THAT(model.error().message, Catch::Contains("b.jsonl"));
  CHECK_THAT(model.error().message, Catch::Contains("999988887777"));
}

TEST_CASE("build_report merges shards of one scenario", "[report]") {
  auto a = test::synthetic_results(3, "a.jsonl");
  auto b = test::synthetic_results(3, "b.jsonl");
  auto model = build({a, b});
  const auto* cell = model.find("", "fast", "cold");
  REQUIRE(cell != nullptr);
  CHECK(cell->samples.size() == 6);
  CHECK(model.inputs.size() == 2);
}

TEST_CASE("a kind whose builds all failed is reported as such, the rest still is", "[report]") {
  auto file = test::synthetic_results(6);
  for (auto& sample : file.samples) {
    if (sample.variant == "cachemount" && sample.kind == "cold") {
      sample = test::synthetic_sample("cachemount", "cold", sample.repetition, 1.0, 0, false);
    }
    if (sample.variant == "fast" && sample.kind == "cold" && sample.repetition == 1) {
      sample = test::synthetic_sample("fast", "cold", 1, 1.0, 0, false);
    }
  }
  auto model = build({file});
  const auto* failed = model.find("", "cachemount", "cold");
  REQUIRE(failed != nullptr);
  CHECK(failed->ok_count == 0);
  CHECK(failed->failed_count == 6);
  CHECK_FALSE(failed->summary(report::Metric::Wall));
  CHECK_FALSE(failed->vs_baseline);
  CHECK(has_warning(*failed, "no_successful_samples"));
  const auto* partly = model.find("", "fast", "cold");
  REQUIRE(partly != nullptr);
  CHECK(partly->ok_count == 5);
  CHECK(has_warning(*partly, "failed_builds"));
  REQUIRE(partly->summary(report::Metric::Wall));
  CHECK(partly->summary(report::Metric::Wall)->count == 5);
  CHECK(model.find("", "cachemount", "warm")->summary(report::Metric::Wall));
}

TEST_CASE("the baseline can be chosen, but only among the variants", "[report]") {
  report::ReportOptions options;
  options.baseline = "fast";
  auto model = build({test::synthetic_results(6)}, options);
  CHECK(model.baseline_variant == "fast");
  CHECK(model.find("", "slow", "cold")->vs_baseline.has_value());
  CHECK_FALSE(model.find("", "fast", "cold")->vs_baseline.has_value());

  options.baseline = "nope";
  auto refused = report::build_report({test::synthetic_results(6)}, options);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("'nope'"));
}

TEST_CASE("a header baseline without results falls back to the first variant", "[report]") {
  auto file = test::synthetic_results(3);
  file.header.baseline_variant = "gone";
  auto model = build({file});
  CHECK(model.baseline_variant == "slow");
  CHECK(std::any_of(model.notes.begin(), model.notes.end(),
                    [](const auto& note) { return note.find("'gone'") != std::string::npos; }));
}

TEST_CASE("no results at all is an error", "[report]") {
  auto model = report::build_report({});
  REQUIRE_FALSE(model.ok());
}

TEST_CASE("a sweep makes one cell per sweep value", "[report]") {
  auto file = test::synthetic_results(3);
  auto copy = file.samples;
  for (auto& sample : file.samples) sample.series = "2";
  for (auto& sample : copy) {
    sample.series = "8";
    sample.record.wall_s *= 3;
    file.samples.push_back(sample);
  }
  auto model = build({file});
  CHECK(model.has_sweep());
  CHECK(model.series == std::vector<std::string>{"2", "8"});
  CHECK(model.cells.size() == 18);
  REQUIRE(model.find("8", "fast", "cold") != nullptr);
  CHECK(model.find("8", "fast", "cold")->summary(report::Metric::Wall)->median ==
        Approx(3 * model.find("2", "fast", "cold")->summary(report::Metric::Wall)->median));
}

TEST_CASE("results written by the runner and read back give the same report - a truncated line is noted",
          "[report]") {
  util::TempDir dir("bb-report-test-");
  auto path = dir.path() / "results.jsonl";
  auto synthetic = test::synthetic_results(6);
  {
    auto writer = runner::ResultsWriter::create(path, synthetic.header);
    REQUIRE(writer.ok());
    for (const auto& sample : synthetic.samples) REQUIRE(writer->append(sample).ok());
  }
  {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << R"({"type":"sample","plan_index":999,"variant":"fast","ki)";  // a crash mid-write
  }
  auto read = runner::read_results(path);
  REQUIRE(read.ok());
  auto model = build({*read});
  auto direct = build({synthetic});
  REQUIRE(model.cells.size() == direct.cells.size());
  for (size_t i = 0; i < model.cells.size(); ++i) {
    CHECK(model.cells[i].summary(report::Metric::Wall)->median == direct.cells[i].summary(report::Metric::Wall)->median);
  }
  CHECK(model.inputs.at(0).finished == false);
  CHECK(std::any_of(model.notes.begin(), model.notes.end(),
                    [](const auto& note) { return note.find("truncated") != std::string::npos; }));
}

TEST_CASE("odd values from a damaged results file still give a report, never a crash", "[report]") {
  auto file = test::synthetic_results(6);
  for (auto& sample : file.samples) {
    if (sample.variant == "slow" && sample.kind == "warm") sample.record.wall_s = 0;      // a zero baseline: no ratio
    if (sample.variant == "fast" && sample.kind == "cold") sample.record.wall_s = -3;     // impossible, but reported
    if (sample.variant == "cachemount" && sample.kind == "cold") {
      sample.record.wall_s = 1e300;
      for (auto& step : sample.record.steps) {
        step.start_offset_s = 1e308;
        step.duration_s = 1e308;  // the end overflows to infinity
      }
    }
    if (sample.variant == "cachemount" && sample.kind == "warm") sample.record.steps.clear();
  }
  auto model = build({file});
  CHECK(model.cells.size() == 9);
  const auto* warm = model.find("", "fast", "warm");
  REQUIRE(warm != nullptr);
  CHECK_FALSE(warm->vs_baseline.has_value());
  CHECK(has_warning(*warm, "no_ratio"));
  // Every writer and figure copes.
  util::TempDir dir("bb-report-odd-");
  report::WriteOptions write_options;
  write_options.png_converter = "none";
  auto written = report::write_report(model, dir.path(), write_options);
  REQUIRE(written.ok());
  CHECK(std::filesystem::file_size(dir.path() / "report.html") > 1000);
}
