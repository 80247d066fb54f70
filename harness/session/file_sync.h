#pragma once
// The gRPC methods a BuildKit session serves to the daemon: FileSync
// DiffCopy (we are fsutil's sender) and the health check, as handlers for
// GrpcConnection. Internal to the session module; the builder uses
// build_session.h.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fsutil_types.pb.h"
#include "session/grpc_connection.h"
#include "session/file_sent_callback.h"
#include "session/session_stats.h"
#include "session/walker.h"
#include "session_health.pb.h"

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
// the values BuildKit >= 0.12 query-escapes when any of them is not ASCII
// and marks with `<key>-encoded: <true>` (session/filesync decodeOpts).
DiffCopyRequest parse_diffcopy_metadata(const std::multimap<std::string, std::string>& metadata);

// Go's url.QueryUnescape: `%XX` is a byte, `+` a space. A malformed escape
// (`%` not followed by two hex digits) makes it fail; BuildKit then uses
// the empty string, and so do we.
std::string query_unescape(std::string_view value);

// Go's strconv.ParseBool truth: 1, t, T, TRUE, true, True. Everything else
// (the false spellings and garbage alike) is false, as BuildKit ignores
// ParseBool's error.
bool go_parse_bool_true(std::string_view value);

class FileSyncService {
 public:
  FileSyncService(std::map<std::string, SyncedDir> dirs, SessionCounters& counters,
                  FileSentCallback on_file_sent = nullptr);

  // /moby.filesync.v1.FileSync/DiffCopy
  GrpcStatus diff_copy(ServerCall& call);

 private:
  std::map<std::string, SyncedDir> dirs_;
  SessionCounters& counters_;
  FileSentCallback on_file_sent_;
};

// /grpc.health.v1.Health/Check: SERVING.
GrpcStatus health_check(ServerCall& call, SessionCounters& counters);

}  // namespace buildbench::session
