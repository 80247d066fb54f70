#pragma once
// The verdict on each claim of a scenario (scenario/claims.h), computed from
// the report model: does the measurement that tests the claim support it?
// Each check gives a verdict in plain words, the numbers behind it and one
// sentence why; a claim's verdict combines its checks'. Writers only format
// these results.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/claims.h"
#include "stats/compare.h"
#include "stats/summary.h"

namespace buildbench::report {

struct ReportModel;

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

// One step of a cached_until check, over the successful samples.
struct StepOutcome {
  std::string instruction;  // "RUN go build -o /bin/server ./cmd/server" (no "[4/5] " prefix)
  size_t cached = 0;        // samples in which the step was a cache hit
  size_t samples = 0;       // samples that had the step
  bool up_to_anchor = false;  // at or above last_cached_step: expected cached; else expected to rerun
};

struct CheckResult {
  scenario::ClaimCheck check;
  ClaimVerdict verdict = ClaimVerdict::CannotTell;
  std::string measurement;  // "code-change builds, fast vs slow: median wall time"
  std::string numbers;      // "fast 1.23 s (1.10 s – 1.41 s) vs slow 5.60 s (...); ratio 0.220 (0.20 – 0.25), p 0.100"
  // One plain sentence saying why the verdict is what it is, without the
  // verdict itself ("the production image is 3.45 MB, within 20.0 MB.").
  std::string explanation;

  // The figures behind `numbers`, for machine-readable outputs.
  size_t n_variant = 0;  // successful samples with the metric
  size_t n_than = 0;
  std::optional<stats::Summary> variant_summary;
  std::optional<stats::Summary> than_summary;
  std::optional<stats::Comparison> comparison;   // faster
  std::optional<stats::ExactComparison> exact;   // less
  std::optional<double> smallest_p;              // faster: the least p the sample sizes allow
  std::vector<StepOutcome> steps;                // cached_until, in Dockerfile order
};

struct ClaimResult {
  scenario::Claim claim;
  ClaimVerdict verdict = ClaimVerdict::CannotTell;
  std::string explanation;  // the check's sentence, or for several checks what each gave
  std::vector<CheckResult> checks;
};

struct ClaimOptions {
  double alpha = 0.05;  // significance level of the Mann-Whitney test
  stats::BootstrapOptions bootstrap;
};

// Evaluates every claim on the model's first series (claims name variants
// and build kinds, not sweep values). Checks that name a variant or kind
// without successful samples cannot tell.
std::vector<ClaimResult> evaluate_claims(const ReportModel& model, const std::vector<scenario::Claim>& claims,
                                         const ClaimOptions& options = {});

}  // namespace buildbench::report
