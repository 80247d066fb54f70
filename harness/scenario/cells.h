#pragma once
// Which cells (variant x build kind) a run builds, what each one serves, and
// for adaptive repetitions which of them are still undecided after a round
// (docs/adaptive-repetitions.md).
//
// Plans from claims: a scenario with claims builds only the cells its
// claims' checks read, unless all cells are asked for (`--all-cells`);
// without claims every cell serves the comparison with the baseline
// variant. A `cachebust` kind whose argument the variant's Dockerfile never
// declares would be a second warm build; it is left out with a note.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace buildbench::scenario {

struct PlannedCell {
  size_t variant = 0;  // index into Scenario::variants
  size_t kind = 0;     // index into Scenario::build_kinds
  // What the cell serves: "claim layer-order", "comparison with slow", "baseline".
  std::vector<std::string> serves;
};

struct CellPlan {
  bool all_cells = false;
  std::vector<PlannedCell> cells;  // in variant, then kind order
  std::vector<std::string> notes;  // cells left out and why, one sentence each
  bool uses(size_t variant, size_t kind) const;
  size_t total_cells = 0;          // variants x kinds
};

// `all_cells` (--all-cells) builds every cell, pointless kinds included: the
// plan of a fixed count before plans from claims existed. A scenario's
// `"cells": "all"` builds every cell but still leaves pointless kinds out.
CellPlan plan_cells(const Scenario& scenario, bool all_cells);

// Whether a Dockerfile declares `ARG name` (with or without a default). A
// line scan (instruction keyword case-insensitive, leading blanks skipped):
// enough for this question; the full Dockerfile model (ARG scoping across
// stages, line continuations) is the `dockerfile` module's job.
bool dockerfile_declares_arg(const std::filesystem::path& dockerfile, const std::string& name);

// The successful values of a cell's measured samples, in run order, for a
// metric id ("wall_s", "proxy_bytes", ...).
using CellValues = std::function<std::vector<double>(size_t variant, size_t kind, const std::string& metric)>;

struct CellDecision {
  size_t variant = 0;
  size_t kind = 0;
  size_t samples = 0;    // successful samples so far
  bool active = true;    // needs another round
};

struct Decisions {
  std::vector<CellDecision> cells;  // the plan's cells, same order
  size_t decided_cells = 0;
  size_t undecided_cells = 0;
  size_t decided_claims = 0;        // claims all of whose checks are decided
  bool active(size_t variant, size_t kind) const;
};

// After a round: which cells of an adaptive run need more samples. A cell
// stops when it has the scenario's max, or at least min and every claim
// check / comparison it serves is decided: "faster" checks and comparisons
// by stats::sequential_faster (the same function the report replays), exact
// metrics and cache hits once each side has min samples; with
// `until: {ci_width}` when its median's CI is narrow enough.
Decisions decide(const Scenario& scenario, const CellPlan& plan, const CellValues& values);

}  // namespace buildbench::scenario
