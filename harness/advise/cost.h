#pragma once
// Predicted cost: how long the rebuild after a change takes, from earlier
// measurements (a results file) of the same Dockerfile. Each step that the
// cache model says re-runs costs its median measured duration when it ran;
// stages run in parallel as BuildKit runs them, so the cost is the longest
// chain through the stage graph (the critical path), plus the measured time
// of a no-op rebuild (context transfer, definition, export).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "advise/cache_model.h"
#include "runner/results.h"
#include "util/result.h"

namespace buildbench::advise {

struct MeasuredSteps {
  std::string variant;
  // (stage label as in the trace, index) -> median seconds when the step ran (not cached)
  std::map<std::pair<std::string, int>, double> ran_seconds;
  std::map<std::pair<std::string, int>, int> ran_count;
  double noop_wall_s = -1;  // median wall time of warm samples
  size_t samples = 0;
};

// The samples of `variant` (by name; "" = the variant whose Dockerfile has
// the file name `dockerfile_name`, else the only variant).
util::Result<MeasuredSteps> measured_steps(const runner::ResultsFile& results, const std::string& variant,
                                           const std::string& dockerfile_name);

struct CostEstimate {
  double seconds = 0;                  // noop + critical path
  double critical_path_s = 0;
  std::vector<std::string> path;      // trace names of the steps on the critical path
  std::vector<std::string> unmeasured;  // re-run steps with no measured duration
  bool upper_bound = false;            // content-dependent steps counted as re-run
};

CostEstimate predict_cost(const DockerfileView& dockerfile, const Prediction& prediction, const MeasuredSteps& measured);

}  // namespace buildbench::advise
