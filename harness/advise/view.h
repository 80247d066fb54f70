#pragma once
// Reading a Dockerfile for advise: the shared model (dockerfile/) parses it,
// and view_of() flattens the model into the DockerfileView the cache model
// and the findings read. Parse errors keep the model's "file:line:column:
// what was expected" message.
#include <filesystem>
#include <string>
#include <string_view>

#include "advise/dockerfile_view.h"
#include "dockerfile/model.h"
#include "util/result.h"

namespace buildbench::advise {

DockerfileView view_of(const dockerfile::Dockerfile& model, std::string_view text);

// parse + view_of; `path` names the file in messages.
util::Result<DockerfileView> read_dockerfile_text(std::string_view text, const std::string& path);
util::Result<DockerfileView> read_dockerfile(const std::filesystem::path& path);

}  // namespace buildbench::advise
