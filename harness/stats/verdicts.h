#pragma once
// The pure decision logic behind a claim's verdict (report/claims.cpp words
// it; runner/ uses it to stop sampling once a claim is decided): the verdict
// scale, how checks combine into a claim's verdict, the verdict of a
// "faster" check from a comparison, and the sequential design with which an
// adaptive run looks at its data after every round (docs/adaptive-repetitions.md).
//
// Both the report and the runner call these functions, so a run stops a
// cell exactly when the report would call its claims decided.
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "stats/compare.h"
#include "stats/sequential_design.h"
#include "util/result.h"

namespace buildbench::stats {

enum class ClaimVerdict {
  Holds,        // the measurement supports the claim fully
  HoldsPartly,  // some of it: a smaller effect than claimed, or some checks of several
  DoesNotHold,  // the measurement contradicts the claim, or shows no effect where one would be visible
  CannotTell,   // no data, or too few samples for any difference to be significant
};

// "holds", "holds partly", "does not hold", "cannot tell".
std::string_view verdict_words(ClaimVerdict verdict);

// How a claim's verdict follows from its checks': all hold -> holds; some
// cannot tell and none fails -> cannot tell; some hold (fully or partly) ->
// holds partly; else does not hold. A single check's verdict is the claim's.
ClaimVerdict combine_verdicts(const std::vector<ClaimVerdict>& verdicts);

// The smallest two-sided p-value the exact Mann-Whitney test can give for
// n_a and n_b samples: 2 / C(n_a + n_b, n_a) (1 when a side is empty).
double smallest_possible_p(size_t n_a, size_t n_b);

// Why a "faster" check has the verdict it has.
enum class FasterReason {
  TooFewSamples,       // no p below alpha is possible with these sample sizes: cannot tell
  NotSignificant,      // p >= alpha: does not hold (fixed count) / undecided (adaptive)
  Slower,              // significant, ratio >= 1: does not hold
  SmallerThanClaimed,  // significant speed-up, ratio above holds_at_most: holds partly
  Faster,              // significant speed-up within holds_at_most (or none given): holds
};

struct FasterJudgement {
  ClaimVerdict verdict = ClaimVerdict::CannotTell;
  FasterReason reason = FasterReason::TooFewSamples;
  double smallest_p = 1;  // the least p the sample sizes allow
};

// The verdict of "variant is faster than `than`" from the comparison of
// `than` (baseline) with `variant` (candidate), at significance level alpha.
FasterJudgement judge_faster(const Comparison& comparison, size_t n_variant, size_t n_than,
                             std::optional<double> holds_at_most, double alpha);

// One "faster" check looked at sequentially: at each look n (n samples per
// side, the first n in run order) the comparison is made at the design's
// level for that look (SequentialDesign::level_at); the
// check is decided at the first look where the difference is significant
// and, with holds_at_most, the ratio's bootstrap CI lies entirely on one
// side of it (or the variant is slower). Undecided checks say so; at max_n
// they are "undecided at n=max_n", never "does not hold".
struct SequentialOutcome {
  bool decided = false;
  size_t n = 0;                    // samples per side at the decision, else at the last look made
  bool exhausted = false;          // undecided and the last look was at max_n
  std::optional<Comparison> comparison;  // at look n
  FasterJudgement judgement;       // at look n, at that look's level
};

// `baseline` (than) and `candidate` (variant): successful values in run
// order. Fails as compare_samples does.
util::Result<SequentialOutcome> sequential_faster(std::span<const double> baseline, std::span<const double> candidate,
                                                  std::optional<double> holds_at_most, const SequentialDesign& design,
                                                  const BootstrapOptions& bootstrap = {});

// Precision instead of a test: a cell is done when its median's
// distribution-free 95% CI, relative to the median, is at most `width`.
// Below 6 samples that CI is the full range (below nominal), which only
// makes the rule stricter.
bool median_ci_within(std::span<const double> values, double width);

}  // namespace buildbench::stats
