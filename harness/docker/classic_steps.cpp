#include "docker/classic_steps.h"

#include <cctype>
#include <charconv>
#include <utility>
#include <vector>

namespace buildbench::docker {
namespace {

constexpr std::string_view kLayerPrefix = " ---> ";

bool starts_with_word_ci(std::string_view text, std::string_view word) {
  if (text.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != word[i]) return false;
  }
  return text.size() == word.size() || text[word.size()] == ' ' || text[word.size()] == '\t';
}

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

bool is_hex_id(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "FROM image AS name" -> "name" (case-insensitive keyword), "" without AS.
std::string stage_alias(std::string_view from_instruction) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < from_instruction.size()) {
    while (i < from_instruction.size() && std::isspace(static_cast<unsigned char>(from_instruction[i]))) ++i;
    const size_t start = i;
    while (i < from_instruction.size() && !std::isspace(static_cast<unsigned char>(from_instruction[i]))) ++i;
    if (i > start) words.push_back(from_instruction.substr(start, i - start));
  }
  if (words.size() >= 4 && starts_with_word_ci(words[words.size() - 2], "as")) {
    return valid_utf8(words.back());
  }
  return {};
}

}  // namespace

ClassicStepParser::ClassicStepParser(Clock clock) : clock_(std::move(clock)) {}

void ClassicStepParser::add_output(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    // A line is timed by its first byte: the daemon sends "Step N/M : ..."
    // as soon as the step begins, and its "\n" as a separate message.
    if (line_.empty()) line_started_ = clock_();
    const size_t newline = text.find('\n', start);
    const std::string_view piece = text.substr(start, newline == std::string_view::npos ? text.size() - start : newline - start);
    line_.append(piece.substr(0, kMaxLineBytes - line_.size()));
    if (newline == std::string_view::npos) break;
    std::string line = std::move(line_);
    line_.clear();
    on_line(line, line_started_);
    start = newline + 1;
  }
}

void ClassicStepParser::on_line(std::string_view line, double at) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  // "Step N/M : INSTRUCTION"
  if (line.rfind("Step ", 0) == 0) {
    const size_t colon = line.find(" : ");
    const std::string_view counter = line.substr(5, colon == std::string_view::npos ? 0 : colon - 5);
    const size_t slash = counter.find('/');
    int index = 0, total = 0;
    if (colon != std::string_view::npos && slash != std::string_view::npos &&
        parse_int(counter.substr(0, slash), index) && parse_int(counter.substr(slash + 1), total)) {
      start_step(line.substr(colon + 3), index, total, at);
      return;
    }
  }
  if (line.rfind(kLayerPrefix, 0) == 0) {
    const std::string_view rest = line.substr(kLayerPrefix.size());
    if (rest == "Using cache") {
      if (!steps_.empty()) steps_.back().step.cached = true;
      return;
    }
    if (rest.rfind("Running in ", 0) == 0) return;
    // Docker 25+ reports the clean-up in the past tense, after the arrow.
    if (rest.rfind("Removed intermediate container ", 0) == 0) return;
    if (is_hex_id(rest)) {  // the step's image is committed
      end_open_step(at);
      return;
    }
  }
  if (line.rfind("Removing intermediate container ", 0) == 0) return;
  if (line.rfind("Successfully built ", 0) == 0 || line.rfind("Successfully tagged ", 0) == 0) {
    if (line[13] == 'b') succeeded_ = true;
    end_open_step(at);
    return;
  }
  // Anything else is output of the step in progress (RUN output, warnings).
  std::string with_newline(line);
  with_newline.push_back('\n');
  if (!steps_.empty()) steps_.back().log.append(with_newline);
  all_logs_.append(with_newline);
}

void ClassicStepParser::start_step(std::string_view instruction, int index, int total, double now) {
  end_open_step(now);
  if (steps_.empty()) origin_ = now;
  if (starts_with_word_ci(instruction, "from")) {
    const std::string alias = stage_alias(instruction);
    // Unnamed stages get BuildKit's names, so both builders' steps compare.
    stage_ = alias.empty() ? "stage-" + std::to_string(stages_seen_) : alias;
    ++stages_seen_;
  }
  Step step;
  step.step.name = valid_utf8(instruction);
  step.step.stage = stage_;
  step.step.index = index;
  step.step.total = total;
  step.step.start_offset_s = now - origin_;
  step.start = now;
  steps_.push_back(std::move(step));
  step_open_ = true;
}

void ClassicStepParser::end_open_step(double now) {
  if (!step_open_) return;
  Step& step = steps_.back();
  step.step.duration_s = now - step.start;
  step_open_ = false;
}

void ClassicStepParser::fail(std::string_view message) {
  // No step in progress: the failure is the build's (a Dockerfile parse
  // error, a failed tag), not a step's.
  if (!step_open_) return;
  steps_.back().step.error = valid_utf8(message);
  failed_ = steps_.size() - 1;
  end_open_step(clock_());
}

void ClassicStepParser::finish() {
  if (!line_.empty()) {
    std::string line = std::move(line_);
    line_.clear();
    on_line(line, line_started_);
  }
  end_open_step(clock_());
}

BuildStep ClassicStepParser::materialize(const Step& step) const {
  BuildStep out = step.step;
  out.log_bytes = step.log.bytes();
  out.log_tail = step.log.lines();
  return out;
}

std::vector<BuildStep> ClassicStepParser::steps() const {
  std::vector<BuildStep> out;
  out.reserve(steps_.size());
  for (const auto& step : steps_) out.push_back(materialize(step));
  return out;
}

std::optional<BuildStep> ClassicStepParser::failed_step() const {
  if (!failed_) return std::nullopt;
  return materialize(steps_[*failed_]);
}

}  // namespace buildbench::docker
