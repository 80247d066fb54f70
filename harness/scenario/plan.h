#pragma once
// The plan: every build a run makes, in order (docs/scenarios.md, "The plan").
//
// A round is one pass over the scenario's build kinds (cold, warm, then the
// mutations as listed) for one (series, variant). Repetitions repeat rounds;
// warm-ups are extra rounds at the start, marked as such and kept apart from
// samples. Series (sweep values) run one after another, since each needs its
// own fixture. Within a series:
//   interleaved: repetition r of every variant before repetition r+1, so drift
//                of the machine hits all variants alike; with `randomize` the
//                variants' order is shuffled anew for every repetition.
//   grouped:     all rounds of one variant, then the next variant; with
//                `randomize` the variants' order is shuffled once per series.
// With several engines (Scenario::engines) the unit that is interleaved and
// shuffled is an (engine, variant) pair, so every engine's rounds are spread
// over the whole run; with one engine or none the plan is the same as before
// engines existed (the same draws, the same order).
// Shuffles use SplitMix64 seeded with the seed (state = seed; the output
// function of Steele, Lea and Flood 2014), a Fisher-Yates shuffle from the
// last position down, and an unbiased draw of j in [0, i] by rejecting
// values at or above the largest multiple of (i + 1) below 2^64. The same
// seed gives the same plan on every platform.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario/cells.h"
#include "scenario/scenario.h"
#include "util/result.h"

namespace buildbench::scenario {

struct PlanOptions {
  std::optional<int> repetitions;  // --reps
  std::optional<int> warmups;      // --warmups
  std::optional<uint64_t> seed;    // --seed
  bool all_cells = false;          // --all-cells: every variant x kind, pointless kinds too
};

struct PlannedSample {
  size_t plan_index = 0;   // position in the whole plan (the key results and --resume use)
  size_t round = 0;        // index of the round in the whole plan; shards split between rounds
  size_t series = 0;       // index into Scenario::series
  size_t variant = 0;      // index into Scenario::variants
  size_t engine = 0;       // index into Scenario::engines (0 when it is empty)
  size_t kind = 0;         // index into Scenario::build_kinds
  int repetition = 0;      // 0-based, counted separately for warm-ups and measured rounds
  bool warmup = false;
  bool first_in_round = false;  // the runner brings the state to "warm" before a mutation that starts a round
  std::string series_label;
  std::string engine_name;  // "" when the scenario names no engines
  std::string variant_name;
  std::string kind_label;
  bool operator==(const PlannedSample&) const = default;
};

// The seed a plan uses: the option, else the scenario's.
uint64_t plan_seed(const Scenario& scenario, const PlanOptions& options);
int plan_repetitions(const Scenario& scenario, const PlanOptions& options);
int plan_warmups(const Scenario& scenario, const PlanOptions& options);

// Negative overrides count as 0 repetitions / warm-ups (the CLI refuses them first).
// Only the cells of plan_cells() are built (scenario/cells.h): rounds keep
// their interleaving and shuffles, leaving out the other kinds' samples;
// plan indexes and rounds are numbered over what is left. With adaptive
// repetitions the plan holds max repetitions; the runner leaves out decided
// cells' samples as it goes. `--reps N` makes an adaptive scenario a fixed one.
std::vector<PlannedSample> make_plan(const Scenario& scenario, const PlanOptions& options = {});
// Whether a run with these options stops cells early (adaptive and no --reps).
bool plan_is_adaptive(const Scenario& scenario, const PlanOptions& options);

// Shard k of n (1-based, 1 <= k <= n): a deterministic slice of whole rounds
// (a mutation sample depends on the build before it). Shard k gets the rounds
// [floor((k-1)R/n), floor(kR/n)) of the R rounds, so each shard measures a
// stretch of interleaved repetitions of every variant and the n shards
// partition the plan exactly. Samples keep their plan_index.
util::Result<std::vector<PlannedSample>> select_shard(const std::vector<PlannedSample>& plan, size_t k, size_t n);

struct ShardSpec {
  size_t index = 1;  // k
  size_t count = 1;  // n
};
// "K/N" as given to --shard.
util::Result<ShardSpec> parse_shard(const std::string& text);

// A draw in [0, bound) from SplitMix64 without modulo bias (bound >= 1).
class PlanRandom {
 public:
  explicit PlanRandom(uint64_t seed) : state_(seed) {}
  uint64_t next();
  uint64_t below(uint64_t bound);

 private:
  uint64_t state_;
};

}  // namespace buildbench::scenario
