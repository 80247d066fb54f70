// One timed build against the real daemon: cold, warm, one file changed,
// the classic builder, a failing RUN, an ignored file, and bad input.
#include <catch2/catch.hpp>

#include <algorithm>

#include "builder/run_build.h"
#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

struct Project {
  util::TempDir dir{"buildbench-it-"};
  std::string token = test::unique_token();

  explicit Project(const std::string& base_image, const std::string& extra_dockerfile = "") {
    test::write_file(dir.path() / "Dockerfile",
                     "FROM " + base_image + "\n"
                     "COPY a.txt /a.txt\n"
                     "RUN cat /a.txt > /copy.txt\n"
                     "COPY b.txt /b.txt\n"
                     "RUN wc -c /b.txt\n" + extra_dockerfile);
    test::write_file(dir.path() / "a.txt", "a " + token + "\n");
    test::write_file(dir.path() / "b.txt", "b " + token + "\n");
    test::write_file(dir.path() / "notes.md", "ignored " + token + "\n");
    test::write_file(dir.path() / ".dockerignore", "*.md\n");
  }
};

docker::EngineClient client_from_env() {
  test::require_daemon();
  return docker::EngineClient(*docker::Endpoint::from_environment());
}

// Steps that come from Dockerfile instructions other than FROM.
std::vector<docker::BuildStep> instruction_steps(const docker::BuildRecord& record) {
  std::vector<docker::BuildStep> out;
  for (const auto& step : record.steps) {
    if (step.index > 0 && step.name.find(" FROM ") == std::string::npos) out.push_back(step);
  }
  return out;
}

builder::BuildRequest request_for(const Project& project, docker::ContextTransfer transfer) {
  builder::BuildRequest request;
  request.context_dir = project.dir.path();
  request.transfer = transfer;
  return request;
}

}  // namespace

TEST_CASE("BuildKit build: cold, warm, one file changed, ignored file changed", "[integration][builder]") {
  auto client = client_from_env();
  auto image = test::ensure_busybox_image(client);
  auto transfer = GENERATE(docker::ContextTransfer::Tar, docker::ContextTransfer::Session);
  CAPTURE(builder::to_string(transfer));
  Project project(image);
  auto request = request_for(project, transfer);

  request.no_cache = true;
  auto cold = builder::run_build(client, request);
  REQUIRE(cold);
  INFO(cold->error);
  REQUIRE(cold->ok);
  CHECK(cold->transfer == transfer);
  CHECK(cold->total_steps == 4);
  CHECK(cold->cached_steps == 0);
  CHECK(cold->wall_s > 0);
  CHECK(cold->daemon_span_s > 0);
  CHECK(cold->daemon_span_s <= cold->wall_s + 0.5);
  CHECK(cold->image_id.rfind("sha256:", 0) == 0);
  CHECK(cold->image_size > 0);
  CHECK(cold->image_layers >= 2);
  CHECK(cold->context_bytes > 0);
  if (transfer == docker::ContextTransfer::Session) {
    // The daemon's own count agrees: at least the files' bytes, at most what
    // we sent over all of the session's transfers.
    const auto file_bytes = static_cast<int64_t>(2 * ("a " + project.token + "\n").size());
    CHECK(cold->daemon_context_bytes >= file_bytes);
    CHECK(cold->daemon_context_bytes <= static_cast<int64_t>(cold->context_bytes));
  } else {
    CHECK(cold->daemon_context_bytes == -1);  // a tar body has no transfer status
  }

  request.no_cache = false;
  auto warm = builder::run_build(client, request);
  REQUIRE(warm);
  REQUIRE(warm->ok);
  CHECK(warm->cached_steps == 4);
  CHECK(warm->total_steps == 4);
  CHECK(warm->image_id == cold->image_id);

  test::write_file(project.dir.path() / "b.txt", "b changed " + project.token + "\n");
  auto changed = builder::run_build(client, request);
  REQUIRE(changed);
  REQUIRE(changed->ok);
  auto steps = instruction_steps(*changed);
  REQUIRE(steps.size() == 4);
  std::sort(steps.begin(), steps.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  CHECK(steps[0].cached);   // COPY a.txt
  CHECK(steps[1].cached);   // RUN cat
  CHECK_FALSE(steps[2].cached);  // COPY b.txt sees the change
  CHECK_FALSE(steps[3].cached);  // and what follows reruns

  test::write_file(project.dir.path() / "notes.md", "ignored, changed " + project.token + "\n");
  auto ignored = builder::run_build(client, request);
  REQUIRE(ignored);
  REQUIRE(ignored->ok);
  CHECK(ignored->cached_steps == ignored->total_steps);
  CHECK(ignored->image_id == changed->image_id);
}

TEST_CASE("Classic builder: cold then warm", "[integration][builder]") {
  auto client = client_from_env();
  auto image = test::ensure_busybox_image(client);
  Project project(image);
  builder::BuildRequest request;
  request.context_dir = project.dir.path();
  request.builder = docker::BuilderKind::Classic;
  request.no_cache = true;
  auto cold = builder::run_build(client, request);
  REQUIRE(cold);
  INFO(cold->error);
  REQUIRE(cold->ok);
  CHECK(cold->transfer == docker::ContextTransfer::Tar);
  CHECK(cold->total_steps == 4);
  CHECK(cold->cached_steps == 0);
  request.no_cache = false;
  auto warm = builder::run_build(client, request);
  REQUIRE(warm);
  REQUIRE(warm->ok);
  CHECK(warm->cached_steps == 4);
  CHECK(warm->image_id == cold->image_id);
}

TEST_CASE("A failing RUN is a failed record with the step and its output", "[integration][builder]") {
  auto client = client_from_env();
  auto image = test::ensure_busybox_image(client);
  auto builder_kind = GENERATE(docker::BuilderKind::BuildKit, docker::BuilderKind::Classic);
  Project project(image, "RUN echo about to fail " + std::string("$((6*7))") + " && exit 3\n");
  builder::BuildRequest request;
  request.context_dir = project.dir.path();
  request.builder = builder_kind;
  request.no_cache = true;
  auto record = builder::run_build(client, request);
  REQUIRE(record);
  CHECK_FALSE(record->ok);
  CHECK_FALSE(record->error.empty());
  CHECK(record->failed_step.find("exit 3") != std::string::npos);
  bool saw_output = false;
  for (const auto& line : record->failure_log_tail) {
    if (line.find("about to fail 42") != std::string::npos) saw_output = true;
  }
  CHECK(saw_output);
}

TEST_CASE("Bad input gets a clear error before anything is sent", "[integration][builder]") {
  auto client = client_from_env();
  util::TempDir dir("buildbench-it-");
  builder::BuildRequest request;

  request.context_dir = dir.path() / "missing";
  auto missing = builder::run_build(client, request);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("does not exist") != std::string::npos);

  test::write_file(dir.path() / "file", "x");
  request.context_dir = dir.path() / "file";
  auto not_dir = builder::run_build(client, request);
  REQUIRE_FALSE(not_dir);
  CHECK(not_dir.error().message.find("not a directory") != std::string::npos);

  request.context_dir = dir.path();
  auto no_dockerfile = builder::run_build(client, request);
  REQUIRE_FALSE(no_dockerfile);
  CHECK(no_dockerfile.error().message.find("Dockerfile") != std::string::npos);

  test::write_file(dir.path() / "Dockerfile", "# syntax=docker/dockerfile:1.99-not-here\nFROM scratch\nCOPY file /file\n");
  auto syntax = builder::run_build(client, request);
  REQUIRE_FALSE(syntax);
  CHECK(syntax.error().message.find("--strip-syntax") != std::string::npos);

  request.strip_syntax_line = true;
  auto stripped = builder::run_build(client, request);
  REQUIRE(stripped);
  INFO(stripped->error);
  CHECK(stripped->ok);
  CHECK(stripped->syntax_line_stripped);

  // Secrets travel in the session: a tar body cannot carry them, and a
  // missing source is named before anything is sent.
  session::SecretSource secret;
  secret.id = "tok";
  secret.file = dir.path() / "no-such-secret";
  request.secrets = {secret};
  auto unreadable = builder::run_build(client, request);
  REQUIRE_FALSE(unreadable);
  CHECK(unreadable.error().message.find("no-such-secret") != std::string::npos);
  request.transfer = docker::ContextTransfer::Tar;
  auto over_tar = builder::run_build(client, request);
  REQUIRE_FALSE(over_tar);
  CHECK(over_tar.error().message.find("session") != std::string::npos);
}

TEST_CASE("No daemon: the error names the endpoint and how to start one", "[integration][builder]") {
  util::TempDir dir("buildbench-it-");
  docker::EngineClient client(docker::Endpoint::unix_socket(dir.path() / "no.sock"));
  builder::BuildRequest request;
  request.context_dir = dir.path();
  test::write_file(dir.path() / "Dockerfile", "FROM scratch\n");
  auto record = builder::run_build(client, request);
  REQUIRE_FALSE(record);
  CHECK(record.error().message.find(dir.path().string()) != std::string::npos);
  CHECK(record.error().message.find("buildbench daemon start") != std::string::npos);
}

// BuildKit reads `<Dockerfile>.dockerignore` instead of .dockerignore; the
// session path gets that from the daemon, the tar path from the packer.
// Either way the excluded file is not in the context the daemon sees.
TEST_CASE("a Dockerfile named with -f (df/Custom.Dockerfile): its own .dockerignore applies on both transfers", "[integration][builder]") {
  auto client = client_from_env();
  util::TempDir dir("buildbench-it-");
  const std::string token = test::unique_token();
  test::write_file(dir.path() / "df/Custom.Dockerfile", "FROM scratch\nCOPY notforcustom.txt kept.txt /\n");
  test::write_file(dir.path() / "df/Custom.Dockerfile.dockerignore", "notforcustom.txt\n");
  test::write_file(dir.path() / ".dockerignore", "kept.txt\n");  // replaced, so kept.txt is sent
  test::write_file(dir.path() / "notforcustom.txt", token + "\n");
  test::write_file(dir.path() / "kept.txt", token + "\n");
  for (const auto transfer : {docker::ContextTransfer::Session, docker::ContextTransfer::Tar}) {
    INFO(builder::to_string(transfer));
    builder::BuildRequest request;
    request.context_dir = dir.path();
    request.dockerfile = dir.path() / "df/Custom.Dockerfile";
    request.transfer = transfer;
    auto record = builder::run_build(client, request);
    REQUIRE(record);
    CHECK_FALSE(record->ok);
    CHECK(record->error.find("notforcustom.txt") != std::string::npos);
    CHECK(record->error.find("kept.txt") == std::string::npos);
  }
}
