#pragma once
// Progress of a run for a person: on a terminal one line redrawn in place
// (sample n of N, variant, build kind, elapsed, ETA); otherwise one plain
// line per finished sample, which reads well in CI logs; nothing with quiet.
#include <chrono>
#include <cstdio>
#include <string>

namespace buildbench::runner {

class Progress {
 public:
  enum class Style { Terminal, Plain, Quiet };
  Progress(Style style, size_t total, std::FILE* out = stderr);
  static Style detect(bool quiet);

  // A build starts: `label` like "slow · cold · rep 2".
  void starting(size_t done, const std::string& label);
  // It ended: `outcome` like "12.34 s, 0/9 cached".
  void finished(size_t done, const std::string& label, const std::string& outcome);
  // A line that must stay on screen (warnings, set-up steps).
  void note(const std::string& line);
  void close();
  // Adaptive runs: the number of builds left changes as cells are decided,
  // and a status ("8/12 cells decided, 4/6 claims") joins the line.
  void set_total(size_t total) { total_ = total; }
  void set_status(std::string status) { status_ = std::move(status); }

 private:
  std::string eta(size_t done) const;
  void clear_line();
  Style style_;
  size_t total_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  bool line_open_ = false;
  std::string status_;
};

}  // namespace buildbench::runner
