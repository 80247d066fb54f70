#include "report/compare_runs.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "report/format.h"

namespace buildbench::report {
namespace {

Metric model_metric(CompareMetric metric) {
  switch (metric) {
    case CompareMetric::Wall: return Metric::Wall;
    case CompareMetric::DaemonSpan: return Metric::DaemonSpan;
    case CompareMetric::ContextBytes: return Metric::ContextBytes;
    case CompareMetric::ImageSize: return Metric::ImageSize;
  }
  return Metric::Wall;
}

std::vector<double> metric_values(const Cell* cell, Metric metric) {
  std::vector<double> values;
  if (cell == nullptr) return values;
  for (const auto& sample : cell->samples) {
    if (auto value = metric_value(sample, metric)) values.push_back(*value);
  }
  return values;
}

std::string side_label(const std::vector<runner::ResultsFile>& files) {
  std::string label;
  for (const auto& file : files) {
    if (!label.empty()) label += ", ";
    label += file.path.filename().string();
  }
  const auto& commit = files.front().header.harness_commit;
  if (!commit.empty()) label += " (commit " + commit.substr(0, 12) + ")";
  return label;
}

std::string env_text(const nlohmann::json& environment, const char* key) {
  if (!environment.is_object() || !environment.contains(key)) return "";
  const auto& value = environment[key];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return value.dump();
  return "";
}

// Differences that change build times by themselves: comparing across them
// would blame (or credit) the change under test for the machine. The engine
// is judged apart (engine_mismatch); `skip_engine_version` when it was.
std::vector<std::string> incompatibilities(const runner::ResultsHeader& baseline, const runner::ResultsHeader& candidate,
                                           bool skip_engine_version) {
  std::vector<std::string> reasons;
  if (baseline.scenario_hash != candidate.scenario_hash) {
    reasons.push_back(fmt::format("different scenarios: baseline '{}' (sha256 {}), candidate '{}' (sha256 {})",
                                  baseline.scenario_name, baseline.scenario_hash.substr(0, 12),
                                  candidate.scenario_name, candidate.scenario_hash.substr(0, 12)));
  }
  const std::pair<const char*, const char*> material[] = {{"engine_version", "engine version"},
                                                          {"host_cpus", "CPU count"},
                                                          {"host_cpu_model", "CPU model"},
                                                          {"daemon_cpus", "daemon CPU count"},
                                                          {"storage_driver", "storage driver"}};
  for (const auto& [key, label] : material) {
    if (skip_engine_version && std::string_view(key) == "engine_version") continue;
    std::string a = env_text(baseline.environment, key);
    std::string b = env_text(candidate.environment, key);
    if (!a.empty() && !b.empty() && a != b) {
      reasons.push_back(fmt::format("different {}: baseline '{}', candidate '{}'", label, a, b));
    }
  }
  return reasons;
}

std::string engine_list(const std::vector<std::string>& engines) {
  std::string text;
  for (const auto& engine : engines) text += (text.empty() ? "" : ", ") + engine_label(engine);
  return text;
}

bool names_engines(const std::vector<std::string>& engines) {
  return std::any_of(engines.begin(), engines.end(), [](const std::string& engine) { return !engine.empty(); });
}

int64_t to_int(double value) {
  if (value >= 9.2e18) return std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(std::llround(value));
}

void judge_exact(CompareRow& row, const std::vector<double>& base, const std::vector<double>& cand,
                 const CompareRunsOptions& options) {
  std::vector<int64_t> base_int;
  std::vector<int64_t> cand_int;
  for (double value : base) base_int.push_back(to_int(value));
  for (double value : cand) cand_int.push_back(to_int(value));
  auto exact = stats::compare_exact(base_int, cand_int);
  if (!exact) {
    row.verdict = exact.error().message;
    return;
  }
  row.exact = *exact;
  if (exact->equal) {
    row.verdict = "equal";
    return;
  }
  double relative = exact->baseline == 0 ? std::numeric_limits<double>::infinity()
                                         : static_cast<double>(exact->difference) / static_cast<double>(exact->baseline);
  if (std::fabs(relative) <= options.threshold) {
    row.verdict = std::string(stats::verdict_label(stats::Verdict::WithinThreshold));
  } else if (relative > 0) {
    row.verdict = std::string(stats::verdict_label(stats::Verdict::Regressed));
    row.fails_gate = true;
  } else {
    row.verdict = std::string(stats::verdict_label(stats::Verdict::Improved));
  }
}

}  // namespace

util::Result<CompareMetric> parse_compare_metric(std::string_view name) {
  if (name == "wall") return CompareMetric::Wall;
  if (name == "daemon-span") return CompareMetric::DaemonSpan;
  if (name == "context-bytes") return CompareMetric::ContextBytes;
  if (name == "image-size") return CompareMetric::ImageSize;
  return util::error(fmt::format("unknown metric '{}' (wall, daemon-span, context-bytes, image-size)", name));
}

std::string_view compare_metric_name(CompareMetric metric) {
  switch (metric) {
    case CompareMetric::Wall: return "wall";
    case CompareMetric::DaemonSpan: return "daemon-span";
    case CompareMetric::ContextBytes: return "context-bytes";
    case CompareMetric::ImageSize: return "image-size";
  }
  return "wall";
}

size_t CompareReport::regressions() const {
  return static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [](const auto& row) { return row.fails_gate; }));
}

size_t CompareReport::improvements() const {
  return static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [](const auto& row) {
    return row.verdict == stats::verdict_label(stats::Verdict::Improved);
  }));
}

std::string CompareReport::across_engines_words() const {
  if (!across_engines) return "";
  return fmt::format("across engines: {} (base) vs {} (head)", engine_list(baseline_engines), engine_list(candidate_engines));
}

int CompareReport::exit_code() const {
  if (!comparable()) return 2;
  return regressions() > 0 ? 1 : 0;
}

util::Result<CompareReport> compare_runs(const std::vector<runner::ResultsFile>& baseline,
                                         const std::vector<runner::ResultsFile>& candidate,
                                         const CompareRunsOptions& options) {
  if (baseline.empty()) return util::error("no baseline results");
  if (candidate.empty()) return util::error("no candidate results");
  if (options.threshold < 0 || !std::isfinite(options.threshold)) return util::error("the threshold must be >= 0");
  if (!(options.alpha > 0 && options.alpha < 1)) return util::error("alpha must be between 0 and 1");

  CompareReport report;
  report.metric = options.metric;
  report.threshold = options.threshold;
  report.alpha = options.alpha;
  report.forced = options.force;
  report.baseline_label = side_label(baseline);
  report.candidate_label = side_label(candidate);
  report.baseline_engines = engines_of(baseline);
  report.candidate_engines = engines_of(candidate);
  // Engines named on both sides and none in common: the engine alone changes
  // build times, so such runs are compared only on request, one with one.
  bool disjoint = names_engines(report.baseline_engines) && names_engines(report.candidate_engines);
  for (const auto& engine : report.baseline_engines) {
    if (std::find(report.candidate_engines.begin(), report.candidate_engines.end(), engine) !=
        report.candidate_engines.end()) {
      disjoint = false;
    }
  }
  if (disjoint) {
    const bool one_each = report.baseline_engines.size() == 1 && report.candidate_engines.size() == 1;
    if (!options.across_engines) {
      report.engine_mismatch = fmt::format(
          "different engines: the baseline was measured on {} and the candidate on {}; the engine changes build "
          "times by itself (--across-engines compares them anyway)",
          engine_list(report.baseline_engines), engine_list(report.candidate_engines));
    } else if (!one_each) {
      report.engine_mismatch = fmt::format(
          "--across-engines compares one engine with another, but the baseline has {} and the candidate {}",
          engine_list(report.baseline_engines), engine_list(report.candidate_engines));
    } else {
      report.across_engines = true;
    }
  }
  report.incompatibilities =
      incompatibilities(baseline.front().header, candidate.front().header, disjoint || report.several_engines());
  if (!report.comparable()) return report;

  // Each side is one scenario; build_report refuses mixtures within a side.
  auto base_model = build_report(baseline);
  if (!base_model) return util::error("baseline: " + base_model.error().message);
  auto cand_model = build_report(candidate);
  if (!cand_model) return util::error("candidate: " + cand_model.error().message);
  for (const auto& note : base_model->notes) report.notes.push_back("baseline: " + note);
  for (const auto& note : cand_model->notes) report.notes.push_back("candidate: " + note);

  Metric metric = model_metric(options.metric);
  stats::CompareOptions compare_options;
  compare_options.threshold = options.threshold;
  compare_options.alpha = options.alpha;
  compare_options.bootstrap = options.bootstrap;

  // Cells are matched per engine, rows named by the engine. Across engines
  // (one each) the rows carry the baseline's; a side that does not name its
  // engine (results from before engines were recorded) has one, matched
  // with each engine of the other side.
  const bool base_unnamed = !names_engines(report.baseline_engines);
  const bool cand_unnamed = !names_engines(report.candidate_engines);
  std::vector<std::string> row_engines;
  if (report.across_engines || (cand_unnamed && !base_unnamed)) {
    row_engines = report.across_engines ? std::vector<std::string>{report.baseline_engines.front()} : report.baseline_engines;
  } else if (base_unnamed && !cand_unnamed) {
    row_engines = report.candidate_engines;
  } else {
    row_engines = report.baseline_engines;
    for (const auto& engine : report.candidate_engines) {
      if (std::find(row_engines.begin(), row_engines.end(), engine) == row_engines.end()) row_engines.push_back(engine);
    }
  }
  auto base_engine_of = [&](const std::string& engine) {
    return report.across_engines || base_unnamed ? report.baseline_engines.front() : engine;
  };
  auto cand_engine_of = [&](const std::string& engine) {
    return report.across_engines || cand_unnamed ? report.candidate_engines.front() : engine;
  };
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> keys;
  for (const auto& engine : row_engines) {
    for (const auto& [model, side_engine] : {std::pair{&*base_model, base_engine_of(engine)},
                                             std::pair{&*cand_model, cand_engine_of(engine)}}) {
      for (const auto& cell : model->cells) {
        if (cell.engine != side_engine) continue;
        std::tuple<std::string, std::string, std::string, std::string> key{engine, cell.series, cell.kind, cell.variant};
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
      }
    }
  }
  for (const auto& [engine, series, kind, variant] : keys) {
    CompareRow row;
    row.engine = engine;
    row.series = series;
    row.kind = kind;
    row.variant = variant;
    const Cell* base_cell = base_model->find(base_engine_of(engine), series, variant, kind);
    const Cell* cand_cell = cand_model->find(cand_engine_of(engine), series, variant, kind);
    auto base = metric_values(base_cell, metric);
    auto cand = metric_values(cand_cell, metric);
    row.baseline_count = base.size();
    row.candidate_count = cand.size();
    if (!base.empty()) row.baseline_median = stats::median(base);
    if (!cand.empty()) row.candidate_median = stats::median(cand);
    if (base_cell == nullptr) {
      row.verdict = "missing in baseline";
    } else if (cand_cell == nullptr) {
      row.verdict = "missing in candidate";
    } else if (base.empty()) {
      row.verdict = "no successful samples in baseline";
    } else if (cand.empty()) {
      // A build that used to work and now fails is the worst regression.
      row.verdict = cand_cell->ok_count == 0 ? "candidate builds failed" : "metric missing in candidate";
      row.fails_gate = cand_cell->ok_count == 0;
    } else if (metric_is_exact(metric) && *std::min_element(base.begin(), base.end()) == *std::max_element(base.begin(), base.end()) &&
               *std::min_element(cand.begin(), cand.end()) == *std::max_element(cand.begin(), cand.end())) {
      judge_exact(row, base, cand, options);
    } else {
      auto comparison = stats::compare_samples(base, cand, compare_options);
      if (comparison) {
        row.comparison = *comparison;
        row.verdict = std::string(stats::verdict_label(comparison->verdict));
        row.fails_gate = comparison->fails_gate();
      } else {
        row.verdict = "not comparable: " + comparison.error().message;
      }
    }
    report.rows.push_back(std::move(row));
  }
  return report;
}

namespace {

std::string value_text(CompareMetric metric, const std::optional<double>& value) {
  if (!value) return "-";
  if (metric == CompareMetric::ContextBytes || metric == CompareMetric::ImageSize) return format_bytes(*value);
  return format_seconds(*value);
}

std::string change_text(const CompareRow& row) {
  if (row.comparison) {
    const auto& ratio = row.comparison->ratio;
    return fmt::format("{} ({} – {})", format_ratio(ratio.ratio), format_ratio(ratio.ci_low), format_ratio(ratio.ci_high));
  }
  if (row.exact) return row.exact->describe();
  return "-";
}

std::string p_text(const CompareRow& row) {
  return row.comparison ? format_p_value(row.comparison->test.p_value) : row.exact ? "exact" : "-";
}

std::string where(const CompareReport& report, const CompareRow& row) {
  std::string text = row.kind + " / " + row.variant;
  if (!row.series.empty()) text = row.series + " / " + text;
  if (report.several_engines()) text = engine_label(row.engine) + " / " + text;
  return text;
}

std::string summary_line(const CompareReport& report) {
  if (!report.engine_mismatch.empty()) return "the runs cannot be compared: " + report.engine_mismatch;
  if (!report.comparable()) return "the runs cannot be compared (use --force to compare anyway)";
  std::string across = report.across_engines ? report.across_engines_words() + ": " : "";
  size_t regressions = report.regressions();
  if (regressions == 0) {
    return fmt::format("{}no significant regression beyond {:g}%", across, report.threshold * 100);
  }
  return fmt::format("{}{} regression{} (significant and beyond {:g}%)", across, regressions, regressions == 1 ? "" : "s",
                     report.threshold * 100);
}

std::string side_engines(const std::vector<std::string>& engines) {
  if (!names_engines(engines)) return "";
  return fmt::format(", engine{} {}", engines.size() == 1 ? "" : "s", engine_list(engines));
}

}  // namespace

void write_compare_text(const CompareReport& report, std::ostream& out) {
  out << fmt::format("baseline:  {}{}\ncandidate: {}{}\nmetric: {}, threshold {:g}%, alpha {:g}\n", report.baseline_label,
                     side_engines(report.baseline_engines), report.candidate_label,
                     side_engines(report.candidate_engines), compare_metric_name(report.metric), report.threshold * 100,
                     report.alpha);
  if (!report.engine_mismatch.empty()) out << "incomparable: " << report.engine_mismatch << "\n";
  for (const auto& reason : report.incompatibilities) out << "incomparable: " << reason << "\n";
  if (report.across_engines) out << report.across_engines_words() << "\n";
  if (!report.rows.empty()) {
    out << fmt::format("\n{:<36} {:>12} {:>12} {:>28} {:>8}  {}\n",
                       report.several_engines() ? "engine / kind / variant" : "kind / variant", "baseline", "candidate",
                       "ratio (95% CI)", "p", "verdict");
    for (const auto& row : report.rows) {
      out << fmt::format("{:<36} {:>12} {:>12} {:>28} {:>8}  {}\n", where(report, row), value_text(report.metric, row.baseline_median),
                         value_text(report.metric, row.candidate_median), change_text(row), p_text(row), row.verdict);
    }
  }
  for (const auto& note : report.notes) out << "note: " << note << "\n";
  out << "\nresult: " << summary_line(report) << "\n";
}

void write_compare_markdown(const CompareReport& report, std::ostream& out) {
  out << fmt::format("### buildbench compare: {}\n\n", compare_metric_name(report.metric));
  out << fmt::format("Baseline {}{} vs candidate {}{}; a change fails the gate when it is significant (Mann-Whitney U, "
                     "alpha {:g}) and beyond {:g}%.\n\n",
                     markdown_cell(report.baseline_label), markdown_cell(side_engines(report.baseline_engines)),
                     markdown_cell(report.candidate_label), markdown_cell(side_engines(report.candidate_engines)),
                     report.alpha, report.threshold * 100);
  if (report.across_engines) out << "**Compared " << markdown_cell(report.across_engines_words()) << "**.\n\n";
  if (!report.engine_mismatch.empty()) out << "- **incomparable**: " << markdown_cell(report.engine_mismatch) << "\n";
  for (const auto& reason : report.incompatibilities) out << "- **incomparable**: " << markdown_cell(reason) << "\n";
  if (!report.incompatibilities.empty() || !report.engine_mismatch.empty()) out << "\n";
  if (!report.rows.empty()) {
    out << "| kind | variant | baseline | candidate | ratio (95% CI) | p | verdict |\n";
    out << "|---|---|--:|--:|--:|--:|---|\n";
    for (const auto& row : report.rows) {
      std::string kind = row.series.empty() ? row.kind : row.kind + " (" + row.series + ")";
      if (report.several_engines()) kind = engine_label(row.engine) + " / " + kind;
      std::string verdict = row.fails_gate ? "**" + row.verdict + "**" : row.verdict;
      out << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(kind), markdown_cell(row.variant),
                         value_text(report.metric, row.baseline_median), value_text(report.metric, row.candidate_median),
                         markdown_cell(change_text(row)), p_text(row), markdown_cell(verdict));
    }
    out << "\n";
  }
  out << "**Result:** " << summary_line(report) << ".\n";
}

void write_compare_junit(const CompareReport& report, std::ostream& out) {
  size_t failures = report.regressions();
  size_t errors = report.comparable() ? 0 : 1;
  size_t tests = report.rows.size() + errors;
  std::string suite = fmt::format("buildbench compare ({})", compare_metric_name(report.metric));
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", xml_escape(suite), tests,
                     failures, errors);
  out << fmt::format("<testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">\n",
                     xml_escape(suite), tests, failures, errors);
  if (!report.comparable()) {
    std::vector<std::string> all = report.incompatibilities;
    if (!report.engine_mismatch.empty()) all.insert(all.begin(), report.engine_mismatch);
    std::string reasons;
    for (const auto& reason : all) reasons += reason + "\n";
    out << fmt::format("<testcase classname=\"buildbench.inputs\" name=\"comparable\"><error message=\"{}\">{}</error></testcase>\n",
                       xml_escape(all.front()), xml_escape(reasons));
  }
  for (const auto& row : report.rows) {
    std::string classname = "buildbench." + (report.several_engines() ? row.engine + "." : "") + row.kind +
                            (row.series.empty() ? "" : "." + row.series);
    double seconds = report.metric == CompareMetric::Wall || report.metric == CompareMetric::DaemonSpan
                         ? row.candidate_median.value_or(0)
                         : 0;
    std::string detail = fmt::format("baseline {}, candidate {}, ratio {}, p {}: {}", value_text(report.metric, row.baseline_median),
                                     value_text(report.metric, row.candidate_median), change_text(row), p_text(row), row.verdict);
    out << fmt::format("<testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">", xml_escape(classname),
                       xml_escape(row.variant), seconds);
    if (row.fails_gate) {
      out << fmt::format("<failure message=\"{}\">{}</failure>", xml_escape(row.verdict), xml_escape(detail));
    } else {
      out << fmt::format("<system-out>{}</system-out>", xml_escape(detail));
    }
    out << "</testcase>\n";
  }
  out << "</testsuite>\n</testsuites>\n";
}

}  // namespace buildbench::report
