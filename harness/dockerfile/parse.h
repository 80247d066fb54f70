#pragma once
// Parsing a Dockerfile into the model of model.h, following the rules of
// BuildKit's Dockerfile frontend (frontend/dockerfile/parser and
// instructions): parser directives, line continuations with the escape
// character, comment and empty lines inside continuations, heredocs, shell
// and JSON forms, flags, ARG/ENV/LABEL items, stages and ONBUILD.
//
// Usage:
//   util::Result<Dockerfile> parsed = dockerfile::parse(text, "path/Dockerfile");
//   util::Result<Dockerfile> from_disk = dockerfile::parse_file(path);
// A failure's message reads like a compiler's:
//   "path/Dockerfile:7:12: RUN --mount: unknown mount type \"cahce\" (expected bind, cache, secret, ssh or tmpfs)"
#include <filesystem>
#include <string>
#include <string_view>

#include "dockerfile/model.h"
#include "util/result.h"

namespace buildbench::dockerfile {

struct ParseOptions {
  // BuildKit reads heredocs since Dockerfile frontend 1.4 (BuildKit 0.10);
  // Docker 20.10's built-in frontend (BuildKit 0.8) does not: with false,
  // `<<EOF` is plain text, as there.
  bool heredocs = true;
};

util::Result<Dockerfile> parse(std::string_view text, std::string file = "Dockerfile", ParseOptions options = {});
util::Result<Dockerfile> parse_file(const std::filesystem::path& path, ParseOptions options = {});

}  // namespace buildbench::dockerfile
