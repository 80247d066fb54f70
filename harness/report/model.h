#pragma once
// The report model: results files reduced to what every output format shows.
// One Cell per series x build kind x variant holds the samples (warm-ups
// excluded), descriptive statistics of each metric, the comparison with the
// baseline variant and the warnings. Writers only format a model; they
// compute nothing, so every format tells the same story.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/claims.h"
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

// The metrics of a sample that reports summarize. Times are "lower is
// better", and so are bytes and sizes; cached steps are "higher is better"
// but are only shown, never gated on.
enum class Metric {
  Wall,           // client wall time, seconds
  DaemonSpan,     // daemon's first vertex start -> last vertex end, seconds
  ContextUpload,  // time to send the context, seconds
  ContextBytes,   // bytes of context sent
  CachedSteps,    // steps served from the cache
  ProxyBytes,     // bytes the module proxy served during the build
  ProxyRequests,  // requests the module proxy served
  ImageSize,      // bytes of the image built
  // Time to send the context however it went: the tar upload's time, or for
  // a BuildKit session (where the client cannot time the upload) the trace's
  // "[internal] load build context" step, during which the daemon pulls the
  // files it lacks.
  ContextTransfer,
};
inline constexpr size_t kMetricCount = 9;
inline constexpr std::array<Metric, kMetricCount> kAllMetrics = {
    Metric::Wall,        Metric::DaemonSpan, Metric::ContextUpload, Metric::ContextBytes,
    Metric::CachedSteps, Metric::ProxyBytes, Metric::ProxyRequests, Metric::ImageSize,
    Metric::ContextTransfer};

// Stable identifier used in CSV/JSON ("wall_s", "context_bytes", ...).
std::string_view metric_id(Metric metric);
// The metric a stable identifier names (scenario claims name metrics by id).
std::optional<Metric> metric_from_id(std::string_view id);
// Human label with unit ("wall time (s)").
std::string_view metric_label(Metric metric);
// True for byte and count metrics, which carry no measurement noise.
bool metric_is_exact(Metric metric);
// The metric's value in one sample, or nothing when the sample does not have
// it (failed build, classic builder without a daemon span, no image size).
std::optional<double> metric_value(const runner::Sample& sample, Metric metric);

struct ReportWarning {
  std::string id;       // "too_few_samples", "high_noise", "failed_builds", "sanity", ...
  std::string message;  // one sentence for people
};

struct Cell {
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
  // Wall time against the baseline variant of the same series and kind;
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

// A BuildKit warning (a Dockerfile check on Docker 28.x) as the samples of
// one variant reported it.
struct BuildCheck {
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
  std::string fixture_hash;

  std::string baseline_variant;
  std::vector<std::string> series;    // sweep values in first-seen order; {""} without a sweep
  std::vector<std::string> variants;  // header order, then any first seen in samples
  std::vector<std::string> kinds;
  std::vector<Cell> cells;            // series-major, then kind, then variant
  std::vector<InputFile> inputs;
  std::vector<std::string> notes;     // file-level warnings (truncated lines, unknown baseline, ...)
  std::vector<BuildCheck> build_checks;  // variant order, then first seen
  // The scenario's claims with their verdicts, in the scenario's order;
  // empty when neither the results header nor ReportOptions has claims.
  std::vector<ClaimResult> claims;
  std::string claims_source;          // "the results header" or "scenario file PATH"

  // The report's own provenance, injected so outputs are reproducible.
  std::string generated_at;
  std::string generator_version;

  bool has_sweep() const { return series.size() > 1 || (series.size() == 1 && !series.front().empty()); }
  const Cell* find(std::string_view series_value, std::string_view variant, std::string_view kind) const;
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

}  // namespace buildbench::report
