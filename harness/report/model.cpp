#include "report/model.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "engine/catalog.h"

namespace buildbench::report {

const Cell* ReportModel::find(std::string_view series_value, std::string_view variant,
                              std::string_view kind) const {
  return find(engines.empty() ? std::string_view() : std::string_view(engines.front()), series_value, variant, kind);
}

const Cell* ReportModel::find(std::string_view engine, std::string_view series_value, std::string_view variant,
                              std::string_view kind) const {
  for (const auto& cell : cells) {
    if (cell.engine == engine && cell.series == series_value && cell.variant == variant && cell.kind == kind) {
      return &cell;
    }
  }
  return nullptr;
}

runner::SampleEngine ReportModel::versions_of(std::string_view engine) const {
  for (size_t i = 0; i < engines.size() && i < engine_versions.size(); ++i) {
    if (engines[i] == engine) return engine_versions[i];
  }
  runner::SampleEngine unknown;
  unknown.name = std::string(engine);
  return unknown;
}

size_t ReportModel::variant_index(std::string_view variant) const {
  auto found = std::find(variants.begin(), variants.end(), variant);
  return static_cast<size_t>(found - variants.begin());
}

namespace {

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

std::vector<double> values_of(const Cell& cell, Metric metric) {
  std::vector<double> values;
  for (const auto& sample : cell.samples) {
    if (auto value = metric_value(sample, metric)) values.push_back(*value);
  }
  return values;
}

// The sample shown in step tables and waterfalls: the successful one whose
// wall time is the lower median, so it is a real build, not an average.
std::optional<size_t> pick_median_sample(const Cell& cell) {
  std::vector<std::pair<double, size_t>> ok;
  for (size_t i = 0; i < cell.samples.size(); ++i) {
    if (cell.samples[i].record.ok) ok.emplace_back(cell.samples[i].record.wall_s, i);
  }
  if (ok.empty()) return std::nullopt;
  std::sort(ok.begin(), ok.end());
  return ok[(ok.size() - 1) / 2].second;
}

void summarize_cell(Cell& cell, const ReportOptions& options) {
  for (const auto& sample : cell.samples) {
    if (sample.record.ok) {
      ++cell.ok_count;
    } else {
      ++cell.failed_count;
    }
  }
  for (Metric metric : kAllMetrics) {
    auto values = values_of(cell, metric);
    if (values.empty()) continue;
    auto summary = stats::summarize(values);
    if (summary) cell.summaries[static_cast<size_t>(metric)] = std::move(*summary);
  }
  std::vector<double> totals;
  for (const auto& sample : cell.samples) {
    if (sample.record.ok) totals.push_back(static_cast<double>(sample.record.total_steps));
  }
  if (!totals.empty()) cell.total_steps = stats::median(totals);
  cell.median_sample = pick_median_sample(cell);

  if (cell.ok_count == 0) {
    std::string first_error;
    for (const auto& sample : cell.samples) {
      if (!sample.record.error.empty()) {
        first_error = sample.record.error;
        break;
      }
    }
    cell.warnings.push_back({"no_successful_samples",
                             fmt::format("no successful samples ({} failed{}{})", cell.failed_count,
                                         first_error.empty() ? "" : ": ", first_error)});
  } else if (cell.failed_count > 0) {
    std::string first_error;
    for (const auto& sample : cell.samples) {
      if (!sample.record.ok) {
        first_error = sample.record.error;
        break;
      }
    }
    cell.warnings.push_back({"failed_builds", fmt::format("{} of {} builds failed (first: {}); statistics use the {} that succeeded",
                                                          cell.failed_count, cell.samples.size(),
                                                          first_error.empty() ? "no message" : first_error,
                                                          cell.ok_count)});
  }
  if (cell.ok_count > 0) {
    auto wall = values_of(cell, Metric::Wall);
    auto checks = stats::check_samples(wall, options.thresholds);
    if (checks) {
      for (const auto& warning : *checks) {
        cell.warnings.push_back({std::string(stats::warning_id(warning.kind)), "wall time: " + warning.message});
      }
    }
  }
  // Sanity warnings from the runner ("warm build not fully cached"), counted
  // so ten identical warnings read as one line.
  std::vector<std::pair<std::string, size_t>> sanity;
  for (const auto& sample : cell.samples) {
    for (const auto& text : sample.warnings) {
      auto found = std::find_if(sanity.begin(), sanity.end(), [&](const auto& entry) { return entry.first == text; });
      if (found == sanity.end()) {
        sanity.emplace_back(text, 1);
      } else {
        ++found->second;
      }
    }
  }
  for (const auto& [text, count] : sanity) {
    cell.warnings.push_back({"sanity", count == 1 ? text : fmt::format("{} ({} samples)", text, count)});
  }
}

}  // namespace

namespace {

// The warnings BuildKit attached to the samples, once per engine, variant and text.
std::vector<BuildCheck> collect_build_checks(const std::vector<std::string>& engines,
                                             const std::vector<std::string>& variants,
                                             const std::vector<runner::ResultsFile>& files) {
  std::vector<BuildCheck> checks;
  for (const auto& engine : engines) {
    for (const auto& variant : variants) {
      for (const auto& file : files) {
        for (const auto& sample : file.samples) {
          if (sample.warmup || sample.variant != variant || sample_engine(file.header, sample) != engine) continue;
          for (const auto& warning : sample.record.warnings) {
            auto found = std::find_if(checks.begin(), checks.end(), [&](const BuildCheck& check) {
              return check.engine == engine && check.variant == variant && check.message == warning.message;
            });
            if (found == checks.end()) {
              found = checks.insert(checks.end(), BuildCheck{engine, variant, warning.message, warning.url, 0});
            }
            ++found->samples;
          }
        }
      }
    }
  }
  return checks;
}

std::string json_string(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

// The engine a header's environment names; files from before engines had
// names say only the daemon's release ("20.10.24+dfsg1": 20.10).
std::string environment_engine(const nlohmann::json& environment) {
  if (auto name = json_string(environment, "engine"); !name.empty()) return name;
  const auto* spec = engine::find_engine_by_version(json_string(environment, "engine_version"));
  return spec ? spec->name : "";
}

// An engine's versions: from its first sample that has them, else from the
// header's facts (`engines`, or the environment of a one-engine run).
runner::SampleEngine versions_for(const std::string& engine, const std::vector<runner::ResultsFile>& files) {
  runner::SampleEngine versions;
  versions.name = engine;
  for (const auto& file : files) {
    for (const auto& sample : file.samples) {
      if (sample.engine.empty() || sample.engine.name != engine) continue;
      if (!sample.engine.daemon_version.empty()) return sample.engine;
    }
  }
  auto from_facts = [&](const nlohmann::json& facts) {
    versions.daemon_version = json_string(facts, "engine_version");
    versions.api_version = json_string(facts, "api_version");
    versions.buildkit_version = json_string(facts, "buildkit_version");
  };
  for (const auto& file : files) {
    if (file.header.engines.is_array()) {
      for (const auto& facts : file.header.engines) {
        if (json_string(facts, "engine") == engine) {
          from_facts(facts);
          return versions;
        }
      }
    }
  }
  for (const auto& file : files) {
    if (environment_engine(file.header.environment) == engine) {
      from_facts(file.header.environment);
      return versions;
    }
  }
  // An unnamed engine of a one-engine run: the environment's facts are its
  // (with a header listing engines they are the first engine's, not its).
  const bool lists_engines = !files.empty() && files.front().header.engines.is_array() &&
                             !files.front().header.engines.empty();
  if (engine.empty() && !files.empty() && !lists_engines) from_facts(files.front().header.environment);
  return versions;
}

}  // namespace

std::string sample_engine(const runner::ResultsHeader& header, const runner::Sample& sample) {
  if (!sample.engine.empty()) return sample.engine.name;
  return environment_engine(header.environment);
}

std::vector<std::string> engines_of(const std::vector<runner::ResultsFile>& files) {
  std::vector<std::string> seen;
  for (const auto& file : files) {
    for (const auto& sample : file.samples) {
      if (!sample.warmup) add_unique(seen, sample_engine(file.header, sample));
    }
  }
  // The headers' order first (the scenario's), then the others as seen.
  std::vector<std::string> engines;
  for (const auto& file : files) {
    if (!file.header.engines.is_array()) continue;
    for (const auto& facts : file.header.engines) {
      std::string name = json_string(facts, "engine");
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) add_unique(engines, name);
    }
  }
  for (const auto& name : seen) add_unique(engines, name);
  if (engines.empty()) engines.push_back("");
  return engines;
}

ReportModel engine_view(const ReportModel& model, const std::string& engine) {
  // A copy of everything (so a new field is never forgotten), then only
  // `engine`'s cells, build checks and claims.
  ReportModel view = model;
  view.engines = {engine};
  view.engine_versions = {model.versions_of(engine)};
  view.cells.clear();
  for (const auto& cell : model.cells) {
    if (cell.engine == engine) view.cells.push_back(cell);
  }
  view.build_checks.clear();
  for (const auto& check : model.build_checks) {
    if (check.engine == engine) view.build_checks.push_back(check);
  }
  view.claims.clear();
  view.claims_by_engine.clear();
  for (size_t i = 0; i < model.engines.size() && i < model.claims_by_engine.size(); ++i) {
    if (model.engines[i] == engine) {
      view.claims = model.claims_by_engine[i];
      view.claims_by_engine = {view.claims};
    }
  }
  view.sweep_claims.clear();
  for (const auto& sweep : model.sweep_claims) {
    if (sweep.engine == engine) view.sweep_claims.push_back(sweep);
  }
  view.engine_comparisons.clear();
  view.shown_engine = model.several_engines() ? engine : "";
  return view;
}

util::Result<ReportModel> build_report(const std::vector<runner::ResultsFile>& files, const ReportOptions& options) {
  const auto report_start = std::chrono::steady_clock::now();
  if (files.empty()) return util::error("no results to report");
  const auto& first = files.front().header;
  for (const auto& file : files) {
    if (file.header.scenario_hash != first.scenario_hash) {
      return util::error(fmt::format(
          "results of different scenarios cannot be mixed in one report: {} is scenario '{}' (hash {}), {} is "
          "scenario '{}' (hash {}); report them separately",
          files.front().path.string(), first.scenario_name, first.scenario_hash.substr(0, 12), file.path.string(),
          file.header.scenario_name, file.header.scenario_hash.substr(0, 12)));
    }
  }

  ReportModel model;
  model.scenario_name = first.scenario_name;
  model.scenario_title = first.scenario_title;
  model.scenario_hash = first.scenario_hash;
  model.harness_version = first.harness_version;
  model.harness_commit = first.harness_commit;
  model.started_at = first.started_at;
  model.seed = first.seed;
  model.cold_method = first.cold_method;
  model.daemon_mode = first.daemon_mode;
  model.environment = first.environment;
  model.base_images = first.base_images;
  model.fixture_params = first.fixture_params;
  model.proxy = first.proxy;
  model.fixture_hash = first.fixture_hash;
  model.generated_at = options.generated_at;
  model.generator_version = options.generator_version;
  // What the run changed to build offline (a `# syntax=` line stripped...).
  for (const auto& adjustment : first.adjustments) model.notes.push_back("run: " + adjustment);

  for (const auto& file : files) {
    if (file.header.variants.is_array()) {
      for (const auto& variant : file.header.variants) {
        if (variant.is_object() && variant.contains("name") && variant["name"].is_string()) {
          add_unique(model.variants, variant["name"].get<std::string>());
        }
      }
    }
    for (const auto& kind : file.header.build_kinds) add_unique(model.kinds, kind);
  }
  model.engines = engines_of(files);
  for (const auto& engine : model.engines) model.engine_versions.push_back(versions_for(engine, files));
  // Cells in a fixed order; samples keep their run order within a cell.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::vector<runner::Sample>> grouped;
  for (const auto& file : files) {
    InputFile input;
    input.path = file.path.string();
    input.finished = file.footer.has_value();
    input.interrupted = file.footer && file.footer->interrupted;
    for (const auto& warning : file.warnings) model.notes.push_back(warning);  // read_results names the file
    for (const auto& sample : file.samples) {
      if (sample.warmup) {
        ++input.warmups;
        continue;
      }
      ++input.samples;
      if (!sample.record.ok) ++input.failed;
      add_unique(model.series, sample.series);
      add_unique(model.variants, sample.variant);
      add_unique(model.kinds, sample.kind);
      grouped[{sample_engine(file.header, sample), sample.series, sample.variant, sample.kind}].push_back(sample);
    }
    if (input.interrupted) model.notes.push_back(input.path + ": the run was interrupted; its samples are reported");
    if (!input.finished) model.notes.push_back(input.path + ": no footer (the run did not finish); its samples are reported");
    if (input.samples == 0) model.notes.push_back(input.path + ": no samples");
    model.inputs.push_back(std::move(input));
  }
  if (model.series.empty()) model.series.push_back("");
  model.build_checks = collect_build_checks(model.engines, model.variants, files);

  model.baseline_variant = !options.baseline.empty() ? options.baseline : first.baseline_variant;
  if (!options.baseline.empty() &&
      std::find(model.variants.begin(), model.variants.end(), options.baseline) == model.variants.end()) {
    return util::error(fmt::format("baseline variant '{}' is not in the results (variants: {})", options.baseline,
                                   fmt::format("{}", fmt::join(model.variants, ", "))));
  }
  if (model.baseline_variant.empty() ||
      std::find(model.variants.begin(), model.variants.end(), model.baseline_variant) == model.variants.end()) {
    if (!model.baseline_variant.empty()) {
      model.notes.push_back(fmt::format("baseline variant '{}' of the header has no results; using '{}'",
                                        model.baseline_variant, model.variants.empty() ? "" : model.variants.front()));
    }
    model.baseline_variant = model.variants.empty() ? "" : model.variants.front();
  }

  for (const auto& engine : model.engines) {
    for (const auto& series_value : model.series) {
      for (const auto& kind : model.kinds) {
        for (const auto& variant : model.variants) {
          auto found = grouped.find({engine, series_value, variant, kind});
          if (found == grouped.end()) continue;
          Cell cell;
          cell.engine = engine;
          cell.series = series_value;
          cell.variant = variant;
          cell.kind = kind;
          cell.samples = std::move(found->second);
          summarize_cell(cell, options);
          model.cells.push_back(std::move(cell));
        }
      }
    }
  }
  // Ratios need both sides, so they come after every cell is summarized.
  stats::CompareOptions compare_options;
  compare_options.bootstrap = options.bootstrap;
  for (auto& cell : model.cells) {
    if (cell.variant == model.baseline_variant || cell.ok_count == 0) continue;
    const Cell* baseline = model.find(cell.engine, cell.series, model.baseline_variant, cell.kind);
    if (baseline == nullptr || baseline->ok_count == 0) continue;
    auto base_values = values_of(*baseline, Metric::Wall);
    auto values = values_of(cell, Metric::Wall);
    auto comparison = stats::compare_samples(base_values, values, compare_options);
    if (comparison) {
      cell.vs_baseline = std::move(*comparison);
    } else {
      cell.warnings.push_back({"no_ratio", "no ratio to the baseline: " + comparison.error().message});
    }
  }

  model.adaptive = first.adaptive;
  // Claims: given, or from the header (validated when the run started, so
  // names are not checked again: a variant without results cannot tell).
  std::vector<scenario::Claim> claims;
  if (options.claims) {
    claims = *options.claims;
    model.claims_source = options.claims_source.empty() ? "the options" : options.claims_source;
  } else if (first.claims.is_array() && !first.claims.empty()) {
    auto parsed = scenario::parse_claims(nlohmann::ordered_json(first.claims), "/claims", nullptr, nullptr);
    for (const auto& problem : parsed.problems) {
      model.notes.push_back(fmt::format("{}: claims in the results header: {}: {} (claim skipped)",
                                        files.front().path.string(), problem.pointer, problem.message));
    }
    claims = std::move(parsed.claims);
    model.claims_source = "the results header";
  }
  if (!claims.empty()) {
    if (model.has_sweep()) {
      model.notes.push_back(fmt::format("the claims table judges the first sweep value ({}); \"Claims across the "
                                        "sweep\" judges every value",
                                        model.series.front()));
    }
    ClaimOptions claim_options;
    claim_options.bootstrap = options.bootstrap;
    // A run "until decided" stopped each claim at the first look that
    // decided it; the report replays the same looks with the same level.
    const auto& adaptive = first.adaptive;
    if (adaptive.is_object() && adaptive.value("until", std::string()) == "decided") {
      model.adaptive = adaptive;
      claim_options.sequential = runner::recorded_sequential_design(adaptive);
    }
    // Once per engine, on that engine's cells alone: an adaptive run decided
    // each engine's cells on its own samples, and verdicts may differ.
    for (const auto& engine : model.engines) {
      model.claims_by_engine.push_back(evaluate_claims(engine_view(model, engine), claims, claim_options));
      for (auto& result : model.claims_by_engine.back()) result.engine = engine;
    }
    model.claims = model.claims_by_engine.front();
    model.sweep_claims = evaluate_sweep_claims(model, claims, claim_options);
  }
  model.engine_comparisons = compare_engines(model, compare_options);
  for (const auto& file : files) {
    if (!file.footer || !file.footer->harness_time.is_object()) continue;
    const auto& time = file.footer->harness_time;
    if (!model.harness_time) model.harness_time.emplace();
    model.harness_time->run_wall_s += time.value("run_wall_s", 0.0);
    model.harness_time->builds_s += time.value("builds_s", 0.0);
    model.harness_time->harness_s += time.value("harness_s", 0.0);
    if (time.contains("parts") && time["parts"].is_object()) {
      for (const auto& [part, seconds] : time["parts"].items()) {
        if (seconds.is_number()) model.harness_time->parts[part] += seconds.get<double>();
      }
    }
  }
  model.report_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - report_start).count();
  return model;
}

}  // namespace buildbench::report
