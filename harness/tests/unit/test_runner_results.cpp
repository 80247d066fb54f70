#include <catch2/catch.hpp>

#include <fstream>

#include "runner/merge.h"
#include "runner/results.h"
#include "runner/sanity.h"
#include "scenario/claims.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

runner::ResultsHeader header(const std::string& hash = "abc123") {
  runner::ResultsHeader h;
  h.harness_version = "0.1.0";
  h.scenario_name = "demo";
  h.scenario_hash = hash;
  h.build_kinds = {"cold", "warm"};
  h.baseline_variant = "slow";
  h.seed = 7;
  h.plan_size = 4;
  return h;
}

runner::Sample sample(size_t index, const std::string& variant, const std::string& kind, double wall) {
  runner::Sample s;
  s.plan_index = index;
  s.variant = variant;
  s.kind = kind;
  s.record.ok = true;
  s.record.wall_s = wall;
  s.record.cached_steps = kind == "warm" ? 3 : 0;
  s.record.total_steps = 3;
  docker::BuildStep step;
  step.name = "[2/3] RUN go build";
  step.stage = "";
  step.index = 2;
  step.total = 3;
  step.duration_s = wall;
  s.record.steps.push_back(step);
  s.proxy.requests = 4;
  s.proxy.bytes = 1000;
  return s;
}

}  // namespace

TEST_CASE("results: written records read back the same", "[runner][results]") {
  util::TempDir dir;
  auto path = dir.path() / "results.jsonl";
  {
    auto writer = runner::ResultsWriter::create(path, header());
    REQUIRE(writer);
    auto cold = sample(0, "slow", "cold", 12.5);
    cold.record.daemon_context_bytes = 4096;
    docker::BuildWarning check;
    check.level = 1;
    check.message = "JSONArgsRecommended: JSON arguments recommended for cmd (line 4)";
    check.detail = {"JSON arguments recommended for ENTRYPOINT/CMD"};
    check.url = "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/";
    check.file = "Dockerfile";
    check.line = 4;
    cold.record.warnings = {check};
    REQUIRE(writer->append(cold));
    REQUIRE(writer->append(sample(1, "slow", "warm", 0.25)));
    REQUIRE(writer->finish({"2026-11-29T00:00:00Z", false, 2, 0}));
  }
  auto read = runner::read_results(path);
  REQUIRE(read);
  CHECK(read->warnings.empty());
  CHECK(read->header.scenario_hash == "abc123");
  CHECK(read->header.seed == 7);
  REQUIRE(read->samples.size() == 2);
  CHECK(read->samples[0].record.wall_s == 12.5);
  CHECK(read->samples[1].record.cached_steps == 3);
  CHECK(read->samples[0].record.steps.at(0).name == "[2/3] RUN go build");
  CHECK(read->samples[0].proxy.bytes == 1000);
  CHECK(read->samples[0].record.daemon_context_bytes == 4096);
  CHECK(read->samples[1].record.daemon_context_bytes == -1);  // not reported
  // Build-check warnings (Docker 28.x) round-trip; a record without the field has none.
  REQUIRE(read->samples[0].record.warnings.size() == 1);
  const auto& warning = read->samples[0].record.warnings[0];
  CHECK(warning.message == "JSONArgsRecommended: JSON arguments recommended for cmd (line 4)");
  CHECK(warning.detail == std::vector<std::string>{"JSON arguments recommended for ENTRYPOINT/CMD"});
  CHECK(warning.url == "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/");
  CHECK(warning.file == "Dockerfile");
  CHECK(warning.line == 4);
  CHECK(warning.level == 1);
  CHECK(read->samples[1].record.warnings.empty());
  const std::string text = test::read_file(path);
  CHECK(text.find("\"build_warnings\"") == text.rfind("\"build_warnings\""));  // only the record that has them
  REQUIRE(read->footer);
  CHECK(read->footer->samples_written == 2);
}

TEST_CASE("results: the header carries the scenario's claims, and files without them still read", "[runner][results][claims]") {
  scenario::Claim claim;
  claim.id = "small-image";
  claim.text = "The image is small.";
  claim.note = "A note.";
  scenario::ClaimCheck check;
  check.type = scenario::CheckType::AtMost;
  check.variant = "slow";
  check.kind = "cold";
  check.metric = "image_size";
  check.value = 20e6;
  claim.checks.push_back(check);
  util::TempDir dir;
  auto path = dir.path() / "results.jsonl";
  auto with_claims = header();
  with_claims.claims = scenario::claims_to_json({claim});
  REQUIRE(runner::ResultsWriter::create(path, with_claims));
  auto read = runner::read_results(path);
  REQUIRE(read);
  REQUIRE(read->header.claims.is_array());
  auto parsed = scenario::parse_claims(nlohmann::ordered_json(read->header.claims), "/claims", nullptr, nullptr);
  CHECK(parsed.problems.empty());
  REQUIRE(parsed.claims.size() == 1);
  CHECK(scenario::claims_to_json(parsed.claims) == scenario::claims_to_json({claim}));

  // A header written before claims existed: no key, read as null (schema 1 still).
  auto json = runner::to_json(header());
  CHECK_FALSE(json.contains("claims"));
  CHECK(json["schema_version"] == 1);
  auto old = runner::header_from_json(json);
  REQUIRE(old);
  CHECK(old->claims.is_null());
}

TEST_CASE("results: a truncated last line is tolerated with a warning", "[runner][results]") {
  util::TempDir dir;
  auto path = dir.path() / "results.jsonl";
  {
    auto writer = runner::ResultsWriter::create(path, header());
    REQUIRE(writer);
    auto cold = sample(0, "slow", "cold", 12.5);
    cold.record.daemon_context_bytes = 4096;
    docker::BuildWarning check;
    check.level = 1;
    check.message = "JSONArgsRecommended: JSON arguments recommended for cmd (line 4)";
    check.detail = {"JSON arguments recommended for ENTRYPOINT/CMD"};
    check.url = "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/";
    check.file = "Dockerfile";
    check.line = 4;
    cold.record.warnings = {check};
    REQUIRE(writer->append(cold));
  }
  std::ofstream(path, std::ios::app) << R"({"type":"sample","plan_index":1,"variant":"sl)";
  auto read = runner::read_results(path);
  REQUIRE(read);
  CHECK(read->samples.size() == 1);
  REQUIRE(read->warnings.size() == 1);
  CHECK(read->warnings[0].find("line 3") != std::string::npos);
  CHECK(read->warnings[0].find("truncated") != std::string::npos);

  // Appending after a crash starts on a fresh line.
  auto writer = runner::ResultsWriter::append_to(path);
  REQUIRE(writer);
  REQUIRE(writer->append(sample(2, "slow", "warm", 0.3)));
  auto again = runner::read_results(path);
  REQUIRE(again);
  CHECK(again->samples.size() == 2);
}

TEST_CASE("results: empty files, other files and newer schemas are refused", "[runner][results]") {
  util::TempDir dir;
  auto empty = dir.path() / "empty.jsonl";
  test::write_file(empty, "");
  auto read_empty = runner::read_results(empty);
  REQUIRE_FALSE(read_empty);
  CHECK(read_empty.error().message.find("empty results file") != std::string::npos);

  auto missing = runner::read_results(dir.path() / "missing.jsonl");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("cannot open") != std::string::npos);

  auto newer = dir.path() / "newer.jsonl";
  test::write_file(newer, R"({"type":"header","schema_version":99})" "\n");
  auto read_newer = runner::read_results(newer);
  REQUIRE_FALSE(read_newer);
  CHECK(read_newer.error().message.find("upgrade buildbench") != std::string::npos);

  auto not_results = dir.path() / "other.jsonl";
  test::write_file(not_results, "{\"hello\":1}\n");
  CHECK_FALSE(runner::read_results(not_results));
}

TEST_CASE("merge: shards join in plan order - mixed scenarios and duplicates are refused", "[runner][merge]") {
  runner::ResultsFile a, b, other;
  a.path = "a.jsonl";
  a.header = header();
  a.header.shard = "1/2";
  a.samples = {sample(0, "slow", "cold", 1), sample(2, "slow", "warm", 2)};
  b.path = "b.jsonl";
  b.header = header();
  b.header.shard = "2/2";
  b.samples = {sample(1, "fast", "cold", 3)};
  auto merged = runner::merge_results({a, b}, {});
  REQUIRE(merged);
  REQUIRE(merged->samples.size() == 3);
  CHECK(merged->samples[0].plan_index == 0);
  CHECK(merged->samples[1].plan_index == 1);
  CHECK(merged->samples[2].plan_index == 2);
  CHECK(merged->header.shard == "merged 1/2 2/2");

  auto duplicate = runner::merge_results({a, a}, {});
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().message.find("same shard twice") != std::string::npos);

  other.path = "other.jsonl";
  other.header = header("def456");
  auto mixed = runner::merge_results({a, other}, {});
  REQUIRE_FALSE(mixed);
  CHECK(mixed.error().message.find("--force") != std::string::npos);
  CHECK(runner::merge_results({a, other}, {true}));
}

TEST_CASE("sanity warnings say when a sample is not what its kind promises", "[runner][sanity]") {
  scenario::BuildKind warm;
  warm.type = scenario::KindType::Warm;
  docker::BuildRecord record;
  record.ok = true;
  record.cached_steps = 2;
  record.total_steps = 3;
  auto warnings = runner::sanity_warnings(warm, record);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "warm build not fully cached: 2/3 steps cached");

  scenario::BuildKind cold;
  cold.type = scenario::KindType::Cold;
  docker::BuildStep workdir{"[2/3] WORKDIR /src", "", 2, 3, true, 0, 0, "", 0, {}};
  docker::BuildStep copy{"[3/3] COPY . .", "", 3, 3, true, 0, 0, "", 0, {}};
  record.steps = {workdir};
  CHECK(runner::sanity_warnings(cold, record).empty());  // a WORKDIR reported cached is not content
  record.steps = {workdir, copy};
  auto cold_warnings = runner::sanity_warnings(cold, record);
  REQUIRE(cold_warnings.size() == 1);
  CHECK(cold_warnings[0].find("1 cached RUN/COPY/ADD steps") != std::string::npos);

  scenario::BuildKind change;
  change.type = scenario::KindType::CodeChange;
  record.cached_steps = 3;
  auto change_warnings = runner::sanity_warnings(change, record);
  REQUIRE(change_warnings.size() == 1);
  CHECK(change_warnings[0].find("reran nothing") != std::string::npos);
  CHECK(runner::fmt_seconds(0.25) == "250 ms");
  CHECK(runner::fmt_seconds(12.345) == "12.35 s");
}

TEST_CASE("results: the adaptive block's design is replayed as recorded", "[runner][results][adaptive]") {
  // Written by a calibrated run: its levels, not a recomputation.
  nlohmann::json calibrated = {{"min", 3},
                               {"max", 10},
                               {"until", "decided"},
                               {"alpha", 0.05},
                               {"design", "calibrated"},
                               {"first_look_n", 4},
                               {"first_look_alpha", 0.0286},
                               {"look_alpha", 0.0142},
                               {"estimated_error", 0.0472},
                               {"orderings", 200000}};
  auto design = runner::recorded_sequential_design(calibrated);
  CHECK(design.kind == stats::DesignKind::Calibrated);
  CHECK(design.level_at(4) == 0.0286);
  CHECK(design.level_at(6) == 0.0142);
  CHECK(design.orderings == 200000);
  // Before designs were named: the bonferroni split of that run's min..max.
  nlohmann::json old = {{"min", 3}, {"max", 10}, {"until", "decided"}, {"alpha", 0.05}, {"look_alpha", 0.05 / 6}};
  auto replayed = runner::recorded_sequential_design(old);
  CHECK(replayed.kind == stats::DesignKind::Bonferroni);
  CHECK(replayed.look_alpha == Approx(0.05 / 6));
  CHECK(replayed.first_rejecting_n == 5);
  // A hand-edited value of the wrong type reads as absent, not as a crash.
  calibrated["look_alpha"] = "small";
  CHECK(runner::recorded_sequential_design(calibrated).kind == stats::DesignKind::Bonferroni);
  calibrated["look_alpha"] = 0.0142;
  calibrated["max"] = "ten";
  CHECK(runner::recorded_sequential_design(calibrated).max_n == 15);
}
