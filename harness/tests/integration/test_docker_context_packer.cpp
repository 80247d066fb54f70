// The packed tar context against the real daemon: the classic builder caches
// it exactly as a `docker build` of the same tree, BuildKit sees only what
// .dockerignore lets through, and a Dockerfile outside the context works.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "docker/context_packer.h"
#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;
namespace fs = std::filesystem;

namespace {

docker::EngineClient client_from_env() {
  test::require_daemon();
  return docker::EngineClient(*docker::Endpoint::from_environment());
}

// A context that needs no base image (FROM scratch) with what packing must
// get right: ignored files, an exception, a symlink, nested directories,
// names that need pax headers.
void make_context(const fs::path& root, const std::string& token) {
  test::write_file(root / "Dockerfile",
                   "FROM scratch\n"
                   "COPY main.go README.md /app/\n"
                   "COPY internal /app/internal\n"
                   "COPY vendor/modules.txt link /app/\n"
                   "COPY caf\xC3\xA9.txt " + std::string(120, 'n') + " /app/\n");
  test::write_file(root / ".dockerignore", "*.md\n!README.md\nvendor\n!vendor/modules.txt\n");
  test::write_file(root / "main.go", "package main // " + token + "\n");
  test::write_file(root / "README.md", "readme " + token + "\n");
  test::write_file(root / "NOTES.md", "ignored " + token + "\n");
  test::write_file(root / "internal/a/a.go", "package a // " + token + "\n");
  test::write_file(root / "vendor/modules.txt", "# " + token + "\n");
  test::write_file(root / "vendor/dep/dep.go", "package dep\n");
  fs::create_symlink("main.go", root / "link");
  // Names that need pax headers: non-ASCII, longer than ustar's 100 bytes.
  test::write_file(root / "caf\xC3\xA9.txt", "accent " + token + "\n");
  test::write_file(root / std::string(120, 'n'), "long " + token + "\n");
}

struct BuildOutcome {
  std::string stream;
  bool request_ok = false;
};

BuildOutcome build_with_packer(docker::EngineClient& client, const docker::ContextSource& source, bool buildkit,
                               const std::string& tag) {
  BuildOutcome outcome;
  auto packer = docker::ContextPacker::open(source);
  REQUIRE(packer.ok());
  docker::BuildQuery query;
  query.tags = {tag};
  query.dockerfile = packer->dockerfile_in_context();
  query.network_mode = "host";
  query.buildkit = buildkit;
  auto stats = client.build(query, docker::as_body_source(*packer), [&](std::string_view chunk) {
    outcome.stream.append(chunk);
    return true;
  });
  outcome.request_ok = stats.ok();
  if (stats) CHECK(stats->bytes_uploaded == packer->bytes_produced());
  return outcome;
}

std::string image_id(docker::EngineClient& client, const std::string& tag) {
  auto image = client.inspect_image(tag);
  REQUIRE(image.ok());
  return (*image)["Id"].get<std::string>();
}

}  // namespace

TEST_CASE("the classic builder caches a packed context as it caches docker build's", "[context_packer]") {
  auto client = client_from_env();
  const auto cli = fs::path("/usr/bin/docker");
  if (!fs::exists(cli)) {
    WARN("no docker CLI 20.10 at /usr/bin/docker: nothing to compare with");
    return;
  }
  util::TempDir dir("buildbench-it-ctx-");
  const std::string token = test::unique_token();
  make_context(dir.path(), token);
  const std::string cli_tag = "buildbench-test/ctx-cli-" + token;
  const std::string packer_tag = "buildbench-test/ctx-packer-" + token;

  const char* host = std::getenv("DOCKER_HOST");
  util::RunOptions options;
  options.extra_env = {"DOCKER_BUILDKIT=0"};
  if (host != nullptr) options.extra_env.push_back(std::string("DOCKER_HOST=") + host);
  auto by_cli = util::run_process({cli.string(), "build", "-q", "-t", cli_tag, dir.path().string()}, options);
  REQUIRE(by_cli.ok());
  INFO(by_cli->err);
  REQUIRE(by_cli->exit_code == 0);

  const BuildOutcome ours = build_with_packer(client, {dir.path(), std::nullopt}, false, packer_tag);
  INFO(ours.stream);
  REQUIRE(ours.request_ok);
  // Every COPY step found the CLI's layer in the cache: same image.
  CHECK(image_id(client, packer_tag) == image_id(client, cli_tag));
  CHECK(ours.stream.find("Using cache") != std::string::npos);

  (void)client.remove_image(packer_tag);
  (void)client.remove_image(cli_tag);
}

TEST_CASE("BuildKit sees only what .dockerignore lets through", "[context_packer]") {
  auto client = client_from_env();
  util::TempDir dir("buildbench-it-ctx-");
  const std::string token = test::unique_token();
  make_context(dir.path(), token);
  const std::string tag = "buildbench-test/ctx-bk-" + token;

  const BuildOutcome good = build_with_packer(client, {dir.path(), std::nullopt}, true, tag);
  INFO(good.stream);
  REQUIRE(good.request_ok);
  CHECK(good.stream.find("\"error\"") == std::string::npos);
  CHECK(good.stream.find("moby.image.id") != std::string::npos);

  // An excluded file is not in the context the daemon got.
  test::write_file(dir.path() / "Dockerfile", "FROM scratch\nCOPY NOTES.md /\n");
  const BuildOutcome ignored = build_with_packer(client, {dir.path(), std::nullopt}, true, tag + "-ignored");
  INFO(ignored.stream);
  REQUIRE(ignored.request_ok);
  CHECK(ignored.stream.find("\"error\"") != std::string::npos);
  CHECK(ignored.stream.find("not found") != std::string::npos);

  (void)client.remove_image(tag);
}

// `-f df/Custom.Dockerfile` with df/Custom.Dockerfile.dockerignore: BuildKit
// reads that file instead of .dockerignore; with a tar body the daemon
// applies no excludes, so what the packer leaves out is all that counts.
TEST_CASE("BuildKit with -f df/Custom.Dockerfile: Custom.Dockerfile.dockerignore keeps a file out", "[context_packer]") {
  auto client = client_from_env();
  util::TempDir dir("buildbench-it-ctx-");
  const std::string token = test::unique_token();
  test::write_file(dir.path() / "df/Custom.Dockerfile", "FROM scratch\nCOPY notforcustom.txt /\n");
  test::write_file(dir.path() / "df/Custom.Dockerfile.dockerignore", "notforcustom.txt\n");
  test::write_file(dir.path() / "notforcustom.txt", token + "\n");
  const std::string tag = "buildbench-test/ctx-custom-ignore-" + token;
  const BuildOutcome outcome = build_with_packer(client, {dir.path(), dir.path() / "df/Custom.Dockerfile"}, true, tag);
  INFO(outcome.stream);
  REQUIRE(outcome.request_ok);
  CHECK(outcome.stream.find("\"error\"") != std::string::npos);
  CHECK(outcome.stream.find("not found") != std::string::npos);
  (void)client.remove_image(tag);
}

TEST_CASE("a Dockerfile outside the context builds", "[context_packer]") {
  auto client = client_from_env();
  util::TempDir dir("buildbench-it-ctx-");
  const std::string token = test::unique_token();
  make_context(dir.path() / "ctx", token);
  test::write_file(dir.path() / "outside.Dockerfile", "FROM scratch\nCOPY main.go /\n");
  const std::string tag = "buildbench-test/ctx-outside-" + token;
  for (const bool buildkit : {true, false}) {
    const BuildOutcome outcome =
        build_with_packer(client, {dir.path() / "ctx", dir.path() / "outside.Dockerfile"}, buildkit, tag);
    INFO((buildkit ? "BuildKit" : "classic") << "\n" << outcome.stream);
    REQUIRE(outcome.request_ok);
    CHECK(outcome.stream.find("\"error\"") == std::string::npos);
    CHECK_NOTHROW(image_id(client, tag));
    (void)client.remove_image(tag);
  }
}
