#include "engine/engine_daemon.h"

namespace buildbench::engine {

ManagedDaemonPaths daemon_paths(const EngineSpec& spec) {
  return ManagedDaemonPaths::for_name(spec.is_system() ? "default" : spec.name);
}

DaemonProgram daemon_program(const EngineSpec& spec, const std::filesystem::path& root) {
  if (spec.is_system()) return DaemonProgram{};
  auto layout = layout_for(spec.name, root);
  return DaemonProgram{layout.dockerd(), layout.path_dirs()};
}

util::Result<const EngineSpec*> known_engine(std::string_view name) {
  if (const auto* spec = find_engine(name)) return spec;
  return util::error("unknown engine '" + std::string(name) + "'; known engines: " + known_engine_names() +
                     " (buildbench engine list)");
}

util::Result<const EngineSpec*> installed_engine(std::string_view name, const std::filesystem::path& root) {
  auto spec = known_engine(name);
  if (!spec) return spec.error();
  if (!is_installed(**spec, root)) {
    if ((*spec)->is_system()) return util::error("engine 20.10 (Debian's docker.io) is not installed: run scripts/setup.sh");
    return util::error("engine " + std::string(name) + " is not installed: run `buildbench engine install " +
                       std::string(name) + "`");
  }
  return *spec;
}

util::Result<const EngineSpec*> default_engine(const std::filesystem::path& root) {
  if (const auto* spec = newest_installed(root)) return spec;
  return util::error("no engine is installed: run scripts/setup.sh (Debian's docker.io) or `buildbench engine install "
                     "NAME` (buildbench engine list)");
}

util::Result<const EngineSpec*> default_running_engine(const std::filesystem::path& root) {
  const auto& engines = known_engines();
  for (auto it = engines.rbegin(); it != engines.rend(); ++it) {
    if (!is_installed(*it, root)) continue;
    if (ManagedDaemon(daemon_paths(*it)).status().running) return &*it;
  }
  return default_engine(root);
}

ManagedDaemon managed_daemon_for(const EngineSpec& spec, const std::filesystem::path& root) {
  return ManagedDaemon(daemon_paths(spec), daemon_program(spec, root));
}

}  // namespace buildbench::engine
