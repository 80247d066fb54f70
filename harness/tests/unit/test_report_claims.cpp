// Claims judged from synthetic samples: every verdict of every check kind,
// how several checks combine, the smallest p a sample size allows, and
// claims travelling through the results header into the report.
#include <catch2/catch.hpp>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "report/claims.h"
#include "report/model.h"
#include "report/writers.h"
#include "runner/results.h"
#include "scenario/claims.h"
#include "test_report_synthetic.h"

using namespace buildbench;
using report::ClaimVerdict;
using scenario::CheckType;

namespace {

using Mutate = std::function<void(runner::Sample&, size_t)>;

struct CellSpec {
  std::string variant;
  std::string kind;
  std::vector<double> walls;
  Mutate mutate;  // may change each sample (its index in `walls` is the second argument)
};

runner::ResultsFile results_of(const std::vector<CellSpec>& cells) {
  runner::ResultsFile file;
  file.path = "claims/results.jsonl";
  file.header = test::synthetic_header();
  file.header.variants = nlohmann::json::array();
  file.header.build_kinds.clear();
  file.header.baseline_variant = cells.front().variant;
  size_t plan_index = 0;
  for (const auto& cell : cells) {
    for (size_t i = 0; i < cell.walls.size(); ++i) {
      auto sample = test::synthetic_sample(cell.variant, cell.kind, static_cast<int>(i), cell.walls[i], 0);
      sample.plan_index = plan_index++;
      if (cell.mutate) cell.mutate(sample, i);
      file.samples.push_back(std::move(sample));
    }
  }
  file.footer = runner::ResultsFooter{"2026-01-01T01:00:00Z", false, file.samples.size(), 0};
  return file;
}

report::ReportModel model_of(const std::vector<CellSpec>& cells) {
  report::ReportOptions options;
  options.bootstrap.resamples = 2000;
  auto model = report::build_report({results_of(cells)}, options);
  REQUIRE(model);
  return std::move(model).value();
}

scenario::ClaimCheck faster(const std::string& kind, std::optional<double> holds_at_most = std::nullopt,
                            const std::string& metric = "wall_s") {
  scenario::ClaimCheck check;
  check.type = CheckType::Faster;
  check.variant = "fast";
  check.than = "slow";
  check.kind = kind;
  check.metric = metric;
  check.holds_at_most = holds_at_most;
  return check;
}

scenario::ClaimCheck less(const std::string& metric, const std::string& kind = "cold") {
  scenario::ClaimCheck check;
  check.type = CheckType::Less;
  check.variant = "fast";
  check.than = "slow";
  check.kind = kind;
  check.metric = metric;
  return check;
}

scenario::ClaimCheck at_most(const std::string& variant, double value) {
  scenario::ClaimCheck check;
  check.type = CheckType::AtMost;
  check.variant = variant;
  check.kind = "cold";
  check.metric = "image_size";
  check.value = value;
  return check;
}

scenario::ClaimCheck cached_until(const std::string& step) {
  scenario::ClaimCheck check;
  check.type = CheckType::CachedUntil;
  check.variant = "cachebust";
  check.kind = "cachebust";
  check.metric.clear();
  check.last_cached_step = step;
  return check;
}

report::ClaimResult judge(const report::ReportModel& model, std::vector<scenario::ClaimCheck> checks) {
  scenario::Claim claim;
  claim.id = "claim";
  claim.text = "A claim.";
  claim.checks = std::move(checks);
  report::ClaimOptions options;
  options.bootstrap.resamples = 2000;
  auto results = report::evaluate_claims(model, {claim}, options);
  REQUIRE(results.size() == 1);
  INFO(results[0].explanation);
  return results[0];
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::vector<double> kFive = {4.0, 4.2, 3.9, 4.1, 4.05};

}  // namespace

TEST_CASE("claims: faster holds, holds partly, does not hold or cannot tell", "[report][claims]") {
  SECTION("much faster, significant: holds") {
    auto model = model_of({{"slow", "code-change", kFive, {}}, {"fast", "code-change", {1.0, 1.1, 0.9, 1.05, 0.95}, {}}});
    auto result = judge(model, {faster("code-change", 0.5)});
    CHECK(result.verdict == ClaimVerdict::Holds);
    const auto& check = result.checks.at(0);
    REQUIRE(check.comparison);
    CHECK(check.comparison->ratio.ratio == Approx(1.0 / 4.05));
    CHECK(check.comparison->test.p_value < 0.05);
    CHECK(check.n_variant == 5);
    CHECK(contains(check.measurement, "`code-change` builds, fast vs slow: median wall time"));
    CHECK(contains(check.numbers, "ratio 0.247"));
    CHECK(contains(result.explanation, "fast takes 0.247 of the time of slow"));
  }
  SECTION("faster, but above the claimed ratio: holds partly") {
    auto model = model_of({{"slow", "code-change", kFive, {}}, {"fast", "code-change", {3.0, 3.1, 2.9, 3.05, 2.95}, {}}});
    auto result = judge(model, {faster("code-change", 0.5)});
    CHECK(result.verdict == ClaimVerdict::HoldsPartly);
    CHECK(contains(result.explanation, "not by as much as claimed"));
    // Without a threshold any significant speed-up holds.
    CHECK(judge(model, {faster("code-change")}).verdict == ClaimVerdict::Holds);
  }
  SECTION("significantly slower: does not hold") {
    auto model = model_of({{"slow", "cold", kFive, {}}, {"fast", "cold", {6.0, 6.1, 5.9, 6.05, 5.95}, {}}});
    auto result = judge(model, {faster("cold")});
    CHECK(result.verdict == ClaimVerdict::DoesNotHold);
    CHECK(contains(result.explanation, "slower, not faster"));
  }
  SECTION("no significant difference with enough samples: does not hold") {
    auto model = model_of({{"slow", "cold", kFive, {}}, {"fast", "cold", {4.05, 3.98, 4.15, 4.02, 4.1}, {}}});
    auto result = judge(model, {faster("cold")});
    CHECK(result.verdict == ClaimVerdict::DoesNotHold);
    CHECK(contains(result.explanation, "not significant"));
  }
  SECTION("three samples a side can never be significant: cannot tell, with the direction") {
    auto model = model_of({{"slow", "cold", {4.0, 4.1, 3.9}, {}}, {"fast", "cold", {1.0, 1.1, 0.9}, {}}});
    auto result = judge(model, {faster("cold", 0.5)});
    CHECK(result.verdict == ClaimVerdict::CannotTell);
    CHECK(contains(result.explanation, "n=3 per side gives no p below 0.100"));
    CHECK(contains(result.explanation, "the medians say fast takes 0.250 of the time of slow"));
    CHECK(result.checks.at(0).smallest_p == Approx(0.1));
  }
  SECTION("a variant without results: cannot tell") {
    auto model = model_of({{"slow", "cold", kFive, {}}});
    auto result = judge(model, {faster("cold")});
    CHECK(result.verdict == ClaimVerdict::CannotTell);
    CHECK(contains(result.explanation, "the results have no `cold` builds of fast"));
  }
  SECTION("builds that all failed: cannot tell") {
    auto fail = [](runner::Sample& sample, size_t) { sample.record.ok = false; };
    auto model = model_of({{"slow", "cold", kFive, {}}, {"fast", "cold", kFive, fail}});
    CHECK(judge(model, {faster("cold")}).verdict == ClaimVerdict::CannotTell);
  }
}

TEST_CASE("claims: the context transfer time is the session's load-context step or the tar upload", "[report][claims]") {
  runner::Sample session = test::synthetic_sample("fast", "cold", 0, 2.0, 0);
  session.record.transfer = docker::ContextTransfer::Session;
  session.record.context_upload_s = -1;
  docker::BuildStep load;
  load.name = "[internal] load build context";
  load.stage = "internal";
  load.duration_s = 0.25;
  session.record.steps.push_back(load);
  CHECK(report::metric_value(session, report::Metric::ContextTransfer) == 0.25);
  CHECK_FALSE(report::metric_value(session, report::Metric::ContextUpload).has_value());
  runner::Sample tar = test::synthetic_sample("fast", "cold", 0, 2.0, 0);
  tar.record.transfer = docker::ContextTransfer::Tar;
  tar.record.context_upload_s = 0.5;
  CHECK(report::metric_value(tar, report::Metric::ContextTransfer) == 0.5);
  runner::Sample none = test::synthetic_sample("fast", "cold", 0, 2.0, 0);
  none.record.transfer = docker::ContextTransfer::Session;
  CHECK_FALSE(report::metric_value(none, report::Metric::ContextTransfer).has_value());

  // A faster check on it, as the .dockerignore claim uses.
  auto with_transfer = [](double seconds) {
    return [seconds](runner::Sample& sample, size_t i) {
      sample.record.transfer = docker::ContextTransfer::Session;
      docker::BuildStep step;
      step.name = "[internal] load build context";
      step.stage = "internal";
      step.duration_s = seconds * (1 + 0.01 * static_cast<double>(i));
      sample.record.steps.push_back(step);
    };
  };
  auto model = model_of({{"slow", "cold", kFive, with_transfer(0.3)}, {"fast", "cold", kFive, with_transfer(0.05)}});
  auto result = judge(model, {faster("cold", std::nullopt, "context_transfer_s")});
  CHECK(result.verdict == ClaimVerdict::Holds);
  CHECK(contains(result.checks.at(0).measurement, "median time to send the context"));
}

TEST_CASE("claims: every metric a scenario may name is one the report knows", "[report][claims]") {
  for (const auto* ids : {&scenario::time_metric_ids(), &scenario::exact_metric_ids()}) {
    for (const auto& id : *ids) {
      INFO(id);
      auto metric = report::metric_from_id(id);
      REQUIRE(metric);
      CHECK(report::metric_is_exact(*metric) == (ids == &scenario::exact_metric_ids()));
    }
  }
  CHECK_FALSE(report::metric_from_id("nonsense").has_value());
}

TEST_CASE("claims: less holds or does not hold on exact values", "[report][claims]") {
  // synthetic_sample: slow sends 2.4 MB of context, fast 180 kB; both download 1.25 MB.
  auto model = model_of({{"slow", "cold", {4.0, 4.1, 3.9}, {}}, {"fast", "cold", {4.0, 4.1, 3.9}, {}}});
  auto smaller = judge(model, {less("context_bytes")});
  CHECK(smaller.verdict == ClaimVerdict::Holds);  // exact: three samples are plenty
  REQUIRE(smaller.checks.at(0).exact);
  CHECK(smaller.checks.at(0).exact->candidate == 180000);
  CHECK(contains(smaller.checks.at(0).numbers, "fast 180 kB vs slow 2.40 MB"));
  auto same = judge(model, {less("proxy_bytes")});
  CHECK(same.verdict == ClaimVerdict::DoesNotHold);
  CHECK(contains(same.explanation, "fast and slow have the same bytes downloaded from the module proxy (1.25 MB)"));

  auto more = model_of({{"slow", "cold", {4.0, 4.1, 3.9}, {}},
                        {"fast", "cold", {4.0, 4.1, 3.9}, [](runner::Sample& s, size_t) { s.proxy.bytes = 2'000'000; }}});
  auto result = judge(more, {less("proxy_bytes")});
  CHECK(result.verdict == ClaimVerdict::DoesNotHold);
  CHECK(contains(result.explanation, "more than"));

  CHECK(judge(model, {less("context_bytes", "warm")}).verdict == ClaimVerdict::CannotTell);
}

TEST_CASE("claims: at_most holds, holds partly, does not hold or cannot tell", "[report][claims]") {
  // synthetic_sample: fast images are 18.5 MB, slow ones 312 MB.
  auto model = model_of({{"slow", "cold", {4.0, 4.1, 3.9}, {}},
                         {"fast", "cold", {4.0, 4.1, 3.9}, {}},
                         {"mixed", "cold", {4.0, 4.1, 3.9},
                          [](runner::Sample& s, size_t i) { s.record.image_size = i == 0 ? 25'000'000 : 19'000'000; }},
                         {"broken", "cold", {4.0}, [](runner::Sample& s, size_t) { s.record.ok = false; }}});
  auto small = judge(model, {at_most("fast", 20e6)});
  CHECK(small.verdict == ClaimVerdict::Holds);
  CHECK(small.explanation == "the image size of fast is 18.5 MB, within 20.0 MB.");
  CHECK(judge(model, {at_most("slow", 20e6)}).verdict == ClaimVerdict::DoesNotHold);
  CHECK(judge(model, {at_most("mixed", 20e6)}).verdict == ClaimVerdict::HoldsPartly);
  CHECK(judge(model, {at_most("broken", 20e6)}).verdict == ClaimVerdict::CannotTell);
}

namespace {

// The post's CACHEBUST Dockerfile as BuildKit reports it; `cached` says which
// of WORKDIR, COPY go.mod, RUN go mod download, COPY . ., RUN go build hit.
Mutate cachebust_steps(std::vector<std::vector<bool>> cached_per_sample) {
  return [cached_per_sample](runner::Sample& sample, size_t i) {
    const auto& cached = cached_per_sample[i % cached_per_sample.size()];
    const char* names[] = {"[2/6] WORKDIR /src", "[3/6] COPY go.mod go.sum ./", "[4/6] RUN go mod download",
                           "[5/6] COPY . .", "[6/6] RUN go build -o /bin/server ./cmd/server"};
    std::vector<docker::BuildStep> steps;
    auto add = [&](const std::string& name, const std::string& stage, int index, bool hit) {
      docker::BuildStep step;
      step.name = name;
      step.stage = stage;
      step.index = index;
      step.total = index > 0 ? 6 : 0;
      step.cached = hit;
      step.duration_s = hit ? 0 : 0.5;
      steps.push_back(step);
    };
    add("[internal] load build definition from cachebust.Dockerfile", "internal", 0, false);
    add("[1/6] FROM docker.io/library/golang:1.24-alpine", "", 1, false);  // never reported cached
    add("[internal] load build context", "internal", 0, false);
    // The trace lists steps as they start: put the last one first to show order does not matter.
    add(names[4], "", 6, cached[4]);
    for (int k = 0; k < 4; ++k) add(names[k], "", k + 2, cached[static_cast<size_t>(k)]);
    add("exporting to image", "", 0, false);
    sample.record.steps = steps;
  };
}

}  // namespace

TEST_CASE("claims: cached_until holds, holds partly, does not hold or cannot tell", "[report][claims]") {
  const std::vector<bool> as_claimed = {true, true, true, false, false};
  const std::vector<bool> copy_kept = {true, true, true, true, false};
  const std::vector<bool> download_reran = {true, true, false, false, false};
  auto model_with = [](std::vector<std::vector<bool>> pattern) {
    return model_of({{"cachebust", "cachebust", {5.0, 5.1, 4.9}, cachebust_steps(std::move(pattern))}});
  };
  SECTION("everything above cached, everything after reran: holds") {
    auto result = judge(model_with({as_claimed}), {cached_until("RUN go mod download")});
    CHECK(result.verdict == ClaimVerdict::Holds);
    const auto& steps = result.checks.at(0).steps;
    REQUIRE(steps.size() == 5);  // no internal steps, no FROM, no export
    CHECK(steps[0].instruction == "WORKDIR /src");
    CHECK(steps[4].instruction == "RUN go build -o /bin/server ./cmd/server");
    CHECK_FALSE(steps[4].up_to_anchor);
    CHECK(steps[2].up_to_anchor);
    CHECK(steps[2].cached == 3);
  }
  SECTION("COPY after the ARG stayed cached: holds partly, naming the steps") {
    auto result = judge(model_with({copy_kept}), {cached_until("RUN go mod download")});
    CHECK(result.verdict == ClaimVerdict::HoldsPartly);
    CHECK(result.explanation ==
          "every step up to `RUN go mod download` stayed cached, but of the steps after it only "
          "`RUN go build -o /bin/server ./cmd/server` reran; `COPY . .` stayed cached.");
    CHECK(contains(result.checks.at(0).numbers, "reran: `RUN go build -o /bin/server ./cmd/server`; n=3"));
  }
  SECTION("the pattern must hold in every sample") {
    auto result = judge(model_with({as_claimed, copy_kept, as_claimed}), {cached_until("RUN go mod download")});
    CHECK(result.verdict == ClaimVerdict::HoldsPartly);
    CHECK(contains(result.explanation, "`COPY . .` (in 1 of 3 samples) stayed cached"));
    auto once = judge(model_with({as_claimed, download_reran, as_claimed}), {cached_until("RUN go mod download")});
    CHECK(once.verdict == ClaimVerdict::DoesNotHold);
    CHECK(contains(once.explanation, "`RUN go mod download` (in 1 of 3 samples)"));
  }
  SECTION("a step above the anchor reran: does not hold") {
    auto result = judge(model_with({download_reran}), {cached_until("RUN go mod download")});
    CHECK(result.verdict == ClaimVerdict::DoesNotHold);
    CHECK(result.explanation == "steps up to `RUN go mod download` reran: `RUN go mod download`.");
  }
  SECTION("a step text that matches nothing: cannot tell") {
    auto result = judge(model_with({as_claimed}), {cached_until("RUN go mod tidy")});
    CHECK(result.verdict == ClaimVerdict::CannotTell);
    CHECK(contains(result.explanation, "no step of cachebust starts with `RUN go mod tidy`"));
  }
}

TEST_CASE("claims: several checks combine into one verdict", "[report][claims]") {
  using V = ClaimVerdict;
  CHECK(report::combine_verdicts({V::Holds, V::Holds}) == V::Holds);
  CHECK(report::combine_verdicts({V::Holds, V::DoesNotHold}) == V::HoldsPartly);
  CHECK(report::combine_verdicts({V::HoldsPartly}) == V::HoldsPartly);
  CHECK(report::combine_verdicts({V::DoesNotHold, V::DoesNotHold}) == V::DoesNotHold);
  CHECK(report::combine_verdicts({V::Holds, V::CannotTell}) == V::CannotTell);
  CHECK(report::combine_verdicts({V::DoesNotHold, V::CannotTell}) == V::DoesNotHold);
  CHECK(report::combine_verdicts({V::Holds, V::DoesNotHold, V::CannotTell}) == V::HoldsPartly);
  CHECK(report::combine_verdicts({}) == V::CannotTell);

  auto model = model_of({{"slow", "cold", kFive, {}}, {"fast", "cold", {1.0, 1.1, 0.9, 1.05, 0.95}, {}}});
  auto both = judge(model, {less("context_bytes"), faster("cold")});
  CHECK(both.verdict == ClaimVerdict::Holds);
  auto partly = judge(model, {less("context_bytes"), less("proxy_bytes")});
  CHECK(partly.verdict == ClaimVerdict::HoldsPartly);
  CHECK(contains(partly.explanation, "smaller context (`cold`): holds; fewer bytes downloaded (`cold`): does not hold ("));
}

TEST_CASE("claims: the smallest p-value a sample size allows", "[report][claims]") {
  CHECK(report::smallest_possible_p(3, 3) == Approx(0.1));
  CHECK(report::smallest_possible_p(4, 4) == Approx(2.0 / 70));
  CHECK(report::smallest_possible_p(2, 2) == Approx(1.0 / 3));
  CHECK(report::smallest_possible_p(1, 1) == 1.0);
  CHECK(report::smallest_possible_p(0, 5) == 1.0);
  CHECK(report::smallest_possible_p(200, 200) < 1e-100);
}

TEST_CASE("claims: from the results header into the report, or from the options instead", "[report][claims]") {
  auto file = test::synthetic_results(6);
  scenario::Claim claim;
  claim.id = "layer-order";
  claim.text = "Fast is much faster after a code change.";
  claim.checks = {faster("code-change", 0.5)};
  file.header.claims = scenario::claims_to_json({claim});
  // Through the header's JSON form and back, as a results file carries it.
  auto header = runner::header_from_json(runner::to_json(file.header));
  REQUIRE(header);
  file.header = *header;
  auto model = report::build_report({file});
  REQUIRE(model);
  CHECK(model->claims_source == "the results header");
  REQUIRE(model->claims.size() == 1);
  CHECK(model->claims[0].claim.id == "layer-order");
  CHECK(model->claims[0].verdict == ClaimVerdict::Holds);  // 2.4 s vs 13.5 s, six a side

  report::ReportOptions options;
  scenario::Claim other = claim;
  other.id = "other";
  other.checks = {less("image_size")};
  options.claims = std::vector<scenario::Claim>{other};
  options.claims_source = "scenario file x.json";
  auto replaced = report::build_report({file}, options);
  REQUIRE(replaced);
  REQUIRE(replaced->claims.size() == 1);
  CHECK(replaced->claims[0].claim.id == "other");
  CHECK(replaced->claims_source == "scenario file x.json");

  // Old results: no claims, no section.
  auto old = test::synthetic_results(3);
  auto plain = report::build_report({old});
  REQUIRE(plain);
  CHECK(plain->claims.empty());
  std::ostringstream markdown;
  report::write_markdown(*plain, markdown);
  CHECK_FALSE(contains(markdown.str(), "## The post's claims"));

  // Damaged claims in a header are a note, not a failure.
  old.header.claims = nlohmann::json::parse(R"([{"id": "x", "text": "t", "checks": [{"check": "sooner"}]}])");
  auto damaged = report::build_report({old});
  REQUIRE(damaged);
  CHECK(damaged->claims.empty());
  REQUIRE_FALSE(damaged->notes.empty());
  CHECK(contains(damaged->notes.back(), "claims in the results header: /claims/0/checks/0/check: unknown check `sooner`"));
}

TEST_CASE("claims: report.md names the commit first and puts the claims right after the intro", "[report][claims]") {
  auto file = test::synthetic_results(6);
  scenario::Claim claim;
  claim.id = "layer-order";
  claim.text = "Fast | is much faster.";
  claim.note = "A note.";
  claim.checks = {faster("code-change", 0.5)};
  file.header.claims = scenario::claims_to_json({claim});
  auto model = report::build_report({file});
  REQUIRE(model);
  std::ostringstream out;
  report::write_markdown(*model, out);
  std::string text = out.str();
  std::istringstream lines(text);
  std::string first, blank, third;
  std::getline(lines, first);
  std::getline(lines, blank);
  std::getline(lines, third);
  CHECK(third == "Results measured by buildbench 0.1.0 at commit abcdef1234567890, run started 2026-01-01T00:00:00Z.");
  auto claims_at = text.find("## The post's claims");
  REQUIRE(claims_at != std::string::npos);
  CHECK(claims_at < text.find("## cold"));
  CHECK(contains(text, "| 1 | Fast \\| is much faster. | `code-change` builds, fast vs slow: median wall time | "));
  CHECK(contains(text, "| **holds**: fast takes "));
  CHECK(contains(text, "- Claim 1 (`layer-order`): A note."));
}

TEST_CASE("adaptive runs: claims are judged look by look and say at which n", "[report][claims][adaptive]") {
  // fast is 4x faster from the first sample on; close is within noise of slow.
  std::vector<double> slow = {4.0, 4.2, 3.9, 4.1, 4.05, 4.15, 3.95, 4.12, 4.02, 4.08};
  std::vector<double> fast = {1.0, 1.05, 0.98, 1.02, 1.01, 0.99, 1.03, 1.04, 0.97, 1.0};
  std::vector<double> close = {4.01, 4.19, 3.92, 4.09, 4.04, 4.16, 3.96, 4.11, 4.03, 4.07};
  auto model = model_of({{"slow", "code-change", slow, nullptr},
                         {"fast", "code-change", fast, nullptr},
                         {"close", "code-change", close, nullptr}});
  report::ClaimOptions options;
  options.bootstrap.resamples = 2000;
  // Calibrated 3..10: n = 4 decides on a perfect separation (p 0.0286),
  // n = 5..10 at p < 0.0142.
  options.sequential = stats::sequential_design(3, 10);
  scenario::Claim decided;
  decided.id = "decided";
  decided.text = "fast is much faster.";
  decided.checks = {faster("code-change", 0.5)};
  scenario::Claim open = decided;
  open.id = "open";
  open.checks[0].variant = "close";
  auto results = report::evaluate_claims(model, {decided, open}, options);
  REQUIRE(results.size() == 2);
  INFO(results[0].explanation << "\n" << results[1].explanation);
  CHECK(results[0].verdict == ClaimVerdict::Holds);
  CHECK(results[0].decision_words() == "decided at n=4");
  CHECK(contains(results[0].checks[0].numbers, "n=4 per side"));  // the deciding look's samples
  // Never significant: at max it is "undecided at n=10", not "does not hold".
  CHECK(results[1].verdict == ClaimVerdict::CannotTell);
  CHECK(results[1].decision_words() == "undecided at n=10");
  CHECK(contains(results[1].explanation, "undecided at n=10, the scenario's max"));

  // The same samples judged as a fixed count: no decision words, and the
  // ordinary verdicts.
  auto fixed = report::evaluate_claims(model, {decided, open}, report::ClaimOptions{});
  CHECK(fixed[0].decision_words().empty());
  CHECK(fixed[1].verdict == ClaimVerdict::DoesNotHold);

  // Through the results header: the report replays the run's design. A
  // header from before designs were named used bonferroni (n = 5..10 at
  // p < 0.0083), so the same samples were decided at n=5 then.
  auto file = results_of({{"slow", "code-change", slow, nullptr}, {"fast", "code-change", fast, nullptr}});
  file.header.claims = scenario::claims_to_json({decided});
  auto calibrated_file = file;
  calibrated_file.header.adaptive = {{"min", 3},         {"max", 10},          {"until", "decided"},
                                     {"alpha", 0.05},    {"design", "calibrated"}, {"first_look_n", 4},
                                     {"first_look_alpha", 0.0286}, {"look_alpha", 0.0142}, {"estimated_error", 0.0472},
                                     {"orderings", 200000}};
  file.header.adaptive = {{"min", 3}, {"max", 10}, {"until", "decided"}, {"alpha", 0.05}, {"look_alpha", 0.05 / 6}};
  file.footer->harness_time = {{"run_wall_s", 100.0}, {"builds_s", 97.0}, {"harness_s", 2.0},
                               {"parts", {{"cold_reset_s", 1.5}, {"fixture_mutation_s", 0.5}, {"setup_s", 1.0}}}};
  report::ReportOptions report_options;
  report_options.bootstrap.resamples = 2000;
  auto from_header = report::build_report({file}, report_options);
  REQUIRE(from_header);
  REQUIRE(from_header->claims.size() == 1);
  CHECK(from_header->claims[0].decision_words() == "decided at n=5");
  REQUIRE(from_header->harness_time);
  CHECK(from_header->harness_time->harness_s == Approx(2.0));
  std::ostringstream markdown;
  report::write_markdown(*from_header, markdown);
  INFO(markdown.str());
  CHECK(contains(markdown.str(), "**holds** (decided at n=5)"));
  CHECK(contains(markdown.str(), "the harness's own work (cold-state resets (prune) 1.50 s, fixture mutations 500 ms)"));
  CHECK(contains(markdown.str(), "Repetitions: adaptive, 3 to 10 per cell until decided"));

  auto from_calibrated = report::build_report({calibrated_file}, report_options);
  REQUIRE(from_calibrated);
  CHECK(from_calibrated->claims[0].decision_words() == "decided at n=4");
  std::ostringstream calibrated_markdown;
  report::write_markdown(*from_calibrated, calibrated_markdown);
  INFO(calibrated_markdown.str());
  CHECK(contains(calibrated_markdown.str(), "the first look that can decide (n=4) needs a perfect separation (p < 0.0286)"));
  CHECK(contains(calibrated_markdown.str(), "4.72% of 200000 random orderings"));
}
