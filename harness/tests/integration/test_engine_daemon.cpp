// An engine installed from Debian's .debs runs its own daemon beside the
// others: install 28.5 (or use the installed one), start its dockerd on a
// socket of this test's own, check /version, stop it by its pid.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "docker/engine_client.h"
#include "docker/engine_facts.h"
#include "engine/engine_daemon.h"
#include "engine/housekeeping.h"
#include "engine/install.h"
#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

using namespace buildbench;
namespace fs = std::filesystem;

namespace {

// Where the 28.5 .debs are when the engine is not installed yet:
// BUILDBENCH_ENGINE_DEBS, else the development machines' copy.
fs::path debs_dir() {
  const char* dir = std::getenv("BUILDBENCH_ENGINE_DEBS");
  return (dir != nullptr && dir[0] != '\0') ? fs::path(dir) : fs::path("/opt/bbdev/debs");
}

[[noreturn]] void skip_or_fail(const std::string& reason) {
  const char* required = std::getenv("BUILDBENCH_REQUIRE_DAEMON");
  if (required != nullptr && std::string(required) == "1") {
    std::fprintf(stderr, "FATAL: %s (BUILDBENCH_REQUIRE_DAEMON=1)\n", reason.c_str());
    std::exit(1);
  }
  std::fprintf(stderr, "SKIPPED: %s\n", reason.c_str());
  std::exit(77);
}

// A one-file image imported with `labels`, as a run's build would leave one.
std::string import_labelled_image(docker::EngineClient& client, const std::string& tag,
                                  const std::vector<std::string>& labels) {
  util::TempDir tree("bbe-image-");
  test::write_file(tree.path() / "hello.txt", "hello\n");
  auto tar = util::run_process({"tar", "-C", tree.path().string(), "-cf", "-", "."});
  REQUIRE(tar);
  REQUIRE(tar->exit_code == 0);
  size_t offset = 0;
  const std::string bytes = tar->out;
  docker::BodySource body = [&](char* buffer, size_t capacity) -> util::Result<size_t> {
    size_t n = std::min(capacity, bytes.size() - offset);
    std::copy_n(bytes.data() + offset, n, buffer);
    offset += n;
    return n;
  };
  std::vector<std::string> changes;
  for (const auto& label : labels) changes.push_back("LABEL " + label);
  auto id = client.import_image(body, "bbe-housekeeping", tag, changes);
  REQUIRE(id);
  return *id;
}

}  // namespace

TEST_CASE("engine 28.5: installed from .debs, its own daemon answers /version 28.5.2, stops by its pid",
          "[integration][engine]") {
  const auto& spec = *engine::find_engine("28.5");
  util::TempDir state("bb-engine-state-");
  // Short: the sockets under it must fit a sockaddr_un.
  util::TempDir run("bbe-run-");

  // The engine: the installed one, else a fresh install into this test's state.
  fs::path engines_root = engine::engines_dir();
  if (!engine::is_installed(spec, engines_root)) {
    if (!fs::is_directory(debs_dir())) {
      skip_or_fail("engine 28.5 is not installed and no .debs at " + debs_dir().string() +
                   " (buildbench engine install 28.5)");
    }
    engines_root = state.path() / "engines";
    engine::InstallOptions options;
    options.root = engines_root;
    options.from_debs = debs_dir();
    auto installed = engine::install_engine(spec, options);
    INFO((installed ? std::string() : installed.error().message));
    REQUIRE(installed);
    CHECK(*installed == engine::InstallOutcome::Installed);
    CHECK(engine::is_installed(spec, engines_root));
    // Idempotent: a second install finds it done.
    auto again = engine::install_engine(spec, options);
    REQUIRE(again);
    CHECK(*again == engine::InstallOutcome::AlreadyInstalled);
    auto marker = test::read_file(engine::layout_for(spec.name, engines_root).marker());
    CHECK(marker.find("28.5.2+dfsg4-5") != std::string::npos);
  }

  test::ScopedEnv state_env("BUILDBENCH_STATE_DIR", state.path().string());
  test::ScopedEnv run_env("BUILDBENCH_RUN_DIR", run.path().string());
  auto paths = engine::daemon_paths(spec);
  REQUIRE(paths.socket == run.path() / "28.5" / "docker.sock");
  engine::ManagedDaemon daemon(paths, engine::daemon_program(spec, engines_root));
  auto started = daemon.start(std::chrono::seconds(90));
  INFO((started ? std::string() : started.error().message));
  REQUIRE(started);
  CHECK(*started);
  auto status = daemon.status();
  CHECK(status.running);
  CHECK(status.answering);

  docker::EngineClient client(daemon.endpoint());
  auto facts = docker::gather_engine_facts(client);
  REQUIRE(facts);
  CHECK(facts->engine_version.rfind("28.5.2", 0) == 0);
  CHECK(facts->daemon_api_version == "1.51");
  CHECK(facts->containerd_version.rfind("2.1.9", 0) == 0);  // its own containerd, not the system's 1.6
  CHECK(facts->runc_version.rfind("1.1.5", 0) == 0);        // the system's runc
  CHECK(facts->buildkit_version == "v0.25");
  CHECK(facts->image_store.rfind("classic", 0) == 0);
  CHECK(engine::owned_by_buildbench(daemon.endpoint()));

  // Housekeeping on a daemon buildbench owns: the image of a run whose
  // process is gone goes, an image without run labels stays.
  const pid_t gone = 2'147'483'000;  // above any pid_max: no such process
  auto leftover = import_labelled_image(client, "leftover",
                                        {"org.buildbench.scenario=engine-test", "org.buildbench.run=deadbeef",
                                         "org.buildbench.run-pid=" + std::to_string(gone)});
  auto users = import_labelled_image(client, "users", {"maintainer=someone"});
  auto swept = engine::remove_leftovers(client);
  REQUIRE(swept);
  REQUIRE(swept->removed.size() == 1);
  CHECK(swept->removed[0].id == leftover);
  CHECK(swept->removed[0].run == "deadbeef");
  CHECK_FALSE(client.inspect_image(leftover));
  CHECK(client.inspect_image(users));

  REQUIRE(daemon.stop());
  CHECK_FALSE(util::process_alive(status.pid));
  CHECK_FALSE(daemon.status().running);
  CHECK_FALSE(fs::exists(paths.socket));
}
