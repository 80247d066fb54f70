#include "dockerfile/expand.h"

#include <cctype>

namespace buildbench::dockerfile {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// Letters as Go's unicode.IsLetter sees them, for the bytes we meet: ASCII
// letters, and any byte of a multi-byte UTF-8 character (names with
// non-ASCII letters are rare; a Dockerfile frontend accepts them).
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
// $@ $* $# $? $- $$ $! $0 are names of one character to the lexer.
bool is_special_parameter(char c) {
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' || c == '0';
}

// Shell pattern matching for ${X#pattern}: `*`, `?`, `[abc]`, `[a-z]`,
// `[!x]`/`[^x]`, `\x` literal. The usual two-pointer walk that remembers
// the last `*`, so it stays linear-ish on long inputs.
bool class_matches(std::string_view pattern, size_t& p, char c) {
  size_t i = p + 1;
  bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
  if (negate) ++i;
  bool matched = false;
  bool first = true;
  for (; i < pattern.size() && (first || pattern[i] != ']'); ++i, first = false) {
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      matched = matched || (c >= pattern[i] && c <= pattern[i + 2]);
      i += 2;
    } else {
      matched = matched || c == pattern[i];
    }
  }
  if (i >= pattern.size()) {  // no closing ']': the '[' is an ordinary character
    ++p;
    return c == '[';
  }
  p = i + 1;
  return matched != negate;
}

bool glob_matches(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
      continue;
    }
    if (p < pattern.size()) {
      size_t next = p;
      bool ok = false;
      if (pattern[p] == '?') {
        ok = true;
        next = p + 1;
      } else if (pattern[p] == '[') {
        ok = class_matches(pattern, next, text[t]);
      } else if (pattern[p] == '\\' && p + 1 < pattern.size()) {
        ok = pattern[p + 1] == text[t];
        next = p + 2;
      } else {
        ok = pattern[p] == text[t];
        next = p + 1;
      }
      if (ok) {
        p = next;
        ++t;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    p = star + 1;
    t = ++star_text;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// The output of a run of the lexer: one word (expand_word) or a list of
// words where unquoted whitespace, also inside unquoted expansions,
// separates them (expand_words).
class Output {
 public:
  explicit Output(bool split) : split_(split) {}

  // Text that never splits (quoted text, escaped characters).
  void raw(char c) {
    current_ += c;
    in_word_ = true;
  }
  void raw(std::string_view s) {
    current_ += s;
    in_word_ = true;
  }
  // Quotes make a word exist even when empty ("" is one empty word).
  void mark_word() { in_word_ = true; }
  // Unquoted text: whitespace ends a word when splitting.
  void plain(char c) {
    if (split_ && is_space(c)) {
      end_word();
    } else {
      raw(c);
    }
  }
  void plain(std::string_view s) {
    for (char c : s) plain(c);
  }
  void end_word() {
    if (in_word_) words_.push_back(std::move(current_));
    current_.clear();
    in_word_ = false;
  }
  std::vector<std::string> finish_words() {
    end_word();
    return std::move(words_);
  }
  std::string finish_word() { return std::move(current_); }

 private:
  bool split_;
  bool in_word_ = false;
  std::string current_;
  std::vector<std::string> words_;
};

class Lexer {
 public:
  Lexer(std::string_view text, const Lookup& lookup, const ExpandOptions& options, std::vector<std::string>* names)
      : text_(text), lookup_(lookup), options_(options), names_(names) {}

  // Reads until `stop` (not consumed) or the end; `stop` 0 means the end.
  util::Status run(Output& out, char stop) {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (stop != 0 && c == stop) return {};
      if (c == '\'') {
        if (auto status = single_quoted(out); !status) return status;
      } else if (c == '"') {
        if (auto status = double_quoted(out); !status) return status;
      } else if (c == '$') {
        auto value = dollar();
        if (!value) return value.error();
        out.plain(*value);
      } else if (c == options_.escape) {
        ++pos_;
        if (options_.keep_escapes) out.raw(c);
        if (pos_ >= text_.size()) break;  // an escape at the end is dropped
        out.raw(text_[pos_++]);
      } else {
        out.plain(c);
        ++pos_;
      }
    }
    if (stop != 0) return fail("unexpected end of text while looking for matching " + std::string(1, stop));
    return {};
  }

  size_t position() const { return pos_; }

 private:
  util::Error fail(const std::string& what) const {
    return util::error("at offset " + std::to_string(pos_) + ": " + what);
  }

  util::Status single_quoted(Output& out) {
    ++pos_;
    out.mark_word();
    if (options_.keep_quotes) out.raw('\'');
    while (pos_ < text_.size() && text_[pos_] != '\'') out.raw(text_[pos_++]);
    if (pos_ >= text_.size()) return fail("unexpected end of text while looking for matching single-quote");
    ++pos_;
    if (options_.keep_quotes) out.raw('\'');
    return {};
  }

  util::Status double_quoted(Output& out) {
    ++pos_;
    out.mark_word();
    if (options_.keep_quotes) out.raw('"');
    while (true) {
      if (pos_ >= text_.size()) return fail("unexpected end of text while looking for matching double-quote");
      char c = text_[pos_];
      if (c == '"') break;
      if (c == '$') {
        auto value = dollar();
        if (!value) return value.error();
        out.raw(*value);
        continue;
      }
      ++pos_;
      if (c == options_.escape) {
        if (pos_ >= text_.size()) continue;  // reported as unterminated above
        char next = text_[pos_];
        // Inside double quotes only ", $ and the escape itself are escaped;
        // before anything else the escape character stays.
        if (next == '"' || next == '$' || next == options_.escape) {
          if (options_.keep_escapes) out.raw(c);
          out.raw(next);
          ++pos_;
          continue;
        }
      }
      out.raw(c);
    }
    ++pos_;
    if (options_.keep_quotes) out.raw('"');
    return {};
  }

  std::string name() {
    size_t start = pos_;
    if (pos_ < text_.size() && is_digit(text_[pos_])) {
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
      return std::string(text_.substr(start, pos_ - start));
    }
    if (pos_ < text_.size() && is_special_parameter(text_[pos_])) {
      ++pos_;
      return std::string(text_.substr(start, 1));
    }
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  void note(const std::string& variable) {
    if (names_ == nullptr) return;
    bool seen = false;
    for (const auto& n : *names_) seen = seen || n == variable;
    if (!seen) names_->push_back(variable);
  }

  std::optional<std::string> get(const std::string& variable) {
    note(variable);
    return lookup_ ? lookup_(variable) : std::nullopt;
  }

  // The text up to the closing '}' of a `${name<op>word}`, itself processed
  // (quotes, nested `$`), without splitting.
  util::Result<std::string> modifier_word() {
    Output word(false);
    if (auto status = run(word, '}'); !status) return util::error("syntax error: missing '}'");
    ++pos_;  // the '}'
    return word.finish_word();
  }

  // ${X#pattern} / ${X##pattern}: X without its shortest / longest prefix
  // matching the pattern; ${X%pattern} / ${X%%pattern}: the same for suffixes.
  util::Result<std::string> remove_affix(const std::string& variable, char op) {
    const bool longest = pos_ < text_.size() && text_[pos_] == op;
    if (longest) ++pos_;
    note(variable);
    auto pattern = modifier_word();
    if (!pattern) return pattern.error();
    auto value = get(variable);
    if (!value && options_.keep_unset) {
      return "${" + variable + std::string(longest ? 2 : 1, op) + *pattern + "}";
    }
    const std::string v = value.value_or("");
    for (size_t step = 0; step <= v.size(); ++step) {
      const size_t length = longest ? v.size() - step : step;
      if (op == '#' && glob_matches(*pattern, std::string_view(v).substr(0, length))) return v.substr(length);
      if (op == '%' && glob_matches(*pattern, std::string_view(v).substr(v.size() - length))) {
        return v.substr(0, v.size() - length);
      }
    }
    return v;
  }

  // At a '$': the expansion, or "$" itself when no name follows.
  util::Result<std::string> dollar() {
    const size_t dollar_at = pos_;
    ++pos_;
    if (pos_ >= text_.size()) return std::string("$");
    if (text_[pos_] != '{') {
      std::string variable = name();
      if (variable.empty()) return std::string("$");
      auto value = get(variable);
      if (!value && options_.keep_unset) return std::string(text_.substr(dollar_at, pos_ - dollar_at));
      return value.value_or("");
    }
    ++pos_;  // '{'
    std::string variable = name();
    if (pos_ >= text_.size()) return fail("syntax error: missing '}'");
    if (variable.empty()) return fail("bad substitution: no variable name after ${");
    char op = text_[pos_++];
    if (op == '}') {
      auto value = get(variable);
      if (!value && options_.keep_unset) return "${" + variable + "}";
      return value.value_or("");
    }
    bool colon = false;
    if (op == ':') {
      colon = true;
      if (pos_ >= text_.size()) return fail("syntax error: missing '}'");
      op = text_[pos_++];
    }
    if (!colon && (op == '#' || op == '%')) return remove_affix(variable, op);
    if (op != '-' && op != '+' && op != '?') {
      // ${X/a/b} (newer frontends) is not modelled: say so instead of guessing.
      return fail(std::string("unsupported modifier (") + op + ") in substitution of " + variable);
    }
    note(variable);  // before the names in its default, for referenced_variables' order
    auto word = modifier_word();
    if (!word) return word.error();
    auto value = get(variable);
    if (!value && options_.keep_unset) {
      return "${" + variable + (colon ? ":" : "") + std::string(1, op) + *word + "}";
    }
    const bool set = value.has_value();
    const bool non_empty = set && !value->empty();
    switch (op) {
      case '-':
        return (colon ? non_empty : set) ? *value : *word;
      case '+':
        return (colon ? non_empty : set) ? *word : std::string();
      default:  // '?'
        if (!set) return fail(variable + ": " + (word->empty() ? "is not allowed to be unset" : *word));
        if (colon && !non_empty) return fail(variable + ": " + (word->empty() ? "is not allowed to be empty" : *word));
        return *value;
    }
  }

  std::string_view text_;
  const Lookup& lookup_;
  const ExpandOptions& options_;
  std::vector<std::string>* names_;
  size_t pos_ = 0;
};

}  // namespace

util::Result<std::string> expand_word(std::string_view word, const Lookup& lookup, ExpandOptions options) {
  Output out(false);
  Lexer lexer(word, lookup, options, nullptr);
  if (auto status = lexer.run(out, 0); !status) return status.error();
  return out.finish_word();
}

util::Result<std::vector<std::string>> expand_words(std::string_view text, const Lookup& lookup,
                                                    ExpandOptions options) {
  Output out(true);
  Lexer lexer(text, lookup, options, nullptr);
  if (auto status = lexer.run(out, 0); !status) return status.error();
  return out.finish_words();
}

std::vector<std::string> referenced_variables(std::string_view word, char escape) {
  std::vector<std::string> names;
  ExpandOptions options;
  options.escape = escape;
  // With nothing set every default is taken, so the names inside defaults
  // are met too; `${X:?}` stops the walk, which is fine for a name list.
  Lookup nothing = [](std::string_view) { return std::optional<std::string>(); };
  Output out(false);
  Lexer lexer(word, nothing, options, &names);
  (void)lexer.run(out, 0);
  return names;
}

}  // namespace buildbench::dockerfile
