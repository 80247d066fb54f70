// Claims judged at every sweep value (report/sweep_claims.h) on synthetic
// samples: a claim that holds only from some value on, one that never
// does, one that holds at a middle value but not at the largest, the
// table, the figure, and the outputs that show them.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "report/figures.h"
#include "report/model.h"
#include "report/sweep_claims.h"
#include "report/writers.h"
#include "runner/results.h"
#include "scenario/claims.h"
#include "test_report_synthetic.h"

using namespace buildbench;
using report::ClaimVerdict;
using scenario::CheckType;

namespace {

// Per sweep value: fast/slow ratio of code-change and of cold builds. The
// values are listed out of order, as a scenario may list them.
struct Point {
  const char* value;
  double code_change_ratio;
  double cold_ratio;
};
const std::vector<Point> kPoints = {
    {"100000000", 0.45, 1.0}, {"0", 0.95, 1.0}, {"200000000", 0.30, 1.0}, {"10000000", 0.80, 0.40}, {"40000000", 0.60, 1.0},
};

runner::ResultsFile sweep_results(int repetitions = 6) {
  runner::ResultsFile file;
  file.path = "sweep/results.jsonl";
  file.header = test::synthetic_header();
  file.header.variants = nlohmann::json::array({{{"name", "slow"}}, {{"name", "fast"}}});
  file.header.build_kinds = {"cold", "code-change"};
  size_t plan_index = 0;
  for (const auto& point : kPoints) {
    for (int rep = 0; rep < repetitions; ++rep) {
      for (const char* kind : {"cold", "code-change"}) {
        const bool cold = std::string(kind) == "cold";
        const double slow = cold ? 20.0 : 10.0;
        const double fast = slow * (cold ? point.cold_ratio : point.code_change_ratio);
        for (auto [variant, wall] : {std::pair{"slow", slow}, std::pair{"fast", fast}}) {
          auto sample = test::synthetic_sample(variant, kind, rep, wall * (1 + test::jitter(rep)), 0);
          sample.series = std::string("dep_payload_bytes=") + point.value;
          sample.plan_index = plan_index++;
          file.samples.push_back(std::move(sample));
        }
      }
    }
  }
  file.footer = runner::ResultsFooter{"2026-01-01T01:00:00Z", false, file.samples.size(), 0};
  return file;
}

scenario::Claim faster_claim(const std::string& id, const std::string& kind, double holds_at_most) {
  scenario::ClaimCheck check;
  check.type = CheckType::Faster;
  check.variant = "fast";
  check.than = "slow";
  check.kind = kind;
  check.metric = "wall_s";
  check.holds_at_most = holds_at_most;
  return scenario::Claim{id, "fast is much faster", "", {check}};
}

scenario::Claim at_most_claim() {
  scenario::ClaimCheck check;
  check.type = CheckType::AtMost;
  check.variant = "fast";
  check.kind = "cold";
  check.metric = "image_size";
  check.value = 20e6;
  return scenario::Claim{"small-image", "the image is small", "", {check}};
}

report::ReportModel sweep_model(int repetitions = 6) {
  report::ReportOptions options;
  options.bootstrap.resamples = 2000;
  options.claims = std::vector<scenario::Claim>{faster_claim("layer-order", "code-change", 0.5),
                                                faster_claim("never", "code-change", 0.1),
                                                faster_claim("only-middle", "cold", 0.5), at_most_claim()};
  options.claims_source = "the test";
  auto model = report::build_report({sweep_results(repetitions)}, options);
  REQUIRE(model);
  return std::move(model).value();
}

const report::SweepClaim& find_claim(const report::ReportModel& model, const std::string& id) {
  for (const auto& sweep : model.sweep_claims) {
    if (sweep.claim.id == id) return sweep;
  }
  FAIL("no sweep claim " << id);
  throw std::logic_error("unreachable");
}

std::vector<ClaimVerdict> verdicts_of(const report::SweepClaim& sweep) {
  std::vector<ClaimVerdict> verdicts;
  for (const auto& point : sweep.points) verdicts.push_back(point.result.verdict);
  return verdicts;
}

}  // namespace

TEST_CASE("sweep claims: every claim at every value, in ascending order", "[report][sweep_claims]") {
  auto model = sweep_model();
  REQUIRE(model.sweep_claims.size() == 4);
  const auto& layer = find_claim(model, "layer-order");
  CHECK(layer.parameter == "dep_payload_bytes");
  REQUIRE(layer.points.size() == 5);
  std::vector<std::string> values;
  for (const auto& point : layer.points) values.push_back(point.value);
  CHECK(values == std::vector<std::string>{"0", "10000000", "40000000", "100000000", "200000000"});
  CHECK(layer.points[3].series == "dep_payload_bytes=100000000");
  REQUIRE(layer.points[3].number);
  CHECK(*layer.points[3].number == 1e8);

  // 0.95 and 0.80: faster, but by far less than half; 0.60 likewise; 0.45
  // and 0.30 are within the claimed 0.5.
  CHECK(verdicts_of(layer) == std::vector<ClaimVerdict>{ClaimVerdict::HoldsPartly, ClaimVerdict::HoldsPartly,
                                                        ClaimVerdict::HoldsPartly, ClaimVerdict::Holds, ClaimVerdict::Holds});
  REQUIRE(layer.holds_from);
  CHECK(*layer.holds_from == 3);
  CHECK(layer.sentence == "holds from dep_payload_bytes = 100 MB (at 40.0 MB: holds partly)");
  REQUIRE(layer.ratio_check);
  const auto* ratio = layer.ratio_at(4);
  REQUIRE(ratio != nullptr);
  REQUIRE(ratio->comparison);
  CHECK(ratio->comparison->ratio.ratio == Approx(0.30).epsilon(0.03));
  CHECK(ratio->n_variant == 6);
  // Each point is judged on its own series' cells.
  CHECK(layer.points[0].result.checks.front().comparison->ratio.ratio == Approx(0.95).epsilon(0.03));
}

TEST_CASE("sweep claims: a claim that never holds, and one that holds only in the middle", "[report][sweep_claims]") {
  auto model = sweep_model();
  const auto& never = find_claim(model, "never");
  CHECK_FALSE(never.holds_from);
  CHECK(never.sentence ==
        "does not reach 'holds' in the swept range (dep_payload_bytes = 0 B to 200 MB); at 200 MB: holds partly");

  // Holding at 10 MB alone is not "from 10 MB on": the larger values do not.
  const auto& middle = find_claim(model, "only-middle");
  CHECK(verdicts_of(middle)[1] == ClaimVerdict::Holds);
  CHECK(verdicts_of(middle)[4] != ClaimVerdict::Holds);
  CHECK_FALSE(middle.holds_from);
  CHECK_THAT(middle.sentence, Catch::StartsWith("does not reach 'holds' in the swept range"));

  // A claim without a time check has no ratio, but still a verdict per value.
  const auto& image = find_claim(model, "small-image");
  CHECK_FALSE(image.ratio_check);
  CHECK(image.ratio_at(0) == nullptr);
  REQUIRE(image.holds_from);
  CHECK(*image.holds_from == 0);
  CHECK(image.sentence == "holds from dep_payload_bytes = 0 B, the smallest value swept");
}

TEST_CASE("sweep claims: the claims table itself still judges the first series", "[report][sweep_claims]") {
  auto model = sweep_model();
  REQUIRE(model.claims.size() == 4);
  // The first series the run produced is 100 MB (the scenario's order).
  CHECK(model.series.front() == "dep_payload_bytes=100000000");
  CHECK(model.claims.front().verdict == ClaimVerdict::Holds);
  bool noted = false;
  for (const auto& note : model.notes) noted = noted || note.find("Claims across the sweep") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("sweep claims: nothing without a sweep", "[report][sweep_claims]") {
  report::ReportOptions options;
  options.bootstrap.resamples = 500;
  options.claims = std::vector<scenario::Claim>{faster_claim("layer-order", "code-change", 0.5)};
  auto model = report::build_report({test::synthetic_results(4)}, options);
  REQUIRE(model);
  CHECK(model->claims.size() == 1);
  CHECK(model->sweep_claims.empty());
  CHECK(report::sweep_claim_tables(*model).empty());
  std::ostringstream json;
  report::write_summary_json(*model, json);
  CHECK(nlohmann::json::parse(json.str())["sweep_claims"] == nlohmann::json::array());
}

TEST_CASE("sweep claims: table, figure and outputs", "[report][sweep_claims]") {
  auto model = sweep_model();
  auto tables = report::sweep_claim_tables(model);
  REQUIRE(tables.size() == 1);
  const auto& table = tables.front();
  CHECK(table.heading == "dep_payload_bytes");
  CHECK(table.columns == std::vector<std::string>{"0 B", "10.0 MB", "40.0 MB", "100 MB", "200 MB"});
  REQUIRE(table.rows.size() == 4);
  CHECK(table.rows[0].id == "layer-order");
  CHECK(table.rows[0].verdicts[4] == "holds");
  CHECK_THAT(table.rows[0].ratios[4], Catch::StartsWith("0.3"));
  CHECK(table.rows[0].counts[4] == "n=6 per side");
  CHECK(table.rows[3].ratios[0] == "-");
  CHECK(table.rows[3].counts[0] == "n=6");

  auto figure = report::sweep_claim_figure(model, find_claim(model, "layer-order"));
  REQUIRE(figure);
  CHECK(figure->name == "sweep-claim-layer-order");
  CHECK_THAT(figure->svg, Catch::Contains("claimed: at most 0.500") && Catch::Contains("holds from here") &&
                              Catch::Contains("200 MB") && Catch::Contains("dep_payload_bytes"));
  auto never = report::sweep_claim_figure(model, find_claim(model, "never"));
  REQUIRE(never);
  CHECK_THAT(never->svg, !Catch::Contains("holds from here"));
  CHECK_FALSE(report::sweep_claim_figure(model, find_claim(model, "small-image")));
  size_t sweep_figures = 0;
  for (const auto& made : report::make_figures(model)) sweep_figures += made.name.rfind("sweep-claim-", 0) == 0 ? size_t{1} : size_t{0};
  CHECK(sweep_figures == 3);

  std::ostringstream markdown;
  report::write_markdown(model, markdown);
  CHECK_THAT(markdown.str(), Catch::Contains("## Claims across the sweep") &&
                                 Catch::Contains("| claim | 0 B | 10.0 MB | 40.0 MB | 100 MB | 200 MB |") &&
                                 Catch::Contains("- `layer-order` holds from dep_payload_bytes = 100 MB"));
  std::ostringstream html;
  report::write_html(model, report::make_figures(model), html);
  CHECK_THAT(html.str(), Catch::Contains("id=\"sweep-claims\"") && Catch::Contains("sweep-claim-layer-order"));

  std::ostringstream json_text;
  report::write_summary_json(model, json_text);
  auto json = nlohmann::json::parse(json_text.str());
  REQUIRE(json["sweep_claims"].size() == 4);
  const auto& entry = json["sweep_claims"][0];
  CHECK(entry["id"] == "layer-order");
  CHECK(entry["parameter"] == "dep_payload_bytes");
  CHECK(entry["holds_from"] == "100000000");
  REQUIRE(entry["points"].size() == 5);
  CHECK(entry["points"][4]["verdict"] == "holds");
  CHECK(entry["points"][4]["n_variant"] == 6);
  CHECK(entry["points"][4]["comparison"]["ratio"].get<double>() == Approx(0.30).epsilon(0.03));
  CHECK(json["sweep_claims"][1]["holds_from"].is_null());
}

TEST_CASE("sweep values read as bytes only for byte parameters", "[report][sweep_claims]") {
  CHECK(report::sweep_value_words("dep_payload_bytes", "10000000") == "10.0 MB");
  CHECK(report::sweep_value_words("packages", "48") == "48");
  CHECK(report::sweep_value_words("dep_payload_bytes", "lots") == "lots");
}
