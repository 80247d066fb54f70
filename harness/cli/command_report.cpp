// `buildbench report RESULTS... --out DIR [--beside NAME=RESULTS]`: tables,
// figures and machine-readable summaries from one or more results files of
// one scenario, optionally beside the same claims measured in other worlds.
#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "report/model.h"
#include "report/summary_table.h"
#include "report/worlds.h"
#include "report/writers.h"
#include "runner/results.h"
#include "scenario/scenario.h"
#include "util/result.h"

namespace buildbench::cli {
namespace {

struct ReportCommandOptions {
  std::vector<std::string> results;
  std::string out;
  std::string baseline;
  std::string scenario;  // take the claims from this scenario file
  std::vector<std::string> beside;  // NAME=RESULTS: the same claims measured in another world
  std::string world;                // the name of this report's world (default: from its header)
  bool no_png = false;
};

struct BesideWorld {
  std::string name;
  std::string path;
};

// "toy=toy/results.jsonl" -> {toy, toy/results.jsonl}; the message says what is wrong.
util::Result<BesideWorld> parse_beside(const std::string& text) {
  auto equals = text.find('=');
  if (equals == std::string::npos) {
    return util::error(fmt::format("--beside '{}' needs NAME=RESULTS, e.g. --beside toy=toy/results.jsonl", text));
  }
  BesideWorld world{text.substr(0, equals), text.substr(equals + 1)};
  if (world.name.empty()) {
    return util::error(fmt::format("--beside '{}' has an empty world name: NAME=RESULTS, e.g. --beside toy={}", text,
                                   world.path.empty() ? "toy/results.jsonl" : world.path));
  }
  if (world.path.empty()) {
    return util::error(fmt::format("--beside '{}' names no results file: NAME=RESULTS, e.g. --beside {}=toy/results.jsonl",
                                   text, world.name));
  }
  return world;
}

std::string utc_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The other worlds' reports, read and built as the main one is; the first
// problem ends the command (exit 2), naming the world and its file.
util::Result<std::vector<report::ReportModel>> beside_models(const std::vector<BesideWorld>& worlds,
                                                             const report::ReportOptions& report_options) {
  std::vector<report::ReportModel> models;
  for (const auto& world : worlds) {
    auto file = runner::read_results(world.path);
    if (!file) return util::error(fmt::format("--beside {}: {}", world.name, file.error().message));
    for (const auto& warning : file->warnings) print_warning(fmt::format("--beside {}: {}", world.name, warning));
    std::vector<runner::ResultsFile> files;
    files.push_back(std::move(file).value());
    auto model = report::build_report(files, report_options);
    if (!model) return util::error(fmt::format("--beside {} ({}): {}", world.name, world.path, model.error().message));
    models.push_back(std::move(model).value());
  }
  return models;
}

int run_report(const ReportCommandOptions& options) {
  // --beside is checked before anything is read, so a typo costs nothing.
  std::vector<BesideWorld> beside;
  for (const auto& text : options.beside) {
    auto world = parse_beside(text);
    if (!world) {
      print_error(world.error().message);
      return kExitBadInput;
    }
    for (const auto& other : beside) {
      if (other.name == world->name) {
        print_error(fmt::format("--beside names the world '{}' twice ({} and {}); give each world its own name",
                                world->name, other.path, world->path));
        return kExitBadInput;
      }
    }
    beside.push_back(std::move(world).value());
  }
  if (!options.world.empty() && beside.empty()) {
    print_warning("--world names this report's world only for --beside: ignored without it");
  }
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
  std::vector<report::ReportModel> others;
  if (!beside.empty()) {
    const std::string own_name = options.world.empty() ? report::default_world_name(*model) : options.world;
    for (const auto& world : beside) {
      if (world.name == own_name) {
        print_error(fmt::format("--beside {}={}: '{}' is the name of this report's world ({}); name the other world "
                                "differently, or this one with --world NAME",
                                world.name, world.path, own_name,
                                options.world.empty() ? "derived from its results header" : "--world"));
        return kExitBadInput;
      }
    }
    auto models = beside_models(beside, report_options);
    if (!models) {
      print_error(models.error().message);
      return kExitBadInput;
    }
    others = std::move(models).value();
    std::vector<report::World> worlds = {{own_name, &*model}};
    for (size_t i = 0; i < beside.size(); ++i) worlds.push_back({beside[i].name, &others[i]});
    auto comparison = report::compare_worlds(worlds);
    if (!comparison) {
      print_error(comparison.error().message);
      return kExitBadInput;
    }
    model->worlds = std::move(comparison).value();
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
  if (!model->worlds.empty()) {
    std::vector<std::string> names;
    for (const auto& facts : model->worlds.worlds) names.push_back(facts.name);
    fmt::print("worlds: {} (this report first); the claims side by side in report.md, report.html and summary.json\n",
               fmt::join(names, ", "));
    if (!model->worlds.engines_note.empty()) fmt::print("  {}\n", model->worlds.engines_note);
    for (const auto& difference : model->worlds.differences) {
      fmt::print("  verdicts differ: {}{}: {}\n", difference.claim_id,
                 difference.engine.empty() ? "" : " on " + report::engine_label(difference.engine), difference.verdicts);
    }
    if (!model->worlds.agreement.empty()) fmt::print("  {}\n", model->worlds.agreement);
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
  command->add_option("--beside", options->beside,
                      "NAME=RESULTS: the same claims measured in another world (e.g. toy=toy/results.jsonl), shown "
                      "side by side with why verdicts differ; repeat for more worlds");
  command->add_option("--world", options->world,
                      "Name of this report's world beside the others (default: realistic with a dependency preset, "
                      "toy otherwise)");
  command->add_flag("--no-png", options->no_png, "Do not convert figures to PNG even when rsvg-convert is installed");
  command->callback([options] { finish(run_report(*options)); });
}

}  // namespace buildbench::cli
