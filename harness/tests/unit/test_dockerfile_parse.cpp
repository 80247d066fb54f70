#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "dockerfile/parse.h"
#include "support/test_support.h"

using namespace buildbench::dockerfile;

namespace {

Dockerfile parsed(const std::string& text) {
  auto result = parse(text, "Dockerfile");
  INFO(text);
  if (!result) FAIL(result.error().message);
  return std::move(result).value();
}

std::string error_of(const std::string& text) {
  auto result = parse(text, "Dockerfile");
  INFO(text);
  REQUIRE_FALSE(result);
  return result.error().message;
}

std::vector<std::string> keywords(const Stage& stage) {
  std::vector<std::string> out;
  for (const auto& ins : stage.instructions) out.emplace_back(keyword_name(ins.keyword));
  return out;
}

}  // namespace

TEST_CASE("a Go service: builder stage to distroless, cache mounts, TARGETOS/TARGETARCH", "[dockerfile][parse]") {
  const std::string text =
      "# syntax=docker/dockerfile:1.7\n"                                    // 1
      "ARG GO_VERSION=1.24\n"                                               // 2
      "FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS builder\n"  // 3
      "RUN apk add --no-cache git ca-certificates\n"                        // 4
      "WORKDIR /src\n"                                                      // 5
      "COPY go.mod go.sum ./\n"                                             // 6
      "RUN --mount=type=cache,target=/go/pkg/mod \\\n"                      // 7
      "    go mod download\n"                                               // 8
      "COPY . .\n"                                                          // 9
      "ARG TARGETOS TARGETARCH\n"                                           // 10
      "RUN --mount=type=cache,target=/go/pkg/mod \\\n"                      // 11
      "    --mount=type=cache,target=/root/.cache/go-build,id=gobuild,sharing=locked \\\n"  // 12
      "    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app\n"  // 13
      "\n"                                                                  // 14
      "FROM gcr.io/distroless/static-debian12:nonroot\n"                    // 15
      "COPY --from=builder --chown=nonroot:nonroot /out/app /app\n"         // 16
      "USER nonroot:nonroot\n"                                              // 17
      "ENTRYPOINT [\"/app\"]\n";                                            // 18
  Dockerfile model = parsed(text);

  REQUIRE(model.directives.size() == 1);
  CHECK(model.directives[0].name == "syntax");
  CHECK(model.directives[0].value == "docker/dockerfile:1.7");
  REQUIRE(model.global_args.size() == 1);
  CHECK(model.global_args[0].pairs[0].key.text == "GO_VERSION");
  CHECK(model.global_args[0].pairs[0].value->text == "1.24");

  REQUIRE(model.stages.size() == 2);
  const Stage& builder = model.stages[0];
  CHECK(builder.name == "builder");
  CHECK(keywords(builder) ==
        std::vector<std::string>{"FROM", "RUN", "WORKDIR", "COPY", "RUN", "COPY", "ARG", "RUN"});
  CHECK(builder.from().flag_value("platform") == "$BUILDPLATFORM");
  CHECK(builder.from().from_image()->text == "golang:${GO_VERSION}-alpine");
  CHECK(builder.from().from_image()->at == Position{3, 32});
  CHECK(builder.from().from_stage_name()->text == "builder");

  const Instruction& download = builder.instructions[4];
  CHECK(download.lines.first == 7);
  CHECK(download.lines.last == 8);
  REQUIRE(download.mounts.size() == 1);
  CHECK(download.mounts[0].type == MountType::Cache);
  CHECK(download.mounts[0].target == "/go/pkg/mod");
  CHECK(download.mounts[0].sharing == "shared");
  CHECK(download.form == Form::Shell);
  CHECK(download.args[0].text == "go mod download");

  const Instruction& build = builder.instructions[7];
  REQUIRE(build.mounts.size() == 2);
  CHECK(build.mounts[1].target == "/root/.cache/go-build");
  CHECK(build.mounts[1].id == "gobuild");
  CHECK(build.mounts[1].sharing == "locked");
  CHECK(build.mounts[1].at == Position{12, 5});
  CHECK(build.lines.first == 11);
  CHECK(build.lines.last == 13);
  // The command starts on line 13 after the flags on lines 11 and 12.
  CHECK(build.rest.at == Position{13, 5});

  const Instruction& targets = builder.instructions[6];
  REQUIRE(targets.pairs.size() == 2);
  CHECK(targets.pairs[0].key.text == "TARGETOS");
  CHECK_FALSE(targets.pairs[0].value);
  CHECK(targets.pairs[1].key.at == Position{10, 14});

  const Stage& runtime = model.stages[1];
  CHECK(runtime.name.empty());
  CHECK(runtime.display_name() == "stage-1");
  const Instruction& copy = runtime.instructions[1];
  CHECK(copy.flag_value("from") == "builder");
  CHECK(copy.flag_value("chown") == "nonroot:nonroot");
  REQUIRE(copy.sources().size() == 1);
  CHECK(copy.sources()[0].text == "/out/app");
  CHECK(copy.destination()->text == "/app");
  CHECK(copy.destination()->at == Position{16, 54});
  CHECK(runtime.instructions[3].form == Form::Json);
  CHECK(runtime.instructions[3].args[0].text == "/app");
}

TEST_CASE("escape=` reads a Windows-style file: backtick continues lines, backslash is a path", "[dockerfile][parse]") {
  const std::string text =
      "# escape=`\n"
      "\n"
      "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
      "SHELL [\"powershell\", \"-Command\"]\n"
      "RUN New-Item -ItemType Directory C:\\app ; `\n"
      "    Set-Location C:\\app\n"
      "COPY app.exe C:\\app\\\n"
      "WORKDIR C:\\app\n"
      "ENV GOPATH=C:\\go PATH=\"C:\\go\\bin;C:\\Windows\"\n";
  Dockerfile model = parsed(text);
  CHECK(model.escape == '`');
  const Stage& stage = model.stages.at(0);
  REQUIRE(stage.instructions.size() == 6);
  CHECK(stage.instructions[1].keyword == Keyword::Shell);
  CHECK(stage.instructions[2].args[0].text == "New-Item -ItemType Directory C:\\app ;     Set-Location C:\\app");
  CHECK(stage.instructions[2].lines.last == 6);
  // A trailing backslash is not a continuation with escape=`.
  CHECK(stage.instructions[3].destination()->text == "C:\\app\\");
  CHECK(stage.instructions[4].args[0].text == "C:\\app");
  REQUIRE(stage.instructions[5].pairs.size() == 2);
  CHECK(stage.instructions[5].pairs[1].value->text == "\"C:\\go\\bin;C:\\Windows\"");
}

TEST_CASE("continuation lines: comments and empty lines inside, escaped escapes, positions", "[dockerfile][parse]") {
  const std::string text =
      "FROM alpine:3.21\n"
      "RUN apk add \\\n"
      "# a comment inside the continuation is dropped\n"
      "      curl \\\n"
      "\n"
      "      git\n"
      "RUN echo a\\\\\n"
      "RUN echo b \\  \n"
      "  c\n";
  Dockerfile model = parsed(text);
  const auto& ins = model.stages[0].instructions;
  REQUIRE(ins.size() == 4);
  CHECK(ins[1].args[0].text == "apk add       curl       git");
  CHECK(ins[1].lines.first == 2);
  CHECK(ins[1].lines.last == 6);
  REQUIRE(model.warnings.size() == 1);
  CHECK(model.warnings[0].kind == WarningKind::EmptyContinuationLine);
  CHECK(model.warnings[0].at.line == 2);
  // An escaped escape at the end does not continue.
  CHECK(ins[2].args[0].text == "echo a\\\\");
  CHECK(ins[2].lines.last == 7);
  CHECK(ins[3].args[0].text == "echo b   c");
}

TEST_CASE("heredocs: RUN and COPY, <<- chomping, quoted names, several on one line", "[dockerfile][parse]") {
  const std::string text =
      "FROM golang:1.24-alpine\n"   // 1
      "RUN <<EOF\n"                 // 2
      "set -e\n"                    // 3
      "go mod download\n"           // 4
      "EOF\n"                       // 5
      "COPY <<-'EOT' /etc/app.conf\n"  // 6
      "\tname=$APP\n"               // 7
      "\tEOT\n"                     // 8
      "RUN cat <<A > /a && cat 3<<\"B\" > /b\n"  // 9
      "first\n"                     // 10
      "A\n"                         // 11
      "second\n"                    // 12
      "B\n"                         // 13
      "RUN [\"echo\", \"<<NOTHEREDOC\"]\n"  // 14
      "CMD [\"/bin/app\"]\n";       // 15
  Dockerfile model = parsed(text);
  const auto& ins = model.stages[0].instructions;
  REQUIRE(ins.size() == 6);

  REQUIRE(ins[1].heredocs.size() == 1);
  const Heredoc& script = ins[1].heredocs[0];
  CHECK(script.name == "EOF");
  CHECK(script.expand);
  CHECK_FALSE(script.chomp);
  CHECK(script.content == "set -e\ngo mod download\n");
  CHECK(script.body.first == 3);
  CHECK(script.body.last == 4);
  CHECK(script.terminator_line == 5);
  CHECK(ins[1].lines.first == 2);
  CHECK(ins[1].lines.last == 5);

  REQUIRE(ins[2].heredocs.size() == 1);
  const Heredoc& config = ins[2].heredocs[0];
  CHECK(config.name == "EOT");
  CHECK_FALSE(config.expand);
  CHECK(config.chomp);
  CHECK(config.effective_content() == "name=$APP\n");
  CHECK(ins[2].heredoc_for(ins[2].sources()[0].text) == &ins[2].heredocs[0]);
  CHECK(ins[2].destination()->text == "/etc/app.conf");

  REQUIRE(ins[3].heredocs.size() == 2);
  CHECK(ins[3].heredocs[0].name == "A");
  CHECK(ins[3].heredocs[0].content == "first\n");
  CHECK(ins[3].heredocs[1].name == "B");
  CHECK(ins[3].heredocs[1].file_descriptor == 3);
  CHECK_FALSE(ins[3].heredocs[1].expand);
  CHECK(ins[3].lines.last == 13);

  CHECK(ins[4].form == Form::Json);
  CHECK(ins[4].heredocs.empty());
  CHECK(ins[5].lines.first == 15);
}

TEST_CASE("heredocs can be switched off for frontends that predate them", "[dockerfile][parse]") {
  ParseOptions old_frontend;
  old_frontend.heredocs = false;
  auto model = parse("FROM alpine\nRUN <<EOF\nEOF\n", "Dockerfile", old_frontend);
  REQUIRE(model);
  // Without heredocs, "EOF" is an instruction the model does not know.
  REQUIRE(model->stages[0].instructions.size() == 3);
  CHECK(model->stages[0].instructions[2].keyword == Keyword::Unknown);
  CHECK(model->warnings.at(0).kind == WarningKind::UnknownInstruction);
}

TEST_CASE("shell and JSON forms", "[dockerfile][parse]") {
  Dockerfile model = parsed(
      "FROM alpine\n"
      "CMD [\"/bin/server\", \"--port\", \"8080\"]\n"
      "ENTRYPOINT [not json\n"
      "RUN [ \"sh\", \"-c\", \"echo \\\"hi\\\"\" ]\n"
      "COPY [\"a b\", \"/dst dir/\"]\n"
      "VOLUME /data /cache\n"
      "HEALTHCHECK --interval=5s --retries=3 CMD [\"/bin/check\"]\n"
      "HEALTHCHECK NONE\n"
      "EXPOSE 8080/tcp 9090\n");
  const auto& ins = model.stages[0].instructions;
  CHECK(ins[1].form == Form::Json);
  CHECK(ins[1].args.size() == 3);
  CHECK(ins[2].form == Form::Shell);
  CHECK(ins[2].args[0].text == "[not json");
  CHECK(ins[3].form == Form::Json);
  CHECK(ins[3].args[2].text == "echo \"hi\"");
  CHECK(ins[4].form == Form::Json);
  CHECK(ins[4].sources()[0].text == "a b");
  CHECK(ins[4].destination()->text == "/dst dir/");
  CHECK(ins[5].args.size() == 2);
  CHECK(ins[6].flag_value("interval") == "5s");
  CHECK(ins[6].form == Form::Json);
  CHECK(ins[6].args[1].text == "/bin/check");
  CHECK(ins[7].args[0].text == "NONE");
  CHECK(ins[8].args.size() == 2);
}

TEST_CASE("ENV, ARG and LABEL items", "[dockerfile][parse]") {
  Dockerfile model = parsed(
      "ARG BASE=alpine:3.21 VARIANT\n"
      "FROM $BASE\n"
      "ENV GOFLAGS -mod=vendor -trimpath\n"
      "ENV CGO_ENABLED=0 GOPATH=\"/go path\" EMPTY=\n"
      "LABEL org.opencontainers.image.title=\"my app\" version=1\n"
      "ARG name='single quoted' other=\"a b\"\n");
  REQUIRE(model.global_args[0].pairs.size() == 2);
  CHECK_FALSE(model.global_args[0].pairs[1].value);
  const auto& ins = model.stages[0].instructions;
  REQUIRE(ins[1].pairs.size() == 1);
  CHECK(ins[1].pairs[0].legacy);
  CHECK(ins[1].pairs[0].key.text == "GOFLAGS");
  CHECK(ins[1].pairs[0].value->text == "-mod=vendor -trimpath");
  REQUIRE(ins[2].pairs.size() == 3);
  CHECK(ins[2].pairs[1].value->text == "\"/go path\"");
  CHECK(ins[2].pairs[1].value->at == Position{4, 26});
  CHECK(ins[2].pairs[2].value->text.empty());
  CHECK(ins[3].pairs[0].key.text == "org.opencontainers.image.title");
  REQUIRE(ins[4].pairs.size() == 2);
  CHECK(ins[4].pairs[0].value->text == "'single quoted'");
}

TEST_CASE("flags: COPY --link/--chmod/--exclude/--parents, RUN mounts of every type, --network", "[dockerfile][parse]") {
  Dockerfile model = parsed(
      "FROM alpine\n"
      "COPY --link --chmod=0755 --exclude=*.md --exclude=docs/ --parents ./cmd/ /src/\n"
      "COPY --link=false a /a\n"
      "ADD --checksum=sha256:abc --keep-git-dir=true https://example.invalid/x.tar /x\n"
      "RUN --network=none --security=insecure \\\n"
      "    --mount=type=bind,from=builder,source=/out,target=/in,rw \\\n"
      "    --mount=type=secret,id=npmrc,target=/root/.npmrc,required \\\n"
      "    --mount=type=ssh \\\n"
      "    --mount=type=tmpfs,target=/tmp,size=64m \\\n"
      "    --mount=target=/ctx \\\n"
      "    --mount='type=cache,\"target=/a,b\",id=x' \\\n"
      "    true\n");
  const auto& ins = model.stages[0].instructions;
  CHECK(ins[1].flag_enabled("link"));
  CHECK(ins[1].flag_value("chmod") == "0755");
  CHECK(ins[1].flags_named("exclude").size() == 2);
  CHECK(ins[1].flag_enabled("parents"));
  CHECK_FALSE(ins[2].flag_enabled("link"));
  CHECK(ins[3].flag_value("checksum") == "sha256:abc");

  const Instruction& run = ins[4];
  CHECK(run.flag_value("network") == "none");
  CHECK(run.flag_value("security") == "insecure");
  REQUIRE(run.mounts.size() == 6);
  CHECK(run.mounts[0].type == MountType::Bind);
  CHECK(run.mounts[0].from == "builder");
  CHECK(run.mounts[0].source == "/out");
  CHECK_FALSE(run.mounts[0].readonly);
  CHECK(run.mounts[1].type == MountType::Secret);
  CHECK(run.mounts[1].id == "npmrc");
  CHECK(run.mounts[1].option("required") == "");
  CHECK(run.mounts[2].type == MountType::Ssh);
  CHECK(run.mounts[3].type == MountType::Tmpfs);
  CHECK(run.mounts[3].option("size") == "64m");
  CHECK(run.mounts[4].type == MountType::Bind);
  CHECK(run.mounts[4].type_name == "bind");
  CHECK(run.mounts[4].readonly);  // bind mounts are read-only by default
  CHECK(run.mounts[5].type == MountType::Cache);
  CHECK(run.mounts[5].target == "/a,b");
  CHECK(run.mounts[5].id == "x");
  CHECK(run.args[0].text == "true");
}

TEST_CASE("ONBUILD wraps a parsed instruction; unknown instructions are kept and flagged", "[dockerfile][parse]") {
  Dockerfile model = parsed(
      "FROM golang:1.24\n"
      "ONBUILD COPY --chown=app . /src\n"
      "ONBUILD RUN <<EOF\n"
      "go build ./...\n"
      "EOF\n"
      "FLOOP something here\n"
      "copy a b\n");
  const auto& ins = model.stages[0].instructions;
  REQUIRE(ins.size() == 5);
  REQUIRE(ins[1].trigger);
  CHECK(ins[1].trigger->keyword == Keyword::Copy);
  CHECK(ins[1].trigger->flag_value("chown") == "app");
  CHECK(ins[1].trigger->at == Position{2, 9});
  REQUIRE(ins[2].trigger);
  REQUIRE(ins[2].trigger->heredocs.size() == 1);
  CHECK(ins[2].trigger->heredocs[0].content == "go build ./...\n");
  CHECK(ins[3].keyword == Keyword::Unknown);
  CHECK(ins[3].name == "FLOOP");
  CHECK(ins[3].args[0].text == "something here");
  REQUIRE(model.warnings.size() == 1);
  CHECK(model.warnings[0].at == Position{6, 1});
  CHECK(ins[4].keyword == Keyword::Copy);
  CHECK(ins[4].name == "copy");
}

TEST_CASE("comments above an instruction, BOM, CRLF and leading whitespace", "[dockerfile][parse]") {
  Dockerfile model = parsed(
      "\xEF\xBB\xBF# build stage\r\n"
      "FROM alpine AS Build\r\n"
      "   # indented comment\r\n"
      "   RUN echo hi\r\n");
  CHECK(model.directives.empty());
  CHECK(model.stages[0].name == "build");
  CHECK(model.stages[0].from().from_stage_name()->text == "Build");
  CHECK(model.stages[0].from().comments == std::vector<std::string>{"build stage"});
  const Instruction& run = model.stages[0].instructions[1];
  CHECK(run.comments == std::vector<std::string>{"indented comment"});
  CHECK(run.at == Position{4, 4});
  CHECK(run.args[0].text == "echo hi");
}

TEST_CASE("directives: only at the top, unknown ones end them, check= is kept", "[dockerfile][parse]") {
  Dockerfile model = parsed("# check=skip=JSONArgsRecommended;error=true\n#syntax = x/y\n# escape=\\\nFROM scratch\n");
  REQUIRE(model.directives.size() == 3);
  CHECK(model.directive("check")->value == "skip=JSONArgsRecommended;error=true");
  CHECK(model.directive("SYNTAX")->value == "x/y");
  CHECK(model.directive("escape")->at == Position{3, 1});

  Dockerfile late = parsed("# foo=bar\n# escape=`\nFROM scratch\nRUN a `\n  b\n");
  CHECK(late.directives.empty());
  CHECK(late.escape == '\\');
  REQUIRE(late.stages[0].instructions.size() == 3);
}

TEST_CASE("errors name file:line:column and what was expected", "[dockerfile][parse][errors]") {
  CHECK(error_of("FROM alpine AS\n") == "Dockerfile:1:1: FROM requires either one or three arguments (FROM image [AS name]), got 2");
  CHECK(error_of("FROM alpine AS 1st\n") ==
        "Dockerfile:1:16: invalid name for build stage: \"1st\", name can't start with a number or contain symbols");
  CHECK(error_of("FROM a AS x\nFROM b AS X\n").rfind("Dockerfile:2:11: duplicate stage name \"X\"", 0) == 0);
  CHECK(error_of("RUN echo\nFROM a\n").rfind("Dockerfile:1:1: RUN before the first FROM", 0) == 0);
  CHECK(error_of("ARG A\n").rfind("Dockerfile:1:1: no FROM instruction", 0) == 0);
  CHECK(error_of("# only a comment\n\n") == "Dockerfile:2: file with no instructions");
  CHECK(error_of("# escape=x\nFROM a\n") == "Dockerfile:1:1: invalid escape token 'x' does not match ` or \\");
  CHECK(error_of("# syntax=a\n# syntax=b\nFROM a\n") == "Dockerfile:2:1: only one syntax parser directive can be used");
  CHECK(error_of("FROM a\nRUN <<EOF\necho\n").rfind("Dockerfile:2:1: unterminated heredoc <<EOF", 0) == 0);
  CHECK(error_of("FROM a\n  COPY --form=build a b\n").rfind("Dockerfile:2:8: unknown flag --form for COPY (expected --from", 0) == 0);
  CHECK(error_of("FROM a\nRUN --mount=type=cahce,target=/x go build\n") ==
        "Dockerfile:2:5: RUN --mount: unknown mount type \"cahce\" (expected bind, cache, secret, ssh or tmpfs)");
  CHECK(error_of("FROM a\nRUN --mount=type=cache go build\n") ==
        "Dockerfile:2:5: RUN --mount type=cache needs a target (target=/path)");
  CHECK(error_of("FROM a\nRUN --mount=type=cache,target=/x,sharing=everyone true\n")
            .rfind("Dockerfile:2:5: RUN --mount: unsupported sharing value", 0) == 0);
  CHECK(error_of("FROM a\nRUN --network true\n") == "Dockerfile:2:5: RUN --network needs a value (--network=...)");
  CHECK(error_of("FROM a\nCOPY --link=maybe a b\n") == "Dockerfile:2:6: COPY --link expects true or false, not \"maybe\"");
  CHECK(error_of("FROM a\nCOPY --from=x --from=y a b\n") == "Dockerfile:2:15: COPY --from is given twice");
  CHECK(error_of("FROM a\nCOPY onlyone\n").rfind("Dockerfile:2:1: COPY requires at least two arguments", 0) == 0);
  CHECK(error_of("FROM a\nENV A=1 B\n") ==
        "Dockerfile:2:9: syntax error - can't find = in \"B\". Must be of the form: name=value");
  CHECK(error_of("FROM a\nENV ONLYKEY\n").rfind("Dockerfile:2:1: ENV must have two arguments", 0) == 0);
  CHECK(error_of("FROM a\nARG =x\n") == "Dockerfile:2:5: ARG names can not be blank");
  CHECK(error_of("FROM a\nWORKDIR\n") == "Dockerfile:2:1: WORKDIR requires exactly one argument");
  CHECK(error_of("FROM a\nSHELL /bin/bash -c\n").rfind("Dockerfile:2:1: SHELL requires the arguments to be in JSON form", 0) == 0);
  CHECK(error_of("FROM a\nCMD [\"a\", 1]\n") ==
        "Dockerfile:2:5: when using JSON array syntax, arrays must be comprised of strings only");
  CHECK(error_of("FROM a\nONBUILD ONBUILD RUN x\n").rfind("Dockerfile:2:9: chaining ONBUILD", 0) == 0);
  CHECK(error_of("FROM a\nONBUILD FROM b\n") == "Dockerfile:2:9: FROM isn't allowed as an ONBUILD trigger");
  CHECK(error_of("FROM a\nHEALTHCHECK EXEC x\n") == "Dockerfile:2:13: unknown type \"EXEC\" in HEALTHCHECK (try CMD)");
  // A continuation line keeps the positions of its own line.
  CHECK(error_of("FROM a\nRUN --network=host \\\n    --mount=type=nope,target=/x true\n")
            .rfind("Dockerfile:3:5: RUN --mount: unknown mount type", 0) == 0);
}

TEST_CASE("parse_file names the file in messages", "[dockerfile][parse]") {
  auto missing = parse_file("/nonexistent/Dockerfile");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "/nonexistent/Dockerfile: cannot read the Dockerfile");
}

TEST_CASE("every Dockerfile in fixtures/dockerfiles parses into the expected stages", "[dockerfile][parse][fixtures]") {
  const std::filesystem::path dir = std::filesystem::path(BUILDBENCH_SOURCE_DIR) / "fixtures" / "dockerfiles";
  // file → stage names (display names) and instruction counts per stage.
  const std::map<std::string, std::vector<std::pair<std::string, size_t>>> expected{
      {"cache-mounts.Dockerfile", {{"stage-0", 7}}},
      {"cachebust.Dockerfile", {{"stage-0", 8}}},
      {"fast.Dockerfile", {{"stage-0", 7}}},
      {"slow.Dockerfile", {{"stage-0", 5}}},
      {"parallel-stages.Dockerfile", {{"base", 5}, {"build-api", 2}, {"build-worker", 2}, {"stage-3", 4}}},
      {"sequential-stages.Dockerfile", {{"base", 5}, {"build", 2}, {"stage-2", 4}}},
      {"production.Dockerfile", {{"build", 6}, {"stage-1", 5}}},
  };
  size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".Dockerfile") continue;
    ++seen;
    const std::string name = entry.path().filename().string();
    INFO(name);
    auto model = parse_file(entry.path());
    REQUIRE(model);
    CHECK(model->warnings.empty());
    auto wanted = expected.find(name);
    REQUIRE(wanted != expected.end());  // a new fixture needs its expectation here
    REQUIRE(model->stages.size() == wanted->second.size());
    for (size_t i = 0; i < model->stages.size(); ++i) {
      CHECK(model->stages[i].display_name() == wanted->second[i].first);
      CHECK(model->stages[i].instructions.size() == wanted->second[i].second);
    }
  }
  CHECK(seen == expected.size());

  auto production = parse_file(dir / "production.Dockerfile");
  REQUIRE(production);
  const Instruction& build = production->stages[0].instructions[5];
  CHECK(build.keyword == Keyword::Run);
  REQUIRE(build.mounts.size() == 2);
  CHECK(build.mounts[1].target == "/root/.cache/go-build");
  CHECK(production->stages[1].instructions[2].flag_value("from") == "build");
  CHECK(production->stages[1].instructions[4].form == Form::Json);
}
