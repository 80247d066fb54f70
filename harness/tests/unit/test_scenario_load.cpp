// Scenario files: defaults, the canonical form, and the exact problem
// messages for a table of broken files (tests/data/scenarios/broken/*.json,
// each with NAME.expected holding its lines; {DIR} stands for the absolute
// path of tests/data/scenarios).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/suggest.h"
#include "support/test_support.h"
#include "util/hash.h"

namespace fs = std::filesystem;
using namespace buildbench::scenario;
using buildbench::test::data_path;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
  return text;
}

Scenario load_ok(const fs::path& file) {
  auto outcome = load_scenario(file);
  INFO(outcome.report(file));
  REQUIRE(outcome.ok());
  return *outcome.scenario;
}

}  // namespace

TEST_CASE("every broken scenario gives exactly its expected problems", "[scenario][broken]") {
  const fs::path root = fs::canonical(data_path("scenarios"));
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(root / "broken")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 20);
  // BUILDBENCH_WRITE_EXPECTED=1 writes missing .expected files for review.
  const bool write_missing = std::getenv("BUILDBENCH_WRITE_EXPECTED") != nullptr;
  for (const auto& file : files) {
    fs::path expected_file = fs::path(file).replace_extension(".expected");
    auto outcome = load_scenario(file);
    std::string actual = replace_all(outcome.report(file.filename()), root.string(), "{DIR}");
    INFO("scenario " << file.filename().string() << "\nactual:\n" << actual);
    CHECK_FALSE(outcome.ok());
    if (!fs::exists(expected_file) && write_missing) buildbench::test::write_file(expected_file, actual + "\n");
    REQUIRE(fs::exists(expected_file));
    CHECK(lines_of(actual) == lines_of(buildbench::test::read_file(expected_file)));
  }
}

TEST_CASE("a minimal scenario gets every default", "[scenario]") {
  Scenario s = load_ok(data_path("scenarios/valid/minimal.json"));
  CHECK(s.name == "minimal");
  CHECK(s.title == "minimal");
  CHECK(s.description.empty());
  CHECK(s.fixture.kind == FixtureSource::Kind::Generate);
  CHECK(s.fixture.params == buildbench::fixture::FixtureParams{});
  REQUIRE(s.variants.size() == 1);
  const Variant& v = s.variants[0];
  CHECK(v.baseline);
  CHECK(s.baseline == 0);
  CHECK(v.builder == Builder::BuildKit);
  CHECK(v.context_transfer == ContextTransfer::Session);
  CHECK_FALSE(v.dockerignore.has_value());
  CHECK(v.dockerfile == fs::canonical(data_path("scenarios/Dockerfile.ok")));
  CHECK(v.build_args.empty());
  CHECK(v.target.empty());
  REQUIRE(s.build_kinds.size() == 1);
  CHECK(s.build_kinds[0].label() == "warm");
  CHECK(s.repetitions == 5);
  CHECK(s.warmups == 1);
  CHECK(s.order == RoundOrder::Interleaved);
  CHECK(s.randomize);
  CHECK(s.seed == 1);
  CHECK(s.network_mode == "host");
  CHECK(s.proxy.latency_ms == 0.0);
  CHECK(s.proxy.bandwidth_mbps == 0.0);
  CHECK_FALSE(s.sweep.has_value());
  REQUIRE(s.series.size() == 1);
  CHECK(s.series[0].label.empty());
  auto bytes = buildbench::test::read_file(data_path("scenarios/valid/minimal.json"));
  CHECK(s.scenario_hash == buildbench::util::sha256_hex(bytes));
}

TEST_CASE("a scenario with every key reads them all", "[scenario]") {
  Scenario s = load_ok(data_path("scenarios/valid/full.json"));
  CHECK(s.title == "Every key");
  CHECK(s.description == "Used by test_scenario_load.cpp. /* not a comment inside a string */ // nor this");
  CHECK(s.fixture.params.packages == 12);
  CHECK(s.base_images.at("golang:1.24-alpine") == "buildbench/go:1.24");
  REQUIRE(s.variants.size() == 2);
  CHECK(s.variants[0].builder == Builder::Classic);
  CHECK(s.variants[0].context_transfer == ContextTransfer::Tar);  // the classic builder's only way
  CHECK_FALSE(s.variants[0].baseline);
  CHECK(s.baseline == 1);
  CHECK(s.baseline_variant().name == "session");
  CHECK(s.variants[1].dockerignore == fs::canonical(data_path("scenarios/ok.dockerignore")));
  CHECK(s.variants[1].build_args.at("GOFLAGS") == "-trimpath");
  CHECK(s.variants[1].target == "build");
  CHECK(s.variants[1].context_transfer == ContextTransfer::Tar);
  std::vector<std::string> labels;
  for (const auto& kind : s.build_kinds) labels.push_back(kind.label());
  CHECK(labels == std::vector<std::string>{"cold", "warm", "code-change:shared", "dependency-bump", "cachebust:SEED",
                                           "custom:readme", "custom:config"});
  CHECK(s.build_kinds[5].custom.action == CustomMutation::Action::Append);
  CHECK(s.build_kinds[5].custom.file == "README.md");
  CHECK(s.build_kinds[6].custom.text == "a: 1\n");
  CHECK(s.repetitions == 3);
  CHECK(s.warmups == 2);
  CHECK(s.order == RoundOrder::Grouped);
  CHECK_FALSE(s.randomize);
  CHECK(s.seed == UINT64_MAX);
  CHECK(s.network_mode == "none");
  CHECK(s.proxy.latency_ms == 25.0);
  CHECK(s.proxy.bandwidth_mbps == 8.5);
  REQUIRE(s.sweep.has_value());
  CHECK(s.sweep->parameter == "dep_modules");
  REQUIRE(s.series.size() == 2);
  CHECK(s.series[0].label == "dep_modules=1");
  CHECK(s.series[0].params.dep_modules == 1);
  CHECK(s.series[1].label == "dep_modules=3");
  CHECK(s.series[1].params.dep_modules == 3);
  CHECK(s.series[1].params.packages == 12);
}

TEST_CASE("a fixture can be an existing directory", "[scenario]") {
  Scenario s = load_ok(data_path("scenarios/valid/path-fixture.json"));
  CHECK(s.fixture.kind == FixtureSource::Kind::Path);
  CHECK(s.fixture.path_as_written == "../fixture-dir");
  CHECK(s.fixture.path == fs::canonical(data_path("scenarios/fixture-dir")));
  REQUIRE(s.build_kinds.size() == 3);
  CHECK(s.build_kinds[0].label() == "code-change:main");
  CHECK(s.build_kinds[0].is_mutation());
  CHECK(s.build_kinds[2].label() == "non-go-change");
  auto canonical = to_json(s);
  CHECK(canonical["fixture"] == nlohmann::ordered_json{{"path", "../fixture-dir"}});
  CHECK(canonical["sweep"].is_null());
}

TEST_CASE("a variant's secrets: a file relative to the scenario, or a variable", "[scenario]") {
  Scenario s = load_ok(data_path("scenarios/valid/secrets.json"));
  REQUIRE(s.variants.size() == 1);
  const auto& secrets = s.variants[0].secrets;
  REQUIRE(secrets.size() == 2);
  REQUIRE(secrets.at("netrc").file);
  CHECK(*secrets.at("netrc").file == fs::canonical(data_path("scenarios/ok.dockerignore")));
  CHECK_FALSE(secrets.at("netrc").env);
  CHECK(secrets.at("token").env == std::optional<std::string>("BUILDBENCH_TEST_TOKEN"));
  CHECK(load_ok(data_path("scenarios/valid/minimal.json")).variants[0].secrets.empty());
}

TEST_CASE("the canonical form reads back to itself", "[scenario]") {
  for (const char* name :
       {"valid/minimal.json", "valid/full.json", "valid/path-fixture.json", "valid/claims.json", "valid/adaptive.json",
        "valid/secrets.json", "valid/sweep-payload.json"}) {
    fs::path file = data_path(std::string("scenarios/") + name);
    Scenario s = load_ok(file);
    std::string canonical = to_json(s).dump(2);
    auto again = parse_scenario(canonical, file);
    INFO(again.report(file));
    REQUIRE(again.ok());
    CHECK(to_json(*again.scenario).dump(2) == canonical);
  }
}

TEST_CASE("adaptive repetitions: an object with min, max and until", "[scenario][adaptive]") {
  Scenario s = load_ok(data_path("scenarios/valid/adaptive.json"));
  REQUIRE(s.adaptive);
  CHECK(s.adaptive->min == 5);
  CHECK(s.adaptive->max == 6);
  CHECK(s.adaptive->until == AdaptiveRepetitions::Until::Decided);
  CHECK(s.repetitions == 6);  // the plan holds max rounds
  auto canonical = to_json(s);
  CHECK(canonical["repetitions"] == nlohmann::ordered_json{{"min", 5}, {"max", 6}, {"until", "decided"}});

  auto text = buildbench::test::read_file(data_path("scenarios/valid/adaptive.json"));
  auto pos = text.find("\"until\": \"decided\"");
  REQUIRE(pos != std::string::npos);
  text.replace(pos, 18, "\"until\": {\"ci_width\": 0.03}");
  auto width = parse_scenario(text, data_path("scenarios/valid/adaptive.json"));
  INFO(width.report("adaptive.json"));
  REQUIRE(width.ok());
  CHECK(width.scenario->adaptive->until == AdaptiveRepetitions::Until::CiWidth);
  CHECK(width.scenario->adaptive->ci_width == Approx(0.03));
  CHECK(to_json(*width.scenario)["repetitions"]["until"] == nlohmann::ordered_json{{"ci_width", 0.03}});

  // A plain integer stays a fixed count.
  Scenario fixed = load_ok(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/ci-small.json");
  CHECK_FALSE(fixed.adaptive);
  CHECK(fixed.all_cells);
}

TEST_CASE("the CI scenario validates", "[scenario]") {
  Scenario s = load_ok(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/ci-small.json");
  CHECK(s.variants.size() == 2);
  CHECK(s.baseline_variant().name == "slow");
  CHECK(s.repetitions == 2);
  CHECK(s.warmups == 0);
  CHECK(s.fixture.params.binaries.at(0).name == "server");
}

TEST_CASE("the dependency-volume sweep: one series per payload, each a full parameter set", "[scenario][sweep]") {
  Scenario s = load_ok(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/sweep-dependency-volume.json");
  REQUIRE(s.sweep);
  CHECK(s.sweep->parameter == "dep_payload_bytes");
  const std::vector<uint64_t> expected = {0, 10'000'000, 40'000'000, 100'000'000, 200'000'000};
  REQUIRE(s.series.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    CHECK(s.series[i].label == "dep_payload_bytes=" + std::to_string(expected[i]));
    CHECK(s.series[i].params.dep_payload_bytes == expected[i]);
    CHECK(s.series[i].params.dep_modules == 6);  // the rest is seed-toy's fixture
  }
  CHECK(s.fixture.params.dep_payload_bytes == 0);
  REQUIRE(s.claims.size() == 1);
  CHECK(s.claims[0].id == "layer-order");
  CHECK(to_json(s)["fixture"]["generate"]["dep_payload_bytes"] == 0);  // canonical form: always written
}

TEST_CASE("unreadable files are problems, not crashes", "[scenario]") {
  auto missing = load_scenario(data_path("scenarios/no-such-file.json"));
  REQUIRE(missing.problems.size() == 1);
  CHECK(missing.problems[0].message == "cannot read the file: it does not exist (expected a scenario file)");
  auto directory = load_scenario(data_path("scenarios/valid"));
  REQUIRE(directory.problems.size() == 1);
  CHECK(format_problem("x.json", directory.problems[0]) ==
        "x.json: cannot read the file: it is not a regular file (expected a scenario file)");
  auto empty = parse_scenario("", "empty.json");
  REQUIRE(empty.problems.size() == 1);
  CHECK(empty.problems[0].pointer.empty());
}

TEST_CASE("edit distance and suggestions", "[scenario][suggest]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("dockerfil", "dockerfile") == 1);
  CHECK(edit_distance("code-chnage", "code-change") == 1);  // a transposition is one edit
  std::vector<std::string> keys = {"name", "dockerfile", "dockerignore", "builder"};
  CHECK(closest_match("dockerfil", keys) == "dockerfile");
  CHECK(closest_match("Dockerfile", keys) == "dockerfile");
  CHECK(closest_match("nmae", keys) == "name");
  CHECK_FALSE(closest_match("colour", keys).has_value());
  CHECK_FALSE(closest_match("", keys).has_value());
  CHECK(printable("ok \xc3\xa9") == "ok \xc3\xa9");
  CHECK(printable("a\nb\xff") == "a\\x0Ab\\xFF");
  CHECK(printable("\xe2\x82") == "\\xE2\\x82");  // a truncated sequence
}

TEST_CASE("a named network profile sets the proxy's latency and bandwidth, and a preset reaches the fixture",
          "[scenario][load]") {
  const fs::path file = data_path("scenarios/valid/network-profile.json");
  auto outcome = parse_scenario(R"({
    "schema": 1, "name": "real-world",
    "fixture": {"generate": {"deps": {"preset": "grpc-service"}}},
    "variants": [{"name": "a", "dockerfile": "../Dockerfile.ok"}],
    "build_kinds": ["cold", "dependency-bump"],
    "network": "ci-runner"
  })", file);
  INFO(outcome.report(file));
  REQUIRE(outcome.ok());
  const Scenario& s = *outcome.scenario;
  CHECK(s.proxy.profile == "ci-runner");
  CHECK(s.proxy.latency_ms == 15.0);
  CHECK(s.proxy.bandwidth_mbps == 400.0);
  CHECK(s.fixture.params.deps_preset == "grpc-service");
  auto canonical = to_json(s);
  CHECK(canonical["network"] == "ci-runner");
  CHECK_FALSE(canonical.contains("proxy"));
  auto again = parse_scenario(canonical.dump(), file);
  INFO(again.report(file));
  REQUIRE(again.ok());
  CHECK(again.scenario->proxy.latency_ms == 15.0);
  CHECK(canonical["fixture"]["generate"]["deps"]["preset"] == "grpc-service");
}
