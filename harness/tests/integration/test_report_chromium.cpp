// report.html in a real browser: headless Chromium renders it to a PNG,
// which must not be blank. A PNG's compressed size tracks how much is drawn,
// so the screenshot of the report is compared with one of an empty page of
// the same size (no image decoder needed). Needs no Docker daemon.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "report/model.h"
#include "report/writers.h"
#include "support/test_support.h"
#include "../unit/test_report_synthetic.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

std::filesystem::path require_chromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    if (auto found = util::find_program(name)) return *found;
  }
  const char* required = std::getenv("BUILDBENCH_REQUIRE_DAEMON");
  if (required != nullptr && std::string(required) == "1") {
    std::fprintf(stderr, "FATAL: chromium is required (BUILDBENCH_REQUIRE_DAEMON=1): apt-get install chromium\n");
    std::exit(1);
  }
  std::fprintf(stderr, "SKIPPED: chromium is not installed (apt-get install chromium)\n");
  std::exit(77);
}

struct Screenshot {
  uint32_t width = 0;
  uint32_t height = 0;
  uintmax_t bytes = 0;
};

uint32_t big_endian(const unsigned char* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

Screenshot screenshot(const std::filesystem::path& chromium, const std::filesystem::path& page,
                      const std::filesystem::path& png) {
  util::TempDir profile("bb-chromium-profile-");
  std::vector<std::string> argv;
  // A hung browser must not hang the test suite.
  if (auto timeout = util::find_program("timeout")) {
    argv = {timeout->string(), "--kill-after=10", "120"};
  }
  for (const std::string& arg :
       {chromium.string(), std::string("--headless"), std::string("--no-sandbox"), std::string("--disable-gpu"),
        std::string("--disable-quic"), std::string("--no-first-run"), std::string("--disable-background-networking"),
        std::string("--disable-component-update"), std::string("--disable-sync"), std::string("--hide-scrollbars"),
        "--user-data-dir=" + profile.path().string(), "--screenshot=" + png.string(),
        std::string("--window-size=1200,2000"), "file://" + page.string()}) {
    argv.push_back(arg);
  }
  auto result = util::run_process(argv);
  REQUIRE(result.ok());
  INFO("chromium stderr: " << result->err);
  REQUIRE(result->exit_code == 0);
  REQUIRE(std::filesystem::exists(png));
  std::ifstream in(png, std::ios::binary);
  unsigned char header[24] = {};
  in.read(reinterpret_cast<char*>(header), sizeof header);
  REQUIRE(in.gcount() == 24);
  REQUIRE(header[1] == 'P');
  REQUIRE(header[2] == 'N');
  REQUIRE(header[3] == 'G');
  // IHDR follows the 8-byte signature: length, "IHDR", width, height.
  return {big_endian(header + 16), big_endian(header + 20), std::filesystem::file_size(png)};
}

}  // namespace

TEST_CASE("report.html renders in headless Chromium and is not blank", "[report][chromium]") {
  auto chromium = require_chromium();
  util::TempDir dir("bb-report-chromium-");
  report::ReportOptions options;
  options.generated_at = "2026-01-02T03:04:05Z";
  auto model = report::build_report({test::synthetic_results(6)}, options);
  REQUIRE(model.ok());
  report::WriteOptions write_options;
  write_options.png_converter = "none";
  auto written = report::write_report(*model, dir.path() / "report", write_options);
  REQUIRE(written.ok());

  auto blank_page = dir.path() / "blank.html";
  test::write_file(blank_page, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body></body></html>\n");
  auto blank = screenshot(chromium, blank_page, dir.path() / "blank.png");
  auto page = screenshot(chromium, dir.path() / "report" / "report.html", dir.path() / "report.png");

  CHECK(page.width == 1200);
  CHECK(page.height == 2000);
  INFO("blank page: " << blank.bytes << " bytes, report: " << page.bytes << " bytes");
  // Text, tables and figures compress far worse than a white page: measured
  // here 11 kB for the blank page against 250 kB for the report.
  CHECK(page.bytes > 30000);
  CHECK(page.bytes > 5 * blank.bytes);
}
