#pragma once
// How the CLI talks to a person: colour only on a terminal and never when
// NO_COLOR is set (no-color.org); errors on stderr with a "buildbench:" prefix.
#include <cstdio>
#include <string>
#include <string_view>

namespace buildbench::cli {

bool stdout_is_terminal();
bool use_color(std::FILE* stream);
std::string paint(std::FILE* stream, std::string_view ansi_code, std::string_view text);
void print_error(std::string_view message);
void print_warning(std::string_view message);

}  // namespace buildbench::cli
