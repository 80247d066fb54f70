#pragma once
// Facts about the daemon on a Unix socket, remembered across processes.
// `buildbench build` is often run many times in a row (hyperfine-style loops,
// scripts), and two calls a warm no-op build does not otherwise need were
// ~1% of it each: the /_ping that negotiates the API version, and the image
// inspect that gives the built image's size and layer count.
//
// Each entry names the socket's device, inode and change time: a daemon that
// restarts (upgraded or not) re-creates its socket, so what it is told was
// learnt from the daemon that is listening now. Only facts that cannot change
// while that daemon runs belong here: its API version, and what a
// content-addressed image ID (sha256:...) names.
//
// One small file, ${XDG_RUNTIME_DIR:-/tmp/buildbench-<uid>}/daemon-facts,
// holds the kMaxEntries most recently remembered. Any problem reading or
// writing it only means the daemon is asked, as without the memo.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace buildbench::docker {

class DaemonMemo {
 public:
  static constexpr size_t kMaxEntries = 64;

  // The default file (see above); `file` for tests.
  DaemonMemo();
  explicit DaemonMemo(std::filesystem::path file);

  // The value remembered under `key` for the daemon now listening on `socket`.
  std::optional<std::string> recall(const std::filesystem::path& socket, std::string_view key) const;
  // Remembers `value` under `key` for the daemon now listening on `socket`.
  // Keys and values hold no tab or newline (such an entry is not kept).
  void remember(const std::filesystem::path& socket, std::string_view key, std::string_view value) const;

 private:
  std::filesystem::path file_;
};

}  // namespace buildbench::docker
