#include "advise/cost.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "stats/summary.h"

namespace buildbench::advise {

// Vectors indexed by stage numbers (ints, as the model stores them).
template <typename V>
decltype(auto) at(V& v, int i) {
  return v[static_cast<size_t>(i)];
}

util::Result<MeasuredSteps> measured_steps(const runner::ResultsFile& results, const std::string& variant,
                                           const std::string& dockerfile_name) {
  std::string chosen = variant;
  const auto& variants = results.header.variants;
  if (chosen.empty() && variants.is_array()) {
    for (const auto& v : variants) {
      const std::string file = v.value("dockerfile", "");
      if (!dockerfile_name.empty() && std::filesystem::path(file).filename() == dockerfile_name) {
        chosen = v.value("name", "");
        break;
      }
    }
    if (chosen.empty() && variants.size() == 1) chosen = variants[0].value("name", "");
  }
  if (chosen.empty())
    return util::error(results.path.string() + ": no variant builds " + dockerfile_name +
                       "; name one with --variant");
  MeasuredSteps out;
  out.variant = chosen;
  std::map<std::pair<std::string, int>, std::vector<double>> durations;
  std::vector<double> noop;
  for (const auto& sample : results.samples) {
    if (sample.variant != chosen || sample.warmup || !sample.record.ok) continue;
    ++out.samples;
    if (sample.kind == "warm") noop.push_back(sample.record.wall_s);
    for (const auto& step : sample.record.steps) {
      if (step.index <= 0 || step.cached || step.duration_s < 0) continue;
      durations[{step.stage, step.index}].push_back(step.duration_s);
    }
  }
  if (out.samples == 0) return util::error(results.path.string() + ": no successful samples of variant " + chosen);
  for (auto& [key, values] : durations) {
    out.ran_seconds[key] = stats::median(values);
    out.ran_count[key] = static_cast<int>(values.size());
  }
  out.noop_wall_s = noop.empty() ? 0 : stats::median(noop);
  return out;
}

CostEstimate predict_cost(const DockerfileView& dockerfile, const Prediction& prediction, const MeasuredSteps& measured) {
  CostEstimate estimate;
  const size_t n = dockerfile.stages.size();
  std::vector<double> own(n, 0), finish(n, 0);
  std::vector<std::vector<std::string>> own_steps(n), path_to(n);
  for (const auto& step : prediction.steps) {
    if (step.outcome == Outcome::Cached || !step.observable) continue;
    if (step.outcome == Outcome::ContentDependent || step.outcome == Outcome::NotModelled) estimate.upper_bound = true;
    const auto it = measured.ran_seconds.find({step.stage_label, step.index});
    if (it == measured.ran_seconds.end()) {
      estimate.unmeasured.push_back(step.trace_name());
      continue;
    }
    at(own, step.stage) += it->second;
    at(own_steps, step.stage).push_back(step.trace_name());
  }
  // Stage dependencies as the prediction recorded why a stage is needed.
  auto deps_of = [&](int index) {
    std::set<int> deps;
    const Stage& stage = at(dockerfile.stages, index);
    const int base = dockerfile.stage_named(stage.base);
    if (base >= 0 && base < index) deps.insert(base);
    for (const auto& ins : stage.instructions) {
      if (auto from = ins.flag("from")) {
        const int ref = dockerfile.stage_named(*from);
        if (ref >= 0 && ref < index) deps.insert(ref);
      }
      for (const auto& mount : ins.flags_named("mount")) {
        const auto pos = mount.find("from=");
        if (pos == std::string::npos) continue;
        const int ref = dockerfile.stage_named(mount.substr(pos + 5, mount.find(',', pos) - pos - 5));
        if (ref >= 0 && ref < index) deps.insert(ref);
      }
    }
    return deps;
  };
  int last_needed = -1;
  for (const auto& s : prediction.stages) {
    if (!s.needed) continue;
    double start = 0;
    std::vector<std::string> path;
    for (int dep : deps_of(s.stage)) {
      if (at(finish, dep) > start) {
        start = at(finish, dep);
        path = at(path_to, dep);
      }
    }
    at(finish, s.stage) = start + at(own, s.stage);
    path.insert(path.end(), at(own_steps, s.stage).begin(), at(own_steps, s.stage).end());
    at(path_to, s.stage) = path;
    last_needed = s.stage;
  }
  // The target is the last needed stage in file order (everything it needs comes before it).
  if (last_needed >= 0) {
    estimate.critical_path_s = at(finish, last_needed);
    estimate.path = at(path_to, last_needed);
  }
  estimate.seconds = measured.noop_wall_s + estimate.critical_path_s;
  return estimate;
}

}  // namespace buildbench::advise
