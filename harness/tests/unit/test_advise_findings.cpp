// Findings and their rewrites on the post's Dockerfiles, and the SARIF
// output checked against the OASIS SARIF 2.1.0 JSON schema.
#include <catch2/catch.hpp>

#include <filesystem>

#include "advise/findings.h"
#include "advise/sarif.h"
#include "advise/view.h"
#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;
using namespace buildbench::advise;

namespace {

std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(BUILDBENCH_SOURCE_DIR) / "fixtures" / "dockerfiles" / name;
}

// The instruction lines of a Dockerfile (comments and blank lines dropped).
std::vector<std::string> instructions(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> rules_of(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.rule);
  return out;
}

}  // namespace

TEST_CASE("advise: the slow Dockerfile gets the post's fast layer order", "[advise]") {
  auto slow = read_dockerfile(fixture("slow.Dockerfile"));
  REQUIRE(slow);
  auto findings = find_issues(*slow, nullptr);
  std::vector<Finding> layer_order;
  for (const auto& f : findings)
    if (f.rule == "BB001") layer_order.push_back(f);
  REQUIRE(layer_order.size() == 1);
  CHECK(layer_order[0].line == 5);
  auto rewrite = apply_fixes(*slow, layer_order);
  CHECK(instructions(rewrite.dockerfile) == instructions(test::read_file(fixture("fast.Dockerfile"))));
  // And the fast one has no layer-order finding left, only cache mounts.
  auto fast = read_dockerfile(fixture("fast.Dockerfile"));
  REQUIRE(fast);
  CHECK(rules_of(find_issues(*fast, nullptr)) == std::vector<std::string>{"BB002", "BB002"});
}

TEST_CASE("advise: cache mounts for Go, and none proposed where they exist", "[advise]") {
  auto fast = read_dockerfile(fixture("fast.Dockerfile"));
  REQUIRE(fast);
  auto rewrite = apply_fixes(*fast, find_issues(*fast, nullptr));
  auto rewritten = read_dockerfile_text(rewrite.dockerfile, "rewritten");
  REQUIRE(rewritten);
  CHECK(rewrite.dockerfile.find("RUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download") != std::string::npos);
  CHECK(rewrite.dockerfile.find("--mount=type=cache,target=/root/.cache/go-build \\\n    go build") != std::string::npos);
  CHECK(find_issues(*rewritten, nullptr).empty());
  auto mounts = read_dockerfile(fixture("cache-mounts.Dockerfile"));
  REQUIRE(mounts);
  CHECK(find_issues(*mounts, nullptr).empty());
}

TEST_CASE("advise: pip, npm and apt caches", "[advise]") {
  auto df = read_dockerfile_text(
      "FROM python:3\nRUN apt-get update && apt-get install -y gcc\nCOPY requirements.txt .\n"
      "RUN pip install -r requirements.txt\nFROM node:20\nCOPY package.json .\nRUN npm ci\n",
      "Dockerfile");
  REQUIRE(df);
  auto findings = find_issues(*df, nullptr);
  CHECK(rules_of(findings) == std::vector<std::string>{"BB002", "BB002", "BB002"});
  auto rewrite = apply_fixes(*df, findings);
  CHECK(rewrite.dockerfile.find("--mount=type=cache,target=/var/cache/apt,sharing=locked") != std::string::npos);
  CHECK(rewrite.dockerfile.find("--mount=type=cache,target=/root/.cache/pip") != std::string::npos);
  CHECK(rewrite.dockerfile.find("--mount=type=cache,target=/root/.npm") != std::string::npos);
  REQUIRE(read_dockerfile_text(rewrite.dockerfile, "rewritten"));
}

TEST_CASE("advise: a large context without .dockerignore, with its measured size", "[advise]") {
  auto df = read_dockerfile(fixture("fast.Dockerfile"));
  REQUIRE(df);
  ContextScan ctx;
  ctx.files = {{".git/objects/pack", 30'000'000, true}, {"README.md", 2'000, true}, {"go.mod", 100, true},
               {"main.go", 1'000, true}};
  ctx.total_bytes = ctx.sent_bytes = 30'003'100;
  std::vector<Finding> findings;
  for (const auto& f : find_issues(*df, &ctx))
    if (f.rule == "BB003") findings.push_back(f);
  REQUIRE(findings.size() == 1);
  CHECK(findings.front().message.find("30.0 MB") != std::string::npos);
  auto rewrite = apply_fixes(*df, {findings.front()});
  REQUIRE(rewrite.dockerignore);
  CHECK(*rewrite.dockerignore == ".git\n*.md\n");
  ctx.has_dockerignore = true;
  for (const auto& f : find_issues(*df, &ctx)) CHECK(f.rule != "BB003");
}

TEST_CASE("advise: steps that do not read the source move above COPY . .", "[advise]") {
  auto df = read_dockerfile_text("FROM alpine\nWORKDIR /src\nCOPY . .\nRUN apk add git\nRUN make\n", "Dockerfile");
  REQUIRE(df);
  auto findings = find_issues(*df, nullptr);
  REQUIRE(rules_of(findings) == std::vector<std::string>{"BB004"});
  CHECK(apply_fixes(*df, findings).dockerfile == "FROM alpine\nWORKDIR /src\nRUN apk add git\nCOPY . .\nRUN make\n");
}

TEST_CASE("advise: an ARG moves down to its first use", "[advise]") {
  auto df = read_dockerfile_text("FROM alpine\nARG VERSION\nRUN apk add git\nCOPY . .\nRUN echo $VERSION > /v\n", "Dockerfile");
  REQUIRE(df);
  auto findings = find_issues(*df, nullptr);
  std::vector<Finding> arg;
  for (const auto& f : findings)
    if (f.rule == "BB005") arg.push_back(f);
  REQUIRE(arg.size() == 1);
  CHECK(apply_fixes(*df, arg).dockerfile == "FROM alpine\nRUN apk add git\nCOPY . .\nARG VERSION\nRUN echo $VERSION > /v\n");
}

TEST_CASE("advise: split compiles on 2 CPUs become one stage, as the seed measured", "[advise]") {
  auto df = read_dockerfile(fixture("parallel-stages.Dockerfile"));
  REQUIRE(df);
  for (const auto& f : find_issues(*df, nullptr, {.cpus = 8})) CHECK(f.rule != "BB006");
  auto findings = find_issues(*df, nullptr, {.cpus = 2});
  std::vector<Finding> split;
  for (const auto& f : findings)
    if (f.rule == "BB006") split.push_back(f);
  REQUIRE(split.size() == 1);
  auto rewrite = apply_fixes(*df, split);
  auto rewritten = read_dockerfile_text(rewrite.dockerfile, "rewritten");
  REQUIRE(rewritten);
  REQUIRE(rewritten->stages.size() == 3);
  CHECK(rewrite.dockerfile.find("RUN go build -o /bin/api ./cmd/api && go build -o /bin/worker ./cmd/worker") !=
        std::string::npos);
  CHECK(rewrite.dockerfile.find("COPY --from=build-api /bin/worker /bin/worker") != std::string::npos);
}

TEST_CASE("advise: SARIF output validates against the SARIF 2.1.0 schema", "[advise][sarif]") {
  const auto python = util::find_program("python3");
  REQUIRE(python);  // scripts/setup.sh installs python3 and python3-jsonschema
  util::TempDir dir;
  for (const auto& name : {"slow.Dockerfile", "fast.Dockerfile", "parallel-stages.Dockerfile", "production.Dockerfile"}) {
    auto df = read_dockerfile(fixture(name));
    REQUIRE(df);
    ContextScan ctx;
    ctx.files = {{".git/pack", 20'000'000, true}, {"go.mod", 10, true}, {"go.sum", 10, true}};
    ctx.total_bytes = ctx.sent_bytes = 20'000'020;
    auto findings = find_issues(*df, &ctx, {.cpus = 2});
    REQUIRE_FALSE(findings.empty());
    auto sarif = to_sarif(*df, findings, {std::string("fixtures/dockerfiles/") + name, ".dockerignore", "0.1.0"});
    CHECK(sarif["version"] == "2.1.0");
    CHECK(sarif["runs"][0]["results"].size() == findings.size());
    const auto file = dir.path() / (std::string(name) + ".sarif");
    test::write_file(file, sarif.dump(2));
    const std::string check =
        "import json, sys\n"
        "import jsonschema\n"
        "schema = json.load(open(sys.argv[1]))\n"
        "jsonschema.Draft4Validator.check_schema(schema)\n"
        "jsonschema.Draft4Validator(schema).validate(json.load(open(sys.argv[2])))\n"
        "print('valid')\n";
    auto out = util::run_process({"/usr/bin/python3", "-c", check,
                                  test::data_path("advise/sarif-schema-2.1.0.json").string(), file.string()});
    REQUIRE(out);
    INFO(out->err);
    CHECK(out->exit_code == 0);
    CHECK(out->out == "valid\n");
  }
}

TEST_CASE("advise: SARIF is rejected by the schema when it breaks it (the check can fail)", "[advise][sarif]") {
  util::TempDir dir;
  const auto file = dir.path() / "broken.sarif";
  test::write_file(file, R"({"version":"2.1.0","runs":[{"tool":{"driver":{}},"results":[]}]})");
  auto out = util::run_process({"/usr/bin/python3", "-c",
                                "import json,sys,jsonschema\n"
                                "jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))\n",
                                test::data_path("advise/sarif-schema-2.1.0.json").string(), file.string()});
  REQUIRE(out);
  CHECK(out->exit_code != 0);  // driver.name is required
}
