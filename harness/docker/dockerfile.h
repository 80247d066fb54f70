#pragma once
// What buildbench needs to know of a Dockerfile before building it: the
// parser directives at its top (`# syntax=...` makes BuildKit fetch a
// frontend image, which fails offline) and the base images its FROM lines
// name (the scenario maps them to local stand-ins).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace buildbench::docker {

struct SyntaxDirective {
  std::string image;  // "docker/dockerfile:1.4"
  int line = 0;       // 1-based
};

// The `# syntax=` directive, if the Dockerfile has one. Directives are only
// recognised before the first comment that is not a directive, blank line or
// instruction, as BuildKit does.
std::optional<SyntaxDirective> find_syntax_directive(std::string_view dockerfile);
// The Dockerfile without its syntax directive line (other lines unchanged).
std::string strip_syntax_directive(std::string_view dockerfile);
// Images named by FROM lines, without stage names and excluding earlier
// stages used as bases ("FROM build AS x") and `scratch`; ARG-substituted
// names are returned as written.
std::vector<std::string> base_images(std::string_view dockerfile);

}  // namespace buildbench::docker
