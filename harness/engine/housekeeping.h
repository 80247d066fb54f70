#pragma once
// What runs leave behind. Every image a run builds carries the labels below;
// a run killed with SIGKILL (a CI job timing out) or whose daemon died
// cannot remove its images, so the next run on a daemon buildbench owns, and
// `buildbench clean`, remove the images of runs that are no longer alive.
#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "util/result.h"

namespace buildbench::engine {

inline constexpr std::string_view kLabelScenario = "org.buildbench.scenario";
inline constexpr std::string_view kLabelVariant = "org.buildbench.variant";
inline constexpr std::string_view kLabelRun = "org.buildbench.run";          // the run's random token
inline constexpr std::string_view kLabelRunPid = "org.buildbench.run-pid";   // the buildbench process that built it

// The labels a run puts on every build.
std::map<std::string, std::string> run_labels(std::string_view scenario, std::string_view variant,
                                              std::string_view run_token, pid_t pid);

struct LeftoverImage {
  std::string id;
  std::vector<std::string> tags;
  std::string run;  // token, empty for an image from before run labels
  pid_t pid = -1;
};

// From a GET /images/json answer: images of runs whose process is gone.
// `run_alive(pid)` says whether that process still runs (a seam for tests).
// An image with the scenario label but no run label (made by an older
// buildbench) counts only when older than `legacy_age_seconds`, since a run
// of an older binary may still be using it.
std::vector<LeftoverImage> find_leftovers(const nlohmann::json& images, const std::function<bool(pid_t)>& run_alive,
                                          int64_t now_seconds, int64_t legacy_age_seconds = 24 * 3600);

// True when `pid` is a live buildbench process.
bool buildbench_process_alive(pid_t pid);

struct CleanSummary {
  std::vector<LeftoverImage> removed;
  std::vector<std::string> failures;  // "id: why"
};
// Removes the leftovers of dead runs (images, then the dangling parents they
// kept). Only for a daemon buildbench owns: a user's daemon is never swept.
util::Result<CleanSummary> remove_leftovers(docker::EngineClient& client);

// True when `endpoint` is the socket of a daemon buildbench manages (any
// known engine's, see engine_daemon.h).
bool owned_by_buildbench(const docker::Endpoint& endpoint);

}  // namespace buildbench::engine
