#include "runner/results.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace buildbench::runner {
namespace {

template <typename T>
T get_or(const nlohmann::json& json, const char* key, T fallback) {
  if (!json.is_object() || !json.contains(key) || json[key].is_null()) return fallback;
  try {
    return json[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

nlohmann::json get_json_or_null(const nlohmann::json& json, const char* key) {
  if (!json.is_object() || !json.contains(key)) return nullptr;
  return json[key];
}

docker::BuildStep step_from_json(const nlohmann::json& json) {
  docker::BuildStep step;
  step.name = get_or<std::string>(json, "name", "");
  step.stage = get_or<std::string>(json, "stage", "");
  step.index = get_or<int>(json, "index", 0);
  step.total = get_or<int>(json, "total", 0);
  step.cached = get_or<bool>(json, "cached", false);
  step.start_offset_s = get_or<double>(json, "start_offset_s", -1);
  step.duration_s = get_or<double>(json, "duration_s", -1);
  step.error = get_or<std::string>(json, "error", "");
  step.log_bytes = get_or<uint64_t>(json, "log_bytes", 0);
  step.log_tail = get_or<std::vector<std::string>>(json, "log_tail", {});
  return step;
}

docker::BuildWarning warning_from_json(const nlohmann::json& json) {
  docker::BuildWarning warning;
  warning.level = get_or<int64_t>(json, "level", 0);
  warning.message = get_or<std::string>(json, "message", "");
  warning.detail = get_or<std::vector<std::string>>(json, "detail", {});
  warning.url = get_or<std::string>(json, "url", "");
  warning.file = get_or<std::string>(json, "file", "");
  warning.line = get_or<int>(json, "line", 0);
  return warning;
}

}  // namespace

util::Result<docker::BuildRecord> record_from_json(const nlohmann::json& json) {
  if (!json.is_object()) return util::error("record is not a JSON object");
  docker::BuildRecord record;
  record.ok = get_or<bool>(json, "ok", false);
  record.error = get_or<std::string>(json, "error", "");
  record.failed_step = get_or<std::string>(json, "failed_step", "");
  record.failure_log_tail = get_or<std::vector<std::string>>(json, "failure_log_tail", {});
  record.builder = get_or<std::string>(json, "builder", "buildkit") == "classic" ? docker::BuilderKind::Classic
                                                                                 : docker::BuilderKind::BuildKit;
  record.transfer = get_or<std::string>(json, "context_transfer", "tar") == "session" ? docker::ContextTransfer::Session
                                                                                     : docker::ContextTransfer::Tar;
  record.wall_s = get_or<double>(json, "wall_s", 0);
  record.daemon_span_s = get_or<double>(json, "daemon_span_s", -1);
  record.context_bytes = get_or<uint64_t>(json, "context_bytes", 0);
  record.context_upload_s = get_or<double>(json, "context_upload_s", -1);
  record.context_files_sent = get_or<uint64_t>(json, "context_files_sent", 0);
  record.daemon_context_bytes = get_or<int64_t>(json, "daemon_context_bytes", -1);
  record.session_error = get_or<std::string>(json, "session_error", "");
  record.cached_steps = get_or<int>(json, "cached_steps", 0);
  record.total_steps = get_or<int>(json, "total_steps", 0);
  record.image_id = get_or<std::string>(json, "image_id", "");
  record.image_size = get_or<int64_t>(json, "image_size", -1);
  record.image_layers = get_or<int>(json, "image_layers", -1);
  record.syntax_line_stripped = get_or<bool>(json, "syntax_line_stripped", false);
  if (json.contains("steps") && json["steps"].is_array()) {
    for (const auto& step : json["steps"]) record.steps.push_back(step_from_json(step));
  }
  // Added with engines that send build checks (28.x); older files have none.
  if (json.contains("build_warnings") && json["build_warnings"].is_array()) {
    for (const auto& warning : json["build_warnings"]) {
      if (warning.is_object()) record.warnings.push_back(warning_from_json(warning));
    }
  }
  return record;
}

nlohmann::ordered_json to_json(const ResultsHeader& header) {
  nlohmann::ordered_json out;
  out["type"] = "header";
  out["schema_version"] = header.schema_version;
  out["harness"] = {{"version", header.harness_version}, {"commit", header.harness_commit}};
  out["scenario"] = {{"name", header.scenario_name},
                     {"title", header.scenario_title},
                     {"file", header.scenario_file},
                     {"hash", header.scenario_hash}};
  out["fixture"] = {{"params", header.fixture_params}, {"hash", header.fixture_hash}};
  out["environment"] = header.environment;
  if (header.engines.is_array() && !header.engines.empty()) out["engines"] = header.engines;
  out["base_images"] = header.base_images;
  out["proxy"] = header.proxy;
  out["variants"] = header.variants;
  out["build_kinds"] = header.build_kinds;
  out["baseline_variant"] = header.baseline_variant;
  out["seed"] = header.seed;
  out["cold_method"] = header.cold_method;
  out["daemon_mode"] = header.daemon_mode;
  out["shard"] = header.shard;
  out["plan_size"] = header.plan_size;
  out["started_at"] = header.started_at;
  if (!header.claims.is_null()) out["claims"] = header.claims;
  if (!header.adaptive.is_null()) out["adaptive"] = header.adaptive;
  if (!header.cells.is_null()) out["cells"] = header.cells;
  if (!header.adjustments.empty()) out["adjustments"] = header.adjustments;
  return out;
}

util::Result<ResultsHeader> header_from_json(const nlohmann::json& json) {
  if (!json.is_object() || get_or<std::string>(json, "type", "") != "header") {
    return util::error("the first line is not a results header ({\"type\":\"header\",...})");
  }
  ResultsHeader header;
  header.schema_version = get_or<int>(json, "schema_version", 0);
  if (header.schema_version > kResultsSchemaVersion) {
    return util::error("results schema version " + std::to_string(header.schema_version) +
                       " is newer than this buildbench reads (" + std::to_string(kResultsSchemaVersion) +
                       "): upgrade buildbench");
  }
  if (header.schema_version < kOldestReadableSchema) {
    return util::error("results schema version " + std::to_string(header.schema_version) + " is too old (oldest read: " +
                       std::to_string(kOldestReadableSchema) + ")");
  }
  auto harness = get_json_or_null(json, "harness");
  header.harness_version = get_or<std::string>(harness, "version", "");
  header.harness_commit = get_or<std::string>(harness, "commit", "");
  auto scenario = get_json_or_null(json, "scenario");
  header.scenario_name = get_or<std::string>(scenario, "name", "");
  header.scenario_title = get_or<std::string>(scenario, "title", "");
  header.scenario_file = get_or<std::string>(scenario, "file", "");
  header.scenario_hash = get_or<std::string>(scenario, "hash", "");
  auto fixture = get_json_or_null(json, "fixture");
  header.fixture_params = get_json_or_null(fixture, "params");
  header.fixture_hash = get_or<std::string>(fixture, "hash", "");
  header.environment = get_json_or_null(json, "environment");
  auto engines = get_json_or_null(json, "engines");
  header.engines = engines.is_array() ? engines : nlohmann::json::array();
  header.base_images = get_json_or_null(json, "base_images");
  header.proxy = get_json_or_null(json, "proxy");
  header.variants = get_json_or_null(json, "variants");
  header.build_kinds = get_or<std::vector<std::string>>(json, "build_kinds", {});
  header.baseline_variant = get_or<std::string>(json, "baseline_variant", "");
  header.seed = get_or<uint64_t>(json, "seed", 0);
  header.cold_method = get_or<std::string>(json, "cold_method", "");
  header.daemon_mode = get_or<std::string>(json, "daemon_mode", "");
  header.shard = get_or<std::string>(json, "shard", "1/1");
  header.plan_size = get_or<size_t>(json, "plan_size", 0);
  header.started_at = get_or<std::string>(json, "started_at", "");
  header.claims = get_json_or_null(json, "claims");
  header.adaptive = get_json_or_null(json, "adaptive");
  header.cells = get_json_or_null(json, "cells");
  header.adjustments = get_or<std::vector<std::string>>(json, "adjustments", {});
  return header;
}

nlohmann::ordered_json to_json(const Sample& sample) {
  nlohmann::ordered_json out;
  out["type"] = "sample";
  out["plan_index"] = sample.plan_index;
  out["variant"] = sample.variant;
  out["kind"] = sample.kind;
  out["series"] = sample.series;
  if (!sample.engine.empty()) {
    out["engine"] = {{"name", sample.engine.name},
                     {"daemon_version", sample.engine.daemon_version},
                     {"api_version", sample.engine.api_version},
                     {"buildkit_version", sample.engine.buildkit_version}};
  }
  out["repetition"] = sample.repetition;
  out["warmup"] = sample.warmup;
  out["started_at"] = sample.started_at;
  out["proxy"] = {{"requests", sample.proxy.requests}, {"bytes", sample.proxy.bytes}};
  out["build_cache_bytes"] = sample.build_cache_bytes;
  if (!sample.cold_method.empty()) out["cold_method"] = sample.cold_method;
  out["warnings"] = sample.warnings;
  out["record"] = docker::to_json(sample.record);
  return out;
}

util::Result<Sample> sample_from_json(const nlohmann::json& json) {
  if (!json.is_object() || get_or<std::string>(json, "type", "") != "sample") {
    return util::error("not a sample record");
  }
  Sample sample;
  sample.plan_index = get_or<size_t>(json, "plan_index", 0);
  sample.variant = get_or<std::string>(json, "variant", "");
  sample.kind = get_or<std::string>(json, "kind", "");
  sample.series = get_or<std::string>(json, "series", "");
  auto engine = get_json_or_null(json, "engine");
  sample.engine.name = get_or<std::string>(engine, "name", "");
  sample.engine.daemon_version = get_or<std::string>(engine, "daemon_version", "");
  sample.engine.api_version = get_or<std::string>(engine, "api_version", "");
  sample.engine.buildkit_version = get_or<std::string>(engine, "buildkit_version", "");
  sample.repetition = get_or<int>(json, "repetition", 0);
  sample.warmup = get_or<bool>(json, "warmup", false);
  sample.started_at = get_or<std::string>(json, "started_at", "");
  auto proxy = get_json_or_null(json, "proxy");
  sample.proxy.requests = get_or<uint64_t>(proxy, "requests", 0);
  sample.proxy.bytes = get_or<uint64_t>(proxy, "bytes", 0);
  sample.build_cache_bytes = get_or<int64_t>(json, "build_cache_bytes", -1);
  sample.cold_method = get_or<std::string>(json, "cold_method", "");
  sample.warnings = get_or<std::vector<std::string>>(json, "warnings", {});
  if (sample.variant.empty() || sample.kind.empty()) return util::error("sample without variant or kind");
  auto record = record_from_json(get_json_or_null(json, "record"));
  if (!record) return record.error();
  sample.record = std::move(record).value();
  return sample;
}

nlohmann::ordered_json to_json(const ResultsFooter& footer) {
  nlohmann::ordered_json out;
  out["type"] = "footer";
  out["finished_at"] = footer.finished_at;
  out["interrupted"] = footer.interrupted;
  out["samples_written"] = footer.samples_written;
  out["failed_builds"] = footer.failed_builds;
  if (!footer.harness_time.is_null()) out["harness_time"] = footer.harness_time;
  return out;
}

util::Result<ResultsWriter> ResultsWriter::create(const std::filesystem::path& path, const ResultsHeader& header) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return util::error("cannot create " + path.string() + ": " + std::strerror(errno));
  ResultsWriter writer(path, file);
  if (auto written = writer.write_line(to_json(header).dump()); !written) return written.error();
  return writer;
}

util::Result<ResultsWriter> ResultsWriter::append_to(const std::filesystem::path& path) {
  // A killed run may have left half a line: end it so the next record starts
  // on its own line (readers skip the broken one).
  bool needs_newline = false;
  {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return util::error("cannot open " + path.string() + " to append");
    auto size = static_cast<std::streamoff>(in.tellg());
    if (size > 0) {
      in.seekg(size - 1);
      needs_newline = in.get() != '\n';
    }
  }
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) return util::error("cannot append to " + path.string() + ": " + std::strerror(errno));
  ResultsWriter writer(path, file);
  if (needs_newline && std::fputc('\n', file) == EOF) return util::error("cannot write " + path.string());
  return writer;
}

ResultsWriter::ResultsWriter(ResultsWriter&& other) noexcept
    : path_(std::move(other.path_)), file_(std::exchange(other.file_, nullptr)) {}

ResultsWriter::~ResultsWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

util::Status ResultsWriter::write_line(const std::string& line) {
  if (file_ == nullptr) return util::error("results file is closed");
  errno = 0;
  bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size() && std::fputc('\n', file_) != EOF &&
            std::fflush(file_) == 0;
  if (ok) ok = ::fsync(::fileno(file_)) == 0 || errno == EINVAL;
  if (!ok) {
    return util::error("cannot write results to " + path_.string() + ": " +
                       (errno != 0 ? std::strerror(errno) : "write failed") +
                       " (is the disk full? the samples written before are intact)");
  }
  return {};
}

util::Status ResultsWriter::append(const Sample& sample) { return write_line(to_json(sample).dump()); }

util::Status ResultsWriter::finish(const ResultsFooter& footer) { return write_line(to_json(footer).dump()); }

util::Result<ResultsFile> read_results(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::error(path.string() + ": cannot open results file");
  ResultsFile file;
  file.path = path;
  std::string line;
  size_t number = 0;
  bool have_header = false;
  std::vector<std::pair<size_t, std::string>> bad_lines;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_discarded()) {
      bad_lines.emplace_back(number, "is not valid JSON");
      continue;
    }
    if (!have_header) {
      auto header = header_from_json(json);
      if (!header) return util::error(path.string() + ": line " + std::to_string(number) + ": " + header.error().message);
      file.header = std::move(header).value();
      have_header = true;
      continue;
    }
    std::string type = get_or<std::string>(json, "type", "");
    if (type == "sample") {
      auto sample = sample_from_json(json);
      if (!sample) {
        bad_lines.emplace_back(number, sample.error().message);
        continue;
      }
      file.samples.push_back(std::move(sample).value());
    } else if (type == "footer") {
      ResultsFooter footer;
      footer.finished_at = get_or<std::string>(json, "finished_at", "");
      footer.interrupted = get_or<bool>(json, "interrupted", false);
      footer.samples_written = get_or<size_t>(json, "samples_written", 0);
      footer.failed_builds = get_or<size_t>(json, "failed_builds", 0);
      footer.harness_time = get_json_or_null(json, "harness_time");
      file.footer = footer;
    } else {
      bad_lines.emplace_back(number, "has unknown record type '" + type + "'");
    }
  }
  if (!have_header) {
    return util::error(path.string() + (bad_lines.empty() ? ": empty results file (no header line)"
                                                          : ": not a results file (line 1 is not JSON)"));
  }
  for (const auto& [line_number, why] : bad_lines) {
    bool last = line_number == number;
    file.warnings.push_back(path.string() + ": line " + std::to_string(line_number) + " " + why +
                            (last ? " (truncated by a crash or kill?): ignored" : ": ignored"));
  }
  return file;
}

stats::SequentialDesign recorded_sequential_design(const nlohmann::json& adaptive) {
  // A hand-edited header with a value of the wrong type reads as absent.
  const size_t min_n = get_or<size_t>(adaptive, "min", 3);
  const size_t max_n = get_or<size_t>(adaptive, "max", 15);
  const double alpha = get_or<double>(adaptive, "alpha", 0.05);
  auto kind = stats::design_kind(get_or<std::string>(adaptive, "design", "bonferroni"));
  auto first_look_alpha = get_or<double>(adaptive, "first_look_alpha", -1);
  auto look_alpha = get_or<double>(adaptive, "look_alpha", -1);
  if (!kind || *kind == stats::DesignKind::Bonferroni || first_look_alpha < 0 || look_alpha < 0) {
    return stats::sequential_design(min_n, max_n, alpha, stats::DesignKind::Bonferroni);
  }
  auto design = stats::recorded_design(*kind, min_n, max_n, alpha, get_or<size_t>(adaptive, "first_look_n", 0),
                                       first_look_alpha, look_alpha);
  design.estimated_error = get_or<double>(adaptive, "estimated_error", 0);
  design.orderings = get_or<size_t>(adaptive, "orderings", 0);
  return design;
}

}  // namespace buildbench::runner
