// Live builds against the daemon, decoded by BuildStreamCollector as the
// response arrives in whatever chunks libcurl hands over: both builders,
// cold, warm and failing. The images need no base image: busybox-static from
// the host is copied into a scratch image (as /bin/sh and /bin/sleep).
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker/build_stream.h"
#include "docker/context_packer.h"
#include "docker/engine_client.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

constexpr const char* kBusybox = "/bin/busybox";

constexpr const char* kParallelDockerfile = R"(FROM scratch AS base
COPY busybox /bin/sh
COPY busybox /bin/sleep
RUN echo base > /base.txt

FROM base AS left
RUN for i in 1 2 3; do echo "left $i"; sleep 0.3; done; echo l > /left.txt

FROM base AS right
RUN for i in 1 2 3; do echo "right $i"; sleep 0.3; done; echo r > /right.txt

FROM base
COPY --from=left /left.txt /
COPY --from=right /right.txt /
RUN echo final
)";

// The marker names the container the classic builder leaves behind when a
// RUN fails (it removes failed containers only with forcerm=1).
constexpr const char* kFailMarker = "buildbench-stream-live-fail";
constexpr const char* kFailingDockerfile = R"(FROM scratch
COPY busybox /bin/sh
RUN echo "about to fail"; : buildbench-stream-live-fail; exit 4
)";

docker::EngineClient client_from_env() {
  test::require_daemon();
  return docker::EngineClient(*docker::Endpoint::from_environment());
}

void make_context(const std::filesystem::path& dir, const char* dockerfile) {
  test::write_file(dir / "Dockerfile", dockerfile);
  std::filesystem::copy_file(kBusybox, dir / "busybox");
}

docker::BuildRecord build(docker::EngineClient& client, const std::filesystem::path& context, bool buildkit,
                          bool no_cache, const std::string& tag) {
  auto packer = docker::ContextPacker::open({context, std::nullopt});
  REQUIRE(packer.ok());
  docker::BuildQuery query;
  query.tags = {tag};
  query.dockerfile = packer->dockerfile_in_context();
  query.network_mode = "host";
  query.buildkit = buildkit;
  query.no_cache = no_cache;
  const auto start = std::chrono::steady_clock::now();
  docker::BuildStreamCollector collector(
      [start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); });
  auto stats = client.build(
      query, [&](char* buffer, size_t capacity) { return packer->read(buffer, capacity); },
      [&](std::string_view chunk) {
        (void)collector.feed(chunk);
        return true;
      });
  REQUIRE(stats.ok());
  CHECK(stats->status == 200);
  CHECK(collector.finish().ok());
  docker::BuildRecord record;
  collector.fill(record);
  CHECK(collector.is_buildkit() == buildkit);
  return record;
}

// Removes the stopped containers (and their images) that the failing
// classic build left behind.
void remove_failed_containers(docker::EngineClient& client) {
  auto listed = client.request("GET", "/containers/json?all=1");
  if (!listed || listed->status != 200) return;
  const auto containers = nlohmann::json::parse(listed->body, nullptr, false);
  if (!containers.is_array()) return;
  for (const auto& container : containers) {
    const std::string command = container.value("Command", "");
    if (command.find(kFailMarker) == std::string::npos) continue;
    (void)client.request("DELETE", "/containers/" + container.value("Id", "") + "?force=1");
    (void)client.remove_image(container.value("ImageID", ""), true);
  }
}

const docker::BuildStep* find_step(const docker::BuildRecord& record, const std::string& fragment) {
  for (const auto& step : record.steps) {
    if (step.name.find(fragment) != std::string::npos) return &step;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("live BuildKit builds: parallel stages cold, all cached warm", "[build_stream]") {
  auto client = client_from_env();
  util::TempDir context("buildbench-stream-");
  make_context(context.path(), kParallelDockerfile);
  const std::string tag = "buildbench-test/stream-live-bk:1";

  const auto cold = build(client, context.path(), true, true, tag);
  INFO(cold.error);
  REQUIRE(cold.ok);
  CHECK(cold.image_id.rfind("sha256:", 0) == 0);
  CHECK(cold.total_steps == 8);
  CHECK(cold.cached_steps == 0);
  CHECK(cold.daemon_span_s > 0.9);
  const auto* left = find_step(cold, "[left 1/1] RUN");
  const auto* right = find_step(cold, "[right 1/1] RUN");
  REQUIRE(left != nullptr);
  REQUIRE(right != nullptr);
  CHECK(left->log_tail == std::vector<std::string>{"left 1", "left 2", "left 3"});
  CHECK(right->log_tail == std::vector<std::string>{"right 1", "right 2", "right 3"});
  CHECK(left->start_offset_s < right->start_offset_s + right->duration_s);
  CHECK(right->start_offset_s < left->start_offset_s + left->duration_s);

  const auto warm = build(client, context.path(), true, false, tag);
  REQUIRE(warm.ok);
  CHECK(warm.image_id == cold.image_id);
  CHECK(warm.total_steps == 8);
  CHECK(warm.cached_steps == 8);
  CHECK(warm.daemon_span_s < cold.daemon_span_s);

  (void)client.remove_image(tag, true);
}

TEST_CASE("live classic builds: steps timed by the client, all cached warm", "[build_stream]") {
  auto client = client_from_env();
  util::TempDir context("buildbench-stream-");
  make_context(context.path(), kParallelDockerfile);
  const std::string tag = "buildbench-test/stream-live-classic:1";

  const auto cold = build(client, context.path(), false, true, tag);
  INFO(cold.error);
  REQUIRE(cold.ok);
  REQUIRE(cold.steps.size() == 12);
  CHECK(cold.total_steps == 8);
  CHECK(cold.cached_steps == 0);
  CHECK(cold.steps[5].stage == "left");
  CHECK(cold.steps[5].log_tail == std::vector<std::string>{"left 1", "left 2", "left 3"});
  CHECK(cold.steps[5].duration_s > 0.8);  // three 0.3 s sleeps
  CHECK(cold.steps[8].stage == "stage-3");

  const auto warm = build(client, context.path(), false, false, tag);
  REQUIRE(warm.ok);
  CHECK(warm.image_id == cold.image_id);
  CHECK(warm.cached_steps == 8);
  CHECK(warm.steps[5].duration_s < 0.8);

  (void)client.remove_image(tag, true);
}

TEST_CASE("live failing builds name the failed step and its output", "[build_stream]") {
  auto client = client_from_env();
  util::TempDir context("buildbench-stream-");
  make_context(context.path(), kFailingDockerfile);
  for (bool buildkit : {true, false}) {
    INFO((buildkit ? "BuildKit" : "classic"));
    const auto record = build(client, context.path(), buildkit, true, "buildbench-test/stream-live-fail:1");
    CHECK_FALSE(record.ok);
    CHECK(record.error.find('4') != std::string::npos);  // the exit code
    CHECK(record.failed_step.find("exit 4") != std::string::npos);
    CHECK(record.failure_log_tail == std::vector<std::string>{"about to fail"});
  }
  remove_failed_containers(client);
}
