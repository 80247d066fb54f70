// Golden files for every report output. Regenerate after an intended change
// with BUILDBENCH_UPDATE_GOLDEN=1 and review the diff. In a golden file,
// `{{*}}` matches any text within its line (for values that may vary).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "report/figures.h"
#include "report/writers.h"
#include "scenario/claims.h"
#include "support/test_support.h"
#include "test_report_synthetic.h"
#include "util/temp_dir.h"

using namespace buildbench;
using scenario::CheckType;

namespace {

report::ReportModel golden_model() {
  report::ReportOptions options;
  options.generated_at = "2026-01-02T03:04:05Z";
  options.generator_version = "0.0.0-test";
  auto file = test::synthetic_results(6);
  // One kind with a failed build, so goldens show how failures read.
  for (auto& sample : file.samples) {
    if (sample.variant == "cachemount" && sample.kind == "cold" && sample.repetition == 4) {
      sample = test::synthetic_sample("cachemount", "cold", 4, 3.0, 0, false);
      sample.plan_index = 1000;
    }
  }
  // Claims of each verdict but "cannot tell" (six samples a side always can tell).
  auto claim = [](std::string id, std::string text, std::vector<scenario::ClaimCheck> checks) {
    return scenario::Claim{std::move(id), std::move(text), "", std::move(checks)};
  };
  auto check = [](CheckType type, std::string variant, std::string than, std::string kind, std::string metric) {
    scenario::ClaimCheck c;
    c.type = type;
    c.variant = std::move(variant);
    c.than = std::move(than);
    c.kind = std::move(kind);
    c.metric = std::move(metric);
    return c;
  };
  auto much_faster = check(CheckType::Faster, "fast", "slow", "code-change", "wall_s");
  much_faster.holds_at_most = 0.5;
  auto even_faster = check(CheckType::Faster, "cachemount", "fast", "code-change", "wall_s");
  even_faster.holds_at_most = 0.2;
  auto small = check(CheckType::AtMost, "cachemount", "", "cold", "image_size");
  small.value = 20e6;
  std::vector<scenario::Claim> claims = {
      claim("layer-order", "Fast rebuilds after a code change much faster.", {much_faster}),
      claim("context", "Fast sends a smaller context and builds faster from cold.",
            {check(CheckType::Less, "fast", "slow", "cold", "context_bytes"),
             check(CheckType::Faster, "fast", "slow", "cold", "wall_s")}),
      claim("cache-mounts", "Cache mounts make a code change five times faster again.", {even_faster}),
      claim("cold-mounts", "Cache mounts make cold builds faster too.",
            {check(CheckType::Faster, "cachemount", "fast", "cold", "wall_s")}),
      claim("small-image", "The image is small.", {small}),
  };
  claims[4].note = "Why our image differs.";
  file.header.claims = scenario::claims_to_json(claims);
  auto model = report::build_report({file}, options);
  REQUIRE(model.ok());
  return std::move(model).value();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// `{{*}}` in the expected line matches any run of characters.
bool line_matches(const std::string& expected, const std::string& actual) {
  std::vector<std::string> parts;
  size_t from = 0;
  for (size_t star; (star = expected.find("{{*}}", from)) != std::string::npos; from = star + 5) {
    parts.push_back(expected.substr(from, star - from));
  }
  parts.push_back(expected.substr(from));
  if (parts.size() == 1) return expected == actual;
  if (actual.compare(0, parts.front().size(), parts.front()) != 0) return false;
  size_t position = parts.front().size();
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    position = actual.find(parts[i], position);
    if (position == std::string::npos) return false;
    position += parts[i].size();
  }
  const auto& last = parts.back();
  return actual.size() >= position + last.size() && actual.compare(actual.size() - last.size(), last.size(), last) == 0;
}

void check_golden(const std::string& name, const std::string& actual) {
  auto path = test::data_path("report/golden/" + name);
  const char* update = std::getenv("BUILDBENCH_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    test::write_file(path, actual);
    WARN("updated " << path.string());
    return;
  }
  auto expected = split_lines(test::read_file(path));
  auto lines = split_lines(actual);
  INFO("golden file " << path.string() << " (BUILDBENCH_UPDATE_GOLDEN=1 regenerates it)");
  for (size_t i = 0; i < std::min(expected.size(), lines.size()); ++i) {
    if (!line_matches(expected[i], lines[i])) {
      INFO("line " << i + 1);
      CHECK(lines[i] == expected[i]);
      return;
    }
  }
  CHECK(lines.size() == expected.size());
}

template <typename Writer>
std::string render(Writer writer) {
  std::ostringstream out;
  writer(out);
  return out.str();
}

}  // namespace

TEST_CASE("golden: report.md", "[report][golden]") {
  auto model = golden_model();
  check_golden("report.md", render([&](std::ostream& out) { report::write_markdown(model, out); }));
}

TEST_CASE("golden: summary.csv and samples.csv", "[report][golden]") {
  auto model = golden_model();
  check_golden("summary.csv", render([&](std::ostream& out) { report::write_summary_csv(model, out); }));
  check_golden("samples.csv", render([&](std::ostream& out) { report::write_samples_csv(model, out); }));
}

TEST_CASE("golden: summary.json", "[report][golden]") {
  auto model = golden_model();
  auto text = render([&](std::ostream& out) { report::write_summary_json(model, out); });
  check_golden("summary.json", text);
  auto json = nlohmann::json::parse(text);
  CHECK(json["schema_version"] == report::kReportSchemaVersion);
  CHECK(json["cells"].size() == 9);
}

TEST_CASE("golden: gbench.json follows Google Benchmark's format", "[report][golden]") {
  auto model = golden_model();
  auto text = render([&](std::ostream& out) { report::write_gbench_json(model, out); });
  check_golden("gbench.json", text);
  auto json = nlohmann::json::parse(text);
  REQUIRE(json.contains("context"));
  CHECK(json["context"]["json_schema_version"] == 1);
  size_t iterations = 0;
  size_t aggregates = 0;
  for (const auto& entry : json["benchmarks"]) {
    CHECK(entry["time_unit"] == "ms");
    if (entry["run_type"] == "iteration") {
      ++iterations;
      CHECK(entry["repetition_index"].get<size_t>() < entry["repetitions"].get<size_t>());
    } else {
      ++aggregates;
      CHECK(entry["run_type"] == "aggregate");
    }
  }
  CHECK(iterations == 53);      // 54 samples, one failed
  CHECK(aggregates == 9 * 3);   // mean, median, stddev per variant x kind
}

TEST_CASE("golden: report.html and the figures", "[report][golden]") {
  auto model = golden_model();
  auto figures = report::make_figures(model);
  check_golden("report.html", render([&](std::ostream& out) { report::write_html(model, figures, out); }));
  for (const auto& figure : figures) {
    if (figure.name == "bars" || figure.name == "waterfall-fast-cold" || figure.name == "cache-fast" ||
        figure.name == "progression") {
      check_golden("figures/" + figure.name + ".svg", figure.svg);
    }
  }
}

TEST_CASE("write_report writes every output into the directory", "[report]") {
  auto model = golden_model();
  util::TempDir dir("bb-report-out-");
  report::WriteOptions options;
  options.png_converter = "none";
  auto written = report::write_report(model, dir.path() / "out", options);
  REQUIRE(written.ok());
  for (const char* name : {"report.md", "report.html", "summary.csv", "samples.csv", "summary.json", "gbench.json",
                           "figures/bars.svg", "figures/progression.svg", "figures/cache-slow.svg",
                           "figures/waterfall-slow-cold.svg"}) {
    INFO(name);
    CHECK(std::filesystem::exists(dir.path() / "out" / name));
  }
  CHECK(written->pngs == 0);
  // 6 documents, bars, 3 cache matrices, 9 waterfalls, progression.
  CHECK(written->files.size() == 6 + 1 + 3 + 9 + 1);
}

// Docker 28.x sends Dockerfile checks as BuildKit warnings; the report lists
// them once per variant and text, counting the samples that carried them.
TEST_CASE("build checks: a short section in report.md and report.html, none without warnings", "[report]") {
  report::ReportOptions options;
  options.generated_at = "2026-01-02T03:04:05Z";
  options.generator_version = "0.0.0-test";
  auto file = test::synthetic_results(3);
  docker::BuildWarning json_args;
  json_args.level = 1;
  json_args.message = "JSONArgsRecommended: JSON arguments recommended for CMD (line 4)";
  json_args.url = "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/";
  json_args.line = 4;
  size_t carrying = 0;
  for (auto& sample : file.samples) {
    if (sample.variant == "fast" && !sample.warmup) {
      sample.record.warnings = {json_args};
      ++carrying;
    }
  }
  REQUIRE(carrying > 0);
  auto model = report::build_report({file}, options);
  REQUIRE(model.ok());
  REQUIRE(model->build_checks.size() == 1);
  CHECK(model->build_checks[0].variant == "fast");
  CHECK(model->build_checks[0].samples == carrying);
  const auto markdown = render([&](std::ostream& out) { report::write_markdown(*model, out); });
  CHECK(markdown.find("## Build checks") != std::string::npos);
  CHECK(markdown.find("- fast: JSONArgsRecommended: JSON arguments recommended for CMD (line 4) (" +
                      std::to_string(carrying) + " samples) <https://docs.docker.com/go/dockerfile/rule/json-args-recommended/>") !=
        std::string::npos);
  const auto html = render([&](std::ostream& out) { report::write_html(*model, {}, out); });
  CHECK(html.find("id=\"build-checks\"") != std::string::npos);

  auto plain = report::build_report({test::synthetic_results(3)}, options);
  REQUIRE(plain.ok());
  CHECK(plain->build_checks.empty());
  CHECK(render([&](std::ostream& out) { report::write_markdown(*plain, out); }).find("Build checks") == std::string::npos);
}
