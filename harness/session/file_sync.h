#pragma once
// The gRPC services a BuildKit session exposes to the daemon: FileSync
// (DiffCopy: we are fsutil's sender) and the health check. Internal to the
// session module; the builder uses build_session.h.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "filesync.grpc.pb.h"
#include "session/file_sent_callback.h"
#include "session/session_stats.h"
#include "session/walker.h"
#include "session_health.grpc.pb.h"

namespace buildbench::session {

// A directory the daemon may ask for by its `dir-name`.
struct SyncedDir {
  std::filesystem::path path;
  bool zero_owner = false;  // the CLI's map for "context": uid = gid = 0
};

// What one DiffCopy call asks for, from its gRPC metadata.
struct DiffCopyRequest {
  std::string dir_name;
  std::optional<std::vector<std::string>> include_patterns;
  std::optional<std::vector<std::string>> exclude_patterns;
  std::optional<std::vector<std::string>> follow_paths;
};

// Reads the metadata keys of a 20.10 daemon (`dir-name`, `include-patterns`,
// `exclude-patterns`, `followpaths`; one entry per list value) and decodes
// the percent-escaped values newer BuildKit marks with `<key>-encoded: 1`.
DiffCopyRequest parse_diffcopy_metadata(const std::multimap<std::string, std::string>& metadata);

// fsutil's percent-decoding (url.QueryUnescape without '+'); bad escapes stay as they are.
std::string percent_decode(std::string_view value);

class FileSyncService final : public moby::filesync::v1::FileSync::Service {
 public:
  FileSyncService(std::map<std::string, SyncedDir> dirs, SessionCounters& counters,
                  FileSentCallback on_file_sent = nullptr);

  grpc::Status DiffCopy(grpc::ServerContext* context,
                        grpc::ServerReaderWriter<fsutil::types::Packet, fsutil::types::Packet>* stream) override;

 private:
  std::map<std::string, SyncedDir> dirs_;
  SessionCounters& counters_;
  FileSentCallback on_file_sent_;
};

// Answers SERVING at once from gRPC's callback threads, so health checks
// never wait behind DiffCopy handlers busy with file data.
class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  explicit HealthService(SessionCounters& counters) : counters_(counters) {}
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;

 private:
  SessionCounters& counters_;
};

}  // namespace buildbench::session
