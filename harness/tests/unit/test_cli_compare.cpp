// `buildbench compare` on results files of different engines: exit 2 and a
// message naming both engines and --across-engines; with the flag, the
// verdict says it compared across engines. Through the built binary, on
// small hand-written results files.
#include <catch2/catch.hpp>

#include <filesystem>

#include "runner/results.h"
#include "support/test_support.h"
#include "test_report_synthetic.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

const std::string kBinary = std::string(BUILDBENCH_BINARY_DIR) + "/bin/buildbench";

// One variant (fast), one kind (warm), ten samples around `centre` seconds,
// on one engine; written as the runner writes results.
std::filesystem::path write_run(const std::filesystem::path& path, const runner::SampleEngine& engine, double centre) {
  auto header = test::synthetic_header();
  header.variants = nlohmann::json::array({{{"name", "fast"}}});
  header.build_kinds = {"warm"};
  header.baseline_variant = "fast";
  header.environment = test::engine_facts(engine);
  auto writer = runner::ResultsWriter::create(path, header);
  REQUIRE(writer.ok());
  static const double offsets[] = {0.000, 0.004, -0.003, 0.006, -0.005, 0.002, -0.001, 0.005, -0.004, 0.003};
  for (int i = 0; i < 10; ++i) {
    auto sample = test::synthetic_sample("fast", "warm", i, centre * (1 + offsets[i]), 8);
    sample.engine = engine;
    sample.plan_index = static_cast<size_t>(i);
    REQUIRE(writer->append(sample).ok());
  }
  REQUIRE(writer->finish(runner::ResultsFooter{"2026-01-01T01:00:00Z", false, 10, 0}).ok());
  return path;
}

}  // namespace

TEST_CASE("compare refuses results of different engines, exit 2, naming both and the flag", "[cli][compare][engines]") {
  util::TempDir dir("buildbench-compare-");
  auto base = write_run(dir.path() / "base.jsonl", test::engine_20_10(), 1.0);
  auto head = write_run(dir.path() / "head.jsonl", test::engine_28_5(), 1.0);
  auto run = util::run_process({kBinary, "compare", base.string(), head.string()});
  REQUIRE(run);
  INFO(run->out << run->err);
  CHECK(run->exit_code == 2);
  CHECK_THAT(run->err, Catch::Contains("engine 20.10") && Catch::Contains("engine 28.5") &&
                           Catch::Contains("--across-engines"));
  CHECK_THAT(run->out, Catch::Contains("baseline:  base.jsonl (commit abcdef123456), engine 20.10"));

  // --force does not lift it.
  auto forced = util::run_process({kBinary, "compare", base.string(), head.string(), "--force"});
  REQUIRE(forced);
  CHECK(forced->exit_code == 2);
}

TEST_CASE("compare --across-engines compares them and says so", "[cli][compare][engines]") {
  util::TempDir dir("buildbench-compare-");
  auto base = write_run(dir.path() / "base.jsonl", test::engine_20_10(), 1.0);
  auto head = write_run(dir.path() / "head.jsonl", test::engine_28_5(), 1.0);
  auto markdown = dir.path() / "comment.md";
  auto run = util::run_process(
      {kBinary, "compare", base.string(), head.string(), "--across-engines", "--markdown", markdown.string()});
  REQUIRE(run);
  INFO(run->out << run->err);
  CHECK(run->exit_code == 0);
  CHECK_THAT(run->out, Catch::Contains("result: across engines: 20.10 (base) vs 28.5 (head): no significant regression"));
  CHECK_THAT(run->err, Catch::Contains("--across-engines"));
  CHECK_THAT(test::read_file(markdown), Catch::Contains("**Result:** across engines: 20.10 (base) vs 28.5 (head)"));

  // A regression across engines still fails the gate.
  auto slower = write_run(dir.path() / "slower.jsonl", test::engine_28_5(), 1.3);
  auto regressed = util::run_process({kBinary, "compare", base.string(), slower.string(), "--across-engines"});
  REQUIRE(regressed);
  CHECK(regressed->exit_code == 1);

  // The same engine on both sides: no flag needed.
  auto again = write_run(dir.path() / "again.jsonl", test::engine_28_5(), 1.0);
  auto same = util::run_process({kBinary, "compare", head.string(), again.string()});
  REQUIRE(same);
  CHECK(same->exit_code == 0);
  CHECK_THAT(same->out, !Catch::Contains("across engines"));
}
