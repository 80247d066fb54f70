#pragma once
// The output a build step printed, reduced to what a report needs: how many
// bytes, and the last lines as a terminal would show them (carriage returns
// overwrite the line, ANSI colour sequences are dropped, invalid UTF-8 is
// replaced so the lines can go into JSON results).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace buildbench::docker {

class LogTail {
 public:
  static constexpr size_t kDefaultMaxLines = 20;
  // Longer lines are cut: a step that prints megabytes without a newline
  // must not grow memory without bound.
  static constexpr size_t kMaxLineBytes = 2048;

  explicit LogTail(size_t max_lines = kDefaultMaxLines) : max_lines_(max_lines) {}

  // Output bytes in arrival order; lines may be split across calls.
  void append(std::string_view bytes);

  uint64_t bytes() const { return bytes_; }
  uint64_t complete_lines() const { return complete_lines_; }
  // The last lines, oldest first, including an unfinished last line.
  std::vector<std::string> lines() const;

 private:
  enum class Escape { None, Esc, Csi };
  void end_line();

  size_t max_lines_;
  uint64_t bytes_ = 0;
  uint64_t complete_lines_ = 0;
  std::deque<std::string> tail_;
  std::string current_;
  bool pending_cr_ = false;  // a '\r' seen: CRLF ends the line, anything else overwrites it
  Escape escape_ = Escape::None;
};

// `bytes` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view bytes);

}  // namespace buildbench::docker
