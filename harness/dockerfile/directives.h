#pragma once
// Quick looks at a Dockerfile's top that work even when the rest does not
// parse: the `# syntax=` directive (BuildKit fetches that frontend image,
// which fails offline) and the base images FROM lines name.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dockerfile/model.h"

namespace buildbench::dockerfile {

// The parser directives at the top of a Dockerfile (`# syntax=`,
// `# escape=`, `# check=`), read as BuildKit does: only before the first
// line that is not one (an unknown `# key=value` ends them too), names
// case-insensitive, each at most once, escape only ` or \.
struct DirectiveScan {
  std::vector<Directive> directives;
  char escape = '\\';
  std::optional<std::pair<Position, std::string>> error;  // where and what
};
DirectiveScan scan_directives(std::string_view dockerfile);

struct SyntaxDirective {
  std::string image;  // "docker/dockerfile:1.4"
  int line = 0;       // 1-based
};

// The `# syntax=` directive, if the Dockerfile has one. Directives are only
// recognised before the first line that is not a known directive, as
// BuildKit does.
std::optional<SyntaxDirective> find_syntax_directive(std::string_view dockerfile);
// The Dockerfile without its syntax directive line (other lines unchanged).
std::string strip_syntax_directive(std::string_view dockerfile);
// Images named by FROM lines, without stage names and excluding earlier
// stages used as bases ("FROM build AS x") and `scratch`; ARG-substituted
// names are returned as written. Reads the file with parse() when it parses.
std::vector<std::string> base_images(std::string_view dockerfile);

}  // namespace buildbench::dockerfile
