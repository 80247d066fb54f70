// The cache model against hand-checked cases and against real traces: the
// seed run (reports/seed/toy/results.jsonl, Docker 20.10, the toy dependency world) recorded every step's
// cached flag for seven Dockerfiles and six build kinds.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>

#include "advise/cache_model.h"
#include "advise/verify.h"
#include "advise/view.h"
#include "runner/results.h"
#include "support/test_support.h"

using namespace buildbench;
using namespace buildbench::advise;

namespace {

DockerfileView parse(const std::string& text) {
  auto view = read_dockerfile_text(text, "Dockerfile");
  REQUIRE(view);
  return *view;
}

std::map<std::string, Outcome> outcomes(const Prediction& p) {
  std::map<std::string, Outcome> out;
  for (const auto& s : p.steps) out[s.trace_name()] = s.outcome;
  return out;
}

std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(BUILDBENCH_SOURCE_DIR) / "fixtures" / "dockerfiles" / name;
}

}  // namespace

TEST_CASE("advise: a source edit re-runs COPY . . and what follows, not the module download", "[advise]") {
  auto df = read_dockerfile(fixture("fast.Dockerfile"));
  REQUIRE(df);
  auto ctx = context_from_list({"go.mod", "go.sum", "cmd/server/main.go"}, "");
  REQUIRE(ctx);
  auto p = predict(*df, *ctx, {ChangeKind::SourceEdit, {"cmd/server/main.go"}, "", "", 0});
  auto o = outcomes(p);
  CHECK(o["[2/6] WORKDIR /src"] == Outcome::Cached);
  CHECK(o["[3/6] COPY go.mod go.sum ./"] == Outcome::Cached);
  CHECK(o["[4/6] RUN go mod download"] == Outcome::Cached);
  CHECK(o["[5/6] COPY . ."] == Outcome::Rerun);
  CHECK(o["[6/6] RUN go build -o /bin/server ./cmd/server"] == Outcome::Rerun);
  const auto* copy = p.find("[5/6]");
  REQUIRE(copy);
  CHECK(copy->reason.find("cmd/server/main.go") != std::string::npos);

  auto manifest = predict(*df, *ctx, {ChangeKind::ManifestEdit, {"go.mod", "go.sum"}, "", "", 0});
  CHECK(outcomes(manifest)["[3/6] COPY go.mod go.sum ./"] == Outcome::Rerun);
  CHECK(outcomes(manifest)["[4/6] RUN go mod download"] == Outcome::Rerun);
}

TEST_CASE("advise: ignored files, mtimes and undeclared build-args change nothing", "[advise]") {
  auto df = read_dockerfile(fixture("fast.Dockerfile"));
  REQUIRE(df);
  auto ctx = context_from_list({"go.mod", "docs/a.md", "x.go"}, "docs/\n");
  REQUIRE(ctx);
  for (const Change& change : {Change{ChangeKind::IgnoredEdit, {"docs/a.md"}, "", "", 0},
                               Change{ChangeKind::None, {}, "", "", 0},
                               Change{ChangeKind::BuildArg, {}, "NOT_DECLARED", "", 0}}) {
    auto p = predict(*df, *ctx, change);
    CHECK(p.count(Outcome::Rerun) == 0);
  }
}

TEST_CASE("advise: an ARG's new value re-runs RUN steps after it, not COPY", "[advise]") {
  auto df = parse("FROM alpine:3.21\nRUN echo a\nARG V=1\nCOPY a.txt /a\nRUN cat /a\nWORKDIR /w\nRUN echo done\n");
  auto ctx = context_from_list({"a.txt"}, "");
  REQUIRE(ctx);
  auto p = predict(df, *ctx, {ChangeKind::BuildArg, {}, "V", "", 0});
  auto o = outcomes(p);
  CHECK(o["[2/6] RUN echo a"] == Outcome::Cached);
  CHECK(o["[3/6] COPY a.txt /a"] == Outcome::Cached);
  CHECK(o["[4/6] RUN cat /a"] == Outcome::Rerun);
  CHECK(o["[5/6] WORKDIR /w"] == Outcome::Rerun);
  CHECK(p.find("[4/6]")->reason.find("ARG V") != std::string::npos);
}

TEST_CASE("advise: FROM-children inherit the parent's ARGs, unused stages are not built", "[advise]") {
  auto df = parse(
      "FROM alpine:3.21 AS base\nRUN echo a\nARG V=1\nFROM base AS child\nRUN echo child\n"
      "FROM alpine:3.21 AS unused\nRUN echo u\nFROM child\nRUN echo final\n");
  auto ctx = context_from_list({}, "");
  REQUIRE(ctx);
  auto p = predict(df, *ctx, {ChangeKind::BuildArg, {}, "V", "", 0});
  auto o = outcomes(p);
  CHECK(o["[base 2/2] RUN echo a"] == Outcome::Cached);
  CHECK(o["[child 1/1] RUN echo child"] == Outcome::Rerun);
  CHECK(o["[stage-3 1/1] RUN echo final"] == Outcome::Rerun);
  CHECK(o.count("[unused 2/2] RUN echo u") == 0);
  CHECK_FALSE(p.stages[2].needed);
}

TEST_CASE("advise: COPY --from a re-run stage is content-dependent", "[advise]") {
  auto df = parse(
      "FROM alpine:3.21 AS gen\nCOPY a.txt /a\nRUN cat /a > /out\nFROM alpine:3.21\nCOPY --from=gen /out /out\nRUN cat /out\n");
  auto ctx = context_from_list({"a.txt"}, "");
  REQUIRE(ctx);
  auto o = outcomes(predict(df, *ctx, {ChangeKind::SourceEdit, {"a.txt"}, "", "", 0}));
  CHECK(o["[gen 3/3] RUN cat /a > /out"] == Outcome::Rerun);
  CHECK(o["[stage-1 2/3] COPY --from=gen /out /out"] == Outcome::ContentDependent);
  CHECK(o["[stage-1 3/3] RUN cat /out"] == Outcome::ContentDependent);
}

TEST_CASE("advise: a base-image change and a Dockerfile line edit", "[advise]") {
  auto df = read_dockerfile(fixture("production.Dockerfile"));
  REQUIRE(df);
  auto ctx = context_from_list({"go.mod"}, "");
  REQUIRE(ctx);
  auto base = predict(*df, *ctx, {ChangeKind::BaseImage, {}, "", "alpine:3.21", 0});
  auto o = outcomes(base);
  CHECK(o["[build 4/6] RUN --mount=type=cache,target=/go/pkg/mod go mod download"] == Outcome::Cached);
  CHECK(o["[stage-1 2/3] RUN addgroup -S app && adduser -S app -G app"] == Outcome::Rerun);
  auto line = predict(*df, *ctx, {ChangeKind::DockerfileLine, {}, "", "", 4});  // WORKDIR /src
  CHECK(outcomes(line)["[build 2/6] WORKDIR /src"] == Outcome::Rerun);
  CHECK(line.count(Outcome::Rerun) >= 5);
}

TEST_CASE("advise: a --no-cache cold build leaves WORKDIR to the cache's history", "[advise]") {
  auto df = parse("FROM alpine:3.21\nWORKDIR /src\nCOPY . .\n");
  auto ctx = context_from_list({"a"}, "");
  REQUIRE(ctx);
  Change cold{ChangeKind::Cold, {}, "", "", 0};
  CHECK(outcomes(predict(df, *ctx, cold))["[2/3] WORKDIR /src"] == Outcome::Rerun);
  cold.no_cache = true;
  auto o = outcomes(predict(df, *ctx, cold));
  CHECK(o["[2/3] WORKDIR /src"] == Outcome::NotModelled);
  CHECK(o["[3/3] COPY . ."] == Outcome::Rerun);
}

TEST_CASE("advise: instructions the model does not know are named, never cached", "[advise]") {
  auto df = parse("FROM alpine:3.21\nADD https://example.invalid/x.tgz /x\nRUN echo a\n");
  auto ctx = context_from_list({}, "");
  REQUIRE(ctx);
  auto o = outcomes(predict(df, *ctx, {ChangeKind::None, {}, "", "", 0}));
  CHECK(o["[2/3] ADD https://example.invalid/x.tgz /x"] == Outcome::NotModelled);
  CHECK(o["[3/3] RUN echo a"] == Outcome::NotModelled);
}

TEST_CASE("advise: parse errors name file, line and column", "[advise]") {
  auto bad = read_dockerfile_text("FROM alpine\nRUN --mount=type=cahce,target=/x true\n", "bad.Dockerfile");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.rfind("bad.Dockerfile:2:", 0) == 0);
}

// The seed run: Docker 20.10, six build kinds, seven Dockerfiles, every
// step's cached flag from the trace. The predictions must match all of them.
TEST_CASE("advise: predictions agree with every recorded trace of the seed run", "[advise]") {
  const auto root = std::filesystem::path(BUILDBENCH_SOURCE_DIR);
  auto results = runner::read_results(root / "reports" / "seed" / "toy" / "results.jsonl");
  REQUIRE(results);
  const auto engine = EngineRules::for_engine(results->header.environment.value("engine_version", ""));
  Agreement total;
  for (const auto& variant : results->header.variants) {
    const auto dockerfile = root / "scenarios" / variant["dockerfile"].get<std::string>();
    auto df = read_dockerfile(dockerfile);
    REQUIRE(df);
    std::string ignore;
    if (variant["dockerignore"].is_string())
      ignore = test::read_file(root / "scenarios" / variant["dockerignore"].get<std::string>());
    auto ctx = context_from_list({}, ignore);
    REQUIRE(ctx);
    for (const auto& sample : results->samples) {
      if (sample.variant != variant["name"] || sample.warmup || !sample.record.ok) continue;
      // The seed fixture's roles: a leaf package file and a Markdown document.
      Change change = change_for_kind(sample.kind, "internal/pkg007/file00.go", "docs/guide-00.md");
      change.no_cache = change.kind == ChangeKind::Cold && sample.cold_method != "prune";
      PredictOptions options;
      options.engine = engine;
      std::vector<ObservedStep> observed;
      for (const auto& step : sample.record.steps)
        if (step.index > 0) observed.push_back({step.stage, step.index, step.cached, step.name});
      total.add(compare(predict(*df, *ctx, change, options), observed));
    }
  }
  std::set<std::string> distinct(total.disagreements.begin(), total.disagreements.end());
  std::string shown;
  for (const auto& d : distinct) shown += "\n  " + d;
  INFO("disagreements: " << total.disagreements.size() << shown);
  CHECK(total.compared > 1000);
  CHECK(total.agreed == total.compared);
  WARN("seed run: " << total.agreed << "/" << total.compared << " steps agree, " << total.content_dependent
                    << " content-dependent not counted");
}
