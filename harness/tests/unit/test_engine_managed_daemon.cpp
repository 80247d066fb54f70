#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include "docker/endpoint.h"
#include "engine/engine_daemon.h"
#include "engine/housekeeping.h"
#include "engine/managed_daemon.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench;
namespace fs = std::filesystem;

TEST_CASE("each engine's daemon has its own paths; 20.10 keeps the old default ones", "[engine][daemon]") {
  test::ScopedEnv state("BUILDBENCH_STATE_DIR", "/s");
  test::ScopedEnv run("BUILDBENCH_RUN_DIR", "/r");
  auto system = engine::daemon_paths(engine::system_engine());
  CHECK(system.data_root == "/s/default/data");
  CHECK(system.socket == "/r/default/docker.sock");
  auto forky = engine::daemon_paths(*engine::find_engine("28.5"));
  CHECK(forky.data_root == "/s/28.5/data");
  CHECK(forky.exec_root == "/r/28.5/exec");
  CHECK(forky.pid_file == "/r/28.5/dockerd.pid");
  CHECK(forky.socket == "/r/28.5/docker.sock");
  CHECK(forky.log_file == "/s/28.5/dockerd.log");
  auto trixie = engine::daemon_paths(*engine::find_engine("26.1"));
  CHECK(trixie.socket != forky.socket);
  CHECK(trixie.pid_file != forky.pid_file);
  CHECK(trixie.exec_root != forky.exec_root);

  // The engine's own dockerd, with its containerd first in PATH.
  auto program = engine::daemon_program(*engine::find_engine("28.5"), "/s/engines");
  CHECK(program.dockerd == "/s/engines/28.5/root/usr/sbin/dockerd");
  auto env = program.environment();
  REQUIRE(env.size() == 1);
  CHECK(env[0].rfind("PATH=/s/engines/28.5/root/usr/sbin:/s/engines/28.5/root/usr/bin:", 0) == 0);
  CHECK(engine::daemon_program(engine::system_engine()).environment().empty());
  CHECK(engine::daemon_program(engine::system_engine()).dockerd == "dockerd");

  auto argv = engine::dockerd_argv("/x/dockerd", forky);
  const std::vector<std::string> expected = {"/x/dockerd",   "--bridge=none", "--iptables=false", "--ip-forward=false",
                                             "--data-root",  "/s/28.5/data",  "--exec-root",      "/r/28.5/exec",
                                             "--pidfile",    "/r/28.5/dockerd.pid", "-H",         "unix:///r/28.5/docker.sock"};
  CHECK(argv == expected);
}

TEST_CASE("a managed daemon socket is recognised as buildbench's", "[engine][daemon]") {
  test::ScopedEnv run("BUILDBENCH_RUN_DIR", "/r");
  CHECK(engine::owned_by_buildbench(docker::Endpoint::unix_socket("/r/28.5/docker.sock")));
  CHECK(engine::owned_by_buildbench(docker::Endpoint::unix_socket("/r/default/docker.sock")));
  CHECK_FALSE(engine::owned_by_buildbench(docker::Endpoint::unix_socket("/var/run/docker.sock")));
  CHECK_FALSE(engine::owned_by_buildbench(*docker::Endpoint::parse("tcp://127.0.0.1:2375")));
}

TEST_CASE("a daemon that does not start: the last 20 lines of its log", "[engine][daemon]") {
  util::TempDir dir("engine-daemon-");
  // A fake dockerd: prints 30 numbered lines and the PATH it was given, then exits.
  auto fake = dir.path() / "bin" / "dockerd";
  fs::create_directories(fake.parent_path());
  test::write_file(fake,
                   "#!/bin/sh\ni=1\nwhile [ $i -le 30 ]; do echo \"log line $i\"; i=$((i+1)); done\n"
                   "echo \"PATH=$PATH\"\nexit 1\n");
  ::chmod(fake.c_str(), 0755);
  engine::ManagedDaemonPaths paths{dir.path() / "data", dir.path() / "exec", dir.path() / "run" / "dockerd.pid",
                                   dir.path() / "run" / "docker.sock", dir.path() / "dockerd.log"};
  engine::ManagedDaemon daemon(paths, engine::DaemonProgram{fake, {dir.path() / "engine-bin"}});
  auto started = daemon.start(std::chrono::seconds(20));
  REQUIRE_FALSE(started);
  const auto& message = started.error().message;
  INFO(message);
  CHECK(message.find("exited before it answered") != std::string::npos);
  CHECK(message.find("log line 30") != std::string::npos);
  CHECK(message.find("log line 12") != std::string::npos);  // 19 log lines + the PATH line = 20
  CHECK(message.find("log line 11\n") == std::string::npos);
  CHECK(message.find("PATH=" + (dir.path() / "engine-bin").string() + ":") != std::string::npos);
  CHECK_FALSE(daemon.status().running);
}
