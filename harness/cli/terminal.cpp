#include "cli/terminal.h"

#include <unistd.h>

#include <cstdlib>

namespace buildbench::cli {

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

bool use_color(std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return ::isatty(::fileno(stream)) == 1;
}

std::string paint(std::FILE* stream, std::string_view ansi_code, std::string_view text) {
  if (!use_color(stream)) return std::string(text);
  return "\033[" + std::string(ansi_code) + "m" + std::string(text) + "\033[0m";
}

void print_error(std::string_view message) {
  std::fprintf(stderr, "%s %.*s\n", paint(stderr, "1;31", "buildbench: error:").c_str(),
               static_cast<int>(message.size()), message.data());
}

void print_warning(std::string_view message) {
  std::fprintf(stderr, "%s %.*s\n", paint(stderr, "1;33", "buildbench: warning:").c_str(),
               static_cast<int>(message.size()), message.data());
}

}  // namespace buildbench::cli
