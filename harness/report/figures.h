#pragma once
// Report figures as SVG documents, 800 px wide (legible when a post or book
// scales them to its column), each with a title, labelled axes with units
// and a legend; variant i has the same colour in every figure.
#include <filesystem>
#include <string>
#include <vector>

#include "report/model.h"
#include "util/result.h"

namespace buildbench::report {

struct Figure {
  std::string name;     // file stem, e.g. "bars", "waterfall-fast-warm"
  std::string title;
  std::string caption;  // one sentence for the HTML report
  std::string svg;      // the complete document
};

// (a) grouped bars per series: one panel per build kind, a bar per variant
// (median wall time) with whiskers for the median's confidence interval.
Figure bars_figure(const ReportModel& model, const std::string& series);
// (b) step waterfall of the cell's median sample: steps on a time axis,
// grouped in one band per stage so that parallel stages overlap in time;
// cached steps hatched. Nothing when the sample has no step timings.
std::optional<Figure> waterfall_figure(const ReportModel& model, const Cell& cell);
// (c) cache-hit matrix of one variant: steps x build kinds, the share of
// successful samples in which each step was cached.
std::optional<Figure> cache_matrix_figure(const ReportModel& model, const std::string& series,
                                          const std::string& variant);
// (d) median wall time against the sweep value, a line per variant, one
// panel per build kind. Only for scenarios that sweep a parameter.
std::optional<Figure> sweep_figure(const ReportModel& model);
// (f) a claim across the sweep (sweep_claims.h): the ratio of its first
// `faster` check with the ratio's CI against the swept value, a line at the
// claim's threshold (holds_at_most, else 1), points coloured by verdict.
// Nothing for a claim without a `faster` check or without any ratio.
std::optional<Figure> sweep_claim_figure(const ReportModel& model, const SweepClaim& claim);
// (e) wall time of each sample in run order, one panel per build kind, to
// see drift and outliers.
Figure progression_figure(const ReportModel& model, const std::string& series);

// Every figure the report shows, in the order the HTML report shows them.
std::vector<Figure> make_figures(const ReportModel& model);

// Writes DIR/<name>.svg for each figure, and DIR/<name>.png beside it when
// `rsvg-convert` is installed (`png_converter` empty: look it up in PATH;
// "none": skip PNGs). Returns how many PNGs were written.
util::Result<size_t> write_figures(const std::vector<Figure>& figures, const std::filesystem::path& dir,
                                   const std::string& png_converter = {});

}  // namespace buildbench::report
