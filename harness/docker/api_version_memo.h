#pragma once
// The API version negotiated with a daemon on a Unix socket, remembered
// across processes. `buildbench build` is often run many times in a row
// (hyperfine-style loops, scripts), and its /_ping was ~1% of a warm no-op
// build. Each entry names the socket's device, inode and change time: a
// daemon that restarts (upgraded or not) re-creates its socket, so what it
// is told was negotiated with the daemon that is listening now.
//
// One small file, ${XDG_RUNTIME_DIR:-/tmp/buildbench-<uid>}/api-versions,
// holds the last kMaxEntries sockets. Any problem reading or writing it only
// means a /_ping is made, as without the memo.
#include <filesystem>
#include <optional>
#include <string>

namespace buildbench::docker {

class ApiVersionMemo {
 public:
  static constexpr size_t kMaxEntries = 16;

  // The default file (see above); `file` for tests.
  ApiVersionMemo();
  explicit ApiVersionMemo(std::filesystem::path file);

  // The version remembered for the daemon now listening on `socket`.
  std::optional<std::string> recall(const std::filesystem::path& socket) const;
  // Remembers `version` for the daemon now listening on `socket`.
  void remember(const std::filesystem::path& socket, const std::string& version) const;

 private:
  std::filesystem::path file_;
};

}  // namespace buildbench::docker
