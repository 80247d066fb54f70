#pragma once
// The measurement runner: a scenario becomes a plan of builds; before each
// build the daemon and the fixture are brought into the state the build kind
// names (DESIGN.md §4), the build is timed through builder::run_build, and
// the sample is appended to DIR/results.jsonl at once.
#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "scenario/plan.h"
#include "scenario/preflight.h"
#include "util/result.h"

namespace buildbench::runner {

enum class DaemonMode {
  Managed,  // a private dockerd the harness starts, owns and stops (prune allowed)
  Env,      // whatever DOCKER_HOST names: never pruned without allow_prune
};

// The port of the harness's module proxy. It is written into the Go base
// image's GOPROXY, so it is fixed; BUILDBENCH_PROXY_PORT overrides it.
uint16_t module_proxy_port();
std::string module_proxy_url();

struct RunOptions {
  std::filesystem::path scenario_file;
  std::filesystem::path out_dir;           // results.jsonl and the work tree go here
  scenario::PlanOptions plan;
  std::optional<scenario::ShardSpec> shard;
  DaemonMode daemon = DaemonMode::Env;
  // The engines whose managed daemons run the builds (engine/catalog.h),
  // instead of the scenario's "engines": `engines` (--engines A,B: rounds of
  // every engine interleaved) or `engine` (--engine NAME). With neither and
  // no "engines" in the scenario: DaemonMode::Managed runs the newest
  // installed engine, DaemonMode::Env the daemon DOCKER_HOST names. Naming
  // engines implies DaemonMode::Managed.
  std::vector<std::string> engines;
  std::string engine;
  // --claims A,B: judge only these of the scenario's claims, so a plan from
  // claims builds only their cells (the results header carries only them).
  std::vector<std::string> claims;
  bool dry_run = false;
  bool resume = false;
  bool fail_fast = false;
  bool keep_images = false;
  bool allow_prune = false;
  bool quiet = false;
  // Set from a signal handler: the build in flight is abandoned (the daemon
  // cancels it when the connection closes), cleanup runs, the results file
  // stays valid.
  const std::atomic<bool>* interrupted = nullptr;
};

struct RunSummary {
  size_t planned = 0;
  size_t recorded = 0;        // samples appended by this invocation
  size_t skipped = 0;         // already in the results file (--resume)
  size_t failed_builds = 0;
  bool interrupted = false;
  std::filesystem::path results;
};

// What the checks before a run (scenario::preflight) may ask the machine:
// whether each engine is known and installed, and whether the daemons have
// an image: the managed daemons of `engines` (present = every one that
// answers has it), or DOCKER_HOST's when `engines` is empty. Connects on
// first use; when no daemon answers, the lookup says "cannot tell". `run`
// and `validate` both use it, so they agree.
scenario::PreflightEnvironment preflight_environment(const std::vector<std::string>& engines = {});

// The scenario's claims named by `ids`, in the scenario's order; an id the
// scenario does not have is an error naming the ones it has.
util::Result<std::vector<scenario::Claim>> select_claims(const std::vector<scenario::Claim>& claims,
                                                        const std::vector<std::string>& ids);

// The engines a run builds on: --engines, else --engine, else the
// scenario's, else (managed) the newest installed; empty = DOCKER_HOST.
std::vector<std::string> run_engines(const scenario::Scenario& scenario, const RunOptions& options);

// Errors are problems that stop the run before or between builds (bad
// scenario, daemon unreachable, results not writable, daemon gone); failed
// builds are recorded and counted, not errors.
util::Result<RunSummary> run_scenario(const RunOptions& options);

}  // namespace buildbench::runner
