// How fast a /build response is decoded: JSON lines, base64, the BuildKit
// StatusResponse protobuf and the vertex merge, reported as bytes/second of
// response body. A build stream arrives at a few hundred KB/s at most, so
// anything above ~50 MB/s keeps decoding invisible in the client's timings.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "buildkit_trace.pb.h"
#include "docker/build_record.h"
#include "docker/build_stream.h"
#include "util/hash.h"

namespace {

using namespace buildbench::docker;

// stdio rather than istreambuf_iterator: GCC 12 reports a false
// -Wnull-dereference inside <streambuf> for the latter.
std::string recorded(const std::string& name) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / ".." / "tests" / "data" / "streams" / name;
  std::string bytes;
  if (std::FILE* file = std::fopen(path.c_str(), "rb")) {
    char buffer[65536];
    size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) bytes.append(buffer, got);
    std::fclose(file);
  }
  return bytes;
}

void set_time(buildbench::trace::Timestamp* timestamp, int64_t millis) {
  timestamp->set_seconds(1'700'000'000 + millis / 1000);
  timestamp->set_nanos(static_cast<int32_t>((millis % 1000) * 1'000'000));
}

std::string trace_line(const buildbench::trace::StatusResponse& response) {
  std::string bytes;
  response.SerializeToString(&bytes);
  return R"({"id":"moby.buildkit.trace","aux":")" + buildbench::util::base64_encode(bytes) + "\"}\n";
}

// A large BuildKit stream shaped like the real ones: each vertex announced,
// started, then `log_lines` lines of output in batches of 8, then completed.
std::string synthetic_stream(int vertices, int log_lines) {
  std::string stream;
  for (int v = 0; v < vertices; ++v) {
    const std::string digest = "sha256:" + buildbench::util::sha256_hex(std::to_string(v));
    const std::string name = "[stage-" + std::to_string(v % 4) + " " + std::to_string(v + 1) + "/" +
                             std::to_string(vertices) + "] RUN go build ./cmd/service-" + std::to_string(v);
    const int64_t start = v * 100;
    for (int phase = 0; phase < 2; ++phase) {
      buildbench::trace::StatusResponse response;
      auto* vertex = response.add_vertexes();
      vertex->set_digest(digest);
      vertex->set_name(name);
      if (v > 0) vertex->add_inputs("sha256:" + buildbench::util::sha256_hex(std::to_string(v - 1)));
      if (phase == 1) set_time(vertex->mutable_started(), start);
      stream += trace_line(response);
    }
    for (int line = 0; line < log_lines; line += 8) {
      buildbench::trace::StatusResponse response;
      std::string batch;
      for (int k = line; k < line + 8 && k < log_lines; ++k) {
        batch += "# example.com/service/internal/pkg" + std::to_string(k) + " compiled in 0." + std::to_string(k % 97) +
                 "s with some more words\n";
      }
      auto* log = response.add_logs();
      log->set_vertex(digest);
      log->set_stream(1 + line % 2);
      set_time(log->mutable_timestamp(), start + line);
      log->set_msg(batch);
      stream += trace_line(response);
    }
    buildbench::trace::StatusResponse done;
    auto* vertex = done.add_vertexes();
    vertex->set_digest(digest);
    vertex->set_name(name);
    set_time(vertex->mutable_started(), start);
    set_time(vertex->mutable_completed(), start + 90);
    stream += trace_line(done);
  }
  stream += R"({"id":"moby.image.id","aux":{"ID":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}})";
  stream += "\n";
  return stream;
}

// Feeds the body in 16 KiB chunks, as libcurl delivers it, and fills a record.
void collect(benchmark::State& state, const std::string& body) {
  if (body.empty()) {
    state.SkipWithError("recorded stream not found");
    return;
  }
  for (auto _ : state) {
    BuildStreamCollector collector([] { return 0.0; });
    std::string_view rest(body);
    while (!rest.empty()) {
      const auto chunk = rest.substr(0, 16 * 1024);
      if (!collector.feed(chunk).ok()) state.SkipWithError("decode failed");
      rest.remove_prefix(chunk.size());
    }
    if (!collector.finish().ok()) state.SkipWithError("decode failed");
    BuildRecord record;
    collector.fill(record);
    benchmark::DoNotOptimize(record);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(body.size()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}

void BM_CollectRecordedBuildKit(benchmark::State& state) { collect(state, recorded("buildkit_cold.jsonl")); }
BENCHMARK(BM_CollectRecordedBuildKit);

void BM_CollectRecordedClassic(benchmark::State& state) { collect(state, recorded("classic_cold.jsonl")); }
BENCHMARK(BM_CollectRecordedClassic);

void BM_CollectSyntheticBuildKit(benchmark::State& state) {
  collect(state, synthetic_stream(static_cast<int>(state.range(0)), static_cast<int>(state.range(1))));
}
BENCHMARK(BM_CollectSyntheticBuildKit)->Args({100, 40})->Args({1000, 40})->Args({200, 1000})->Unit(benchmark::kMillisecond);

// The JSON-lines layer alone (JSON parse + base64), without the trace merge.
void BM_DecodeLinesOnly(benchmark::State& state) {
  const std::string body = synthetic_stream(1000, 40);
  for (auto _ : state) {
    auto messages = decode_build_stream(body);
    benchmark::DoNotOptimize(messages);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeLinesOnly)->Unit(benchmark::kMillisecond);

}  // namespace
