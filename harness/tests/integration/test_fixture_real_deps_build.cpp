// The realistic dependency world in a real dockerd: a grpc-service fixture
// (real modules from Debian's packages, served by ModuleProxy) builds with the
// post's fast Dockerfile, the cold build downloads at least 30 MB, `go mod
// verify` accepts what was downloaded, and dependency-add and dependency-bump
// re-run exactly the steps the Dockerfile's layer order implies.
//
// Three builds: the cold one compiles grpc and its kin (tens of seconds to
// minutes on 2 busy cores); the other two reuse Go's build cache.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "docker/build_stream.h"
#include "docker/context_packer.h"
#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "fixture/generator.h"
#include "fixture/module_proxy.h"
#include "fixture/mutations.h"
#include "fixture/presets.h"
#include "support/test_support.h"
#include "util/hash.h"
#include "util/temp_dir.h"

using namespace buildbench;
using namespace buildbench::fixture;

namespace {

constexpr const char* kGoImage = "buildbench/go:1.24";

// The post's fast Dockerfile as the repository has it, its base image mapped
// to the local Go image, the proxy's address passed in, Go's build cache in a
// cache mount (so the builds after the cold one recompile only what changed:
// the test stays minutes shorter, and the steps that rerun are the same), and
// a last step that checks the downloaded modules against go.sum and runs the
// binary.
std::string test_dockerfile() {
  std::string fast = test::read_file(std::filesystem::path(BUILDBENCH_SOURCE_DIR) / "fixtures/dockerfiles/fast.Dockerfile");
  const std::string from = "FROM golang:1.24-alpine\n";
  size_t at = fast.find(from);
  REQUIRE(at != std::string::npos);
  fast.replace(at, from.size(),
               std::string("FROM ") + kGoImage + "\nARG GOPROXY\nENV GOPROXY=$GOPROXY GOFLAGS=-mod=readonly\n");
  const std::string build = "RUN go build";
  at = fast.find(build);
  REQUIRE(at != std::string::npos);
  fast.replace(at, build.size(), "RUN --mount=type=cache,target=/root/.cache/go-build go build");
  return fast + "RUN go mod verify && /bin/server\n";
}

FixtureParams grpc_fixture() {
  FixtureParams p;
  p.packages = 6;
  p.files_per_package = 2;
  p.functions_per_file = 3;
  p.import_fan_out = 1;
  p.import_depth = 2;
  p.binaries = {{"server", 1.0}};
  p.docs = 1;
  p.assets_bytes = 4096;
  p.junk_bytes = 0;
  p.dep_modules = 2;
  p.dep_depth = 1;
  p.deps_preset = "grpc-service";
  return p;
}

struct Outcome {
  bool ok = false;
  std::string error;
  std::vector<docker::BuildStep> steps;
  std::vector<std::string> log_tail;
  double seconds = 0;
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
  auto started = std::chrono::steady_clock::now();
  auto stats = client.build(
      query, [&](char* buffer, size_t capacity) { return packer->read(buffer, capacity); },
      [&](std::string_view chunk) {
        (void)collector.feed(chunk);
        return true;
      });
  REQUIRE(stats.ok());
  (void)collector.finish();
  Outcome outcome;
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  outcome.error = collector.error();
  outcome.ok = outcome.error.empty() && !collector.image_id().empty();
  outcome.steps = collector.steps();
  outcome.log_tail = collector.last_log_lines();
  return outcome;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

// "instruction: cached|run" for the Dockerfile's steps (internal ones left out).
std::vector<std::string> step_states(const Outcome& outcome) {
  std::vector<std::string> states;
  for (const auto& step : outcome.steps) {
    if (step.stage == "internal" || step.index == 0) continue;
    std::string instruction = step.name.substr(step.name.find("] ") + 2);
    states.push_back(instruction + ": " + (step.cached ? "cached" : "run"));
  }
  return states;
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

void require_preset_packages() {
  auto preset = find_deps_preset("grpc-service");
  REQUIRE(preset.ok());
  for (const auto& package : preset_packages(**preset)) {
    auto version = installed_package_version(package);
    if (version.ok()) continue;
    const char* required = std::getenv("BUILDBENCH_REQUIRE_DAEMON");
    if (required != nullptr && std::string(required) == "1") FAIL(version.error().message);
    std::fprintf(stderr, "SKIPPED: %s\n", version.error().message.c_str());
    std::exit(77);
  }
}

}  // namespace

TEST_CASE("a grpc-service fixture builds from real modules with the fast Dockerfile, and dependency changes rerun "
          "the steps the layer order implies",
          "[fixture][integration]") {
  test::require_daemon();
  require_preset_packages();
  auto endpoint = docker::Endpoint::from_environment();
  REQUIRE(endpoint.ok());
  docker::EngineClient client(*endpoint);
  require_go_image(client);

  util::TempDir dir("bb-real-deps-");
  auto generated = generate_fixture(grpc_fixture(), dir.path());
  REQUIRE(generated.ok());
  test::write_file(dir.path() / "Dockerfile", test_dockerfile());
  test::write_file(dir.path() / ".dockerignore", ".git\n.buildbench\n");
  auto store = ModuleStore::create(grpc_fixture());
  REQUIRE(store.ok());
  ProxyOptions options;
  options.network.latency = std::chrono::milliseconds(0);
  options.network.bandwidth_mbps = 0;
  auto proxy = ModuleProxy::start(*store, options);
  REQUIRE(proxy.ok());
  const std::string tag = "modules-test/real-deps:" + util::random_hex(4);
  const std::string cache_namespace = util::random_hex(8);  // an empty build cache for the cold build

  // Cold: every module of the preset comes through the proxy.
  auto cold = build(client, dir.path(), (*proxy)->url(), cache_namespace, tag, true);
  INFO(cold.error << "\n" << joined(cold.log_tail));
  REQUIRE(cold.ok);
  auto cold_counters = (*proxy)->take_counters();
  std::fprintf(stderr, "real-deps cold build: %.1f s, %llu bytes from the proxy in %llu zips\n", cold.seconds,
               static_cast<unsigned long long>(cold_counters.bytes_served),
               static_cast<unsigned long long>(cold_counters.zip_requests));
  CHECK(cold_counters.bytes_served >= 30ULL * 1000 * 1000);
  CHECK(cold_counters.zip_requests >= 9);
  CHECK(cold_counters.not_found == 0);
  CHECK_THAT(joined(cold.log_tail), Catch::Contains("all modules verified"));
  CHECK_THAT(joined(cold.log_tail), Catch::Contains("server r0: checksum"));

  // After go.mod changes, the fast Dockerfile reruns everything from
  // `COPY go.mod go.sum` on: the download, the source copy, the build.
  const std::vector<std::string> rerun_from_gomod = {
      "WORKDIR /src: cached",      "COPY go.mod go.sum ./: run",
      "RUN go mod download: run",  "COPY . .: run",
      "RUN --mount=type=cache,target=/root/.cache/go-build go build -o /bin/server ./cmd/server: run", "RUN go mod verify && /bin/server: run"};
  const uint64_t salt = std::stoull(util::random_hex(4), nullptr, 16);
  auto mutator = Mutator::open(dir.path(), {salt, *store});
  REQUIRE(mutator.ok());

  auto added = (*mutator)->apply({MutationKind::AddDependency, {}, {}});
  REQUIRE(added.ok());
  auto after_add = build(client, dir.path(), (*proxy)->url(), cache_namespace, tag, false);
  INFO(after_add.error << "\n" << joined(after_add.log_tail));
  REQUIRE(after_add.ok);
  auto add_counters = (*proxy)->take_counters();
  std::fprintf(stderr, "real-deps dependency-add build: %.1f s, %llu bytes from the proxy\n", after_add.seconds,
               static_cast<unsigned long long>(add_counters.bytes_served));
  auto states = step_states(after_add);
  REQUIRE(states.size() == rerun_from_gomod.size() + 1);
  CHECK(states.front().find("FROM") == 0);
  CHECK(std::vector<std::string>(states.begin() + 1, states.end()) == rerun_from_gomod);
  const std::string added_zip = added->published.front().path + "@" + added->published.front().version;
  CHECK(std::find(add_counters.zips_served.begin(), add_counters.zips_served.end(), added_zip) !=
        add_counters.zips_served.end());

  REQUIRE((*mutator)->reset().ok());
  auto bumped = (*mutator)->apply({MutationKind::BumpDependency, {}, {}});
  if (!bumped.ok()) {
    // The newer suite's package is fetched by scripts/fetch-module-versions.sh.
    const char* required = std::getenv("BUILDBENCH_REQUIRE_DAEMON");
    if (required != nullptr && std::string(required) == "1") FAIL(bumped.error().message);
    WARN(bumped.error().message);
  } else {
    auto after_bump = build(client, dir.path(), (*proxy)->url(), cache_namespace, tag, false);
    INFO(after_bump.error << "\n" << joined(after_bump.log_tail));
    REQUIRE(after_bump.ok);
    auto bump_counters = (*proxy)->take_counters();
    std::fprintf(stderr, "real-deps dependency-bump build: %.1f s, %llu bytes from the proxy (%s)\n", after_bump.seconds,
                 static_cast<unsigned long long>(bump_counters.bytes_served), bumped->description.c_str());
    auto bump_states = step_states(after_bump);
    REQUIRE(bump_states.size() == rerun_from_gomod.size() + 1);
    CHECK(std::vector<std::string>(bump_states.begin() + 1, bump_states.end()) == rerun_from_gomod);
    const std::string bumped_zip = bumped->published.front().path + "@" + bumped->published.front().version;
    CHECK(std::find(bump_counters.zips_served.begin(), bump_counters.zips_served.end(), bumped_zip) !=
          bump_counters.zips_served.end());
  }
  REQUIRE((*mutator)->reset().ok());
  (void)client.remove_image(tag, true);
}
