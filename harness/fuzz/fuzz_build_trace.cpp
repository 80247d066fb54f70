// The BuildKit trace merger on arbitrary StatusResponse bytes. The input is
// a sequence of messages, each framed as a 2-byte little-endian length and
// that many bytes, so that merging across messages (a vertex reported
// several times) is explored too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "docker/build_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  buildbench::docker::BuildTrace trace;
  size_t offset = 0;
  while (offset + 2 <= size) {
    const size_t length = static_cast<size_t>(data[offset]) | (static_cast<size_t>(data[offset + 1]) << 8);
    offset += 2;
    const size_t available = std::min(length, size - offset);
    (void)trace.add(std::string_view(reinterpret_cast<const char*>(data + offset), available));
    offset += available;
  }

  const auto steps = trace.steps();
  if (steps.size() > trace.vertex_count()) std::abort();
  const double span = trace.daemon_span_s();
  for (const auto& step : steps) {
    if (step.log_tail.size() > buildbench::docker::BuildTrace::kLogTailLines) std::abort();
    // A step that started and ran has a non-negative offset within the span.
    if (step.start_offset_s < -1 || step.duration_s < -1) std::abort();
    if (span >= 0 && step.start_offset_s > span + 1e-6 && step.duration_s >= 0) std::abort();
  }
  const auto& warnings = trace.warnings();
  if (warnings.size() > buildbench::docker::BuildTrace::kMaxWarnings) std::abort();
  for (size_t i = 0; i < warnings.size(); ++i) {
    if (warnings[i].line < 0) std::abort();
    for (size_t j = 0; j < i; ++j) {
      if (warnings[i].message == warnings[j].message && warnings[i].file == warnings[j].file &&
          warnings[i].line == warnings[j].line) {
        std::abort();  // kept once
      }
    }
  }
  (void)trace.failed_step();
  (void)trace.last_log_lines();
  return 0;
}
