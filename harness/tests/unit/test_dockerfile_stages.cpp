#include <catch2/catch.hpp>

#include "dockerfile/parse.h"
#include "dockerfile/stages.h"

using namespace buildbench::dockerfile;

namespace {

Dockerfile parsed(const std::string& text) {
  auto result = parse(text, "Dockerfile");
  INFO(text);
  if (!result) FAIL(result.error().message);
  return std::move(result).value();
}

std::string expand_at(const Dockerfile& model, int stage, size_t instruction, const Word& word,
                      const BuildOptions& options) {
  Scope scope = Scope::before(model, stage, instruction, options);
  auto value = scope.expand(word);
  if (!value) FAIL(value.error().message);
  return *value;
}

}  // namespace

TEST_CASE("stage references: names case-insensitively, indexes, images, scratch", "[dockerfile][stages]") {
  Dockerfile model = parsed(
      "FROM golang:1.24 AS Build\n"
      "RUN go build -o /app\n"
      "FROM build AS test\n"
      "RUN go test ./...\n"
      "FROM scratch\n"
      "COPY --from=BUILD /app /app\n"
      "COPY --from=0 /etc/ssl /etc/ssl\n"
      "COPY --from=busybox:1.36 /bin/sh /bin/sh\n");
  BuildOptions options;
  CHECK(find_stage(model, "build") == 0);
  CHECK(find_stage(model, "TEST") == 1);
  CHECK(find_stage(model, "2") == 2);
  CHECK_FALSE(find_stage(model, "3"));
  CHECK_FALSE(find_stage(model, "test", 1));

  CHECK(resolve_base(model, 0, options).kind == StageRef::Kind::Image);
  CHECK(resolve_base(model, 0, options).image == "golang:1.24");
  CHECK(resolve_base(model, 1, options).kind == StageRef::Kind::Stage);
  CHECK(resolve_base(model, 1, options).stage == 0);
  CHECK(resolve_base(model, 2, options).kind == StageRef::Kind::Scratch);
  CHECK(resolve_from(model, 2, "busybox:1.36").kind == StageRef::Kind::Image);
  CHECK(resolve_from(model, 2, "").kind == StageRef::Kind::Context);

  CHECK(stage_dependencies(model, 2, options) == std::vector<int>{0});
  CHECK(stage_dependencies(model, 1, options) == std::vector<int>{0});

  // The default target is the last stage; the test stage is not built.
  auto target = target_stage(model, "");
  REQUIRE(target);
  CHECK(*target == 2);
  CHECK(reachable_stages(model, *target, options) == std::vector<bool>{true, false, true});
  CHECK(reachable_stages(model, 1, options) == std::vector<bool>{true, true, false});
  auto missing = target_stage(model, "lint");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "Dockerfile: target stage \"lint\" could not be found (stages: build, test)");
}

TEST_CASE("RUN --mount from= and expanded COPY --from make dependencies", "[dockerfile][stages]") {
  Dockerfile model = parsed(
      "ARG VARIANT=alpine\n"
      "FROM golang:1.24-${VARIANT} AS deps\n"
      "FROM deps AS unused\n"
      "FROM alpine AS tools\n"
      "FROM alpine\n"
      "ARG SRC=tools\n"
      "RUN --mount=type=bind,from=deps,source=/go,target=/go true\n"
      "COPY --from=${SRC} /x /x\n");
  BuildOptions options;
  CHECK(resolve_base(model, 0, options).image == "golang:1.24-alpine");
  options.build_args["VARIANT"] = "bookworm";
  CHECK(resolve_base(model, 0, options).image == "golang:1.24-bookworm");
  CHECK(stage_dependencies(model, 3, options) == std::vector<int>{0, 2});
  CHECK(reachable_stages(model, 3, options) == std::vector<bool>{true, false, true, true});
  options.build_args["SRC"] = "unused";
  CHECK(reachable_stages(model, 3, options) == std::vector<bool>{true, true, false, true});
}

TEST_CASE("ARG and ENV scope: globals need redeclaring, ENV wins, build-args override defaults", "[dockerfile][stages]") {
  Dockerfile model = parsed(
      "ARG GO_VERSION=1.24\n"
      "ARG BASE\n"
      "FROM golang:${GO_VERSION}\n"                      // stage 0, [0]
      "RUN echo $GO_VERSION\n"                           // [1]: not visible yet
      "ARG GO_VERSION\n"                                 // [2]
      "WORKDIR /src/$GO_VERSION\n"                       // [3]
      "ARG MODE=debug\n"                                 // [4]
      "ENV MODE=release PATH=/go/bin:$PATH\n"            // [5]
      "COPY app-$MODE.conf /etc/${MODE:-none}.conf\n"    // [6]
      "ARG TARGETARCH\n"                                 // [7]
      "ARG OUT=/out/$TARGETARCH\n"                       // [8]
      "WORKDIR $OUT\n");                                 // [9]
  BuildOptions options;
  const auto& ins = model.stages[0].instructions;

  Scope global = Scope::global(model, options);
  CHECK(global.lookup("GO_VERSION") == "1.24");
  CHECK_FALSE(global.lookup("BASE"));
  CHECK(global.lookup("TARGETOS") == "linux");

  CHECK(expand_at(model, 0, 3, ins[3].args[0], options) == "/src/1.24");
  Scope before_redeclare = Scope::before(model, 0, 2, options);
  CHECK_FALSE(before_redeclare.lookup("GO_VERSION"));

  CHECK(expand_at(model, 0, 6, ins[6].args[1], options) == "/etc/release.conf");
  Scope at_copy = Scope::before(model, 0, 6, options);
  CHECK(at_copy.lookup("PATH") == "/go/bin:");
  // What a RUN would get: the ARGs with values, in order, and the ENVs.
  REQUIRE(at_copy.args().size() == 2);
  CHECK(at_copy.args()[0] == std::make_pair(std::string("GO_VERSION"), std::string("1.24")));
  CHECK(at_copy.args()[1] == std::make_pair(std::string("MODE"), std::string("debug")));
  CHECK(at_copy.env().size() == 2);

  options.target_platform = "linux/arm64/v8";
  CHECK(expand_at(model, 0, 9, ins[9].args[0], options) == "/out/arm64");
  options.build_args["GO_VERSION"] = "1.23";
  options.build_args["OUT"] = "/custom";
  CHECK(expand_at(model, 0, 3, ins[3].args[0], options) == "/src/1.23");
  CHECK(expand_at(model, 0, 9, ins[9].args[0], options) == "/custom");
}

TEST_CASE("a FROM <stage> child starts with its parent's ENV, and ARGs on newer BuildKit", "[dockerfile][stages]") {
  Dockerfile model = parsed(
      "FROM alpine AS base\n"
      "ARG VERSION=1\n"
      "ENV APP=/srv/app\n"
      "FROM base AS child\n"
      "WORKDIR $APP/$VERSION\n");
  BuildOptions options;
  const Word& dir = model.stages[1].instructions[1].args[0];
  CHECK(expand_at(model, 1, 1, dir, options) == "/srv/app/1");
  options.child_inherits_parent_args = false;
  CHECK(expand_at(model, 1, 1, dir, options) == "/srv/app/");
}

TEST_CASE("expansion errors carry the word's position", "[dockerfile][stages]") {
  Dockerfile model = parsed("FROM alpine\nWORKDIR ${DIR:?set DIR}\n");
  BuildOptions options;
  Scope scope = Scope::before(model, 0, 1, options);
  auto value = scope.expand(model.stages[0].instructions[1].args[0]);
  REQUIRE_FALSE(value);
  CHECK(value.error().message.rfind("Dockerfile:2:9: ", 0) == 0);
  CHECK(value.error().message.find("DIR: set DIR") != std::string::npos);
}

TEST_CASE("a FROM cycle does not hang the scope", "[dockerfile][stages]") {
  Dockerfile model = parsed("FROM b AS a\nFROM a AS b\nENV X=1\n");
  BuildOptions options;
  Scope scope = Scope::at_stage_start(model, 0, options);
  CHECK(scope.lookup("X") == "1");
  CHECK(reachable_stages(model, 1, options) == std::vector<bool>{true, true});
}
