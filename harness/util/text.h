#pragma once
// Line splitting for the small text formats the harness reads itself
// (Dockerfile directives, go.mod, go.sum).
#include <string_view>
#include <vector>

namespace buildbench::util {

// The lines of `text` without their '\n'. A '\r' before it stays (callers
// that ignore it trim it); a final newline adds no empty line.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace buildbench::util
