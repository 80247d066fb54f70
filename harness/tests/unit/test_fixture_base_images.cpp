// Offline base images: what can be checked without a daemon (spec hashing,
// the import's changes, manifests, the busybox rootfs and its adduser /
// addgroup scripts, the tarball writer, image-name parsing).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fixture/base_images.h"
#include "support/test_support.h"
#include "util/process.h"
#include "util/temp_dir.h"

namespace fs = std::filesystem;
using namespace buildbench;
using fixture::BaseImageSpec;

namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

const fs::path kHostBusybox = "/bin/busybox";

// The scripts run under the host's busybox sh against a rootfs in a temp dir.
util::ProcessOutput run_script(const fs::path& rootfs, const std::string& script, std::vector<std::string> args) {
  std::vector<std::string> argv = {kHostBusybox.string(), "sh", (rootfs / "usr/sbin" / script).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  util::RunOptions options;
  options.extra_env = {"BUILDBENCH_ROOTFS=" + rootfs.string(), "PATH=" + (rootfs / "bin").string()};
  auto result = util::run_process(argv, options);
  REQUIRE(result.ok());
  return *result;
}

}  // namespace

TEST_CASE("rootfs key follows the rootfs inputs, not the image config", "[fixture][base_images]") {
  BaseImageSpec go = fixture::go_build_image_spec("http://127.0.0.1:3000");
  const std::string key = fixture::rootfs_key(go, "");
  CHECK(key.size() == 16);
  CHECK(key == fixture::rootfs_key(fixture::go_build_image_spec("http://127.0.0.1:3000"), ""));

  // A new proxy URL is image config: same tarball, different image.
  BaseImageSpec other_proxy = fixture::go_build_image_spec("http://127.0.0.1:4000");
  CHECK(fixture::rootfs_key(other_proxy, "") == key);
  CHECK(fixture::image_spec_hash(other_proxy, key) != fixture::image_spec_hash(go, key));

  BaseImageSpec other_suite = go;
  other_suite.suite = "bookworm";
  CHECK(fixture::rootfs_key(other_suite, "") != key);
  BaseImageSpec more_packages = go;
  more_packages.include_packages.push_back("git");
  CHECK(fixture::rootfs_key(more_packages, "") != key);
  CHECK(fixture::rootfs_key(go, "fingerprint") != key);

  BaseImageSpec busybox = fixture::busybox_runtime_image_spec();
  CHECK(fixture::rootfs_key(busybox, "aaaa") != fixture::rootfs_key(busybox, "bbbb"));
  CHECK(fixture::image_spec_hash(busybox, "k1") != fixture::image_spec_hash(busybox, "k2"));
}

TEST_CASE("the Go image's changes set Go's environment and say what the image is", "[fixture][base_images]") {
  BaseImageSpec go = fixture::go_build_image_spec("http://127.0.0.1:3000");
  fixture::RootfsManifest manifest;
  manifest.made_by = "debootstrap --variant=minbase --include=golang-1.24-go trixie";
  manifest.package = "golang-1.24-go";
  manifest.package_version = "1.24.4-1";
  manifest.created = "2026-11-29T16:00:00Z";
  auto changes = fixture::image_changes(go, manifest, "0123456789abcdef");

  CHECK(contains(changes, R"(ENV PATH="/usr/lib/go-1.24/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")"));
  CHECK(contains(changes, R"(ENV GOPATH="/go")"));
  CHECK(contains(changes, R"(ENV GOTOOLCHAIN="local")"));
  CHECK(contains(changes, R"(ENV GOPROXY="http://127.0.0.1:3000")"));
  CHECK(contains(changes, R"(ENV GOSUMDB="off")"));
  CHECK(contains(changes, "WORKDIR /go"));
  CHECK(contains(changes, R"(CMD ["/bin/sh"])"));
  CHECK(contains(changes, R"(LABEL org.buildbench.base="go-1.24")"));
  CHECK(contains(changes, R"(LABEL org.buildbench.spec-hash="0123456789abcdef")"));
  CHECK(contains(changes, R"(LABEL org.buildbench.debootstrap-suite="trixie")"));
  CHECK(contains(changes, R"(LABEL org.buildbench.package-version="1.24.4-1")"));
  CHECK(contains(changes, R"(LABEL org.buildbench.made-by="debootstrap --variant=minbase --include=golang-1.24-go trixie")"));
  CHECK(contains(changes, R"(LABEL org.buildbench.created="2026-11-29T16:00:00Z")"));

  // The Dockerfile parser would expand $ and end the value at a quote.
  BaseImageSpec odd = go;
  odd.env = {{"X", R"(a "b" $HOME \c)"}};
  auto odd_changes = fixture::image_changes(odd, manifest, "h");
  CHECK(contains(odd_changes, R"(ENV X="a \"b\" \$HOME \\c")"));

  auto runtime_changes = fixture::image_changes(fixture::busybox_runtime_image_spec(), manifest, "h");
  CHECK(contains(runtime_changes, R"(LABEL org.buildbench.base="runtime-busybox")"));
  CHECK(std::none_of(runtime_changes.begin(), runtime_changes.end(),
                     [](const std::string& c) { return c.find("debootstrap-suite") != std::string::npos; }));
}

TEST_CASE("rootfs manifests round-trip and bad ones are refused", "[fixture][base_images]") {
  fixture::RootfsManifest manifest;
  manifest.name = "go-1.24";
  manifest.rootfs_key = "0123456789abcdef";
  manifest.made_by = "debootstrap";
  manifest.package = "golang-1.24-go";
  manifest.package_version = "1.24.4-1";
  manifest.created = "2026-11-29T16:00:00Z";
  manifest.tarball_bytes = 123456789012ULL;
  auto parsed = fixture::manifest_from_json(fixture::manifest_to_json(manifest));
  REQUIRE(parsed.ok());
  CHECK(parsed->name == manifest.name);
  CHECK(parsed->rootfs_key == manifest.rootfs_key);
  CHECK(parsed->package_version == manifest.package_version);
  CHECK(parsed->tarball_bytes == manifest.tarball_bytes);

  CHECK_FALSE(fixture::manifest_from_json("").ok());
  CHECK_FALSE(fixture::manifest_from_json("{\"schema\":1}").ok());
  CHECK_FALSE(fixture::manifest_from_json("{\"schema\":2,\"name\":\"x\"}").ok());
  CHECK_FALSE(fixture::manifest_from_json("[1,2").ok());
  std::string truncated = fixture::manifest_to_json(manifest);
  CHECK_FALSE(fixture::manifest_from_json(truncated.substr(0, truncated.size() / 2)).ok());
}

TEST_CASE("dpkg status: the version of an installed package only", "[fixture][base_images]") {
  const std::string status =
      "Package: golang-1.24-src\n"
      "Status: install ok installed\n"
      "Version: 1.24.4-1\n"
      "\n"
      "Package: golang-1.24-go\n"
      "Status: install ok installed\n"
      "Priority: optional\n"
      "Version: 1.24.4-1\n"
      "Description: Go compiler\n"
      " continued description line\n"
      "\n"
      "Package: removed-thing\n"
      "Status: deinstall ok config-files\n"
      "Version: 2.0\n";
  CHECK(fixture::dpkg_status_version(status, "golang-1.24-go") == std::optional<std::string>("1.24.4-1"));
  CHECK_FALSE(fixture::dpkg_status_version(status, "removed-thing").has_value());
  CHECK_FALSE(fixture::dpkg_status_version(status, "golang-1.24").has_value());
  CHECK_FALSE(fixture::dpkg_status_version("", "x").has_value());
  CHECK_FALSE(fixture::dpkg_status_version("\n\n\nPackage:\n", "").has_value());
  // Last stanza without a trailing newline, CRLF line ends.
  CHECK(fixture::dpkg_status_version("Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n", "a") ==
        std::optional<std::string>("1"));
}

TEST_CASE("static ELF detection tells busybox-static from a dynamic program", "[fixture][base_images]") {
  CHECK_FALSE(fixture::is_static_elf(""));
  CHECK_FALSE(fixture::is_static_elf("\x7f" "ELF"));
  CHECK_FALSE(fixture::is_static_elf(std::string(64, '\0')));
  std::string header(64, '\0');
  header.replace(0, 4, "\x7f" "ELF");
  header[4] = 2;  // 64-bit
  header[5] = 1;  // little-endian
  header[54] = 56;  // e_phentsize
  header[56] = static_cast<char>(0xff);  // e_phnum far beyond the bytes
  header[32] = 64;  // e_phoff
  CHECK_FALSE(fixture::is_static_elf(header));

  auto ls = test::read_file("/bin/ls");
  CHECK_FALSE(fixture::is_static_elf(ls));
  if (fs::exists(kHostBusybox)) {
    auto busybox = test::read_file(kHostBusybox);
    CHECK(fixture::is_static_elf(busybox));
    // Truncated anywhere, it must not read past the end.
    for (size_t cut : {size_t{16}, size_t{63}, size_t{64}, size_t{100}, size_t{300}}) {
      (void)fixture::is_static_elf(std::string_view(busybox).substr(0, cut));
    }
  } else {
    WARN("no /bin/busybox (Debian's busybox-static); static ELF check of busybox not run");
  }
}

TEST_CASE("image references split into repository and tag", "[fixture][base_images]") {
  auto split = [](std::string_view text) { return fixture::split_image_reference(text); };
  CHECK(*split("golang:1.24-alpine") == std::pair<std::string, std::string>("golang", "1.24-alpine"));
  CHECK(*split("alpine") == std::pair<std::string, std::string>("alpine", "latest"));
  CHECK(*split("buildbench/runtime:busybox") == std::pair<std::string, std::string>("buildbench/runtime", "busybox"));
  CHECK(*split("localhost:5000/team/go") == std::pair<std::string, std::string>("localhost:5000/team/go", "latest"));
  CHECK(*split("localhost:5000/team/go:v1") == std::pair<std::string, std::string>("localhost:5000/team/go", "v1"));
  CHECK_FALSE(split("").ok());
  CHECK_FALSE(split("golang@sha256:abcd").ok());
  CHECK_FALSE(split("Golang:1").ok());
  CHECK_FALSE(split("golang:").ok());
  CHECK_FALSE(split("golang:-x").ok());
  CHECK_FALSE(split("go lang").ok());
  CHECK_FALSE(split("golang?x=1").ok());
  CHECK_FALSE(split("a//b").ok());
  CHECK_FALSE(split(":tag").ok());

  auto entry = fixture::parse_mapping_entry("golang:1.24-alpine=buildbench/go:1.24");
  REQUIRE(entry.ok());
  CHECK(entry->first == "golang:1.24-alpine");
  CHECK(entry->second == "buildbench/go:1.24");
  CHECK_FALSE(fixture::parse_mapping_entry("golang:1.24-alpine").ok());
  CHECK_FALSE(fixture::parse_mapping_entry("=buildbench/go:1.24").ok());
  CHECK_FALSE(fixture::parse_mapping_entry("golang=").ok());
  CHECK_FALSE(fixture::parse_mapping_entry("golang=Bad Name").ok());

  auto mapping = fixture::default_base_image_mapping();
  CHECK(mapping.at("golang:1.24-alpine") == fixture::go_build_image_spec("x").reference());
  CHECK(mapping.at("alpine:3.21") == fixture::busybox_runtime_image_spec().reference());
}

TEST_CASE("the cache directory honours BUILDBENCH_CACHE_DIR", "[fixture][base_images]") {
  {
    const test::ScopedEnv set("BUILDBENCH_CACHE_DIR", "/some/where");
    CHECK(fixture::default_cache_dir() == fs::path("/some/where/base-images"));
  }
  const test::ScopedEnv unset("BUILDBENCH_CACHE_DIR", std::nullopt);
  CHECK_FALSE(fixture::default_cache_dir().empty());
}

TEST_CASE("the busybox runtime rootfs has what the post's Dockerfile uses", "[fixture][base_images]") {
  if (!fs::exists(kHostBusybox)) {
    WARN("no /bin/busybox (apt-get install busybox-static); busybox rootfs not tested");
    return;
  }
  util::TempDir dir("bb-rootfs-test-");
  const fs::path root = dir.path();
  auto built = fixture::build_busybox_rootfs(kHostBusybox, root);
  REQUIRE(built.ok());

  CHECK(fs::is_regular_file(root / "bin/busybox"));
  CHECK(fs::file_size(root / "bin/busybox") == fs::file_size(kHostBusybox));
  for (const char* applet : {"bin/sh", "bin/ls", "bin/cat", "bin/mkdir"}) {
    INFO(applet);
    REQUIRE(fs::is_symlink(root / applet));
    CHECK(fs::read_symlink(root / applet) == fs::path("/bin/busybox"));
  }
  for (const char* script : {"usr/sbin/adduser", "usr/sbin/addgroup"}) {
    INFO(script);
    REQUIRE(fs::exists(fs::symlink_status(root / script)));
    CHECK((fs::status(root / script).permissions() & fs::perms::owner_exec) != fs::perms::none);
  }
  CHECK(test::read_file(root / "etc/passwd").rfind("root:x:0:0:root:/root:/bin/sh\n", 0) == 0);
  CHECK(test::read_file(root / "etc/group").rfind("root:x:0:root\n", 0) == 0);
  CHECK((fs::status(root / "tmp").permissions() & fs::perms::all) == fs::perms::all);
  CHECK((fs::status(root / "tmp").permissions() & fs::perms::sticky_bit) != fs::perms::none);
  CHECK(fs::is_directory(root / "home"));

  // A second build into the same, now non-empty, directory is refused.
  CHECK_FALSE(fixture::build_busybox_rootfs(kHostBusybox, root).ok());
  util::TempDir empty("bb-rootfs-test-");
  CHECK_FALSE(fixture::build_busybox_rootfs(root / "etc/passwd", empty.path()).ok());  // not an ELF
  CHECK_FALSE(fixture::build_busybox_rootfs("/bin/ls", empty.path()).ok());          // dynamic
}

TEST_CASE("adduser and addgroup scripts behave like Alpine's for the post's Dockerfile", "[fixture][base_images]") {
  if (!fs::exists(kHostBusybox)) {
    WARN("no /bin/busybox; adduser/addgroup scripts not tested");
    return;
  }
  util::TempDir dir("bb-users-test-");
  const fs::path root = dir.path();
  REQUIRE(fixture::build_busybox_rootfs(kHostBusybox, root).ok());

  auto group = run_script(root, "addgroup", {"-S", "app"});
  INFO(group.err);
  REQUIRE(group.exit_code == 0);
  auto user = run_script(root, "adduser", {"-S", "app", "-G", "app"});
  INFO(user.err);
  REQUIRE(user.exit_code == 0);

  std::string passwd = test::read_file(root / "etc/passwd");
  std::string groups = test::read_file(root / "etc/group");
  CHECK(groups.find("\napp:x:100:\n") != std::string::npos);
  CHECK(passwd.find("\napp:x:100:100:Linux User,,,:/home/app:/sbin/nologin\n") != std::string::npos);
  if (::geteuid() == 0) {
    struct stat info {};
    REQUIRE(::stat((root / "home/app").c_str(), &info) == 0);
    CHECK(info.st_uid == 100);
    CHECK(info.st_gid == 100);
  }

  // Names in use, unknown groups and bad names fail with a message.
  auto again = run_script(root, "addgroup", {"-S", "app"});
  CHECK(again.exit_code != 0);
  CHECK(again.err.find("in use") != std::string::npos);
  auto again_user = run_script(root, "adduser", {"-S", "app"});
  CHECK(again_user.exit_code != 0);
  auto no_group = run_script(root, "adduser", {"-S", "svc", "-G", "nosuchgroup"});
  CHECK(no_group.exit_code != 0);
  CHECK(no_group.err.find("unknown group") != std::string::npos);
  CHECK(run_script(root, "adduser", {"-S", "bad:name"}).exit_code != 0);
  CHECK(run_script(root, "addgroup", {}).exit_code != 0);

  // A system user without -G lands in nogroup, with the next free UID.
  auto svc = run_script(root, "adduser", {"-S", "-H", "svc"});
  REQUIRE(svc.exit_code == 0);
  passwd = test::read_file(root / "etc/passwd");
  CHECK(passwd.find("\nsvc:x:101:65533:") != std::string::npos);
  CHECK_FALSE(fs::exists(root / "home/svc"));

  // A normal user gets a group of its own, UID from 1000; `addgroup USER GROUP` adds members.
  auto person = run_script(root, "adduser", {"-D", "-u", "1500", "person"});
  REQUIRE(person.exit_code == 0);
  groups = test::read_file(root / "etc/group");
  CHECK(groups.find("\nperson:x:1500:\n") != std::string::npos);
  REQUIRE(run_script(root, "addgroup", {"person", "app"}).exit_code == 0);
  REQUIRE(run_script(root, "addgroup", {"svc", "app"}).exit_code == 0);
  REQUIRE(run_script(root, "addgroup", {"person", "app"}).exit_code == 0);  // no duplicate member
  groups = test::read_file(root / "etc/group");
  CHECK(groups.find("\napp:x:100:person,svc\n") != std::string::npos);
  CHECK(run_script(root, "addgroup", {"nobody-here", "app"}).exit_code != 0);
}

TEST_CASE("rootfs tarballs are written whole or not at all", "[fixture][base_images]") {
  util::TempDir dir("bb-tar-test-");
  const fs::path tree = dir.path() / "tree";
  test::write_file(tree / "etc/hostname", "x\n");
  test::write_file(tree / "dev/null-standin", "should be left out\n");
  test::write_file(tree / "var/cache/apt/archives/pkg_1.0_amd64.deb", "left out\n");
  test::write_file(tree / "var/lib/apt/lists/list", "left out\n");
  fs::create_directories(tree / "proc/1");
  const fs::path tarball = dir.path() / "out.tar";

  auto written = fixture::write_rootfs_tarball(tree, tarball);
  REQUIRE(written.ok());
  auto listing = util::run_process({"tar", "-tf", tarball.string()});
  REQUIRE(listing.ok());
  REQUIRE(listing->exit_code == 0);
  const std::string& names = listing->out;
  CHECK(names.find("./etc/hostname\n") != std::string::npos);
  CHECK(names.find("./dev/\n") != std::string::npos);  // the mount point stays
  CHECK(names.find("null-standin") == std::string::npos);
  CHECK(names.find(".deb") == std::string::npos);
  CHECK(names.find("apt/lists/list") == std::string::npos);
  CHECK(names.find("./proc/1") == std::string::npos);

  // Same tree, same bytes.
  const fs::path second = dir.path() / "again.tar";
  REQUIRE(fixture::write_rootfs_tarball(tree, second).ok());
  CHECK(test::read_file(tarball) == test::read_file(second));

  // A failing tar leaves neither the final name nor a temp file behind.
  const fs::path missing_out = dir.path() / "missing.tar";
  CHECK_FALSE(fixture::write_rootfs_tarball(dir.path() / "no-such-tree", missing_out).ok());
  CHECK_FALSE(fs::exists(missing_out));
  const fs::path unwritable = dir.path() / "no-such-dir" / "x.tar";
  CHECK_FALSE(fixture::write_rootfs_tarball(tree, unwritable).ok());
  size_t leftovers = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) ++leftovers;
  }
  CHECK(leftovers == 0);
}
