#include "dockerfile/directives.h"

#include <algorithm>
#include <cctype>

#include "dockerfile/parse.h"
#include "util/text.h"

namespace buildbench::dockerfile {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

DirectiveScan scan_directives(std::string_view dockerfile) {
  DirectiveScan scan;
  int number = 0;
  for (std::string_view line : util::split_lines(dockerfile)) {
    ++number;
    int column = 1;
    if (number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") {  // a UTF-8 byte-order mark
      line.remove_prefix(3);
      column += 3;
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    while (!line.empty() && is_space(line.front())) {
      line.remove_prefix(1);
      ++column;
    }
    // `#` name `=` value, name a letter then letters or digits, value not empty.
    if (line.empty() || line.front() != '#') break;
    std::string_view body = line.substr(1);
    while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
    size_t name_end = 0;
    while (name_end < body.size() && std::isalnum(static_cast<unsigned char>(body[name_end])) != 0) ++name_end;
    std::string_view after = body.substr(name_end);
    while (!after.empty() && is_space(after.front())) after.remove_prefix(1);
    if (name_end == 0 || std::isalpha(static_cast<unsigned char>(body[0])) == 0 || after.empty() ||
        after.front() != '=' || trim(after.substr(1)).empty()) {
      break;
    }
    const std::string name = lower(body.substr(0, name_end));
    if (name != "syntax" && name != "escape" && name != "check") break;
    const Position at{number, column};
    if (std::any_of(scan.directives.begin(), scan.directives.end(), [&](const Directive& d) { return d.name == name; })) {
      scan.error = std::make_pair(at, "only one " + name + " parser directive can be used");
      break;
    }
    std::string value(trim(after.substr(1)));
    if (name == "escape") {
      if (value != "\\" && value != "`") {
        scan.error = std::make_pair(at, "invalid escape token '" + value + "' does not match ` or \\");
        break;
      }
      scan.escape = value[0];
    }
    scan.directives.push_back(Directive{name, std::move(value), at});
  }
  return scan;
}

std::optional<SyntaxDirective> find_syntax_directive(std::string_view dockerfile) {
  for (const Directive& d : scan_directives(dockerfile).directives) {
    if (d.name == "syntax") return SyntaxDirective{d.value, d.at.line};
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
  auto model = parse(dockerfile);
  if (!model) return images;
  std::vector<std::string> stage_names;
  for (const Stage& stage : model->stages) {
    const std::string image = stage.from().from_image()->text;
    const bool earlier_stage = std::find(stage_names.begin(), stage_names.end(), lower(image)) != stage_names.end();
    if (lower(image) != "scratch" && !earlier_stage && std::find(images.begin(), images.end(), image) == images.end()) {
      images.push_back(image);
    }
    if (!stage.name.empty()) stage_names.push_back(stage.name);
  }
  return images;
}

}  // namespace buildbench::dockerfile
