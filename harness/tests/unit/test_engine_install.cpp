#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "engine/engine_daemon.h"
#include "engine/install.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench;
namespace fs = std::filesystem;

namespace {

void write_executable(const fs::path& path, const std::string& script) {
  fs::create_directories(path.parent_path());
  test::write_file(path, script);
  ::chmod(path.c_str(), 0755);
}

bool contains(const std::vector<std::string>& argv, const std::string& value) {
  return std::find(argv.begin(), argv.end(), value) != argv.end();
}

}  // namespace

TEST_CASE("mirror from deb822 .sources: the main archive, not security", "[engine][install]") {
  const std::string sources = R"(Types: deb
# http://snapshot.example/archive/debian-security/20250520T000000Z
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm
Components: main

Types: deb
# a comment inside the stanza
URIs: http://mirror.example/debian http://second.example/debian
Suites: bookworm bookworm-updates
Components: main
)";
  CHECK(engine::mirror_from_deb822(sources) == "http://mirror.example/debian");
  CHECK_FALSE(engine::mirror_from_deb822("Types: deb\nURIs: http://x/debian-security\nSuites: bookworm-security\n"));
  CHECK_FALSE(engine::mirror_from_deb822("Types: deb\nEnabled: no\nURIs: http://x/debian\nSuites: bookworm\n"));
  CHECK(engine::mirror_from_deb822("types: deb\r\nuris: http://crlf/debian\r\nsuites: bookworm\r\n") ==
        "http://crlf/debian");
  CHECK_FALSE(engine::mirror_from_deb822(""));
}

TEST_CASE("mirror from one-line sources.list", "[engine][install]") {
  const std::string list = R"(# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb http://security.example/debian-security bookworm-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm main
)";
  CHECK(engine::mirror_from_one_line(list) == "http://mirror.example/debian");
  CHECK(engine::mirror_from_one_line("deb [ arch=amd64 ] http://spaced.example/debian bookworm main\n") ==
        "http://spaced.example/debian");
  CHECK(engine::mirror_from_one_line("deb http://plain.example/debian bookworm main") == "http://plain.example/debian");
  CHECK_FALSE(engine::mirror_from_one_line("deb http://truncated.example/debian\n"));
  CHECK_FALSE(engine::mirror_from_one_line(""));
}

TEST_CASE("system_mirror reads sources.list.d/*.sources first, then the one-line files", "[engine][install]") {
  util::TempDir etc("engine-apt-");
  fs::create_directories(etc.path() / "sources.list.d");
  auto none = engine::system_mirror(etc.path());
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("no Debian mirror") != std::string::npos);

  test::write_file(etc.path() / "sources.list", "deb http://oneline.example/debian bookworm main\n");
  CHECK(engine::system_mirror(etc.path()).value() == "http://oneline.example/debian");
  test::write_file(etc.path() / "sources.list.d" / "debian.sources",
                   "Types: deb\nURIs: http://deb822.example/debian\nSuites: bookworm\nComponents: main\n");
  CHECK(engine::system_mirror(etc.path()).value() == "http://deb822.example/debian");
}

TEST_CASE("apt runs with private sources, lists, cache and no dpkg status", "[engine][install]") {
  auto dirs = engine::apt_dirs_under("/s/apt");
  CHECK(dirs.sources_list == "/s/apt/sources.list");
  auto update = engine::apt_update_argv(dirs);
  REQUIRE(update.size() > 2);
  CHECK(update.front() == "apt-get");
  CHECK(update.back() == "update");
  CHECK(contains(update, "Dir::Etc::SourceList=/s/apt/sources.list"));
  CHECK(contains(update, "Dir::Etc::SourceParts=/dev/null"));
  CHECK(contains(update, "Dir::State::Lists=/s/apt/lists"));
  CHECK(contains(update, "Dir::Cache=/s/apt/cache"));
  CHECK(contains(update, "Dir::State::Status=/dev/null"));
  // Every setting comes after its own -o.
  for (size_t i = 0; i < update.size(); ++i) {
    if (update[i].rfind("Dir::", 0) == 0) CHECK(update[i - 1] == "-o");
  }
  const auto* forky = engine::find_engine("28.5");
  REQUIRE(forky != nullptr);
  auto download = engine::apt_download_argv(dirs, forky->components);
  CHECK(contains(download, "download"));
  CHECK(contains(download, "docker.io=28.5.2+dfsg4-5"));
  CHECK(contains(download, "containerd=2.1.9+ds1-5"));
  CHECK(contains(download, "docker-cli=28.5.2+dfsg4-5"));
  CHECK(contains(download, "docker-buildx=0.29.1+ds1-4"));
  CHECK(contains(download, "Dir::State::Status=/dev/null"));

  CHECK(engine::private_sources_list("http://m.example/debian", {"trixie", "forky"}) ==
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://m.example/debian trixie main\n"
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://m.example/debian forky main\n");
}

TEST_CASE("the loader's missing symbol version names the binary and the version", "[engine][install]") {
  auto missing = engine::parse_loader_error(
      "/e/usr/sbin/runc: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by "
      "/e/usr/sbin/runc)\n");
  REQUIRE(missing);
  CHECK(missing->binary == "/e/usr/sbin/runc");
  CHECK(missing->library == "/lib/x86_64-linux-gnu/libc.so.6");
  CHECK(missing->symbol_version == "GLIBC_2.38");

  auto second_line = engine::parse_loader_error(
      "some noise\n/x/dockerd: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.39' not found (required by "
      "/x/dockerd)\n/x/dockerd: /lib/libc.so.6: version `GLIBC_2.38' not found (required by /x/dockerd)\n");
  REQUIRE(second_line);
  CHECK(second_line->symbol_version == "GLIBC_2.39");
  CHECK_FALSE(engine::parse_loader_error("dockerd: unknown flag --version"));
  CHECK_FALSE(engine::parse_loader_error(""));
}

TEST_CASE("a binary that cannot run here is named with the symbol it lacks", "[engine][install]") {
  util::TempDir root("engine-bins-");
  engine::EngineLayout layout{root.path() / "28.5"};
  const std::string ok = "#!/bin/sh\necho version 1\n";
  write_executable(layout.tree() / "usr/sbin/dockerd", ok);
  write_executable(layout.tree() / "usr/bin/containerd", ok);
  write_executable(layout.tree() / "usr/bin/docker", ok);
  // A fake that fails as ld.so does for a binary built against a newer glibc.
  write_executable(layout.tree() / "usr/bin/containerd-shim-runc-v2",
                   "#!/bin/sh\necho \"$0: /lib/x86_64-linux-gnu/libc.so.6: version \\`GLIBC_2.38' not found "
                   "(required by $0)\" >&2\nexit 1\n");
  auto checked = engine::check_binaries_run(layout);
  REQUIRE_FALSE(checked);
  CHECK(checked.error().message.find("containerd-shim-runc-v2 cannot run on this system") != std::string::npos);
  CHECK(checked.error().message.find("GLIBC_2.38") != std::string::npos);

  write_executable(layout.tree() / "usr/bin/containerd-shim-runc-v2", ok);
  CHECK(engine::check_binaries_run(layout));

  fs::remove(layout.tree() / "usr/bin/containerd");
  auto lacking = engine::check_binaries_run(layout);
  REQUIRE_FALSE(lacking);
  CHECK(lacking.error().message.find("lacks") != std::string::npos);
}

TEST_CASE("a half-finished install is detected, never used, and redone", "[engine][install]") {
  util::TempDir root("engine-state-");
  const auto& spec = *engine::find_engine("28.5");
  auto layout = engine::layout_for(spec.name, root.path());
  CHECK(layout.dir == root.path() / "28.5");
  CHECK(engine::install_state(spec, layout) == engine::InstallState::Missing);

  // Killed after unpacking, before the marker.
  write_executable(layout.dockerd(), "#!/bin/sh\n");
  CHECK(engine::install_state(spec, layout) == engine::InstallState::HalfFinished);
  CHECK_FALSE(engine::is_installed(spec, root.path()));
  auto listed = engine::list_engines(root.path());
  REQUIRE(listed.size() == 3);
  CHECK(listed[2].half_finished);
  CHECK_FALSE(listed[2].installed);
  CHECK(listed[2].detail.find("half-finished") != std::string::npos);

  // A marker of other versions is not this engine either.
  auto other = spec;
  other.components[0].version = "28.5.1+dfsg1-1";
  test::write_file(layout.marker(), engine::marker_json(other, "test"));
  CHECK(engine::install_state(spec, layout) == engine::InstallState::HalfFinished);
  test::write_file(layout.marker(), "{\"name\": \"28.5\", \"comp");  // torn write
  CHECK(engine::install_state(spec, layout) == engine::InstallState::HalfFinished);

  test::write_file(layout.marker(), engine::marker_json(spec, "test"));
  CHECK(engine::install_state(spec, layout) == engine::InstallState::Installed);
  CHECK(engine::is_installed(spec, root.path()));
  CHECK(engine::newest_installed(root.path()) == &spec);

  // The marker alone, without the tree, is not an install.
  fs::remove(layout.dockerd());
  CHECK(engine::install_state(spec, layout) == engine::InstallState::HalfFinished);
}

TEST_CASE("install --from-debs names the .debs it lacks and leaves nothing behind", "[engine][install]") {
  util::TempDir root("engine-state-");
  util::TempDir debs("engine-debs-");
  const auto& spec = *engine::find_engine("26.1");
  // A half-finished install and a staging directory of a killed install.
  auto layout = engine::layout_for(spec.name, root.path());
  write_executable(layout.dockerd(), "#!/bin/sh\n");
  fs::create_directories(root.path() / ".26.1.partial-999999");
  engine::InstallOptions options;
  options.root = root.path();
  options.from_debs = debs.path();
  std::vector<std::string> progress;
  options.progress = [&](std::string_view line) { progress.emplace_back(line); };
  auto installed = engine::install_engine(spec, options);
  REQUIRE_FALSE(installed);
  CHECK(installed.error().message.find("lacks the .debs of engine 26.1") != std::string::npos);
  CHECK(installed.error().message.find("docker.io_26.1.5+dfsg1-9+deb13u1+b1_amd64.deb") != std::string::npos);
  CHECK(installed.error().message.find("containerd_1.7.24~ds1-6+deb13u1_amd64.deb") != std::string::npos);
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.front().find("half-finished") != std::string::npos);
  // The half-finished tree and every staging directory are gone.
  CHECK(fs::is_empty(root.path()));

  options.from_debs = root.path() / "no-such-dir";
  auto missing_dir = engine::install_engine(spec, options);
  REQUIRE_FALSE(missing_dir);
  CHECK(missing_dir.error().message.find("not a directory") != std::string::npos);

  auto system = engine::install_engine(engine::system_engine(), options);
  REQUIRE_FALSE(system);
  CHECK(system.error().message.find("apt-get install docker.io") != std::string::npos);
}

TEST_CASE("install without a reachable mirror says what failed and the offline way", "[engine][install]") {
  util::TempDir root("engine-state-");
  util::TempDir etc("engine-apt-");
  engine::InstallOptions options;
  options.root = root.path();
  options.apt_etc = etc.path();  // no sources at all
  auto installed = engine::install_engine(*engine::find_engine("28.5"), options);
  REQUIRE_FALSE(installed);
  CHECK(installed.error().message.find("no Debian mirror") != std::string::npos);
  CHECK(installed.error().message.find("--from-debs") != std::string::npos);
  CHECK(fs::is_empty(root.path()));
}

TEST_CASE("engines_dir follows BUILDBENCH_STATE_DIR", "[engine][install]") {
  {
    test::ScopedEnv state("BUILDBENCH_STATE_DIR", "/tmp/bb-state");
    CHECK(engine::engines_dir() == "/tmp/bb-state/engines");
  }
  test::ScopedEnv unset("BUILDBENCH_STATE_DIR", std::nullopt);
  CHECK(engine::engines_dir() == "/var/lib/buildbench/engines");
}

TEST_CASE("engine option: unknown names list the known ones - not installed says how", "[engine][install]") {
  auto unknown = engine::known_engine("27.0");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("20.10, 26.1, 28.5") != std::string::npos);
  util::TempDir root("engine-state-");
  auto missing = engine::installed_engine("28.5", root.path());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("buildbench engine install 28.5") != std::string::npos);
}

TEST_CASE("install with an unreachable mirror: what failed, and --from-debs", "[engine][install]") {
  util::TempDir root("engine-state-");
  util::TempDir etc("engine-apt-");
  // Port 9 on loopback: nothing listens, the connection is refused at once.
  test::write_file(etc.path() / "sources.list", "deb http://127.0.0.1:9/debian bookworm main\n");
  engine::InstallOptions options;
  options.root = root.path();
  options.apt_etc = etc.path();
  auto installed = engine::install_engine(*engine::find_engine("28.5"), options);
  REQUIRE_FALSE(installed);
  INFO(installed.error().message);
  CHECK(installed.error().message.find("apt-get update from http://127.0.0.1:9/debian (forky) failed") !=
        std::string::npos);
  CHECK(installed.error().message.find("buildbench engine install 28.5 --from-debs DIR") != std::string::npos);
  CHECK(fs::is_empty(root.path()));
}
