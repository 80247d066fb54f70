#pragma once
// SARIF 2.1.0 (OASIS) for code-scanning views: one run of the tool
// "buildbench advise", its rules (BB001...) with help text, and one result
// per finding with its location and its fix as a SARIF `fix` (whole-line
// replacements). Validated against the 2.1.0 schema in the tests.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "advise/dockerfile_view.h"
#include "advise/findings.h"

namespace buildbench::advise {

struct SarifInput {
  std::string dockerfile_uri;       // as the repository names it ("fixtures/dockerfiles/slow.Dockerfile")
  std::string dockerignore_uri;     // where a new .dockerignore would go (".dockerignore" beside the context)
  std::string tool_version;         // harness version
};

nlohmann::ordered_json to_sarif(const DockerfileView& dockerfile, const std::vector<Finding>& findings,
                                const SarifInput& input);

}  // namespace buildbench::advise
