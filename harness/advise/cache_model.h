#pragma once
// The cache model: for one change made before a rebuild, which steps of
// which stages BuildKit runs again and why. The rules are BuildKit's
// (docs/cache-model.md has each rule with the build that verified it):
//  - a step's key is its instruction plus its parent's key, plus for
//    COPY/ADD (and bind mounts) a content checksum of the files its sources
//    select after .dockerignore (mtimes and owners do not count);
//  - a RUN's key holds its environment: ENV and every ARG declared so far in
//    the stage that has a value, used or not;
//  - a miss re-runs everything after it in the stage and in stages built
//    FROM it; a COPY --from (or bind mount from) a re-run stage is cached
//    again when the bytes it copies come out identical, which the model
//    cannot know: it says "content-dependent";
//  - stages the target does not reach are not built at all.
// Steps are numbered as BuildKit names them ("[build 3/6]"), so a prediction
// can be checked against a build's trace step by step.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "advise/context_scan.h"
#include "advise/dockerfile_view.h"

namespace buildbench::advise {

enum class ChangeKind {
  None,            // nothing changed (warm rebuild, or a touch: mtimes are not in keys)
  Cold,            // no cache at all
  SourceEdit,      // files of the context edited (paths)
  ManifestEdit,    // dependency manifest edited (go.mod/go.sum, package.json, ...): paths
  IgnoredEdit,     // a file .dockerignore drops edited (paths)
  BuildArg,        // a build argument gets a new value (arg)
  BaseImage,       // an image a FROM (or COPY --from) names changed (image)
  DockerfileLine,  // one line of the Dockerfile edited (line)
};

std::string_view change_kind_name(ChangeKind kind);  // "source-edit", ...

struct Change {
  ChangeKind kind = ChangeKind::None;
  std::vector<std::string> paths;  // context paths (edits)
  std::string arg;                 // BuildArg
  std::string image;               // BaseImage (as the Dockerfile spells it)
  int line = 0;                    // DockerfileLine (1-based)
  // Cold only: made by --no-cache (the runner's "scoped" cold) rather than an
  // empty cache. BuildKit then ignores the cache for RUN/COPY/ADD only; a
  // WORKDIR is still looked up, and found when an identical one on the same
  // base was ever built: the model says "not modelled" for it.
  bool no_cache = false;
  // "source-edit internal/pkg/a.go", "build-arg CACHEBUST", ...
  std::string describe() const;
};

// Where engines differ in a way a prediction depends on (verified by builds
// on 20.10.24 and 28.5.2, docs/cache-model.md).
struct EngineRules {
  std::string name = "buildkit";
  // A stage built FROM another stage inherits the ARGs declared in it (so a
  // new value re-runs the child's first RUN): verified on 20.10 and 28.5.
  bool stage_children_inherit_args = true;
  // COPY --link exists (not in 20.10's built-in frontend).
  bool copy_link = true;

  // From an engine version string such as "20.10.24+dfsg1" or "28.5.2".
  static EngineRules for_engine(const std::string& engine_version);
};

enum class Outcome {
  Cached,
  Rerun,
  ContentDependent,  // cached only if the bytes copied from a re-run stage are identical
  NotModelled,       // the model cannot say (named, never assumed cached)
};
std::string_view outcome_name(Outcome outcome);  // "cached", "re-run", "content-dependent", "not modelled"

struct StepPrediction {
  int stage = 0;            // index into DockerfileView::stages
  std::string stage_label;  // as the trace names it: "" for a one-stage file, else name or stage-N
  int index = 0;            // BuildKit's i in [label i/N]
  int total = 0;            // N
  std::string keyword;
  std::string text;         // "COPY go.mod go.sum ./"
  int line = 0;
  Outcome outcome = Outcome::Cached;
  // Which input decided the outcome: "COPY . . selects internal/a.go, which
  // changed", "build-arg CACHEBUST is in the RUN's environment (ARG line 9)",
  // "parent step [2/4] WORKDIR /src re-ran", "" when cached.
  std::string reason;
  // False for FROM: the trace's cached flag of an image source says nothing
  // about the cache (20.10 reports it either way on no-op rebuilds).
  bool observable = true;

  std::string trace_name() const;  // "[build 3/6] COPY go.mod go.sum ./"
};

struct StagePrediction {
  int stage = 0;
  std::string label;
  bool needed = false;  // reachable from the target
  std::string why;      // "target", "FROM base (stage build-api)", "COPY --from=build (line 14)", "not reachable from the target"
};

struct Prediction {
  Change change;
  std::vector<StagePrediction> stages;
  std::vector<StepPrediction> steps;  // needed stages only, in file order
  std::vector<std::string> not_modelled;  // instructions the model does not understand, with lines

  int count(Outcome outcome) const;
  // The step whose trace name, "[label i/N]" prefix, line number ("L12") or
  // text matches `step`; nullptr when none does.
  const StepPrediction* find(const std::string& step) const;
};

struct PredictOptions {
  std::string target;                              // stage name or index; "" = last stage
  std::map<std::string, std::string> build_args;   // given on the build (values only matter for "has a value")
  EngineRules engine;
  // The Dockerfile's path relative to the context root when it lies inside
  // it (a COPY . . then copies it too); "" otherwise.
  std::string dockerfile_in_context;
};

Prediction predict(const DockerfileView& dockerfile, const ContextScan& context, const Change& change,
                   const PredictOptions& options = {});

// The representative changes of a Dockerfile and context: one per kind that
// applies (a source file, the manifests, an ignored file, each declared
// build-arg, each base image), with concrete paths picked from the context.
std::vector<Change> representative_changes(const DockerfileView& dockerfile, const ContextScan& context);

// Observed vs predicted: a build's steps (name, stage label, index, cached).
struct ObservedStep {
  std::string stage;  // label as parsed from the trace ("" for one-stage files)
  int index = 0;
  bool cached = false;
  std::string name;
};

struct Agreement {
  int compared = 0;  // observable steps with a definite prediction
  int agreed = 0;
  int content_dependent = 0;  // not counted either way
  int not_modelled = 0;
  std::vector<std::string> disagreements;  // "[build 4/5] RUN go mod download: predicted cached, trace re-ran"
  double ratio() const { return compared == 0 ? 1.0 : static_cast<double>(agreed) / compared; }
  void add(const Agreement& other);
};

Agreement compare(const Prediction& prediction, const std::vector<ObservedStep>& observed);

}  // namespace buildbench::advise
