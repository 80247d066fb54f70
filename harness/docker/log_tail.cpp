#include "docker/log_tail.h"

namespace buildbench::docker {

void LogTail::append(std::string_view bytes) {
  bytes_ += bytes.size();
  for (char c : bytes) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (c != '\n') current_.clear();  // a bare '\r' (progress bar) rewrites the line
    }
    // Escape sequences (ECMA-48: ESC, intermediates 0x20-0x2f, a final byte;
    // CSI: ESC '[' parameters, final 0x40-0x7e) are colour and cursor
    // control, not text.
    if (escape_ == Escape::Esc) {
      if (c == '[') {
        escape_ = Escape::Csi;
      } else if (c < 0x20 || c > 0x2f) {
        escape_ = Escape::None;
      }
      continue;
    }
    if (escape_ == Escape::Csi) {
      if (c >= 0x40 && c <= 0x7e) escape_ = Escape::None;
      continue;
    }
    switch (c) {
      case '\x1b':
        escape_ = Escape::Esc;
        break;
      case '\r':
        pending_cr_ = true;
        break;
      case '\n':
        end_line();
        break;
      default:
        if (current_.size() < kMaxLineBytes) current_.push_back(c);
    }
  }
}

void LogTail::end_line() {
  ++complete_lines_;
  if (max_lines_ == 0) {
    current_.clear();
    return;
  }
  if (tail_.size() == max_lines_) tail_.pop_front();
  tail_.push_back(std::move(current_));
  current_.clear();
}

std::vector<std::string> LogTail::lines() const {
  std::vector<std::string> out;
  out.reserve(tail_.size() + 1);
  for (const auto& line : tail_) out.push_back(valid_utf8(line));
  if (!current_.empty() && max_lines_ > 0) {
    if (out.size() == max_lines_) out.erase(out.begin());
    out.push_back(valid_utf8(current_));
  }
  return out;
}

namespace {

// Length of the valid UTF-8 sequence starting at bytes[i], 0 if invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_sequence_length(std::string_view bytes, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // allowed range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (i + length > bytes.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return length;
}

}  // namespace

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    const size_t length = utf8_sequence_length(bytes, i);
    if (length == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(bytes.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace buildbench::docker
