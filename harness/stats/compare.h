#pragma once
// Comparing two sets of samples of one metric (baseline vs candidate: two
// variants, or two runs of the same variant): the ratio of medians with a
// bootstrap confidence interval, a Mann-Whitney U p-value, and a verdict for
// a CI regression gate. Also the exact comparison of noise-free metrics
// (bytes, image sizes, cached-step counts), where any difference is real.
//
// Every metric here is "lower is better" (times, bytes): a ratio above 1
// means the candidate is slower or bigger.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "stats/rank_tests.h"
#include "util/result.h"

namespace buildbench::stats {

// "buildben" in ASCII: any fixed value works, it only has to stay the same
// so that a report computed twice from the same results is identical.
constexpr uint64_t kDefaultBootstrapSeed = 0x6275696C6462656EULL;

struct BootstrapOptions {
  size_t resamples = 10000;
  double confidence = 0.95;
  uint64_t seed = kDefaultBootstrapSeed;
};

struct RatioEstimate {
  double ratio = 1;    // median(candidate) / median(baseline)
  double ci_low = 1;   // percentile bootstrap interval of that ratio
  double ci_high = 1;
  double confidence = 0.95;
  size_t resamples = 0;
};

// Percentile bootstrap of the ratio of medians. One SplitMix64 stream
// (stats/random.h) seeded with options.seed serves all replicates in order;
// replicate b draws n_baseline indices with below(n_baseline) and then
// n_candidate indices with below(n_candidate), each a draw with replacement,
// and records median(candidate draw) / median(baseline draw). The B ratios
// are sorted and tail = floor(B * (1 - confidence) / 2) of them are dropped at
// each end: the interval is [sorted[tail], sorted[B - 1 - tail]] (0-based),
// e.g. indices 250 and 9749 for B = 10000 at 95%. So the interval is a pure
// function of the samples, their order and the options, on every platform.
// Cost: resamples * (n_baseline + n_candidate) draws plus two median
// selections per replicate; tens of milliseconds for 30 + 30 samples.
//
// Fails when a side is empty, a value is NaN or infinite, a candidate value
// is negative, or a baseline value is not positive (a ratio needs a
// positive denominator in every replicate); or on resamples == 0 or a
// confidence outside (0, 1).
util::Result<RatioEstimate> ratio_of_medians(std::span<const double> baseline,
                                             std::span<const double> candidate,
                                             const BootstrapOptions& options = {});

enum class Verdict {
  Improved,         // significant, and the ratio is below 1 - threshold
  Regressed,        // significant, and the ratio is above 1 + threshold
  NotSignificant,   // p >= alpha: shown as "~"
  WithinThreshold,  // significant but |ratio - 1| <= threshold: too small to matter
};

// "improved", "regressed", "~", "within threshold".
std::string_view verdict_label(Verdict verdict);

// "~" when p >= alpha (the difference may be noise), "significant" otherwise.
std::string_view significance_label(double p_value, double alpha);

struct CompareOptions {
  double threshold = 0.05;  // relative change that matters: 0.05 = 5%
  double alpha = 0.05;      // significance level of the Mann-Whitney U test
  BootstrapOptions bootstrap;
};

struct Comparison {
  Verdict verdict = Verdict::NotSignificant;
  RatioEstimate ratio;
  MannWhitney test;  // x = candidate, y = baseline: U > n_x n_y / 2 means slower
  bool significant = false;  // test.p_value < alpha

  // A CI gate fails only on a change that is both significant and beyond the
  // threshold in the bad direction.
  bool fails_gate() const { return verdict == Verdict::Regressed; }
};

// The verdict: NotSignificant when the two-sided Mann-Whitney p >= alpha;
// otherwise WithinThreshold when |ratio - 1| <= threshold, else Regressed
// (ratio > 1) or Improved (ratio < 1). Identical samples give p = 1 and "~".
// With 3 samples a side no difference can be significant at alpha = 0.05
// (the smallest exact two-sided p is 2 / C(6, 3) = 0.1); 4 a side is the
// least that can (2 / C(8, 4) = 0.029). Fails as ratio_of_medians does, and
// on a negative threshold or an alpha outside (0, 1).
util::Result<Comparison> compare_samples(std::span<const double> baseline,
                                         std::span<const double> candidate,
                                         const CompareOptions& options = {});

// Noise-free metrics: every sample of one side should carry the same value,
// so the comparison is exact. Each side is represented by its most frequent
// value (the smallest of equally frequent ones); `*_varies` says the metric
// was not constant after all, which a report should point out.
struct ExactComparison {
  int64_t baseline = 0;
  int64_t candidate = 0;
  int64_t difference = 0;  // candidate - baseline, saturated at the int64 limits
  bool equal = true;
  bool baseline_varies = false;
  bool candidate_varies = false;

  // "equal", or "differ by +1234 (+3.2%)" (no percentage when baseline is 0).
  std::string describe() const;
};

// Fails when a side is empty.
util::Result<ExactComparison> compare_exact(std::span<const int64_t> baseline,
                                            std::span<const int64_t> candidate);

}  // namespace buildbench::stats
