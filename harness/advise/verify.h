#pragma once
// `advise --verify`: build the original and the suggested Dockerfile with
// the build kinds the fixes are about, through the runner (a scenario
// written to a temporary directory, interleaved like any other), then
// compare (1) the cache model's prediction with each build's trace, step by
// step, and (2) the wall times of the two variants per kind: median saving,
// ratio with a bootstrap CI and a Mann-Whitney p.
#include <atomic>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "advise/cache_model.h"
#include "runner/results.h"
#include "stats/compare.h"
#include "stats/rank_tests.h"
#include "util/result.h"

namespace buildbench::advise {

struct VerifyOptions {
  std::filesystem::path dockerfile;           // the original
  std::string suggested;                      // the rewritten Dockerfile's text
  std::optional<std::string> suggested_dockerignore;   // a .dockerignore a fix adds
  std::optional<std::filesystem::path> original_dockerignore;
  std::optional<std::filesystem::path> context;  // a fixture directory; nullopt = a small generated Go fixture
  std::vector<std::string> kinds;             // scenario build kinds ("cold", "code-change", ...)
  int repetitions = 3;
  std::filesystem::path out_dir;              // scenario, Dockerfiles, results.jsonl
  std::map<std::string, std::string> base_images;  // base name -> local image
  bool allow_prune = false;
  bool quiet = true;
  // Judge the results an earlier --verify left in out_dir (same Dockerfiles)
  // instead of building again.
  bool reuse = false;
  const std::atomic<bool>* interrupted = nullptr;
};

struct KindResult {
  std::string kind;
  Agreement original;   // prediction vs trace, all samples of the kind
  Agreement suggested;
  std::vector<double> original_s, suggested_s;  // wall times
  double saved_s = 0;                            // median(original) - median(suggested)
  std::optional<stats::RatioEstimate> ratio;     // suggested / original
  std::optional<stats::MannWhitney> test;
};

struct VerifyReport {
  std::filesystem::path results;
  std::vector<KindResult> kinds;
  Agreement total;
  std::string engine;  // engine version the builds ran on
};

// The scenario build kinds that exercise the given change kinds.
std::vector<std::string> kinds_for(const std::vector<ChangeKind>& helps);

// The change a scenario build kind makes, for predicting it (paths as the
// generated fixture lays them out; `ignored_file` from its manifest).
Change change_for_kind(const std::string& kind, const std::string& leaf_file, const std::string& ignored_file);

util::Result<VerifyReport> verify(const VerifyOptions& options);

// The comparison part alone, from a results file of a scenario with the two
// variants "original" and "suggested" (used by verify and its tests).
util::Result<VerifyReport> judge(const runner::ResultsFile& results, const std::string& original_text,
                                 const std::string& suggested_text, const std::optional<std::string>& original_ignore,
                                 const std::optional<std::string>& suggested_ignore, const std::string& leaf_file,
                                 const std::string& ignored_file);

}  // namespace buildbench::advise
