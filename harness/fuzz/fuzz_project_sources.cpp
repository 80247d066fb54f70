// Fuzzes what buildbench reads of a user's project besides the Dockerfile:
// go.mod (module, go directive, requirements), a Go file's package clause,
// and COPY sources matched against a path. Input: the first line is a COPY
// source, the second a path, the rest the text read as go.mod and as Go.
// Besides "no crash, no hang", it checks that a go directive's line is a
// line of the text, and that "." covers every path.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fixture/project.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t first = input.find('\n');
  const std::string_view source = input.substr(0, first);
  std::string_view rest = first == std::string_view::npos ? std::string_view() : input.substr(first + 1);
  const size_t second = rest.find('\n');
  const std::string_view path = rest.substr(0, second);
  const std::string_view text = second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);

  auto info = buildbench::fixture::parse_gomod_info(text);
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (!info.go_version.empty() && (info.go_line < 1 || info.go_line > lines)) std::abort();
  (void)buildbench::fixture::go_package_of(text);
  (void)buildbench::fixture::copy_source_covers(source, path);
  if (!buildbench::fixture::copy_source_covers(".", path)) std::abort();
  return 0;
}
