#pragma once
// Joins results files of one scenario (e.g. the shards of a matrix run on
// several CI machines) into one, so it can be reported as a single run.
#include <filesystem>
#include <vector>

#include "runner/results.h"
#include "util/result.h"

namespace buildbench::runner {

struct MergeOptions {
  bool force = false;  // merge different scenario hashes or harness versions anyway
};

// Refuses mixed scenario hashes or harness versions (unless forced) and
// duplicate plan indexes; samples come out in plan order. Warnings of the
// inputs (truncated lines) are carried over.
util::Result<ResultsFile> merge_results(const std::vector<ResultsFile>& inputs, const MergeOptions& options);

// Writes header, samples and a footer to `path` (overwriting it).
util::Status write_results(const std::filesystem::path& path, const ResultsFile& results);

}  // namespace buildbench::runner
