// The claims in two worlds side by side (report --beside): rows by claim id
// (and engine), each world's verdict with its ratio and n, and for a verdict
// that differs a reason built from the worlds' facts and step times.
#include <catch2/catch.hpp>

#include <sstream>

#include <nlohmann/json.hpp>

#include "report/model.h"
#include "report/summary_table.h"
#include "report/worlds.h"
#include "report/writers.h"
#include "test_report_worlds.h"

using namespace buildbench;
using report::ClaimVerdict;

namespace {

report::ReportModel build(const runner::ResultsFile& file) {
  report::ReportOptions options;
  options.generated_at = "2026-01-02T03:04:05Z";
  options.generator_version = "0.0.0-test";
  auto model = report::build_report({file}, options);
  REQUIRE(model.ok());
  return std::move(model).value();
}

report::ReportModel realistic_model(const runner::SampleEngine& engine = test::engine_20_10()) {
  return build(test::world_results(test::realistic_shape(), true, "seed/results.jsonl", engine));
}

report::ReportModel toy_model(const runner::SampleEngine& engine = test::engine_20_10()) {
  return build(test::world_results(test::toy_shape(), false, "seed/toy/results.jsonl", engine));
}

report::WorldsComparison compare(const report::ReportModel& realistic, const report::ReportModel& toy) {
  auto comparison = report::compare_worlds({{"realistic", &realistic}, {"toy", &toy}});
  REQUIRE(comparison.ok());
  return std::move(comparison).value();
}

template <typename Writer>
std::string render(Writer writer) {
  std::ostringstream out;
  writer(out);
  return out.str();
}

}  // namespace

TEST_CASE("worlds: a world's default name comes from its results header", "[report][worlds]") {
  CHECK(report::default_world_name(realistic_model()) == "realistic");
  CHECK(report::default_world_name(toy_model()) == "toy");
  auto file = test::world_results(test::toy_shape(), false, "own/results.jsonl");
  file.header.fixture_params = {{"path", "/src/myapp"}};
  CHECK(report::default_world_name(build(file)) == "project");
  // Results from before presets recorded no "deps": synthetic modules.
  file.header.fixture_params = {{"packages", 24}};
  CHECK(report::default_world_name(build(file)) == "toy");
}

TEST_CASE("worlds: one row per claim id with each world's verdict, ratio and n", "[report][worlds]") {
  auto realistic = realistic_model();
  auto toy = toy_model();
  auto worlds = compare(realistic, toy);
  REQUIRE(worlds.worlds.size() == 2);
  CHECK(worlds.worlds[0].name == "realistic");
  CHECK(worlds.worlds[1].name == "toy");
  CHECK(worlds.engines == std::vector<std::string>{"20.10"});
  CHECK_FALSE(worlds.engines_differ);
  CHECK(worlds.engines_note.empty());

  REQUIRE(worlds.rows.size() == 3);  // the union: small-download is the realistic world's only
  CHECK(worlds.rows[0].claim_id == "layer-order");
  CHECK(worlds.rows[1].claim_id == "fewer-bytes");
  CHECK(worlds.rows[2].claim_id == "small-download");

  const auto& layer = worlds.rows[0];
  CHECK(layer.engine.empty());
  CHECK(layer.differ);
  REQUIRE(layer.verdicts.size() == 2);
  CHECK(layer.verdicts[0].verdict == ClaimVerdict::Holds);
  CHECK(layer.verdicts[0].text == "holds: ratio 0.600, n=6 per side");
  CHECK(layer.verdicts[1].verdict == ClaimVerdict::HoldsPartly);
  CHECK(layer.verdicts[1].text == "holds partly: ratio 0.949, n=6 per side");
  REQUIRE(layer.verdicts[1].checks.size() == 1);
  CHECK(*layer.verdicts[1].checks[0].ratio == Approx(2.4 / 2.53).epsilon(0.001));

  const auto& bytes = worlds.rows[1];
  CHECK_FALSE(bytes.differ);
  CHECK(bytes.verdicts[0].text == "holds: ratio 0.000, n=6 per side");
  CHECK(bytes.verdicts[1].verdict == ClaimVerdict::Holds);

  const auto& download = worlds.rows[2];
  CHECK_FALSE(download.differ);  // measured in one world only: nothing to differ from
  CHECK_FALSE(download.measured_everywhere);
  CHECK(download.verdicts[0].verdict == ClaimVerdict::DoesNotHold);
  CHECK(download.verdicts[0].text == "does not hold: 42.2 MB, n=6");
  CHECK_FALSE(download.verdicts[1].measured);
  CHECK(download.verdicts[1].text == "not measured in toy");

  CHECK(worlds.agreement == "fewer-bytes has the same verdict in realistic and toy.");
}

TEST_CASE("worlds: a differing verdict is explained by the worlds' facts and the steps that moved", "[report][worlds]") {
  auto realistic = realistic_model();
  auto toy = toy_model();
  auto worlds = compare(realistic, toy);
  REQUIRE(worlds.differences.size() == 1);
  const auto& difference = worlds.differences[0];
  CHECK(difference.claim_id == "layer-order");
  CHECK(difference.verdicts ==
        "holds in realistic (ratio 0.600, n=6 per side) and holds partly in toy (ratio 0.949, n=6 per side)");
  // Each world's facts, from its header and its cold builds.
  CHECK(difference.facts ==
        "The worlds: realistic: real modules, preset grpc-service, 42.2 MB through the module proxy in a cold build "
        "(median of 12), network ci-runner (15.0 ms per request, 400.0 Mbit/s); toy: synthetic modules, 38.0 kB "
        "through the module proxy in a cold build (median of 12), network 20.0 ms per request, 100.0 Mbit/s.");
  // The cells the check reads, per world: fast, then slow.
  REQUIRE(difference.step_times.size() == 2);
  const auto& real_cells = difference.step_times[0].cells;
  REQUIRE(real_cells.size() == 2);
  CHECK(real_cells[0].variant == "fast");
  CHECK(real_cells[0].download_s == Approx(0.0));
  CHECK(real_cells[0].compile_share == Approx(28.0 / 30.0).epsilon(0.001));
  CHECK(real_cells[1].variant == "slow");
  CHECK(real_cells[1].wall_s == Approx(50.0).epsilon(0.02));
  CHECK(real_cells[1].download_share == Approx(0.4).epsilon(0.001));
  CHECK(real_cells[1].proxy_bytes == Approx(42'182'515));
  const auto& toy_cells = difference.step_times[1].cells;
  REQUIRE(toy_cells.size() == 2);
  CHECK(toy_cells[1].download_share == Approx(0.13 / 2.53).epsilon(0.001));
  CHECK_THAT(difference.steps,
             Catch::StartsWith("In `code-change` builds (median wall time, share of it in dependency-download and "
                               "compile steps, bytes from the module proxy): realistic: fast 30.") &&
                 Catch::Contains("slow 50.") &&
                 Catch::Contains("(download steps 40%, compile steps 56%, 42.2 MB downloaded)") &&
                 Catch::Contains("; toy: fast 2.4") &&
                 Catch::Contains("(download steps 5%, compile steps 87%, 38.0 kB downloaded)"));
  // The download step of slow moved most (40% vs 5%; compile steps moved 31 points).
  REQUIRE(difference.shift);
  CHECK(difference.shift->step_class == "dependency-download steps");
  CHECK(difference.shift->variant == "slow");
  CHECK(difference.shift->spread == Approx(0.4 - 0.13 / 2.53).epsilon(0.001));
  CHECK(difference.carrier ==
        "The dependency-download steps of `code-change` builds of slow carry the difference: they take 40% of the "
        "build time in realistic and 5% in toy.");
  CHECK_THAT(difference.text(), Catch::StartsWith("layer-order: holds in realistic (ratio 0.600") &&
                                    Catch::EndsWith("5% in toy."));
}

TEST_CASE("worlds: verdicts that agree everywhere get one line and no reasons", "[report][worlds]") {
  auto realistic = realistic_model();
  // A second toy world as slow to download as the realistic one.
  auto heavy = build(test::world_results(test::realistic_shape(), false, "heavy/results.jsonl"));
  auto worlds = report::compare_worlds({{"realistic", &realistic}, {"heavy", &heavy}});
  REQUIRE(worlds.ok());
  CHECK(worlds->differences.empty());
  CHECK(worlds->agreement == "layer-order and fewer-bytes have the same verdict in realistic and heavy.");
  realistic.worlds = std::move(worlds).value();
  auto markdown = render([&](std::ostream& out) { report::write_markdown(realistic, out); });
  CHECK_THAT(markdown, Catch::Contains("### Why the verdicts differ\n\nNo verdict differs between the worlds.\n\n"
                                       "layer-order and fewer-bytes have the same verdict in realistic and heavy.\n"));
}

TEST_CASE("worlds: the section in report.md, report.html and summary.json", "[report][worlds]") {
  auto realistic = realistic_model();
  auto toy = toy_model();
  SECTION("without --beside there is no section and no key") {
    auto markdown = render([&](std::ostream& out) { report::write_markdown(realistic, out); });
    CHECK_THAT(markdown, !Catch::Contains("both worlds"));
    auto json = nlohmann::json::parse(render([&](std::ostream& out) { report::write_summary_json(realistic, out); }));
    CHECK_FALSE(json.contains("worlds"));
  }
  realistic.worlds = compare(realistic, toy);

  auto markdown = render([&](std::ostream& out) { report::write_markdown(realistic, out); });
  CHECK_THAT(markdown, Catch::Contains("\n## The post's claims in both worlds\n\nThe same claims measured in two "
                                       "worlds, each judged on that world's own builds and matched by claim id: "
                                       "realistic (this report, real modules, preset grpc-service) and toy "
                                       "(seed/toy/results.jsonl, synthetic modules).\n\n"
                                       "| claim | realistic (this report) | toy |\n|---|---|---|\n"
                                       "| `layer-order` | **holds**: ratio 0.600, n=6 per side | **holds partly**: "
                                       "ratio 0.949, n=6 per side |\n"));
  CHECK_THAT(markdown, Catch::Contains("| `small-download` | **does not hold**: 42.2 MB, n=6 | not measured in toy |\n"));
  CHECK_THAT(markdown, Catch::Contains("### Why the verdicts differ\n\n- layer-order: holds in realistic"));
  CHECK_THAT(markdown, Catch::Contains("\nfewer-bytes has the same verdict in realistic and toy.\n"));
  // Before the tables of build kinds, right after the claims.
  CHECK(markdown.find("both worlds") > markdown.find("## The post's claims\n"));
  CHECK(markdown.find("both worlds") < markdown.find("## cold"));

  auto html = render([&](std::ostream& out) { report::write_html(realistic, {}, out); });
  CHECK_THAT(html, Catch::Contains("<a href=\"#worlds\">Worlds</a>"));
  CHECK_THAT(html, Catch::Contains("<h2 id=\"worlds\">The post&#39;s claims in both worlds</h2>"));
  CHECK_THAT(html, Catch::Contains("<td class=\"left\"><b>holds partly</b>: ratio 0.949, n=6 per side</td>"));
  CHECK_THAT(html, Catch::Contains("<li>layer-order: holds in realistic"));
  CHECK_THAT(html, Catch::Contains("builds of slow carry the difference"));

  auto json = nlohmann::json::parse(render([&](std::ostream& out) { report::write_summary_json(realistic, out); }));
  REQUIRE(json.contains("worlds"));
  const auto& worlds = json["worlds"];
  CHECK(worlds["names"] == nlohmann::json::array({"realistic", "toy"}));
  CHECK(worlds["facts"][0]["deps_preset"] == "grpc-service");
  CHECK(worlds["facts"][1]["cold_proxy_bytes"] == 38000.0);
  REQUIRE(worlds["claims"].size() == 3);
  CHECK(worlds["claims"][0]["id"] == "layer-order");
  CHECK(worlds["claims"][0]["differ"] == true);
  CHECK(worlds["claims"][0]["verdicts"][0]["verdict"] == "holds");
  CHECK(worlds["claims"][0]["verdicts"][1]["verdict"] == "holds partly");
  CHECK(worlds["claims"][2]["verdicts"][1]["measured"] == false);
  CHECK(worlds["claims"][2]["verdicts"][1]["verdict"].is_null());
  REQUIRE(worlds["differences"].size() == 1);
  CHECK(worlds["differences"][0]["id"] == "layer-order");
  CHECK(worlds["differences"][0]["reason"] == realistic.worlds.differences[0].text());
  CHECK(worlds["differences"][0]["shift"]["steps"] == "dependency-download steps");
  CHECK(worlds["differences"][0]["shift"]["shares"]["realistic"].get<double>() == Approx(0.4).epsilon(0.001));
  CHECK(worlds["differences"][0]["steps"].size() == 4);
  CHECK(worlds["agreement"] == "fewer-bytes has the same verdict in realistic and toy.");
}

TEST_CASE("worlds: claims are matched by id and engine; worlds without a common engine say so", "[report][worlds]") {
  SECTION("no engine in common: each world's own engine, and the headings name it") {
    auto realistic = realistic_model(test::engine_28_5());
    auto toy = toy_model(test::engine_20_10());
    auto worlds = compare(realistic, toy);
    CHECK(worlds.engines.empty());
    CHECK(worlds.engines_differ);
    CHECK(worlds.engines_note ==
          "The worlds share no engine, so each world's own engine is compared (realistic on 28.5 and toy on 20.10): "
          "a verdict may differ because of the engine as well as the world.");
    REQUIRE(worlds.rows.size() == 3);
    CHECK(worlds.rows[0].verdicts[0].engine == "28.5");
    CHECK(worlds.rows[0].verdicts[1].engine == "20.10");
    CHECK(worlds.rows[0].differ);
    realistic.worlds = worlds;
    CHECK(report::worlds_headings(realistic) ==
          std::vector<std::string>{"claim", "realistic on 28.5 (this report)", "toy on 20.10"});
  }
  SECTION("two engines in both worlds: a row per claim and engine") {
    auto both = [](const test::WorldShape& shape, bool realistic_world, const std::string& path) {
      auto file = test::world_results(shape, realistic_world, path, test::engine_20_10());
      auto other = test::world_results(shape, realistic_world, path, test::engine_28_5());
      file.header.engines = nlohmann::json::array({test::engine_facts(test::engine_20_10()),
                                                   test::engine_facts(test::engine_28_5())});
      for (auto sample : other.samples) {
        sample.plan_index += 1000;
        file.samples.push_back(std::move(sample));
      }
      return build(file);
    };
    auto realistic = both(test::realistic_shape(), true, "seed/results.jsonl");
    auto toy = both(test::toy_shape(), false, "seed/toy/results.jsonl");
    auto worlds = compare(realistic, toy);
    CHECK(worlds.engines == std::vector<std::string>{"20.10", "28.5"});
    CHECK_FALSE(worlds.engines_differ);
    REQUIRE(worlds.rows.size() == 6);
    CHECK(worlds.rows[0].engine == "20.10");
    CHECK(worlds.rows[3].engine == "28.5");
    CHECK(worlds.rows[3].claim_id == "layer-order");
    CHECK(worlds.rows[3].verdicts[1].engine == "28.5");
    REQUIRE(worlds.differences.size() == 2);
    CHECK_THAT(worlds.differences[1].text(), Catch::StartsWith("layer-order on 28.5: holds in realistic"));
    CHECK(worlds.agreement ==
          "fewer-bytes on 20.10 and fewer-bytes on 28.5 have the same verdict in realistic and toy.");
    realistic.worlds = worlds;
    CHECK(report::worlds_headings(realistic) ==
          std::vector<std::string>{"claim", "engine", "realistic (this report)", "toy"});
  }
  SECTION("one engine in common: only it is compared, the others are named") {
    auto realistic = realistic_model(test::engine_20_10());
    auto file = test::world_results(test::toy_shape(), false, "toy.jsonl", test::engine_20_10());
    auto other = test::world_results(test::toy_shape(), false, "toy.jsonl", test::engine_28_5());
    for (auto sample : other.samples) file.samples.push_back(std::move(sample));
    auto toy = build(file);
    auto worlds = compare(realistic, toy);
    CHECK(worlds.engines == std::vector<std::string>{"20.10"});
    CHECK(worlds.engines_note == "Claims are matched by id and engine: compared on 20.10; not compared: 28.5 (only in toy).");
    CHECK(worlds.rows.size() == 3);
  }
}

TEST_CASE("worlds: what cannot be compared is refused with the file named", "[report][worlds]") {
  auto realistic = realistic_model();
  auto toy = toy_model();
  SECTION("no claim id in common") {
    auto file = test::world_results(test::toy_shape(), false, "other/results.jsonl");
    auto claims = test::world_claims(false);
    for (auto& claim : claims) claim.id = "other-" + claim.id;
    file.header.claims = scenario::claims_to_json(claims);
    auto other = build(file);
    auto worlds = report::compare_worlds({{"realistic", &realistic}, {"other", &other}});
    REQUIRE_FALSE(worlds.ok());
    CHECK(worlds.error().message ==
          "other/results.jsonl (other) has no claim id in common with seed/results.jsonl (realistic): its claims are "
          "other-layer-order and other-fewer-bytes, the report's are layer-order, fewer-bytes and small-download");
  }
  SECTION("a world without claims") {
    auto file = test::world_results(test::toy_shape(), false, "bare/results.jsonl");
    file.header.claims = nullptr;
    auto bare = build(file);
    auto worlds = report::compare_worlds({{"realistic", &realistic}, {"bare", &bare}});
    REQUIRE_FALSE(worlds.ok());
    CHECK_THAT(worlds.error().message, Catch::Contains("bare/results.jsonl (bare) has no claim id in common") &&
                                           Catch::Contains("its claims are none"));
  }
  SECTION("names: empty or twice") {
    auto empty = report::compare_worlds({{"realistic", &realistic}, {"", &toy}});
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().message == "a world needs a name (results seed/toy/results.jsonl)");
    auto twice = report::compare_worlds({{"toy", &realistic}, {"toy", &toy}});
    REQUIRE_FALSE(twice.ok());
    CHECK_THAT(twice.error().message, Catch::StartsWith("two worlds are named 'toy'"));
  }
  SECTION("one world is no comparison") {
    CHECK_FALSE(report::compare_worlds({{"realistic", &realistic}}).ok());
  }
}
