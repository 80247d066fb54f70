#include "docker/build_trace.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <utility>

#include "buildkit_trace.pb.h"

namespace buildbench::docker {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
// Timestamps outside [1970, ~2255) are treated as absent: Go's zero time
// (year 1) and garbage must not overflow int64 nanoseconds (max ~9.22e18).
constexpr int64_t kMaxTimestampSeconds = int64_t{9'000'000'000};

std::optional<int64_t> to_nanos(const trace::Timestamp& timestamp) {
  if (timestamp.seconds() <= 0 || timestamp.seconds() >= kMaxTimestampSeconds) return std::nullopt;
  if (timestamp.nanos() < 0 || timestamp.nanos() >= kNanosPerSecond) return std::nullopt;
  return timestamp.seconds() * kNanosPerSecond + timestamp.nanos();
}

double to_seconds(int64_t nanos) { return static_cast<double>(nanos) / static_cast<double>(kNanosPerSecond); }

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

bool is_cancellation(std::string_view error) {
  return error.find("context canceled") != std::string_view::npos ||
         error.find("context cancelled") != std::string_view::npos;
}

}  // namespace

StepName parse_step_name(std::string_view name) {
  StepName result;
  if (name.empty() || name.front() != '[') return result;
  const size_t close = name.find(']');
  if (close == std::string_view::npos) return result;
  // BuildKit writes "[" [platform " "] [stage " "] padded-index "/" total "] ".
  const auto words = split_words(name.substr(1, close - 1));
  if (words.empty()) return result;
  const std::string_view last = words.back();
  const size_t slash = last.find('/');
  int index = 0, total = 0;
  if (slash != std::string_view::npos && parse_int(last.substr(0, slash), index) &&
      parse_int(last.substr(slash + 1), total) && index >= 0 && total >= 0) {
    result.index = index;
    result.total = total;
    if (words.size() >= 2) result.stage = valid_utf8(words[words.size() - 2]);
  } else {
    result.stage = valid_utf8(words.back());
  }
  return result;
}

BuildTrace::Vertex& BuildTrace::vertex(const std::string& digest) {
  const auto [it, inserted] = by_digest_.try_emplace(digest, vertices_.size());
  if (inserted) {
    vertices_.emplace_back();
    vertices_.back().digest = digest;
  }
  return vertices_[it->second];
}

util::Status BuildTrace::add(std::string_view status_response) {
  if (status_response.size() > static_cast<size_t>(INT_MAX)) {
    return util::error("BuildKit trace message too large");
  }
  trace::StatusResponse response;
  if (!response.ParseFromArray(status_response.data(), static_cast<int>(status_response.size()))) {
    return util::error("BuildKit trace message is not a StatusResponse protobuf");
  }
  ++messages_;

  for (const auto& reported : response.vertexes()) {
    Vertex& v = vertex(reported.digest());
    v.announced = true;
    if (!reported.name().empty()) v.name = valid_utf8(reported.name());
    // Each report is the vertex's whole current state: the latest one says
    // whether its result came from the cache.
    v.cached = reported.cached();
    if (!reported.error().empty()) v.error = valid_utf8(reported.error());
    std::optional<int64_t> started, completed;
    if (reported.has_started()) started = to_nanos(reported.started());
    if (reported.has_completed()) completed = to_nanos(reported.completed());
    if (started) {
      v.first_start_ns = v.first_start_ns ? std::min(*v.first_start_ns, *started) : *started;
    }
    if (completed) {
      v.last_completed_ns = v.last_completed_ns ? std::max(*v.last_completed_ns, *completed) : *completed;
      v.first_completed_ns = v.first_completed_ns ? std::min(*v.first_completed_ns, *completed) : *completed;
      // A run whose start was not reported counts from its completion.
      const int64_t run_start = started ? *started : *completed;
      if (*completed >= run_start) {
        auto [run, inserted] = v.runs_ns.try_emplace(run_start, *completed);
        if (!inserted) run->second = std::max(run->second, *completed);
      }
    }
  }

  for (const auto& status : response.statuses()) {
    // Session contexts report {id: "transferring context:", name:
    // "transferring", current: bytes} (observed on 20.10; the CLI prints
    // "transferring context: 55kB"). The Dockerfile's transfer has id
    // "transferring dockerfile:".
    if (status.id().rfind("transferring context", 0) == 0 && status.current() >= 0) {
      const auto current = static_cast<uint64_t>(status.current());
      context_bytes_ = context_bytes_ ? std::max(*context_bytes_, current) : current;
    }
  }

  for (const auto& log : response.logs()) {
    vertex(log.vertex()).log.append(log.msg());
    all_logs_.append(log.msg());
  }

  for (const auto& reported : response.warnings()) {
    if (warnings_.size() >= kMaxWarnings) break;
    BuildWarning warning;
    warning.level = reported.level();
    warning.message = valid_utf8(reported.short_());
    for (const auto& line : reported.detail()) warning.detail.push_back(valid_utf8(line));
    warning.url = valid_utf8(reported.url());
    if (reported.has_info()) warning.file = valid_utf8(reported.info().filename());
    if (reported.ranges_size() > 0 && reported.ranges(0).has_start()) {
      warning.line = std::max(0, reported.ranges(0).start().line());
    }
    const bool repeated = std::any_of(warnings_.begin(), warnings_.end(), [&](const BuildWarning& seen) {
      return seen.message == warning.message && seen.file == warning.file && seen.line == warning.line;
    });
    if (!repeated) warnings_.push_back(std::move(warning));
  }
  return {};
}

std::optional<int64_t> BuildTrace::earliest_start_ns() const {
  std::optional<int64_t> earliest;
  for (const auto& v : vertices_) {
    if (v.announced && v.first_start_ns && (!earliest || *v.first_start_ns < *earliest)) earliest = v.first_start_ns;
  }
  return earliest;
}

BuildStep BuildTrace::to_step(const Vertex& v, int64_t origin_ns) const {
  BuildStep step;
  step.name = v.name;
  StepName parsed = parse_step_name(v.name);
  step.stage = std::move(parsed.stage);
  step.index = parsed.index;
  step.total = parsed.total;
  step.cached = v.cached;
  if (v.first_start_ns) step.start_offset_s = to_seconds(*v.first_start_ns - origin_ns);
  if (!v.runs_ns.empty()) {
    // Union of the runs: a vertex re-run by a later solve adds its own time,
    // not the idle gap in between.
    int64_t busy = 0, open_start = 0, open_end = 0;
    bool open = false;
    for (const auto& [start, end] : v.runs_ns) {
      if (open && start <= open_end) {
        open_end = std::max(open_end, end);
        continue;
      }
      if (open) busy += open_end - open_start;
      open_start = start;
      open_end = end;
      open = true;
    }
    if (open) busy += open_end - open_start;
    step.duration_s = to_seconds(busy);
  }
  // Every completion before the vertex's first start: the reports contradict
  // each other (found by fuzzing; no daemon was seen doing it), so no
  // duration is trustworthy.
  if (v.first_start_ns && v.last_completed_ns && *v.last_completed_ns < *v.first_start_ns) step.duration_s = -1;
  step.error = v.error;
  step.log_bytes = v.log.bytes();
  step.log_tail = v.log.lines();
  return step;
}

std::vector<BuildStep> BuildTrace::steps() const {
  const int64_t origin = earliest_start_ns().value_or(0);
  std::vector<const Vertex*> order;
  for (const auto& v : vertices_) {
    if (v.announced) order.push_back(&v);
  }
  std::stable_sort(order.begin(), order.end(), [](const Vertex* a, const Vertex* b) {
    if (a->first_start_ns.has_value() != b->first_start_ns.has_value()) return a->first_start_ns.has_value();
    return a->first_start_ns.value_or(0) < b->first_start_ns.value_or(0);
  });
  std::vector<BuildStep> steps;
  steps.reserve(order.size());
  for (const Vertex* v : order) steps.push_back(to_step(*v, origin));
  return steps;
}

std::optional<BuildStep> BuildTrace::failed_step() const {
  const Vertex* best = nullptr;
  auto rank = [](const Vertex& v) {
    return std::make_pair(is_cancellation(v.error), v.first_completed_ns.value_or(INT64_MAX));
  };
  for (const auto& v : vertices_) {
    if (!v.announced || v.error.empty()) continue;
    if (best == nullptr || rank(v) < rank(*best)) best = &v;
  }
  if (best == nullptr) return std::nullopt;
  return to_step(*best, earliest_start_ns().value_or(0));
}

double BuildTrace::daemon_span_s() const {
  const auto start = earliest_start_ns();
  std::optional<int64_t> end;
  for (const auto& v : vertices_) {
    if (v.announced && v.last_completed_ns && (!end || *v.last_completed_ns > *end)) end = v.last_completed_ns;
  }
  if (!start || !end || *end < *start) return -1;
  return to_seconds(*end - *start);
}

}  // namespace buildbench::docker
