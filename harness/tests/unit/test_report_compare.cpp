#include <catch2/catch.hpp>

#include <sstream>

#include "report/compare_runs.h"
#include "test_report_synthetic.h"
#include "util/process.h"

using namespace buildbench;

namespace {

// One variant, one kind, the given wall times.
runner::ResultsFile run_of(const std::vector<double>& walls, const std::string& path) {
  runner::ResultsFile file;
  file.path = path;
  file.header = test::synthetic_header();
  file.header.variants = nlohmann::json::array({{{"name", "fast"}}});
  file.header.build_kinds = {"warm"};
  file.header.baseline_variant = "fast";
  for (size_t i = 0; i < walls.size(); ++i) {
    auto sample = test::synthetic_sample("fast", "warm", static_cast<int>(i), walls[i], 8);
    sample.plan_index = i;
    file.samples.push_back(sample);
  }
  file.footer = runner::ResultsFooter{"2026-01-01T01:00:00Z", false, walls.size(), 0};
  return file;
}

std::vector<double> low_noise(double centre, size_t n) {
  static const double offsets[] = {0.000, 0.004, -0.003, 0.006, -0.005, 0.002, -0.001, 0.005, -0.004, 0.003};
  std::vector<double> values;
  for (size_t i = 0; i < n; ++i) values.push_back(centre * (1 + offsets[i % 10]));
  return values;
}

report::CompareReport compare(const runner::ResultsFile& base, const runner::ResultsFile& cand,
                              report::CompareRunsOptions options = {}) {
  auto result = report::compare_runs({base}, {cand}, options);
  REQUIRE(result.ok());
  return std::move(result).value();
}

}  // namespace

TEST_CASE("compare verdicts on synthetic runs", "[report][compare]") {
  struct Case {
    const char* name;
    std::vector<double> baseline;
    std::vector<double> candidate;
    const char* verdict;
    int exit_code;
  };
  const std::vector<Case> cases = {
      {"identical runs pass", low_noise(1.0, 10), low_noise(1.0, 10), "~", 0},
      {"+30% with low noise is a regression", low_noise(1.0, 10), low_noise(1.3, 10), "regressed", 1},
      {"-30% with low noise is an improvement", low_noise(1.0, 10), low_noise(0.7, 10), "improved", 0},
      {"+3% under a 5% threshold passes", low_noise(1.0, 10), low_noise(1.03, 10), "within threshold", 0},
      {"noisy +10% with 3 samples is not significant", {0.85, 1.0, 1.2}, {0.95, 1.1, 1.25}, "~", 0},
      {"+10% with 3 samples cannot be significant", {1.0, 1.001, 1.002}, {1.1, 1.101, 1.102}, "~", 0},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto result = compare(run_of(c.baseline, "base.jsonl"), run_of(c.candidate, "head.jsonl"));
    REQUIRE(result.rows.size() == 1);
    CHECK(result.rows[0].verdict == c.verdict);
    CHECK(result.exit_code() == c.exit_code);
    CHECK(result.rows[0].comparison.has_value());
  }
}

TEST_CASE("the threshold and alpha options move the gate", "[report][compare]") {
  auto base = run_of(low_noise(1.0, 10), "base.jsonl");
  auto head = run_of(low_noise(1.03, 10), "head.jsonl");
  report::CompareRunsOptions options;
  options.threshold = 0.02;
  auto strict = compare(base, head, options);
  CHECK(strict.rows[0].verdict == "regressed");
  CHECK(strict.exit_code() == 1);
  options.threshold = 0.05;
  options.alpha = 1e-9;  // nothing is significant at this level
  auto lenient = compare(base, head, options);
  CHECK(lenient.rows[0].verdict == "~");
  CHECK(lenient.exit_code() == 0);
}

TEST_CASE("runs of different scenarios or machines are not compared unless forced", "[report][compare]") {
  auto base = run_of(low_noise(1.0, 10), "base.jsonl");
  auto head = run_of(low_noise(1.3, 10), "head.jsonl");
  head.header.scenario_hash = "0000ffff";
  auto refused = compare(base, head);
  CHECK(refused.exit_code() == 2);
  CHECK(refused.rows.empty());
  REQUIRE(refused.incompatibilities.size() == 1);
  CHECK_THAT(refused.incompatibilities[0], Catch::Contains("different scenarios"));

  report::CompareRunsOptions forced;
  forced.force = true;
  auto anyway = compare(base, head, forced);
  CHECK(anyway.exit_code() == 1);
  CHECK(anyway.rows.size() == 1);

  auto other_machine = run_of(low_noise(1.0, 10), "head.jsonl");
  other_machine.header.environment["engine_version"] = "27.0.1";
  other_machine.header.environment["host_cpus"] = 8;
  auto machine = compare(base, other_machine);
  CHECK(machine.exit_code() == 2);
  CHECK(machine.incompatibilities.size() == 2);
}

TEST_CASE("noise-free metrics are compared exactly", "[report][compare]") {
  auto base = run_of(low_noise(1.0, 5), "base.jsonl");
  auto head = run_of(low_noise(1.0, 5), "head.jsonl");
  report::CompareRunsOptions options;
  options.metric = report::CompareMetric::ContextBytes;
  auto same = compare(base, head, options);
  CHECK(same.rows[0].verdict == "equal");
  CHECK(same.exit_code() == 0);
  for (auto& sample : head.samples) sample.record.context_bytes = 240'000;  // +33%
  auto bigger = compare(base, head, options);
  CHECK(bigger.rows[0].verdict == "regressed");
  REQUIRE(bigger.rows[0].exact.has_value());
  CHECK(bigger.rows[0].exact->difference == 60'000);
  CHECK(bigger.exit_code() == 1);
  for (auto& sample : head.samples) sample.record.context_bytes = 181'000;  // +0.6%
  CHECK(compare(base, head, options).rows[0].verdict == "within threshold");
}

TEST_CASE("a candidate whose builds fail fails the gate - missing cells are named", "[report][compare]") {
  auto base = run_of(low_noise(1.0, 6), "base.jsonl");
  auto head = run_of(low_noise(1.0, 6), "head.jsonl");
  for (auto& sample : head.samples) sample = test::synthetic_sample("fast", "warm", sample.repetition, 1.0, 0, false);
  auto extra = test::synthetic_sample("slow", "cold", 0, 10.0, 0);
  head.samples.push_back(extra);
  auto result = compare(base, head);
  REQUIRE(result.rows.size() == 2);
  CHECK(result.rows[0].verdict == "candidate builds failed");
  CHECK(result.rows[0].fails_gate);
  CHECK(result.rows[1].verdict == "missing in baseline");
  CHECK(result.exit_code() == 1);
}

TEST_CASE("compare writes a pull-request comment and JUnit XML", "[report][compare]") {
  auto base = run_of(low_noise(1.0, 10), "base.jsonl");
  auto head = run_of(low_noise(1.3, 10), "head.jsonl");
  auto result = compare(base, head);
  std::ostringstream markdown;
  report::write_compare_markdown(result, markdown);
  CHECK_THAT(markdown.str(), Catch::Contains("| warm | fast |"));
  CHECK_THAT(markdown.str(), Catch::Contains("**regressed**"));
  CHECK_THAT(markdown.str(), Catch::Contains("**Result:** 1 regression"));

  std::ostringstream junit;
  report::write_compare_junit(result, junit);
  CHECK_THAT(junit.str(), Catch::Contains("failures=\"1\""));
  CHECK_THAT(junit.str(), Catch::Contains("<failure message=\"regressed\">"));
  if (auto xmllint = util::find_program("xmllint")) {
    util::RunOptions options;
    options.stdin_data = junit.str();
    auto lint = util::run_process({xmllint->string(), "--noout", "-"}, options);
    REQUIRE(lint.ok());
    CHECK(lint->exit_code == 0);
  }

  std::ostringstream text;
  report::write_compare_text(result, text);
  CHECK_THAT(text.str(), Catch::Contains("result: 1 regression"));

  head.header.scenario_hash = "other";
  auto refused = compare(base, head);
  std::ostringstream refused_junit;
  report::write_compare_junit(refused, refused_junit);
  CHECK_THAT(refused_junit.str(), Catch::Contains("<error message=\"different scenarios"));
}

TEST_CASE("parse_compare_metric knows the four metrics", "[report][compare]") {
  CHECK(*report::parse_compare_metric("wall") == report::CompareMetric::Wall);
  CHECK(*report::parse_compare_metric("daemon-span") == report::CompareMetric::DaemonSpan);
  CHECK(*report::parse_compare_metric("context-bytes") == report::CompareMetric::ContextBytes);
  CHECK(*report::parse_compare_metric("image-size") == report::CompareMetric::ImageSize);
  CHECK_FALSE(report::parse_compare_metric("cpu").ok());
}

namespace {

// One variant, one kind, per engine: the given wall times.
runner::ResultsFile run_on(const std::vector<std::pair<runner::SampleEngine, std::vector<double>>>& engines,
                           const std::string& path) {
  runner::ResultsFile file = run_of({}, path);
  file.header.engines = nlohmann::json::array();
  if (engines.size() > 1) {
    for (const auto& [engine, walls] : engines) file.header.engines.push_back(test::engine_facts(engine));
  }
  file.header.environment = test::engine_facts(engines.front().first);
  size_t index = 0;
  for (const auto& [engine, walls] : engines) {
    for (size_t i = 0; i < walls.size(); ++i) {
      auto sample = test::synthetic_sample("fast", "warm", static_cast<int>(i), walls[i], 8);
      sample.engine = engine;
      sample.plan_index = index++;
      file.samples.push_back(sample);
    }
  }
  return file;
}

}  // namespace

TEST_CASE("compare refuses runs of different engines unless --across-engines", "[report][compare][engines]") {
  auto base = run_on({{test::engine_20_10(), low_noise(1.0, 10)}}, "base.jsonl");
  auto head = run_on({{test::engine_28_5(), low_noise(1.3, 10)}}, "head.jsonl");
  auto refused = compare(base, head);
  CHECK(refused.exit_code() == 2);
  CHECK(refused.rows.empty());
  CHECK_THAT(refused.engine_mismatch, Catch::Contains("20.10") && Catch::Contains("28.5") &&
                                          Catch::Contains("--across-engines"));
  // The engine's version is not a second reason: the engine is the reason.
  CHECK(refused.incompatibilities.empty());
  // --force is for scenarios and machines; it does not lift the engine check.
  report::CompareRunsOptions forced;
  forced.force = true;
  CHECK(compare(base, head, forced).exit_code() == 2);
  std::ostringstream refused_text;
  report::write_compare_text(refused, refused_text);
  CHECK_THAT(refused_text.str(), Catch::Contains("incomparable: different engines: the baseline was measured on 20.10 "
                                                 "and the candidate on 28.5"));

  report::CompareRunsOptions across;
  across.across_engines = true;
  auto result = compare(base, head, across);
  CHECK(result.across_engines);
  CHECK(result.across_engines_words() == "across engines: 20.10 (base) vs 28.5 (head)");
  REQUIRE(result.rows.size() == 1);
  CHECK(result.rows[0].verdict == "regressed");
  CHECK(result.exit_code() == 1);
  std::ostringstream text;
  report::write_compare_text(result, text);
  CHECK_THAT(text.str(), Catch::Contains("result: across engines: 20.10 (base) vs 28.5 (head): 1 regression"));
  std::ostringstream markdown;
  report::write_compare_markdown(result, markdown);
  CHECK_THAT(markdown.str(), Catch::Contains("**Result:** across engines: 20.10 (base) vs 28.5 (head): 1 regression"));

  // The same engine on both sides needs no flag.
  auto same = run_on({{test::engine_28_5(), low_noise(1.0, 10)}}, "base.jsonl");
  auto same_result = compare(same, head);
  CHECK(same_result.engine_mismatch.empty());
  CHECK(same_result.exit_code() == 1);
  CHECK_FALSE(same_result.across_engines);
  // Results from before samples named their engine: the header's daemon
  // release names it (20.10.24 is 20.10)...
  auto old = run_of(low_noise(1.0, 10), "old.jsonl");
  CHECK_THAT(compare(old, head).engine_mismatch, Catch::Contains("measured on 20.10"));
  // ... and a release the catalog does not know is matched with any.
  old.header.environment["engine_version"] = "27.0.1";
  CHECK(compare(old, head).engine_mismatch.empty());
  // --across-engines pairs one engine with one.
  auto two = run_on({{test::engine_20_10(), low_noise(1.0, 10)}, {test::engine_28_5(), low_noise(1.0, 10)}}, "two.jsonl");
  auto other = run_on({{{"26.1", "26.1.5", "1.45", "v0.13"}, low_noise(1.0, 10)}}, "other.jsonl");
  auto many = compare(two, other, across);
  CHECK(many.exit_code() == 2);
  CHECK_THAT(many.engine_mismatch, Catch::Contains("one engine with another"));
}

TEST_CASE("compare matches cells per engine when both runs have several", "[report][compare][engines]") {
  auto base = run_on({{test::engine_20_10(), low_noise(1.0, 10)}, {test::engine_28_5(), low_noise(0.5, 10)}}, "base.jsonl");
  // 28.5 regressed by 30%, 20.10 did not move.
  auto head = run_on({{test::engine_20_10(), low_noise(1.0, 10)}, {test::engine_28_5(), low_noise(0.65, 10)}}, "head.jsonl");
  auto result = compare(base, head);
  CHECK(result.engine_mismatch.empty());
  CHECK(result.baseline_engines == std::vector<std::string>{"20.10", "28.5"});
  REQUIRE(result.rows.size() == 2);
  CHECK(result.rows[0].engine == "20.10");
  CHECK(result.rows[0].verdict == "~");
  CHECK(result.rows[1].engine == "28.5");
  CHECK(result.rows[1].verdict == "regressed");
  REQUIRE(result.rows[1].comparison);
  CHECK(result.rows[1].comparison->ratio.ratio == Approx(1.3).epsilon(0.02));
  CHECK(result.exit_code() == 1);
  std::ostringstream text;
  report::write_compare_text(result, text);
  CHECK_THAT(text.str(), Catch::Contains("28.5 / warm / fast"));
  std::ostringstream junit;
  report::write_compare_junit(result, junit);
  CHECK_THAT(junit.str(), Catch::Contains("classname=\"buildbench.28.5.warm\""));

  // An engine only one side has is named, not a failure by itself.
  auto one = run_on({{test::engine_28_5(), low_noise(0.5, 10)}}, "head.jsonl");
  auto partial = compare(base, one);
  REQUIRE(partial.rows.size() == 2);
  CHECK(partial.rows[0].verdict == "missing in candidate");
  CHECK(partial.rows[1].verdict == "~");
}
