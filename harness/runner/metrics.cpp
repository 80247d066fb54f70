#include "runner/metrics.h"

namespace buildbench::runner {

std::string_view metric_id(Metric metric) {
  switch (metric) {
    case Metric::Wall: return "wall_s";
    case Metric::DaemonSpan: return "daemon_span_s";
    case Metric::ContextUpload: return "context_upload_s";
    case Metric::ContextBytes: return "context_bytes";
    case Metric::CachedSteps: return "cached_steps";
    case Metric::ProxyBytes: return "proxy_bytes";
    case Metric::ProxyRequests: return "proxy_requests";
    case Metric::ImageSize: return "image_size";
    case Metric::ContextTransfer: return "context_transfer_s";
    case Metric::DependencyDownload: return "dependency_download_s";
  }
  return "unknown";
}

std::optional<Metric> metric_from_id(std::string_view id) {
  for (Metric metric : kAllMetrics) {
    if (metric_id(metric) == id) return metric;
  }
  return std::nullopt;
}

std::string_view metric_label(Metric metric) {
  switch (metric) {
    case Metric::Wall: return "wall time (s)";
    case Metric::DaemonSpan: return "daemon span (s)";
    case Metric::ContextUpload: return "context upload (s)";
    case Metric::ContextBytes: return "context size (bytes)";
    case Metric::CachedSteps: return "cached steps";
    case Metric::ProxyBytes: return "downloaded (bytes)";
    case Metric::ProxyRequests: return "proxy requests";
    case Metric::ImageSize: return "image size (bytes)";
    case Metric::ContextTransfer: return "context transfer (s)";
    case Metric::DependencyDownload: return "dependency download (s)";
  }
  return "unknown";
}

bool metric_is_exact(Metric metric) {
  switch (metric) {
    case Metric::Wall:
    case Metric::DaemonSpan:
    case Metric::ContextUpload:
    case Metric::ContextTransfer:
    case Metric::DependencyDownload:
      return false;
    default:
      return true;
  }
}

bool is_dependency_download_step(std::string_view step_name) {
  return step_name.find("go mod download") != std::string_view::npos;
}

std::optional<double> metric_value(const runner::Sample& sample, Metric metric) {
  const auto& record = sample.record;
  if (!record.ok) return std::nullopt;
  switch (metric) {
    case Metric::Wall: return record.wall_s;
    case Metric::DaemonSpan:
      if (record.daemon_span_s < 0) return std::nullopt;
      return record.daemon_span_s;
    case Metric::ContextUpload:
      if (record.context_upload_s < 0) return std::nullopt;
      return record.context_upload_s;
    case Metric::ContextBytes: return static_cast<double>(record.context_bytes);
    case Metric::CachedSteps: return static_cast<double>(record.cached_steps);
    case Metric::ProxyBytes: return static_cast<double>(sample.proxy.bytes);
    case Metric::ProxyRequests: return static_cast<double>(sample.proxy.requests);
    case Metric::ImageSize:
      if (record.image_size < 0) return std::nullopt;
      return static_cast<double>(record.image_size);
    case Metric::ContextTransfer:
      if (record.transfer == docker::ContextTransfer::Tar) {
        if (record.context_upload_s < 0) return std::nullopt;
        return record.context_upload_s;
      }
      for (const auto& step : record.steps) {
        if (step.name == "[internal] load build context" && step.duration_s >= 0) return step.duration_s;
      }
      return std::nullopt;
    case Metric::DependencyDownload: {
      double total = 0.0;
      for (const auto& step : record.steps) {
        if (!step.cached && step.duration_s > 0 && is_dependency_download_step(step.name)) total += step.duration_s;
      }
      return total;
    }
  }
  return std::nullopt;
}

}  // namespace buildbench::runner
