#include "engine/housekeeping.h"

#include <chrono>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "engine/engine_daemon.h"

namespace buildbench::engine {
namespace {

std::string label(const nlohmann::json& image, std::string_view key) {
  if (!image.contains("Labels") || !image["Labels"].is_object()) return {};
  auto found = image["Labels"].find(std::string(key));
  return found != image["Labels"].end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

std::map<std::string, std::string> run_labels(std::string_view scenario, std::string_view variant,
                                              std::string_view run_token, pid_t pid) {
  return {{std::string(kLabelScenario), std::string(scenario)},
          {std::string(kLabelVariant), std::string(variant)},
          {std::string(kLabelRun), std::string(run_token)},
          {std::string(kLabelRunPid), std::to_string(pid)}};
}

std::vector<LeftoverImage> find_leftovers(const nlohmann::json& images, const std::function<bool(pid_t)>& run_alive,
                                          int64_t now_seconds, int64_t legacy_age_seconds) {
  std::vector<LeftoverImage> out;
  if (!images.is_array()) return out;
  for (const auto& image : images) {
    if (!image.is_object() || label(image, kLabelScenario).empty()) continue;
    LeftoverImage leftover;
    leftover.id = image.value("Id", "");
    if (leftover.id.empty()) continue;
    if (image.contains("RepoTags") && image["RepoTags"].is_array()) {
      for (const auto& tag : image["RepoTags"]) {
        if (tag.is_string() && tag.get<std::string>() != "<none>:<none>") leftover.tags.push_back(tag.get<std::string>());
      }
    }
    leftover.run = label(image, kLabelRun);
    std::string pid_text = label(image, kLabelRunPid);
    if (pid_text.empty()) {
      int64_t created = image.contains("Created") && image["Created"].is_number() ? image["Created"].get<int64_t>() : 0;
      if (now_seconds - created < legacy_age_seconds) continue;
    } else {
      char* end = nullptr;
      long pid = std::strtol(pid_text.c_str(), &end, 10);
      if (end == pid_text.c_str() || *end != '\0' || pid <= 0) continue;  // not ours to judge
      leftover.pid = static_cast<pid_t>(pid);
      if (run_alive(leftover.pid)) continue;
    }
    out.push_back(std::move(leftover));
  }
  return out;
}

bool buildbench_process_alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  std::string cmdline = text.str();
  // The program's own name, not its directory: a checkout may be called
  // buildbench too.
  std::string program = cmdline.substr(0, cmdline.find('\0'));
  return std::filesystem::path(program).filename() == "buildbench";
}

util::Result<CleanSummary> remove_leftovers(docker::EngineClient& client) {
  if (!owned_by_buildbench(client.endpoint())) {
    return util::error(client.endpoint().describe() +
                       " is not a daemon buildbench manages: its images are left alone (buildbench daemon status)");
  }
  auto images = client.list_images({{"label", {std::string(kLabelScenario)}}});
  if (!images) return images.error();
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  CleanSummary summary;
  for (auto& leftover : find_leftovers(*images, buildbench_process_alive, now.count())) {
    // Force: a tagged image may carry several names (the run's tag and a
    // rebuild's); untagged ones go without.
    auto removed = client.remove_image(leftover.id, true);
    if (removed) {
      summary.removed.push_back(std::move(leftover));
    } else if (removed.error().message.rfind("not found", 0) != 0) {
      summary.failures.push_back(leftover.id + ": " + removed.error().message);
    }
  }
  return summary;
}

bool owned_by_buildbench(const docker::Endpoint& endpoint) {
  if (endpoint.kind != docker::Endpoint::Kind::Unix) return false;
  std::error_code ec;
  for (const auto& spec : known_engines()) {
    auto socket = daemon_paths(spec).socket;
    if (std::filesystem::equivalent(socket, endpoint.socket_path, ec) || socket == endpoint.socket_path) return true;
  }
  return false;
}

}  // namespace buildbench::engine
