#include "report/figures.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "report/format.h"
#include "report/svg.h"
#include "util/process.h"

namespace buildbench::report {
namespace {

constexpr double kWidth = 800;
constexpr double kMargin = 20;
constexpr std::string_view kGrid = "#dddddd";
constexpr std::string_view kAxis = "#444444";
constexpr std::string_view kMuted = "#666666";

// Times are shown in ms when the largest is under a second, so that a warm
// rebuild's axis reads 0..60 ms instead of 0..0.06 s.
struct TimeUnit {
  double factor = 1;
  std::string name = "s";
};
TimeUnit time_unit_for(double max_seconds) {
  if (max_seconds < 1) return {1000, "ms"};
  return {1, "s"};
}

double draw_title(SvgBuilder& svg, const std::string& title, const std::string& subtitle) {
  svg.text(kMargin, 30, title, {.size = 18, .bold = true});
  if (subtitle.empty()) return 44;
  svg.text(kMargin, 50, subtitle, {.size = 12, .fill = std::string(kMuted)});
  return 62;
}

// One swatch per entry, wrapped onto more lines when needed; returns the y
// below the legend.
struct LegendEntry {
  std::string label;
  ShapeStyle swatch;
};
// With a null `svg` it only measures.
double draw_legend(SvgBuilder* svg, const std::vector<LegendEntry>& entries, double y) {
  double x = kMargin;
  const double size = 12;
  for (const auto& entry : entries) {
    std::string label = ellipsize(entry.label, 40);
    double item_width = 18 + text_width(label, size) + 18;
    if (x + item_width > kWidth - kMargin && x > kMargin) {
      x = kMargin;
      y += 20;
    }
    if (svg != nullptr) {
      svg->rect(x, y - 10, 12, 12, entry.swatch);
      svg->text(x + 18, y, label, {.size = size});
    }
    x += item_width;
  }
  return y + 16;
}

std::vector<LegendEntry> variant_legend(const ReportModel& model) {
  std::vector<LegendEntry> entries;
  for (size_t i = 0; i < model.variants.size(); ++i) {
    std::string label = model.variants[i];
    if (label == model.baseline_variant) label += " (baseline)";
    entries.push_back({label, {.fill = std::string(variant_colour(i))}});
  }
  return entries;
}

struct Panel {
  double x = 0;  // plot area, inside the axes
  double y = 0;
  double w = 0;
  double h = 0;
  double outer_x = 0;
  double outer_y = 0;
};

// Small multiples: up to 3 panels a row, each with its own y axis, because
// cold builds take seconds and warm ones milliseconds.
struct PanelGrid {
  size_t count = 0;
  size_t columns = 1;
  size_t rows = 1;
  double top = 0;
  double outer_width = 0;
  double outer_height = 240;

  Panel panel(size_t i) const {
    size_t column = i % columns;
    size_t row = i / columns;
    Panel p;
    p.outer_x = kMargin + static_cast<double>(column) * outer_width;
    p.outer_y = top + static_cast<double>(row) * outer_height;
    p.x = p.outer_x + 62;
    p.y = p.outer_y + 30;
    p.w = outer_width - 62 - 14;
    p.h = outer_height - 30 - 46;
    return p;
  }
  double bottom() const { return top + static_cast<double>(rows) * outer_height; }
};

PanelGrid make_grid(size_t count, double top) {
  PanelGrid grid;
  grid.count = count;
  grid.columns = std::clamp<size_t>(count, 1, 3);
  grid.rows = std::max<size_t>(1, (count + grid.columns - 1) / grid.columns);
  grid.top = top;
  grid.outer_width = (kWidth - 2 * kMargin) / static_cast<double>(grid.columns);
  return grid;
}

void draw_y_axis(SvgBuilder& svg, const Panel& panel, const std::vector<double>& ticks, const LinearScale& scale,
                 const std::string& label) {
  for (double tick : ticks) {
    double y = scale(tick);
    svg.line(panel.x, y, panel.x + panel.w, y, {.stroke = std::string(kGrid)});
    svg.text(panel.x - 5, y + 4, tick_label(tick), {.size = 11, .anchor = Anchor::End});
  }
  svg.line(panel.x, panel.y, panel.x, panel.y + panel.h, {.stroke = std::string(kAxis)});
  svg.text(panel.outer_x + 14, panel.y + panel.h / 2, label, {.size = 12, .anchor = Anchor::Middle, .rotate = -90});
}

void draw_x_baseline(SvgBuilder& svg, const Panel& panel) {
  svg.line(panel.x, panel.y + panel.h, panel.x + panel.w, panel.y + panel.h, {.stroke = std::string(kAxis)});
}

void draw_panel_title(SvgBuilder& svg, const Panel& panel, const std::string& title) {
  svg.text(panel.x + panel.w / 2, panel.outer_y + 18, ellipsize(title, 36), {.size = 13, .anchor = Anchor::Middle, .bold = true});
}

std::vector<std::string> kinds_in_series(const ReportModel& model, const std::string& series) {
  std::vector<std::string> kinds;
  for (const auto& kind : model.kinds) {
    for (const auto& variant : model.variants) {
      if (model.find(series, variant, kind) != nullptr) {
        kinds.push_back(kind);
        break;
      }
    }
  }
  return kinds;
}

// File-name and title parts of a figure's scope: the sweep value, and the
// engine of an engine_view() (figures never mix engines).
std::string engine_suffix(const ReportModel& model) {
  return model.shown_engine.empty() ? "" : "-" + slug(model.shown_engine);
}

std::string engine_phrase(const ReportModel& model) {
  return model.shown_engine.empty() ? "" : " on " + model.shown_engine;
}

std::string series_suffix(const ReportModel& model, const std::string& series) {
  return (model.has_sweep() ? "-" + slug(series) : "") + engine_suffix(model);
}

std::string series_phrase(const ReportModel& model, const std::string& series) {
  return (model.has_sweep() ? fmt::format(" ({})", series) : "") + engine_phrase(model);
}

std::string scenario_label(const ReportModel& model) {
  return model.scenario_title.empty() ? model.scenario_name : model.scenario_title;
}

bool is_internal_step(const docker::BuildStep& step) {
  return step.stage == "internal" || step.name.rfind("[internal]", 0) == 0;
}

}  // namespace

Figure bars_figure(const ReportModel& model, const std::string& series) {
  auto kinds = kinds_in_series(model, series);
  constexpr double kLegendY = 62 + 8;
  double top = draw_legend(nullptr, variant_legend(model), kLegendY) + 4;
  PanelGrid grid = make_grid(std::max<size_t>(kinds.size(), 1), top);
  double height = grid.bottom() + 28;

  std::string title = "Median build time by build kind" + series_phrase(model, series);
  SvgBuilder svg(kWidth, height, title);
  draw_title(svg, title, fmt::format("{}: whiskers show the 95% confidence interval of the median", scenario_label(model)));
  draw_legend(&svg, variant_legend(model), kLegendY);

  bool any_below_nominal = false;
  for (size_t k = 0; k < kinds.size(); ++k) {
    Panel panel = grid.panel(k);
    double max_seconds = 0;
    for (const auto& variant : model.variants) {
      const Cell* cell = model.find(series, variant, kinds[k]);
      if (cell == nullptr) continue;
      const auto& wall = cell->summary(Metric::Wall);
      if (wall) max_seconds = std::max({max_seconds, wall->median_ci.high, wall->median});
    }
    TimeUnit unit = time_unit_for(max_seconds);
    auto ticks = nice_ticks(0, std::max(max_seconds * unit.factor, 1e-9), 5);
    LinearScale y{0, ticks.back(), panel.y + panel.h, panel.y};
    draw_panel_title(svg, panel, kinds[k]);
    draw_y_axis(svg, panel, ticks, y, "wall time (" + unit.name + ")");
    draw_x_baseline(svg, panel);

    double slot = panel.w / static_cast<double>(std::max<size_t>(model.variants.size(), 1));
    double bar_width = slot * 0.7;
    for (size_t v = 0; v < model.variants.size(); ++v) {
      double centre = panel.x + slot * (static_cast<double>(v) + 0.5);
      const Cell* cell = model.find(series, model.variants[v], kinds[k]);
      if (cell == nullptr) continue;
      const auto& wall = cell->summary(Metric::Wall);
      if (!wall) {
        svg.text(centre, panel.y + panel.h - 6, "failed", {.size = 10, .anchor = Anchor::Start, .fill = std::string(kMuted), .rotate = -90});
        continue;
      }
      double median = wall->median * unit.factor;
      double low = wall->median_ci.low * unit.factor;
      double high = wall->median_ci.high * unit.factor;
      std::string tooltip = fmt::format("{} / {}: median {} (CI {} to {}), n = {}", model.variants[v], kinds[k],
                                        format_seconds(wall->median), format_seconds(wall->median_ci.low),
                                        format_seconds(wall->median_ci.high), wall->count);
      svg.rect(centre - bar_width / 2, y(median), bar_width, y(0) - y(median),
               {.fill = std::string(variant_colour(v))}, tooltip);
      // Dashed whiskers: too few samples for a 95% interval (see the footnote).
      ShapeStyle whisker{.stroke = "#222222", .stroke_width = 1.5};
      if (wall->median_ci.below_nominal) {
        whisker.dash = "3 2";
        any_below_nominal = true;
      }
      svg.line(centre, y(low), centre, y(high), whisker);
      svg.line(centre - bar_width / 5, y(low), centre + bar_width / 5, y(low), {.stroke = "#222222", .stroke_width = 1.5});
      svg.line(centre - bar_width / 5, y(high), centre + bar_width / 5, y(high), {.stroke = "#222222", .stroke_width = 1.5});
      std::string value = format_seconds(wall->median);
      if (text_width(value, 10) <= slot) {
        svg.text(centre, y(high) - 4, value, {.size = 10, .anchor = Anchor::Middle});
      }
    }
  }
  if (kinds.empty()) svg.text(kWidth / 2, top + 60, "no samples", {.size = 14, .anchor = Anchor::Middle});
  if (any_below_nominal) {
    svg.text(kMargin, height - 10, "Dashed whiskers: fewer than 6 samples, the interval (min to max) covers the median with less than 95% probability.",
             {.size = 11, .fill = std::string(kMuted)});
  }
  return {"bars" + series_suffix(model, series), title,
          "Median wall time of each variant per build kind; whiskers are the distribution-free 95% CI of the median.",
          svg.str()};
}

std::optional<Figure> waterfall_figure(const ReportModel& model, const Cell& cell) {
  if (!cell.median_sample) return std::nullopt;
  const runner::Sample& sample = cell.samples[*cell.median_sample];
  std::vector<const docker::BuildStep*> steps;
  for (const auto& step : sample.record.steps) {
    if (step.start_offset_s >= 0 && step.duration_s >= 0 && std::isfinite(step.start_offset_s) &&
        std::isfinite(step.duration_s)) {
      steps.push_back(&step);
    }
  }
  if (steps.empty()) return std::nullopt;

  // Stages in the order they started; within a stage, steps by start time.
  std::map<std::string, double> stage_start;
  for (const auto* step : steps) {
    auto [entry, inserted] = stage_start.emplace(step->stage, step->start_offset_s);
    if (!inserted) entry->second = std::min(entry->second, step->start_offset_s);
  }
  std::stable_sort(steps.begin(), steps.end(), [&](const auto* a, const auto* b) {
    double sa = stage_start[a->stage];
    double sb = stage_start[b->stage];
    if (sa != sb) return sa < sb;
    if (a->stage != b->stage) return a->stage < b->stage;
    return a->start_offset_s < b->start_offset_s;
  });
  double end = 0;
  for (const auto* step : steps) end = std::max(end, step->start_offset_s + step->duration_s);

  size_t colour_index = model.variant_index(cell.variant);
  std::string colour(variant_colour(colour_index));
  const double row_height = 18;
  const double label_right = 330;
  const double plot_left = 342;
  const double plot_right = kWidth - kMargin - 92;  // room for stage names
  std::string title = fmt::format("Build steps: {}, {}{}", cell.variant, cell.kind, series_phrase(model, cell.series));
  double top = 62 + 8;
  double plot_top = top + 22;
  double height = plot_top + static_cast<double>(steps.size()) * row_height + 52;

  // Figures are inlined side by side in report.html: pattern ids must be unique there.
  std::string name = "waterfall" + series_suffix(model, cell.series) + "-" + slug(cell.variant) + "-" + slug(cell.kind);
  std::string hatch_id = "hatch-" + name;
  std::string hatch_fill = "url(#" + hatch_id + ")";
  SvgBuilder svg(kWidth, height, title);
  svg.hatch_pattern(hatch_id, colour, "#ffffff");
  draw_title(svg, title,
             fmt::format("Median sample (repetition {}): wall time {}, {} of {} steps cached", sample.repetition + 1,
                         format_seconds(sample.record.wall_s), sample.record.cached_steps, sample.record.total_steps));
  draw_legend(&svg,
              {{"executed", {.fill = colour}},
               {"cached", {.fill = hatch_fill, .stroke = colour}}},
              top);

  TimeUnit unit = time_unit_for(end);
  auto ticks = nice_ticks(0, std::max(end * unit.factor, 1e-9), 6);
  LinearScale x{0, ticks.back(), plot_left, plot_right};
  double plot_bottom = plot_top + static_cast<double>(steps.size()) * row_height;

  // Stage bands first, so that grid lines and bars draw over them.
  std::string current_stage;
  bool shaded = false;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (i == 0 || steps[i]->stage != current_stage) {
      current_stage = steps[i]->stage;
      shaded = !shaded;
      size_t rows = 0;
      while (i + rows < steps.size() && steps[i + rows]->stage == current_stage) ++rows;
      double band_y = plot_top + static_cast<double>(i) * row_height;
      svg.rect(kMargin, band_y, kWidth - 2 * kMargin, static_cast<double>(rows) * row_height,
               {.fill = shaded ? "#f2f2f2" : "#ffffff"});
      svg.text(kWidth - kMargin - 4, band_y + 13, ellipsize(current_stage.empty() ? "(no stage)" : current_stage, 13),
               {.size = 11, .anchor = Anchor::End, .fill = std::string(kMuted)});
    }
  }
  for (double tick : ticks) {
    svg.line(x(tick), plot_top, x(tick), plot_bottom, {.stroke = std::string(kGrid)});
    svg.text(x(tick), plot_bottom + 16, tick_label(tick), {.size = 11, .anchor = Anchor::Middle});
  }
  svg.line(plot_left, plot_bottom, plot_right, plot_bottom, {.stroke = std::string(kAxis)});
  svg.text((plot_left + plot_right) / 2, plot_bottom + 36, "time since the first step started (" + unit.name + ")",
           {.size = 12, .anchor = Anchor::Middle});

  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& step = *steps[i];
    double row_y = plot_top + static_cast<double>(i) * row_height;
    svg.text(label_right, row_y + 13, ellipsize(step.name, 52), {.size = 11, .anchor = Anchor::End});
    double left = x(step.start_offset_s * unit.factor);
    double width = std::max(x((step.start_offset_s + step.duration_s) * unit.factor) - left, 2.0);
    std::string tooltip = fmt::format("{}: starts at {}, takes {}{}{}", step.name, format_seconds(step.start_offset_s),
                                      format_seconds(step.duration_s), step.cached ? " (cached)" : "",
                                      step.error.empty() ? "" : " FAILED: " + step.error);
    if (step.cached) {
      svg.rect(left, row_y + 3, width, row_height - 6, {.fill = hatch_fill, .stroke = colour}, tooltip);
    } else {
      svg.rect(left, row_y + 3, width, row_height - 6,
               {.fill = step.error.empty() ? colour : "#b00020", .stroke = step.error.empty() ? "" : "#b00020"}, tooltip);
    }
  }
  return Figure{name, title,
                fmt::format("Steps of the median {} build of {} on a time axis, one band per stage; hatched steps came from the cache.",
                            cell.kind, cell.variant),
                svg.str()};
}

std::optional<Figure> cache_matrix_figure(const ReportModel& model, const std::string& series,
                                          const std::string& variant) {
  struct Counts {
    size_t cached = 0;
    size_t present = 0;
  };
  std::vector<std::string> step_names;
  std::map<std::pair<std::string, std::string>, Counts> counts;  // (step, kind)
  std::vector<std::string> kinds;
  for (const auto& kind : model.kinds) {
    const Cell* cell = model.find(series, variant, kind);
    if (cell == nullptr) continue;
    kinds.push_back(kind);
    if (cell->median_sample) {
      for (const auto& step : cell->samples[*cell->median_sample].record.steps) {
        if (!is_internal_step(step) &&
            std::find(step_names.begin(), step_names.end(), step.name) == step_names.end()) {
          step_names.push_back(step.name);
        }
      }
    }
    for (const auto& sample : cell->samples) {
      if (!sample.record.ok) continue;
      std::set<std::string> seen;  // a name repeated in one build counts once
      for (const auto& step : sample.record.steps) {
        if (is_internal_step(step) || !seen.insert(step.name).second) continue;
        auto& entry = counts[{step.name, kind}];
        ++entry.present;
        if (step.cached) ++entry.cached;
      }
    }
  }
  if (step_names.empty() || kinds.empty()) return std::nullopt;

  size_t colour_index = model.variant_index(variant);
  std::string colour(variant_colour(colour_index));
  const double label_right = 352;
  const double grid_left = 362;
  const double row_height = 22;
  double column_width = std::min(96.0, (kWidth - kMargin - grid_left) / static_cast<double>(kinds.size()));
  std::string title = fmt::format("Cache hits: {}{}", variant, series_phrase(model, series));
  // Kind names that do not fit their column are written upwards, which
  // needs room above the grid but never runs past the figure's right edge.
  double widest = 0;
  for (const auto& kind : kinds) widest = std::max(widest, text_width(ellipsize(kind, 24), 12) * 1.1);
  bool slanted = widest > column_width - 6;
  double header_room = slanted ? widest + 4 : 0;
  double grid_top = 62 + 8 + 34 + header_room;
  double height = grid_top + static_cast<double>(step_names.size()) * row_height + 30;

  SvgBuilder svg(kWidth, height, title);
  draw_title(svg, title, "Share of successful samples in which each step was served from the build cache");
  double legend_y = 62 + 8;
  for (int i = 0; i <= 4; ++i) {
    double share = i / 4.0;
    svg.rect(kMargin + i * 44.0, legend_y - 10, 40, 14, {.fill = colour, .stroke = "#999999", .opacity = 0.1 + 0.9 * share});
    svg.text(kMargin + i * 44.0 + 20, legend_y + 16, fmt::format("{}%", i * 25), {.size = 10, .anchor = Anchor::Middle});
  }
  svg.text(kMargin + 5 * 44.0 + 6, legend_y + 1, "cached in this share of samples; \u2014 = step not run in that kind",
           {.size = 11, .fill = std::string(kMuted)});

  for (size_t c = 0; c < kinds.size(); ++c) {
    double centre = grid_left + column_width * (static_cast<double>(c) + 0.5);
    if (slanted) {
      svg.text(centre + 4, grid_top - 6, ellipsize(kinds[c], 24), {.size = 12, .anchor = Anchor::Start, .bold = true, .rotate = -90});
    } else {
      svg.text(centre, grid_top - 8, kinds[c], {.size = 12, .anchor = Anchor::Middle, .bold = true});
    }
  }
  for (size_t r = 0; r < step_names.size(); ++r) {
    double row_y = grid_top + static_cast<double>(r) * row_height;
    svg.text(label_right, row_y + 15, ellipsize(step_names[r], 54), {.size = 11, .anchor = Anchor::End});
    for (size_t c = 0; c < kinds.size(); ++c) {
      double cell_x = grid_left + column_width * static_cast<double>(c);
      auto found = counts.find({step_names[r], kinds[c]});
      if (found == counts.end() || found->second.present == 0) {
        svg.rect(cell_x + 1, row_y + 1, column_width - 2, row_height - 2, {.fill = "#ffffff", .stroke = "#cccccc"});
        svg.text(cell_x + column_width / 2, row_y + 15, "\u2014", {.size = 11, .anchor = Anchor::Middle, .fill = std::string(kMuted)});
        continue;
      }
      double share = static_cast<double>(found->second.cached) / static_cast<double>(found->second.present);
      std::string tooltip = fmt::format("{} / {}: cached in {} of {} samples", step_names[r], kinds[c],
                                        found->second.cached, found->second.present);
      svg.rect(cell_x + 1, row_y + 1, column_width - 2, row_height - 2,
               {.fill = colour, .stroke = "#999999", .opacity = 0.1 + 0.9 * share}, tooltip);
      svg.text(cell_x + column_width / 2, row_y + 15, fmt::format("{:.0f}%", share * 100),
               {.size = 11, .anchor = Anchor::Middle, .bold = share > 0.5, .fill = share > 0.5 ? "#ffffff" : "#222222"});
    }
  }
  return Figure{"cache" + series_suffix(model, series) + "-" + slug(variant), title,
                fmt::format("Which steps of {} came from the build cache in each build kind.", variant), svg.str()};
}

namespace {

std::optional<double> parse_number(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Figure> sweep_figure(const ReportModel& model) {
  if (model.series.size() < 2) return std::nullopt;
  // A numeric sweep gets a numeric axis; anything else is spaced evenly.
  // Series labels are "packages=48" (or bare values): with one shared
  // parameter name, it labels the axis and the values are the ticks.
  std::string parameter;
  std::vector<std::string> values;
  for (const auto& label : model.series) {
    auto equals = label.find('=');
    std::string name = equals == std::string::npos ? "" : label.substr(0, equals);
    if (values.empty()) parameter = name;
    if (name != parameter) parameter.clear();
    values.push_back(equals == std::string::npos ? label : label.substr(equals + 1));
  }
  if (parameter.empty()) values = model.series;
  std::vector<double> positions;
  bool numeric = true;
  for (const auto& value : values) {
    auto number = parse_number(value);
    if (!number) numeric = false;
    positions.push_back(number.value_or(0));
  }
  if (!numeric) {
    for (size_t i = 0; i < positions.size(); ++i) positions[i] = static_cast<double>(i);
  }
  double top = draw_legend(nullptr, variant_legend(model), 62 + 8) + 4;
  PanelGrid grid = make_grid(model.kinds.size(), top);
  double height = grid.bottom() + 10;
  std::string title = "Median build time across the sweep" + engine_phrase(model);
  SvgBuilder svg(kWidth, height, title);
  draw_title(svg, title, fmt::format("{}: one line per variant, whiskers are the 95% CI of the median", scenario_label(model)));
  draw_legend(&svg, variant_legend(model), 62 + 8);

  auto [min_position, max_position] = std::minmax_element(positions.begin(), positions.end());
  for (size_t k = 0; k < model.kinds.size(); ++k) {
    const auto& kind = model.kinds[k];
    Panel panel = grid.panel(k);
    double max_seconds = 0;
    for (const auto& cell : model.cells) {
      if (cell.kind == kind && cell.summary(Metric::Wall)) {
        max_seconds = std::max(max_seconds, cell.summary(Metric::Wall)->median_ci.high);
      }
    }
    TimeUnit unit = time_unit_for(max_seconds);
    auto ticks = nice_ticks(0, std::max(max_seconds * unit.factor, 1e-9), 5);
    LinearScale y{0, ticks.back(), panel.y + panel.h, panel.y};
    double pad = (*max_position - *min_position) * 0.06;
    LinearScale x{*min_position - pad, *max_position + pad, panel.x, panel.x + panel.w};
    draw_panel_title(svg, panel, kind);
    draw_y_axis(svg, panel, ticks, y, "wall time (" + unit.name + ")");
    draw_x_baseline(svg, panel);
    for (size_t s = 0; s < model.series.size(); ++s) {
      svg.line(x(positions[s]), panel.y + panel.h, x(positions[s]), panel.y + panel.h + 4, {.stroke = std::string(kAxis)});
      svg.text(x(positions[s]), panel.y + panel.h + 16, ellipsize(values[s], 10), {.size = 10, .anchor = Anchor::Middle});
    }
    svg.text(panel.x + panel.w / 2, panel.y + panel.h + 34, parameter.empty() ? "sweep value" : parameter,
             {.size = 12, .anchor = Anchor::Middle});
    for (size_t v = 0; v < model.variants.size(); ++v) {
      std::string colour(variant_colour(v));
      std::vector<std::pair<double, double>> points;
      for (size_t s = 0; s < model.series.size(); ++s) {
        const Cell* cell = model.find(model.series[s], model.variants[v], kind);
        if (cell == nullptr || !cell->summary(Metric::Wall)) continue;
        const auto& wall = *cell->summary(Metric::Wall);
        double px = x(positions[s]);
        points.emplace_back(px, y(wall.median * unit.factor));
        svg.line(px, y(wall.median_ci.low * unit.factor), px, y(wall.median_ci.high * unit.factor),
                 {.stroke = colour, .stroke_width = 1.2});
      }
      svg.polyline(points, {.stroke = colour, .stroke_width = 2});
      for (const auto& [px, py] : points) svg.circle(px, py, 3.5, {.fill = colour});
    }
  }
  return Figure{"sweep" + engine_suffix(model), title, "Median wall time of each variant at each value of the swept parameter.", svg.str()};
}

Figure progression_figure(const ReportModel& model, const std::string& series) {
  auto kinds = kinds_in_series(model, series);
  double top = draw_legend(nullptr, variant_legend(model), 62 + 8) + 4;
  PanelGrid grid = make_grid(std::max<size_t>(kinds.size(), 1), top);
  double height = grid.bottom() + 10;
  std::string title = "Build time of each sample in run order" + series_phrase(model, series);
  SvgBuilder svg(kWidth, height, title);
  draw_title(svg, title, "A trend within a line means drift (machine warming up, caches filling, disk filling)");
  draw_legend(&svg, variant_legend(model), 62 + 8);

  for (size_t k = 0; k < kinds.size(); ++k) {
    Panel panel = grid.panel(k);
    double max_seconds = 0;
    size_t max_count = 1;
    for (const auto& variant : model.variants) {
      const Cell* cell = model.find(series, variant, kinds[k]);
      if (cell == nullptr) continue;
      max_count = std::max(max_count, cell->samples.size());
      for (const auto& sample : cell->samples) {
        if (sample.record.ok) max_seconds = std::max(max_seconds, sample.record.wall_s);
      }
    }
    TimeUnit unit = time_unit_for(max_seconds);
    auto ticks = nice_ticks(0, std::max(max_seconds * unit.factor, 1e-9), 5);
    LinearScale y{0, ticks.back(), panel.y + panel.h, panel.y};
    LinearScale x{0.5, static_cast<double>(max_count) + 0.5, panel.x, panel.x + panel.w};
    draw_panel_title(svg, panel, kinds[k]);
    draw_y_axis(svg, panel, ticks, y, "wall time (" + unit.name + ")");
    draw_x_baseline(svg, panel);
    for (double tick : nice_ticks(1, static_cast<double>(max_count), 5)) {
      if (tick < 1 || tick > static_cast<double>(max_count) || tick != std::floor(tick)) continue;
      svg.line(x(tick), panel.y + panel.h, x(tick), panel.y + panel.h + 4, {.stroke = std::string(kAxis)});
      svg.text(x(tick), panel.y + panel.h + 16, tick_label(tick), {.size = 10, .anchor = Anchor::Middle});
    }
    svg.text(panel.x + panel.w / 2, panel.y + panel.h + 34, "sample (run order)", {.size = 12, .anchor = Anchor::Middle});
    for (size_t v = 0; v < model.variants.size(); ++v) {
      const Cell* cell = model.find(series, model.variants[v], kinds[k]);
      if (cell == nullptr) continue;
      std::string colour(variant_colour(v));
      // The line breaks at a failed build (a cross on the axis) instead of
      // bridging it, so a reader does not take the gap for a measurement.
      std::vector<std::pair<double, double>> segment;
      std::vector<std::pair<double, double>> points;
      for (size_t i = 0; i < cell->samples.size(); ++i) {
        const auto& sample = cell->samples[i];
        double px = x(static_cast<double>(i + 1));
        if (!sample.record.ok) {
          double py = panel.y + panel.h;
          svg.line(px - 3, py - 3, px + 3, py + 3, {.stroke = colour, .stroke_width = 1.5});
          svg.line(px - 3, py + 3, px + 3, py - 3, {.stroke = colour, .stroke_width = 1.5});
          svg.polyline(segment, {.stroke = colour, .stroke_width = 1.5});
          segment.clear();
          continue;
        }
        segment.emplace_back(px, y(sample.record.wall_s * unit.factor));
        points.push_back(segment.back());
      }
      svg.polyline(segment, {.stroke = colour, .stroke_width = 1.5});
      for (const auto& [px, py] : points) svg.circle(px, py, 3, {.fill = colour});
    }
  }
  if (kinds.empty()) svg.text(kWidth / 2, top + 60, "no samples", {.size = 14, .anchor = Anchor::Middle});
  return {"progression" + series_suffix(model, series), title,
          "Wall time of every sample in the order it ran; crosses on the axis are failed builds.", svg.str()};
}

namespace {

// Verdict colours of the sweep-claim figure (Okabe-Ito, as variant colours):
// green holds, orange partly, vermillion does not, grey cannot tell.
std::string verdict_colour(ClaimVerdict verdict) {
  switch (verdict) {
    case ClaimVerdict::Holds: return "#009E73";
    case ClaimVerdict::HoldsPartly: return "#E69F00";
    case ClaimVerdict::DoesNotHold: return "#D55E00";
    case ClaimVerdict::CannotTell: return "#999999";
  }
  return "#999999";
}

}  // namespace

std::optional<Figure> sweep_claim_figure(const ReportModel& model, const SweepClaim& claim) {
  if (!claim.ratio_check || claim.points.empty()) return std::nullopt;
  const auto& check = claim.claim.checks[*claim.ratio_check];
  const double threshold = check.holds_at_most.value_or(1.0);
  // x positions: the values themselves when all are numbers, else evenly spaced.
  const bool numeric = std::all_of(claim.points.begin(), claim.points.end(), [](const auto& p) { return p.number.has_value(); });
  std::vector<double> positions;
  double max_ratio = std::max(threshold, 1.0);
  bool any_ratio = false;
  for (size_t p = 0; p < claim.points.size(); ++p) {
    positions.push_back(numeric ? *claim.points[p].number : static_cast<double>(p));
    if (const CheckResult* ratio = claim.ratio_at(p); ratio != nullptr && ratio->comparison) {
      any_ratio = true;
      max_ratio = std::max({max_ratio, ratio->comparison->ratio.ratio, ratio->comparison->ratio.ci_high});
    }
  }
  if (!any_ratio) return std::nullopt;

  std::vector<LegendEntry> legend;
  for (ClaimVerdict verdict : {ClaimVerdict::Holds, ClaimVerdict::HoldsPartly, ClaimVerdict::DoesNotHold, ClaimVerdict::CannotTell}) {
    legend.push_back({std::string(verdict_words(verdict)), {.fill = verdict_colour(verdict)}});
  }
  const std::string title = fmt::format("Claim {} across the sweep{}", claim.claim.id, engine_phrase(model));
  double top = draw_legend(nullptr, legend, 62 + 8) + 4;
  PanelGrid grid = make_grid(1, top);
  grid.outer_height = 320;
  const double height = grid.bottom() + 40;
  SvgBuilder svg(kWidth, height, title);
  draw_title(svg, title,
             ellipsize(fmt::format("`{}` builds, {} / {}: ratio of medians with its 95% CI; dashed: the claim's threshold",
                                   check.kind, check.variant, check.than),
                       110));
  draw_legend(&svg, legend, 62 + 8);
  Panel panel = grid.panel(0);
  auto ticks = nice_ticks(0, max_ratio * 1.05, 5);
  LinearScale y{0, ticks.back(), panel.y + panel.h, panel.y};
  auto [min_position, max_position] = std::minmax_element(positions.begin(), positions.end());
  const double span = *max_position - *min_position;
  const double pad = span > 0 ? span * 0.06 : 1.0;  // one value: centred
  LinearScale x{*min_position - pad, *max_position + pad, panel.x, panel.x + panel.w};
  draw_panel_title(svg, panel, ellipsize(claim.sentence, 100));
  draw_y_axis(svg, panel, ticks, y, fmt::format("{} / {}", check.variant, check.than));
  draw_x_baseline(svg, panel);
  // Reference lines: no difference, and the most the claim allows.
  svg.line(panel.x, y(1.0), panel.x + panel.w, y(1.0), {.stroke = std::string(kMuted), .dash = "2 3"});
  svg.text(panel.x + panel.w - 4, y(1.0) - 4, "1 = no difference", {.size = 10, .anchor = Anchor::End, .fill = std::string(kMuted)});
  if (check.holds_at_most) {
    svg.line(panel.x, y(threshold), panel.x + panel.w, y(threshold), {.stroke = std::string(kAxis), .stroke_width = 1.5, .dash = "6 4"});
    svg.text(panel.x + panel.w - 4, y(threshold) - 4, fmt::format("claimed: at most {}", format_ratio(threshold)),
             {.size = 11, .anchor = Anchor::End});
  }
  if (claim.holds_from) {
    double at = x(positions[*claim.holds_from]);
    svg.line(at, panel.y, at, panel.y + panel.h, {.stroke = verdict_colour(ClaimVerdict::Holds), .dash = "4 3"});
    svg.text(at + 4, panel.y + 12, "holds from here", {.size = 10, .fill = verdict_colour(ClaimVerdict::Holds)});
  }
  std::vector<std::pair<double, double>> line;
  for (size_t p = 0; p < claim.points.size(); ++p) {
    const auto& point = claim.points[p];
    double px = x(positions[p]);
    svg.line(px, panel.y + panel.h, px, panel.y + panel.h + 4, {.stroke = std::string(kAxis)});
    svg.text(px, panel.y + panel.h + 16, ellipsize(sweep_value_words(claim.parameter, point.value), 12),
             {.size = 10, .anchor = Anchor::Middle});
    const CheckResult* ratio = claim.ratio_at(p);
    if (ratio == nullptr || !ratio->comparison) continue;
    const auto& r = ratio->comparison->ratio;
    std::string colour = verdict_colour(point.result.verdict);
    svg.line(px, y(r.ci_low), px, y(r.ci_high), {.stroke = colour, .stroke_width = 1.5});
    svg.line(px - 4, y(r.ci_low), px + 4, y(r.ci_low), {.stroke = colour, .stroke_width = 1.5});
    svg.line(px - 4, y(r.ci_high), px + 4, y(r.ci_high), {.stroke = colour, .stroke_width = 1.5});
    line.emplace_back(px, y(r.ratio));
    svg.circle(px, y(r.ratio), 4.5, {.fill = colour},
               fmt::format("{}: ratio {} ({} – {}), {}", sweep_value_words(claim.parameter, point.value),
                           format_ratio(r.ratio), format_ratio(r.ci_low), format_ratio(r.ci_high),
                           verdict_words(point.result.verdict)));
  }
  svg.polyline(line, {.stroke = std::string(kMuted), .stroke_width = 1});
  svg.text(panel.x + panel.w / 2, panel.y + panel.h + 34, claim.parameter.empty() ? "sweep value" : claim.parameter,
           {.size = 12, .anchor = Anchor::Middle});
  return Figure{"sweep-claim-" + slug(claim.claim.id) + engine_suffix(model), title,
                fmt::format("Claim {} at each value of the swept parameter: {}.", claim.claim.id, claim.sentence), svg.str()};
}

std::vector<Figure> make_figures(const ReportModel& model) {
  std::vector<Figure> figures;
  if (model.several_engines()) {
    // One set of figures per engine: no bar or line mixes engines.
    for (const auto& engine : model.engines) {
      for (auto& figure : make_figures(engine_view(model, engine))) figures.push_back(std::move(figure));
    }
    return figures;
  }
  for (const auto& series : model.series) figures.push_back(bars_figure(model, series));
  if (auto sweep = sweep_figure(model)) figures.push_back(std::move(*sweep));
  for (const auto& claim : model.sweep_claims) {
    if (auto figure = sweep_claim_figure(model, claim)) figures.push_back(std::move(*figure));
  }
  for (const auto& series : model.series) {
    for (const auto& variant : model.variants) {
      if (auto matrix = cache_matrix_figure(model, series, variant)) figures.push_back(std::move(*matrix));
    }
  }
  for (const auto& cell : model.cells) {
    if (auto waterfall = waterfall_figure(model, cell)) figures.push_back(std::move(*waterfall));
  }
  for (const auto& series : model.series) figures.push_back(progression_figure(model, series));
  // Distinct labels can share a slug ("a b" and "a-b"): keep file names apart.
  std::set<std::string> used;
  for (auto& figure : figures) {
    std::string name = figure.name;
    for (int n = 2; !used.insert(name).second; ++n) name = fmt::format("{}-{}", figure.name, n);
    figure.name = name;
  }
  return figures;
}

util::Result<size_t> write_figures(const std::vector<Figure>& figures, const std::filesystem::path& dir,
                                   const std::string& png_converter) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return util::error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  std::optional<std::filesystem::path> converter;
  if (png_converter.empty()) {
    converter = util::find_program("rsvg-convert");
  } else if (png_converter != "none") {
    converter = png_converter;
  }
  size_t pngs = 0;
  for (const auto& figure : figures) {
    auto svg_path = dir / (figure.name + ".svg");
    std::ofstream out(svg_path, std::ios::binary | std::ios::trunc);
    out << figure.svg;
    out.close();
    if (!out) return util::error("cannot write " + svg_path.string());
    if (!converter) continue;
    // 2x zoom: 1600 px wide PNGs stay sharp when a page scales them down.
    auto png_path = dir / (figure.name + ".png");
    auto result = util::run_process({converter->string(), "--zoom=2", "--format=png", "--output", png_path.string(),
                                     svg_path.string()});
    if (!result) return util::error("cannot run " + converter->string() + ": " + result.error().message);
    if (result->exit_code != 0) {
      return util::error(fmt::format("{} failed on {}: {}", converter->string(), svg_path.string(), result->err));
    }
    ++pngs;
  }
  return pngs;
}

}  // namespace buildbench::report
