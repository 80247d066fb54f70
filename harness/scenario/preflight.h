#pragma once
// The checks `buildbench run` makes before it builds anything, which
// `buildbench validate` makes too (both call preflight()): a scenario that
// validates never fails for a reason validation could have known.
//
// Beyond the file's own shape (load_scenario), they read what the scenario
// points at: each variant's Dockerfile (parse errors, `# syntax=` lines, FROM
// images that are neither mapped nor present, copied files that do not
// exist, such as a go.sum a module without dependencies lacks, steps that
// need a network, a GOPROXY that bypasses the module proxy, CACHEBUST
// arguments nobody declares), the project of a `path` fixture (a go directive
// newer than the offline Go image, whether each build kind finds files to
// change) and the daemon's images when one answers. Every finding names
// FILE:LINE and says how to fix it.
#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fixture/project.h"
#include "scenario/problem.h"
#include "scenario/scenario.h"
#include "util/result.h"

namespace buildbench::scenario {

// The Go version of the offline build image (fixture/base_images.h).
inline constexpr std::string_view kOfflineGoVersion = "1.24";

struct PreflightEnvironment {
  // Whether the daemon has an image (by reference); nullopt when that
  // cannot be told (no daemon answers). Unset: never known.
  std::function<std::optional<bool>(const std::string& reference)> image_present;
  // GOPROXY the runner serves modules at.
  std::string module_proxy_url;
  // Why an engine the scenario names cannot build ("unknown engine ...",
  // "not installed: buildbench engine install 26.1"), nullopt when it can.
  // Unset: engine names are not checked.
  std::function<std::optional<std::string>(const std::string& name)> engine_unusable;
};

struct PreflightOutcome {
  std::vector<Problem> problems;  // run refuses the scenario (exit 2)
  std::vector<Problem> notes;     // run goes ahead; said in the output and the results
  // Variants whose `# syntax=` line the run strips (its frontend image is
  // not available offline), by index.
  std::set<size_t> strip_syntax;
  bool ok() const { return problems.empty(); }
};

PreflightOutcome preflight(const Scenario& scenario, const PreflightEnvironment& environment);

// What the build of `variant` reads of a `path` fixture's project (the COPY
// sources of its Dockerfile, the .dockerignore it uses, the code-change
// glob): the runner's mutations profile the work tree with the same inputs.
util::Result<fixture::ProjectInputs> project_inputs(const Scenario& scenario, const Variant& variant);

// The .dockerignore a variant's build uses: the variant's own; for a `path`
// fixture without one, the project's .dockerignore, if it has one.
std::optional<std::filesystem::path> effective_dockerignore(const Scenario& scenario, const Variant& variant);

// "1.25.0" newer than "1.24"? Compares the numeric dot-separated parts.
bool go_version_newer(std::string_view version, std::string_view than);

}  // namespace buildbench::scenario
