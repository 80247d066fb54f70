#include "docker/dockerignore.h"

#include <algorithm>
#include <array>
#include <optional>

#include "util/text.h"

namespace buildbench::docker {
namespace {

using Token = IgnorePattern::Token;
using Kind = Token::Kind;

// bufio.Scanner's default limit, which Docker's reader runs into.
constexpr size_t kMaxLineBytes = 64 * 1024 - 1;

constexpr char32_t kRuneError = 0xFFFD;

struct DecodedRune {
  char32_t rune = kRuneError;
  size_t width = 1;
};

// Go's utf8.DecodeRune: an invalid or truncated sequence (overlong forms and
// surrogates included) decodes as U+FFFD of width 1. Go's regexp steps through
// a path this way, so `?` and classes consume whole characters.
DecodedRune decode_rune(std::string_view s, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(at);
  if (b0 < 0x80) return {b0, 1};
  size_t width = 0;
  char32_t rune = 0;
  char32_t minimum = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    width = 2, rune = b0 & 0x1Fu, minimum = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    width = 3, rune = b0 & 0x0Fu, minimum = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    width = 4, rune = b0 & 0x07u, minimum = 0x10000;
  } else {
    return {};
  }
  if (at + width > s.size()) return {};
  for (size_t i = 1; i < width; ++i) {
    const unsigned char b = byte(at + i);
    if ((b & 0xC0u) != 0x80u) return {};
    rune = (rune << 6) | (b & 0x3Fu);
  }
  if (rune < minimum || rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) return {};
  return {rune, width};
}

// Go's unicode.IsSpace, which strings.TrimSpace uses.
bool is_go_space(char32_t r) {
  switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty()) {
    const DecodedRune first = decode_rune(s, 0);
    if (first.width == 1 && first.rune == kRuneError) break;
    if (!is_go_space(first.rune)) break;
    s.remove_prefix(first.width);
  }
  while (!s.empty()) {
    // Find the start of the last character: at most 4 bytes back.
    size_t start = s.size() - 1;
    while (start > 0 && s.size() - start < 4 &&
           (static_cast<unsigned char>(s[start]) & 0xC0u) == 0x80u) {
      --start;
    }
    const DecodedRune last = decode_rune(s, start);
    if (start + last.width != s.size() || !is_go_space(last.rune)) break;
    s.remove_suffix(last.width);
  }
  return s;
}

// Reads one class member of a Go filepath.Match class (getEsc): a character
// or `\`-escaped character. `at` points after it on success.
std::optional<char32_t> read_class_char(std::string_view p, size_t& at, std::string& why) {
  if (at >= p.size()) {
    why = "unterminated character class";
    return std::nullopt;
  }
  if (p[at] == '-' || p[at] == ']') {
    why = "'-' or ']' where a character class member was expected";
    return std::nullopt;
  }
  if (p[at] == '\\') {
    ++at;
    if (at >= p.size()) {
      why = "unterminated character class";
      return std::nullopt;
    }
  }
  const DecodedRune r = decode_rune(p, at);
  if (r.rune == kRuneError && r.width == 1) {
    why = "invalid UTF-8 in character class";
    return std::nullopt;
  }
  at += r.width;
  if (at >= p.size()) {
    why = "unterminated character class";
    return std::nullopt;
  }
  return r.rune;
}

// Parses the class starting at p[at] == '['. Go's filepath.Match syntax:
// `[` [`^`] range+ `]`, range = char [`-` char]. Also rejects a reversed
// range, which Go's regexp (and so Docker) rejects when matching.
std::optional<Token> parse_class(std::string_view p, size_t& at, std::string& why) {
  Token token;
  token.kind = Kind::Class;
  ++at;
  if (at < p.size() && p[at] == '^') {
    token.negated = true;
    ++at;
  }
  while (true) {
    if (at < p.size() && p[at] == ']' && !token.ranges.empty()) {
      ++at;
      return token;
    }
    const auto lo = read_class_char(p, at, why);
    if (!lo) return std::nullopt;
    char32_t hi = *lo;
    if (p[at] == '-') {
      ++at;
      const auto upper = read_class_char(p, at, why);
      if (!upper) return std::nullopt;
      hi = *upper;
      if (hi < *lo) {
        why = "invalid character class range";
        return std::nullopt;
      }
    }
    token.ranges.emplace_back(*lo, hi);
  }
}

// Docker copies `\x` into its regexp as is, so an escaped letter or digit
// keeps its Go regexp meaning: `\t` is a tab, `\d` a digit class. Those with
// a one-character meaning are compiled as such; the rest (`\b`, `\x41`,
// `\pL`, ...) are refused rather than silently matched differently. Returns
// nothing with `why` empty for an escaped punctuation character (a literal).
std::optional<Token> regexp_escape(unsigned char escaped, std::string& why) {
  const auto byte = [](unsigned char value) {
    Token token;
    token.kind = Kind::Byte;
    token.byte = value;
    return token;
  };
  const auto perl_class = [](std::vector<std::pair<char32_t, char32_t>> ranges, bool negated) {
    Token token;
    token.kind = Kind::Class;
    token.ranges = std::move(ranges);
    token.negated = negated;
    return token;
  };
  const std::vector<std::pair<char32_t, char32_t>> digits = {{'0', '9'}};
  const std::vector<std::pair<char32_t, char32_t>> spaces = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
  const std::vector<std::pair<char32_t, char32_t>> word = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
  switch (escaped) {
    case 'a': return byte('\a');
    case 'f': return byte('\f');
    case 't': return byte('\t');
    case 'n': return byte('\n');
    case 'r': return byte('\r');
    case 'v': return byte('\v');
    case 'd': return perl_class(digits, false);
    case 'D': return perl_class(digits, true);
    case 's': return perl_class(spaces, false);
    case 'S': return perl_class(spaces, true);
    case 'w': return perl_class(word, false);
    case 'W': return perl_class(word, true);
    default:
      break;
  }
  const bool alphanumeric = (escaped >= '0' && escaped <= '9') || (escaped >= 'a' && escaped <= 'z') ||
                            (escaped >= 'A' && escaped <= 'Z');
  if (alphanumeric || escaped >= 0x80) {
    why = std::string("escape \\") + static_cast<char>(escaped) +
          " has a regexp meaning in Docker's matcher that is not supported here";
  }
  return std::nullopt;
}

// Compiles a cleaned pattern (without '!') as Docker's regexp translation
// does, after checking it with filepath.Match's syntax rules.
std::optional<std::vector<Token>> compile_glob(std::string_view p, std::string& why) {
  std::vector<Token> program;
  const auto push = [&](Kind kind, unsigned char byte = 0) {
    Token token;
    token.kind = kind;
    token.byte = byte;
    program.push_back(std::move(token));
  };
  size_t at = 0;
  while (at < p.size()) {
    const char c = p[at];
    if (c == '*') {
      if (at + 1 < p.size() && p[at + 1] == '*') {
        at += 2;
        if (at < p.size() && p[at] == '/') ++at;  // `**/` acts as `**`
        if (at == p.size()) {
          push(Kind::AnyRest);  // trailing `**`: regexp `.*`
        } else {
          push(Kind::DirsEnter);  // regexp `(.*/)?`
          push(Kind::DirsLoop);
        }
      } else {
        push(Kind::Star);
        ++at;
      }
    } else if (c == '?') {
      push(Kind::AnyChar);
      ++at;
    } else if (c == '\\') {
      if (at + 1 >= p.size()) {
        why = "trailing backslash";
        return std::nullopt;
      }
      const unsigned char escaped = static_cast<unsigned char>(p[at + 1]);
      at += 2;
      if (auto special = regexp_escape(escaped, why)) {
        program.push_back(std::move(*special));
      } else if (!why.empty()) {
        return std::nullopt;
      } else {
        push(Kind::Byte, escaped);
      }
    } else if (c == '[') {
      auto token = parse_class(p, at, why);
      if (!token) return std::nullopt;
      program.push_back(std::move(*token));
    } else {
      push(Kind::Byte, static_cast<unsigned char>(c));
      ++at;
    }
  }
  return program;
}

size_t count_components(std::string_view p) {
  return static_cast<size_t>(std::count(p.begin(), p.end(), '/')) + 1;
}

// `*`, `?`, `[` and `\` escaped so that the text matches only itself.
std::string escape_glob(std::string_view literal) {
  std::string escaped;
  for (const char c : literal) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return escaped;
}

}  // namespace

namespace {
// Most paths a walk asks about are clean already; checking is cheaper than
// rebuilding them.
bool already_clean(std::string_view path) {
  if (path.empty()) return false;
  if (path.size() > 1 && path.back() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if ((part.empty() && start != 0) || part == "." || part == "..") return path == "/";
    start = end + 1;
  }
  return true;
}
}  // namespace

std::string clean_path(std::string_view path) {
  if (already_clean(path)) return std::string(path);
  if (path.empty()) return ".";
  const bool rooted = path.front() == '/';
  std::vector<std::string_view> parts;
  size_t at = 0;
  while (at <= path.size()) {
    size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(at, end - at);
    at = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string cleaned = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) cleaned.push_back('/');
    cleaned.append(parts[i]);
  }
  if (cleaned.empty()) return ".";
  return cleaned;
}

// An NFA simulation over the path's bytes: the set of live program positions
// is advanced one position of the path at a time, so time is
// O(|program| * |path|) and nothing recurses. A step consumes at most one
// UTF-8 character (4 bytes), so 5 rows of states suffice; rows are bitsets,
// on the stack for programs of up to 256 tokens.
bool IgnorePattern::matches_whole(std::string_view path) const {
  const size_t count = program.size();
  const size_t words = (count + 1 + 63) / 64;
  constexpr size_t kRows = 5;
  constexpr size_t kInlineWords = 4;
  std::array<uint64_t, kRows * kInlineWords> inline_rows{};
  std::vector<uint64_t> heap_rows;
  uint64_t* rows = inline_rows.data();
  if (words > kInlineWords) {
    heap_rows.assign(kRows * words, 0);
    rows = heap_rows.data();
  }
  const auto row_at = [&](size_t pos) { return rows + (pos % kRows) * words; };
  const auto test = [](const uint64_t* row, size_t i) { return ((row[i / 64] >> (i % 64)) & 1u) != 0; };
  const auto set = [](uint64_t* row, size_t i) { row[i / 64] |= uint64_t{1} << (i % 64); };

  set(row_at(0), 0);
  size_t furthest = 0;  // the largest path position with a live state
  for (size_t pos = 0; pos <= path.size(); ++pos) {
    if (pos > furthest) return false;
    uint64_t* live = row_at(pos);
    // Moves that consume nothing only go forward in the program.
    for (size_t i = 0; i < count; ++i) {
      if (!test(live, i)) continue;
      const Kind kind = program[i].kind;
      if (kind == Kind::Star || kind == Kind::AnyRest) set(live, i + 1);
      if (kind == Kind::DirsEnter) {
        set(live, i + 1);
        set(live, i + 2);
      }
    }
    if (pos == path.size()) return test(live, count);
    const DecodedRune r = decode_rune(path, pos);
    const unsigned char byte = static_cast<unsigned char>(path[pos]);
    const auto reach = [&](size_t state, size_t width) {
      set(row_at(pos + width), state);
      furthest = std::max(furthest, pos + width);
    };
    for (size_t i = 0; i < count; ++i) {
      if (!test(live, i)) continue;
      const Token& token = program[i];
      switch (token.kind) {
        case Kind::Byte:
          if (byte == token.byte) reach(i + 1, 1);
          break;
        case Kind::AnyChar:
          if (byte != '/') reach(i + 1, r.width);
          break;
        case Kind::Class: {
          bool inside = false;
          for (const auto& [lo, hi] : token.ranges) {
            if (lo <= r.rune && r.rune <= hi) {
              inside = true;
              break;
            }
          }
          if (inside != token.negated) reach(i + 1, r.width);
          break;
        }
        case Kind::Star:
          if (byte != '/') reach(i, r.width);
          break;
        case Kind::AnyRest:
          if (byte != '\n') reach(i, r.width);  // regexp `.` stops at newlines
          break;
        case Kind::DirsEnter:
          break;
        case Kind::DirsLoop:
          if (byte != '\n') reach(i, r.width);
          if (byte == '/') reach(i + 1, 1);
          break;
      }
    }
    std::fill(live, live + words, uint64_t{0});  // this row becomes pos + kRows
  }
  return false;
}

util::Result<IgnoreMatcher> IgnoreMatcher::parse(std::string_view text, std::string_view source_name) {
  std::vector<SourcedPattern> patterns;
  size_t line_number = 0;
  for (std::string_view line : util::split_lines(text)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxLineBytes) {
      return util::error(std::string(source_name) + " line " + std::to_string(line_number) +
                         ": line longer than 64 KiB");
    }
    if (line_number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (!line.empty() && line.front() == '#') continue;  // only an unindented '#' starts a comment
    line = trim_space(line);
    if (line.empty()) continue;
    const bool exception = line.front() == '!';
    if (exception) line = trim_space(line.substr(1));
    std::string pattern;
    if (!line.empty()) {
      pattern = clean_path(line);
      if (pattern.size() > 1 && pattern.front() == '/') pattern.erase(0, 1);
    }
    if (exception) pattern.insert(0, "!");
    patterns.push_back({std::move(pattern), line_number});
  }
  return compile(patterns, source_name);
}

util::Result<IgnoreMatcher> IgnoreMatcher::from_patterns(const std::vector<std::string>& patterns) {
  std::vector<SourcedPattern> sourced;
  sourced.reserve(patterns.size());
  for (const auto& p : patterns) sourced.push_back({p, 0});
  return compile(sourced, "exclude patterns");
}

util::Result<IgnoreMatcher> IgnoreMatcher::compile(const std::vector<SourcedPattern>& patterns,
                                                   std::string_view source_name) {
  IgnoreMatcher matcher;
  for (const auto& sourced : patterns) {
    const auto fail = [&](const std::string& what) {
      std::string where(source_name);
      if (sourced.line > 0) where += " line " + std::to_string(sourced.line);
      return util::error(where + ": " + what);
    };
    // NewPatternMatcher trims and cleans again, '!' included.
    const std::string_view trimmed = trim_space(sourced.text);
    if (trimmed.empty()) continue;
    std::string text = clean_path(trimmed);
    IgnorePattern pattern;
    if (text.front() == '!') {
      if (text.size() == 1) return fail("illegal exclusion pattern: \"!\"");
      pattern.exception = true;
      text.erase(0, 1);
    }
    std::string why;
    auto program = compile_glob(text, why);
    if (!program) return fail("bad pattern \"" + text + "\": " + why);
    pattern.program = std::move(*program);
    pattern.components = count_components(text);
    matcher.pattern_texts_.push_back(pattern.exception ? "!" + text : text);
    pattern.text = std::move(text);
    matcher.has_exceptions_ = matcher.has_exceptions_ || pattern.exception;
    matcher.compiled_.push_back(std::move(pattern));
  }
  return matcher;
}

bool IgnoreMatcher::excluded(std::string_view relative_path) const {
  if (compiled_.empty()) return false;
  const std::string path = clean_path(relative_path);
  if (path == ".") return false;
  // Go's filepath.Dir; its components are what a pattern with fewer
  // components is also tried against.
  const size_t last_slash = path.rfind('/');
  const std::string_view parent = last_slash == std::string::npos
                                      ? std::string_view(".")
                                      : std::string_view(path).substr(0, last_slash == 0 ? 1 : last_slash);
  const size_t parent_components = count_components(parent);
  // The last matching pattern decides, so search from the end.
  for (auto it = compiled_.rbegin(); it != compiled_.rend(); ++it) {
    bool match = it->matches_whole(path);
    if (!match && parent != "." && it->components <= parent_components) {
      // The first `components` components of the parent.
      size_t end = parent.size();
      size_t slashes = 0;
      for (size_t i = 0; i < parent.size(); ++i) {
        if (parent[i] == '/' && ++slashes == it->components) {
          end = i;
          break;
        }
      }
      match = it->matches_whole(parent.substr(0, end));
    }
    if (match) return !it->exception;
  }
  return false;
}

bool IgnoreMatcher::may_contain_reincluded(std::string_view dir) const {
  if (!has_exceptions_) return false;
  const std::string dir_slash = clean_path(dir) + "/";
  for (const auto& pattern : compiled_) {
    if (!pattern.exception) continue;
    const std::string text_slash = pattern.text + "/";
    if (text_slash.compare(0, dir_slash.size(), dir_slash) == 0) return true;
  }
  return false;
}

void IgnoreMatcher::keep_always(std::string_view path) {
  if (!excluded(path)) return;
  IgnorePattern pattern;
  pattern.exception = true;
  pattern.text = escape_glob(clean_path(path));
  std::string why;
  auto program = compile_glob(pattern.text, why);
  if (!program) return;  // cannot happen: every special character is escaped
  pattern.program = std::move(*program);
  pattern.components = count_components(pattern.text);
  pattern_texts_.push_back("!" + pattern.text);
  has_exceptions_ = true;
  compiled_.push_back(std::move(pattern));
}

}  // namespace buildbench::docker
