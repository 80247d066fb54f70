#pragma once
// What a build session transferred, as counters shared by the gRPC handlers
// (which run on gRPC's threads) and read by the builder at any time.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace buildbench::session {

struct SessionStats {
  // Σ encoded sizes of every Packet sent: what the daemon reports as
  // "transferring context: N B" (end-of-stats 0 B, FIN 2 B).
  uint64_t bytes_sent = 0;
  uint64_t file_bytes_sent = 0;   // file content inside DATA packets
  uint64_t files_requested = 0;   // REQ packets answered
  uint64_t stats_sent = 0;        // STAT packets (entries walked and sent)
  uint64_t diffcopy_calls = 0;    // one per directory the daemon synced
  uint64_t diffcopy_failures = 0; // calls that ended without the FIN handshake
  uint64_t health_checks = 0;
  uint64_t secrets_served = 0;    // GetSecret calls answered with a value
  uint64_t ssh_forwards = 0;      // agent connections forwarded
  uint64_t credentials_asked = 0; // Auth/Credentials calls (answered anonymous)
  std::string last_error;         // of the last failed DiffCopy, "" if none
};

class SessionCounters {
 public:
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<uint64_t> file_bytes_sent{0};
  std::atomic<uint64_t> files_requested{0};
  std::atomic<uint64_t> stats_sent{0};
  std::atomic<uint64_t> diffcopy_calls{0};
  std::atomic<uint64_t> diffcopy_failures{0};
  std::atomic<uint64_t> health_checks{0};

  void record_failure(const std::string& message) {
    diffcopy_failures.fetch_add(1);
    std::lock_guard lock(mutex_);
    last_error_ = message;
  }

  SessionStats snapshot() const {
    SessionStats stats;
    stats.bytes_sent = bytes_sent.load();
    stats.file_bytes_sent = file_bytes_sent.load();
    stats.files_requested = files_requested.load();
    stats.stats_sent = stats_sent.load();
    stats.diffcopy_calls = diffcopy_calls.load();
    stats.diffcopy_failures = diffcopy_failures.load();
    stats.health_checks = health_checks.load();
    std::lock_guard lock(mutex_);
    stats.last_error = last_error_;
    return stats;
  }

 private:
  mutable std::mutex mutex_;
  std::string last_error_;
};

}  // namespace buildbench::session
