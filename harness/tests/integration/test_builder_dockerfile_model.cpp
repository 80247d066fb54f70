// The Dockerfile model against BuildKit itself: the stages the model says a
// target needs are the stages the daemon builds (an unneeded stage gets no
// vertex), their names match the trace's `[name i/N]`, each stage runs as
// many steps as the model counts, and an ARG the model expands in FROM
// names the base image BuildKit used.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "builder/run_build.h"
#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "dockerfile/parse.h"
#include "dockerfile/stages.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench;

TEST_CASE("stages, names and step counts of the model agree with BuildKit's trace", "[integration][dockerfile]") {
  test::require_daemon();
  docker::EngineClient client(*docker::Endpoint::from_environment());
  const std::string image = test::ensure_busybox_image(client);
  util::TempDir dir("buildbench-model-");
  const std::string token = test::unique_token();
  const std::string text =
      "ARG BASE=no-such-image\n"
      "FROM ${BASE} AS Base\n"
      "WORKDIR /work\n"
      "COPY a.txt ./\n"
      "FROM base AS unused\n"
      "RUN echo never\n"
      "FROM base AS tool\n"
      "ARG TOKEN\n"
      "RUN cp a.txt tool.txt && echo $TOKEN >> tool.txt\n"
      "FROM scratch\n"
      "COPY --from=tool /work/tool.txt /tool.txt\n"
      "COPY --from=0 /work/a.txt /a.txt\n";
  test::write_file(dir.path() / "Dockerfile", text);
  test::write_file(dir.path() / "a.txt", token + "\n");

  auto model = dockerfile::parse(text);
  REQUIRE(model);
  dockerfile::BuildOptions options;
  options.build_args = {{"BASE", image}, {"TOKEN", token}};
  auto target = dockerfile::target_stage(*model, "");
  REQUIRE(target);
  const std::vector<bool> needed = dockerfile::reachable_stages(*model, *target, options);
  CHECK(needed == std::vector<bool>{true, false, true, true});
  CHECK(dockerfile::resolve_base(*model, 0, options).image == image);

  // Steps the model expects per stage name: FROM an image, RUN, COPY, ADD, WORKDIR.
  std::map<std::string, int> expected;
  for (const auto& stage : model->stages) {
    if (!needed[static_cast<size_t>(stage.index)]) continue;
    int steps = 0;
    for (const auto& ins : stage.instructions) {
      if (ins.keyword == dockerfile::Keyword::From) {
        steps += dockerfile::resolve_base(*model, stage.index, options).kind == dockerfile::StageRef::Kind::Image;
      } else if (dockerfile::makes_build_step(ins.keyword)) {
        ++steps;
      }
    }
    expected[stage.display_name()] = steps;
  }

  builder::BuildRequest request;
  request.context_dir = dir.path();
  request.build_args = options.build_args;
  request.no_cache = true;
  auto record = builder::run_build(client, request);
  REQUIRE(record);
  INFO(record->error);
  REQUIRE(record->ok);

  std::map<std::string, std::set<int>> seen;
  for (const auto& step : record->steps) {
    if (step.index > 0 && step.stage != "internal") seen[step.stage].insert(step.index);
  }
  std::map<std::string, int> observed;
  for (const auto& [stage, indexes] : seen) observed[stage] = static_cast<int>(indexes.size());
  CAPTURE(text);
  for (const auto& step : record->steps) UNSCOPED_INFO(step.name);
  CHECK(observed == expected);
}
