#include "stats/compare.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <tuple>
#include <vector>

#include "stats/random.h"
#include "stats/summary.h"

namespace buildbench::stats {
namespace {

// Median by partial selection; reorders `values`, which must be non-empty.
double median_in_place(std::vector<double>& values) {
  const size_t n = values.size();
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(values.begin(), middle, values.end());
  if (n % 2 == 1) return *middle;
  const double lower = *std::max_element(values.begin(), middle);
  return std::midpoint(lower, *middle);  // (a + b) / 2 without overflow
}

void resample(std::span<const double> source, SplitMix64& rng, std::vector<double>& out) {
  out.clear();
  for (size_t i = 0; i < source.size(); ++i) out.push_back(source[rng.below(source.size())]);
}

util::Status check_ratio_inputs(std::span<const double> baseline,
                                std::span<const double> candidate) {
  if (baseline.empty()) return util::error("the baseline has no samples");
  if (candidate.empty()) return util::error("the candidate has no samples");
  for (double v : baseline) {
    if (!std::isfinite(v)) return util::error("a baseline sample is not a finite number");
    if (v <= 0) return util::error("a ratio needs baseline samples above zero");
  }
  for (double v : candidate) {
    if (!std::isfinite(v)) return util::error("a candidate sample is not a finite number");
    if (v < 0) return util::error("a ratio needs candidate samples of zero or more");
  }
  return {};
}

// The most frequent value, the smallest among equally frequent ones, and
// whether more than one distinct value occurred.
std::pair<int64_t, bool> mode_of(std::span<const int64_t> values) {
  std::map<int64_t, size_t> counts;
  for (int64_t v : values) ++counts[v];
  int64_t best = counts.begin()->first;
  size_t best_count = 0;
  for (const auto& [value, count] : counts) {
    if (count > best_count) {  // strict: ties keep the smaller value (map order)
      best = value;
      best_count = count;
    }
  }
  return {best, counts.size() > 1};
}

int64_t saturating_difference(int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_sub_overflow(a, b, &result)) {
    return a > b ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return result;
}

}  // namespace

util::Result<RatioEstimate> ratio_of_medians(std::span<const double> baseline,
                                             std::span<const double> candidate,
                                             const BootstrapOptions& options) {
  if (auto valid = check_ratio_inputs(baseline, candidate); !valid) return valid.error();
  if (options.resamples == 0) return util::error("the bootstrap needs at least one resample");
  if (!(options.confidence > 0 && options.confidence < 1)) {
    return util::error("confidence level must be between 0 and 1");
  }

  RatioEstimate estimate;
  estimate.ratio = median(candidate) / median(baseline);
  estimate.confidence = options.confidence;
  estimate.resamples = options.resamples;

  SplitMix64 rng(options.seed);
  std::vector<double> ratios;
  ratios.reserve(options.resamples);
  std::vector<double> baseline_draw;
  std::vector<double> candidate_draw;
  baseline_draw.reserve(baseline.size());
  candidate_draw.reserve(candidate.size());
  for (size_t b = 0; b < options.resamples; ++b) {
    resample(baseline, rng, baseline_draw);
    resample(candidate, rng, candidate_draw);
    ratios.push_back(median_in_place(candidate_draw) / median_in_place(baseline_draw));
  }
  std::sort(ratios.begin(), ratios.end());
  // The small tolerance keeps B * (1 - c) / 2 = 250 from rounding down to
  // 249 when (1 - 0.95) is not exact in binary.
  const double tail_share = static_cast<double>(options.resamples) * (1 - options.confidence) / 2;
  const size_t tail = std::min(static_cast<size_t>(std::floor(tail_share + 1e-9)),
                               (options.resamples - 1) / 2);
  estimate.ci_low = ratios[tail];
  estimate.ci_high = ratios[options.resamples - 1 - tail];
  return estimate;
}

std::string_view verdict_label(Verdict verdict) {
  switch (verdict) {
    case Verdict::Improved: return "improved";
    case Verdict::Regressed: return "regressed";
    case Verdict::NotSignificant: return "~";
    case Verdict::WithinThreshold: return "within threshold";
  }
  return "~";
}

std::string_view significance_label(double p_value, double alpha) {
  return p_value < alpha ? "significant" : "~";
}

util::Result<Comparison> compare_samples(std::span<const double> baseline,
                                         std::span<const double> candidate,
                                         const CompareOptions& options) {
  if (!(options.threshold >= 0) || !std::isfinite(options.threshold)) {
    return util::error("the threshold must be a non-negative number");
  }
  if (!(options.alpha > 0 && options.alpha < 1)) {
    return util::error("alpha must be between 0 and 1");
  }
  auto ratio = ratio_of_medians(baseline, candidate, options.bootstrap);
  if (!ratio) return ratio.error();
  auto test = mann_whitney_u(candidate, baseline);
  if (!test) return test.error();

  Comparison comparison;
  comparison.ratio = *ratio;
  comparison.test = *test;
  comparison.significant = test->p_value < options.alpha;
  const double change = ratio->ratio - 1;
  if (!comparison.significant) {
    comparison.verdict = Verdict::NotSignificant;
  } else if (std::fabs(change) <= options.threshold) {
    comparison.verdict = Verdict::WithinThreshold;
  } else {
    comparison.verdict = change > 0 ? Verdict::Regressed : Verdict::Improved;
  }
  return comparison;
}

std::string ExactComparison::describe() const {
  if (equal) return "equal";
  char buffer[96];
  if (baseline == 0) {
    std::snprintf(buffer, sizeof buffer, "differ by %+" PRId64, difference);
  } else {
    const double percent =
        100.0 * static_cast<double>(difference) / std::fabs(static_cast<double>(baseline));
    std::snprintf(buffer, sizeof buffer, "differ by %+" PRId64 " (%+.1f%%)", difference, percent);
  }
  return buffer;
}

util::Result<ExactComparison> compare_exact(std::span<const int64_t> baseline,
                                            std::span<const int64_t> candidate) {
  if (baseline.empty()) return util::error("the baseline has no samples");
  if (candidate.empty()) return util::error("the candidate has no samples");
  ExactComparison comparison;
  std::tie(comparison.baseline, comparison.baseline_varies) = mode_of(baseline);
  std::tie(comparison.candidate, comparison.candidate_varies) = mode_of(candidate);
  comparison.difference = saturating_difference(comparison.candidate, comparison.baseline);
  comparison.equal = comparison.candidate == comparison.baseline;
  return comparison;
}

}  // namespace buildbench::stats
