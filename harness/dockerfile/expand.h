#pragma once
// Shell-word processing as the Dockerfile frontend does it (BuildKit's
// frontend/dockerfile/shell lexer): quotes, the escape character, and
// `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}`,
// `${VAR:?msg}`, `${VAR?msg}`, and `${VAR#p}`, `${VAR##p}`, `${VAR%p}`,
// `${VAR%%p}` (newer frontends) substitution. `${VAR/a/b}` is reported as
// unsupported. This is not a shell: no command substitution, globbing or
// arithmetic.
//
// Usage:
//   auto value = expand_word("${GOOS:-linux}/bin", lookup);    // "linux/bin"
//   auto names = referenced_variables("$A ${B:-$C}");          // A, B, C
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace buildbench::dockerfile {

// The value of a variable, or nullopt when it is not set.
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

struct ExpandOptions {
  char escape = '\\';
  // Keep `$NAME` / `${NAME}` as written when NAME is not set (BuildKit's
  // SkipUnsetEnv, used for heredoc names) instead of expanding to "".
  bool keep_unset = false;
  // Keep quote characters in the result (BuildKit's RawQuotes).
  bool keep_quotes = false;
  // Keep escape characters in the result (BuildKit's RawEscapes).
  bool keep_escapes = false;
};

// One word: quotes removed, variables expanded, whitespace kept. Errors
// (unterminated quote, `${` without `}`, `${X:?msg}` with X unset, an
// unsupported modifier) name the byte offset in the word.
util::Result<std::string> expand_word(std::string_view word, const Lookup& lookup, ExpandOptions options = {});

// Several words: like expand_word, but unquoted whitespace separates words.
util::Result<std::vector<std::string>> expand_words(std::string_view text, const Lookup& lookup,
                                                    ExpandOptions options = {});

// The variable names a word refers to, in order of first use, including
// those inside `${X:-$Y}` defaults. Quoted-with-' text refers to none.
std::vector<std::string> referenced_variables(std::string_view word, char escape = '\\');

}  // namespace buildbench::dockerfile
