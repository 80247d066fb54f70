#pragma once
// The response body of POST /build: one JSON object per line, decoded
// incrementally as it arrives, whatever the chunking (a line in pieces,
// several lines in one chunk, CRLF line ends).
//
//   {"stream":"Step 1/4 : FROM ..."}                    builder output text
//   {"status":"...","id":"..."}                         progress (pulls)
//   {"errorDetail":{"code":3,"message":"..."},"error":"..."}   the build failed
//   {"id":"moby.buildkit.trace","aux":"<base64>"}       BuildKit StatusResponse
//   {"id":"moby.image.id","aux":{"ID":"sha256:..."}}    BuildKit's image
//   {"aux":{"ID":"sha256:..."}}                         classic builder's image
//
// BuildStreamCollector turns a whole stream into the steps, image ID and
// error of a BuildRecord, for both builders.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docker/build_record.h"
#include "docker/build_trace.h"
#include "docker/classic_steps.h"
#include "util/result.h"

namespace buildbench::docker {

enum class StreamMessageKind {
  Stream,   // text: builder output (may hold several lines, or part of one)
  Status,   // text: status, id: its progress id
  Error,    // text: errorDetail.message (or error), error_code: errorDetail.code
  Trace,    // payload: the StatusResponse protobuf bytes (base64 decoded)
  ImageId,  // text: "sha256:..."
  Aux,      // id: the aux id, payload: the aux value as JSON text
};

struct StreamMessage {
  StreamMessageKind kind = StreamMessageKind::Stream;
  std::string text;
  std::string id;
  int error_code = 0;
  std::string payload;

  bool operator==(const StreamMessage&) const = default;
};

// One line (without its line end). nullopt for a blank line or an object
// with none of the fields above (the daemon may add new ones). Fails on
// anything that is not a JSON object or whose known fields have wrong types.
util::Result<std::optional<StreamMessage>> parse_stream_line(std::string_view line);

class BuildStreamDecoder {
 public:
  // Receives each message in order; an error it returns stops the decoder.
  using Handler = std::function<util::Status(StreamMessage&&)>;
  // A trace message of a large build is a few hundred KB; a line without
  // end beyond this is garbage, not something to buffer forever.
  static constexpr size_t kDefaultMaxLineBytes = size_t{64} << 20;

  explicit BuildStreamDecoder(Handler handler, size_t max_line_bytes = kDefaultMaxLineBytes);

  // The next bytes of the body. After the first error (a bad line, the
  // handler's error) every later call returns that error.
  util::Status feed(std::string_view chunk);
  // End of the body: a last line without line end is decoded; fails when it
  // is not a whole JSON object (a truncated stream).
  util::Status finish();

  uint64_t bytes_fed() const { return bytes_fed_; }
  uint64_t lines() const { return lines_; }

 private:
  util::Status take_line(std::string_view line);
  util::Status fail(util::Error error);

  Handler handler_;
  size_t max_line_bytes_;
  std::string partial_;  // bytes of a line whose end has not arrived
  std::optional<util::Error> failure_;
  uint64_t bytes_fed_ = 0;
  uint64_t lines_ = 0;
};

// A whole body at once (tests, recorded streams).
util::Result<std::vector<StreamMessage>> decode_build_stream(std::string_view body);

// Everything buildbench keeps from a build stream. Feed it the body as it
// arrives, then finish() and fill() a BuildRecord.
class BuildStreamCollector {
 public:
  // `clock` times classic-builder steps (BuildKit reports its own times).
  explicit BuildStreamCollector(Clock clock);
  BuildStreamCollector(const BuildStreamCollector&) = delete;
  BuildStreamCollector& operator=(const BuildStreamCollector&) = delete;

  // Fails on undecodable bytes (also kept for fill(), which then marks the
  // record failed); the caller may keep reading or abort the request.
  util::Status feed(std::string_view chunk);
  util::Status finish();
  // One message, for callers that decode themselves.
  util::Status add(const StreamMessage& message);

  // Sets ok, error, failed_step, failure_log_tail, steps, cached_steps,
  // total_steps, image_id, daemon_span_s (BuildKit); leaves the client's
  // measurements (wall time, context bytes, builder kind) alone.
  // ok means: the stream decoded, carried no error and named an image (and,
  // classic builder, reported "Successfully built").
  // cached_steps/total_steps count Dockerfile instructions other than FROM
  // (BuildKit's "[stage i/n]" steps; every classic step): the steps a warm
  // build can take from the cache.
  void fill(BuildRecord& record) const;

  bool is_buildkit() const { return trace_.messages() > 0; }
  std::vector<BuildStep> steps() const;
  const std::string& image_id() const { return image_id_; }
  // The daemon's error message, or the decoder's when the stream was bad.
  const std::string& error() const { return error_.empty() ? decode_error_ : error_; }
  std::optional<BuildStep> failed_step() const;
  // The last lines of build output (the failing step's when one failed).
  std::vector<std::string> last_log_lines() const;
  const BuildTrace& trace() const { return trace_; }

 private:
  BuildTrace trace_;
  ClassicStepParser classic_;
  BuildStreamDecoder decoder_;
  std::string image_id_;
  std::string error_;
  std::string decode_error_;
  bool finished_ = false;
};

}  // namespace buildbench::docker
