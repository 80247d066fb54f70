// `buildbench report RESULTS --beside NAME=RESULTS2 [--world NAME]` through
// the built binary: the worlds section on small written results, and each bad
// input refused with exit 2 and a message that says what and which file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "runner/results.h"
#include "support/test_support.h"
#include "test_report_worlds.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

const std::string kBinary = std::string(BUILDBENCH_BINARY_DIR) + "/bin/buildbench";

// Writes a results file as the runner does.
std::string write_results(const std::filesystem::path& path, const runner::ResultsFile& file) {
  auto writer = runner::ResultsWriter::create(path, file.header);
  REQUIRE(writer.ok());
  for (const auto& sample : file.samples) REQUIRE(writer->append(sample).ok());
  REQUIRE(writer->finish(*file.footer).ok());
  return path.string();
}

struct Worlds {
  util::TempDir dir{"buildbench-worlds-"};
  std::string realistic;
  std::string toy;
  Worlds() {
    realistic = write_results(dir.path() / "realistic.jsonl",
                              test::world_results(test::realistic_shape(), true, "realistic.jsonl"));
    toy = write_results(dir.path() / "toy.jsonl", test::world_results(test::toy_shape(), false, "toy.jsonl"));
  }
  std::string out() const { return (dir.path() / "report").string(); }
};

util::ProcessOutput report(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {kBinary, "report"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  argv.push_back("--no-png");
  auto run = util::run_process(argv);
  REQUIRE(run);
  return std::move(run).value();
}

}  // namespace

TEST_CASE("report --beside writes the worlds section and prints where verdicts differ", "[cli][report][worlds]") {
  Worlds worlds;
  auto run = report({worlds.realistic, "--out", worlds.out(), "--beside", "toy=" + worlds.toy});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("worlds: realistic, toy (this report first)"));
  CHECK_THAT(run.out, Catch::Contains("verdicts differ: layer-order: holds in realistic (ratio 0.600, n=6 per side) "
                                      "and holds partly in toy (ratio 0.949, n=6 per side)"));
  CHECK_THAT(run.out, Catch::Contains("fewer-bytes has the same verdict in realistic and toy."));
  auto summary = nlohmann::json::parse(test::read_file(std::filesystem::path(worlds.out()) / "summary.json"));
  REQUIRE(summary.contains("worlds"));
  CHECK(summary["worlds"]["names"] == nlohmann::json::array({"realistic", "toy"}));
  CHECK(summary["worlds"]["facts"][1]["source"] == worlds.toy);
  CHECK_THAT(test::read_file(std::filesystem::path(worlds.out()) / "report.md"),
             Catch::Contains("## The post's claims in both worlds"));

  // --world renames this report's world; the toy file may then stand beside
  // under any other name, the realistic one beside itself too.
  auto renamed = report({worlds.toy, "--out", worlds.out(), "--world", "synthetic", "--beside", "real=" + worlds.realistic});
  INFO(renamed.out << renamed.err);
  CHECK(renamed.exit_code == 0);
  CHECK_THAT(renamed.out, Catch::Contains("worlds: synthetic, real (this report first)"));
  CHECK_THAT(renamed.out, Catch::Contains("layer-order: holds partly in synthetic"));
}

TEST_CASE("report --beside refuses bad input with exit 2", "[cli][report][worlds]") {
  Worlds worlds;
  auto refused = [&](const std::vector<std::string>& extra, const std::string& message) {
    std::vector<std::string> arguments = {worlds.realistic, "--out", worlds.out()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    auto run = report(arguments);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains(message));
    CHECK_FALSE(std::filesystem::exists(std::filesystem::path(worlds.out()) / "report.md"));
  };
  SECTION("no NAME=") {
    refused({"--beside", worlds.toy}, "--beside '" + worlds.toy + "' needs NAME=RESULTS");
  }
  SECTION("an empty name") {
    refused({"--beside", "=" + worlds.toy}, "has an empty world name");
  }
  SECTION("no file") {
    refused({"--beside", "toy="}, "--beside 'toy=' names no results file");
  }
  SECTION("the name of this report's world, derived or given") {
    refused({"--beside", "realistic=" + worlds.toy},
            "'realistic' is the name of this report's world (derived from its results header)");
    refused({"--world", "mine", "--beside", "mine=" + worlds.toy}, "'mine' is the name of this report's world (--world)");
  }
  SECTION("a world named twice") {
    refused({"--beside", "toy=" + worlds.toy, "--beside", "toy=" + worlds.toy}, "--beside names the world 'toy' twice");
  }
  SECTION("a file that cannot be read") {
    auto missing = (worlds.dir.path() / "missing.jsonl").string();
    refused({"--beside", "toy=" + missing}, "--beside toy: " + missing + ": cannot open results file");
  }
  SECTION("a file that is not results") {
    auto text = worlds.dir.path() / "notes.txt";
    std::ofstream(text) << "these are notes, not results\n";
    refused({"--beside", "toy=" + text.string()}, "--beside toy: " + text.string() + ": not a results file");
  }
  SECTION("no claim id in common") {
    auto file = test::world_results(test::toy_shape(), false, "other.jsonl");
    auto claims = test::world_claims(false);
    for (auto& claim : claims) claim.id = "other-" + claim.id;
    file.header.claims = scenario::claims_to_json(claims);
    auto other = write_results(worlds.dir.path() / "other.jsonl", file);
    refused({"--beside", "other=" + other}, other + " (other) has no claim id in common with " + worlds.realistic);
  }
}
