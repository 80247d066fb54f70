#pragma once
// Stages, their dependencies and ARG/ENV scoping, as the Dockerfile frontend
// resolves them (dockerfile2llb/convert.go).
//
// Usage:
//   BuildOptions options{.build_args = {{"GOOS", "linux"}}};
//   auto target = target_stage(model, "");                   // the last stage
//   std::vector<bool> needed = reachable_stages(model, *target, options);
//   Scope scope = Scope::at_stage_start(model, stage, options);
//   for (const Instruction& ins : stage.instructions) {
//     if (expands_variables(ins.keyword)) auto text = scope.expand(ins.args[0]);
//     scope.apply(ins);                                       // ARG / ENV
//   }
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dockerfile/expand.h"
#include "dockerfile/model.h"
#include "util/result.h"

namespace buildbench::dockerfile {

struct BuildOptions {
  std::map<std::string, std::string> build_args;  // --build-arg KEY=VALUE
  // The automatic platform ARGs (TARGETOS, TARGETARCH, BUILDPLATFORM, ...)
  // come from these.
  std::string build_platform = "linux/amd64";
  std::string target_platform = "linux/amd64";
  // A `FROM <stage>` child starts with its parent's ARG values (newer
  // BuildKit, see CACHE-RULES.md: dispatchState.init at 0.25.2); false for
  // older engines, where the child starts with its parent's ENV only.
  bool child_inherits_parent_args = true;
};

// What a FROM base, `COPY --from` or `RUN --mount from=` refers to.
struct StageRef {
  enum class Kind { Stage, Image, Scratch, Context };
  Kind kind = Kind::Context;
  int stage = -1;     // Kind::Stage
  std::string image;  // Kind::Image: the expanded image reference
};

// The stage a name or index refers to (names case-insensitive), among the
// stages before `before` (all when negative).
std::optional<int> find_stage(const Dockerfile& model, std::string_view name_or_index, int before = -1);
// The stage `--target` selects; "" is the last stage. Error: no such stage.
util::Result<int> target_stage(const Dockerfile& model, std::string_view target);

// The variable scope the frontend expands words with. ENV wins over ARG.
// It points at the model and the options: both must outlive it.
class Scope {
 public:
  // The scope of FROM lines: the global (pre-FROM) ARGs and the automatic
  // platform ARGs.
  static Scope global(const Dockerfile& model, const BuildOptions& options);
  // The scope right after stage `stage`'s FROM (global ARGs are not visible
  // until redeclared; a FROM <stage> child starts from its parent's end).
  static Scope at_stage_start(const Dockerfile& model, int stage, const BuildOptions& options);
  // The scope right before instruction `instruction` of stage `stage`.
  static Scope before(const Dockerfile& model, int stage, size_t instruction, const BuildOptions& options);

  // Apply ARG / ENV (other instructions change nothing).
  void apply(const Instruction& instruction);
  std::optional<std::string> lookup(std::string_view name) const;
  Lookup lookup_function() const;
  // Expand a word of an instruction; errors carry the word's position.
  util::Result<std::string> expand(const Word& word) const;

  // ARGs declared in the stage that have a value, in declaration order, and
  // ENV values, in order: what the frontend puts in a RUN's environment.
  const std::vector<std::pair<std::string, std::string>>& args() const { return args_; }
  const std::vector<std::pair<std::string, std::string>>& env() const { return env_; }

 private:
  // at_stage_start with a bound on parent recursion (FROM cycles).
  static Scope start(const Dockerfile& model, int stage, const BuildOptions& options, size_t depth);

  const Dockerfile* model_ = nullptr;
  const BuildOptions* options_ = nullptr;
  bool global_scope_ = false;
  std::vector<std::pair<std::string, std::string>> args_;
  std::vector<std::pair<std::string, std::string>> env_;
  std::map<std::string, std::string> global_values_;  // global ARG values (for redeclaration)
};

// What a stage's FROM names, expanded with the global scope.
StageRef resolve_base(const Dockerfile& model, int stage, const BuildOptions& options);
// What `COPY --from=`, `RUN --mount from=` text refers to from inside stage
// `stage`: an earlier stage (name or index) or an image.
StageRef resolve_from(const Dockerfile& model, int stage, std::string_view from);

// The stages stage `stage` needs directly: its FROM base, `COPY --from=`
// and `RUN --mount=...,from=` (expanded in the stage's scope), in order,
// without duplicates.
std::vector<int> stage_dependencies(const Dockerfile& model, int stage, const BuildOptions& options);
// Which stages a build of `target` runs (BuildKit skips the others).
std::vector<bool> reachable_stages(const Dockerfile& model, int target, const BuildOptions& options);

}  // namespace buildbench::dockerfile
