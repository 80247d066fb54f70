#pragma once
// A directory that exists for the lifetime of this object, removed with its
// contents on destruction (unless released).
#include <filesystem>
#include <string_view>

namespace buildbench::util {

class TempDir {
 public:
  // Creates a fresh directory under `parent` (default: the system temp dir).
  explicit TempDir(std::string_view prefix = "buildbench-",
                   const std::filesystem::path& parent = std::filesystem::temp_directory_path());
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path release();

 private:
  std::filesystem::path path_;
};

}  // namespace buildbench::util
