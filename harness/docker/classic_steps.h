#pragma once
// Steps of a classic-builder build (POST /build?version=1), read from the
// `stream` text it prints:
//
//   Step 5/12 : RUN make            <- a step starts (timed by the client's clock)
//    ---> Using cache               <- its result came from the cache
//    ---> Running in 554678a7aab9
//   ...output of the RUN...         <- the step's log
//    ---> 3d680faa86cc              <- its layer is committed: the step ends
//
// The classic builder reports no times of its own, so steps are timed with an
// injected clock when their lines arrive: as good as the stream's latency.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docker/build_record.h"
#include "docker/log_tail.h"

namespace buildbench::docker {

// Seconds on a monotonic clock (tests inject a fake one).
using Clock = std::function<double()>;

class ClassicStepParser {
 public:
  static constexpr size_t kMaxLineBytes = 64 * 1024;

  explicit ClassicStepParser(Clock clock);

  // The text of one `stream` message; lines may be split across messages.
  void add_output(std::string_view text);
  // The build's error message: the step in progress failed.
  void fail(std::string_view message);
  // End of the stream: flushes an unfinished line, ends the open step.
  void finish();

  // Steps in order. name is the instruction ("COPY src/ /src/"), index/total
  // come from "Step N/M" (numbered across the whole Dockerfile, not per
  // stage as BuildKit does), stage is the FROM's "AS" name or "stage-K".
  std::vector<BuildStep> steps() const;
  std::optional<BuildStep> failed_step() const;
  std::vector<std::string> last_log_lines() const { return all_logs_.lines(); }
  // Saw "Successfully built <id>": the classic builder's last word on success
  // (its aux image IDs arrive per stage, so they do not mark the end).
  bool succeeded() const { return succeeded_; }

 private:
  struct Step {
    BuildStep step;
    LogTail log;
    double start = 0;
  };
  // `at`: the clock when the line's first byte arrived.
  void on_line(std::string_view line, double at);
  void start_step(std::string_view instruction, int index, int total, double at);
  void end_open_step(double at);
  BuildStep materialize(const Step& step) const;

  Clock clock_;
  std::string line_;           // unfinished line, at most kMaxLineBytes
  double line_started_ = 0;    // clock when line_'s first byte arrived
  std::vector<Step> steps_;
  bool step_open_ = false;     // the last step has not ended yet
  int stages_seen_ = 0;        // FROM lines so far
  std::string stage_;
  double origin_ = 0;          // clock at the first step
  std::optional<size_t> failed_;
  bool succeeded_ = false;
  LogTail all_logs_;
};

}  // namespace buildbench::docker
