#include "docker/dockerfile.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "util/text.h"

namespace buildbench::docker {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "# key=value" -> {key, value} when the line is a parser directive.
std::optional<std::pair<std::string, std::string>> directive(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() != '#') return std::nullopt;
  line.remove_prefix(1);
  size_t equals = line.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  std::string_view key = trim(line.substr(0, equals));
  if (key.empty() || std::any_of(key.begin(), key.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) != 0;
      })) {
    return std::nullopt;
  }
  return std::make_pair(lower(key), std::string(trim(line.substr(equals + 1))));
}

}  // namespace

std::optional<SyntaxDirective> find_syntax_directive(std::string_view dockerfile) {
  int number = 0;
  for (std::string_view line : util::split_lines(dockerfile)) {
    ++number;
    auto parsed = directive(line);
    if (!parsed) return std::nullopt;  // directives end at the first other line
    if (parsed->first == "syntax") return SyntaxDirective{parsed->second, number};
  }
  return std::nullopt;
}

std::string strip_syntax_directive(std::string_view dockerfile) {
  auto syntax = find_syntax_directive(dockerfile);
  if (!syntax) return std::string(dockerfile);
  std::string out;
  int number = 0;
  size_t start = 0;
  while (start < dockerfile.size()) {
    size_t end = dockerfile.find('\n', start);
    size_t next = end == std::string_view::npos ? dockerfile.size() : end + 1;
    if (++number != syntax->line) out.append(dockerfile.substr(start, next - start));
    start = next;
  }
  return out;
}

std::vector<std::string> base_images(std::string_view dockerfile) {
  std::vector<std::string> images;
  std::set<std::string> stages;
  for (std::string_view raw : util::split_lines(dockerfile)) {
    std::string_view line = trim(raw);
    if (line.size() < 5 || lower(line.substr(0, 5)) != "from ") continue;
    std::vector<std::string> words;
    size_t i = 4;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      size_t start = i;
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      if (i > start) words.emplace_back(line.substr(start, i - start));
    }
    // Skip flags such as --platform=...
    size_t first = 0;
    while (first < words.size() && words[first].rfind("--", 0) == 0) ++first;
    if (first >= words.size()) continue;
    const std::string& image = words[first];
    if (lower(image) != "scratch" && stages.count(lower(image)) == 0 &&
        std::find(images.begin(), images.end(), image) == images.end()) {
      images.push_back(image);
    }
    if (first + 2 < words.size() && lower(words[first + 1]) == "as") stages.insert(lower(words[first + 2]));
  }
  return images;
}

}  // namespace buildbench::docker
