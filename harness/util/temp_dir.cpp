#include "util/temp_dir.h"

#include <stdlib.h>

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace buildbench::util {

TempDir::TempDir(std::string_view prefix, const std::filesystem::path& parent) {
  std::string pattern = (parent / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  path_ = pattern;
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;  // a destructor cannot report; leftovers live in /tmp
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::release() { return std::exchange(path_, {}); }

}  // namespace buildbench::util
