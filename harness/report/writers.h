#pragma once
// Report outputs. Each writer formats a ReportModel onto a stream; none
// computes statistics (that is build_report's job), so all formats agree.
// JSON outputs carry kReportSchemaVersion and a fixed key order.
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "report/figures.h"
#include "report/model.h"
#include "util/result.h"

namespace buildbench::report {

// report.md: one table per build kind (per sweep value), ready to paste into
// a post, then warnings and an environment footer naming the harness commit.
void write_markdown(const ReportModel& model, std::ostream& out);
// summary.csv: one row per engine x series x variant x build kind.
void write_summary_csv(const ReportModel& model, std::ostream& out);
// samples.csv: one row per sample (warm-ups excluded), variants as rows.
void write_samples_csv(const ReportModel& model, std::ostream& out);
// engines.csv: the engines table, one row per kind x variant x engine
// compared with the reference (written only for results of several engines).
void write_engines_csv(const ReportModel& model, std::ostream& out);
// summary.json: everything of the model except the raw samples.
void write_summary_json(const ReportModel& model, std::ostream& out);
// gbench.json: Google Benchmark's JSON output format, each sample a
// repetition and mean/median/stddev aggregates, so its tools (compare.py)
// can read buildbench runs.
void write_gbench_json(const ReportModel& model, std::ostream& out);
// report.html: one self-contained page (inline CSS and SVG, no network).
void write_html(const ReportModel& model, const std::vector<Figure>& figures, std::ostream& out);

struct WriteOptions {
  // rsvg-convert path; empty: look it up in PATH; "none": no PNGs.
  std::string png_converter;
};

struct WrittenReport {
  std::vector<std::filesystem::path> files;  // every file written, figures included
  size_t pngs = 0;
};

// Writes every output into `dir` (created when missing): report.md,
// report.html, summary.csv, samples.csv, summary.json, gbench.json,
// engines.csv with several engines, and figures/*.svg (+ .png).
util::Result<WrittenReport> write_report(const ReportModel& model, const std::filesystem::path& dir,
                                         const WriteOptions& options = {});

}  // namespace buildbench::report
