#pragma once
// Findings: what in a Dockerfile costs rebuild time, each with a fix that
// is the rewritten Dockerfile lines (or a new file), and the change kinds
// whose rebuilds the fix shortens (so --verify knows what to build).
//
//   BB001 manifest-after-source  the dependency manifest comes in with the source
//                                (the post's slow layer order)
//   BB002 no-cache-mount         Go/pip/npm/apt download or build caches not in a cache mount
//   BB003 no-dockerignore        a large context without .dockerignore (measured size)
//   BB004 copy-all-early         `COPY . .` above steps that do not read the source
//   BB005 arg-early              an ARG declared above RUN steps that do not use it
//   BB006 split-compile          independent stages that split one compile on few CPUs
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "advise/cache_model.h"
#include "advise/context_scan.h"
#include "advise/dockerfile_view.h"

namespace buildbench::advise {

struct Rule {
  std::string id;     // "BB001"
  std::string name;   // "manifest-after-source"
  std::string title;  // one line
  std::string help;   // why it matters and what the fix does
  std::string level;  // SARIF level: "warning" or "note"
};
const std::vector<Rule>& rules();
const Rule* rule_by_id_or_name(const std::string& id_or_name);

// Replace lines [first_line, last_line] (1-based, inclusive) of `file` with
// `lines`. first_line == last_line + 1 inserts before first_line. A fix of a
// file that does not exist yet (a new .dockerignore) has first_line 1,
// last_line 0 and `new_file` set.
struct Edit {
  std::string file;  // "" = the Dockerfile
  int first_line = 0;
  int last_line = 0;
  std::vector<std::string> lines;
  bool new_file = false;
};

struct Finding {
  std::string rule;     // "BB001"
  std::string message;  // specific: names lines, paths, sizes
  int line = 0;         // where it is reported
  int column = 1;
  std::vector<Edit> edits;             // the fix
  std::string fix_description;         // "copy go.mod and go.sum and download modules before COPY . ."
  std::vector<ChangeKind> helps;       // change kinds whose rebuild the fix shortens
};

struct FindingOptions {
  int cpus = 0;  // CPUs of the machine that builds; 0 = unknown (BB006 is then not reported)
  // BB003 fires at or above this many context bytes without a .dockerignore.
  uint64_t large_context_bytes = 10ull * 1000 * 1000;
};

// `context` may be null (no context directory given): findings that need
// it (BB003, the go.sum part of BB001) make do or stay silent.
std::vector<Finding> find_issues(const DockerfileView& dockerfile, const ContextScan* context,
                                 const FindingOptions& options = {});

struct Rewrite {
  std::string dockerfile;                 // the whole rewritten Dockerfile
  std::optional<std::string> dockerignore;  // a new .dockerignore, when a fix adds one
  std::vector<std::string> applied;       // rule ids applied, in order
  std::vector<std::string> skipped;       // "BB004: overlaps BB001"
};

// Applies the fixes of `findings` (those that do not overlap an earlier one).
Rewrite apply_fixes(const DockerfileView& dockerfile, const std::vector<Finding>& findings);

}  // namespace buildbench::advise
