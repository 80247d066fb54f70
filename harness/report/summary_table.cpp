#include "report/summary_table.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "report/format.h"

namespace buildbench::report {
namespace {

std::string json_text(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return "";
  const auto& value = object[key];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return "";
}

std::string median_with_ci(const stats::Summary& wall) {
  std::string text = fmt::format("{} ({} – {})", format_seconds(wall.median), format_seconds(wall.median_ci.low),
                                 format_seconds(wall.median_ci.high));
  // With fewer than 6 samples no interval reaches 95%: say what it covers.
  if (wall.median_ci.below_nominal) text += fmt::format(" [{:.0f}% CI]", wall.median_ci.coverage * 100);
  return text;
}

std::string exact_value(const Cell& cell, Metric metric, bool bytes) {
  const auto& summary = cell.summary(metric);
  if (!summary) return "-";
  std::string text = bytes ? format_bytes(summary->median) : fmt::format("{:.0f}", summary->median);
  // Noise-free metrics should not vary; when they do, show by how much
  // (the range when it is visible at this precision, else the spread).
  if (summary->min != summary->max) {
    std::string low = bytes ? format_bytes(summary->min) : fmt::format("{:.0f}", summary->min);
    std::string high = bytes ? format_bytes(summary->max) : fmt::format("{:.0f}", summary->max);
    text += low != high ? fmt::format(" ({} – {})", low, high)
                        : fmt::format(" (spread {})", bytes ? format_bytes(summary->max - summary->min)
                                                            : fmt::format("{:g}", summary->max - summary->min));
  }
  return text;
}

}  // namespace

std::vector<SummaryRow> summary_rows(const ReportModel& model, const std::string& engine, const std::string& series,
                                     const std::string& kind) {
  std::vector<SummaryRow> rows;
  for (const auto& variant : model.variants) {
    const Cell* cell = model.find(engine, series, variant, kind);
    if (cell == nullptr) continue;
    SummaryRow row;
    row.variant_index = model.variant_index(variant);
    row.variant = variant == model.baseline_variant ? variant + " (baseline)" : variant;
    row.samples = cell->failed_count == 0 ? fmt::format("{}", cell->ok_count)
                                          : fmt::format("{} ({} failed)", cell->ok_count, cell->failed_count);
    const auto& wall = cell->summary(Metric::Wall);
    row.median = wall ? median_with_ci(*wall) : "no successful samples";
    if (variant == model.baseline_variant) {
      row.vs_baseline = "baseline";
    } else if (cell->vs_baseline) {
      const auto& comparison = *cell->vs_baseline;
      row.vs_baseline = fmt::format("{}{} ({} – {})", comparison.significant ? "" : "~ ",
                                    format_ratio(comparison.ratio.ratio), format_ratio(comparison.ratio.ci_low),
                                    format_ratio(comparison.ratio.ci_high));
      row.p_value = format_p_value(comparison.test.p_value);
    } else {
      row.vs_baseline = "-";
    }
    if (cell->summary(Metric::CachedSteps)) {
      row.cached_steps = fmt::format("{:.0f}/{:.0f}", cell->summary(Metric::CachedSteps)->median, cell->total_steps);
    } else {
      row.cached_steps = "-";
    }
    row.context = exact_value(*cell, Metric::ContextBytes, true);
    row.downloaded = exact_value(*cell, Metric::ProxyBytes, true);
    const auto& download = cell->summary(Metric::DependencyDownload);
    row.download_time = download ? format_seconds(download->median) : "-";
    row.image = exact_value(*cell, Metric::ImageSize, true);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<ClaimRow> claim_rows(const ReportModel& model) {
  std::vector<ClaimRow> rows;
  for (size_t i = 0; i < model.claims.size(); ++i) {
    const auto& result = model.claims[i];
    ClaimRow row;
    row.number = fmt::format("{}", i + 1);
    row.id = result.claim.id;
    row.claim = result.claim.text;
    row.note = result.claim.note;
    bool several = result.checks.size() > 1;
    for (const auto& check : result.checks) {
      row.measurements.push_back(check.measurement);
      row.numbers.push_back(several ? fmt::format("{} ({})", check.numbers, verdict_words(check.verdict)) : check.numbers);
    }
    row.verdict = std::string(verdict_words(result.verdict));
    row.decision = result.decision_words();
    row.explanation = result.explanation;
    if (model.several_engines() && model.claims_by_engine.size() == model.engines.size()) {
      row.numbers.clear();
      for (size_t e = 0; e < model.engines.size(); ++e) {
        if (i >= model.claims_by_engine[e].size()) continue;
        const auto& on_engine = model.claims_by_engine[e][i];
        std::string engine = engine_label(model.engines[e]);
        for (const auto& check : on_engine.checks) {
          row.numbers.push_back(several ? fmt::format("{}: {} ({})", engine, check.numbers, verdict_words(check.verdict))
                                        : fmt::format("{}: {}", engine, check.numbers));
        }
        row.per_engine.push_back({engine, std::string(verdict_words(on_engine.verdict)), on_engine.decision_words(),
                                  on_engine.explanation});
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

std::string engine_with_versions(const runner::SampleEngine& engine) {
  std::string versions = engine_versions_text(engine);
  return versions.empty() ? engine_label(engine.name) : fmt::format("{} ({})", engine_label(engine.name), versions);
}

}  // namespace

std::vector<EngineTable> engine_tables(const ReportModel& model) {
  std::vector<EngineTable> tables;
  std::vector<std::pair<std::string, std::string>> pairs;  // (engine, reference) of each table
  for (const auto& comparison : model.engine_comparisons) {
    std::pair<std::string, std::string> pair{comparison.engine.name, comparison.reference.name};
    auto found = std::find(pairs.begin(), pairs.end(), pair);
    if (found == pairs.end()) {
      pairs.push_back(pair);
      const std::string engine = engine_label(pair.first);
      const std::string reference = engine_label(pair.second);
      EngineTable table;
      table.heading = fmt::format("{} against {}", engine_with_versions(comparison.engine),
                                  engine_with_versions(comparison.reference));
      table.headings = {"kind",
                        "variant",
                        fmt::format("median on {} (95% CI)", engine),
                        fmt::format("median on {} (95% CI)", reference),
                        fmt::format("{} / {} (95% CI)", engine, reference),
                        "p"};
      tables.push_back(std::move(table));
      found = pairs.end() - 1;
    }
    EngineTable& table = tables[static_cast<size_t>(found - pairs.begin())];
    EngineRow row;
    row.kind = comparison.series.empty() ? comparison.kind : fmt::format("{}, {}", comparison.kind, comparison.series);
    row.variant = comparison.variant;
    row.median = comparison.engine_wall ? median_with_ci(*comparison.engine_wall) : "no successful samples";
    row.reference_median = comparison.reference_wall ? median_with_ci(*comparison.reference_wall) : "no successful samples";
    if (comparison.comparison) {
      const auto& ratio = comparison.comparison->ratio;
      row.ratio = fmt::format("{}{} ({} – {})", comparison.comparison->significant ? "" : "~ ", format_ratio(ratio.ratio),
                              format_ratio(ratio.ci_low), format_ratio(ratio.ci_high));
      row.p_value = format_p_value(comparison.comparison->test.p_value);
    } else {
      row.ratio = comparison.problem.empty() ? "-" : comparison.problem;
    }
    table.rows.push_back(std::move(row));
  }
  return tables;
}

std::string worlds_heading(const ReportModel& model) {
  return model.worlds.worlds.size() > 2 ? "The post's claims in each world" : "The post's claims in both worlds";
}

std::string worlds_intro(const ReportModel& model) {
  const auto& worlds = model.worlds;
  std::string list;
  for (size_t w = 0; w < worlds.worlds.size(); ++w) {
    const auto& facts = worlds.worlds[w];
    std::string what = w == 0 ? "this report" : facts.source;
    if (!facts.dependencies.empty()) what += ", " + facts.dependencies;
    list += fmt::format("{}{} ({})", w == 0 ? "" : w + 1 == worlds.worlds.size() ? " and " : ", ", facts.name, what);
  }
  std::string text = fmt::format("The same claims measured in {}, each judged on that world's own builds and "
                                 "matched by claim id{}: {}.",
                                 worlds.worlds.size() > 2 ? "several worlds" : "two worlds",
                                 worlds.engines.size() > 1 ? " and engine" : "", list);
  if (!worlds.engines_note.empty()) text += " " + worlds.engines_note;
  return text;
}

std::vector<std::string> worlds_headings(const ReportModel& model) {
  std::vector<std::string> headings = {"claim"};
  if (model.worlds.engines.size() > 1) headings.push_back("engine");
  for (size_t w = 0; w < model.worlds.worlds.size(); ++w) {
    std::string heading = model.worlds.worlds[w].name;
    if (model.worlds.engines_differ) heading += " on " + engine_label(model.worlds.worlds[w].engines.front());
    if (w == 0) heading += " (this report)";
    headings.push_back(heading);
  }
  return headings;
}

std::string engines_line(const ReportModel& model) {
  if (model.engines.size() == 1) {
    if (model.engines.front().empty()) return "";
    return fmt::format("Engine: {}.", engine_with_versions(model.versions_of(model.engines.front())));
  }
  std::string list;
  for (size_t i = 0; i < model.engines.size(); ++i) {
    const auto versions = model.versions_of(model.engines[i]);
    std::string details = engine_versions_text(versions);
    if (i == 0) details = details.empty() ? "the reference" : "the reference: " + details;
    list += fmt::format("{}{}{}", i == 0 ? "" : i + 1 == model.engines.size() ? " and " : ", ",
                        engine_label(model.engines[i]), details.empty() ? "" : " (" + details + ")");
  }
  return fmt::format("Engines: {}. Each table below is one engine's; \"Engines side by side\" compares every other "
                     "engine with the reference, build kind by build kind and variant by variant.",
                     list);
}

std::string provenance_line(const ReportModel& model) {
  std::string commit = model.harness_commit.empty() ? "an unknown commit" : "commit " + model.harness_commit;
  return fmt::format("Results measured by buildbench {} at {}{}.", model.harness_version.empty() ? "?" : model.harness_version,
                     commit, model.started_at.empty() ? "" : ", run started " + model.started_at);
}

namespace {

std::string duration_words(double seconds) {
  if (seconds >= 60) {
    long s = static_cast<long>(seconds + 0.5);
    return fmt::format("{}m{:02d}s", s / 60, s % 60);
  }
  return format_seconds(seconds);
}

// "cold_reset_s" -> "cold resets"; unknown parts by their id.
std::string part_words(const std::string& part) {
  static const std::map<std::string, std::string> words = {
      {"workspace_reset_s", "fixture resets"},     {"fixture_mutation_s", "fixture mutations"},
      {"cold_reset_s", "cold-state resets (prune)"}, {"image_removal_s", "image removal"},
      {"proxy_start_s", "module proxy start"},     {"workspace_create_s", "fixture generation"},
      {"build_cache_df_s", "build-cache size queries"}, {"after_build_s", "recording samples"},
      {"results_write_s", "results writes"},        {"decisions_s", "adaptive decisions"},
      {"other_s", "other (session close, image inspects, output)"}};
  auto found = words.find(part);
  return found == words.end() ? part : found->second;
}

}  // namespace

std::optional<double> harness_share(const ReportModel& model) {
  if (!model.harness_time || model.harness_time->run_wall_s <= 0) return std::nullopt;
  return (model.harness_time->harness_s + model.report_s) / (model.harness_time->run_wall_s + model.report_s);
}

std::string harness_time_line(const ReportModel& model) {
  if (!model.harness_time) return "";
  const auto& time = *model.harness_time;
  std::vector<std::pair<double, std::string>> parts;
  for (const auto& [part, seconds] : time.parts) {
    if (part == "setup_s" || part == "warm_prep_s") continue;
    if (seconds >= 0.05) parts.emplace_back(seconds, part);
  }
  std::sort(parts.rbegin(), parts.rend());
  std::string detail;
  for (const auto& [seconds, part] : parts) {
    detail += fmt::format("{}{} {}", detail.empty() ? "" : ", ", part_words(part), format_seconds(seconds));
  }
  std::string line = fmt::format("Run time {}: {} in timed builds, {} ({:.1f}%) the harness's own work{}, report {}.",
                                 duration_words(time.run_wall_s), duration_words(time.builds_s),
                                 format_seconds(time.harness_s + model.report_s), 100 * harness_share(model).value_or(0),
                                 detail.empty() ? "" : " (" + detail + ")", format_seconds(model.report_s));
  auto setup = time.parts.find("setup_s");
  auto prep = time.parts.find("warm_prep_s");
  if ((setup != time.parts.end() && setup->second >= 0.05) || (prep != time.parts.end() && prep->second >= 0.05)) {
    line += fmt::format(" Not counted as overhead: set-up {}{}.",
                        format_seconds(setup == time.parts.end() ? 0.0 : setup->second),
                        prep == time.parts.end() || prep->second < 0.05
                            ? ""
                            : fmt::format(", unrecorded builds to reach a warm state {}", duration_words(prep->second)));
  }
  return line;
}

std::string adaptive_line(const ReportModel& model) {
  const auto& adaptive = model.adaptive;
  if (!adaptive.is_object()) return "";
  std::string until = adaptive.value("until", std::string());
  if (until == "ci_width") {
    return fmt::format("Repetitions: adaptive, {} to {} per cell, until the median's 95% CI is within {:.1f}% of it.",
                       adaptive.value("min", 0), adaptive.value("max", 0), 100 * adaptive.value("ci_width", 0.0));
  }
  const auto design = runner::recorded_sequential_design(adaptive);
  return fmt::format("Repetitions: adaptive, {} to {} per cell until decided; {} (docs/adaptive-repetitions.md).",
                     design.min_n, design.max_n, stats::describe_levels(design));
}

std::string network_words(const nlohmann::json& proxy) {
  if (!proxy.is_object()) return "";
  std::string profile = json_text(proxy, "profile");
  std::string latency = json_text(proxy, "latency_ms");
  std::string bandwidth = json_text(proxy, "bandwidth_mbps");
  std::string numbers = fmt::format("{} ms per request, {}", latency.empty() ? "?" : latency,
                                    bandwidth == "0" || bandwidth == "0.0" ? std::string("no bandwidth limit") : bandwidth + " Mbit/s");
  return profile.empty() ? numbers : profile + " (" + numbers + ")";
}

std::string deps_preset_of(const nlohmann::json& fixture_params) {
  if (!fixture_params.is_object() || !fixture_params.contains("deps")) return "";
  return json_text(fixture_params["deps"], "preset");
}

std::string dependencies_words(const nlohmann::json& fixture_params) {
  // Results from before presets have no "deps": they do not say.
  if (!fixture_params.is_object() || !fixture_params.contains("deps") || !fixture_params["deps"].is_object()) return "";
  std::string preset = deps_preset_of(fixture_params);
  return preset.empty() ? std::string("synthetic modules") : "real modules, preset " + preset;
}

std::vector<std::pair<std::string, std::string>> environment_facts(const ReportModel& model) {
  const auto& env = model.environment;
  std::vector<std::pair<std::string, std::string>> facts;
  auto add = [&](std::string label, std::string value) {
    if (!value.empty()) facts.emplace_back(std::move(label), std::move(value));
  };
  if (model.several_engines()) {
    std::string engines;
    for (const auto& name : model.engines) {
      const auto versions = model.versions_of(name);
      std::string text = engine_label(name);
      std::string details = engine_versions_text(versions);
      if (!versions.api_version.empty()) details += (details.empty() ? "API " : ", API ") + versions.api_version;
      if (!details.empty()) text += ": " + details;
      engines += (engines.empty() ? "" : "; ") + text;
    }
    add("engines", engines);
  }
  std::string engine = model.several_engines() ? "" : json_text(env, "engine_version");
  if (!engine.empty()) {
    engine = "Docker " + engine;
    std::string api = json_text(env, "api_version");
    std::string buildkit = json_text(env, "buildkit_version");
    if (!api.empty()) engine += ", API " + api;
    if (!buildkit.empty()) engine += ", BuildKit " + buildkit;
  }
  add("engine", engine);
  add("storage driver", json_text(env, "storage_driver"));
  add("kernel", json_text(env, "kernel"));
  std::string cpus = json_text(env, "host_cpus");
  std::string model_name = json_text(env, "host_cpu_model");
  if (!cpus.empty() || !model_name.empty()) {
    add("CPU", cpus.empty() ? model_name : model_name.empty() ? cpus + " CPUs" : cpus + " x " + model_name);
  }
  add("operating system", json_text(env, "operating_system"));
  add("cold builds", model.cold_method);
  add("daemon", model.daemon_mode);
  add("seed", fmt::format("{}", model.seed));
  // Every report says what network the module downloads went through.
  add("module proxy network", network_words(model.proxy));
  add("dependencies", dependencies_words(model.fixture_params));
  add("run started", model.started_at);
  if (auto share = harness_share(model)) {
    add("harness time", fmt::format("{:.1f}% of {} ({} outside builds)", 100 * *share,
                                    duration_words(model.harness_time->run_wall_s + model.report_s),
                                    format_seconds(model.harness_time->harness_s + model.report_s)));
  }
  std::string harness = "buildbench " + model.harness_version;
  if (!model.harness_commit.empty()) harness += " at commit " + model.harness_commit;
  add("harness", harness);
  add("scenario", fmt::format("{} (sha256 {})", model.scenario_name, model.scenario_hash.substr(0, 12)));
  if (!model.fixture_hash.empty()) add("fixture", "tree hash " + model.fixture_hash.substr(0, 12));
  if (model.base_images.is_array()) {
    std::string images;
    for (const auto& image : model.base_images) {
      std::string name = json_text(image, "name");
      std::string local = json_text(image, "image");
      std::string id = json_text(image, "id");
      if (!images.empty()) images += "; ";
      images += name;
      if (!local.empty()) images += " -> " + local;
      if (!id.empty()) images += " (" + id.substr(0, std::min<size_t>(id.size(), 19)) + ")";
    }
    add("base images", images);
  }
  add("report generated", model.generated_at.empty() ? "buildbench " + model.generator_version
                                                     : model.generated_at + " by buildbench " + model.generator_version);
  return facts;
}

std::string table_heading(const ReportModel& model, const std::string& engine, const std::string& series,
                          const std::string& kind) {
  std::string heading = model.has_sweep() ? fmt::format("{}, {}", kind, series) : kind;
  if (model.several_engines()) heading += " on " + engine_label(engine);
  return heading;
}

std::string cell_place(const ReportModel& model, const Cell& cell) {
  std::string place = model.has_sweep() ? fmt::format("{} / {} / {}", cell.series, cell.kind, cell.variant)
                                        : fmt::format("{} / {}", cell.kind, cell.variant);
  return model.several_engines() ? engine_label(cell.engine) + " / " + place : place;
}

}  // namespace buildbench::report
