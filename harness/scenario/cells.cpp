#include "scenario/cells.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "dockerfile/parse.h"
#include "stats/verdicts.h"

namespace buildbench::scenario {
namespace {

std::optional<size_t> index_of_variant(const Scenario& scenario, const std::string& name) {
  for (size_t i = 0; i < scenario.variants.size(); ++i) {
    if (scenario.variants[i].name == name) return i;
  }
  return std::nullopt;
}

std::optional<size_t> index_of_kind(const Scenario& scenario, const std::string& label) {
  for (size_t i = 0; i < scenario.build_kinds.size(); ++i) {
    if (scenario.build_kinds[i].label() == label) return i;
  }
  return std::nullopt;
}

// A kind that cannot change anything for this variant: a build argument
// bump on a Dockerfile that never declares the argument is a warm build.
std::optional<std::string> pointless_kind(const Variant& variant, const BuildKind& kind) {
  if (kind.type != KindType::Cachebust) return std::nullopt;
  if (dockerfile_declares_arg(variant.dockerfile, kind.build_arg)) return std::nullopt;
  return "`" + kind.label() + "` is left out for " + variant.name + ": its Dockerfile declares no ARG " +
         kind.build_arg + ", so the bump would be a second warm build";
}

// The cells one check reads: (variant, kind) and for comparisons (than, kind).
std::vector<std::pair<size_t, size_t>> check_cells(const Scenario& scenario, const ClaimCheck& check) {
  std::vector<std::pair<size_t, size_t>> cells;
  auto kind = index_of_kind(scenario, check.kind);
  if (!kind) return cells;
  if (auto variant = index_of_variant(scenario, check.variant)) cells.emplace_back(*variant, *kind);
  if (check.type == CheckType::Faster || check.type == CheckType::Less) {
    if (auto than = index_of_variant(scenario, check.than)) cells.emplace_back(*than, *kind);
  }
  return cells;
}

}  // namespace

bool CellPlan::uses(size_t variant, size_t kind) const {
  return std::any_of(cells.begin(), cells.end(),
                     [&](const PlannedCell& cell) { return cell.variant == variant && cell.kind == kind; });
}

bool dockerfile_declares_arg(const std::filesystem::path& dockerfile, const std::string& name) {
  // Through the Dockerfile model, so line continuations and `ARG A=1 B`
  // with several items follow the parser's rules, not a second reading of
  // the file. An unreadable Dockerfile declares nothing
  // (preflight reports it).
  auto parsed = dockerfile::parse_file(dockerfile);
  if (!parsed) return false;
  for (const auto* instruction : parsed->all_instructions()) {
    if (instruction->keyword != dockerfile::Keyword::Arg) continue;
    for (const auto& pair : instruction->pairs) {
      if (pair.key.text == name) return true;
    }
  }
  return false;
}

CellPlan plan_cells(const Scenario& scenario, bool all_cells) {
  CellPlan plan;
  plan.all_cells = all_cells || scenario.all_cells;
  plan.total_cells = scenario.variants.size() * scenario.build_kinds.size();
  std::map<std::pair<size_t, size_t>, std::vector<std::string>> serves;
  const bool from_claims = !plan.all_cells && !scenario.claims.empty();
  if (from_claims) {
    for (const auto& claim : scenario.claims) {
      for (const auto& check : claim.checks) {
        for (const auto& cell : check_cells(scenario, check)) {
          auto& uses = serves[cell];
          std::string use = "claim " + claim.id;
          if (std::find(uses.begin(), uses.end(), use) == uses.end()) uses.push_back(use);
        }
      }
    }
  } else {
    for (size_t variant = 0; variant < scenario.variants.size(); ++variant) {
      for (size_t kind = 0; kind < scenario.build_kinds.size(); ++kind) {
        serves[{variant, kind}].push_back(variant == scenario.baseline
                                              ? std::string("baseline")
                                              : "comparison with " + scenario.baseline_variant().name);
      }
    }
  }
  for (auto& [cell, uses] : serves) {
    const auto& variant = scenario.variants[cell.first];
    if (!all_cells) {
      if (auto why = pointless_kind(variant, scenario.build_kinds[cell.second])) {
        plan.notes.push_back(*why);
        continue;
      }
    }
    plan.cells.push_back({cell.first, cell.second, std::move(uses)});
  }
  if (from_claims && plan.cells.size() < plan.total_cells) {
    plan.notes.push_back(std::to_string(plan.total_cells - plan.cells.size()) + " of " +
                         std::to_string(plan.total_cells) +
                         " cells serve no claim and are not built (--all-cells builds them)");
  }
  return plan;
}

bool Decisions::active(size_t variant, size_t kind) const {
  return std::any_of(cells.begin(), cells.end(), [&](const CellDecision& cell) {
    return cell.variant == variant && cell.kind == kind && cell.active;
  });
}

Decisions decide(const Scenario& scenario, const CellPlan& plan, const CellValues& values) {
  Decisions decisions;
  if (!scenario.adaptive) {
    for (const auto& cell : plan.cells) decisions.cells.push_back({cell.variant, cell.kind, 0, true});
    decisions.undecided_cells = decisions.cells.size();
    return decisions;
  }
  const auto& adaptive = *scenario.adaptive;
  const size_t min_n = static_cast<size_t>(adaptive.min);
  const size_t max_n = static_cast<size_t>(adaptive.max);
  const auto design = stats::sequential_design(min_n, max_n, adaptive.alpha);
  // Undecided uses, per cell: a cell is active while one of them is.
  std::map<std::pair<size_t, size_t>, bool> open;
  auto count = [&](size_t variant, size_t kind) { return values(variant, kind, "wall_s").size(); };
  for (const auto& cell : plan.cells) open[{cell.variant, cell.kind}] = false;

  if (adaptive.until == AdaptiveRepetitions::Until::CiWidth) {
    for (auto& [cell, is_open] : open) {
      auto wall = values(cell.first, cell.second, "wall_s");
      is_open = wall.size() < min_n || !stats::median_ci_within(wall, adaptive.ci_width);
    }
  } else {
    // Claims' checks always count; comparisons with the baseline count for
    // the cells built for them (all cells, or a scenario without claims).
    for (const auto& claim : scenario.claims) {
      bool claim_decided = true;
      for (const auto& check : claim.checks) {
        auto cells = check_cells(scenario, check);
        if (cells.empty()) continue;
        bool decided = true;
        for (const auto& [variant, kind] : cells) decided = decided && count(variant, kind) >= min_n;
        if (decided && check.type == CheckType::Faster && cells.size() == 2) {
          auto candidate = values(cells[0].first, cells[0].second, check.metric);
          auto baseline = values(cells[1].first, cells[1].second, check.metric);
          auto outcome = stats::sequential_faster(baseline, candidate, check.holds_at_most, design);
          decided = outcome && outcome->decided;
        }
        if (!decided) {
          claim_decided = false;
          for (const auto& cell : cells) {
            if (open.count(cell)) open[cell] = true;
          }
        }
      }
      if (claim_decided) ++decisions.decided_claims;
    }
    // Every variant against the baseline, kind by kind, on wall time.
    for (const auto& cell : plan.cells) {
      if (!plan.all_cells && !scenario.claims.empty()) break;
      if (cell.variant == scenario.baseline) continue;
      std::pair<size_t, size_t> base{scenario.baseline, cell.kind};
      // Without a baseline cell of this kind there is nothing to compare: min samples do.
      bool decided = count(cell.variant, cell.kind) >= min_n && (!open.count(base) || count(base.first, base.second) >= min_n);
      if (decided && open.count(base)) {
        auto outcome = stats::sequential_faster(values(base.first, base.second, "wall_s"),
                                                values(cell.variant, cell.kind, "wall_s"), std::nullopt, design);
        decided = outcome && outcome->decided;
      }
      if (!decided) {
        open[{cell.variant, cell.kind}] = true;
        if (open.count(base)) open[base] = true;
      }
    }
  }

  for (const auto& cell : plan.cells) {
    CellDecision decision{cell.variant, cell.kind, count(cell.variant, cell.kind), true};
    decision.active = decision.samples < max_n && (decision.samples < min_n || open[{cell.variant, cell.kind}]);
    (decision.active ? decisions.undecided_cells : decisions.decided_cells) += 1;
    decisions.cells.push_back(decision);
  }
  return decisions;
}

}  // namespace buildbench::scenario
