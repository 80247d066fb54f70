#include "runner/sanity.h"

#include <cstdio>

namespace buildbench::runner {

bool changes_content(const std::string& step_name) {
  // "[build 3/6] COPY go.mod ./" -> the instruction after the bracket.
  size_t bracket = step_name.find("] ");
  std::string rest = bracket == std::string::npos ? step_name : step_name.substr(bracket + 2);
  for (const char* instruction : {"RUN ", "COPY ", "ADD "}) {
    if (rest.rfind(instruction, 0) == 0) return true;
  }
  return false;
}

std::vector<std::string> sanity_warnings(const scenario::BuildKind& kind, const docker::BuildRecord& record) {
  std::vector<std::string> warnings;
  if (!record.ok) return warnings;
  auto counts = std::to_string(record.cached_steps) + "/" + std::to_string(record.total_steps) + " steps cached";
  switch (kind.type) {
    case scenario::KindType::Warm:
      if (record.cached_steps < record.total_steps) warnings.push_back("warm build not fully cached: " + counts);
      break;
    case scenario::KindType::Cold: {
      // BuildKit reports a WORKDIR that only creates a directory as cached
      // even with no cache; steps that run or copy something must not be.
      int content_cached = 0;
      for (const auto& step : record.steps) {
        if (step.cached && step.index > 0 && changes_content(step.name)) ++content_cached;
      }
      if (content_cached > 0) {
        warnings.push_back("cold build has " + std::to_string(content_cached) + " cached RUN/COPY/ADD steps: " + counts);
      }
      break;
    }
    case scenario::KindType::Touch:
      // Cache keys hash content, not mtimes: a rerun is news.
      if (record.cached_steps < record.total_steps) {
        warnings.push_back(kind.label() + " reran steps although no content the image uses changed: " + counts);
      }
      break;
    case scenario::KindType::IgnoredFileChange:
      break;  // reruns exactly when the variant has no .dockerignore: the point of measuring it
    default:
      if (record.total_steps > 0 && record.cached_steps == record.total_steps) {
        warnings.push_back(kind.label() + " reran nothing: " + counts);
      }
      break;
  }
  return warnings;
}

std::string fmt_seconds(double seconds) {
  char buffer[32];
  if (seconds < 1.0) {
    std::snprintf(buffer, sizeof buffer, "%.0f ms", seconds * 1000);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2f s", seconds);
  }
  return buffer;
}

}  // namespace buildbench::runner
