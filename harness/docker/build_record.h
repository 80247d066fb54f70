#pragma once
// What one timed build produced. Filled by builder::run_build from the
// client's clock, the decoded build stream and an image inspect; serialized
// into results files by the runner.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace buildbench::docker {

enum class BuilderKind { BuildKit, Classic };
enum class ContextTransfer { Tar, Session };

// One step of a build: a BuildKit vertex (merged by digest) or a classic
// builder `Step N/M`.
struct BuildStep {
  std::string name;        // as the daemon names it, e.g. "[build 3/6] COPY go.mod go.sum ./"
  std::string stage;       // "build", "stage-0", "internal", "" when unknown
  int index = 0;           // 3 in "[build 3/6]"; 0 when the name has none
  int total = 0;           // 6 in "[build 3/6]"
  bool cached = false;
  // Offsets in seconds from the start of the daemon's span (first vertex
  // start); negative when the daemon did not report them.
  double start_offset_s = -1;
  double duration_s = -1;
  std::string error;       // empty when the step succeeded
  uint64_t log_bytes = 0;  // bytes of output the step printed
  std::vector<std::string> log_tail;  // last lines of output (kept for failures)
};

// A warning BuildKit attached to the build (trace field `warnings`, v0.10+):
// on Docker 28.x the Dockerfile checks, e.g. "JSONArgsRecommended: JSON
// arguments recommended for CMD to prevent unintended behavior related to OS
// signals". Engines before BuildKit 0.15 (Docker 20.10, 26.1) send none.
struct BuildWarning {
  int64_t level = 0;                // BuildKit's level (1 = warning)
  std::string message;              // the short text, "<Rule>: <description> (line N)"
  std::vector<std::string> detail;  // longer explanation lines, when sent
  std::string url;                  // documentation of the rule
  std::string file;                 // source file it points into ("Dockerfile")
  int line = 0;                     // first line of its first range; 0 when none
};

struct BuildRecord {
  bool ok = false;
  std::string error;             // whole-build error message when !ok
  std::string failed_step;       // name of the step that failed, when known
  std::vector<std::string> failure_log_tail;

  BuilderKind builder = BuilderKind::BuildKit;
  ContextTransfer transfer = ContextTransfer::Tar;
  double wall_s = 0;             // client monotonic clock: request start -> end of stream
  double daemon_span_s = -1;     // first vertex start -> last vertex end (BuildKit only)
  uint64_t context_bytes = 0;    // bytes of context sent (tar body, or session payload)
  double context_upload_s = -1;  // time to send the context (tar: body fully read by the daemon)
  uint64_t context_files_sent = 0;  // files whose data was sent (session: requested by the daemon)
  // The daemon's own count of context bytes it received ("transferring
  // context" in the trace: its largest context transfer), -1 when it
  // reports none (tar bodies, the classic builder). A cross-check of
  // context_bytes, which sums every transfer of the session.
  int64_t daemon_context_bytes = -1;
  std::string session_error;       // a context transfer that failed inside the session

  std::vector<BuildStep> steps;
  std::vector<BuildWarning> warnings;  // in the order the daemon sent them, without repeats
  int cached_steps = 0;
  int total_steps = 0;

  std::string image_id;
  int64_t image_size = -1;
  int image_layers = -1;
  bool syntax_line_stripped = false;
};

}  // namespace buildbench::docker

#include <nlohmann/json_fwd.hpp>

namespace buildbench::docker {

// Stable JSON form (fixed key order of insertion) used by `build --json` and
// results files.
nlohmann::ordered_json to_json(const BuildStep& step);
nlohmann::ordered_json to_json(const BuildWarning& warning);
nlohmann::ordered_json to_json(const BuildRecord& record);

}  // namespace buildbench::docker
