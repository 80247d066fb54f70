#pragma once
#include <string>

namespace buildbench::scenario {

// One thing wrong with a scenario file. `pointer` is an RFC 6901 JSON pointer
// ("/variants/1/builder"; "/" for the whole document, "" for problems that
// are not about a value, such as unreadable bytes). `message` says what is
// wrong and, in parentheses, what was expected.
struct Problem {
  std::string pointer;
  std::string message;
  bool operator==(const Problem&) const = default;
};

}  // namespace buildbench::scenario
