#include "scenario/plan.h"

#include <algorithm>
#include <charconv>
#include <numeric>

namespace buildbench::scenario {

uint64_t PlanRandom::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t PlanRandom::below(uint64_t bound) {
  if (bound <= 1) return 0;
  // Values at or above `limit` would favour small results; draw again.
  uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  uint64_t value = next();
  while (value >= limit) value = next();
  return value % bound;
}

namespace {

void shuffle(std::vector<size_t>& items, PlanRandom& random) {
  for (size_t i = items.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(random.below(i));
    std::swap(items[i - 1], items[j]);
  }
}

}  // namespace

uint64_t plan_seed(const Scenario& scenario, const PlanOptions& options) { return options.seed.value_or(scenario.seed); }

int plan_repetitions(const Scenario& scenario, const PlanOptions& options) {
  return std::max(0, options.repetitions.value_or(scenario.repetitions));
}

int plan_warmups(const Scenario& scenario, const PlanOptions& options) {
  return std::max(0, options.warmups.value_or(scenario.warmups));
}

bool plan_is_adaptive(const Scenario& scenario, const PlanOptions& options) {
  return scenario.adaptive.has_value() && !options.repetitions;
}

std::vector<PlannedSample> make_plan(const Scenario& scenario, const PlanOptions& options) {
  const int warmups = plan_warmups(scenario, options);
  const int repetitions = plan_repetitions(scenario, options);
  const CellPlan cells = plan_cells(scenario, options.all_cells);
  PlanRandom random(plan_seed(scenario, options));
  std::vector<PlannedSample> plan;
  size_t round = 0;

  // What is interleaved and shuffled: variants, or (engine, variant) pairs
  // numbered engine * variants + variant when there are several engines.
  const size_t engine_count = std::max<size_t>(1, scenario.engines.size());
  const size_t variant_count = scenario.variants.size();
  auto add_round = [&](size_t series, size_t unit, int repetition, bool warmup) {
    const size_t variant = unit % variant_count;
    const size_t engine = unit / variant_count;
    bool first = true;
    for (size_t kind = 0; kind < scenario.build_kinds.size(); ++kind) {
      if (!cells.uses(variant, kind)) continue;
      PlannedSample sample;
      sample.plan_index = plan.size();
      sample.round = round;
      sample.series = series;
      sample.variant = variant;
      sample.engine = engine;
      sample.kind = kind;
      sample.repetition = repetition;
      sample.warmup = warmup;
      sample.first_in_round = first;
      first = false;
      sample.series_label = scenario.series[series].label;
      sample.engine_name = scenario.engines.empty() ? "" : scenario.engines[engine];
      sample.variant_name = scenario.variants[variant].name;
      sample.kind_label = scenario.build_kinds[kind].label();
      plan.push_back(std::move(sample));
    }
    if (!first) ++round;  // a round with no cell of this variant leaves no trace
  };

  // Warm-up rounds first, then measured ones: (repetition, warmup) pairs in run order.
  std::vector<std::pair<int, bool>> passes;
  for (int r = 0; r < warmups; ++r) passes.emplace_back(r, true);
  for (int r = 0; r < repetitions; ++r) passes.emplace_back(r, false);

  std::vector<size_t> units(engine_count * variant_count);
  for (size_t series = 0; series < scenario.series.size(); ++series) {
    if (scenario.order == RoundOrder::Interleaved) {
      for (const auto& [repetition, warmup] : passes) {
        std::iota(units.begin(), units.end(), size_t{0});
        if (scenario.randomize) shuffle(units, random);
        for (size_t unit : units) add_round(series, unit, repetition, warmup);
      }
    } else {
      std::iota(units.begin(), units.end(), size_t{0});
      if (scenario.randomize) shuffle(units, random);
      for (size_t unit : units) {
        for (const auto& [repetition, warmup] : passes) add_round(series, unit, repetition, warmup);
      }
    }
  }
  return plan;
}

util::Result<std::vector<PlannedSample>> select_shard(const std::vector<PlannedSample>& plan, size_t k, size_t n) {
  if (n == 0 || k == 0 || k > n) {
    return util::error("shard " + std::to_string(k) + "/" + std::to_string(n) + " does not exist (expected K/N with 1 <= K <= N)");
  }
  // Rounds are numbered 0..R-1 in plan order, so a sample's round says where it goes.
  size_t rounds = plan.empty() ? 0 : plan.back().round + 1;
  // 128-bit products are not needed: plans are capped far below 2^32 rounds.
  size_t first = (k - 1) * rounds / n;
  size_t end = k * rounds / n;
  std::vector<PlannedSample> shard;
  for (const auto& sample : plan) {
    if (sample.round >= first && sample.round < end) shard.push_back(sample);
  }
  return shard;
}

util::Result<ShardSpec> parse_shard(const std::string& text) {
  auto bad = [&] { return util::error("--shard " + text + " is not K/N (expected e.g. 2/4: shard 2 of 4, 1 <= K <= N)"); };
  auto slash = text.find('/');
  if (slash == std::string::npos) return bad();
  ShardSpec spec;
  const char* begin = text.data();
  const char* middle = begin + slash;
  const char* end = begin + text.size();
  auto [k_end, k_error] = std::from_chars(begin, middle, spec.index);
  auto [n_end, n_error] = std::from_chars(middle + 1, end, spec.count);
  if (k_error != std::errc() || n_error != std::errc() || k_end != middle || n_end != end) return bad();
  if (spec.count == 0 || spec.index == 0 || spec.index > spec.count || spec.count > 100000) return bad();
  return spec;
}

}  // namespace buildbench::scenario
