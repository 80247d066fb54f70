#pragma once
// Repositories shaped like real ones, for `buildbench init` and path-fixture
// tests: a multi-stage Go service with a `# syntax=` line, a .dockerignore,
// no go.sum and an ARG; a single-stage Go tool with a hard-coded GOPROXY ARG
// and no .dockerignore; a Python project on a busybox image.
#include <filesystem>
#include <string>
#include <vector>

namespace buildbench::test {

enum class RepoShape { GoMultiStage, GoSingleStage, PythonBusybox };

// Writes the repository into `dir` (created); `token` goes into the sources
// so that no two test runs share a build cache entry.
void write_repo(RepoShape shape, const std::filesystem::path& dir, const std::string& token);
std::string shape_name(RepoShape shape);
std::vector<RepoShape> all_repo_shapes();

}  // namespace buildbench::test
