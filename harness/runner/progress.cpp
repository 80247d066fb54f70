#include "runner/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace buildbench::runner {
namespace {

std::string clock_text(double seconds) {
  long s = static_cast<long>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", s / 60, s % 60);
  }
  return buffer;
}

}  // namespace

Progress::Progress(Style style, size_t total, std::FILE* out)
    : style_(style), total_(total), out_(out), start_(std::chrono::steady_clock::now()) {}

Progress::Style Progress::detect(bool quiet) {
  if (quiet) return Style::Quiet;
  const char* term = std::getenv("TERM");
  bool dumb = term != nullptr && std::string(term) == "dumb";
  return (::isatty(STDERR_FILENO) == 1 && !dumb) ? Style::Terminal : Style::Plain;
}

std::string Progress::eta(size_t done) const {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string text = "elapsed " + clock_text(elapsed);
  if (done > 0 && done < total_) {
    double remaining = elapsed / static_cast<double>(done) * static_cast<double>(total_ - done);
    text += ", ETA " + clock_text(remaining);
  }
  if (!status_.empty()) text += "; " + status_;
  return text;
}

void Progress::clear_line() {
  if (line_open_) {
    std::fputs("\r\033[K", out_);
    line_open_ = false;
  }
}

void Progress::starting(size_t done, const std::string& label) {
  if (style_ != Style::Terminal) return;
  clear_line();
  const int width = 24;
  int filled = total_ == 0 ? width : static_cast<int>(static_cast<double>(std::min(done, total_)) / static_cast<double>(total_) * width);
  std::string bar = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.') + "]";
  std::fprintf(out_, "%s %zu/%zu %s  (%s)", bar.c_str(), done + 1, total_, label.c_str(), eta(done).c_str());
  std::fflush(out_);
  line_open_ = true;
}

void Progress::finished(size_t done, const std::string& label, const std::string& outcome) {
  if (style_ == Style::Quiet) return;
  clear_line();
  std::fprintf(out_, "[%zu/%zu] %s: %s  (%s)\n", done, total_, label.c_str(), outcome.c_str(), eta(done).c_str());
  std::fflush(out_);
}

void Progress::note(const std::string& line) {
  if (style_ == Style::Quiet) return;
  clear_line();
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

void Progress::close() { clear_line(); }

}  // namespace buildbench::runner
