#pragma once
// The metrics of a sample (wall time, daemon span, context bytes, ...) by
// stable identifier: what reports summarize and what claims' checks name.
// Here, below report/, because the adaptive runner decides on them too.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "runner/results.h"

namespace buildbench::runner {

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
  // Time in dependency-download steps: the steps (not cached) whose command
  // runs `go mod download`. A Dockerfile that downloads inside `go build`
  // has none; its downloads show in ProxyBytes only.
  DependencyDownload,
};
inline constexpr size_t kMetricCount = 10;
inline constexpr std::array<Metric, kMetricCount> kAllMetrics = {
    Metric::Wall,        Metric::DaemonSpan, Metric::ContextUpload, Metric::ContextBytes,
    Metric::CachedSteps, Metric::ProxyBytes, Metric::ProxyRequests, Metric::ImageSize,
    Metric::ContextTransfer, Metric::DependencyDownload};

// Whether a trace step's name says it downloads Go modules.
bool is_dependency_download_step(std::string_view step_name);

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

}  // namespace buildbench::runner
