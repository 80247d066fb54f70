#pragma once
// A scenario file says what to build and how to measure it (docs/scenarios.md):
// the fixture, the base-image mapping, the Dockerfile variants, the build
// kinds of a round, repetitions, ordering and sweeps. load_scenario() turns
// the file into a Scenario with every default filled in, or into the full
// list of problems, each with the JSON pointer of the value at fault.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixture/params.h"
#include "scenario/claims.h"
#include "scenario/problem.h"

namespace buildbench::scenario {

// The "schema" a file declares; files with a newer one are refused.
inline constexpr int kScenarioSchemaVersion = 1;

enum class Builder { BuildKit, Classic };
// How the context reaches the daemon: a BuildKit session (file sync, only
// what the build reads) or a tar body on the POST /build request.
enum class ContextTransfer { Session, Tar };
enum class RoundOrder { Interleaved, Grouped };

// A secret a variant's RUN --mount=type=secret reads: a file (relative to
// the scenario file, resolved) or an environment variable read at build time.
struct SecretSpec {
  std::optional<std::string> file_as_written;
  std::optional<std::filesystem::path> file;
  std::optional<std::string> env;
};

struct Variant {
  std::string name;
  std::string dockerfile_as_written;               // relative to the scenario file
  std::filesystem::path dockerfile;                // resolved (absolute, normalized)
  std::optional<std::string> dockerignore_as_written;
  std::optional<std::filesystem::path> dockerignore;  // resolved; nullopt = no .dockerignore
  std::map<std::string, std::string> build_args;
  std::string target;                              // "" = the last stage
  Builder builder = Builder::BuildKit;
  ContextTransfer context_transfer = ContextTransfer::Session;
  std::map<std::string, SecretSpec> secrets;       // id -> source; needs the session transfer
  bool baseline = false;
};

// The state a sample starts from and the change made before it (DESIGN.md §4).
enum class KindType {
  Cold,               // no layer cache, empty cache mounts
  Warm,               // nothing changed since the last build
  CodeChange,         // one Go source edit (where: leaf, shared or main package)
  DependencyAdd,      // go.mod gains a module requirement
  DependencyBump,     // a required module moves to a newer version
  Touch,              // mtime of a Go file changes, content does not
  IgnoredFileChange,  // an edit of a file .dockerignore usually drops (docs)
  NonGoChange,        // an edit of a non-Go file the image copies (assets)
  Cachebust,          // a build argument gets a new value
  Custom,             // a mutation spelled out in the scenario
};

enum class CodeChangeWhere { Leaf, Shared, Main };

struct CustomMutation {
  enum class Action { Append, Write };
  std::string name;
  Action action = Action::Append;
  std::string file;  // relative to the fixture root
  std::string text;  // the line to append (a newline is added) or the whole new content
};

struct BuildKind {
  KindType type = KindType::Warm;
  CodeChangeWhere where = CodeChangeWhere::Leaf;  // CodeChange only
  std::string build_arg = "CACHEBUST";            // Cachebust only
  CustomMutation custom;                          // Custom only

  // The name results and reports use; unique within a scenario:
  // "cold", "code-change" (leaf), "code-change:shared", "cachebust",
  // "cachebust:SEED" (another argument), "custom:NAME".
  std::string label() const;
  // Whether the build starts from the state of the previous build with a
  // change made to the fixture or build arguments (everything but cold/warm).
  bool is_mutation() const { return type != KindType::Cold && type != KindType::Warm; }
};

std::string_view kind_name(KindType type);  // "code-change", ...
std::string_view where_name(CodeChangeWhere where);
std::string_view builder_name(Builder builder);
std::string_view transfer_name(ContextTransfer transfer);
std::string_view order_name(RoundOrder order);

struct FixtureSource {
  enum class Kind { Generate, Path };
  Kind kind = Kind::Generate;
  fixture::FixtureParams params;        // Generate (the first series' parameters with a sweep)
  std::string path_as_written;          // Path
  std::filesystem::path path;           // Path, resolved
  // Path: which files a code change edits in a project that is not Go
  // ("src/**/*.py", .dockerignore syntax); "" = Go source files.
  std::string code_glob;
};

struct ProxySettings {
  double latency_ms = 0.0;      // added before every module proxy response
  double bandwidth_mbps = 0.0;  // megabits per second; 0 = unlimited
  // "network": a named profile (fixture::network_profiles()) that set the
  // two numbers above; "" when "proxy" gave them (or neither was given).
  std::string profile;
};

struct Sweep {
  std::string parameter;               // a FixtureParams key
  std::vector<nlohmann::json> values;  // one series per value
};

// One fixture the variants are measured on: the scenario's fixture, or one
// value of the sweep.
struct Series {
  std::string label;                 // "" without a sweep, else "packages=48"
  nlohmann::json value;              // the sweep value (null without a sweep)
  fixture::FixtureParams params;     // meaningful for generated fixtures
};

// `"repetitions": {"min": 3, "max": 15, "until": "decided"}`: after each
// round the runner stops sampling the cells whose claims (or comparisons
// with the baseline) are decided, and goes on with the others up to max
// (docs/adaptive-repetitions.md). `"until": {"ci_width": 0.05}` stops a cell
// once its median's 95% CI is at most that wide relative to the median.
struct AdaptiveRepetitions {
  enum class Until { Decided, CiWidth };
  int min = 3;
  int max = 15;
  Until until = Until::Decided;
  double ci_width = 0.05;  // CiWidth only: relative width, > 0
  double alpha = 0.05;     // the error rate over all looks (Decided)
};

std::string_view until_name(AdaptiveRepetitions::Until until);  // "decided", "ci_width"

struct Scenario {
  std::filesystem::path file;        // as given to load_scenario
  std::filesystem::path directory;   // relative paths resolve against it
  std::string scenario_hash;         // SHA-256 (hex) of the file's bytes
  int schema = kScenarioSchemaVersion;
  std::string name;
  std::string title;                 // default: name
  std::string description;
  FixtureSource fixture;
  std::map<std::string, std::string> base_images;  // Dockerfile base name -> local image
  std::vector<Variant> variants;     // at least one
  size_t baseline = 0;               // index into variants
  // In round order: cold (if listed), warm (if listed), then the others as listed.
  std::vector<BuildKind> build_kinds;
  int repetitions = 5;               // fixed count; with `adaptive` its max
  std::optional<AdaptiveRepetitions> adaptive;  // nullopt: a plain integer
  int warmups = 1;
  RoundOrder order = RoundOrder::Interleaved;
  bool randomize = true;
  uint64_t seed = 1;
  std::string network_mode = "host";
  // `"engines": ["20.10", "28.5"]`: the Docker engines (engine/catalog.h
  // names) whose managed daemons build the plan, rounds of every engine
  // interleaved in one randomized order. Empty: the one daemon of the run
  // (DOCKER_HOST, or `run --engine`). Names are checked against the catalog
  // and the installed engines by preflight, which the runner feeds.
  std::vector<std::string> engines;
  ProxySettings proxy;
  std::optional<Sweep> sweep;
  std::vector<Series> series;        // at least one
  std::vector<Claim> claims;         // the post's claims and their checks; may be empty
  // `"cells": "all"`: build every variant x kind, for the report's
  // comparison tables and figures; "claims" (the default) builds only the
  // cells the claims read when there are claims (scenario/cells.h).
  bool all_cells = false;

  const Variant& baseline_variant() const { return variants[baseline]; }
};

// "FILE: /pointer: message" (or "FILE: message" without a pointer).
std::string format_problem(const std::filesystem::path& file, const Problem& problem);

struct LoadOutcome {
  std::optional<Scenario> scenario;  // set exactly when problems is empty
  std::vector<Problem> problems;     // in file order, as far as one pass finds them
  bool ok() const { return scenario.has_value(); }
  // Every problem, one format_problem() line each, joined with '\n'.
  std::string report(const std::filesystem::path& file) const;
};

// Reads and validates a scenario file. Paths inside it resolve against the
// file's directory; Dockerfiles, .dockerignore files and fixture paths must
// exist. Never throws; any bytes give problems, never a crash.
LoadOutcome load_scenario(const std::filesystem::path& file);
// The same for bytes already read (`file` names them and anchors relative paths).
LoadOutcome parse_scenario(std::string_view text, const std::filesystem::path& file);

// The resolved, canonical form: every key, every default, fixed key order.
nlohmann::ordered_json to_json(const Scenario& scenario);

// The FixtureParams keys a sweep may name ("packages", "dep_modules", ...).
std::vector<std::string> sweepable_parameters();

}  // namespace buildbench::scenario
