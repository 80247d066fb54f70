#pragma once
// The fsutil sender's view of a directory (tonistiigi/fsutil as vendored by
// Docker 20.10): which entries a DiffCopy sends, in which order, with which
// stat fields. The receiver in the daemon diffs these stats against its copy
// of the previous transfer, so every field must be exactly what the docker
// CLI would send, or a warm rebuild re-transfers files (SESSION-PROTOCOL.md §3).
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docker/dockerignore.h"
#include "util/result.h"

namespace buildbench::session {

// Go os.FileMode bits (what fsutil puts in Stat.mode).
inline constexpr uint32_t kGoModeDir = 1u << 31;
inline constexpr uint32_t kGoModeSymlink = 1u << 27;
inline constexpr uint32_t kGoModeDevice = 1u << 26;
inline constexpr uint32_t kGoModeNamedPipe = 1u << 25;
inline constexpr uint32_t kGoModeSocket = 1u << 24;
inline constexpr uint32_t kGoModeSetuid = 1u << 23;
inline constexpr uint32_t kGoModeSetgid = 1u << 22;
inline constexpr uint32_t kGoModeCharDevice = 1u << 21;
inline constexpr uint32_t kGoModeSticky = 1u << 20;
inline constexpr uint32_t kGoModeIrregular = 1u << 19;
// os.ModeType: a mode with none of these bits is a file whose data the
// receiver may request.
inline constexpr uint32_t kGoModeType = kGoModeDir | kGoModeSymlink | kGoModeNamedPipe | kGoModeSocket |
                                        kGoModeDevice | kGoModeCharDevice | kGoModeIrregular;

// st_mode -> Go FileMode, as os.Lstat computes it on Linux.
uint32_t go_file_mode(mode_t st_mode);

// fsutil.types.Stat, field for field.
struct FileStat {
  std::string path;  // relative to the walk root, '/'-separated, clean
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t size = 0;
  int64_t mod_time_ns = 0;
  std::string linkname;  // symlink target, or the first path of a hardlinked inode
  int64_t devmajor = 0;
  int64_t devminor = 0;
  std::map<std::string, std::string> xattrs;
};

struct WalkEntry {
  FileStat stat;
  std::filesystem::path source;  // where the data is read from when requested
  // A Unix socket: fsutil clears ModeSocket, so it travels as an empty
  // regular file; its "data" is empty rather than an open() failure.
  bool is_socket = false;
};

// The exclude side of the filter: docker's pattern matcher (the
// `exclude-patterns` metadata, i.e. .dockerignore lines the daemon parsed).
struct ExcludeRules {
  // True when the '/'-separated relative path is excluded; an Error aborts
  // the walk (invalid pattern).
  std::function<util::Result<bool>(const std::string& relative_path)> excluded;
  // An excluded directory is still sent and entered when an exception
  // pattern may re-include something below it (fsutil's textual test: an
  // exception's text starts with "dir/"). Null = no exceptions.
  std::function<bool(const std::string& relative_dir)> may_contain_reincluded;
};

struct WalkOptions {
  // `include-patterns`: Go filepath.Match globs; nullopt = no include filter.
  std::optional<std::vector<std::string>> include_patterns;
  // `followpaths`: paths whose symlinks are resolved into include patterns.
  std::optional<std::vector<std::string>> follow_paths;
  std::optional<ExcludeRules> excludes;
  // The `context` directory's map function: uid = gid = 0.
  bool zero_owner = false;
};

// Go's path/filepath.Match on '/'-separated names: '*' and '?' never match
// '/', '[...]' classes with ranges and '^' negation, '\' escapes. A malformed
// pattern matches nothing (fsutil ignores the error). Never exponential.
bool go_path_match(std::string_view pattern, std::string_view name);

// Go's filepath.Clean for '/'-separated paths ("" -> "."): the one the
// .dockerignore matcher uses, so both sides of a walk clean paths alike.
using docker::clean_path;

// fsutil.FollowLinks: the follow paths plus the in-root targets of symlinks
// on them, sorted, descendants of listed paths dropped; nullopt when the
// result would contain "." (no filter at all).
util::Result<std::optional<std::vector<std::string>>> follow_links(const std::filesystem::path& root,
                                                                   const std::vector<std::string>& paths);

// Called once per entry in walk order (parents before children, siblings in
// bytewise order). Returning an Error stops the walk with that error.
using WalkVisitor = std::function<util::Status(WalkEntry&& entry)>;

// Walks `root` (symlinks in `root` itself resolved; below it never followed).
// Entries that vanish during the walk are skipped; other errors (an
// unreadable directory, an invalid pattern) end the walk with a message that
// names the path.
util::Status walk(const std::filesystem::path& root, const WalkOptions& options, const WalkVisitor& visit);

}  // namespace buildbench::session
