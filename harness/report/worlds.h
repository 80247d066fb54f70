#pragma once
// Two worlds side by side (issue "A realistic dependency world", item 5):
// the same claims measured in a toy world (synthetic modules of a few kB) and
// a realistic one (real Go modules over an emulated network). Each world's
// report model judges its own claims (claims.cpp, nothing is judged again
// here); this file lines their verdicts up by claim id and engine and, for
// every claim whose verdict differs, says from the samples what differs
// between the worlds and in which steps the build time went. Writers only
// format the result.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "report/claims.h"
#include "util/result.h"

namespace buildbench::report {

struct ReportModel;

// What a world is, from its results header and samples.
struct WorldFacts {
  std::string name;          // "realistic", "toy", or the NAME of --beside NAME=FILE
  std::string source;        // the results file(s) it was read from
  std::string scenario;      // scenario name
  std::string deps_preset;   // "grpc-service"; "" for synthetic modules
  std::string dependencies;  // "real modules, preset grpc-service", "synthetic modules", "" when not recorded
  std::string network;       // "ci-runner (15.0 ms per request, 400.0 Mbit/s)"; "" when not recorded
  std::vector<std::string> engines;  // the model's engines
  // Bytes the module proxy served in one cold build: the median over the
  // successful cold samples of the compared engine; nothing without them.
  std::optional<double> cold_proxy_bytes;
  size_t cold_samples = 0;
};

// One check of a claim in one world: what the table shows beside the verdict.
struct WorldCheckFigure {
  ClaimVerdict verdict = ClaimVerdict::CannotTell;
  std::optional<double> ratio;  // faster: ratio of medians; less: exact ratio of the values
  std::string value;            // at_most: the measured median ("3.45 MB"); else ""
  size_t n_variant = 0;
  size_t n_than = 0;            // 0 for checks of one variant
  std::string text;             // "ratio 0.950, n=6 per side"
};

// A claim in one world, on one engine.
struct WorldVerdict {
  std::string world;
  std::string engine;      // the engine whose verdict this is
  bool measured = false;   // false: the claim is not in this world's results
  ClaimVerdict verdict = ClaimVerdict::CannotTell;
  std::string decision;    // adaptive runs: "decided at n=6"; else ""
  std::string explanation; // the claim's own sentence in that world
  std::vector<WorldCheckFigure> checks;  // the claim's checks, in order
  std::string figures;     // every check's figure text and the decision: "ratio 0.950, n=6 per side"
  std::string text;        // "holds partly: ratio 0.950, n=6 per side", "not measured in toy"
};

struct WorldsRow {
  std::string claim_id;
  std::string claim_text;
  std::string engine;      // the compared engine when several are; "" otherwise
  std::vector<WorldVerdict> verdicts;  // one per world, WorldsComparison::worlds order
  bool measured_everywhere = false;
  bool differ = false;     // measured in at least two worlds with different verdicts
};

// Where one world's build time went in the builds of one cell a check reads.
struct StepTime {
  std::string variant;
  std::string kind;
  size_t samples = 0;            // successful samples
  double wall_s = 0;             // median wall time
  // Median seconds during which a step of the class ran (overlapping steps
  // of parallel stages count once), and the median share of the wall time.
  double download_s = 0;         // dependency-download steps (`go mod download`)
  double compile_s = 0;          // compile steps (`go build`, `go install`, `go test`)
  double download_share = 0;
  double compile_share = 0;
  double proxy_bytes = 0;        // median bytes from the module proxy during the build
};

struct WorldSteps {
  std::string world;
  std::string engine;
  std::vector<StepTime> cells;   // the differing checks' cells: variant, then `than`, check order
};

// The step class and cell whose share of the build time moved most between
// the worlds.
struct StepShift {
  std::string step_class;  // "dependency-download steps", "compile steps"
  std::string variant;
  std::string kind;
  std::vector<std::pair<std::string, double>> shares;  // world -> share of the wall time
  double spread = 0;       // largest minus smallest share
};

struct WorldsDifference {
  std::string claim_id;
  std::string engine;      // as WorldsRow::engine
  std::string verdicts;    // "holds partly in toy (ratio 0.950, n=6 per side), holds in realistic (...)"
  std::string facts;       // each world's dependencies, cold-build downloads and network
  std::string steps;       // where the time went in the cells the differing checks read
  std::string carrier;     // the step class whose share moved most, or that none moved much
  std::vector<WorldSteps> step_times;  // one per world that measured the claim
  std::optional<StepShift> shift;
  // The whole reason as one paragraph: claim, verdicts, facts, steps, carrier.
  std::string text() const;
};

struct WorldsComparison {
  std::vector<WorldFacts> worlds;  // the report's own world first
  // Engines compared: those every world has, in the first world's order. When
  // the worlds share none, each world's own first engine is compared and
  // engines_differ is set.
  std::vector<std::string> engines;
  bool engines_differ = false;
  std::string engines_note;        // says which engines were compared and which were left out; "" when all match
  std::vector<WorldsRow> rows;     // claim ids in the first world's order, then the others'
  std::vector<WorldsDifference> differences;
  std::string agreement;           // the one line naming the claims whose verdicts agree; "" when none do

  bool empty() const { return worlds.empty(); }
};

// A world as compare_worlds takes it.
struct World {
  std::string name;
  const ReportModel* model = nullptr;
};

// The default name of a report's world, from its results header: "realistic"
// when the fixture uses a dependency preset, "project" for a directory
// fixture (a user's own repository), "toy" otherwise (synthetic modules).
std::string default_world_name(const ReportModel& model);

// Lines the worlds' claims up. worlds[0] is the report's own. Fails when
// fewer than two worlds are given, when a name is empty or given twice, or
// when a world has no claim id in common with worlds[0] (the message names
// its results file).
util::Result<WorldsComparison> compare_worlds(const std::vector<World>& worlds);

}  // namespace buildbench::report
