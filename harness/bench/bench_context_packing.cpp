// Throughput and memory of the tar context packer on generated trees, and the
// cost of .dockerignore matching per path.
//
// The trees are made once under /tmp/buildbench-bench-context/<MiB>/ (many
// file sizes, incompressible content, a .dockerignore dropping ~5%) and
// reused by later runs; the first iteration also warms the page cache.
// Counters: `files` sent, `peak_buffered` (bytes the packer held at most),
// `rss_growth_kib` (the process's peak RSS growth while packing, from
// getrusage) — flat across context sizes when memory does not follow size.
#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "docker/context_packer.h"
#include "docker/dockerignore.h"

namespace fs = std::filesystem;
using buildbench::docker::ContextPacker;
using buildbench::docker::IgnoreMatcher;

namespace {

const fs::path kTreeRoot = "/tmp/buildbench-bench-context";

// xorshift64*: deterministic, incompressible-enough content without a
// dependency.
struct Random {
  uint64_t state;
  uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
  }
};

bool write_random_file(const fs::path& path, uint64_t size, Random& random, std::vector<char>& buffer) {
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  uint64_t left = size;
  bool ok = true;
  while (left > 0 && ok) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(left, buffer.size()));
    for (size_t i = 0; i + 8 <= n; i += 8) {
      const uint64_t word = random.next();
      std::memcpy(buffer.data() + i, &word, 8);
    }
    ok = ::write(fd, buffer.data(), n) == static_cast<ssize_t>(n);
    left -= n;
  }
  ::close(fd);
  return ok;
}

// A tree of about `mebibytes` MiB: 85% of the files small (1-16 KiB), 14%
// medium (16-256 KiB), 1% large (1-8 MiB), in directories of 40 files, three
// levels deep.
fs::path ensure_tree(uint64_t mebibytes) {
  const fs::path root = kTreeRoot / std::to_string(mebibytes);
  const fs::path marker = root / ".complete-v2";  // bump when the layout changes
  if (fs::exists(marker)) return root;
  fs::remove_all(root);
  fs::create_directories(root);
  Random random{0x9E3779B97F4A7C15ULL ^ mebibytes};
  std::vector<char> buffer(1 << 20);
  const uint64_t target = mebibytes << 20;
  uint64_t written = 0;
  size_t index = 0;
  while (written < target) {
    const uint64_t pick = random.next() % 100;
    uint64_t size = 0;
    if (pick < 85) {
      size = 1024 + random.next() % (15 * 1024);
    } else if (pick < 99) {
      size = (16 << 10) + random.next() % (240 << 10);
    } else {
      size = (1 << 20) + random.next() % (7 << 20);
    }
    size = std::min(size, target - written);
    const fs::path dir = root / ("d" + std::to_string(index / 1600)) / ("e" + std::to_string(index / 40 % 40));
    fs::create_directories(dir);
    const std::string name = "file" + std::to_string(index) + (index % 20 == 0 ? ".log" : ".go");
    if (!write_random_file(dir / name, size, random, buffer)) {
      std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
      std::exit(1);
    }
    written += size;
    ++index;
  }
  std::FILE* dockerfile = std::fopen((root / "Dockerfile").c_str(), "w");
  std::fputs("FROM scratch\nCOPY . /src\n", dockerfile);
  std::fclose(dockerfile);
  std::FILE* ignore = std::fopen((root / ".dockerignore").c_str(), "w");
  std::fputs("# logs are not build inputs\n**/*.log\n.git\n", ignore);
  std::fclose(ignore);
  std::fclose(std::fopen(marker.c_str(), "w"));
  return root;
}

long max_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void BM_PackContext(benchmark::State& state) {
  const uint64_t mebibytes = static_cast<uint64_t>(state.range(0));
  const fs::path root = ensure_tree(mebibytes);
  std::vector<char> buffer(ContextPacker::kChunkSize);
  uint64_t bytes = 0;
  uint64_t files = 0;
  size_t peak_buffered = 0;
  const long rss_before = max_rss_kib();
  // Packs the whole context once; false (and the benchmark skipped) on error.
  const auto pack_once = [&]() {
    auto packer = ContextPacker::open({root, std::nullopt});
    if (!packer) {
      state.SkipWithError(packer.error().message.c_str());
      return false;
    }
    while (true) {
      auto n = packer->read(buffer.data(), buffer.size());
      if (!n) {
        state.SkipWithError(n.error().message.c_str());
        return false;
      }
      if (*n == 0) break;
      benchmark::DoNotOptimize(buffer.data());
    }
    bytes += packer->bytes_produced();
    files = packer->files();
    peak_buffered = std::max(peak_buffered, packer->peak_buffered());
    return true;
  };
  for (auto _ : state) {
    if (!pack_once()) break;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["files"] = static_cast<double>(files);
  state.counters["peak_buffered"] = static_cast<double>(peak_buffered);
  state.counters["rss_growth_kib"] = static_cast<double>(max_rss_kib() - rss_before);
  state.counters["max_rss_kib"] = static_cast<double>(max_rss_kib());
}
// Small first, so the large run's RSS growth shows whether memory follows size.
BENCHMARK(BM_PackContext)->Arg(50)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_IgnoreMatch(benchmark::State& state) {
  auto matcher = IgnoreMatcher::parse(
      ".git\n*.md\n!README.md\nbin/\n**/*_test.go\nvendor\n!vendor/modules.txt\nnode_modules/**\n**/*.log\n");
  if (!matcher) {
    state.SkipWithError(matcher.error().message.c_str());
    return;
  }
  std::vector<std::string> paths;
  for (int i = 0; i < 1000; ++i) {
    paths.push_back("internal/pkg" + std::to_string(i % 37) + "/sub/file" + std::to_string(i) +
                    (i % 3 == 0 ? "_test.go" : ".go"));
  }
  size_t excluded = 0;
  for (auto _ : state) {
    for (const auto& path : paths) excluded += matcher->excluded(path) ? size_t{1} : size_t{0};
  }
  benchmark::DoNotOptimize(excluded);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(paths.size()));
}
BENCHMARK(BM_IgnoreMatch);

}  // namespace
