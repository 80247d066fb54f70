// How long the generator takes for a large project. Target (issue 4): a
// fixture of about 200,000 lines of Go generates in under 2 s.
// Argument 0 writes under the system temp dir (a disk), 1 under /dev/shm
// (memory): the generator's own cost without the file system's. On a busy
// machine file creation on disk dominates (hundreds of µs per openat).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "fixture/generator.h"
#include "util/temp_dir.h"

namespace {

buildbench::fixture::FixtureParams large_fixture() {
  buildbench::fixture::FixtureParams p;
  p.packages = 200;
  p.files_per_package = 10;
  p.functions_per_file = 8;
  p.import_fan_out = 4;
  p.import_depth = 5;
  p.test_files_per_package = 2;
  p.docs = 20;
  p.dep_modules = 10;
  p.dep_depth = 2;
  return p;
}

std::filesystem::path parent_for(int64_t where) {
  std::error_code ec;
  if (where == 1 && std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

void BM_GenerateLargeFixture(benchmark::State& state) {
  buildbench::util::TempDir dir("buildbench-bench-", parent_for(state.range(0)));
  const auto params = large_fixture();
  size_t lines = 0;
  uint64_t bytes = 0;
  size_t round = 0;
  for (auto _ : state) {
    // Into a new, empty directory each time (what `fixture generate` does);
    // removing the previous tree is not generation time.
    state.PauseTiming();
    std::filesystem::remove_all(dir.path() / std::to_string(round));
    ++round;
    state.ResumeTiming();
    auto generated = buildbench::fixture::generate_fixture(params, dir.path() / std::to_string(round));
    if (!generated) {
      state.SkipWithError(generated.error().message.c_str());
      return;
    }
    lines = generated->go_lines;
    bytes = generated->bytes;
  }
  state.counters["go_lines"] = static_cast<double>(lines);
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(lines));
}
BENCHMARK(BM_GenerateLargeFixture)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_TreeHashLargeFixture(benchmark::State& state) {
  buildbench::util::TempDir dir("buildbench-bench-");
  if (!buildbench::fixture::generate_fixture(large_fixture(), dir.path()).ok()) {
    state.SkipWithError("generation failed");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(buildbench::fixture::tree_hash(dir.path()));
}
BENCHMARK(BM_TreeHashLargeFixture)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
