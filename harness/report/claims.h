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
#include "stats/verdicts.h"

namespace buildbench::report {

struct ReportModel;

// The verdict scale and its pure logic live in stats/verdicts.h, so that the
// adaptive runner stops sampling exactly when this report would decide.
using stats::ClaimVerdict;
using stats::combine_verdicts;
using stats::smallest_possible_p;
using stats::verdict_words;

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

  // Adaptive runs (ClaimOptions::sequential): the samples per side at which
  // the check was decided, or nothing while it is undecided.
  std::optional<size_t> decided_at;
  size_t looked_at = 0;  // samples per side of the last look (the decision's when decided)
  bool exhausted = false;  // undecided at the scenario's max: "undecided at n=15"
};

struct ClaimResult {
  scenario::Claim claim;
  std::string engine;  // the engine whose cells were judged (ReportModel::engines)
  ClaimVerdict verdict = ClaimVerdict::CannotTell;
  std::string explanation;  // the check's sentence, or for several checks what each gave
  std::vector<CheckResult> checks;
  // Adaptive runs: the largest decided_at of its checks when all are
  // decided; else nothing, and `undecided_at` is the n of the last look.
  std::optional<size_t> decided_at;
  size_t undecided_at = 0;
  bool sequential = false;  // judged look by look (ClaimOptions::sequential was set)

  // "decided at n=6", "undecided at n=15", "" for fixed-count runs.
  std::string decision_words() const;
};

struct ClaimOptions {
  double alpha = 0.05;  // significance level of the Mann-Whitney test
  stats::BootstrapOptions bootstrap;
  // Set for runs with adaptive repetitions "until decided": time checks are
  // judged look by look with the design's stricter level, exactly as the
  // runner decided when to stop (stats/verdicts.h); a check never decided
  // is "cannot tell" and says "undecided at n=N", never a verdict it has
  // not earned.
  std::optional<stats::SequentialDesign> sequential;
  // The series (sweep value) whose cells are judged; nothing: the first
  // (sweep_claims.h judges every one).
  std::optional<std::string> series;
};

// Evaluates every claim on the model's first series, or options.series
// (claims name variants and build kinds, not sweep values), and first engine (build_report judges
// each engine on engine_view()). Checks that name a variant or kind without
// successful samples cannot tell.
std::vector<ClaimResult> evaluate_claims(const ReportModel& model, const std::vector<scenario::Claim>& claims,
                                         const ClaimOptions& options = {});

// One sentence per claim whose verdict is not the same on every engine:
// "layer-order: does not hold on 20.10, holds on 28.5" (engines with the same
// verdict share it, in the model's engine order; the adaptive decision is
// named when there is one). Nothing with fewer than two engines.
std::vector<std::string> claim_differences(const ReportModel& model);

}  // namespace buildbench::report
