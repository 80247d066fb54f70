// Engines side by side (issue 18): one run of ci-small on the managed
// daemons of 20.10 and 28.5, rounds interleaved, every sample naming the
// engine, daemon, API and BuildKit it was built with, and each engine's
// builds doing what their kinds promise.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "engine/engine_daemon.h"
#include "runner/merge.h"
#include "runner/results.h"
#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

const std::string kBinary = std::string(BUILDBENCH_BINARY_DIR) + "/bin/buildbench";
const std::string kScenario = std::string(BUILDBENCH_SOURCE_DIR) + "/scenarios/ci-small.json";

void require_engines(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (engine::installed_engine(name)) continue;
    const char* required = std::getenv("BUILDBENCH_REQUIRE_DAEMON");
    std::string reason = std::string("engine ") + name + " is not installed (buildbench engine install " + name + ")";
    if (required != nullptr && std::string(required) == "1") {
      std::fprintf(stderr, "FATAL: %s (BUILDBENCH_REQUIRE_DAEMON=1)\n", reason.c_str());
      std::exit(1);
    }
    std::fprintf(stderr, "SKIPPED: %s\n", reason.c_str());
    std::exit(77);
  }
}

}  // namespace

TEST_CASE("run --engines 20.10 and 28.5: one run with rounds of both engines interleaved and versions in every sample",
          "[integration][runner][engines]") {
  require_engines({"20.10", "28.5"});
  util::TempDir out("buildbench-engines-");
  // cold, warm and code-change of both variants on both engines: 12 builds.
  auto run = util::run_process({kBinary, "run", kScenario, "--engines", "20.10,28.5", "--reps", "1", "--out",
                                out.path().string(), "--quiet"});
  REQUIRE(run);
  INFO(run->out << run->err);
  REQUIRE(run->exit_code == 0);
  auto results = runner::read_results(out.path() / "results.jsonl");
  REQUIRE(results);
  CHECK(results->header.daemon_mode == "managed");
  REQUIRE(results->header.engines.size() == 2);
  CHECK(results->header.engines[0]["engine"] == "20.10");
  CHECK(results->header.engines[1]["engine"] == "28.5");
  REQUIRE(results->samples.size() == 24);  // 2 engines x 2 variants x 6 kinds

  std::map<std::string, std::map<std::string, std::map<std::string, runner::Sample>>> by;  // engine, variant, kind
  std::vector<std::string> engine_of_round;
  std::string last_round_key;
  for (const auto& sample : results->samples) {
    INFO(sample.engine.name << " " << sample.variant << " " << sample.kind << ": " << sample.record.error);
    CHECK(sample.record.ok);
    by[sample.engine.name][sample.variant][sample.kind] = sample;
    if (sample.engine.name == "20.10") {
      CHECK(sample.engine.daemon_version.rfind("20.10.24", 0) == 0);
      CHECK(sample.engine.buildkit_version.rfind("v0.8", 0) == 0);
    } else {
      CHECK(sample.engine.name == "28.5");
      CHECK(sample.engine.daemon_version.rfind("28.5.2", 0) == 0);
      CHECK(sample.engine.buildkit_version.rfind("v0.25", 0) == 0);
    }
    CHECK_FALSE(sample.engine.api_version.empty());
    std::string round_key = sample.engine.name + "/" + sample.variant;
    if (round_key != last_round_key) engine_of_round.push_back(sample.engine.name);
    last_round_key = round_key;
  }
  // Four rounds (engine x variant) in one shuffled order: the run is not
  // "all of 20.10, then all of 28.5" unless the shuffle says so, and with
  // ci-small's seed it does not.
  REQUIRE(engine_of_round.size() == 4);
  CHECK(std::set<std::string>(engine_of_round.begin(), engine_of_round.end()).size() == 2);
  CHECK_FALSE((engine_of_round[0] == engine_of_round[1] && engine_of_round[2] == engine_of_round[3]));

  for (const auto& engine : {"20.10", "28.5"}) {
    for (const auto& variant : {"slow", "fast"}) {
      CAPTURE(engine, variant);
      const auto& kinds = by[engine][variant];
      REQUIRE(kinds.count("cold"));
      CHECK(kinds.at("cold").proxy.requests > 0);
      CHECK(kinds.at("cold").record.cached_steps < kinds.at("cold").record.total_steps);
      CHECK(kinds.at("warm").record.cached_steps == kinds.at("warm").record.total_steps);
      CHECK(kinds.at("code-change").record.cached_steps < kinds.at("code-change").record.total_steps);
      CHECK(kinds.at("dependency-add").proxy.requests > 0);
    }
  }

  // The report groups by engine: an engines table and a verdict per engine.
  const auto report_dir = test::report_run(kBinary, out.path());
  auto summary = nlohmann::json::parse(test::read_file(report_dir / "summary.json"));
  CHECK(summary["engines"].size() == 2);
  CHECK(summary["engine_comparisons"].is_array());
  CHECK_FALSE(summary["engine_comparisons"].empty());
  REQUIRE(summary["claims"].size() == 1);
  CHECK(summary["claims"][0]["by_engine"].size() == 2);
  CHECK(std::filesystem::exists(report_dir / "engines.csv"));
  // compare refuses one engine's samples against the other's unless asked.
  runner::ResultsFile only_2010 = *results;
  runner::ResultsFile only_285 = *results;
  std::erase_if(only_2010.samples, [](const runner::Sample& s) { return s.engine.name != "20.10"; });
  std::erase_if(only_285.samples, [](const runner::Sample& s) { return s.engine.name != "28.5"; });
  REQUIRE(runner::write_results(out.path() / "a.jsonl", only_2010));
  REQUIRE(runner::write_results(out.path() / "b.jsonl", only_285));
  auto refused = util::run_process({kBinary, "compare", (out.path() / "a.jsonl").string(), (out.path() / "b.jsonl").string()});
  REQUIRE(refused);
  CHECK(refused->exit_code == 2);
  CHECK(refused->err.find("--across-engines") != std::string::npos);
  auto across = util::run_process({kBinary, "compare", (out.path() / "a.jsonl").string(),
                                   (out.path() / "b.jsonl").string(), "--across-engines"});
  REQUIRE(across);
  INFO(across->out << across->err);
  CHECK(across->exit_code != 2);
  CHECK(across->out.find("across engines: 20.10 (base) vs 28.5 (head)") != std::string::npos);
}

TEST_CASE("run: a scenario naming an engine that is not installed is refused before any build with the install command",
          "[integration][runner][engines]") {
  util::TempDir dir("buildbench-engines-refused-");
  // An engine state directory with nothing installed: 28.5 is known but absent.
  std::string scenario = test::read_file(kScenario);
  auto at = scenario.find("\"variants\"");
  REQUIRE(at != std::string::npos);
  scenario.insert(at, "\"engines\": [\"28.5\"],\n  ");
  // Beside the scenario's own Dockerfiles' folder, by absolute paths.
  const std::string fixtures = std::string(BUILDBENCH_SOURCE_DIR) + "/fixtures/";
  for (size_t pos = scenario.find("../fixtures/"); pos != std::string::npos; pos = scenario.find("../fixtures/", pos)) {
    scenario.replace(pos, 12, fixtures);
    pos += fixtures.size();
  }
  auto file = dir.path() / "scenario.json";
  test::write_file(file, scenario);
  auto validate = util::run_process({"env", "BUILDBENCH_STATE_DIR=" + dir.path().string(), kBinary, "validate", file.string()});
  auto run = util::run_process({"env", "BUILDBENCH_STATE_DIR=" + dir.path().string(), kBinary, "run", file.string(),
                                "--out", (dir.path() / "out").string(), "--quiet"});
  REQUIRE(validate);
  REQUIRE(run);
  INFO(validate->out << validate->err << run->out << run->err);
  CHECK(validate->exit_code == 2);
  CHECK(run->exit_code == 2);
  CHECK(validate->err.find("/engines/0: engine 28.5 is not installed") != std::string::npos);
  CHECK(validate->err.find("buildbench engine install 28.5") != std::string::npos);
  CHECK(run->err.find("/engines/0: engine 28.5 is not installed") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out" / "results.jsonl"));
}
