#pragma once
// The build context as the cache model sees it: every file under the
// context directory, which of them .dockerignore drops (the same matcher the
// context packer and the session use), and their sizes (for the finding
// about a large context without a .dockerignore).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "docker/dockerignore.h"
#include "util/result.h"

namespace buildbench::advise {

struct ContextFile {
  std::string path;  // relative, '/'-separated
  uint64_t size = 0;
  bool sent = true;  // not dropped by .dockerignore
};

struct ContextScan {
  std::vector<ContextFile> files;  // sorted by path
  docker::IgnoreMatcher ignore;
  bool has_dockerignore = false;
  uint64_t total_bytes = 0;  // every file under the directory
  uint64_t sent_bytes = 0;   // what .dockerignore lets through

  bool sent(const std::string& path) const;
  // The first sent file that `pick` accepts, or "".
  template <typename Pred>
  std::string first_sent(Pred pick) const {
    for (const auto& f : files)
      if (f.sent && pick(f.path)) return f.path;
    return "";
  }
};

// Walks `root` (symlinks are not followed). `dockerignore`: the file to use;
// nullopt = <root>/.dockerignore when it exists.
util::Result<ContextScan> scan_context(const std::filesystem::path& root,
                                       const std::optional<std::filesystem::path>& dockerignore = std::nullopt);

// A context made of named files, for tests and generated variants.
util::Result<ContextScan> context_from_list(const std::vector<std::string>& paths, std::string_view dockerignore_text);

}  // namespace buildbench::advise
