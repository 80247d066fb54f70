#pragma once
// Synthetic results for report tests: fixed numbers, so every output of a
// report built from them is reproducible byte for byte.
#include <cstdint>
#include <string>
#include <vector>

#include "runner/results.h"

namespace buildbench::test {

struct SyntheticStep {
  std::string name;
  std::string stage;
  double start = 0;
  double duration = 0;
  bool cached = false;
};

// A Go service built by a Dockerfile with two parallel stages (build-api,
// build-worker) after a shared `build` stage; `cached_up_to` steps of the
// non-internal ones come from the cache.
inline std::vector<docker::BuildStep> synthetic_steps(double scale, size_t cached_up_to) {
  std::vector<SyntheticStep> plan = {
      {"[internal] load build definition from Dockerfile", "internal", 0.0, 0.01},
      {"[internal] load .dockerignore", "internal", 0.0, 0.01},
      {"[internal] load metadata for docker.io/library/golang:1.24-alpine", "internal", 0.01, 0.02},
      {"[build 1/4] FROM docker.io/library/golang:1.24-alpine", "build", 0.03, 0.01},
      {"[build 2/4] COPY go.mod go.sum ./", "build", 0.04, 0.05},
      {"[build 3/4] RUN go mod download", "build", 0.09, 0.30},
      {"[build 4/4] COPY . .", "build", 0.39, 0.06},
      {"[build-api 1/1] RUN go build -o /out/api ./cmd/api", "build-api", 0.45, 0.40},
      {"[build-worker 1/1] RUN go build -o /out/worker ./cmd/worker", "build-worker", 0.45, 0.35},
      {"[stage-3 1/2] COPY --from=build-api /out/api /api", "stage-3", 0.85, 0.02},
      {"[stage-3 2/2] COPY --from=build-worker /out/worker /worker", "stage-3", 0.87, 0.02},
  };
  std::vector<docker::BuildStep> steps;
  size_t non_internal = 0;
  for (const auto& planned : plan) {
    docker::BuildStep step;
    step.name = planned.name;
    step.stage = planned.stage;
    bool internal = planned.stage == "internal";
    step.cached = !internal && non_internal < cached_up_to;
    if (!internal) ++non_internal;
    step.start_offset_s = planned.start * scale;
    step.duration_s = step.cached ? 0.0 : planned.duration * scale;
    steps.push_back(step);
  }
  return steps;
}

inline runner::Sample synthetic_sample(const std::string& variant, const std::string& kind, int repetition, double wall_s,
                                       size_t cached_steps, bool ok = true) {
  runner::Sample sample;
  sample.variant = variant;
  sample.kind = kind;
  sample.repetition = repetition;
  sample.started_at = "2026-01-01T00:00:00Z";
  auto& record = sample.record;
  record.ok = ok;
  if (!ok) {
    record.error = "executor failed running [/bin/sh -c go build]: exit code: 1";
    sample.record.wall_s = wall_s;
    return sample;
  }
  record.wall_s = wall_s;
  record.steps = synthetic_steps(wall_s, cached_steps);
  record.daemon_span_s = wall_s * 0.9;
  record.context_bytes = variant == "slow" ? 2'400'000 : 180'000;
  record.context_upload_s = variant == "slow" ? 0.04 : 0.005;
  record.total_steps = 8;
  record.cached_steps = static_cast<int>(cached_steps);
  record.image_id = "sha256:0123456789abcdef";
  record.image_size = variant == "slow" ? 312'000'000 : 18'500'000;
  record.image_layers = 5;
  sample.proxy.bytes = cached_steps >= 3 ? 0 : 1'250'000;
  sample.proxy.requests = cached_steps >= 3 ? 0 : 12;
  sample.build_cache_bytes = 900'000'000;
  return sample;
}

inline runner::ResultsHeader synthetic_header(const std::string& scenario_hash = "5a1e0000aaaabbbbccccddddeeeeffff") {
  runner::ResultsHeader header;
  header.harness_version = "0.1.0";
  header.harness_commit = "abcdef1234567890";
  header.scenario_name = "synthetic";
  header.scenario_title = "Synthetic Go service";
  header.scenario_file = "scenarios/synthetic.json";
  header.scenario_hash = scenario_hash;
  header.fixture_params = {{"packages", 4}};
  header.fixture_hash = "f1f2f3f4f5f6f7f8";
  header.environment = {{"engine_version", "20.10.24+dfsg1"}, {"api_version", "1.41"},
                        {"buildkit_version", "v0.8.2"},      {"storage_driver", "overlay2"},
                        {"kernel", "6.1.0"},                 {"host_cpus", 2},
                        {"host_cpu_model", "Test CPU @ 2.0GHz"}, {"daemon_cpus", 2}};
  header.base_images = nlohmann::json::array(
      {{{"name", "golang:1.24-alpine"}, {"image", "buildbench/go:1.24"}, {"id", "sha256:1111222233334444"}}});
  header.variants = nlohmann::json::array({{{"name", "slow"}}, {{"name", "fast"}}, {{"name", "cachemount"}}});
  header.build_kinds = {"cold", "warm", "code-change"};
  header.baseline_variant = "slow";
  header.seed = 42;
  header.cold_method = "scoped";
  header.daemon_mode = "managed";
  header.started_at = "2026-01-01T00:00:00Z";
  return header;
}

// Relative jitter that repeats every 6 samples: small, fixed, not sorted.
inline double jitter(int repetition) {
  static const double offsets[] = {0.00, 0.012, -0.008, 0.02, -0.015, 0.005};
  return offsets[repetition % 6];
}

// slow / fast / cachemount x cold / warm / code-change, `repetitions` each,
// interleaved as the runner does, with one warm-up per variant first.
inline runner::ResultsFile synthetic_results(int repetitions = 6, const std::string& path = "synthetic/results.jsonl") {
  runner::ResultsFile file;
  file.path = path;
  file.header = synthetic_header();
  struct Base {
    const char* variant;
    double cold;
    double warm;
    double code_change;
  };
  const Base bases[] = {{"slow", 14.0, 0.060, 13.5}, {"fast", 12.0, 0.055, 2.4}, {"cachemount", 12.5, 0.056, 0.9}};
  size_t plan_index = 0;
  for (const auto& base : bases) {
    auto warmup = synthetic_sample(base.variant, "warm", 0, 99.0, 8);
    warmup.warmup = true;
    warmup.plan_index = plan_index++;
    file.samples.push_back(warmup);
  }
  for (int rep = 0; rep < repetitions; ++rep) {
    for (const auto& kind : {"cold", "warm", "code-change"}) {
      for (const auto& base : bases) {
        std::string k = kind;
        double wall = k == "cold" ? base.cold : k == "warm" ? base.warm : base.code_change;
        size_t cached = k == "cold" ? 0 : k == "warm" ? 8 : (std::string(base.variant) == "slow" ? 1 : 3);
        auto sample = synthetic_sample(base.variant, kind, rep, wall * (1 + jitter(rep)), cached);
        sample.plan_index = plan_index++;
        if (k == "warm" && std::string(base.variant) == "slow" && rep == 2) {
          sample.warnings.push_back("warm build not fully cached: 7/8 steps cached");
        }
        file.samples.push_back(std::move(sample));
      }
    }
  }
  file.footer = runner::ResultsFooter{"2026-01-01T01:00:00Z", false, file.samples.size(), 0};
  return file;
}

inline runner::SampleEngine engine_20_10() { return {"20.10", "20.10.24+dfsg1", "1.41", "v0.8.2"}; }
inline runner::SampleEngine engine_28_5() { return {"28.5", "28.5.2", "1.47", "v0.25.1"}; }

// The header's facts of an engine, as a run with "engines" records them.
inline nlohmann::json engine_facts(const runner::SampleEngine& engine) {
  return {{"engine", engine.name},
          {"engine_version", engine.daemon_version},
          {"api_version", engine.api_version},
          {"buildkit_version", engine.buildkit_version},
          {"storage_driver", "overlay2"},
          {"host_cpus", 2}};
}

// Median wall times per (kind, variant) on one engine, 6 samples each with
// jitter(), interleaved across engines as a run with "engines" does.
struct EngineTimes {
  runner::SampleEngine engine;
  double slow_cold;
  double fast_cold;
  double slow_code_change;
  double fast_code_change;
};

// slow / fast x cold / code-change on each engine; the header lists the
// engines in the given order.
inline runner::ResultsFile engines_results(const std::vector<EngineTimes>& engines, int repetitions = 6,
                                           const std::string& path = "engines/results.jsonl") {
  runner::ResultsFile file;
  file.path = path;
  file.header = synthetic_header();
  file.header.variants = nlohmann::json::array({{{"name", "slow"}}, {{"name", "fast"}}});
  file.header.build_kinds = {"cold", "code-change"};
  file.header.engines = nlohmann::json::array();
  for (const auto& times : engines) file.header.engines.push_back(engine_facts(times.engine));
  if (!engines.empty()) {
    file.header.environment = engine_facts(engines.front().engine);
    file.header.environment["host_cpu_model"] = "Test CPU @ 2.0GHz";
  }
  size_t plan_index = 0;
  for (int rep = 0; rep < repetitions; ++rep) {
    for (const auto& times : engines) {
      for (const char* kind : {"cold", "code-change"}) {
        for (const char* variant : {"slow", "fast"}) {
          const bool cold = std::string(kind) == "cold";
          const bool slow = std::string(variant) == "slow";
          double wall = cold ? (slow ? times.slow_cold : times.fast_cold)
                             : (slow ? times.slow_code_change : times.fast_code_change);
          auto sample = synthetic_sample(variant, kind, rep, wall * (1 + jitter(rep)), cold ? 0 : (slow ? 1 : 3));
          sample.engine = times.engine;
          sample.plan_index = plan_index++;
          file.samples.push_back(std::move(sample));
        }
      }
    }
  }
  file.footer = runner::ResultsFooter{"2026-01-01T01:00:00Z", false, file.samples.size(), 0};
  return file;
}

}  // namespace buildbench::test
