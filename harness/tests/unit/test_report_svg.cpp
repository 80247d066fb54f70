#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "report/figures.h"
#include "report/format.h"
#include "report/svg.h"
#include "report/writers.h"
#include "test_report_synthetic.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

// Well-formedness by xmllint when installed (libxml2-utils); otherwise a
// minimal check that tags balance and no raw '<' or '&' sits in text.
void check_well_formed(const std::string& document, const std::string& name) {
  INFO(name);
  auto xmllint = util::find_program("xmllint");
  if (xmllint) {
    util::RunOptions options;
    options.stdin_data = document;
    auto result = util::run_process({xmllint->string(), "--noout", "-"}, options);
    REQUIRE(result.ok());
    INFO(result->err);
    CHECK(result->exit_code == 0);
    return;
  }
  std::vector<std::string> open;
  size_t i = 0;
  while ((i = document.find('<', i)) != std::string::npos) {
    size_t end = document.find('>', i);
    REQUIRE(end != std::string::npos);
    std::string tag = document.substr(i + 1, end - i - 1);
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') {
    } else if (tag[0] == '/') {
      REQUIRE_FALSE(open.empty());
      CHECK(open.back() == tag.substr(1));
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(tag.substr(0, tag.find(' ')));
    }
    i = end + 1;
  }
  CHECK(open.empty());
}

}  // namespace

TEST_CASE("xml_escape escapes markup and replaces bytes that are not UTF-8", "[report][svg]") {
  CHECK(report::xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(report::xml_escape("caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(report::xml_escape("bad\xFF\xC3") == "bad\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(report::xml_escape("over\xC0\xAFlong") == "over\xEF\xBF\xBD\xEF\xBF\xBDlong");
  CHECK(report::xml_escape(std::string("nul\0bell\x07", 9)) == "nul bell ");
}

TEST_CASE("nice_ticks covers the range with round steps", "[report][svg]") {
  CHECK(report::nice_ticks(0, 13.7, 5) == std::vector<double>{0, 5, 10, 15});
  CHECK(report::nice_ticks(0, 11, 5) == std::vector<double>{0, 2.5, 5, 7.5, 10, 12.5});
  CHECK(report::nice_ticks(0, 60, 5) == std::vector<double>{0, 20, 40, 60});
  CHECK(report::nice_ticks(0, 0.3, 3) == std::vector<double>{0, 0.1, 0.2, 0.3});
  auto flat = report::nice_ticks(5, 5, 5);
  CHECK(flat.front() <= 5);
  CHECK(flat.back() >= 5);
  CHECK(report::tick_label(0.30000000000000004) == "0.3");
  CHECK(report::tick_label(1500) == "1500");
}

TEST_CASE("formatting picks units a reader expects", "[report]") {
  CHECK(report::format_seconds(12.345) == "12.3 s");
  CHECK(report::format_seconds(0.0467) == "46.7 ms");
  CHECK(report::format_seconds(0) == "0.000 s");
  CHECK(report::format_bytes(999) == "999 B");
  CHECK(report::format_bytes(18'500'000) == "18.5 MB");
  CHECK(report::format_p_value(0.0001) == "<0.001");
  CHECK(report::slug("code-change / Fast (v2)") == "code-change-fast-v2");
  CHECK(report::ellipsize("abcdef", 4) == "abc\xE2\x80\xA6");
  CHECK(report::ellipsize("abcd", 4) == "abcd");
  CHECK(report::csv_field("a,b\"c") == "\"a,b\"\"c\"");
}

TEST_CASE("every figure is well-formed XML, even with hostile names", "[report][svg]") {
  auto file = test::synthetic_results(4);
  for (auto& sample : file.samples) {
    if (sample.variant == "fast") sample.variant = "fast <&> \"quoted\" \xFF";
    for (auto& step : sample.record.steps) step.name += " && echo '<done>'";
  }
  file.header.scenario_title = "Title with <markup> & \"quotes\"";
  auto model = report::build_report({file});
  REQUIRE(model.ok());
  auto figures = report::make_figures(*model);
  CHECK(figures.size() == 1 + 3 + 9 + 1);
  for (const auto& figure : figures) check_well_formed(figure.svg, figure.name);
}

TEST_CASE("a sweep adds a line chart and one bar chart per sweep value", "[report][svg]") {
  auto file = test::synthetic_results(3);
  auto copy = file.samples;
  for (auto& sample : file.samples) sample.series = "packages=2";
  for (auto& sample : copy) {
    sample.series = "packages=16";
    sample.record.wall_s *= 4;
    file.samples.push_back(sample);
  }
  auto model = report::build_report({file});
  REQUIRE(model.ok());
  auto figures = report::make_figures(*model);
  std::vector<std::string> names;
  for (const auto& figure : figures) {
    names.push_back(figure.name);
    check_well_formed(figure.svg, figure.name);
    if (figure.name == "sweep") {
      // The parameter's name labels the x axis; its values are the ticks.
      CHECK(figure.svg.find(">packages</text>") != std::string::npos);
      CHECK(figure.svg.find(">16</text>") != std::string::npos);
    }
  }
  CHECK(std::count(names.begin(), names.end(), "sweep") == 1);
  CHECK(std::count(names.begin(), names.end(), "bars-packages-2") == 1);
  CHECK(std::count(names.begin(), names.end(), "bars-packages-16") == 1);
  CHECK(std::count(names.begin(), names.end(), "waterfall-packages-16-fast-cold") == 1);
}

TEST_CASE("the waterfall puts parallel stages side by side and marks cached steps", "[report][svg]") {
  auto model = report::build_report({test::synthetic_results(6)});
  REQUIRE(model.ok());
  const auto* cold = model->find("", "fast", "cold");
  REQUIRE(cold != nullptr);
  auto figure = report::waterfall_figure(*model, *cold);
  REQUIRE(figure.has_value());
  // Both parallel stages appear as bands.
  CHECK(figure->svg.find(">build-api</text>") != std::string::npos);
  CHECK(figure->svg.find(">build-worker</text>") != std::string::npos);
  CHECK(figure->svg.find("url(#hatch-waterfall-fast-cold)") != std::string::npos);  // the legend's swatch
  const auto* warm = model->find("", "fast", "warm");
  auto warm_figure = report::waterfall_figure(*model, *warm);
  REQUIRE(warm_figure.has_value());
  CHECK(warm_figure->svg.find("(cached)</title>") != std::string::npos);

  // Without step timings (the classic builder) there is no waterfall.
  auto file = test::synthetic_results(3);
  for (auto& sample : file.samples) {
    for (auto& step : sample.record.steps) step.start_offset_s = -1;
  }
  auto classic = report::build_report({file});
  REQUIRE(classic.ok());
  CHECK_FALSE(report::waterfall_figure(*classic, classic->cells.front()).has_value());
}

TEST_CASE("PNGs are made beside the SVGs when rsvg-convert is installed", "[report][svg]") {
  auto converter = util::find_program("rsvg-convert");
  if (!converter) {
    WARN("rsvg-convert not installed (apt-get install librsvg2-bin): PNG conversion not tested");
    return;
  }
  auto model = report::build_report({test::synthetic_results(3)});
  REQUIRE(model.ok());
  util::TempDir dir("bb-report-png-");
  std::vector<report::Figure> figures = {report::bars_figure(*model, "")};
  auto pngs = report::write_figures(figures, dir.path());
  REQUIRE(pngs.ok());
  CHECK(*pngs == 1);
  auto png = dir.path() / "bars.png";
  REQUIRE(std::filesystem::exists(png));
  std::ifstream in(png, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  CHECK(std::string(magic + 1, 3) == "PNG");
  CHECK(std::filesystem::file_size(png) > 10000);
}
