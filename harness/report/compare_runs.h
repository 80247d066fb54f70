#pragma once
// `buildbench compare`: a baseline run against a candidate run (e.g. the base
// and the head commit of a pull request), per series x variant x build kind,
// with a verdict for a CI gate. A change fails the gate only when it is both
// significant and beyond the threshold in the bad direction.
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/model.h"
#include "runner/results.h"
#include "stats/compare.h"
#include "util/result.h"

namespace buildbench::report {

enum class CompareMetric { Wall, DaemonSpan, ContextBytes, ImageSize };

// "wall", "daemon-span", "context-bytes", "image-size".
util::Result<CompareMetric> parse_compare_metric(std::string_view name);
std::string_view compare_metric_name(CompareMetric metric);

struct CompareRunsOptions {
  CompareMetric metric = CompareMetric::Wall;
  double threshold = 0.05;  // relative change that matters
  double alpha = 0.05;      // significance level
  bool force = false;       // compare even when scenario or environment differ
  // Compare a baseline measured on one engine with a candidate measured on
  // another (each side one engine); without it such runs are refused.
  bool across_engines = false;
  stats::BootstrapOptions bootstrap;
};

struct CompareRow {
  std::string engine;  // the engine both cells were built on; across engines, the baseline's
  std::string series;
  std::string variant;
  std::string kind;
  size_t baseline_count = 0;   // successful samples with the metric
  size_t candidate_count = 0;
  std::optional<double> baseline_median;
  std::optional<double> candidate_median;
  std::optional<stats::Comparison> comparison;   // noisy metrics (times), or exact ones that varied
  std::optional<stats::ExactComparison> exact;   // noise-free metrics (bytes)
  // "improved", "regressed", "~", "within threshold", "equal", or why there
  // is no verdict ("missing in candidate", "no successful samples in baseline").
  std::string verdict;
  bool fails_gate = false;
};

struct CompareReport {
  CompareMetric metric = CompareMetric::Wall;
  double threshold = 0.05;
  double alpha = 0.05;
  std::string baseline_label;   // file names and commit, for people
  std::string candidate_label;
  // Why the runs should not be compared (different scenario, engine, CPUs,
  // storage driver). Empty when they are comparable.
  std::vector<std::string> incompatibilities;
  bool forced = false;
  // The engines of each side (ReportModel::engines order; {""} when the
  // results do not name them). Cells are matched per engine.
  std::vector<std::string> baseline_engines;
  std::vector<std::string> candidate_engines;
  // Why the sides cannot be compared because they come from different
  // engines, naming both and --across-engines; --force does not lift it.
  std::string engine_mismatch;
  // Set when --across-engines compared one engine with another.
  bool across_engines = false;
  std::vector<CompareRow> rows;
  std::vector<std::string> notes;

  bool comparable() const { return (incompatibilities.empty() || forced) && engine_mismatch.empty(); }
  bool several_engines() const { return baseline_engines.size() > 1 || candidate_engines.size() > 1; }
  // "across engines: 20.10 (base) vs 28.5 (head)", or "".
  std::string across_engines_words() const;
  size_t regressions() const;
  size_t improvements() const;
  // 2 when not comparable, 1 when a row fails the gate, 0 otherwise.
  int exit_code() const;
};

// Fails only when a side has no results at all; incomparable inputs are
// reported in the result (with no rows unless options.force). Sides whose
// engines are named and share none are refused (engine_mismatch) unless
// options.across_engines and each side has one engine; a side that does not
// name its engine (older results) is matched with the other's engines.
util::Result<CompareReport> compare_runs(const std::vector<runner::ResultsFile>& baseline,
                                         const std::vector<runner::ResultsFile>& candidate,
                                         const CompareRunsOptions& options = {});

// A plain-text table for the terminal.
void write_compare_text(const CompareReport& report, std::ostream& out);
// A pull-request comment.
void write_compare_markdown(const CompareReport& report, std::ostream& out);
// JUnit XML for CI dashboards: one test case per row; a regression is a
// failure, incomparable inputs an error.
void write_compare_junit(const CompareReport& report, std::ostream& out);

}  // namespace buildbench::report
