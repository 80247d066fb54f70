// The fsutil walk as the daemon's receiver expects it: order, Go file modes,
// stat fields, hardlinks, include/exclude/followpaths filtering.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "docker/dockerignore.h"
#include "session/walker.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

namespace {

using buildbench::session::FileStat;
using buildbench::session::WalkEntry;
using buildbench::session::WalkOptions;
namespace fs = std::filesystem;
namespace session = buildbench::session;

void touch(const fs::path& path, const std::string& content = "", time_t seconds = 1700000000, long nanos = 0) {
  buildbench::test::write_file(path, content);
  timespec times[2] = {{seconds, nanos}, {seconds, nanos}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

std::vector<WalkEntry> walk_all(const fs::path& root, const WalkOptions& options = {}) {
  std::vector<WalkEntry> entries;
  auto status = session::walk(root, options, [&](WalkEntry&& entry) {
    entries.push_back(std::move(entry));
    return buildbench::util::Status();
  });
  INFO((status ? std::string("ok") : status.error().message));
  REQUIRE(status.ok());
  return entries;
}

std::vector<std::string> paths_of(const std::vector<WalkEntry>& entries) {
  std::vector<std::string> paths;
  for (const auto& entry : entries) paths.push_back(entry.stat.path);
  return paths;
}

const FileStat& find(const std::vector<WalkEntry>& entries, const std::string& path) {
  for (const auto& entry : entries) {
    if (entry.stat.path == path) return entry.stat;
  }
  FAIL("no entry " << path);
  throw std::logic_error("unreachable");
}

WalkOptions excluding(const std::vector<std::string>& patterns) {
  auto matcher = buildbench::docker::IgnoreMatcher::from_patterns(patterns);
  REQUIRE(matcher.ok());
  auto shared = std::make_shared<buildbench::docker::IgnoreMatcher>(std::move(matcher).value());
  WalkOptions options;
  session::ExcludeRules rules;
  rules.excluded = [shared](const std::string& path) -> buildbench::util::Result<bool> {
    return shared->excluded(path);
  };
  rules.may_contain_reincluded = [shared](const std::string& dir) { return shared->may_contain_reincluded(dir); };
  options.excludes = rules;
  return options;
}

}  // namespace

TEST_CASE("go_file_mode matches Go's os.FileMode", "[session][walker]") {
  CHECK(session::go_file_mode(S_IFREG | 0644) == 0644u);
  CHECK(session::go_file_mode(S_IFDIR | 0755) == 0x800001EDu);
  CHECK(session::go_file_mode(S_IFLNK | 0777) == 0x080001FFu);
  CHECK(session::go_file_mode(S_IFIFO | 0600) == ((1u << 25) | 0600u));
  CHECK(session::go_file_mode(S_IFCHR | 0666) == ((1u << 26) | (1u << 21) | 0666u));
  CHECK(session::go_file_mode(S_IFBLK | 0660) == ((1u << 26) | 0660u));
  CHECK(session::go_file_mode(S_IFSOCK | 0755) == ((1u << 24) | 0755u));
  CHECK(session::go_file_mode(S_IFREG | S_ISUID | 0755) == ((1u << 23) | 0755u));
  CHECK(session::go_file_mode(S_IFDIR | S_ISGID | 0775) == (0x80000000u | (1u << 22) | 0775u));
  CHECK(session::go_file_mode(S_IFDIR | S_ISVTX | 0777) == (0x80000000u | (1u << 20) | 0777u));
}

TEST_CASE("go_path_match follows Go's filepath.Match", "[session][walker]") {
  CHECK(session::go_path_match("*.go", "main.go"));
  CHECK_FALSE(session::go_path_match("*.go", "cmd/main.go"));  // '*' never crosses '/'
  CHECK(session::go_path_match("cmd/*.go", "cmd/main.go"));
  CHECK(session::go_path_match("a?c", "abc"));
  CHECK_FALSE(session::go_path_match("a?c", "a/c"));
  CHECK(session::go_path_match("a?c", "aéc"));  // '?' is one rune, not one byte
  CHECK(session::go_path_match("[a-c]x", "bx"));
  CHECK_FALSE(session::go_path_match("[a-c]x", "dx"));
  CHECK(session::go_path_match("[^a-c]x", "dx"));
  CHECK(session::go_path_match("[^a]", "/"));  // Go's quirk: classes may match '/'
  CHECK(session::go_path_match("\\*", "*"));
  CHECK_FALSE(session::go_path_match("\\*", "x"));
  CHECK(session::go_path_match("*", ""));
  CHECK(session::go_path_match("**", "abc"));
  CHECK_FALSE(session::go_path_match("**", "a/b"));
  // Malformed patterns match nothing.
  CHECK_FALSE(session::go_path_match("[", "["));
  CHECK_FALSE(session::go_path_match("a[", "a["));
  CHECK_FALSE(session::go_path_match("[]a]", "]"));
  CHECK_FALSE(session::go_path_match("x\\", "x\\"));
  CHECK_FALSE(session::go_path_match("[a-]", "a"));

  // Never exponential: a backtracking matcher would take ages here.
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(session::go_path_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", std::string(3000, 'a')));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("clean_path is Go's filepath.Clean", "[session][walker]") {
  CHECK(session::clean_path("") == ".");
  CHECK(session::clean_path("a//b/./c/..") == "a/b");
  CHECK(session::clean_path("/../x") == "/x");
  CHECK(session::clean_path("../x/") == "../x");
  CHECK(session::clean_path("./") == ".");
  CHECK(session::clean_path("a/../..") == "..");
}

TEST_CASE("walk order: parents first, siblings bytewise, root not sent", "[session][walker]") {
  buildbench::util::TempDir root("bb-walk-");
  touch(root.path() / "b");
  touch(root.path() / "a.b");
  touch(root.path() / "Z");
  touch(root.path() / "a" / "x");
  touch(root.path() / "a" / "sub" / "y");
  auto entries = walk_all(root.path());
  CHECK(paths_of(entries) == std::vector<std::string>{"Z", "a", "a/sub", "a/sub/y", "a/x", "a.b", "b"});
}

TEST_CASE("walk stats: Go modes, sizes, ns mtimes, links, owner map", "[session][walker]") {
  buildbench::util::TempDir root("bb-walk-");
  touch(root.path() / "file.txt", "12345", 1700000000, 123456789);
  REQUIRE(::chmod((root.path() / "file.txt").c_str(), 0640) == 0);
  fs::create_directory(root.path() / "dir");
  REQUIRE(::chmod((root.path() / "dir").c_str(), 0750) == 0);
  fs::create_symlink("../../outside/target", root.path() / "link");
  touch(root.path() / "hard1", "hardlinked");
  REQUIRE(::link((root.path() / "hard1").c_str(), (root.path() / "hard2").c_str()) == 0);
  REQUIRE(::mkfifo((root.path() / "pipe").c_str(), 0600) == 0);

  SECTION("real owners") {
    auto entries = walk_all(root.path());
    const FileStat& file = find(entries, "file.txt");
    CHECK(file.mode == 0640u);
    CHECK(file.size == 5);
    CHECK(file.mod_time_ns == 1700000000123456789LL);
    CHECK(file.uid == ::getuid());
    CHECK(file.linkname.empty());

    const FileStat& dir = find(entries, "dir");
    CHECK(dir.mode == (session::kGoModeDir | 0750u));
    CHECK(dir.size == 0);

    const FileStat& link = find(entries, "link");
    CHECK(link.mode == (session::kGoModeSymlink | 0777u));
    CHECK(link.linkname == "../../outside/target");  // sent as a link, never followed
    CHECK(link.size == static_cast<int64_t>(std::strlen("../../outside/target")));

    const FileStat& first = find(entries, "hard1");
    const FileStat& second = find(entries, "hard2");
    CHECK(first.linkname.empty());
    CHECK(second.linkname == "hard1");
    CHECK(second.size == first.size);  // full size, as fsutil 20.10 sends it
    CHECK((second.mode & session::kGoModeType) == 0);

    CHECK(find(entries, "pipe").mode == (session::kGoModeNamedPipe | 0600u));
  }
  SECTION("context map: uid and gid forced to 0") {
    WalkOptions options;
    options.zero_owner = true;
    for (const auto& entry : walk_all(root.path(), options)) {
      CHECK(entry.stat.uid == 0);
      CHECK(entry.stat.gid == 0);
    }
  }
}

TEST_CASE("walk: sockets travel as empty regular files", "[session][walker]") {
  buildbench::util::TempDir root("bb-walk-");
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = (root.path() / "s.sock").string();
  REQUIRE(path.size() < sizeof(address.sun_path));
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  REQUIRE(::bind(sock, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
  auto entries = walk_all(root.path());
  ::close(sock);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].is_socket);
  CHECK((entries[0].stat.mode & session::kGoModeType) == 0);  // requestable, like the CLI
}

TEST_CASE("walk: include patterns", "[session][walker]") {
  buildbench::util::TempDir root("bb-walk-");
  touch(root.path() / "go.mod");
  touch(root.path() / "go.sum");
  touch(root.path() / "cmd" / "main.go");
  touch(root.path() / "cmd" / "README");
  touch(root.path() / "pkg" / "a" / "a.go");
  touch(root.path() / "pkg" / "b.go");
  touch(root.path() / "other" / "x");

  SECTION("a file deep down brings its parents, partially matched") {
    WalkOptions options;
    options.include_patterns = std::vector<std::string>{"cmd/main.go"};
    CHECK(paths_of(walk_all(root.path(), options)) == std::vector<std::string>{"cmd", "cmd/main.go"});
  }
  SECTION("a fully matched directory brings its whole subtree") {
    WalkOptions options;
    options.include_patterns = std::vector<std::string>{"pkg"};
    CHECK(paths_of(walk_all(root.path(), options)) ==
          std::vector<std::string>{"pkg", "pkg/a", "pkg/a/a.go", "pkg/b.go"});
  }
  SECTION("globs do not cross '/'; partial dirs are sent even when empty of matches") {
    WalkOptions options;
    options.include_patterns = std::vector<std::string>{"go.*", "*/*.go"};
    CHECK(paths_of(walk_all(root.path(), options)) ==
          std::vector<std::string>{"cmd", "cmd/main.go", "go.mod", "go.sum", "other", "pkg", "pkg/b.go"});
  }
}

TEST_CASE("walk: followpaths resolve symlinks into includes", "[session][walker]") {
  buildbench::util::TempDir root("bb-walk-");
  touch(root.path() / "Dockerfile");
  touch(root.path() / "real" / "conf.txt");
  touch(root.path() / "unrelated.txt");
  fs::create_symlink("real/conf.txt", root.path() / "conf-link");
  fs::create_symlink("/real", root.path() / "abs-link");  // absolute: re-rooted in the context

  SECTION("a relative link and its target") {
    WalkOptions options;
    options.follow_paths = std::vector<std::string>{"conf-link", "Dockerfile"};
    CHECK(paths_of(walk_all(root.path(), options)) ==
          std::vector<std::string>{"Dockerfile", "conf-link", "real", "real/conf.txt"});
  }
  SECTION("an absolute link resolves inside the root") {
    auto resolved = session::follow_links(root.path(), {"abs-link"});
    REQUIRE(resolved.ok());
    REQUIRE(resolved->has_value());
    CHECK(**resolved == std::vector<std::string>{"abs-link", "real"});
  }
  SECTION("'.' removes the filter") {
    WalkOptions options;
    options.follow_paths = std::vector<std::string>{".", "Dockerfile"};
    CHECK(walk_all(root.path(), options).size() == 6);
  }
  SECTION("wildcards in the last component are expanded (the pattern itself stays)") {
    auto resolved = session::follow_links(root.path(), {"conf-*"});
    REQUIRE(resolved.ok());
    REQUIRE(resolved->has_value());
    CHECK(**resolved == std::vector<std::string>{"conf-*", "real/conf.txt"});
  }
  SECTION("symlink loops terminate") {
    fs::create_symlink("loop-b", root.path() / "loop-a");
    fs::create_symlink("loop-a", root.path() / "loop-b");
    auto resolved = session::follow_links(root.path(), {"loop-a"});
    REQUIRE(resolved.ok());
  }
}

TEST_CASE("walk: exclude patterns, with exceptions re-opening directories", "[session][walker]") {
  buildbench::util::TempDir root("bb-walk-");
  touch(root.path() / "keep.txt");
  touch(root.path() / "secret.txt");
  touch(root.path() / "logs" / "a.log");
  touch(root.path() / "logs" / "keep.log");
  touch(root.path() / "node_modules" / "x" / "y.js");

  SECTION("excluded files and directories are not sent") {
    auto entries = walk_all(root.path(), excluding({"secret.txt", "node_modules", "logs"}));
    CHECK(paths_of(entries) == std::vector<std::string>{"keep.txt"});
  }
  SECTION("an exception re-opens its directory") {
    auto entries = walk_all(root.path(), excluding({"logs", "!logs/keep.log"}));
    CHECK(paths_of(entries) ==
          std::vector<std::string>{"keep.txt", "logs", "logs/keep.log", "node_modules", "node_modules/x",
                                   "node_modules/x/y.js", "secret.txt"});
  }
  SECTION("an include filter and excludes combine") {
    WalkOptions options = excluding({"logs/a.log"});
    options.include_patterns = std::vector<std::string>{"logs"};
    CHECK(paths_of(walk_all(root.path(), options)) == std::vector<std::string>{"logs", "logs/keep.log"});
  }
}

TEST_CASE("walk errors name the path - a visitor error stops the walk", "[session][walker]") {
  buildbench::util::TempDir root("bb-walk-");
  touch(root.path() / "file");
  auto missing = session::walk(root.path() / "nope", {}, [](WalkEntry&&) { return buildbench::util::Status(); });
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("nope") != std::string::npos);

  auto not_dir = session::walk(root.path() / "file", {}, [](WalkEntry&&) { return buildbench::util::Status(); });
  REQUIRE_FALSE(not_dir.ok());
  CHECK(not_dir.error().message.find("not a directory") != std::string::npos);

  touch(root.path() / "more");
  int visited = 0;
  auto stopped = session::walk(root.path(), {}, [&](WalkEntry&&) -> buildbench::util::Status {
    ++visited;
    return buildbench::util::error("stop here");
  });
  REQUIRE_FALSE(stopped.ok());
  CHECK(stopped.error().message == "stop here");
  CHECK(visited == 1);
}

TEST_CASE("walk: a symlinked root is resolved, symlinked subdirectories are not entered", "[session][walker]") {
  buildbench::util::TempDir root("bb-walk-");
  touch(root.path() / "real" / "inner.txt");
  fs::create_symlink("real", root.path() / "alias");
  fs::create_directory_symlink(root.path() / "real", root.path() / "dirlink");
  auto through_alias = walk_all(root.path() / "alias");
  CHECK(paths_of(through_alias) == std::vector<std::string>{"inner.txt"});
  auto entries = walk_all(root.path());
  CHECK(paths_of(entries) == std::vector<std::string>{"alias", "dirlink", "real", "real/inner.txt"});
}
