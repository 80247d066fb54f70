#include "report/worlds.h"

#include <algorithm>
#include <functional>
#include <utility>

#include <fmt/format.h>

#include "report/format.h"
#include "report/model.h"
#include "report/summary_table.h"

namespace buildbench::report {
namespace {

using scenario::CheckType;

// A share of the build time moving by less than this between worlds is
// within what two runs of one world differ by; the carrier sentence says so
// instead of naming it.
constexpr double kNotableShift = 0.05;

std::string percent(double share) { return fmt::format("{:.0f}%", 100 * share); }

// The parts with `separator` between them.
std::string join_with(const std::vector<std::string>& parts, const char* separator) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : separator) + part;
  return text;
}

// "a, b and c".
std::string join_words(const std::vector<std::string>& words) {
  std::string text;
  for (size_t i = 0; i < words.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
  }
  return text;
}

std::string sources_of(const ReportModel& model) {
  std::vector<std::string> paths;
  for (const auto& input : model.inputs) paths.push_back(input.path);
  return join_words(paths);
}

bool is_compile_step(const std::string& name) {
  return name.find("go build") != std::string::npos || name.find("go install") != std::string::npos ||
         name.find("go test") != std::string::npos;
}

// Seconds during which at least one step matching `matches` ran (not cached),
// so two compile steps of parallel stages count once. Steps without offsets
// (an older trace) add their durations.
template <typename Matches>
double busy_seconds(const docker::BuildRecord& record, Matches matches) {
  std::vector<std::pair<double, double>> spans;
  double unplaced = 0;
  for (const auto& step : record.steps) {
    if (step.cached || step.duration_s <= 0 || !matches(step.name)) continue;
    if (step.start_offset_s < 0) {
      unplaced += step.duration_s;
    } else {
      spans.emplace_back(step.start_offset_s, step.start_offset_s + step.duration_s);
    }
  }
  std::sort(spans.begin(), spans.end());
  double total = unplaced;
  double open_start = 0;
  double open_end = -1;
  for (const auto& [start, end] : spans) {
    if (start > open_end) {
      if (open_end > open_start) total += open_end - open_start;
      open_start = start;
      open_end = end;
    } else {
      open_end = std::max(open_end, end);
    }
  }
  if (open_end > open_start) total += open_end - open_start;
  return total;
}

std::optional<StepTime> step_time(const Cell& cell) {
  std::vector<double> walls, downloads, compiles, download_shares, compile_shares, bytes;
  for (const auto& sample : cell.samples) {
    const auto& record = sample.record;
    if (!record.ok || record.wall_s <= 0) continue;
    double download = busy_seconds(record, [](const std::string& name) { return is_dependency_download_step(name); });
    double compile = busy_seconds(record, is_compile_step);
    walls.push_back(record.wall_s);
    downloads.push_back(download);
    compiles.push_back(compile);
    download_shares.push_back(download / record.wall_s);
    compile_shares.push_back(compile / record.wall_s);
    bytes.push_back(static_cast<double>(sample.proxy.bytes));
  }
  if (walls.empty()) return std::nullopt;
  StepTime time;
  time.variant = cell.variant;
  time.kind = cell.kind;
  time.samples = walls.size();
  time.wall_s = stats::median(walls);
  time.download_s = stats::median(downloads);
  time.compile_s = stats::median(compiles);
  time.download_share = stats::median(download_shares);
  time.compile_share = stats::median(compile_shares);
  time.proxy_bytes = stats::median(bytes);
  return time;
}

// The cell the claims were judged on: the engine's, first sweep value.
const Cell* claim_cell(const ReportModel& model, const std::string& engine, const std::string& variant,
                       const std::string& kind) {
  return model.find(engine, model.series.empty() ? "" : model.series.front(), variant, kind);
}

std::string dependencies_of(const ReportModel& model) {
  std::string words = dependencies_words(model.fixture_params);
  if (!words.empty()) return words;
  // Results from before presets: a generated fixture had synthetic modules.
  if (model.fixture_params.is_object() && model.fixture_params.contains("path")) return "";
  return model.fixture_params.is_object() && !model.fixture_params.empty() ? "synthetic modules" : "";
}

WorldFacts facts_of(const std::string& name, const ReportModel& model, const std::string& engine) {
  WorldFacts facts;
  facts.name = name;
  facts.source = sources_of(model);
  facts.scenario = model.scenario_name;
  facts.deps_preset = deps_preset_of(model.fixture_params);
  facts.dependencies = dependencies_of(model);
  facts.network = network_words(model.proxy);
  facts.engines = model.engines;
  std::vector<double> bytes;
  for (const auto& cell : model.cells) {
    if (cell.engine != engine || cell.kind != "cold") continue;
    for (const auto& sample : cell.samples) {
      if (sample.record.ok) bytes.push_back(static_cast<double>(sample.proxy.bytes));
    }
  }
  facts.cold_samples = bytes.size();
  if (!bytes.empty()) facts.cold_proxy_bytes = stats::median(bytes);
  return facts;
}

std::string value_text(const scenario::ClaimCheck& check, double value) {
  auto metric = metric_from_id(check.metric);
  if (metric == Metric::ContextBytes || metric == Metric::ProxyBytes || metric == Metric::ImageSize) {
    return format_bytes(value);
  }
  if (metric && metric_is_exact(*metric)) return fmt::format("{:.0f}", value);
  return format_seconds(value);
}

WorldCheckFigure figure_of(const CheckResult& check) {
  WorldCheckFigure figure;
  figure.verdict = check.verdict;
  figure.n_variant = check.n_variant;
  std::string what;
  switch (check.check.type) {
    case CheckType::Faster:
      figure.n_than = check.n_than;
      if (check.comparison) figure.ratio = check.comparison->ratio.ratio;
      break;
    case CheckType::Less:
      figure.n_than = check.n_than;
      if (check.exact && check.exact->baseline != 0) {
        figure.ratio = static_cast<double>(check.exact->candidate) / static_cast<double>(check.exact->baseline);
      } else if (check.exact) {
        figure.value = value_text(check.check, static_cast<double>(check.exact->candidate));
      }
      break;
    case CheckType::AtMost:
      if (check.variant_summary) figure.value = value_text(check.check, check.variant_summary->median);
      break;
    case CheckType::CachedUntil: break;
  }
  if (figure.ratio) what = "ratio " + format_ratio(*figure.ratio);
  if (!figure.value.empty()) what = figure.value;
  std::string n;
  if (check.check.type == CheckType::Faster || check.check.type == CheckType::Less) {
    n = sample_counts(figure.n_variant, figure.n_than);
  } else {
    n = fmt::format("n={}", figure.n_variant);
  }
  figure.text = what.empty() ? n : what + ", " + n;
  return figure;
}

const ClaimResult* find_claim(const ReportModel& model, const std::string& engine, const std::string& id) {
  for (size_t e = 0; e < model.engines.size() && e < model.claims_by_engine.size(); ++e) {
    if (model.engines[e] != engine) continue;
    for (const auto& result : model.claims_by_engine[e]) {
      if (result.claim.id == id) return &result;
    }
  }
  return nullptr;
}

std::vector<std::string> claim_ids(const ReportModel& model) {
  std::vector<std::string> ids;
  for (const auto& result : model.claims) ids.push_back(result.claim.id);
  return ids;
}

// The figures of one world's verdict as a short parenthesis: the checks
// given (those that differ), or all.
std::string figures_words(const WorldVerdict& verdict, const std::vector<size_t>& checks) {
  std::vector<std::string> parts;
  for (size_t c : checks) {
    if (c < verdict.checks.size()) parts.push_back(verdict.checks[c].text);
  }
  return join_with(parts, "; ");
}

std::string world_facts_words(const WorldFacts& facts) {
  std::vector<std::string> parts;
  if (!facts.dependencies.empty()) parts.push_back(facts.dependencies);
  if (facts.cold_proxy_bytes) {
    parts.push_back(fmt::format("{} through the module proxy in a cold build (median of {})",
                                format_bytes(*facts.cold_proxy_bytes), facts.cold_samples));
  } else {
    parts.push_back("no cold build measured");
  }
  if (!facts.network.empty()) parts.push_back("network " + facts.network);
  return facts.name + ": " + join_with(parts, ", ");
}

std::string step_time_words(const StepTime& time) {
  return fmt::format("{} {} (download steps {}, compile steps {}, {} downloaded)", time.variant,
                     format_seconds(time.wall_s), percent(time.download_share), percent(time.compile_share),
                     format_bytes(time.proxy_bytes));
}

// The cells a check reads: its variant, and the variant it is compared with.
std::vector<std::pair<std::string, std::string>> check_cells(const scenario::ClaimCheck& check) {
  std::vector<std::pair<std::string, std::string>> cells = {{check.variant, check.kind}};
  if ((check.type == CheckType::Faster || check.type == CheckType::Less) && !check.than.empty()) {
    cells.emplace_back(check.than, check.kind);
  }
  return cells;
}

// Why one claim's verdicts differ: the worlds' facts, where the time went in
// the cells the differing checks read, and the step class that moved most.
WorldsDifference explain(const WorldsRow& row, const std::vector<World>& worlds,
                         const std::vector<WorldFacts>& facts, const std::vector<std::string>& engines_per_world,
                         const std::vector<scenario::ClaimCheck>& checks) {
  WorldsDifference difference;
  difference.claim_id = row.claim_id;
  difference.engine = row.engine;

  // Checks whose verdicts are not the same in every world that has them.
  std::vector<size_t> differing;
  for (size_t c = 0; c < checks.size(); ++c) {
    std::vector<ClaimVerdict> seen;
    for (const auto& verdict : row.verdicts) {
      if (verdict.measured && c < verdict.checks.size()) seen.push_back(verdict.checks[c].verdict);
    }
    if (std::adjacent_find(seen.begin(), seen.end(), std::not_equal_to<>()) != seen.end()) differing.push_back(c);
  }
  if (differing.empty()) {
    for (size_t c = 0; c < checks.size(); ++c) differing.push_back(c);
  }

  // "holds partly in toy (ratio 0.950, n=6 per side), holds in realistic (...)"
  std::vector<std::string> verdict_parts;
  for (const auto& verdict : row.verdicts) {
    if (!verdict.measured) continue;
    std::string figures = figures_words(verdict, differing);
    std::string extra = figures;
    if (!verdict.decision.empty()) extra += (extra.empty() ? "" : ", ") + verdict.decision;
    verdict_parts.push_back(fmt::format("{} in {}{}", verdict_words(verdict.verdict), verdict.world,
                                        extra.empty() ? "" : " (" + extra + ")"));
  }
  difference.verdicts = join_words(verdict_parts);

  std::vector<std::string> fact_parts;
  for (size_t w = 0; w < worlds.size(); ++w) {
    if (row.verdicts[w].measured) fact_parts.push_back(world_facts_words(facts[w]));
  }
  difference.facts = "The worlds: " + join_with(fact_parts, "; ") + ".";

  // The cells of the differing checks, without repeats.
  std::vector<std::pair<std::string, std::string>> cells;
  for (size_t c : differing) {
    for (const auto& cell : check_cells(checks[c])) {
      if (std::find(cells.begin(), cells.end(), cell) == cells.end()) cells.push_back(cell);
    }
  }
  std::vector<std::string> kinds;
  for (const auto& cell : cells) {
    if (std::find(kinds.begin(), kinds.end(), cell.second) == kinds.end()) kinds.push_back(cell.second);
  }
  std::vector<std::string> step_parts;
  for (size_t w = 0; w < worlds.size(); ++w) {
    if (!row.verdicts[w].measured) continue;
    WorldSteps steps;
    steps.world = facts[w].name;
    steps.engine = engines_per_world[w];
    for (const auto& [variant, kind] : cells) {
      const Cell* cell = claim_cell(*worlds[w].model, engines_per_world[w], variant, kind);
      if (cell == nullptr) continue;
      if (auto time = step_time(*cell)) steps.cells.push_back(std::move(*time));
    }
    std::vector<std::string> words;
    for (const auto& kind : kinds) {
      std::vector<std::string> of_kind;
      for (const auto& time : steps.cells) {
        if (time.kind == kind) of_kind.push_back(step_time_words(time));
      }
      if (!of_kind.empty()) {
        words.push_back((kinds.size() > 1 ? fmt::format("`{}` builds: ", kind) : std::string()) + join_words(of_kind));
      }
    }
    if (!words.empty()) step_parts.push_back(steps.world + ": " + join_with(words, "; "));
    difference.step_times.push_back(std::move(steps));
  }
  if (!step_parts.empty()) {
    std::string intro = kinds.size() == 1 ? fmt::format("In `{}` builds (median wall time, share of it in "
                                                        "dependency-download and compile steps, bytes from the module "
                                                        "proxy)",
                                                        kinds.front())
                                          : "Median wall time, share of it in dependency-download and compile steps, "
                                            "bytes from the module proxy";
    difference.steps = intro + ": " + join_with(step_parts, "; ") + ".";
  }

  // The step class and cell whose share of the build time moved most.
  for (const auto& [variant, kind] : cells) {
    for (int step_class = 0; step_class < 2; ++step_class) {
      StepShift shift;
      shift.step_class = step_class == 0 ? "dependency-download steps" : "compile steps";
      shift.variant = variant;
      shift.kind = kind;
      for (const auto& steps : difference.step_times) {
        for (const auto& time : steps.cells) {
          if (time.variant != variant || time.kind != kind) continue;
          shift.shares.emplace_back(steps.world, step_class == 0 ? time.download_share : time.compile_share);
        }
      }
      if (shift.shares.size() < 2) continue;
      auto [low, high] = std::minmax_element(shift.shares.begin(), shift.shares.end(),
                                             [](const auto& a, const auto& b) { return a.second < b.second; });
      shift.spread = high->second - low->second;
      if (!difference.shift || shift.spread > difference.shift->spread) difference.shift = std::move(shift);
    }
  }
  if (difference.shift && difference.shift->spread >= kNotableShift) {
    const auto& shift = *difference.shift;
    std::vector<std::string> shares;
    for (const auto& [world, share] : shift.shares) {
      shares.push_back(fmt::format("{}{} in {}", percent(share), shares.empty() ? " of the build time" : "", world));
    }
    difference.carrier = fmt::format("The {} of `{}` builds of {} carry the difference: they take {}.",
                                     shift.step_class, shift.kind, shift.variant, join_words(shares));
  } else if (difference.shift) {
    difference.carrier = fmt::format("No step class moves by {} or more of the build time between the worlds (at most "
                                     "{}, {} of `{}` builds of {}): the difference is in the other steps or the noise.",
                                     percent(kNotableShift), percent(difference.shift->spread),
                                     difference.shift->step_class, difference.shift->kind, difference.shift->variant);
  } else {
    difference.carrier = "No cell of the differing checks has successful builds in two worlds to compare steps.";
  }
  return difference;
}

}  // namespace

std::string WorldsDifference::text() const {
  std::string out = fmt::format("{}{}: {}.", claim_id, engine.empty() ? "" : " on " + engine_label(engine), verdicts);
  for (const auto* part : {&facts, &steps, &carrier}) {
    if (!part->empty()) out += " " + *part;
  }
  return out;
}

std::string default_world_name(const ReportModel& model) {
  if (!deps_preset_of(model.fixture_params).empty()) return "realistic";
  if (model.fixture_params.is_object() && model.fixture_params.contains("path")) return "project";
  return "toy";
}

util::Result<WorldsComparison> compare_worlds(const std::vector<World>& worlds) {
  if (worlds.size() < 2) return util::error("comparing worlds needs at least two");
  for (size_t w = 0; w < worlds.size(); ++w) {
    if (worlds[w].model == nullptr) return util::error("world '" + worlds[w].name + "' has no report");
    if (worlds[w].name.empty()) return util::error("a world needs a name (results " + sources_of(*worlds[w].model) + ")");
    for (size_t o = 0; o < w; ++o) {
      if (worlds[o].name == worlds[w].name) {
        return util::error(fmt::format("two worlds are named '{}' ({} and {}); give each its own name",
                                       worlds[w].name, sources_of(*worlds[o].model), sources_of(*worlds[w].model)));
      }
    }
  }
  const ReportModel& own = *worlds.front().model;
  const auto own_ids = claim_ids(own);
  if (own_ids.empty()) {
    return util::error(fmt::format("{} ({}) has no claims to compare between worlds", sources_of(own), worlds.front().name));
  }
  for (size_t w = 1; w < worlds.size(); ++w) {
    const auto ids = claim_ids(*worlds[w].model);
    bool common = std::any_of(ids.begin(), ids.end(), [&](const std::string& id) {
      return std::find(own_ids.begin(), own_ids.end(), id) != own_ids.end();
    });
    if (!common) {
      return util::error(fmt::format("{} ({}) has no claim id in common with {} ({}): its claims are {}, the report's "
                                     "are {}",
                                     sources_of(*worlds[w].model), worlds[w].name, sources_of(own), worlds.front().name,
                                     ids.empty() ? std::string("none") : join_words(ids), join_words(own_ids)));
    }
  }

  WorldsComparison comparison;
  // Engines every world has, in the report's order.
  for (const auto& engine : own.engines) {
    bool everywhere = std::all_of(worlds.begin() + 1, worlds.end(), [&](const World& world) {
      return std::find(world.model->engines.begin(), world.model->engines.end(), engine) != world.model->engines.end();
    });
    if (everywhere) comparison.engines.push_back(engine);
  }
  // Per compared engine, each world's engine (the same one, or with no
  // engine in common each world's own first).
  std::vector<std::vector<std::string>> engine_sets;
  if (comparison.engines.empty()) {
    comparison.engines_differ = true;
    std::vector<std::string> firsts;
    std::vector<std::string> words;
    for (const auto& world : worlds) {
      firsts.push_back(world.model->engines.front());
      words.push_back(fmt::format("{} on {}", world.name, engine_label(world.model->engines.front())));
    }
    engine_sets.push_back(firsts);
    comparison.engines_note = fmt::format("The worlds share no engine, so each world's own engine is compared ({}): "
                                          "a verdict may differ because of the engine as well as the world.",
                                          join_words(words));
  } else {
    for (const auto& engine : comparison.engines) engine_sets.emplace_back(worlds.size(), engine);
    std::vector<std::string> left_out;
    for (const auto& world : worlds) {
      for (const auto& engine : world.model->engines) {
        if (std::find(comparison.engines.begin(), comparison.engines.end(), engine) == comparison.engines.end()) {
          left_out.push_back(fmt::format("{} (only in {})", engine_label(engine), world.name));
        }
      }
    }
    if (!left_out.empty()) {
      std::vector<std::string> compared;
      for (const auto& engine : comparison.engines) compared.push_back(engine_label(engine));
      comparison.engines_note = fmt::format("Claims are matched by id and engine: compared on {}; not compared: {}.",
                                            join_words(compared), join_words(left_out));
    }
  }
  // A world's facts are read on the first engine compared in it.
  for (size_t w = 0; w < worlds.size(); ++w) {
    comparison.worlds.push_back(facts_of(worlds[w].name, *worlds[w].model, engine_sets.front()[w]));
  }

  // Claim ids: the report's order, then each other world's new ones.
  std::vector<std::string> ids = own_ids;
  for (size_t w = 1; w < worlds.size(); ++w) {
    for (const auto& id : claim_ids(*worlds[w].model)) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  std::vector<std::string> agreeing;
  for (const auto& engines : engine_sets) {
    for (const auto& id : ids) {
      WorldsRow row;
      row.claim_id = id;
      row.engine = engine_sets.size() > 1 ? engines.front() : "";
      std::vector<scenario::ClaimCheck> checks;
      size_t measured = 0;
      for (size_t w = 0; w < worlds.size(); ++w) {
        WorldVerdict verdict;
        verdict.world = worlds[w].name;
        verdict.engine = engines[w];
        const ClaimResult* result = find_claim(*worlds[w].model, engines[w], id);
        if (result == nullptr) {
          verdict.text = "not measured in " + worlds[w].name;
        } else {
          ++measured;
          if (row.claim_text.empty()) row.claim_text = result->claim.text;
          if (checks.empty()) checks = result->claim.checks;
          verdict.measured = true;
          verdict.verdict = result->verdict;
          verdict.decision = result->decision_words();
          verdict.explanation = result->explanation;
          for (const auto& check : result->checks) verdict.checks.push_back(figure_of(check));
          auto& figures = verdict.figures;
          for (const auto& figure : verdict.checks) figures += (figures.empty() ? "" : "; ") + figure.text;
          if (!verdict.decision.empty()) figures += (figures.empty() ? "" : ", ") + verdict.decision;
          verdict.text = std::string(verdict_words(verdict.verdict)) + (figures.empty() ? "" : ": " + figures);
        }
        row.verdicts.push_back(std::move(verdict));
      }
      row.measured_everywhere = measured == worlds.size();
      std::vector<ClaimVerdict> seen;
      for (const auto& verdict : row.verdicts) {
        if (verdict.measured) seen.push_back(verdict.verdict);
      }
      row.differ = std::adjacent_find(seen.begin(), seen.end(), std::not_equal_to<>()) != seen.end();
      if (row.differ) {
        comparison.differences.push_back(explain(row, worlds, comparison.worlds, engines, checks));
      } else if (seen.size() >= 2) {
        agreeing.push_back(row.engine.empty() ? id : fmt::format("{} on {}", id, engine_label(row.engine)));
      }
      comparison.rows.push_back(std::move(row));
    }
  }
  if (!agreeing.empty()) {
    std::vector<std::string> names;
    for (const auto& world : worlds) names.push_back(world.name);
    comparison.agreement = fmt::format("{} {} the same verdict in {}.", join_words(agreeing),
                                       agreeing.size() == 1 ? "has" : "have", join_words(names));
  }
  return comparison;
}

}  // namespace buildbench::report
