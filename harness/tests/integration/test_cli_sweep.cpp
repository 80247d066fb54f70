// `buildbench run` on a tiny dependency-volume sweep against the real
// daemon: the synthetic modules' payload (dep_payload_bytes) is really
// downloaded through the module proxy, `go mod verify` accepts it in the
// image, and the report judges the scenario's claim at each sweep value.
// Two cold builds of a six-package service.
#include <catch2/catch.hpp>

#include <map>

#include "runner/results.h"
#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {
const std::string kBinary = std::string(BUILDBENCH_BINARY_DIR) + "/bin/buildbench";
const std::string kScenario = std::string(BUILDBENCH_TEST_DATA) + "/scenarios/valid/sweep-payload.json";
constexpr uint64_t kPayload = 8388608;  // the scenario's second sweep value
}  // namespace

TEST_CASE("run a dep_payload_bytes sweep: the cold build downloads the payload and verifies it",
          "[integration][runner][sweep]") {
  test::require_daemon();
  util::TempDir out("buildbench-sweep-");
  auto run = util::run_process({kBinary, "run", kScenario, "--out", out.path().string(), "--quiet"});
  REQUIRE(run);
  INFO(run->out << run->err);
  REQUIRE(run->exit_code == 0);

  auto results = runner::read_results(out.path() / "results.jsonl");
  REQUIRE(results);
  REQUIRE(results->footer);
  std::map<std::string, runner::Sample> by_series;
  for (const auto& sample : results->samples) {
    CHECK(sample.kind == "cold");
    INFO(sample.series << ": " << sample.record.error);
    CHECK(sample.record.ok);  // `go mod download && go mod verify` and the build succeeded
    by_series[sample.series] = sample;
  }
  REQUIRE(by_series.size() == 2);
  const auto& plain = by_series.at("dep_payload_bytes=0");
  const auto& heavy = by_series.at("dep_payload_bytes=" + std::to_string(kPayload));
  // Without payload the two modules are a few kB; with it the proxy served
  // the payload on top, stored in the zips (no compression to shrink it),
  // plus a little zip overhead for its files.
  CHECK(plain.proxy.bytes > 0);
  CHECK(plain.proxy.bytes < 100'000);
  CHECK(heavy.proxy.bytes >= plain.proxy.bytes + kPayload);
  CHECK(heavy.proxy.bytes < plain.proxy.bytes + kPayload + 16'384);
  CHECK(heavy.proxy.requests == plain.proxy.requests);  // same modules, only heavier
  bool verified = false;
  for (const auto& step : heavy.record.steps) {
    if (step.name.find("go mod verify") != std::string::npos) verified = !step.cached && step.error.empty();
  }
  CHECK(verified);

  const auto report_dir = test::report_run(kBinary, out.path());
  auto summary = nlohmann::json::parse(test::read_file(report_dir / "summary.json"));
  REQUIRE(summary["sweep_claims"].size() == 1);
  const auto& claim = summary["sweep_claims"][0];
  CHECK(claim["parameter"] == "dep_payload_bytes");
  REQUIRE(claim["points"].size() == 2);
  CHECK(claim["points"][0]["verdict"] == "holds");
  CHECK(claim["points"][1]["verdict"] == "does not hold");
  CHECK(claim["holds_from"].is_null());
  std::string markdown = test::read_file(report_dir / "report.md");
  CHECK(markdown.find("## Claims across the sweep") != std::string::npos);
}
