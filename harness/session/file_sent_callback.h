#pragma once
#include <functional>
#include <string>

namespace buildbench::session {

// Observer of the files a session actually sent (dir-name, relative path):
// for tests and verbose logs.
using FileSentCallback = std::function<void(const std::string& dir_name, const std::string& path)>;

}  // namespace buildbench::session
