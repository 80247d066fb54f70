#include "docker/build_stream.h"

#include <cctype>
#include <climits>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>

#include "util/hash.h"

namespace buildbench::docker {
namespace {

constexpr std::string_view kTraceId = "moby.buildkit.trace";
constexpr std::string_view kImageIdId = "moby.image.id";

using Json = nlohmann::json;

bool is_blank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// The string at `key`, nullopt when absent or null; an error when it is
// something else.
util::Result<std::optional<std::string>> string_field(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return util::error(std::string("field \"") + key + "\" is not a string");
  return std::optional<std::string>(it->get_ref<const std::string&>());
}

util::Result<StreamMessage> error_message(const Json& object) {
  StreamMessage message;
  message.kind = StreamMessageKind::Error;
  const auto detail = object.find("errorDetail");
  if (detail != object.end() && detail->is_object()) {
    auto text = string_field(*detail, "message");
    if (!text) return text.error();
    if (*text) message.text = std::move(**text);
    const auto code = detail->find("code");
    if (code != detail->end() && code->is_number_integer()) {
      const auto value = code->get<int64_t>();
      message.error_code = value < INT_MIN || value > INT_MAX ? 0 : static_cast<int>(value);
    }
  }
  if (message.text.empty()) {
    auto text = string_field(object, "error");
    if (!text) return text.error();
    if (*text) message.text = std::move(**text);
  }
  if (message.text.empty()) message.text = "build failed (the daemon sent an error without a message)";
  return message;
}

util::Result<StreamMessage> aux_message(const Json& object, const Json& aux) {
  StreamMessage message;
  auto id = string_field(object, "id");
  if (!id) return id.error();
  message.id = id->value_or("");
  if (message.id == kTraceId) {
    if (!aux.is_string()) return util::error("BuildKit trace aux is not a base64 string");
    auto bytes = util::base64_decode(aux.get_ref<const std::string&>());
    if (!bytes) return util::error("BuildKit trace aux: " + bytes.error().message);
    message.kind = StreamMessageKind::Trace;
    message.payload = std::move(*bytes);
    return message;
  }
  // BuildKit names its image aux; the classic builder sends a bare {"ID":...}.
  if ((message.id == kImageIdId || message.id.empty()) && aux.is_object()) {
    auto image = string_field(aux, "ID");
    if (!image) return image.error();
    if (*image) {
      message.kind = StreamMessageKind::ImageId;
      message.text = std::move(**image);
      return message;
    }
  }
  message.kind = StreamMessageKind::Aux;
  message.payload = aux.dump(-1, ' ', false, Json::error_handler_t::replace);
  return message;
}

}  // namespace

util::Result<std::optional<StreamMessage>> parse_stream_line(std::string_view line) {
  if (is_blank(line)) return std::optional<StreamMessage>();
  const Json object = Json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return util::error("not valid JSON");
  if (!object.is_object()) return util::error("not a JSON object");

  if (object.contains("error") || object.contains("errorDetail")) {
    auto message = error_message(object);
    if (!message) return message.error();
    return std::optional<StreamMessage>(std::move(*message));
  }
  if (const auto aux = object.find("aux"); aux != object.end() && !aux->is_null()) {
    auto message = aux_message(object, *aux);
    if (!message) return message.error();
    return std::optional<StreamMessage>(std::move(*message));
  }
  auto stream = string_field(object, "stream");
  if (!stream) return stream.error();
  if (*stream) {
    StreamMessage message;
    message.kind = StreamMessageKind::Stream;
    message.text = std::move(**stream);
    return std::optional<StreamMessage>(std::move(message));
  }
  auto status = string_field(object, "status");
  if (!status) return status.error();
  if (*status) {
    auto id = string_field(object, "id");
    if (!id) return id.error();
    StreamMessage message;
    message.kind = StreamMessageKind::Status;
    message.text = std::move(**status);
    message.id = id->value_or("");
    return std::optional<StreamMessage>(std::move(message));
  }
  return std::optional<StreamMessage>();
}

BuildStreamDecoder::BuildStreamDecoder(Handler handler, size_t max_line_bytes)
    : handler_(std::move(handler)), max_line_bytes_(max_line_bytes) {}

util::Status BuildStreamDecoder::fail(util::Error error) {
  failure_ = error;
  return error;
}

util::Status BuildStreamDecoder::feed(std::string_view chunk) {
  if (failure_) return *failure_;
  bytes_fed_ += chunk.size();
  size_t start = 0;
  while (start < chunk.size()) {
    const void* found = std::memchr(chunk.data() + start, '\n', chunk.size() - start);
    const size_t end = found == nullptr ? chunk.size() : static_cast<size_t>(static_cast<const char*>(found) - chunk.data());
    const std::string_view piece = chunk.substr(start, end - start);
    if (partial_.size() + piece.size() > max_line_bytes_) {
      return fail(util::error("build stream line " + std::to_string(lines_ + 1) + " is longer than " +
                              std::to_string(max_line_bytes_) + " bytes"));
    }
    if (found == nullptr) {
      partial_.append(piece);
      break;
    }
    util::Status taken;
    if (partial_.empty()) {
      taken = take_line(piece);  // the common case: a whole line in this chunk, no copy
    } else {
      partial_.append(piece);
      const std::string line = std::move(partial_);
      partial_.clear();
      taken = take_line(line);
    }
    if (!taken) return taken;
    start = end + 1;
  }
  return {};
}

util::Status BuildStreamDecoder::take_line(std::string_view line) {
  ++lines_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto message = parse_stream_line(line);
  if (!message) {
    return fail(util::error("build stream line " + std::to_string(lines_) + ": " + message.error().message));
  }
  if (!*message) return {};
  if (auto handled = handler_(std::move(**message)); !handled) return fail(handled.error());
  return {};
}

util::Status BuildStreamDecoder::finish() {
  if (failure_) return *failure_;
  if (partial_.empty() || is_blank(partial_)) return {};
  // The daemon ends every line; a last line without end is only acceptable
  // when it is whole (e.g. a proxy dropped the final newline).
  const std::string line = std::move(partial_);
  partial_.clear();
  if (auto taken = take_line(line); !taken) {
    return fail(util::error("build stream ended inside a line (truncated?): " + taken.error().message));
  }
  return {};
}

util::Result<std::vector<StreamMessage>> decode_build_stream(std::string_view body) {
  std::vector<StreamMessage> messages;
  BuildStreamDecoder decoder([&](StreamMessage&& message) -> util::Status {
    messages.push_back(std::move(message));
    return {};
  });
  if (auto fed = decoder.feed(body); !fed) return fed.error();
  if (auto finished = decoder.finish(); !finished) return finished.error();
  return messages;
}

BuildStreamCollector::BuildStreamCollector(Clock clock)
    : classic_(std::move(clock)),
      decoder_([this](StreamMessage&& message) { return add(message); }) {}

util::Status BuildStreamCollector::add(const StreamMessage& message) {
  switch (message.kind) {
    case StreamMessageKind::Stream:
      classic_.add_output(message.text);
      break;
    case StreamMessageKind::Error:
      if (error_.empty()) error_ = message.text;
      classic_.fail(message.text);
      break;
    case StreamMessageKind::Trace:
      return trace_.add(message.payload);
    case StreamMessageKind::ImageId:
      // The classic builder names each stage's image; the last is the build's.
      image_id_ = message.text;
      break;
    case StreamMessageKind::Status:
    case StreamMessageKind::Aux:
      break;
  }
  return {};
}

util::Status BuildStreamCollector::feed(std::string_view chunk) {
  auto fed = decoder_.feed(chunk);
  if (!fed && decode_error_.empty()) decode_error_ = fed.error().message;
  return fed;
}

util::Status BuildStreamCollector::finish() {
  if (finished_) return {};
  finished_ = true;
  auto finished = decoder_.finish();
  if (!finished && decode_error_.empty()) decode_error_ = finished.error().message;
  classic_.finish();
  return finished;
}

std::vector<BuildStep> BuildStreamCollector::steps() const {
  return is_buildkit() ? trace_.steps() : classic_.steps();
}

std::optional<BuildStep> BuildStreamCollector::failed_step() const {
  return is_buildkit() ? trace_.failed_step() : classic_.failed_step();
}

std::vector<std::string> BuildStreamCollector::last_log_lines() const {
  if (auto failed = failed_step(); failed && !failed->log_tail.empty()) return failed->log_tail;
  return is_buildkit() ? trace_.last_log_lines() : classic_.last_log_lines();
}

namespace {

// The Dockerfile instruction of a step: the text after BuildKit's "[...] "
// prefix, or the whole name (classic).
std::string_view instruction_of(const BuildStep& step) {
  std::string_view name = step.name;
  if (!name.empty() && name.front() == '[') {
    const size_t close = name.find("] ");
    if (close != std::string_view::npos) name.remove_prefix(close + 2);
  }
  return name;
}

bool is_from(std::string_view instruction) {
  if (instruction.size() < 4) return false;
  for (size_t i = 0; i < 4; ++i) {
    if (std::toupper(static_cast<unsigned char>(instruction[i])) != "FROM"[i]) return false;
  }
  return instruction.size() == 4 || std::isspace(static_cast<unsigned char>(instruction[4]));
}

}  // namespace

void BuildStreamCollector::fill(BuildRecord& record) const {
  record.steps = steps();
  record.cached_steps = 0;
  record.total_steps = 0;
  for (const auto& step : record.steps) {
    if (step.index <= 0 || is_from(instruction_of(step))) continue;
    ++record.total_steps;
    if (step.cached) ++record.cached_steps;
  }
  record.image_id = image_id_;
  record.daemon_span_s = is_buildkit() ? trace_.daemon_span_s() : -1;
  record.warnings = is_buildkit() ? trace_.warnings() : std::vector<BuildWarning>{};
  const auto transferred = is_buildkit() ? trace_.context_transferred_bytes() : std::nullopt;
  record.daemon_context_bytes = transferred ? static_cast<int64_t>(*transferred) : -1;

  record.error = error();
  if (record.error.empty() && !finished_) record.error = "build stream not finished";
  if (record.error.empty() && image_id_.empty()) record.error = "build stream ended without an image ID or an error";
  if (record.error.empty() && !is_buildkit() && !classic_.succeeded()) {
    record.error = "classic build stream ended before \"Successfully built\"";
  }
  record.ok = record.error.empty();
  record.failed_step.clear();
  record.failure_log_tail.clear();
  if (!record.ok) {
    if (auto failed = failed_step()) record.failed_step = failed->name;
    record.failure_log_tail = last_log_lines();
  }
}

}  // namespace buildbench::docker
