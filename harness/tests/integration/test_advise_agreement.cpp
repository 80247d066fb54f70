// The cache model against the daemon DOCKER_HOST names: every Dockerfile in
// fixtures/dockerfiles (made to build in seconds: base images become a
// busybox image, `go build` and `go mod download` become `cat` of the same
// files) plus generated variants (ARG scoping, FROM-children, unused and
// copied-from stages, bind mounts, sub-directory COPY, .dockerignore) is
// built once, then rebuilt after each change kind; each rebuild's trace is
// compared with the prediction step by step. Prints the agreement; requires
// 100% of the steps the model makes a definite prediction for. Run it once
// per engine (DOCKER_HOST=... ctest -R advise).
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <regex>

#include "advise/cache_model.h"
#include "advise/view.h"
#include "builder/run_build.h"
#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench;
using namespace buildbench::advise;

namespace {

// The post's Dockerfiles, made to build without Go: same structure, same
// sources read by the same steps.
std::string without_go(std::string text, const std::string& go_image, const std::string& runtime_image) {
  text = std::regex_replace(text, std::regex("golang:1\\.24-alpine"), go_image);
  text = std::regex_replace(text, std::regex("alpine:3\\.21"), runtime_image);
  text = std::regex_replace(text, std::regex("go build[^&\\n]*-o (\\S+) (\\./cmd/\\S+)"), "cat $2/*.go ./internal/*/*.go > $1");
  text = std::regex_replace(text, std::regex("go mod download"), "cat go.mod go.sum > /tmp/modules");
  text = std::regex_replace(text, std::regex("addgroup -S app && adduser -S app -G app"),
                            "mkdir -p /etc && echo app:x:100:100::/:/bin/sh >> /etc/passwd && echo app:x:100: >> /etc/group");
  return text;
}

struct Variant {
  std::string name;
  std::string dockerfile;
  std::string dockerignore;  // "" = none
};

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  test::write_file(path, text);
}

void append(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::app);
  out << text;
}

std::vector<ObservedStep> observed(const docker::BuildRecord& record) {
  std::vector<ObservedStep> out;
  for (const auto& s : record.steps)
    if (s.index > 0) out.push_back({s.stage, s.index, s.cached, s.name});
  return out;
}

}  // namespace

TEST_CASE("advise: predictions agree with the trace for every change kind", "[integration][advise]") {
  test::require_daemon();
  docker::EngineClient client(*docker::Endpoint::from_environment());
  const std::string busybox = test::ensure_busybox_image(client);
  auto version = client.version();
  REQUIRE(version);
  const std::string engine_version = version->value("Version", "");
  PredictOptions options;
  options.engine = EngineRules::for_engine(engine_version);

  // Own base names, so that "the base image changed" can be made by tagging.
  const std::string token = test::unique_token();
  const std::string repo = "advise-it-" + token;
  REQUIRE(client.tag_image(busybox, repo, "go"));
  REQUIRE(client.tag_image(busybox, repo, "rt"));
  // A second base: busybox plus one layer.
  util::TempDir other_ctx("advise-it-base-");
  write(other_ctx.path() / "Dockerfile", "FROM " + busybox + "\nRUN echo " + token + " > /other\n");
  builder::BuildRequest other;
  other.context_dir = other_ctx.path();
  other.tags = {repo + ":other"};
  auto other_built = builder::run_build(client, other);
  REQUIRE(other_built);
  REQUIRE(other_built->ok);

  const std::string go_image = repo + ":go", rt_image = repo + ":rt";
  std::vector<Variant> variants;
  const auto fixtures = std::filesystem::path(BUILDBENCH_SOURCE_DIR) / "fixtures";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures / "dockerfiles")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files)
    variants.push_back({file.stem().string(), without_go(test::read_file(file), go_image, rt_image), ""});
  variants.push_back({"fast+dockerignore", without_go(test::read_file(fixtures / "dockerfiles" / "fast.Dockerfile"), go_image, rt_image),
                      test::read_file(fixtures / "dockerignore" / "post.dockerignore")});
  // Generated: ARG scoping and FROM-children, an unused stage, a copied-from
  // stage, WORKDIR after an ARG, ENV from an ARG.
  variants.push_back({"args-and-stages",
                      "FROM " + go_image + " AS base\nWORKDIR /src\nCOPY go.mod ./\nARG CACHEBUST=1\nENV FROM_ARG=${CACHEBUST}\n"
                      "FROM base AS child\nRUN cat go.mod > /mod\nCOPY internal/ ./internal/\nRUN cat internal/*/*.go > /lib\n"
                      "FROM " + rt_image + " AS unused\nRUN echo never\n"
                      "FROM " + rt_image + "\nWORKDIR /app\nCOPY --from=child /mod /mod\nCOPY --from=child /lib /lib\nRUN cat /lib > /dev/null\n",
                      ""});
  // Generated: a bind mount of a sub-directory, a file COPY, a wildcard COPY.
  variants.push_back({"mounts-and-selections",
                      "FROM " + go_image + "\nWORKDIR /w\nCOPY *.mod ./\nRUN --mount=type=bind,source=internal,target=/m cat /m/leaf/leaf.go > /leaf\n"
                      "COPY cmd/ ./cmd/\nARG UNUSED_ARG\nRUN --mount=type=cache,target=/cache ls /cache > /dev/null\nCOPY docs/guide.md /guide.md\n",
                      ""});

  Agreement total;
  const auto started = std::chrono::steady_clock::now();
  for (const auto& variant : variants) {
    util::TempDir dir("advise-it-");
    const auto ctx = dir.path() / "ctx";
    const auto dockerfile = dir.path() / "Dockerfile";
    write(ctx / "go.mod", "module example.test/app\n// " + token + variant.name + "\n");
    write(ctx / "go.sum", "");
    // Every file the "binaries" are made of is unique to this run and
    // variant: a COPY --from of identical bytes built by an earlier variant
    // on the same base would hit the cache (content-addressed), which is
    // BuildKit being right, not the change under test.
    const std::string unique = "// " + token + " " + variant.name + "\n";
    for (const char* main : {"cmd/server/main.go", "cmd/api/main.go", "cmd/worker/main.go"})
      write(ctx / main, "package main\nfunc main() {}\n" + unique);
    write(ctx / "internal/leaf/leaf.go", "package leaf\n" + unique);
    write(ctx / "internal/core/core.go", "package core\n" + unique);
    write(ctx / "docs/guide.md", "# guide\n");
    write(ctx / "README.md", "# app\n");
    if (!variant.dockerignore.empty()) write(ctx / ".dockerignore", variant.dockerignore);
    write(dockerfile, variant.dockerfile);
    auto df = read_dockerfile(dockerfile);
    REQUIRE(df);
    auto scan = scan_context(ctx);
    REQUIRE(scan);

    builder::BuildRequest request;
    request.context_dir = ctx;
    request.dockerfile = dockerfile;
    int bust = 0;
    auto build = [&]() {
      request.build_args["CACHEBUST"] = std::to_string(bust);
      auto record = builder::run_build(client, request);
      REQUIRE(record);
      INFO(variant.name << ": " << record->error);
      REQUIRE(record->ok);
      return *record;
    };
    build();  // the starting state

    // The last RUN line: edited for the "one Dockerfile line" change.
    int last_run = 0;
    for (const auto& stage : df->stages)
      for (const auto& ins : stage.instructions)
        if (ins.keyword == "RUN" && ins.line == ins.end_line) last_run = ins.line;

    struct Step {
      Change change;
      std::function<void()> apply;
    };
    const std::vector<Step> steps = {
        {{ChangeKind::None, {}, "", "", 0}, [] {}},
        {{ChangeKind::SourceEdit, {"internal/leaf/leaf.go"}, "", "", 0}, [&] { append(ctx / "internal/leaf/leaf.go", "// edit\n"); }},
        {{ChangeKind::ManifestEdit, {"go.mod", "go.sum"}, "", "", 0}, [&] { append(ctx / "go.mod", "// dep\n"); }},
        {{ChangeKind::IgnoredEdit, {"docs/guide.md"}, "", "", 0}, [&] { append(ctx / "docs/guide.md", "more\n"); }},
        {{ChangeKind::BuildArg, {}, "CACHEBUST", "", 0}, [&] { ++bust; }},
        {{ChangeKind::BaseImage, {}, "", rt_image, 0}, [&] { REQUIRE(client.tag_image(repo + ":other", repo, "rt")); }},
        {{ChangeKind::DockerfileLine, {}, "", "", last_run}, [&] {
           auto lines = df->lines;
           lines[static_cast<size_t>(last_run - 1)] += " && true";
           std::string text;
           for (const auto& l : lines) text += l + "\n";
           write(dockerfile, text);
         }},
    };
    Agreement agreement;
    for (const auto& step : steps) {
      if (step.change.kind == ChangeKind::DockerfileLine && last_run == 0) continue;
      step.apply();
      const auto record = build();
      agreement.add(compare(predict(*df, *scan, step.change, options), observed(record)));
    }
    // Put the runtime base back for the next variant.
    REQUIRE(client.tag_image(busybox, repo, "rt"));
    std::cout << "advise agreement on docker " << engine_version << ": " << variant.name << ": " << agreement.agreed << "/"
              << agreement.compared << " steps (" << agreement.content_dependent << " content-dependent not counted)\n";
    for (const auto& d : agreement.disagreements) std::cout << "  disagrees: " << d << "\n";
    total.add(agreement);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "advise agreement on docker " << engine_version << ": " << total.agreed << "/" << total.compared
            << " steps = " << 100.0 * total.ratio() << "% over " << variants.size() << " Dockerfiles x 7 change kinds ("
            << seconds << " s)\n";
  for (const char* tag : {":go", ":rt", ":other"}) (void)client.remove_image(repo + tag);
  CHECK(total.compared > 200);
  CHECK(total.disagreements.empty());
  CHECK(total.agreed == total.compared);
}
