// `buildbench report RESULTS... --out DIR`: tables, figures and machine-readable
// summaries from one or more results files of one scenario.
#include <chrono>
#include <ctime>
#include <memory>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "report/model.h"
#include "report/summary_table.h"
#include "report/writers.h"
#include "runner/results.h"
#include "scenario/scenario.h"

namespace buildbench::cli {
namespace {

struct ReportCommandOptions {
  std::vector<std::string> results;
  std::string out;
  std::string baseline;
  std::string scenario;  // take the claims from this scenario file
  bool no_png = false;
};

std::string utc_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

int run_report(const ReportCommandOptions& options) {
  // A file that cannot be read is skipped with a message: the others still
  // make a report.
  std::vector<runner::ResultsFile> files;
  for (const auto& path : options.results) {
    auto file = runner::read_results(path);
    if (!file) {
      print_error(file.error().message + " (skipped)");
      continue;
    }
    for (const auto& warning : file->warnings) print_warning(warning);
    files.push_back(std::move(file).value());
  }
  if (files.empty()) {
    print_error("no readable results file: nothing to report");
    return kExitBadInput;
  }
  report::ReportOptions report_options;
  report_options.baseline = options.baseline;
  if (!options.scenario.empty()) {
    auto loaded = scenario::load_scenario(options.scenario);
    if (!loaded.ok()) {
      print_error(loaded.report(options.scenario));
      return kExitBadInput;
    }
    const auto& header = files.front().header;
    if (loaded.scenario->scenario_hash != header.scenario_hash) {
      print_warning(fmt::format("{} is not the scenario file the results were run with (hash {}, the results say {}): "
                                "its claims are judged on these results anyway",
                                options.scenario, loaded.scenario->scenario_hash.substr(0, 12),
                                header.scenario_hash.substr(0, 12)));
    }
    if (header.claims.is_array() && !header.claims.empty()) {
      print_warning(fmt::format("the results header has claims of its own; --scenario {} replaces them", options.scenario));
    }
    report_options.claims = loaded.scenario->claims;
    report_options.claims_source = "scenario file " + options.scenario;
  }
  report_options.generated_at = utc_now();
  auto model = report::build_report(files, report_options);
  if (!model) {
    print_error(model.error().message);
    return kExitBadInput;
  }
  report::WriteOptions write_options;
  if (options.no_png) write_options.png_converter = "none";
  auto written = report::write_report(*model, options.out, write_options);
  if (!written) {
    print_error(written.error().message);
    return kExitFailure;
  }
  for (const auto& cell : model->cells) {
    if (cell.ok_count == 0) print_warning(report::cell_place(*model, cell) + ": no successful samples");
  }
  fmt::print("wrote {} files to {} ({} PNG figures)\n  open {}/report.html\n", written->files.size(), options.out,
             written->pngs, options.out);
  if (model->several_engines()) {
    fmt::print("engines: {} (the reference first); engines side by side in report.md, report.html and engines.csv\n",
               fmt::join(model->engines, ", "));
    for (const auto& difference : report::claim_differences(*model)) fmt::print("  verdicts differ: {}\n", difference);
  }
  if (auto line = report::harness_time_line(*model); !line.empty()) fmt::print("{}\n", line);
  return kExitOk;
}

}  // namespace

void register_report_command(CLI::App& app) {
  auto options = std::make_shared<ReportCommandOptions>();
  auto* command = app.add_subcommand("report", "Write tables, figures and summaries from results files");
  command->add_option("results", options->results, "results.jsonl files of one scenario (shards are merged)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("-o,--out", options->out, "Output directory")->required();
  command->add_option("--baseline", options->baseline,
                      "Variant the others are compared to (default: the scenario's baseline)");
  command->add_option("--scenario", options->scenario,
                      "Judge the claims of this scenario file (for results whose header has none, or to judge new claims)")
      ->check(CLI::ExistingFile);
  command->add_flag("--no-png", options->no_png, "Do not convert figures to PNG even when rsvg-convert is installed");
  command->callback([options] { finish(run_report(*options)); });
}

}  // namespace buildbench::cli
