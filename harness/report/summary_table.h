#pragma once
// The rows of the summary table, as text, shared by report.md and
// report.html so both say exactly the same thing.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/model.h"

namespace buildbench::report {

struct SummaryRow {
  std::string variant;     // "fast" or "slow (baseline)"
  std::string samples;     // "10" or "8 (2 failed)"
  std::string median;      // "12.3 s (12.1 s – 12.6 s)", "no successful samples"
  std::string vs_baseline; // "0.821 (0.80 – 0.84)", "~ 1.02 (0.97 – 1.05)", "baseline", "-"
  std::string p_value;     // "<0.001", "0.400", ""
  std::string cached_steps;  // "9/9"
  std::string context;     // "1.23 MB"
  std::string downloaded;  // "0 B"
  std::string download_time;  // median seconds in `go mod download` steps: "4.1 s", "0 s", "-"
  std::string image;       // "20.1 MB"
  size_t variant_index = 0;
};

inline const std::vector<std::string> kSummaryHeadings = {
    "variant", "n", "median wall time (95% CI)", "vs baseline (95% CI)", "p", "cached steps", "context",
    "downloaded", "download steps", "image"};

std::vector<SummaryRow> summary_rows(const ReportModel& model, const std::string& engine, const std::string& series,
                                     const std::string& kind);

// One row of the claims table: the claim, how it was measured, the numbers
// and the verdict. A claim with several checks has one measurement and one
// numbers line per check, each ending in that check's verdict.
struct ClaimRow {
  std::string number;                     // "1", "2", ... in scenario order
  std::string claim;                      // the post's words
  std::vector<std::string> measurements;  // "`code-change` builds, fast vs slow: median wall time"
  std::vector<std::string> numbers;
  std::string verdict;                    // "holds", "holds partly", "does not hold", "cannot tell"
  std::string decision;                   // adaptive runs: "decided at n=6", "undecided at n=15"; else ""
  std::string explanation;                // one sentence, starting lower-case
  std::string id;
  std::string note;                       // "" when the claim has none
  // With several engines, one verdict per engine (ReportModel::engines
  // order); `numbers` then holds every engine's, each line naming it.
  struct EngineVerdict {
    std::string engine;
    std::string verdict;
    std::string decision;
    std::string explanation;
  };
  std::vector<EngineVerdict> per_engine;
};

std::vector<ClaimRow> claim_rows(const ReportModel& model);

// The engines table (report.md and report.html): one table per engine
// compared with a reference, headed by both engines and their versions.
struct EngineRow {
  std::string kind;       // "cold", or "cold, packages=48" with a sweep
  std::string variant;
  std::string median;     // on the engine: "8.12 s (7.90 s – 8.40 s)"
  std::string reference_median;
  std::string ratio;      // "0.620 (0.580 – 0.660)", "~ 1.02 (0.97 – 1.05)", or why there is none
  std::string p_value;
};

struct EngineTable {
  std::string heading;  // "28.5 (Docker 28.5.2, BuildKit v0.25.1) against 20.10 (Docker 20.10.24, BuildKit v0.8.2)"
  std::vector<std::string> headings;  // column headings, naming the engines
  std::vector<EngineRow> rows;
};

std::vector<EngineTable> engine_tables(const ReportModel& model);

// The worlds section (report --beside), shared by report.md and report.html.
// "The post's claims in both worlds" ("in each world" for more than two).
std::string worlds_heading(const ReportModel& model);
// The paragraph under it: the worlds, their files, how claims are matched.
std::string worlds_intro(const ReportModel& model);
// Column headings: "claim", "engine" when several are compared, one per
// world ("realistic (this report)", "toy").
std::vector<std::string> worlds_headings(const ReportModel& model);

// "Engine: 28.5 (Docker 28.5.2, BuildKit v0.25.1)." for one named engine;
// for several, which they are and which is the reference; "" when the
// results do not name their engine.
std::string engines_line(const ReportModel& model);

// The first line under a report's title: which harness, at which commit,
// produced the results, and when the run started.
std::string provenance_line(const ReportModel& model);

// "Run time 9m12s: 8m40s in timed builds, 11.2 s (2.0%) the harness's own
// work (cold resets 6.1 s, fixture mutations 1.2 s, ...), report 0.8 s."
// Empty for results that did not record it.
std::string harness_time_line(const ReportModel& model);
// The harness's share of the run's wall time (report time included), or
// nothing when not recorded.
std::optional<double> harness_share(const ReportModel& model);
// "Repetitions: adaptive, 3 to 15 per cell until decided (each look at p < 0.005)." or "".
std::string adaptive_line(const ReportModel& model);

// "ci-runner (15.0 ms per request, 400.0 Mbit/s)" from a results header's
// `proxy`; "" when it has none.
std::string network_words(const nlohmann::json& proxy);
// The fixture's dependency preset ("grpc-service"), "" for synthetic modules.
std::string deps_preset_of(const nlohmann::json& fixture_params);
// "real modules, preset grpc-service" or "synthetic modules"; "" for
// results written before presets existed (their params have no "deps").
std::string dependencies_words(const nlohmann::json& fixture_params);

// Short "label: value" lines describing the environment, for footers.
std::vector<std::pair<std::string, std::string>> environment_facts(const ReportModel& model);

// The heading of one table: "cold", "cold, sweep value 4", and with several
// engines "cold on 28.5".
std::string table_heading(const ReportModel& model, const std::string& engine, const std::string& series,
                          const std::string& kind);
// Where a cell is, for warnings and step tables: "cold / fast",
// "28.5 / cold / fast" with several engines, the sweep value too with one.
std::string cell_place(const ReportModel& model, const Cell& cell);

}  // namespace buildbench::report
