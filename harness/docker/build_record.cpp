#include "docker/build_record.h"

#include <nlohmann/json.hpp>

namespace buildbench::docker {

nlohmann::ordered_json to_json(const BuildStep& step) {
  nlohmann::ordered_json out;
  out["name"] = step.name;
  out["stage"] = step.stage;
  out["index"] = step.index;
  out["total"] = step.total;
  out["cached"] = step.cached;
  out["start_offset_s"] = step.start_offset_s;
  out["duration_s"] = step.duration_s;
  if (!step.error.empty()) out["error"] = step.error;
  out["log_bytes"] = step.log_bytes;
  if (!step.error.empty() && !step.log_tail.empty()) out["log_tail"] = step.log_tail;
  return out;
}

nlohmann::ordered_json to_json(const BuildWarning& warning) {
  nlohmann::ordered_json out;
  out["level"] = warning.level;
  out["message"] = warning.message;
  if (!warning.detail.empty()) out["detail"] = warning.detail;
  if (!warning.url.empty()) out["url"] = warning.url;
  if (!warning.file.empty()) out["file"] = warning.file;
  if (warning.line > 0) out["line"] = warning.line;
  return out;
}

nlohmann::ordered_json to_json(const BuildRecord& record) {
  nlohmann::ordered_json out;
  out["ok"] = record.ok;
  if (!record.ok) {
    out["error"] = record.error;
    out["failed_step"] = record.failed_step;
    out["failure_log_tail"] = record.failure_log_tail;
  }
  out["builder"] = record.builder == BuilderKind::BuildKit ? "buildkit" : "classic";
  out["context_transfer"] = record.transfer == ContextTransfer::Session ? "session" : "tar";
  out["wall_s"] = record.wall_s;
  out["daemon_span_s"] = record.daemon_span_s;
  out["context_bytes"] = record.context_bytes;
  out["context_upload_s"] = record.context_upload_s;
  out["context_files_sent"] = record.context_files_sent;
  out["daemon_context_bytes"] = record.daemon_context_bytes;
  if (!record.session_error.empty()) out["session_error"] = record.session_error;
  out["cached_steps"] = record.cached_steps;
  out["total_steps"] = record.total_steps;
  out["image_id"] = record.image_id;
  out["image_size"] = record.image_size;
  out["image_layers"] = record.image_layers;
  out["syntax_line_stripped"] = record.syntax_line_stripped;
  auto& steps = out["steps"] = nlohmann::ordered_json::array();
  for (const auto& step : record.steps) steps.push_back(to_json(step));
  // Only when there are any: results files stay as they were on engines
  // that send none, and readers treat a missing field as none.
  if (!record.warnings.empty()) {
    auto& warnings = out["build_warnings"] = nlohmann::ordered_json::array();
    for (const auto& warning : record.warnings) warnings.push_back(to_json(warning));
  }
  return out;
}

}  // namespace buildbench::docker
