#pragma once
// The part of a Dockerfile the cache model and the findings read: stages,
// their instructions with flags and arguments, and the lines they came from.
// Filled from the shared Dockerfile model (dockerfile/) by view_of(); kept
// small and flat so the cache rules read like CACHE-RULES.md and tests can
// spell one out by hand.
#include <optional>
#include <string>
#include <vector>

namespace buildbench::advise {

struct Flag {
  std::string name;   // "from", "mount", "chown", "link" (without "--")
  std::string value;  // "" for a bare flag
};

struct Instruction {
  std::string keyword;             // upper case: "RUN", "COPY", ...
  std::vector<Flag> flags;         // in order
  std::vector<std::string> words;  // arguments after the flags (JSON form or split at blanks)
  std::string text;                // arguments after the flags as written (one line, continuations joined)
  bool json_form = false;          // RUN/CMD/ENTRYPOINT ["..."]
  std::string heredoc;             // heredoc bodies, joined (part of a RUN's key)
  int line = 0;                    // 1-based first line
  int end_line = 0;                // last line (continuations, heredocs)

  // The value of the first flag `name`, if present.
  std::optional<std::string> flag(const std::string& name) const;
  // All values of flag `name` (RUN --mount may repeat).
  std::vector<std::string> flags_named(const std::string& name) const;
};

struct Stage {
  int index = 0;                 // 0-based position in the file
  std::string name;              // the AS name, "" when none
  std::string base;              // the FROM argument as written (may hold $VARS)
  std::optional<std::string> platform;
  int line = 0;                  // the FROM line
  std::vector<Instruction> instructions;  // after the FROM

  // How BuildKit names the stage in step names: the AS name or "stage-N".
  std::string label() const { return name.empty() ? "stage-" + std::to_string(index) : name; }
};

struct DockerfileView {
  std::string path;                          // for messages and SARIF
  std::vector<Instruction> global_args;      // ARGs before the first FROM
  std::vector<Stage> stages;
  std::vector<std::string> lines;            // the file's lines, for rewrites

  // Line `number` (1-based) of the file, "" outside it.
  const std::string& line(int number) const {
    static const std::string none;
    return number >= 1 && number <= static_cast<int>(lines.size()) ? lines[static_cast<size_t>(number - 1)] : none;
  }
  // The stage `index` (0-based; callers check the range).
  const Stage& stage(int index) const { return stages[static_cast<size_t>(index)]; }

  // The stage `name_or_index` names ("build", "0"), or -1.
  int stage_named(const std::string& name_or_index) const;
};

}  // namespace buildbench::advise
