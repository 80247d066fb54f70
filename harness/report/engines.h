#pragma once
// Engines side by side (issue 18): a run may interleave the same builds on
// several Docker engines. For each series x build kind x variant measured on
// two or more engines, each other engine's wall time is compared with the
// first engine's (the reference: the first the results header lists), with
// the same comparison vs_baseline uses (stats/compare.h: ratio of medians
// with a bootstrap CI, Mann-Whitney p). Writers only format these rows.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "runner/results.h"
#include "stats/compare.h"
#include "stats/summary.h"

namespace buildbench::report {

struct ReportModel;

struct EngineComparison {
  std::string series;
  std::string kind;
  std::string variant;
  runner::SampleEngine reference;  // name and versions of the reference engine
  runner::SampleEngine engine;     // the engine compared with it
  size_t reference_count = 0;      // successful samples
  size_t engine_count = 0;
  std::optional<stats::Summary> reference_wall;
  std::optional<stats::Summary> engine_wall;
  // median(engine) / median(reference): below 1, the engine builds faster.
  std::optional<stats::Comparison> comparison;
  std::string problem;  // why there is no comparison ("no successful build on 20.10"); "" otherwise
};

// Every comparison of the model, series-major, then kind, then variant, then
// engine (model order). The reference of a cell is the first engine of the
// model that has it. Nothing with fewer than two engines.
std::vector<EngineComparison> compare_engines(const ReportModel& model, const stats::CompareOptions& options = {});

// "Docker 28.5.2, BuildKit v0.25.1" (parts that are unknown are left out;
// "" when nothing is known).
std::string engine_versions_text(const runner::SampleEngine& engine);
// "28.5", or "(unknown engine)" for a daemon that is none of the catalog's.
std::string engine_label(const std::string& name);

}  // namespace buildbench::report
