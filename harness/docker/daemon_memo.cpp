#include "docker/daemon_memo.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace buildbench::docker {
namespace {

namespace fs = std::filesystem;

// "<path>\t<dev> <ino> <ctime s> <ctime ns>": who listens on the socket.
std::optional<std::string> socket_identity(const fs::path& socket) {
  struct stat st {};
  if (::stat(socket.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return std::nullopt;
  std::ostringstream out;
  out << socket.string() << '\t' << st.st_dev << ' ' << st.st_ino << ' ' << st.st_ctim.tv_sec << ' '
      << st.st_ctim.tv_nsec;
  return out.str();
}

fs::path default_file() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime != nullptr && runtime[0] == '/') return fs::path(runtime) / "buildbench" / "daemon-facts";
  return fs::path("/tmp") / ("buildbench-" + std::to_string(::getuid())) / "daemon-facts";
}

// Lines "<identity>\t<key>\t<value>"; a socket path holds no tab or newline
// here (one that does is simply not remembered).
std::vector<std::string> read_lines(const fs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The directory must be ours and private: in /tmp anyone could have made it.
bool private_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid()) return false;
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0) return false;
  return true;
}

}  // namespace

DaemonMemo::DaemonMemo() : file_(default_file()) {}
DaemonMemo::DaemonMemo(fs::path file) : file_(std::move(file)) {}

std::optional<std::string> DaemonMemo::recall(const fs::path& socket, std::string_view key) const {
  const auto identity = socket_identity(socket);
  if (!identity) return std::nullopt;
  const std::string prefix = *identity + '\t' + std::string(key) + '\t';
  for (const auto& line : read_lines(file_)) {
    if (line.size() > prefix.size() && line.compare(0, prefix.size(), prefix) == 0) return line.substr(prefix.size());
  }
  return std::nullopt;
}

void DaemonMemo::remember(const fs::path& socket, std::string_view key, std::string_view value) const {
  const auto identity = socket_identity(socket);
  if (!identity || identity->find('\n') != std::string::npos || socket.string().find('\t') != std::string::npos ||
      key.empty() || key.find_first_of("\t\n") != std::string_view::npos ||
      value.find_first_of("\t\n") != std::string_view::npos) {
    return;
  }
  if (!private_directory(file_.parent_path())) return;
  // The new entry first, then the others, oldest dropped. Entries of an
  // earlier daemon on the same socket and the old value of this key go.
  const std::string entry_prefix = *identity + '\t' + std::string(key) + '\t';
  std::vector<std::string> lines{entry_prefix + std::string(value)};
  const std::string same_socket = socket.string() + '\t';
  const std::string same_daemon = *identity + '\t';
  const auto existing = read_lines(file_);
  // Already known: no write (a command that pings on every run would
  // otherwise rewrite the file each time).
  if (std::find(existing.begin(), existing.end(), lines.front()) != existing.end()) return;
  for (const auto& line : existing) {
    if (lines.size() >= kMaxEntries) break;
    const bool this_socket = line.compare(0, same_socket.size(), same_socket) == 0;
    const bool this_daemon = line.compare(0, same_daemon.size(), same_daemon) == 0;
    if (this_socket && !this_daemon) continue;
    if (line.compare(0, entry_prefix.size(), entry_prefix) == 0) continue;
    lines.push_back(line);
  }
  // Written aside and renamed: a reader sees the old file or the new one.
  const fs::path temporary = file_.string() + "." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    for (const auto& line : lines) out << line << '\n';
    if (!out) {
      std::error_code ec;
      fs::remove(temporary, ec);
      return;
    }
  }
  std::error_code ec;
  fs::rename(temporary, file_, ec);
  if (ec) fs::remove(temporary, ec);
}

}  // namespace buildbench::docker
