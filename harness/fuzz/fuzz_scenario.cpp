// Fuzz target for the scenario loader: any bytes give a Scenario or
// problems, never a crash or a hang. A scenario that loads must plan, and its
// canonical form must load back to the same canonical form.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "scenario/plan.h"
#include "scenario/scenario.h"
#include "util/temp_dir.h"

namespace {

// The files the seed corpus names (as in tests/data/scenarios), so that valid
// inputs get past the path checks and reach the plan and the canonical form.
// The scenario "lives" in <sandbox>/broken/; the sandbox is removed at exit.
const std::filesystem::path& scenario_file() {
  static buildbench::util::TempDir sandbox("buildbench-fuzz-scenario-");
  static const std::filesystem::path file = [] {
    const auto& root = sandbox.path();
    std::filesystem::create_directories(root / "broken");
    std::filesystem::create_directories(root / "fixture-dir");
    std::ofstream(root / "Dockerfile.ok") << "FROM scratch\n";
    std::ofstream(root / "ok.dockerignore") << ".git\n";
    return root / "broken" / "scenario.json";
  }();
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace buildbench::scenario;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Paths are only looked at (stat), never opened or written.
  const std::filesystem::path& file = scenario_file();
  auto outcome = parse_scenario(text, file);
  if (outcome.ok() == !outcome.problems.empty()) std::abort();
  (void)outcome.report(file);
  if (!outcome.ok()) return 0;
  const Scenario& scenario = *outcome.scenario;
  PlanOptions options;
  options.repetitions = 2;
  options.all_cells = true;  // every cell: the full grid
  auto plan = make_plan(scenario, options);
  const size_t rounds = scenario.series.size() * static_cast<size_t>(2 + scenario.warmups);
  if (plan.size() != scenario.variants.size() * scenario.build_kinds.size() * rounds) std::abort();
  // The default plan builds exactly the cells plan_cells() keeps.
  options.all_cells = false;
  if (make_plan(scenario, options).size() != plan_cells(scenario, false).cells.size() * rounds) std::abort();
  auto shard = select_shard(plan, 1, 3);
  if (!shard.ok()) std::abort();
  std::string canonical = to_json(scenario).dump();
  auto again = parse_scenario(canonical, file);
  if (!again.ok() || to_json(*again.scenario).dump() != canonical) std::abort();
  return 0;
}
