// report.md, summary.csv, samples.csv, summary.json and gbench.json.
#include <algorithm>

#include <fmt/format.h>

#include "report/format.h"
#include "report/summary_table.h"
#include "report/writers.h"

namespace buildbench::report {
namespace {

std::string title_of(const ReportModel& model) {
  return model.scenario_title.empty() ? model.scenario_name : model.scenario_title;
}

size_t sample_count(const ReportModel& model) {
  size_t count = 0;
  for (const auto& cell : model.cells) count += cell.samples.size();
  return count;
}

// Invalid UTF-8 must not abort a report: replace it (nlohmann throws otherwise).
std::string dump(const nlohmann::ordered_json& json) {
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

nlohmann::ordered_json summary_json(const stats::Summary& summary) {
  nlohmann::ordered_json out;
  out["count"] = summary.count;
  out["median"] = summary.median;
  out["ci_low"] = summary.median_ci.low;
  out["ci_high"] = summary.median_ci.high;
  out["ci_coverage"] = summary.median_ci.coverage;
  out["ci_below_nominal"] = summary.median_ci.below_nominal;
  out["mean"] = summary.mean;
  out["stddev"] = summary.stddev;
  out["min"] = summary.min;
  out["max"] = summary.max;
  out["cv"] = summary.cv;
  out["mad"] = summary.mad;
  out["outliers"] = summary.outliers;
  return out;
}

nlohmann::ordered_json comparison_json(const stats::Comparison& comparison) {
  nlohmann::ordered_json out;
  out["ratio"] = comparison.ratio.ratio;
  out["ci_low"] = comparison.ratio.ci_low;
  out["ci_high"] = comparison.ratio.ci_high;
  out["confidence"] = comparison.ratio.confidence;
  out["p_value"] = comparison.test.p_value;
  out["u"] = comparison.test.u;
  out["p_method"] = comparison.test.method == stats::PValueMethod::Exact ? "exact" : "normal";
  out["significant"] = comparison.significant;
  out["verdict"] = std::string(stats::verdict_label(comparison.verdict));
  return out;
}

nlohmann::ordered_json engine_json(const runner::SampleEngine& engine) {
  return {{"name", engine.name},
          {"daemon_version", engine.daemon_version},
          {"api_version", engine.api_version},
          {"buildkit_version", engine.buildkit_version}};
}

nlohmann::ordered_json claim_json(const ClaimResult& result) {
  nlohmann::ordered_json out;
  out["id"] = result.claim.id;
  out["engine"] = result.engine;
  out["text"] = result.claim.text;
  out["note"] = result.claim.note;
  out["verdict"] = std::string(verdict_words(result.verdict));
  out["explanation"] = result.explanation;
  if (result.sequential) {
    out["decided_at"] = result.decided_at ? nlohmann::ordered_json(*result.decided_at) : nlohmann::ordered_json();
    out["undecided_at"] = result.decided_at ? nlohmann::ordered_json() : nlohmann::ordered_json(result.undecided_at);
  }
  auto& checks = out["checks"] = nlohmann::ordered_json::array();
  auto definitions = scenario::claims_to_json({result.claim});
  for (size_t i = 0; i < result.checks.size(); ++i) {
    const auto& check = result.checks[i];
    nlohmann::ordered_json entry;
    entry["definition"] = definitions[0]["checks"][i];
    entry["verdict"] = std::string(verdict_words(check.verdict));
    entry["measurement"] = check.measurement;
    entry["numbers"] = check.numbers;
    entry["explanation"] = check.explanation;
    entry["n_variant"] = check.n_variant;
    entry["n_than"] = check.n_than;
    entry["variant_summary"] = check.variant_summary ? summary_json(*check.variant_summary) : nlohmann::ordered_json();
    entry["than_summary"] = check.than_summary ? summary_json(*check.than_summary) : nlohmann::ordered_json();
    entry["comparison"] = check.comparison ? comparison_json(*check.comparison) : nlohmann::ordered_json();
    entry["smallest_possible_p"] = check.smallest_p ? nlohmann::ordered_json(*check.smallest_p) : nlohmann::ordered_json();
    if (check.exact) {
      entry["exact"] = {{"variant", check.exact->candidate}, {"than", check.exact->baseline},
                        {"difference", check.exact->difference}, {"variant_varies", check.exact->candidate_varies},
                        {"than_varies", check.exact->baseline_varies}};
    } else {
      entry["exact"] = nullptr;
    }
    auto& steps = entry["steps"] = nlohmann::ordered_json::array();
    for (const auto& step : check.steps) {
      steps.push_back({{"instruction", step.instruction},
                       {"expected", step.up_to_anchor ? "cached" : "rerun"},
                       {"cached", step.cached},
                       {"samples", step.samples}});
    }
    checks.push_back(std::move(entry));
  }
  return out;
}

nlohmann::ordered_json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json();
}

// summary.json "worlds": the worlds, each claim's verdict per world, and why
// the verdicts that differ do.
nlohmann::ordered_json worlds_json(const WorldsComparison& worlds) {
  nlohmann::ordered_json out;
  auto& names = out["names"] = nlohmann::ordered_json::array();
  for (const auto& facts : worlds.worlds) names.push_back(facts.name);
  auto& facts_list = out["facts"] = nlohmann::ordered_json::array();
  for (const auto& facts : worlds.worlds) {
    facts_list.push_back({{"name", facts.name},
                          {"source", facts.source},
                          {"scenario", facts.scenario},
                          {"deps_preset", facts.deps_preset},
                          {"dependencies", facts.dependencies},
                          {"network", facts.network},
                          {"engines", facts.engines},
                          {"cold_proxy_bytes", optional_json(facts.cold_proxy_bytes)},
                          {"cold_samples", facts.cold_samples}});
  }
  out["engines"] = worlds.engines;
  out["engines_differ"] = worlds.engines_differ;
  out["engines_note"] = worlds.engines_note;
  auto& claims = out["claims"] = nlohmann::ordered_json::array();
  for (const auto& row : worlds.rows) {
    nlohmann::ordered_json entry;
    entry["id"] = row.claim_id;
    entry["engine"] = row.engine;
    entry["text"] = row.claim_text;
    entry["differ"] = row.differ;
    auto& verdicts = entry["verdicts"] = nlohmann::ordered_json::array();
    for (const auto& verdict : row.verdicts) {
      nlohmann::ordered_json item;
      item["world"] = verdict.world;
      item["engine"] = verdict.engine;
      item["measured"] = verdict.measured;
      item["verdict"] = verdict.measured ? nlohmann::ordered_json(std::string(verdict_words(verdict.verdict)))
                                         : nlohmann::ordered_json();
      item["decision"] = verdict.decision;
      item["figures"] = verdict.figures;
      item["text"] = verdict.text;
      auto& checks = item["checks"] = nlohmann::ordered_json::array();
      for (const auto& check : verdict.checks) {
        checks.push_back({{"verdict", std::string(verdict_words(check.verdict))},
                          {"ratio", optional_json(check.ratio)},
                          {"value", check.value},
                          {"n_variant", check.n_variant},
                          {"n_than", check.n_than}});
      }
      verdicts.push_back(std::move(item));
    }
    claims.push_back(std::move(entry));
  }
  auto& differences = out["differences"] = nlohmann::ordered_json::array();
  for (const auto& difference : worlds.differences) {
    nlohmann::ordered_json entry;
    entry["id"] = difference.claim_id;
    entry["engine"] = difference.engine;
    entry["reason"] = difference.text();
    auto& steps = entry["steps"] = nlohmann::ordered_json::array();
    for (const auto& world : difference.step_times) {
      for (const auto& time : world.cells) {
        steps.push_back({{"world", world.world},
                         {"engine", world.engine},
                         {"variant", time.variant},
                         {"kind", time.kind},
                         {"samples", time.samples},
                         {"wall_s", time.wall_s},
                         {"download_s", time.download_s},
                         {"compile_s", time.compile_s},
                         {"download_share", time.download_share},
                         {"compile_share", time.compile_share},
                         {"proxy_bytes", time.proxy_bytes}});
      }
    }
    if (difference.shift) {
      nlohmann::ordered_json shares = nlohmann::ordered_json::object();
      for (const auto& [world, share] : difference.shift->shares) shares[world] = share;
      entry["shift"] = {{"steps", difference.shift->step_class},
                        {"variant", difference.shift->variant},
                        {"kind", difference.shift->kind},
                        {"shares", shares},
                        {"spread", difference.shift->spread}};
    } else {
      entry["shift"] = nullptr;
    }
    differences.push_back(std::move(entry));
  }
  out["agreement"] = worlds.agreement;
  return out;
}

std::string optional_number(const std::optional<stats::Summary>& summary) {
  return summary ? format_number(summary->median) : "";
}

std::string warning_ids(const Cell& cell) {
  std::string ids;
  for (const auto& warning : cell.warnings) {
    if (ids.find(warning.id) != std::string::npos) continue;
    if (!ids.empty()) ids += ';';
    ids += warning.id;
  }
  return ids;
}

// "## The post's claims": one row per claim; several checks of one claim
// share its row, one line each. With several engines, a verdict column per
// engine and a list of the claims whose verdicts differ.
void write_claims_markdown(const ReportModel& model, std::ostream& out) {
  auto rows = claim_rows(model);
  if (rows.empty()) return;
  out << "\n## The post's claims\n\n";
  out << "Each claim with the measurement that tests it and a verdict computed from the samples: a difference in "
         "time counts only when significant (Mann-Whitney U, p < 0.05); bytes and sizes are exact. Claims from "
      << markdown_cell(model.claims_source) << ".";
  if (model.several_engines()) out << " Each engine's claims are judged on its own builds.";
  out << "\n\n";
  auto lines = [](const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& part : parts) text += (text.empty() ? "" : "<br>") + markdown_cell(part);
    return text;
  };
  if (model.several_engines()) {
    out << "| # | the post says | measured by | result |";
    for (const auto& engine : model.engines) out << " verdict on " << markdown_cell(engine_label(engine)) << " |";
    out << "\n|--:|---|---|---|";
    for (size_t i = 0; i < model.engines.size(); ++i) out << "---|";
    out << "\n";
    for (const auto& row : rows) {
      out << fmt::format("| {} | {} | {} | {} |", row.number, markdown_cell(row.claim), lines(row.measurements),
                         lines(row.numbers));
      for (const auto& verdict : row.per_engine) {
        out << fmt::format(" **{}**{}: {} |", verdict.verdict, verdict.decision.empty() ? "" : " (" + verdict.decision + ")",
                           markdown_cell(verdict.explanation));
      }
      out << "\n";
    }
    auto differences = claim_differences(model);
    out << "\n";
    if (differences.empty()) {
      out << "Every claim has the same verdict on every engine.\n";
    } else {
      out << "Where the verdicts differ between engines:\n\n";
      for (const auto& difference : differences) out << "- " << markdown_cell(difference) << ".\n";
    }
  } else {
    out << "| # | the post says | measured by | result | verdict |\n|--:|---|---|---|---|\n";
    for (const auto& row : rows) {
      out << fmt::format("| {} | {} | {} | {} | **{}**{}: {} |\n", row.number, markdown_cell(row.claim),
                         lines(row.measurements), lines(row.numbers), row.verdict,
                         row.decision.empty() ? "" : " (" + row.decision + ")", markdown_cell(row.explanation));
    }
  }
  bool any_note = false;
  for (const auto& row : rows) {
    if (row.note.empty()) continue;
    if (!any_note) out << "\n";
    any_note = true;
    out << fmt::format("- Claim {} (`{}`): {}\n", row.number, row.id, markdown_cell(row.note));
  }
}

// "## The post's claims in both worlds" (report --beside): a verdict column
// per world, then why each differing verdict differs.
void write_worlds_markdown(const ReportModel& model, std::ostream& out) {
  const auto& worlds = model.worlds;
  if (worlds.empty()) return;
  out << "\n## " << worlds_heading(model) << "\n\n" << markdown_cell(worlds_intro(model)) << "\n\n|";
  const auto headings = worlds_headings(model);
  for (const auto& heading : headings) out << " " << markdown_cell(heading) << " |";
  out << "\n|";
  for (size_t i = 0; i < headings.size(); ++i) out << "---|";
  out << "\n";
  for (const auto& row : worlds.rows) {
    out << "| `" << markdown_cell(row.claim_id) << "` |";
    if (worlds.engines.size() > 1) out << " " << markdown_cell(engine_label(row.engine)) << " |";
    for (const auto& verdict : row.verdicts) {
      if (verdict.measured) {
        out << " **" << markdown_cell(verdict_words(verdict.verdict)) << "**"
            << (verdict.figures.empty() ? "" : ": " + markdown_cell(verdict.figures)) << " |";
      } else {
        out << " " << markdown_cell(verdict.text) << " |";
      }
    }
    out << "\n";
  }
  out << "\n### Why the verdicts differ\n\n";
  if (worlds.differences.empty()) out << "No verdict differs between the worlds.\n";
  for (const auto& difference : worlds.differences) out << "- " << markdown_cell(difference.text()) << "\n";
  if (!worlds.agreement.empty()) out << "\n" << markdown_cell(worlds.agreement) << "\n";
}

// "## Claims across the sweep": claim x sweep value, then a sentence per
// claim saying from which value on it holds.
void write_sweep_claims_markdown(const ReportModel& model, std::ostream& out) {
  auto tables = sweep_claim_tables(model);
  if (tables.empty()) return;
  out << "\n## Claims across the sweep\n\n";
  out << "Each claim judged on the builds of each sweep value alone, by the same rules as the claims table; the ratio "
         "is that of the claim's first time check (median of the variant / median of the other, bootstrap 95% CI). "
         "A claim holds from a value when it holds there and at every larger value.\n";
  for (const auto& table : tables) {
    out << "\n### " << markdown_cell(table.heading) << "\n\n| claim |";
    for (const auto& column : table.columns) out << " " << markdown_cell(column) << " |";
    out << "\n|---|";
    for (size_t i = 0; i < table.columns.size(); ++i) out << "---|";
    out << "\n";
    for (const auto& row : table.rows) {
      out << "| `" << markdown_cell(row.id) << "` |";
      for (size_t i = 0; i < row.verdicts.size(); ++i) {
        out << fmt::format(" **{}**<br>{}<br>{} |", markdown_cell(row.verdicts[i]), markdown_cell(row.ratios[i]),
                           markdown_cell(row.counts[i]));
      }
      out << "\n";
    }
    out << "\n";
    for (const auto& row : table.rows) out << "- `" << markdown_cell(row.id) << "` " << markdown_cell(row.sentence) << ".\n";
  }
}

// "## Engines side by side": each other engine against the reference.
void write_engines_markdown(const ReportModel& model, std::ostream& out) {
  if (!model.several_engines()) return;
  out << "\n## Engines side by side\n\n";
  out << fmt::format("The same builds on each engine, interleaved in one run: median wall time against the reference "
                     "engine ({}) as a ratio of medians (below 1 is faster) with a bootstrap 95% CI; `~` marks a "
                     "difference that is not significant (Mann-Whitney U, p >= 0.05).\n\n",
                     markdown_cell(engine_label(model.engines.front())));
  auto tables = engine_tables(model);
  if (tables.empty()) {
    out << "No build kind and variant was measured on two engines.\n";
    return;
  }
  for (const auto& table : tables) {
    out << "### " << markdown_cell(table.heading) << "\n\n|";
    for (const auto& heading : table.headings) out << " " << markdown_cell(heading) << " |";
    out << "\n|---|---|--:|--:|--:|--:|\n";
    for (const auto& row : table.rows) {
      out << fmt::format("| {} | {} | {} | {} | {} | {} |\n", markdown_cell(row.kind), markdown_cell(row.variant),
                         markdown_cell(row.median), markdown_cell(row.reference_median), markdown_cell(row.ratio),
                         markdown_cell(row.p_value));
    }
    if (&table != &tables.back()) out << "\n";
  }
}

}  // namespace

void write_markdown(const ReportModel& model, std::ostream& out) {
  out << "# " << title_of(model) << ": build times\n\n";
  out << markdown_cell(provenance_line(model)) << "\n\n";
  if (auto line = harness_time_line(model); !line.empty()) out << markdown_cell(line) << "\n\n";
  if (auto line = adaptive_line(model); !line.empty()) out << markdown_cell(line) << "\n\n";
  if (auto line = engines_line(model); !line.empty()) out << markdown_cell(line) << "\n\n";
  out << fmt::format("Scenario `{}`, {} samples ({} variants x {} build kinds), baseline variant **{}**. ", model.scenario_name,
                     sample_count(model), model.variants.size(), model.kinds.size(), model.baseline_variant);
  out << "Medians with a distribution-free 95% confidence interval; \"vs baseline\" is the ratio of medians "
         "(below 1 is faster) with a bootstrap 95% CI, and `~` marks a difference that is not significant "
         "(Mann-Whitney U, p >= 0.05).\n";
  write_claims_markdown(model, out);
  write_worlds_markdown(model, out);
  write_sweep_claims_markdown(model, out);
  write_engines_markdown(model, out);
  for (const auto& series : model.series) {
    for (const auto& kind : model.kinds) {
      for (const auto& engine : model.engines) {
        auto rows = summary_rows(model, engine, series, kind);
        if (rows.empty()) continue;
        out << "\n## " << table_heading(model, engine, series, kind) << "\n\n";
        out << "|";
        for (const auto& heading : kSummaryHeadings) out << " " << heading << " |";
        out << "\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
        for (const auto& row : rows) {
          out << fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(row.variant),
                             markdown_cell(row.samples), markdown_cell(row.median), markdown_cell(row.vs_baseline),
                             markdown_cell(row.p_value), markdown_cell(row.cached_steps), markdown_cell(row.context),
                             markdown_cell(row.downloaded), markdown_cell(row.download_time), markdown_cell(row.image));
        }
      }
    }
  }
  bool any_warning = false;
  for (const auto& cell : model.cells) {
    for (const auto& warning : cell.warnings) {
      if (!any_warning) out << "\n## Warnings\n\n";
      any_warning = true;
      out << fmt::format("- {}: {}\n", markdown_cell(cell_place(model, cell)), markdown_cell(warning.message));
    }
  }
  if (!model.build_checks.empty()) {
    out << "\n## Build checks\n\nWarnings BuildKit sent with the builds (Dockerfile checks, Docker 28 and newer); "
           "they do not change the measurements.\n\n";
    for (const auto& check : model.build_checks) {
      std::string where = model.several_engines() ? engine_label(check.engine) + " / " + check.variant : check.variant;
      out << fmt::format("- {}: {} ({} samples){}\n", markdown_cell(where), markdown_cell(check.message),
                         check.samples, check.url.empty() ? "" : " <" + markdown_cell(check.url) + ">");
    }
  }
  if (!model.notes.empty()) {
    out << "\n## Notes\n\n";
    for (const auto& note : model.notes) out << "- " << markdown_cell(note) << "\n";
  }
  out << "\n---\n\n";
  auto facts = environment_facts(model);
  for (size_t i = 0; i < facts.size(); ++i) {
    out << fmt::format("{}{}: {}", i == 0 ? "" : " · ", facts[i].first, markdown_cell(facts[i].second));
  }
  out << "\n";
}

void write_summary_csv(const ReportModel& model, std::ostream& out) {
  out << "series,variant,kind,samples,failed,wall_median_s,wall_ci_low_s,wall_ci_high_s,wall_ci_coverage,"
         "wall_mean_s,wall_stddev_s,wall_min_s,wall_max_s,wall_cv,ratio,ratio_ci_low,ratio_ci_high,p_value,verdict,"
         "daemon_span_median_s,context_upload_median_s,context_bytes,cached_steps,total_steps,proxy_bytes,"
         "proxy_requests,image_size,warnings,engine\n";
  for (const auto& cell : model.cells) {
    std::vector<std::string> fields = {csv_field(cell.series), csv_field(cell.variant), csv_field(cell.kind),
                                       fmt::format("{}", cell.ok_count), fmt::format("{}", cell.failed_count)};
    const auto& wall = cell.summary(Metric::Wall);
    if (wall) {
      for (double value : {wall->median, wall->median_ci.low, wall->median_ci.high, wall->median_ci.coverage,
                           wall->mean, wall->stddev, wall->min, wall->max, wall->cv}) {
        fields.push_back(format_number(value));
      }
    } else {
      fields.insert(fields.end(), 9, "");
    }
    if (cell.vs_baseline) {
      const auto& comparison = *cell.vs_baseline;
      for (double value : {comparison.ratio.ratio, comparison.ratio.ci_low, comparison.ratio.ci_high,
                           comparison.test.p_value}) {
        fields.push_back(format_number(value));
      }
      fields.push_back(csv_field(stats::verdict_label(comparison.verdict)));
    } else {
      fields.insert(fields.end(), 5, "");
    }
    fields.push_back(optional_number(cell.summary(Metric::DaemonSpan)));
    fields.push_back(optional_number(cell.summary(Metric::ContextUpload)));
    fields.push_back(optional_number(cell.summary(Metric::ContextBytes)));
    fields.push_back(optional_number(cell.summary(Metric::CachedSteps)));
    fields.push_back(cell.ok_count > 0 ? format_number(cell.total_steps) : "");
    fields.push_back(optional_number(cell.summary(Metric::ProxyBytes)));
    fields.push_back(optional_number(cell.summary(Metric::ProxyRequests)));
    fields.push_back(optional_number(cell.summary(Metric::ImageSize)));
    fields.push_back(csv_field(warning_ids(cell)));
    fields.push_back(csv_field(cell.engine));
    for (size_t i = 0; i < fields.size(); ++i) out << (i == 0 ? "" : ",") << fields[i];
    out << "\n";
  }
}

void write_samples_csv(const ReportModel& model, std::ostream& out) {
  out << "series,variant,kind,repetition,plan_index,started_at,ok,wall_s,daemon_span_s,context_bytes,"
         "context_upload_s,cached_steps,total_steps,proxy_bytes,proxy_requests,image_size,image_layers,"
         "build_cache_bytes,error,engine\n";
  for (const auto& cell : model.cells) {
    for (const auto& sample : cell.samples) {
      const auto& record = sample.record;
      auto non_negative = [](double value) { return value < 0 ? std::string() : format_number(value); };
      out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(sample.series),
                         csv_field(sample.variant), csv_field(sample.kind), sample.repetition, sample.plan_index,
                         csv_field(sample.started_at), record.ok ? "true" : "false",
                         record.ok ? format_number(record.wall_s) : "", non_negative(record.daemon_span_s),
                         record.context_bytes, non_negative(record.context_upload_s), record.cached_steps,
                         record.total_steps, sample.proxy.bytes, sample.proxy.requests,
                         non_negative(static_cast<double>(record.image_size)),
                         non_negative(static_cast<double>(record.image_layers)),
                         non_negative(static_cast<double>(sample.build_cache_bytes)), csv_field(record.error),
                         csv_field(cell.engine));
    }
  }
}

void write_summary_json(const ReportModel& model, std::ostream& out) {
  nlohmann::ordered_json json;
  json["schema_version"] = kReportSchemaVersion;
  json["generator"] = {{"name", "buildbench"}, {"version", model.generator_version}, {"generated_at", model.generated_at}};
  json["scenario"] = {{"name", model.scenario_name}, {"title", model.scenario_title}, {"hash", model.scenario_hash}};
  json["run"] = {{"harness_version", model.harness_version}, {"harness_commit", model.harness_commit},
                 {"started_at", model.started_at},           {"seed", model.seed},
                 {"cold_method", model.cold_method},         {"daemon_mode", model.daemon_mode}};
  if (model.adaptive.is_object()) json["run"]["adaptive"] = model.adaptive;
  if (model.harness_time) {
    const auto& time = *model.harness_time;
    json["run"]["harness_time"] = {{"run_wall_s", time.run_wall_s},
                                   {"builds_s", time.builds_s},
                                   {"harness_s", time.harness_s},
                                   {"report_s", model.report_s},
                                   {"share", harness_share(model).value_or(0)},
                                   {"parts", time.parts}};
  }
  json["environment"] = model.environment;
  json["base_images"] = model.base_images;
  json["fixture"] = {{"params", model.fixture_params}, {"hash", model.fixture_hash}};
  json["baseline_variant"] = model.baseline_variant;
  auto& engines = json["engines"] = nlohmann::ordered_json::array();
  for (const auto& engine : model.engines) engines.push_back(engine_json(model.versions_of(engine)));
  json["series"] = model.series;
  json["variants"] = model.variants;
  json["kinds"] = model.kinds;
  auto& inputs = json["inputs"] = nlohmann::ordered_json::array();
  for (const auto& input : model.inputs) {
    inputs.push_back({{"path", input.path},
                      {"samples", input.samples},
                      {"warmups", input.warmups},
                      {"failed", input.failed},
                      {"finished", input.finished},
                      {"interrupted", input.interrupted}});
  }
  json["notes"] = model.notes;
  json["claims_source"] = model.claims_source;
  auto& claims = json["claims"] = nlohmann::ordered_json::array();
  // The first engine's verdicts; with several engines each claim also has
  // every engine's under "by_engine" (engines order).
  for (size_t c = 0; c < model.claims.size(); ++c) {
    auto entry = claim_json(model.claims[c]);
    if (model.several_engines() && model.claims_by_engine.size() == model.engines.size()) {
      auto& by_engine = entry["by_engine"] = nlohmann::ordered_json::array();
      bool differ = false;
      for (const auto& results : model.claims_by_engine) {
        if (c >= results.size()) continue;
        by_engine.push_back(claim_json(results[c]));
        differ = differ || results[c].verdict != model.claims[c].verdict;
      }
      entry["verdicts_differ"] = differ;
    }
    claims.push_back(std::move(entry));
  }
  json["claim_differences"] = claim_differences(model);
  if (!model.worlds.empty()) json["worlds"] = worlds_json(model.worlds);
  auto& sweep_claims = json["sweep_claims"] = nlohmann::ordered_json::array();
  for (const auto& sweep : model.sweep_claims) {
    nlohmann::ordered_json entry;
    entry["id"] = sweep.claim.id;
    entry["engine"] = sweep.engine;
    entry["parameter"] = sweep.parameter;
    entry["holds_from"] = sweep.holds_from ? nlohmann::ordered_json(sweep.points[*sweep.holds_from].value) : nlohmann::ordered_json();
    entry["sentence"] = sweep.sentence;
    entry["ratio_check"] = sweep.ratio_check ? nlohmann::ordered_json(*sweep.ratio_check) : nlohmann::ordered_json();
    auto& points = entry["points"] = nlohmann::ordered_json::array();
    for (size_t p = 0; p < sweep.points.size(); ++p) {
      const auto& point = sweep.points[p];
      const CheckResult* ratio = sweep.ratio_at(p);
      nlohmann::ordered_json item;
      item["series"] = point.series;
      item["value"] = point.value;
      item["verdict"] = std::string(verdict_words(point.result.verdict));
      if (point.result.sequential) {
        item["decided_at"] = point.result.decided_at ? nlohmann::ordered_json(*point.result.decided_at) : nlohmann::ordered_json();
      }
      item["explanation"] = point.result.explanation;
      item["n_variant"] = ratio != nullptr ? ratio->n_variant : 0;
      item["n_than"] = ratio != nullptr ? ratio->n_than : 0;
      item["comparison"] = ratio != nullptr && ratio->comparison ? comparison_json(*ratio->comparison) : nlohmann::ordered_json();
      points.push_back(std::move(item));
    }
    sweep_claims.push_back(std::move(entry));
  }
  auto& comparisons = json["engine_comparisons"] = nlohmann::ordered_json::array();
  for (const auto& row : model.engine_comparisons) {
    nlohmann::ordered_json entry;
    entry["series"] = row.series;
    entry["kind"] = row.kind;
    entry["variant"] = row.variant;
    entry["reference"] = engine_json(row.reference);
    entry["engine"] = engine_json(row.engine);
    entry["reference_count"] = row.reference_count;
    entry["engine_count"] = row.engine_count;
    entry["reference_wall"] = row.reference_wall ? summary_json(*row.reference_wall) : nlohmann::ordered_json();
    entry["engine_wall"] = row.engine_wall ? summary_json(*row.engine_wall) : nlohmann::ordered_json();
    entry["comparison"] = row.comparison ? comparison_json(*row.comparison) : nlohmann::ordered_json();
    entry["problem"] = row.problem;
    comparisons.push_back(std::move(entry));
  }
  auto& cells = json["cells"] = nlohmann::ordered_json::array();
  for (const auto& cell : model.cells) {
    nlohmann::ordered_json entry;
    entry["engine"] = cell.engine;
    entry["series"] = cell.series;
    entry["variant"] = cell.variant;
    entry["kind"] = cell.kind;
    entry["samples"] = cell.samples.size();
    entry["ok"] = cell.ok_count;
    entry["failed"] = cell.failed_count;
    auto& metrics = entry["metrics"] = nlohmann::ordered_json::object();
    for (Metric metric : kAllMetrics) {
      if (const auto& summary = cell.summary(metric)) metrics[std::string(metric_id(metric))] = summary_json(*summary);
    }
    entry["total_steps"] = cell.total_steps;
    entry["vs_baseline"] = cell.vs_baseline ? comparison_json(*cell.vs_baseline) : nlohmann::ordered_json();
    auto& warnings = entry["warnings"] = nlohmann::ordered_json::array();
    for (const auto& warning : cell.warnings) warnings.push_back({{"id", warning.id}, {"message", warning.message}});
    cells.push_back(std::move(entry));
  }
  out << dump(json);
}

void write_engines_csv(const ReportModel& model, std::ostream& out) {
  out << "series,kind,variant,reference,reference_daemon_version,reference_buildkit_version,engine,"
         "engine_daemon_version,engine_buildkit_version,reference_samples,engine_samples,reference_median_s,"
         "engine_median_s,ratio,ratio_ci_low,ratio_ci_high,p_value,significant,problem\n";
  for (const auto& row : model.engine_comparisons) {
    std::vector<std::string> fields = {csv_field(row.series),
                                       csv_field(row.kind),
                                       csv_field(row.variant),
                                       csv_field(row.reference.name),
                                       csv_field(row.reference.daemon_version),
                                       csv_field(row.reference.buildkit_version),
                                       csv_field(row.engine.name),
                                       csv_field(row.engine.daemon_version),
                                       csv_field(row.engine.buildkit_version),
                                       fmt::format("{}", row.reference_count),
                                       fmt::format("{}", row.engine_count),
                                       row.reference_wall ? format_number(row.reference_wall->median) : "",
                                       row.engine_wall ? format_number(row.engine_wall->median) : ""};
    if (row.comparison) {
      for (double value : {row.comparison->ratio.ratio, row.comparison->ratio.ci_low, row.comparison->ratio.ci_high,
                           row.comparison->test.p_value}) {
        fields.push_back(format_number(value));
      }
      fields.push_back(row.comparison->significant ? "true" : "false");
    } else {
      fields.insert(fields.end(), 5, "");
    }
    fields.push_back(csv_field(row.problem));
    for (size_t i = 0; i < fields.size(); ++i) out << (i == 0 ? "" : ",") << fields[i];
    out << "\n";
  }
}

void write_gbench_json(const ReportModel& model, std::ostream& out) {
  nlohmann::ordered_json json;
  auto& context = json["context"];
  context["date"] = model.generated_at.empty() ? model.started_at : model.generated_at;
  context["host_name"] = "";
  context["executable"] = "buildbench report";
  int cpus = 0;
  if (model.environment.is_object() && model.environment.contains("host_cpus") &&
      model.environment["host_cpus"].is_number_integer()) {
    cpus = model.environment["host_cpus"].get<int>();
  }
  context["num_cpus"] = cpus;
  context["mhz_per_cpu"] = 0;
  context["cpu_scaling_enabled"] = false;
  context["caches"] = nlohmann::ordered_json::array();
  context["load_avg"] = nlohmann::ordered_json::array();
  context["library_build_type"] = "release";
  context["json_schema_version"] = 1;
  // Ours, beside Google Benchmark's own fields, which its tools ignore.
  context["buildbench"] = {{"schema_version", kReportSchemaVersion},
                           {"scenario", model.scenario_name},
                           {"scenario_hash", model.scenario_hash},
                           {"harness_commit", model.harness_commit},
                           {"note", "one benchmark per variant and build kind, each sample a repetition; "
                                    "cpu_time repeats the wall time (the build's CPU time is spent in the daemon)"}};
  if (model.several_engines()) {
    auto& engines = context["buildbench"]["engines"] = nlohmann::ordered_json::array();
    for (const auto& engine : model.engines) engines.push_back(engine_json(model.versions_of(engine)));
  }
  auto& benchmarks = json["benchmarks"] = nlohmann::ordered_json::array();
  size_t family = 0;
  for (const auto& cell : model.cells) {
    // With several engines the engine leads the name, so no benchmark mixes them.
    std::string name = (model.several_engines() ? engine_label(cell.engine) + "/" : "") + cell.variant + "/" + cell.kind +
                       (model.has_sweep() ? "/" + cell.series : "");
    std::vector<double> milliseconds;
    for (const auto& sample : cell.samples) {
      if (sample.record.ok) milliseconds.push_back(sample.record.wall_s * 1000);
    }
    const auto& wall = cell.summary(Metric::Wall);
    if (milliseconds.empty() || !wall) continue;
    auto entry = [&](const std::string& entry_name, const char* run_type, double value) {
      nlohmann::ordered_json item;
      item["name"] = entry_name;
      item["family_index"] = family;
      item["per_family_instance_index"] = 0;
      item["run_name"] = name;
      item["run_type"] = run_type;
      item["repetitions"] = milliseconds.size();
      return std::make_pair(std::move(item), value);
    };
    for (size_t i = 0; i < milliseconds.size(); ++i) {
      auto [item, value] = entry(name, "iteration", milliseconds[i]);
      item["repetition_index"] = i;
      item["threads"] = 1;
      item["iterations"] = 1;
      item["real_time"] = value;
      item["cpu_time"] = value;
      item["time_unit"] = "ms";
      benchmarks.push_back(std::move(item));
    }
    std::pair<const char*, double> aggregates[] = {
        {"mean", wall->mean * 1000}, {"median", wall->median * 1000}, {"stddev", wall->stddev * 1000}};
    for (const auto& [aggregate, aggregate_value] : aggregates) {
      auto [item, value] = entry(name + "_" + aggregate, "aggregate", aggregate_value);
      item["threads"] = 1;
      item["aggregate_name"] = aggregate;
      item["aggregate_unit"] = "time";
      item["iterations"] = milliseconds.size();
      item["real_time"] = value;
      item["cpu_time"] = value;
      item["time_unit"] = "ms";
      benchmarks.push_back(std::move(item));
    }
    ++family;
  }
  out << dump(json);
}

}  // namespace buildbench::report
