// `buildbench run` end to end against the real daemon: the CI scenario's
// records say what its build kinds promise, and Ctrl-C leaves a valid
// results file and no leftovers.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "runner/results.h"
#include "runner/sanity.h"
#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

const std::string kBinary = std::string(BUILDBENCH_BINARY_DIR) + "/bin/buildbench";
const std::string kScenario = std::string(BUILDBENCH_SOURCE_DIR) + "/scenarios/ci-small.json";

size_t line_count(const std::filesystem::path& path) {
  std::ifstream in(path);
  size_t lines = 0;
  std::string line;
  while (std::getline(in, line)) ++lines;
  return lines;
}

// Steps that come from Dockerfile instructions (not FROM, not internal).
std::vector<docker::BuildStep> instruction_steps(const docker::BuildRecord& record) {
  std::vector<docker::BuildStep> out;
  for (const auto& step : record.steps) {
    if (step.index > 0 && step.name.find(" FROM ") == std::string::npos) out.push_back(step);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  return out;
}

}  // namespace

TEST_CASE("run ci-small: cold, warm and changes do what their kinds promise", "[integration][runner]") {
  test::require_daemon();
  util::TempDir out("buildbench-run-");
  auto run = util::run_process({kBinary, "run", kScenario, "--out", out.path().string(), "--reps", "1", "--quiet"});
  REQUIRE(run);
  INFO(run->out << run->err);
  REQUIRE(run->exit_code == 0);
  auto results = runner::read_results(out.path() / "results.jsonl");
  REQUIRE(results);
  CHECK(results->warnings.empty());
  REQUIRE(results->footer);
  CHECK_FALSE(results->footer->interrupted);
  CHECK(results->header.scenario_name == "ci-small");
  CHECK(results->header.cold_method == "scoped");  // not our daemon: nothing pruned
  CHECK(results->header.base_images.size() == 2);
  REQUIRE(results->samples.size() == 12);
  // Neither the tags nor the images they pointed to earlier in the run are
  // left behind (each rebuild of a tag leaves the previous image untagged).
  {
    docker::EngineClient client(*docker::Endpoint::from_environment());
    std::set<std::string> produced;
    for (const auto& sample : results->samples) produced.insert(sample.record.image_id);
    CHECK(produced.size() >= 2);
    for (const auto& image : produced) {
      INFO(image);
      CHECK_FALSE(client.inspect_image(image));
    }
  }

  std::map<std::string, std::map<std::string, runner::Sample>> by;  // variant -> kind -> sample
  for (const auto& sample : results->samples) {
    INFO(sample.variant << " " << sample.kind << ": " << sample.record.error);
    CHECK(sample.record.ok);
    CHECK(sample.record.transfer == docker::ContextTransfer::Session);
    by[sample.variant][sample.kind] = sample;
  }
  for (const auto& variant : {"slow", "fast"}) {
    CAPTURE(variant);
    const auto& kinds = by[variant];
    for (const auto& step : kinds.at("cold").record.steps) {
      CAPTURE(step.name);
      if (runner::changes_content(step.name)) CHECK_FALSE(step.cached);
    }
    CHECK(kinds.at("cold").warnings.empty());
    CHECK(kinds.at("cold").proxy.requests > 0);  // go downloaded the dependencies from our proxy
    CHECK(kinds.at("warm").record.cached_steps == kinds.at("warm").record.total_steps);
    CHECK(kinds.at("warm").proxy.requests == 0);
    CHECK(kinds.at("touch").record.cached_steps == kinds.at("touch").record.total_steps);
    // No .dockerignore in this scenario: the docs edit reaches COPY . .
    CHECK(kinds.at("ignored-file-change").record.cached_steps < kinds.at("ignored-file-change").record.total_steps);
    CHECK(kinds.at("dependency-add").proxy.requests > 0);
  }
  // The code change reruns exactly the steps from the source COPY on.
  auto fast = instruction_steps(by["fast"]["code-change"].record);
  REQUIRE(fast.size() == 5);  // WORKDIR, COPY go.mod go.sum, RUN go mod download, COPY . ., RUN go build
  CHECK(fast[0].cached);
  CHECK(fast[1].cached);
  CHECK(fast[2].cached);
  CHECK_FALSE(fast[3].cached);
  CHECK_FALSE(fast[4].cached);
  auto slow = instruction_steps(by["slow"]["code-change"].record);
  REQUIRE(slow.size() == 3);  // WORKDIR, COPY . ., RUN go build
  CHECK(slow[0].cached);
  CHECK_FALSE(slow[1].cached);
  CHECK_FALSE(slow[2].cached);
  // The work tree is scratch: removed at the end.
  CHECK_FALSE(std::filesystem::exists(out.path() / "work"));

  // The scenario's claim travels in the results header and is judged by the report.
  REQUIRE(results->header.claims.is_array());
  REQUIRE(results->header.claims.size() == 1);
  const auto report_dir = test::report_run(kBinary, out.path());
  auto summary = nlohmann::json::parse(test::read_file(report_dir / "summary.json"));
  REQUIRE(summary["claims"].size() == 1);
  CHECK(summary["claims"][0]["id"] == "layer-order-cache");
  CHECK(summary["claims"][0]["verdict"] == "holds");
  CHECK(test::read_file(report_dir / "report.md").find("## The post's claims") != std::string::npos);
}

TEST_CASE("run: SIGINT stops cleanly with a valid results file and exit 130 - --resume completes it",
          "[integration][runner]") {
  auto endpoint_text = test::require_daemon();
  util::TempDir out("buildbench-run-");
  auto results_path = out.path() / "results.jsonl";
  auto log = out.path() / "run.log";
  auto pid = util::spawn_detached(
      {kBinary, "run", kScenario, "--out", out.path().string(), "--reps", "1", "--quiet"}, log);
  REQUIRE(pid);
  // Wait for the header and the first sample, then interrupt mid-run.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (line_count(results_path) < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  REQUIRE(line_count(results_path) >= 2);
  REQUIRE(::kill(*pid, SIGINT) == 0);
  int status = 0;
  REQUIRE(::waitpid(*pid, &status, 0) == *pid);
  INFO(test::read_file(log));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);

  auto results = runner::read_results(results_path);
  REQUIRE(results);
  CHECK(results->warnings.empty());
  REQUIRE(results->footer);
  CHECK(results->footer->interrupted);
  CHECK(results->samples.size() < 12);
  std::vector<size_t> before;
  for (const auto& sample : results->samples) before.push_back(sample.plan_index);
  CHECK_FALSE(std::filesystem::exists(out.path() / "work"));
  // No image this run built is left behind (by its pid label: other runs,
  // or images a killed earlier run left, are not this test's business).
  docker::EngineClient client(*docker::Endpoint::from_environment());
  auto images = client.list_images({{"label", {"org.buildbench.run-pid=" + std::to_string(*pid)}}});
  REQUIRE(images);
  CHECK(images->empty());

  // --resume runs what is missing and keeps what was recorded.
  auto resumed = util::run_process(
      {kBinary, "run", kScenario, "--out", out.path().string(), "--reps", "1", "--resume", "--quiet"});
  REQUIRE(resumed);
  INFO(resumed->out << resumed->err);
  REQUIRE(resumed->exit_code == 0);
  auto complete = runner::read_results(results_path);
  REQUIRE(complete);
  std::set<size_t> indexes;
  for (const auto& sample : complete->samples) {
    CHECK(indexes.insert(sample.plan_index).second);  // no sample twice
    CHECK(sample.record.ok);
  }
  CHECK(indexes.size() == 12);
  for (size_t index : before) CHECK(indexes.count(index) == 1);

  // A results file of another scenario is refused.
  auto other = util::run_process({kBinary, "run", std::string(BUILDBENCH_SOURCE_DIR) + "/scenarios/seed.json", "--out",
                                  out.path().string(), "--resume", "--quiet"});
  REQUIRE(other);
  CHECK(other->exit_code != 0);
  CHECK(other->err.find("another scenario") != std::string::npos);
}
