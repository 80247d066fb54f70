#include "stats/verdicts.h"

#include <algorithm>

#include "stats/rank_tests.h"
#include "stats/summary.h"

namespace buildbench::stats {

std::string_view verdict_words(ClaimVerdict verdict) {
  switch (verdict) {
    case ClaimVerdict::Holds: return "holds";
    case ClaimVerdict::HoldsPartly: return "holds partly";
    case ClaimVerdict::DoesNotHold: return "does not hold";
    case ClaimVerdict::CannotTell: return "cannot tell";
  }
  return "cannot tell";
}

ClaimVerdict combine_verdicts(const std::vector<ClaimVerdict>& verdicts) {
  if (verdicts.empty()) return ClaimVerdict::CannotTell;
  auto any = [&](ClaimVerdict verdict) { return std::find(verdicts.begin(), verdicts.end(), verdict) != verdicts.end(); };
  if (std::all_of(verdicts.begin(), verdicts.end(), [](ClaimVerdict v) { return v == ClaimVerdict::Holds; })) {
    return ClaimVerdict::Holds;
  }
  if (any(ClaimVerdict::CannotTell) && !any(ClaimVerdict::DoesNotHold)) return ClaimVerdict::CannotTell;
  if (any(ClaimVerdict::Holds) || any(ClaimVerdict::HoldsPartly)) return ClaimVerdict::HoldsPartly;
  return ClaimVerdict::DoesNotHold;
}

double smallest_possible_p(size_t n_a, size_t n_b) {
  if (n_a == 0 || n_b == 0) return 1.0;
  // C(n_a + n_b, n_a) as a product of ratios; past 1e300 the answer is 0 anyway.
  double combinations = 1.0;
  size_t k = std::min(n_a, n_b);
  size_t n = n_a + n_b;
  for (size_t i = 1; i <= k && combinations < 1e300; ++i) {
    combinations = combinations * static_cast<double>(n - k + i) / static_cast<double>(i);
  }
  return std::min(1.0, 2.0 / combinations);
}

FasterJudgement judge_faster(const Comparison& comparison, size_t n_variant, size_t n_than,
                             std::optional<double> holds_at_most, double alpha) {
  FasterJudgement judgement;
  judgement.smallest_p = smallest_possible_p(n_variant, n_than);
  const double ratio = comparison.ratio.ratio;
  const double p = comparison.test.p_value;
  if (judgement.smallest_p >= alpha) {
    judgement = {ClaimVerdict::CannotTell, FasterReason::TooFewSamples, judgement.smallest_p};
  } else if (p >= alpha) {
    judgement = {ClaimVerdict::DoesNotHold, FasterReason::NotSignificant, judgement.smallest_p};
  } else if (ratio >= 1) {
    judgement = {ClaimVerdict::DoesNotHold, FasterReason::Slower, judgement.smallest_p};
  } else if (holds_at_most && ratio > *holds_at_most) {
    judgement = {ClaimVerdict::HoldsPartly, FasterReason::SmallerThanClaimed, judgement.smallest_p};
  } else {
    judgement = {ClaimVerdict::Holds, FasterReason::Faster, judgement.smallest_p};
  }
  return judgement;
}

util::Result<SequentialOutcome> sequential_faster(std::span<const double> baseline, std::span<const double> candidate,
                                                  std::optional<double> holds_at_most, const SequentialDesign& design,
                                                  const BootstrapOptions& bootstrap) {
  SequentialOutcome outcome;
  const size_t available = std::min({baseline.size(), candidate.size(), design.max_n});
  CompareOptions options;
  options.bootstrap = bootstrap;
  for (size_t n = design.min_n; n <= available; ++n) {
    const double level = design.level_at(n);
    options.alpha = level;
    auto base = baseline.first(n);
    auto cand = candidate.first(n);
    outcome.n = n;
    // The rank test is cheap; the bootstrap only runs at looks that matter
    // (a significant one, or the last one, whose numbers the report shows).
    auto test = mann_whitney_u(cand, base);
    if (!test) return test.error();
    const bool significant = test->p_value < level;
    if (!significant && n < available) continue;
    auto comparison = compare_samples(base, cand, options);
    if (!comparison) return comparison.error();
    outcome.comparison = *comparison;
    outcome.judgement = judge_faster(*comparison, n, n, holds_at_most, level);
    if (significant) {
      const auto& ratio = comparison->ratio;
      bool settled = ratio.ratio >= 1 || !holds_at_most || ratio.ci_high <= *holds_at_most ||
                     ratio.ci_low > *holds_at_most;
      if (settled) {
        outcome.decided = true;
        return outcome;
      }
    }
  }
  outcome.exhausted = !outcome.decided && available >= design.max_n;
  return outcome;
}

bool median_ci_within(std::span<const double> values, double width) {
  auto summary = summarize(values);
  if (!summary || summary->median <= 0) return false;
  return (summary->median_ci.high - summary->median_ci.low) / summary->median <= width;
}

}  // namespace buildbench::stats
