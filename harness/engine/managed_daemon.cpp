#include "engine/managed_daemon.h"

#include <signal.h>

#include <cerrno>
#include <cstring>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "docker/engine_client.h"
#include "util/process.h"

namespace buildbench::engine {
using docker::EngineClient;
namespace {

std::filesystem::path env_path(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && value[0] != '\0') ? std::filesystem::path(value) : std::filesystem::path(fallback);
}

std::string read_small_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::string log_tail(const std::filesystem::path& log_file, size_t lines) {
  std::ifstream in(log_file);
  std::vector<std::string> all;
  std::string line;
  while (std::getline(in, line)) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "  " + all[i] + "\n";
  return out;
}

std::vector<std::string> DaemonProgram::environment() const {
  if (path_prefix.empty()) return {};
  std::string path;
  for (const auto& dir : path_prefix) path += dir.string() + ":";
  const char* current = std::getenv("PATH");
  path += (current != nullptr && current[0] != '\0') ? current : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  return {"PATH=" + path};
}

std::vector<std::string> dockerd_argv(const std::filesystem::path& dockerd, const ManagedDaemonPaths& paths) {
  return {dockerd.string(), "--bridge=none", "--iptables=false", "--ip-forward=false",
          "--data-root", paths.data_root.string(), "--exec-root", paths.exec_root.string(),
          "--pidfile", paths.pid_file.string(), "-H", "unix://" + paths.socket.string()};
}

ManagedDaemonPaths ManagedDaemonPaths::for_name(const std::string& name) {
  auto state = env_path("BUILDBENCH_STATE_DIR", "/var/lib/buildbench") / name;
  auto run = env_path("BUILDBENCH_RUN_DIR", "/run/buildbench") / name;
  return ManagedDaemonPaths{state / "data", run / "exec", run / "dockerd.pid", run / "docker.sock",
                            state / "dockerd.log"};
}

std::optional<pid_t> ManagedDaemon::our_pid() const {
  std::string text = read_small_file(paths_.pid_file);
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  long pid = std::strtol(text.c_str(), &end, 10);
  if (pid <= 0) return std::nullopt;
  // Only a dockerd started with our pid file is ours.
  std::string cmdline = read_small_file("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : cmdline) {
    if (c == '\0') c = ' ';
  }
  if (cmdline.find("dockerd") == std::string::npos ||
      cmdline.find(paths_.pid_file.string()) == std::string::npos) {
    return std::nullopt;
  }
  return static_cast<pid_t>(pid);
}

ManagedDaemonStatus ManagedDaemon::status() const {
  ManagedDaemonStatus status;
  auto pid = our_pid();
  if (!pid) {
    status.detail = "not running (no live dockerd owns " + paths_.pid_file.string() + ")";
    return status;
  }
  status.running = true;
  status.pid = *pid;
  EngineClient client(endpoint());
  auto ping = client.ping();
  status.answering = ping.ok();
  if (!ping) status.detail = ping.error().message;
  return status;
}

util::Result<bool> ManagedDaemon::start(std::chrono::seconds timeout) {
  auto current = status();
  if (current.running && current.answering) return false;
  pid_t spawned = -1;
  if (current.running) {
    // Ours but not answering yet (still starting): wait for it below.
  } else {
    std::filesystem::path dockerd = program_.dockerd;
    if (!dockerd.has_parent_path()) {
      auto found = util::find_program(dockerd.string());
      if (!found) return util::error("dockerd is not installed: run scripts/setup.sh (it installs Debian's docker.io)");
      dockerd = *found;
    } else if (!std::filesystem::exists(dockerd)) {
      return util::error(dockerd.string() + " does not exist: is the engine installed? (buildbench engine list)");
    }
    std::error_code ec;
    for (const auto& dir : {paths_.data_root, paths_.exec_root, paths_.pid_file.parent_path(),
                            paths_.socket.parent_path(), paths_.log_file.parent_path()}) {
      std::filesystem::create_directories(dir, ec);
      if (ec) return util::error("cannot create " + dir.string() + ": " + ec.message());
    }
    // A daemon killed with its session leaves these behind; they would make
    // the new one refuse to start or talk to a dead containerd.
    std::filesystem::remove(paths_.pid_file, ec);
    std::filesystem::remove(paths_.socket, ec);
    std::filesystem::remove(paths_.exec_root / "containerd" / "containerd.pid", ec);
    std::filesystem::remove(paths_.exec_root / "containerd" / "containerd.sock", ec);
    auto pid = util::spawn_detached(dockerd_argv(dockerd, paths_), paths_.log_file, program_.environment());
    if (!pid) return pid.error();
    spawned = *pid;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  EngineClient client(endpoint());
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(paths_.socket) && client.ping()) return true;
    // A dockerd that exited (bad flag, a binary that cannot run) will not
    // answer: say so now instead of after the timeout.
    if (spawned > 0 && !util::process_alive(spawned)) {
      return util::error("dockerd exited before it answered /_ping on " + endpoint().describe() +
                         "; last lines of " + paths_.log_file.string() + ":\n" + log_tail(paths_.log_file));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return util::error("dockerd did not answer /_ping on " + endpoint().describe() + " within " +
                     std::to_string(timeout.count()) + " s; last lines of " + paths_.log_file.string() + ":\n" +
                     log_tail(paths_.log_file));
}

util::Status ManagedDaemon::stop(std::chrono::seconds timeout) {
  auto pid = our_pid();
  if (!pid) return {};
  if (::kill(*pid, SIGTERM) != 0 && errno != ESRCH) {
    return util::error("cannot stop dockerd (pid " + std::to_string(*pid) + "): " + std::strerror(errno));
  }
  if (!util::wait_for_exit(*pid, timeout)) {
    ::kill(*pid, SIGKILL);
    util::wait_for_exit(*pid, std::chrono::seconds(5));
  }
  std::error_code ec;
  std::filesystem::remove(paths_.socket, ec);
  return {};
}

util::Result<ManagedDaemonLease> ManagedDaemonLease::acquire(ManagedDaemonPaths paths, DaemonProgram program) {
  ManagedDaemon daemon(std::move(paths), std::move(program));
  auto started = daemon.start();
  if (!started) return started.error();
  return ManagedDaemonLease(std::move(daemon), *started);
}

ManagedDaemonLease::ManagedDaemonLease(ManagedDaemonLease&& other) noexcept
    : daemon_(other.daemon_), started_here_(other.started_here_), active_(std::exchange(other.active_, false)) {}

ManagedDaemonLease::~ManagedDaemonLease() {
  if (active_ && started_here_) (void)daemon_.stop();
}

}  // namespace buildbench::engine
