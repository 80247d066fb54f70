#pragma once
// The daemon of each engine: its own data root, exec root, pid file, socket
// and log (so several engines can run at once, each stopped by its own pid),
// and the engine's own dockerd and containerd.
#include <string_view>

#include "engine/catalog.h"
#include "engine/install.h"
#include "engine/managed_daemon.h"
#include "util/result.h"

namespace buildbench::engine {

// The system's engine keeps the paths the managed daemon always had
// ("default": /var/lib/buildbench/default, /run/buildbench/default), so a
// daemon started before engines existed is the 20.10 one; another engine's
// daemon lives under its name (/var/lib/buildbench/28.5, /run/buildbench/28.5).
ManagedDaemonPaths daemon_paths(const EngineSpec& spec);
// The engine's dockerd and PATH; the system's engine uses the dockerd in PATH.
DaemonProgram daemon_program(const EngineSpec& spec, const std::filesystem::path& root = engines_dir());

// What --engine NAME selects. An unknown name is an error listing the known
// ones (the CLI exits 2); a known one that is not installed is an error with
// the command that installs it.
util::Result<const EngineSpec*> known_engine(std::string_view name);
util::Result<const EngineSpec*> installed_engine(std::string_view name, const std::filesystem::path& root = engines_dir());

// The engine `daemon start` and `run --daemon managed` use without
// --engine: the newest installed one.
util::Result<const EngineSpec*> default_engine(const std::filesystem::path& root = engines_dir());
// The engine `daemon stop|status|env` and `doctor --engine` talk to without
// --engine: the newest installed one whose daemon runs, else the newest
// installed one. (After installing 28.5, `eval "$(buildbench daemon env)"`
// must keep pointing at the 20.10 daemon that is still the one running.)
util::Result<const EngineSpec*> default_running_engine(const std::filesystem::path& root = engines_dir());

ManagedDaemon managed_daemon_for(const EngineSpec& spec, const std::filesystem::path& root = engines_dir());

}  // namespace buildbench::engine
