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

#include "docker/endpoint.h"
#include "util/result.h"

namespace buildbench::docker {

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

struct ManagedDaemonStatus {
  bool running = false;       // our dockerd process is alive
  bool answering = false;     // and /_ping answers
  pid_t pid = -1;
  std::string detail;         // why not, when not
};

class ManagedDaemon {
 public:
  explicit ManagedDaemon(ManagedDaemonPaths paths) : paths_(std::move(paths)) {}

  const ManagedDaemonPaths& paths() const { return paths_; }
  Endpoint endpoint() const { return Endpoint::unix_socket(paths_.socket); }

  ManagedDaemonStatus status() const;
  // Starts dockerd unless ours already answers; clears stale pid files and
  // sockets first; waits for /_ping. Returns true when this call started it.
  util::Result<bool> start(std::chrono::seconds timeout = std::chrono::seconds(60));
  // SIGTERM, then SIGKILL after `timeout`; a no-op when ours is not running.
  util::Status stop(std::chrono::seconds timeout = std::chrono::seconds(30));

 private:
  std::optional<pid_t> our_pid() const;
  ManagedDaemonPaths paths_;
};

// Starts the managed daemon for the lifetime of this object and stops it at
// the end, but only if this object started it (a daemon that was already up
// is left running): how `run --daemon managed` scopes a run.
class ManagedDaemonLease {
 public:
  static util::Result<ManagedDaemonLease> acquire(ManagedDaemonPaths paths);
  ManagedDaemonLease(ManagedDaemonLease&& other) noexcept;
  ManagedDaemonLease& operator=(ManagedDaemonLease&&) = delete;
  ManagedDaemonLease(const ManagedDaemonLease&) = delete;
  ManagedDaemonLease& operator=(const ManagedDaemonLease&) = delete;
  ~ManagedDaemonLease();

  Endpoint endpoint() const { return daemon_.endpoint(); }
  bool started_here() const { return started_here_; }

 private:
  ManagedDaemonLease(ManagedDaemon daemon, bool started_here) : daemon_(std::move(daemon)), started_here_(started_here) {}
  ManagedDaemon daemon_;
  bool started_here_ = false;
  bool active_ = true;
};

}  // namespace buildbench::docker
