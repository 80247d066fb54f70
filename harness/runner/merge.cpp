#include "runner/merge.h"

#include <algorithm>
#include <map>

namespace buildbench::runner {

util::Result<ResultsFile> merge_results(const std::vector<ResultsFile>& inputs, const MergeOptions& options) {
  if (inputs.empty()) return util::error("nothing to merge");
  const auto& first = inputs.front();
  ResultsFile merged;
  merged.header = first.header;
  std::map<size_t, std::string> seen;  // plan index -> file that has it
  std::vector<std::string> shards;
  for (const auto& input : inputs) {
    if (input.header.scenario_hash != first.header.scenario_hash && !options.force) {
      return util::error(input.path.string() + " is a run of another scenario than " + first.path.string() + " (" +
                         input.header.scenario_name + " " + input.header.scenario_hash.substr(0, 12) + " vs " +
                         first.header.scenario_name + " " + first.header.scenario_hash.substr(0, 12) +
                         "); pass --force to merge anyway");
    }
    if (input.header.harness_version != first.header.harness_version && !options.force) {
      return util::error(input.path.string() + " was written by buildbench " + input.header.harness_version + ", " +
                         first.path.string() + " by " + first.header.harness_version +
                         "; pass --force to merge anyway");
    }
    shards.push_back(input.header.shard);
    for (const auto& sample : input.samples) {
      auto [it, inserted] = seen.emplace(sample.plan_index, input.path.string());
      if (!inserted) {
        return util::error("sample " + std::to_string(sample.plan_index) + " is in both " + it->second + " and " +
                           input.path.string() + " (the same shard twice?)");
      }
      merged.samples.push_back(sample);
    }
    merged.warnings.insert(merged.warnings.end(), input.warnings.begin(), input.warnings.end());
  }
  std::sort(merged.samples.begin(), merged.samples.end(),
            [](const Sample& a, const Sample& b) { return a.plan_index < b.plan_index; });
  std::string shard_text = "merged";
  for (const auto& shard : shards) shard_text += " " + shard;
  merged.header.shard = shard_text;
  merged.header.plan_size = merged.samples.size();
  ResultsFooter footer;
  footer.samples_written = merged.samples.size();
  for (const auto& sample : merged.samples) footer.failed_builds += sample.record.ok ? 0 : 1;
  for (const auto& input : inputs) {
    if (input.footer) {
      footer.interrupted = footer.interrupted || input.footer->interrupted;
      footer.finished_at = std::max(footer.finished_at, input.footer->finished_at);
    }
  }
  merged.footer = footer;
  return merged;
}

util::Status write_results(const std::filesystem::path& path, const ResultsFile& results) {
  auto writer = ResultsWriter::create(path, results.header);
  if (!writer) return writer.error();
  for (const auto& sample : results.samples) {
    if (auto appended = writer->append(sample); !appended) return appended;
  }
  return writer->finish(results.footer.value_or(ResultsFooter{}));
}

}  // namespace buildbench::runner
