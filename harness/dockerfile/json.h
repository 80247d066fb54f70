#pragma once
// The Dockerfile model as JSON, for `buildbench dockerfile parse --json` and
// for debugging: every instruction with its positions, flags, mounts,
// heredocs and items; every stage with its name.
#include <nlohmann/json.hpp>

#include "dockerfile/model.h"

namespace buildbench::dockerfile {

nlohmann::json to_json(const Instruction& instruction);
nlohmann::json to_json(const Dockerfile& model);

}  // namespace buildbench::dockerfile
