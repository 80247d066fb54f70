// Fuzzes the .dockerignore reader and matcher. Input: the first line is a
// path relative to the context, the rest is the .dockerignore text.
// Besides "no crash, no hang", it checks one property: after keep_always(p)
// (how the Dockerfile and .dockerignore are always sent), p is not excluded.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "docker/dockerignore.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view path = input.substr(0, newline);
  const std::string_view text = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  auto matcher = buildbench::docker::IgnoreMatcher::parse(text);
  if (!matcher) {
    if (matcher.error().message.empty()) std::abort();  // an error must say what is wrong
    return 0;
  }
  (void)matcher->excluded(path);
  (void)matcher->may_contain_reincluded(path);
  for (const auto& pattern : matcher->compiled()) (void)pattern.matches_whole(path);

  buildbench::docker::IgnoreMatcher kept = *matcher;
  kept.keep_always(path);
  if (kept.excluded(path)) std::abort();
  return 0;
}
