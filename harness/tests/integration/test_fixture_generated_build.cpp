// A generated fixture builds with Go 1.24 in a real dockerd, its modules come
// from ModuleProxy over loopback (host networking), a dependency change
// downloads only the new module when a cache mount keeps the others, and a
// wrong go.sum hash fails the build.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include "docker/build_stream.h"
#include "docker/context_packer.h"
#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "fixture/generator.h"
#include "fixture/module_proxy.h"
#include "fixture/mutations.h"
#include "support/test_support.h"
#include "util/hash.h"
#include "util/temp_dir.h"

using namespace buildbench;
using namespace buildbench::fixture;

namespace {

constexpr const char* kGoImage = "buildbench/go:1.24";

// Module downloads go through a cache mount, as the post's better
// Dockerfiles do; GOFLAGS=-mod=readonly makes Go check go.sum strictly.
constexpr const char* kDockerfile = R"(FROM buildbench/go:1.24
ARG GOPROXY
ENV GOPROXY=$GOPROXY GOSUMDB=off GOFLAGS=-mod=readonly GOTOOLCHAIN=local GOPATH=/go GOCACHE=/cache/go-build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/cache/go-build \
    go vet ./... && go test ./... && go build -o /out/ ./cmd/... && /out/api && /out/worker
)";

FixtureParams small() {
  FixtureParams p;
  p.packages = 6;
  p.files_per_package = 2;
  p.functions_per_file = 3;
  p.import_fan_out = 2;
  p.import_depth = 3;
  p.docs = 1;
  p.assets_bytes = 8192;
  p.junk_bytes = 64 * 1024;
  p.dep_modules = 4;
  p.dep_depth = 2;
  return p;
}

struct Outcome {
  bool ok = false;
  std::string error;
  std::string image_id;
  std::vector<std::string> log_tail;
};

Outcome build(docker::EngineClient& client, const std::filesystem::path& context, const std::string& proxy_url,
              const std::string& cache_namespace, const std::string& tag, bool no_cache) {
  auto packer = docker::ContextPacker::open({context, std::nullopt});
  REQUIRE(packer.ok());
  docker::BuildQuery query;
  query.tags = {tag};
  query.dockerfile = packer->dockerfile_in_context();
  query.network_mode = "host";
  query.buildkit = true;
  query.no_cache = no_cache;
  query.build_args = {{"GOPROXY", proxy_url}, {"BUILDKIT_CACHE_MOUNT_NS", cache_namespace}};
  docker::BuildStreamCollector collector([] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  });
  auto stats = client.build(
      query, [&](char* buffer, size_t capacity) { return packer->read(buffer, capacity); },
      [&](std::string_view chunk) {
        (void)collector.feed(chunk);
        return true;
      });
  REQUIRE(stats.ok());
  (void)collector.finish();
  Outcome outcome;
  outcome.error = collector.error();
  outcome.image_id = collector.image_id();
  outcome.ok = outcome.error.empty() && !outcome.image_id.empty();
  outcome.log_tail = collector.last_log_lines();
  return outcome;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

void require_go_image(docker::EngineClient& client) {
  if (client.inspect_image(kGoImage).ok()) return;
  const char* required = std::getenv("BUILDBENCH_REQUIRE_DAEMON");
  if (required != nullptr && std::string(required) == "1") {
    FAIL(std::string("the Go image ") + kGoImage + " is missing; run `buildbench images` first");
  }
  std::fprintf(stderr, "SKIPPED: the Go image %s is missing; run `buildbench images` to make it\n", kGoImage);
  std::exit(77);
}

struct Scene {
  util::TempDir dir;
  std::shared_ptr<ModuleStore> store = std::make_shared<ModuleStore>(small());
  std::unique_ptr<ModuleProxy> proxy;
  std::string cache_namespace = util::random_hex(8);
  std::string tag = "buildbench-test/fixture-generated:" + util::random_hex(4);

  Scene() {
    REQUIRE(generate_fixture(small(), dir.path()).ok());
    test::write_file(dir.path() / "Dockerfile", kDockerfile);
    test::write_file(dir.path() / ".dockerignore", ".git\ndocs\n*.md\n.buildbench\n");
    ProxyOptions options;
    options.network.latency = std::chrono::milliseconds(5);
    options.network.bandwidth_mbps = 0;
    auto started = ModuleProxy::start(store, options);
    REQUIRE(started.ok());
    proxy = std::move(*started);
  }
};

}  // namespace

TEST_CASE("a generated fixture builds through the module proxy and a new dependency is the only download",
          "[fixture][integration]") {
  test::require_daemon();
  auto endpoint = docker::Endpoint::from_environment();
  REQUIRE(endpoint.ok());
  docker::EngineClient client(*endpoint);
  require_go_image(client);
  Scene scene;

  auto cold = build(client, scene.dir.path(), scene.proxy->url(), scene.cache_namespace, scene.tag, true);
  INFO(cold.error << "\n" << joined(cold.log_tail));
  REQUIRE(cold.ok);
  auto first = scene.proxy->take_counters();
  CHECK(first.zip_requests == small().dep_modules);
  CHECK(first.bytes_served > 0);
  CHECK(std::regex_search(joined(cold.log_tail), std::regex("worker r0: checksum \\d+")));

  // A random salt: the new module is one no earlier run has cached.
  const uint64_t salt = std::stoull(util::random_hex(4), nullptr, 16);
  auto mutator = Mutator::open(scene.dir.path(), {salt, scene.store});
  REQUIRE(mutator.ok());
  auto added = (*mutator)->apply({MutationKind::AddDependency, {}, {}});
  REQUIRE(added.ok());
  auto after = build(client, scene.dir.path(), scene.proxy->url(), scene.cache_namespace, scene.tag, false);
  INFO(after.error << "\n" << joined(after.log_tail));
  REQUIRE(after.ok);
  auto second = scene.proxy->take_counters();
  // The cache mount kept the old modules: only the new one is downloaded.
  CHECK(second.zips_served ==
        std::vector<std::string>{added->published.front().path + "@" + added->published.front().version});

  REQUIRE((*mutator)->reset().ok());
  (void)client.remove_image(scene.tag, true);
}

TEST_CASE("a wrong go.sum hash fails the build", "[fixture][integration]") {
  test::require_daemon();
  auto endpoint = docker::Endpoint::from_environment();
  REQUIRE(endpoint.ok());
  docker::EngineClient client(*endpoint);
  require_go_image(client);
  Scene scene;

  // Swap dep01's zip hash for dep03's: well-formed, but wrong.
  std::string gosum = test::read_file(scene.dir.path() / "go.sum");
  std::smatch dep01, dep03;
  REQUIRE(std::regex_search(gosum, dep01, std::regex("dep01 v1\\.0\\.0 (h1:\\S+)")));
  REQUIRE(std::regex_search(gosum, dep03, std::regex("dep03 v1\\.0\\.0 (h1:\\S+)")));
  std::string wrong = gosum;
  wrong.replace(static_cast<size_t>(dep01.position(1)), static_cast<size_t>(dep01.length(1)), dep03.str(1));
  test::write_file(scene.dir.path() / "go.sum", wrong);

  auto outcome = build(client, scene.dir.path(), scene.proxy->url(), scene.cache_namespace, scene.tag, true);
  CHECK_FALSE(outcome.ok);
  CHECK_THAT(joined(outcome.log_tail) + outcome.error, Catch::Contains("checksum mismatch"));
  CHECK(scene.proxy->counters().zip_requests > 0);
  (void)client.remove_image(scene.tag, true);
}
