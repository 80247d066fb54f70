// `buildbench compare BASELINE CANDIDATE`: the CI gate. Exit 1 when a change
// is significant and beyond the threshold, 2 when the runs cannot be compared
// (different scenarios or machines without --force, different engines
// without --across-engines).
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "report/compare_runs.h"
#include "report/engines.h"
#include "runner/results.h"

namespace buildbench::cli {
namespace {

struct CompareCommandOptions {
  std::string baseline;
  std::string candidate;
  double threshold_percent = 5;
  double alpha = 0.05;
  std::string metric = "wall";
  std::string markdown;
  std::string junit;
  bool force = false;
  bool across_engines = false;
};

template <typename Writer>
bool write_file(const std::string& path, Writer writer) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  writer(out);
  out.close();
  if (!out) print_error("cannot write " + path);
  return static_cast<bool>(out);
}

std::string engines_text(const std::vector<std::string>& engines) {
  std::string text;
  for (const auto& engine : engines) text += (text.empty() ? "engine " : ", ") + report::engine_label(engine);
  return text;
}

int run_compare(const CompareCommandOptions& options) {
  auto metric = report::parse_compare_metric(options.metric);
  if (!metric) {
    print_error(metric.error().message);
    return kExitBadInput;
  }
  auto baseline = runner::read_results(options.baseline);
  if (!baseline) {
    print_error("baseline: " + baseline.error().message);
    return kExitBadInput;
  }
  auto candidate = runner::read_results(options.candidate);
  if (!candidate) {
    print_error("candidate: " + candidate.error().message);
    return kExitBadInput;
  }
  for (const auto& warning : baseline->warnings) print_warning(warning);
  for (const auto& warning : candidate->warnings) print_warning(warning);

  report::CompareRunsOptions compare_options;
  compare_options.metric = *metric;
  compare_options.threshold = options.threshold_percent / 100;
  compare_options.alpha = options.alpha;
  compare_options.force = options.force;
  compare_options.across_engines = options.across_engines;
  auto result = report::compare_runs({*baseline}, {*candidate}, compare_options);
  if (!result) {
    print_error(result.error().message);
    return kExitBadInput;
  }
  report::write_compare_text(*result, std::cout);
  std::cout.flush();
  bool written = true;
  if (!options.markdown.empty()) {
    written &= write_file(options.markdown, [&](std::ostream& out) { report::write_compare_markdown(*result, out); });
  }
  if (!options.junit.empty()) {
    written &= write_file(options.junit, [&](std::ostream& out) { report::write_compare_junit(*result, out); });
  }
  if (!result->engine_mismatch.empty()) {
    print_error(fmt::format("{} ({}) and {} ({}): {}", options.baseline, engines_text(result->baseline_engines),
                            options.candidate, engines_text(result->candidate_engines), result->engine_mismatch));
  } else if (!result->comparable()) {
    print_error("the runs cannot be compared; --force compares them anyway");
  } else if (result->across_engines) {
    print_warning("compared " + result->across_engines_words() +
                  " (--across-engines): the verdicts reflect the engines as well as the change");
  }
  if (result->comparable() && result->forced && !result->incompatibilities.empty()) {
    print_warning("comparing runs that differ (--force): the verdicts may reflect the difference, not the change");
  }
  int code = result->exit_code();
  if (code == kExitOk && !written) code = kExitFailure;
  return code;
}

}  // namespace

void register_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareCommandOptions>();
  auto* command = app.add_subcommand(
      "compare",
      "Compare a candidate run with a baseline run (CI gate): exit 1 on a significant change beyond the threshold, "
      "2 when the runs cannot be compared");
  command->add_option("baseline", options->baseline, "Baseline results.jsonl")->required()->check(CLI::ExistingFile);
  command->add_option("candidate", options->candidate, "Candidate results.jsonl")->required()->check(CLI::ExistingFile);
  command->add_option("--threshold", options->threshold_percent, "Relative change that matters, in percent")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  command->add_option("--alpha", options->alpha, "Significance level of the Mann-Whitney U test")
      ->check(CLI::Range(0.000001, 0.999999))
      ->capture_default_str();
  command->add_option("--metric", options->metric, "Metric to compare")
      ->check(CLI::IsMember({"wall", "daemon-span", "context-bytes", "image-size"}))
      ->capture_default_str();
  command->add_option("--markdown", options->markdown, "Also write a Markdown summary (pull-request comment)");
  command->add_option("--junit", options->junit, "Also write JUnit XML (CI dashboards)");
  command->add_flag("--force", options->force, "Compare even when scenario or environment differ");
  command->add_flag("--across-engines", options->across_engines,
                    "Compare a baseline measured on one Docker engine with a candidate measured on another");
  command->callback([options] { finish(run_compare(*options)); });
}

}  // namespace buildbench::cli
