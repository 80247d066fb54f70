#pragma once
// Two synthetic worlds for `report --beside` tests: the same claims on a toy
// world (synthetic modules, a download of 0.13 s) and a realistic one (real
// modules, a 20 s download step). slow copies the source first, so a code
// change reruns its module download; fast keeps it cached.
#include <cstdint>
#include <string>
#include <vector>

#include "runner/results.h"
#include "scenario/claims.h"
#include "test_report_synthetic.h"

namespace buildbench::test {

struct WorldShape {
  double other_s;     // context, copies, export: everything but download and compile
  double download_s;  // `RUN go mod download` when it runs
  double compile_s;   // `RUN go build` when it runs
  uint64_t module_bytes;  // served by the module proxy for a download
};

// The toy world: fast takes 2.40 s of slow's 2.53 s after a code change (0.949).
inline WorldShape toy_shape() { return {0.2, 0.13, 2.2, 38'000}; }
// The realistic world: 30 s of 50 s (0.600), 40% of slow's build downloading.
inline WorldShape realistic_shape() { return {2.0, 20.0, 28.0, 42'182'515}; }

// One build of `variant` ("slow" or "fast") of `kind` ("cold" or
// "code-change"), its steps laid end to end, every duration scaled by `scale`.
inline runner::Sample world_sample(const WorldShape& shape, const std::string& variant, const std::string& kind,
                                   int repetition, double scale, const runner::SampleEngine& engine) {
  const bool slow = variant == "slow";
  const bool cold = kind == "cold";
  const bool download_cached = !slow && !cold;
  struct Planned {
    std::string name;
    double duration;
    bool cached;
  };
  std::vector<Planned> plan = {{"[internal] load build context", shape.other_s / 2, false}};
  if (slow) {
    plan.push_back({"[2/4] COPY . .", shape.other_s / 2, false});
    plan.push_back({"[3/4] RUN go mod download", shape.download_s, false});
    plan.push_back({"[4/4] RUN go build -o /bin/server ./cmd/server", shape.compile_s, false});
  } else {
    plan.push_back({"[2/5] COPY go.mod go.sum ./", 0.0, !cold});
    plan.push_back({"[3/5] RUN go mod download", shape.download_s, download_cached});
    plan.push_back({"[4/5] COPY . .", shape.other_s / 2, false});
    plan.push_back({"[5/5] RUN go build -o /bin/server ./cmd/server", shape.compile_s, false});
  }
  runner::Sample sample;
  sample.variant = variant;
  sample.kind = kind;
  sample.repetition = repetition;
  sample.engine = engine;
  sample.started_at = "2026-01-01T00:00:00Z";
  auto& record = sample.record;
  record.ok = true;
  double offset = 0;
  for (const auto& planned : plan) {
    docker::BuildStep step;
    step.name = planned.name;
    step.stage = planned.name.rfind("[internal]", 0) == 0 ? "internal" : "stage-0";
    step.cached = planned.cached;
    step.start_offset_s = offset;
    step.duration_s = planned.cached ? 0.0 : planned.duration * scale;
    offset += step.duration_s;
    if (step.cached) ++record.cached_steps;
    record.steps.push_back(step);
  }
  record.total_steps = static_cast<int>(plan.size()) - 1;
  record.wall_s = offset;
  record.daemon_span_s = offset;
  record.context_bytes = 180'000;
  record.image_size = 18'500'000;
  record.image_id = "sha256:0123456789abcdef";
  sample.proxy.bytes = download_cached ? 0 : shape.module_bytes;
  sample.proxy.requests = download_cached ? 0 : 14;
  return sample;
}

inline scenario::ClaimCheck world_check(scenario::CheckType type, std::string variant, std::string than, std::string kind,
                                        std::string metric) {
  scenario::ClaimCheck check;
  check.type = type;
  check.variant = std::move(variant);
  check.than = std::move(than);
  check.kind = std::move(kind);
  check.metric = std::move(metric);
  return check;
}

// layer-order (fast at most 0.7 of slow after a code change), fewer-bytes
// (fast downloads less after a code change) and, with `download_claim`,
// small-download (slow downloads at most 1 MB after a code change).
inline std::vector<scenario::Claim> world_claims(bool download_claim) {
  auto faster = world_check(scenario::CheckType::Faster, "fast", "slow", "code-change", "wall_s");
  faster.holds_at_most = 0.7;
  std::vector<scenario::Claim> claims = {
      {"layer-order", "Dependencies first make a code-change rebuild much faster.", "", {faster}},
      {"fewer-bytes", "Dependencies first download nothing after a code change.", "",
       {world_check(scenario::CheckType::Less, "fast", "slow", "code-change", "proxy_bytes")}}};
  if (download_claim) {
    auto at_most = world_check(scenario::CheckType::AtMost, "slow", "", "code-change", "proxy_bytes");
    at_most.value = 1'000'000;
    claims.push_back({"small-download", "A code change downloads at most 1 MB of modules.", "", {at_most}});
  }
  return claims;
}

// slow / fast x cold / code-change, six of each, interleaved; the header
// says which world it is: a deps preset and a network profile, or neither.
inline runner::ResultsFile world_results(const WorldShape& shape, bool realistic, const std::string& path,
                                         const runner::SampleEngine& engine = engine_20_10()) {
  runner::ResultsFile file;
  file.path = path;
  file.header = synthetic_header(realistic ? "4ea1000000000000aaaabbbbccccdddd" : "70e0000000000000aaaabbbbccccdddd");
  file.header.scenario_name = realistic ? "seed" : "seed-toy";
  file.header.variants = nlohmann::json::array({{{"name", "slow"}}, {{"name", "fast"}}});
  file.header.build_kinds = {"cold", "code-change"};
  file.header.environment = engine_facts(engine);
  file.header.fixture_params = {{"packages", 24},
                                {"deps", realistic ? nlohmann::json{{"preset", "grpc-service"}} : nlohmann::json::object()}};
  file.header.proxy = realistic ? nlohmann::json{{"latency_ms", 15.0}, {"bandwidth_mbps", 400.0}, {"profile", "ci-runner"}}
                                : nlohmann::json{{"latency_ms", 20.0}, {"bandwidth_mbps", 100.0}};
  file.header.claims = scenario::claims_to_json(world_claims(realistic));
  size_t plan_index = 0;
  for (int rep = 0; rep < 6; ++rep) {
    for (const char* kind : {"cold", "code-change"}) {
      for (const char* variant : {"slow", "fast"}) {
        auto sample = world_sample(shape, variant, kind, rep, 1 + jitter(rep), engine);
        sample.plan_index = plan_index++;
        file.samples.push_back(std::move(sample));
      }
    }
  }
  file.footer = runner::ResultsFooter{"2026-01-01T01:00:00Z", false, file.samples.size(), 0};
  return file;
}

}  // namespace buildbench::test
