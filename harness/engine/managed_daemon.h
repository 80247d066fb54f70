#pragma once
// A dockerd the project owns: its own data root, exec root, pid file and
// socket, started with the flags that work on these machines
// (--bridge=none --iptables=false --ip-forward=false, DESIGN.md §2).
// It never signals a process it cannot prove it started: the pid file must
// name a live dockerd whose command line carries our --pidfile.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "docker/endpoint.h"
#include "util/result.h"

namespace buildbench::engine {

struct ManagedDaemonPaths {
  std::filesystem::path data_root;  // images and build cache survive restarts here
  std::filesystem::path exec_root;
  std::filesystem::path pid_file;
  std::filesystem::path socket;
  std::filesystem::path log_file;

  // Default layout: state under /var/lib/buildbench/<name>, runtime files
  // under /run/buildbench/<name>. BUILDBENCH_STATE_DIR and BUILDBENCH_RUN_DIR
  // move the two roots.
  static ManagedDaemonPaths for_name(const std::string& name = "default");
};

// Which dockerd runs, and what goes first in its PATH: dockerd starts
// containerd, containerd-shim-runc-v2 and runc from PATH, so an engine
// unpacked under engines/NAME runs its own containerd and the system's runc.
struct DaemonProgram {
  std::filesystem::path dockerd = "dockerd";  // a bare name is looked up in PATH
  std::vector<std::filesystem::path> path_prefix;

  // "PATH=<prefix>:<our PATH>", or nothing when there is no prefix.
  std::vector<std::string> environment() const;
};

struct ManagedDaemonStatus {
  bool running = false;       // our dockerd process is alive
  bool answering = false;     // and /_ping answers
  pid_t pid = -1;
  std::string detail;         // why not, when not
};

class ManagedDaemon {
 public:
  explicit ManagedDaemon(ManagedDaemonPaths paths, DaemonProgram program = {})
      : paths_(std::move(paths)), program_(std::move(program)) {}

  const ManagedDaemonPaths& paths() const { return paths_; }
  const DaemonProgram& program() const { return program_; }
  docker::Endpoint endpoint() const { return docker::Endpoint::unix_socket(paths_.socket); }

  ManagedDaemonStatus status() const;
  // Starts dockerd unless ours already answers; clears stale pid files and
  // sockets first; waits for /_ping. Returns true when this call started it.
  util::Result<bool> start(std::chrono::seconds timeout = std::chrono::seconds(60));
  // SIGTERM, then SIGKILL after `timeout`; a no-op when ours is not running.
  util::Status stop(std::chrono::seconds timeout = std::chrono::seconds(30));

 private:
  std::optional<pid_t> our_pid() const;
  ManagedDaemonPaths paths_;
  DaemonProgram program_;
};

// The command line a managed daemon runs with (DESIGN.md §2's flags plus
// its own paths).
std::vector<std::string> dockerd_argv(const std::filesystem::path& dockerd, const ManagedDaemonPaths& paths);

// The last `lines` lines of a daemon's log, indented, for the message when
// it does not start.
std::string log_tail(const std::filesystem::path& log_file, size_t lines = 20);

// Starts the managed daemon for the lifetime of this object and stops it at
// the end, but only if this object started it (a daemon that was already up
// is left running): how `run --daemon managed` scopes a run.
class ManagedDaemonLease {
 public:
  static util::Result<ManagedDaemonLease> acquire(ManagedDaemonPaths paths, DaemonProgram program = {});
  ManagedDaemonLease(ManagedDaemonLease&& other) noexcept;
  ManagedDaemonLease& operator=(ManagedDaemonLease&&) = delete;
  ManagedDaemonLease(const ManagedDaemonLease&) = delete;
  ManagedDaemonLease& operator=(const ManagedDaemonLease&) = delete;
  ~ManagedDaemonLease();

  docker::Endpoint endpoint() const { return daemon_.endpoint(); }
  bool started_here() const { return started_here_; }

 private:
  ManagedDaemonLease(ManagedDaemon daemon, bool started_here) : daemon_(std::move(daemon)), started_here_(started_here) {}
  ManagedDaemon daemon_;
  bool started_here_ = false;
  bool active_ = true;
};

}  // namespace buildbench::engine
