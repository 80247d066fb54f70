// Fuzzes the readers of text buildbench takes from the system when it
// installs an engine: apt sources (deb822 and one-line) and the dynamic
// loader's "version not found" message. Besides "no crash, no hang": a
// mirror found is one non-empty word, and a missing symbol version is named.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/install.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const auto& mirror : {buildbench::engine::mirror_from_deb822(input),
                             buildbench::engine::mirror_from_one_line(input)}) {
    if (mirror && (mirror->empty() || mirror->find_first_of(" \t\n") != std::string::npos)) std::abort();
  }
  if (auto missing = buildbench::engine::parse_loader_error(input)) {
    if (input.find(missing->symbol_version) == std::string_view::npos) std::abort();
  }
  return 0;
}
