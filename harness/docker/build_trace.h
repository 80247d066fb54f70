#pragma once
// The BuildKit trace of a build: the `moby.buildkit.trace` aux messages of
// the /build stream, each a protobuf moby.buildkit.v1.StatusResponse, merged
// into one view of the build's vertices (steps).
//
// A vertex is reported several times (unstarted, started, completed, and
// again when a later solve reuses it); reports are merged by digest. Times
// are the daemon's clock; steps carry them as offsets from the earliest
// vertex start, so no clock comparison with the client is needed.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "docker/build_record.h"
#include "docker/log_tail.h"
#include "util/result.h"

namespace buildbench::docker {

// What a vertex name says about its place in the Dockerfile.
struct StepName {
  std::string stage;  // "build", "stage-1", "internal"; "" for a single-stage "[2/4] RUN"
  int index = 0;      // 0 when the name carries no "i/n"
  int total = 0;
};

// "[build 3/6] COPY go.mod ./" -> {"build", 3, 6}; "[ 2/12] RUN" -> {"", 2, 12};
// "[internal] load metadata" -> {"internal", 0, 0}; "exporting to image" -> {}.
StepName parse_step_name(std::string_view name);

class BuildTrace {
 public:
  static constexpr size_t kLogTailLines = LogTail::kDefaultMaxLines;
  // Warnings kept per build; a stream sending more is not a Dockerfile's.
  static constexpr size_t kMaxWarnings = 100;

  // Merges one StatusResponse (the base64-decoded bytes of one trace aux).
  // Fails on bytes that are not a StatusResponse; the trace is unchanged then.
  util::Status add(std::string_view status_response);

  // One step per vertex, ordered by first start (vertices that never
  // started last, in the order the daemon announced them).
  std::vector<BuildStep> steps() const;
  // The step that failed: the earliest-completing vertex with an error,
  // preferring real errors over the cancellations BuildKit reports for
  // vertices that were running alongside the failure.
  std::optional<BuildStep> failed_step() const;
  // Earliest vertex start -> latest vertex completion, in seconds; -1 when no
  // vertex completed.
  double daemon_span_s() const;
  // Bytes of build context transferred, from the "transferring context:"
  // status that BuildKit reports for session (not tar) contexts: the largest
  // over the context's transfers.
  std::optional<uint64_t> context_transferred_bytes() const { return context_bytes_; }
  // The last output lines of the whole build, across vertices.
  std::vector<std::string> last_log_lines() const { return all_logs_.lines(); }

  // The warnings BuildKit sent (Dockerfile checks on 28.x), first-sent
  // order, each once however often it was repeated.
  const std::vector<BuildWarning>& warnings() const { return warnings_; }

  size_t messages() const { return messages_; }
  size_t vertex_count() const { return vertices_.size(); }

 private:
  struct Vertex {
    std::string digest;
    std::string name;
    std::string error;
    bool announced = false;  // seen in `vertexes`, not only in logs
    bool cached = false;
    std::optional<int64_t> first_start_ns;
    std::optional<int64_t> last_completed_ns;
    std::optional<int64_t> first_completed_ns;
    std::map<int64_t, int64_t> runs_ns;  // start -> completion of each run
    LogTail log;
  };
  Vertex& vertex(const std::string& digest);
  BuildStep to_step(const Vertex& vertex, int64_t origin_ns) const;
  std::optional<int64_t> earliest_start_ns() const;

  std::vector<Vertex> vertices_;  // first-seen order
  std::unordered_map<std::string, size_t> by_digest_;
  LogTail all_logs_;
  std::optional<uint64_t> context_bytes_;
  std::vector<BuildWarning> warnings_;
  size_t messages_ = 0;
};

}  // namespace buildbench::docker
