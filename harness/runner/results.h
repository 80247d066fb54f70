#pragma once
// The results file: JSON Lines, `results.jsonl`, appended and flushed one
// record at a time so a crash or kill loses at most the build in flight.
//
//   line 1   {"type":"header","schema_version":1, ...run metadata...}
//   then     {"type":"sample", ...one timed build (or warm-up)...}
//   last     {"type":"footer", ...} when the run ended normally or by Ctrl-C
//
// Readers accept a truncated last line (a crash mid-write) with a warning.
// Schema changes that break readers bump kResultsSchemaVersion; readers
// refuse versions newer than theirs and older than kOldestReadableSchema.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker/build_record.h"
#include "stats/sequential_design.h"
#include "util/result.h"

namespace buildbench::runner {

inline constexpr int kResultsSchemaVersion = 1;
inline constexpr int kOldestReadableSchema = 1;

// Run metadata. `environment` is EngineFacts::to_json() plus host facts;
// kept as JSON so reports show whatever a newer harness recorded.
struct ResultsHeader {
  int schema_version = kResultsSchemaVersion;
  std::string harness_version;
  std::string harness_commit;
  std::string scenario_name;
  std::string scenario_title;
  std::string scenario_file;
  std::string scenario_hash;          // SHA-256 of the scenario file's bytes
  nlohmann::json fixture_params;      // FixtureParams JSON (or {"path": ...} for a directory fixture)
  std::string fixture_hash;           // tree hash of the pristine fixture
  nlohmann::json environment;         // engine, API, BuildKit, storage driver, kernel, CPU... (the first engine's)
  // With a scenario's "engines": one EngineFacts::to_json() (plus "engine":
  // the catalog name) per engine, in the scenario's order; [] otherwise.
  nlohmann::json engines = nlohmann::json::array();
  nlohmann::json base_images;         // [{"name","image","id"}]
  nlohmann::json proxy;               // {"latency_ms","bandwidth_mbps"}
  nlohmann::json variants;            // [{"name","dockerfile","dockerignore","builder","transfer",...}]
  std::vector<std::string> build_kinds;  // in scenario order
  std::string baseline_variant;       // the variant reports compare the others to
  uint64_t seed = 0;
  std::string cold_method;            // "prune" or "scoped"
  std::string daemon_mode;            // "managed" or "env"
  std::string shard = "1/1";
  size_t plan_size = 0;               // samples in this shard's plan, warm-ups included
  std::string started_at;             // ISO 8601 UTC
  // The scenario's claims (scenario::claims_to_json), so a results file is
  // enough to judge them. Optional: null in files written before claims
  // existed (readers treat null like an empty array).
  nlohmann::json claims;
  // Adaptive repetitions (optional, null for a fixed count):
  // {"min","max","until":"decided"|"ci_width","ci_width","alpha","design",
  //  "first_look_n","first_look_alpha","look_alpha","estimated_error","orderings"}.
  // With "decided" the report judges time checks look by look at the
  // recorded levels, as the run decided when to stop (recorded_sequential_design).
  // Files from before "design" used the bonferroni design (stats/sequential_design.h).
  nlohmann::json adaptive = nullptr;
  // The cells the plan builds and what each serves (optional):
  // {"all_cells": bool, "cells": [{"variant","kind","serves":[...]}], "notes": [...]}.
  nlohmann::json cells = nullptr;
  // What the run changed to build offline and other findings of the checks
  // before it (a `# syntax=` line stripped, ...), one sentence each.
  std::vector<std::string> adjustments;
};

struct ProxyCounters {
  uint64_t requests = 0;
  uint64_t bytes = 0;
};

// The engine a sample was built on (issue 18: a scenario may name several,
// interleaved in one run). Empty in files written before engines existed,
// and `name` is "" for a DOCKER_HOST daemon that is none of the catalog's.
struct SampleEngine {
  std::string name;              // catalog name: "20.10", "26.1", "28.5"
  std::string daemon_version;    // /version Version: "28.5.2"
  std::string api_version;       // the API version the client used
  std::string buildkit_version;  // docker::bundled_buildkit_version, "unknown" when not in the table
  bool empty() const { return name.empty() && daemon_version.empty(); }
};

struct Sample {
  size_t plan_index = 0;       // position in the whole (unsharded) plan: the key for --resume
  std::string variant;
  std::string kind;            // "cold", "warm", "code-change", ...
  std::string series;          // sweep value, "" without a sweep
  SampleEngine engine;         // JSON "engine": {"name","daemon_version","api_version","buildkit_version"}
  int repetition = 0;          // 0-based
  bool warmup = false;         // warm-ups are kept apart from samples in reports
  std::string started_at;
  docker::BuildRecord record;
  ProxyCounters proxy;         // served by the module proxy during this build
  int64_t build_cache_bytes = -1;  // /system/df BuildCache total after a cold build (-1: not measured)
  std::string cold_method;     // for cold samples: how the cache was emptied
  std::vector<std::string> warnings;  // sanity warnings ("warm build not fully cached: 3/9 steps cached")
};

struct ResultsFooter {
  std::string finished_at;
  bool interrupted = false;
  size_t samples_written = 0;
  size_t failed_builds = 0;
  // Where the run's time went outside the timed builds (optional):
  // {"run_wall_s", "builds_s", "harness_s", "parts": {"workspace_reset_s",
  // "fixture_mutation_s", "cold_reset_s", "warm_prep_s", "after_build_s",
  // "proxy_start_s", "decisions_s", "results_write_s", "image_removal_s",
  // "other_s", "setup_s", ...}}. harness_s = run_wall_s - builds_s -
  // setup_s (daemon facts, base images) - warm_prep_s (unrecorded builds to
  // reach a warm state); other_s is the part of it no timer covers.
  nlohmann::json harness_time = nullptr;
};

nlohmann::ordered_json to_json(const ResultsHeader& header);
nlohmann::ordered_json to_json(const Sample& sample);
nlohmann::ordered_json to_json(const ResultsFooter& footer);
util::Result<ResultsHeader> header_from_json(const nlohmann::json& json);
util::Result<Sample> sample_from_json(const nlohmann::json& json);
util::Result<docker::BuildRecord> record_from_json(const nlohmann::json& json);

// Appends records to a results file, each flushed (and fsync'ed) before
// append() returns. A full disk is reported, never silently dropped.
class ResultsWriter {
 public:
  // Creates (truncating) `path` and writes the header.
  static util::Result<ResultsWriter> create(const std::filesystem::path& path, const ResultsHeader& header);
  // Opens an existing file to append (for --resume).
  static util::Result<ResultsWriter> append_to(const std::filesystem::path& path);
  ResultsWriter(ResultsWriter&& other) noexcept;
  ResultsWriter& operator=(ResultsWriter&&) = delete;
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;
  ~ResultsWriter();

  util::Status append(const Sample& sample);
  util::Status finish(const ResultsFooter& footer);
  const std::filesystem::path& path() const { return path_; }

 private:
  ResultsWriter(std::filesystem::path path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  util::Status write_line(const std::string& line);
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

struct ResultsFile {
  std::filesystem::path path;
  ResultsHeader header;
  std::vector<Sample> samples;
  std::optional<ResultsFooter> footer;
  std::vector<std::string> warnings;  // e.g. "line 57 is truncated (the run was killed?): ignored"
};

// Reads a whole results file. Fails on a missing/empty file, a missing or
// unreadable header, or a schema version it cannot read; tolerates (with a
// warning) a truncated last line.
util::Result<ResultsFile> read_results(const std::filesystem::path& path);

// The sequential design an adaptive run's header recorded: the levels it
// wrote, or, for files written before designs were named, the bonferroni
// design of its min, max and alpha (which is what those runs used).
stats::SequentialDesign recorded_sequential_design(const nlohmann::json& adaptive);

}  // namespace buildbench::runner
