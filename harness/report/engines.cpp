#include "report/engines.h"

#include <fmt/format.h>

#include "report/model.h"

namespace buildbench::report {
namespace {

std::vector<double> wall_times(const Cell& cell) {
  std::vector<double> values;
  for (const auto& sample : cell.samples) {
    if (auto value = metric_value(sample, Metric::Wall)) values.push_back(*value);
  }
  return values;
}

}  // namespace

std::string engine_label(const std::string& name) { return name.empty() ? "(unknown engine)" : name; }

std::string engine_versions_text(const runner::SampleEngine& engine) {
  std::string text;
  if (!engine.daemon_version.empty()) text = "Docker " + engine.daemon_version;
  if (!engine.buildkit_version.empty()) text += (text.empty() ? "" : ", ") + ("BuildKit " + engine.buildkit_version);
  return text;
}

std::vector<EngineComparison> compare_engines(const ReportModel& model, const stats::CompareOptions& options) {
  std::vector<EngineComparison> rows;
  if (!model.several_engines()) return rows;
  for (const auto& series : model.series) {
    for (const auto& kind : model.kinds) {
      for (const auto& variant : model.variants) {
        // The cell on each engine that measured it; the first is the reference.
        std::vector<const Cell*> cells;
        for (const auto& engine : model.engines) {
          if (const Cell* cell = model.find(engine, series, variant, kind)) cells.push_back(cell);
        }
        if (cells.size() < 2) continue;
        const Cell& reference = *cells.front();
        const auto reference_values = wall_times(reference);
        for (size_t i = 1; i < cells.size(); ++i) {
          const Cell& cell = *cells[i];
          EngineComparison row;
          row.series = series;
          row.kind = kind;
          row.variant = variant;
          row.reference = model.versions_of(reference.engine);
          row.engine = model.versions_of(cell.engine);
          const auto values = wall_times(cell);
          row.reference_count = reference_values.size();
          row.engine_count = values.size();
          row.reference_wall = reference.summary(Metric::Wall);
          row.engine_wall = cell.summary(Metric::Wall);
          if (reference_values.empty() || values.empty()) {
            row.problem = fmt::format("no successful build on {}",
                                      engine_label(reference_values.empty() ? reference.engine : cell.engine));
          } else {
            auto comparison = stats::compare_samples(reference_values, values, options);
            if (comparison) {
              row.comparison = std::move(*comparison);
            } else {
              row.problem = "no ratio: " + comparison.error().message;
            }
          }
          rows.push_back(std::move(row));
        }
      }
    }
  }
  return rows;
}

}  // namespace buildbench::report
