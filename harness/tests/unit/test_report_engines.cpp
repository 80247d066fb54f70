// Engines side by side (issue 18): results of one run on two engines give
// cells per engine, an engines table, claims judged once per engine, figures
// and benchmarks that never mix engines. A results file of one engine reads
// as before, naming the engine.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/figures.h"
#include "report/model.h"
#include "report/summary_table.h"
#include "report/writers.h"
#include "scenario/claims.h"
#include "test_report_synthetic.h"

using namespace buildbench;
using report::ClaimVerdict;
using scenario::CheckType;

namespace {

// 20.10: fast rebuilds a code change in a fifth of slow's time. 28.5: both
// are quicker, and fast is a little slower than slow after a code change.
const test::EngineTimes kOld{test::engine_20_10(), 14.0, 12.0, 13.5, 2.4};
const test::EngineTimes kNew{test::engine_28_5(), 9.0, 7.5, 6.0, 6.6};

std::vector<scenario::Claim> engine_claims() {
  scenario::ClaimCheck faster;
  faster.type = CheckType::Faster;
  faster.variant = "fast";
  faster.than = "slow";
  faster.kind = "code-change";
  faster.metric = "wall_s";
  faster.holds_at_most = 0.5;
  scenario::ClaimCheck smaller;
  smaller.type = CheckType::Less;
  smaller.variant = "fast";
  smaller.than = "slow";
  smaller.kind = "cold";
  smaller.metric = "context_bytes";
  return {scenario::Claim{"layer-order", "Fast rebuilds after a code change much faster.", "", {faster}},
          scenario::Claim{"context", "Fast sends a smaller context.", "", {smaller}}};
}

report::ReportModel build(const std::vector<runner::ResultsFile>& files) {
  report::ReportOptions options;
  options.generated_at = "2026-01-02T03:04:05Z";
  options.generator_version = "0.0.0-test";
  auto model = report::build_report(files, options);
  REQUIRE(model.ok());
  return std::move(model).value();
}

report::ReportModel two_engines() {
  auto file = test::engines_results({kOld, kNew});
  file.header.claims = scenario::claims_to_json(engine_claims());
  return build({file});
}

std::vector<double> walls(const report::Cell& cell) {
  std::vector<double> values;
  for (const auto& sample : cell.samples) values.push_back(sample.record.wall_s);
  return values;
}

template <typename Writer>
std::string render(Writer writer) {
  std::ostringstream out;
  writer(out);
  return out.str();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("engines: cells are grouped per engine and compared with the baseline of their own engine", "[report][engines]") {
  auto model = two_engines();
  CHECK(model.engines == std::vector<std::string>{"20.10", "28.5"});
  CHECK(model.several_engines());
  REQUIRE(model.engine_versions.size() == 2);
  CHECK(model.engine_versions[1].daemon_version == "28.5.2");
  CHECK(model.engine_versions[1].buildkit_version == "v0.25.1");
  REQUIRE(model.cells.size() == 8);  // 2 engines x 2 kinds x 2 variants
  CHECK(model.cells[0].engine == "20.10");
  CHECK(model.cells[4].engine == "28.5");
  const auto* fast_old = model.find("20.10", "", "fast", "code-change");
  const auto* fast_new = model.find("28.5", "", "fast", "code-change");
  REQUIRE(fast_old != nullptr);
  REQUIRE(fast_new != nullptr);
  CHECK(fast_old->samples.size() == 6);
  CHECK(fast_new->samples.size() == 6);
  // The three-argument find is the first engine's.
  CHECK(model.find("", "fast", "code-change") == fast_old);
  // vs_baseline never crosses engines: fast against slow on the same engine.
  REQUIRE(fast_old->vs_baseline);
  REQUIRE(fast_new->vs_baseline);
  CHECK(fast_old->vs_baseline->ratio.ratio == Approx(2.4 / 13.5).epsilon(0.03));
  CHECK(fast_new->vs_baseline->ratio.ratio == Approx(6.6 / 6.0).epsilon(0.03));

  // The header's order decides the reference, not the order samples came in.
  auto file = test::engines_results({kOld, kNew});
  std::swap(file.header.engines[0], file.header.engines[1]);
  auto reversed = build({file});
  CHECK(reversed.engines == std::vector<std::string>{"28.5", "20.10"});
  REQUIRE_FALSE(reversed.engine_comparisons.empty());
  CHECK(reversed.engine_comparisons[0].reference.name == "28.5");
}

TEST_CASE("engines: the engines table compares each engine's median with the reference's", "[report][engines]") {
  auto model = two_engines();
  REQUIRE(model.engine_comparisons.size() == 4);  // 2 kinds x 2 variants, 28.5 against 20.10
  const auto& row = model.engine_comparisons[3];
  CHECK(row.kind == "code-change");
  CHECK(row.variant == "fast");
  CHECK(row.reference.name == "20.10");
  CHECK(row.reference.daemon_version == "20.10.24+dfsg1");
  CHECK(row.reference.buildkit_version == "v0.8.2");
  CHECK(row.engine.name == "28.5");
  CHECK(row.engine_count == 6);
  CHECK(row.reference_count == 6);
  REQUIRE(row.comparison);
  // The same computation as vs_baseline: stats::compare_samples, reference first.
  auto expected = stats::compare_samples(walls(*model.find("20.10", "", "fast", "code-change")),
                                         walls(*model.find("28.5", "", "fast", "code-change")));
  REQUIRE(expected);
  CHECK(row.comparison->ratio.ratio == expected->ratio.ratio);
  CHECK(row.comparison->ratio.ci_low == expected->ratio.ci_low);
  CHECK(row.comparison->ratio.ci_high == expected->ratio.ci_high);
  CHECK(row.comparison->test.p_value == expected->test.p_value);
  CHECK(row.comparison->ratio.ratio == Approx(6.6 / 2.4).epsilon(0.03));
  CHECK(row.comparison->significant);
  CHECK(row.comparison->ratio.ci_low <= row.comparison->ratio.ratio);
  CHECK(row.comparison->ratio.ci_high >= row.comparison->ratio.ratio);
  // slow cold: 9.0 s on 28.5 against 14.0 s.
  CHECK(model.engine_comparisons[0].kind == "cold");
  CHECK(model.engine_comparisons[0].variant == "slow");
  REQUIRE(model.engine_comparisons[0].comparison);
  CHECK(model.engine_comparisons[0].comparison->ratio.ratio == Approx(9.0 / 14.0).epsilon(0.03));

  const auto markdown = render([&](std::ostream& out) { report::write_markdown(model, out); });
  INFO(markdown);
  CHECK(contains(markdown, "## Engines side by side"));
  CHECK(contains(markdown, "### 28.5 (Docker 28.5.2, BuildKit v0.25.1) against 20.10 (Docker 20.10.24+dfsg1, BuildKit "
                           "v0.8.2)\n\n| kind | variant | median on 28.5 (95% CI) | median on 20.10 (95% CI) | "
                           "28.5 / 20.10 (95% CI) | p |\n"));
  CHECK(contains(markdown, "| code-change | fast | 6."));
  CHECK(contains(markdown, "Engines: 20.10 (the reference: Docker 20.10.24+dfsg1, BuildKit v0.8.2) and 28.5 (Docker 28.5.2, "
                           "BuildKit v0.25.1)."));
  CHECK(contains(markdown, "## cold on 20.10"));
  CHECK(contains(markdown, "## cold on 28.5"));

  const auto csv = render([&](std::ostream& out) { report::write_engines_csv(model, out); });
  CHECK(contains(csv, "series,kind,variant,reference,reference_daemon_version,reference_buildkit_version,engine,"));
  CHECK(contains(csv, ",code-change,fast,20.10,20.10.24+dfsg1,v0.8.2,28.5,28.5.2,v0.25.1,6,6,"));
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 5);

  auto json = nlohmann::json::parse(render([&](std::ostream& out) { report::write_summary_json(model, out); }));
  REQUIRE(json["engine_comparisons"].size() == 4);
  CHECK(json["engine_comparisons"][3]["engine"]["name"] == "28.5");
  CHECK(json["engine_comparisons"][3]["comparison"]["ratio"].get<double>() == row.comparison->ratio.ratio);
  CHECK(json["engines"][0]["name"] == "20.10");
  CHECK(json["cells"][4]["engine"] == "28.5");

  const auto html = render([&](std::ostream& out) { report::write_html(model, {}, out); });
  CHECK(contains(html, "<h2 id=\"engines\">Engines side by side</h2>"));
  CHECK(contains(html, "<h3>28.5 (Docker 28.5.2, BuildKit v0.25.1) against 20.10 (Docker 20.10.24+dfsg1, BuildKit v0.8.2)</h3>"));
}

TEST_CASE("engines: claims get a verdict per engine and the report says where they differ", "[report][engines][claims]") {
  auto model = two_engines();
  REQUIRE(model.claims_by_engine.size() == 2);
  REQUIRE(model.claims_by_engine[0].size() == 2);
  REQUIRE(model.claims_by_engine[1].size() == 2);
  CHECK(model.claims_by_engine[0][0].engine == "20.10");
  CHECK(model.claims_by_engine[0][0].verdict == ClaimVerdict::Holds);
  CHECK(model.claims_by_engine[1][0].engine == "28.5");
  CHECK(model.claims_by_engine[1][0].verdict == ClaimVerdict::DoesNotHold);
  CHECK(model.claims_by_engine[0][1].verdict == ClaimVerdict::Holds);
  CHECK(model.claims_by_engine[1][1].verdict == ClaimVerdict::Holds);
  // `claims` is the reference engine's.
  REQUIRE(model.claims.size() == 2);
  CHECK(model.claims[0].verdict == ClaimVerdict::Holds);

  CHECK(report::claim_differences(model) == std::vector<std::string>{"layer-order: holds on 20.10, does not hold on 28.5"});

  const auto markdown = render([&](std::ostream& out) { report::write_markdown(model, out); });
  INFO(markdown);
  CHECK(contains(markdown, "| # | the post says | measured by | result | verdict on 20.10 | verdict on 28.5 |"));
  CHECK(contains(markdown, "Where the verdicts differ between engines:\n\n- layer-order: holds on 20.10, does not hold on 28.5.\n"));
  CHECK(contains(markdown, "20.10: fast "));
  CHECK(contains(markdown, "28.5: fast "));
  const auto html = render([&](std::ostream& out) { report::write_html(model, {}, out); });
  CHECK(contains(html, "<th class=\"left\">verdict on 28.5</th>"));
  CHECK(contains(html, "<li>layer-order: holds on 20.10, does not hold on 28.5.</li>"));
  auto json = nlohmann::json::parse(render([&](std::ostream& out) { report::write_summary_json(model, out); }));
  CHECK(json["claims"][0]["verdicts_differ"] == true);
  CHECK(json["claims"][0]["by_engine"][1]["engine"] == "28.5");
  CHECK(json["claims"][0]["by_engine"][1]["verdict"] == "does not hold");
  CHECK(json["claims"][1]["verdicts_differ"] == false);
  CHECK(json["claim_differences"].size() == 1);

  // The same verdicts everywhere: said in one sentence.
  auto same = test::engines_results({kOld, {test::engine_28_5(), 9.0, 7.5, 6.0, 1.2}});
  same.header.claims = scenario::claims_to_json(engine_claims());
  auto agreeing = build({same});
  CHECK(report::claim_differences(agreeing).empty());
  CHECK(contains(render([&](std::ostream& out) { report::write_markdown(agreeing, out); }),
                 "Every claim has the same verdict on every engine."));
}

TEST_CASE("engines: adaptive runs decide each engine's claims on its own samples", "[report][engines][adaptive]") {
  // 28.5 has four repetitions only (its cells were decided and left out, or
  // the run stopped): its looks cannot go past n=4.
  auto file = test::engines_results({kOld, kNew}, 6);
  std::vector<runner::Sample> kept;
  for (const auto& sample : file.samples) {
    if (sample.engine.name == "28.5" && sample.repetition >= 4) continue;
    kept.push_back(sample);
  }
  file.samples = kept;
  file.header.claims = scenario::claims_to_json({engine_claims()[0]});
  file.header.adaptive = {{"min", 3}, {"max", 6}, {"until", "decided"}, {"alpha", 0.05}, {"look_alpha", 0.05 / 4}};
  auto model = build({file});
  REQUIRE(model.claims_by_engine.size() == 2);
  const auto& old_result = model.claims_by_engine[0][0];
  const auto& new_result = model.claims_by_engine[1][0];
  CHECK(old_result.sequential);
  CHECK(new_result.sequential);
  INFO(old_result.explanation << "\n" << new_result.explanation);
  REQUIRE(old_result.checks.size() == 1);
  REQUIRE(new_result.checks.size() == 1);
  CHECK(old_result.checks[0].looked_at <= 6);
  CHECK(new_result.checks[0].looked_at <= 4);  // never the other engine's samples
  // 20.10: five a side is the first look whose smallest exact p (0.008) passes the look level.
  CHECK(old_result.decision_words() == "decided at n=5");
  CHECK(old_result.verdict == ClaimVerdict::Holds);
  // 28.5: four a side cannot reach the look level, so it stays open.
  CHECK(new_result.decision_words() == "undecided at n=4");
  CHECK(new_result.verdict == ClaimVerdict::CannotTell);
  auto rows = report::claim_rows(model);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].per_engine.size() == 2);
  CHECK(rows[0].per_engine[0].decision == old_result.decision_words());
  CHECK(rows[0].per_engine[1].decision == new_result.decision_words());
  const auto markdown = render([&](std::ostream& out) { report::write_markdown(model, out); });
  CHECK(contains(markdown, "**holds** (decided at n=5)"));
  CHECK(contains(markdown, "**cannot tell** (undecided at n=4)"));
  CHECK(report::claim_differences(model) ==
        std::vector<std::string>{"layer-order: holds on 20.10 (decided at n=5), cannot tell on 28.5 (undecided at n=4)"});
}

TEST_CASE("engines: figures and benchmarks never mix engines and name them", "[report][engines]") {
  auto model = two_engines();
  auto figures = report::make_figures(model);
  std::vector<std::string> names;
  for (const auto& figure : figures) names.push_back(figure.name);
  INFO(fmt::format("{}", fmt::join(names, " ")));
  auto has = [&](const std::string& name) { return std::find(names.begin(), names.end(), name) != names.end(); };
  CHECK(has("bars-20.10"));
  CHECK(has("bars-28.5"));
  CHECK(has("progression-28.5"));
  CHECK(has("cache-28.5-fast"));
  CHECK(has("waterfall-20.10-fast-cold"));
  CHECK_FALSE(has("bars"));
  for (const auto& figure : figures) {
    if (figure.name == "bars-28.5") CHECK(contains(figure.title, "on 28.5"));
    // A figure shows one engine's samples: the other engine's medians are not in it.
    if (figure.name == "bars-28.5") CHECK_FALSE(contains(figure.svg, "13.5 s"));
  }

  auto gbench = nlohmann::json::parse(render([&](std::ostream& out) { report::write_gbench_json(model, out); }));
  std::vector<std::string> runs;
  for (const auto& entry : gbench["benchmarks"]) {
    std::string run = entry["run_name"];
    if (std::find(runs.begin(), runs.end(), run) == runs.end()) runs.push_back(run);
  }
  CHECK(runs.size() == 8);
  CHECK(runs.front() == "20.10/slow/cold");
  CHECK(std::find(runs.begin(), runs.end(), "28.5/fast/code-change") != runs.end());
  CHECK(gbench["context"]["buildbench"]["engines"].size() == 2);
}

TEST_CASE("engines: a results file of one engine reads as before, naming the engine", "[report][engines]") {
  auto unnamed = test::synthetic_results(6);
  auto named = unnamed;
  for (auto& sample : named.samples) sample.engine = test::engine_28_5();
  named.header.environment["engine"] = "28.5";
  auto before = build({unnamed});
  auto after = build({named});
  // The header's daemon release (20.10.24) names the engine of a file
  // whose samples do not.
  CHECK(before.engines == std::vector<std::string>{"20.10"});
  CHECK(after.engines == std::vector<std::string>{"28.5"});
  CHECK_FALSE(after.several_engines());
  CHECK(after.engine_comparisons.empty());
  auto markdown_before = render([&](std::ostream& out) { report::write_markdown(before, out); });
  const std::string line_before = "Engine: 20.10 (Docker 20.10.24+dfsg1, BuildKit v0.8.2).\n\n";
  auto at_before = markdown_before.find(line_before);
  REQUIRE(at_before != std::string::npos);
  markdown_before.erase(at_before, line_before.size());
  auto markdown_after = render([&](std::ostream& out) { report::write_markdown(after, out); });
  const std::string line = "Engine: 28.5 (Docker 28.5.2, BuildKit v0.25.1).\n\n";
  auto at = markdown_after.find(line);
  REQUIRE(at != std::string::npos);
  markdown_after.erase(at, line.size());
  CHECK(markdown_after == markdown_before);

  // Results from before samples named their engine: the header's does.
  auto old = test::synthetic_results(3);
  old.header.environment["engine"] = "20.10";
  auto model = build({old});
  CHECK(model.engines == std::vector<std::string>{"20.10"});
  CHECK(model.engine_versions[0].daemon_version == "20.10.24+dfsg1");
  CHECK(model.cells[0].engine == "20.10");
}

TEST_CASE("engines: two one-engine files of a scenario make one report side by side", "[report][engines]") {
  auto both = test::engines_results({kOld, kNew});
  auto old_file = both;
  auto new_file = both;
  old_file.path = "old.jsonl";
  new_file.path = "new.jsonl";
  std::erase_if(old_file.samples, [](const runner::Sample& sample) { return sample.engine.name != "20.10"; });
  std::erase_if(new_file.samples, [](const runner::Sample& sample) { return sample.engine.name != "28.5"; });
  for (auto* file : {&old_file, &new_file}) file->header.engines = nlohmann::json::array();
  auto model = build({new_file, old_file});
  CHECK(model.engines == std::vector<std::string>{"28.5", "20.10"});  // first seen
  CHECK(model.engine_comparisons.size() == 4);
}
