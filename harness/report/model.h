#pragma once
// The report model: results files reduced to what every output format shows.
// One Cell per engine x series x build kind x variant holds the samples
// (warm-ups excluded), descriptive statistics of each metric, the comparison with the
// baseline variant and the warnings. Writers only format a model; they
// compute nothing, so every format tells the same story.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/claims.h"
#include "report/engines.h"
#include "report/worlds.h"
#include "report/sweep_claims.h"
#include "runner/metrics.h"
#include "runner/results.h"
#include "scenario/claims.h"
#include "stats/compare.h"
#include "stats/summary.h"
#include "stats/warnings.h"
#include "util/result.h"

namespace buildbench::report {

// Schema of summary.json (and the buildbench block of gbench.json). Bump on
// changes that break readers.
inline constexpr int kReportSchemaVersion = 1;

// The metrics of a sample live in runner/metrics.h (the adaptive runner
// decides on them too); reports name them as their own.
using runner::kAllMetrics;
using runner::kMetricCount;
using runner::Metric;
using runner::metric_from_id;
using runner::metric_id;
using runner::metric_is_exact;
using runner::metric_label;
using runner::is_dependency_download_step;
using runner::metric_value;

struct ReportWarning {
  std::string id;       // "too_few_samples", "high_noise", "failed_builds", "sanity", ...
  std::string message;  // one sentence for people
};

struct Cell {
  std::string engine;   // catalog name of the engine it was built on; "" when unknown
  std::string series;   // "" without a sweep
  std::string variant;
  std::string kind;
  std::vector<runner::Sample> samples;  // non-warm-up samples in run order, failed ones included
  size_t ok_count = 0;
  size_t failed_count = 0;
  // Per metric: statistics over the successful samples that have the metric.
  std::array<std::optional<stats::Summary>, kMetricCount> summaries;
  // Median total steps of successful samples (the "of N" in "cached 9/9").
  double total_steps = 0;
  // Index into `samples` of the successful sample whose wall time is the
  // (lower) median: the one the waterfall figure and the step table show.
  std::optional<size_t> median_sample;
  // Wall time against the baseline variant of the same engine, series and kind;
  // empty for the baseline itself or when a side has no successful samples.
  std::optional<stats::Comparison> vs_baseline;
  std::vector<ReportWarning> warnings;

  const std::optional<stats::Summary>& summary(Metric metric) const {
    return summaries[static_cast<size_t>(metric)];
  }
};

struct InputFile {
  std::string path;
  size_t samples = 0;   // non-warm-up samples
  size_t warmups = 0;
  size_t failed = 0;
  bool finished = false;     // a footer was found
  bool interrupted = false;  // the footer says Ctrl-C
};

// Where the run's time went outside its timed builds (the results footer's
// harness_time, summed over the files of a merged report).
struct HarnessTime {
  double run_wall_s = 0;
  double builds_s = 0;    // client wall time of the measured builds
  double harness_s = 0;   // the harness's own work between builds (not set-up, not warm-state builds)
  std::map<std::string, double> parts;  // "fixture_mutation_s", "cold_reset_s", ...
};

// A BuildKit warning (a Dockerfile check on Docker 28.x) as the samples of
// one variant reported it.
struct BuildCheck {
  std::string engine;
  std::string variant;
  std::string message;  // "JSONArgsRecommended: ... (line 4)"
  std::string url;
  size_t samples = 0;   // non-warm-up samples that carried it
};

struct ReportModel {
  // From the (first) results header.
  std::string scenario_name;
  std::string scenario_title;
  std::string scenario_hash;
  std::string harness_version;  // the harness that ran the builds
  std::string harness_commit;
  std::string started_at;
  uint64_t seed = 0;
  std::string cold_method;
  std::string daemon_mode;
  nlohmann::json environment;
  nlohmann::json base_images;
  nlohmann::json fixture_params;
  nlohmann::json proxy;               // the module proxy's network: {"latency_ms","bandwidth_mbps"[,"profile"]}
  std::string fixture_hash;

  std::string baseline_variant;
  // The engines the samples were built on: the results headers' order (the
  // first is the reference of the engines table), then any first seen in
  // samples; {""} when no sample names one. engine_versions is parallel.
  std::vector<std::string> engines;
  std::vector<runner::SampleEngine> engine_versions;
  std::vector<std::string> series;    // sweep values in first-seen order; {""} without a sweep
  std::vector<std::string> variants;  // header order, then any first seen in samples
  std::vector<std::string> kinds;
  std::vector<Cell> cells;            // engine-major, then series, then kind, then variant
  std::vector<InputFile> inputs;
  std::vector<std::string> notes;     // file-level warnings (truncated lines, unknown baseline, ...)
  std::vector<BuildCheck> build_checks;  // variant order, then first seen
  // The scenario's claims with their verdicts, in the scenario's order;
  // empty when neither the results header nor ReportOptions has claims.
  // With several engines they are judged once per engine: `claims` holds the
  // first engine's verdicts and claims_by_engine[e] those of engines[e]
  // (claims_by_engine[0] == claims; one entry per engine, or empty).
  std::vector<ClaimResult> claims;
  std::vector<std::vector<ClaimResult>> claims_by_engine;
  std::string claims_source;          // "the results header" or "scenario file PATH"
  // With a sweep: every claim judged on every series, per engine
  // (engine-major, then the claims' order); empty without a sweep.
  std::vector<SweepClaim> sweep_claims;
  // The engines table: each other engine against the reference, per cell.
  std::vector<EngineComparison> engine_comparisons;
  // The claims beside the same claims measured in other worlds (`report
  // --beside NAME=RESULTS`, set by the caller from compare_worlds); empty
  // without.
  WorldsComparison worlds;
  // Set by engine_view() on a model with several engines: figures name the
  // engine in their titles and file names.
  std::string shown_engine;
  // The run's adaptive repetitions (header "adaptive"; null for a fixed count).
  nlohmann::json adaptive;
  std::optional<HarnessTime> harness_time;  // nothing for results written before it was recorded
  double report_s = 0;                      // time build_report took (statistics, claims)

  // The report's own provenance, injected so outputs are reproducible.
  std::string generated_at;
  std::string generator_version;

  bool has_sweep() const { return series.size() > 1 || (series.size() == 1 && !series.front().empty()); }
  bool several_engines() const { return engines.size() > 1; }
  // The cell of the first engine (the only one of most results).
  const Cell* find(std::string_view series_value, std::string_view variant, std::string_view kind) const;
  const Cell* find(std::string_view engine, std::string_view series_value, std::string_view variant,
                   std::string_view kind) const;
  // The versions of an engine of `engines` (empty ones for another name).
  runner::SampleEngine versions_of(std::string_view engine) const;
  // The variant's colour slot: its position in `variants`.
  size_t variant_index(std::string_view variant) const;
};

struct ReportOptions {
  std::string baseline;      // overrides the header's baseline variant when not empty
  std::string generated_at;  // ISO 8601; callers pass the clock's time, tests a fixed one
  std::string generator_version = BUILDBENCH_VERSION;
  stats::BootstrapOptions bootstrap;
  stats::WarningThresholds thresholds;
  // Claims to judge instead of the results header's (`report --scenario`),
  // for results written before headers carried claims.
  std::optional<std::vector<scenario::Claim>> claims;
  std::string claims_source;  // says where `claims` came from, for the report
};

// Merges results files of one scenario (shards, resumed runs) into a model.
// Fails when no file is given, when the files come from different scenarios
// (different scenario_hash; the message names the files and hashes), or when
// --baseline names a variant that is not in the results.
util::Result<ReportModel> build_report(const std::vector<runner::ResultsFile>& files,
                                       const ReportOptions& options = {});

// The engine a sample was built on: its own record, else (results from
// before samples named it) the engine the header's environment names.
std::string sample_engine(const runner::ResultsHeader& header, const runner::Sample& sample);
// The engines of results files, in the order ReportModel::engines has them.
std::vector<std::string> engines_of(const std::vector<runner::ResultsFile>& files);

// The model restricted to one engine's cells, build checks and claims (for
// figures and claims, which never mix engines). With several engines the
// view's shown_engine names it.
ReportModel engine_view(const ReportModel& model, const std::string& engine);

}  // namespace buildbench::report
