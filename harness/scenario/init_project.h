#pragma once
// `buildbench init DIR`: a first scenario for a user's own repository. It
// looks at the repository as a build would (Dockerfiles, their stages, base
// images and ARGs, .dockerignore, go.mod and its go directive), maps base
// images to the offline stand-ins where it can, keeps the build kinds that
// apply (each one it leaves out is a comment saying why) and writes JSON with
// comments that `buildbench validate` accepts, or says what stands in the way.
#include <filesystem>
#include <string>
#include <vector>

#include "scenario/preflight.h"
#include "util/result.h"

namespace buildbench::scenario {

struct InitOptions {
  std::filesystem::path repository;  // the project's root directory
  // Where the scenario will be written: its paths are relative to this
  // file's directory (the current directory's when writing to stdout).
  std::filesystem::path scenario_file;
  PreflightEnvironment environment;  // as validate and run will see it
};

struct InitResult {
  std::string text;                 // the scenario file
  std::vector<std::string> notes;   // what init could not map or left out, one sentence each
  std::vector<Problem> problems;    // what validate will still refuse (empty: it validates)
};

util::Result<InitResult> init_scenario(const InitOptions& options);

}  // namespace buildbench::scenario
