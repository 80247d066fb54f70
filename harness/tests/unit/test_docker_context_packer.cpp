// The tar build context: what is sent, in which order, with which metadata,
// byte-identical for the same tree, and with bounded memory.
#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "docker/context_packer.h"
#include "support/test_support.h"
#include "util/hash.h"
#include "util/temp_dir.h"

namespace fs = std::filesystem;
using buildbench::docker::ContextPacker;
using buildbench::docker::ContextSource;
using buildbench::docker::pack_context_to_string;
using buildbench::test::write_file;

namespace {

struct TarEntry {
  std::string path;
  char type = '?';  // f file, d dir, l symlink, h hardlink
  int64_t size = 0;
  unsigned perm = 0;
  int64_t uid = -1;
  int64_t gid = -1;
  std::string uname;
  std::string gname;
  int64_t mtime = 0;
  std::string link;
  std::string content;
};

std::vector<TarEntry> read_tar(const std::string& tar) {
  std::vector<TarEntry> entries;
  archive* reader = archive_read_new();
  archive_read_support_format_tar(reader);
  REQUIRE(archive_read_open_memory(reader, tar.data(), tar.size()) == ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (true) {
    const int status = archive_read_next_header(reader, &entry);
    if (status == ARCHIVE_EOF) break;
    INFO(archive_error_string(reader));
    REQUIRE(status == ARCHIVE_OK);
    TarEntry e;
    const char* utf8 = archive_entry_pathname_utf8(entry);
    e.path = utf8 != nullptr ? utf8 : archive_entry_pathname(entry);
    e.size = archive_entry_size(entry);
    e.perm = static_cast<unsigned>(archive_entry_perm(entry));
    e.uid = archive_entry_uid(entry);
    e.gid = archive_entry_gid(entry);
    e.uname = archive_entry_uname(entry) != nullptr ? archive_entry_uname(entry) : "";
    e.gname = archive_entry_gname(entry) != nullptr ? archive_entry_gname(entry) : "";
    e.mtime = archive_entry_mtime(entry);
    if (archive_entry_hardlink(entry) != nullptr) {
      e.type = 'h';
      e.link = archive_entry_hardlink(entry);
    } else if (archive_entry_filetype(entry) == AE_IFDIR) {
      e.type = 'd';
    } else if (archive_entry_filetype(entry) == AE_IFLNK) {
      e.type = 'l';
      e.link = archive_entry_symlink(entry);
    } else if (archive_entry_filetype(entry) == AE_IFREG) {
      e.type = 'f';
    }
    char buffer[8192];
    la_ssize_t got = 0;
    while ((got = archive_read_data(reader, buffer, sizeof buffer)) > 0) e.content.append(buffer, static_cast<size_t>(got));
    REQUIRE(got == 0);
    entries.push_back(std::move(e));
  }
  archive_read_free(reader);
  return entries;
}

std::string pack(const ContextSource& source) {
  auto tar = pack_context_to_string(source);
  INFO((tar ? std::string() : tar.error().message));
  REQUIRE(tar.ok());
  return *tar;
}

std::vector<std::string> paths_of(const std::vector<TarEntry>& entries) {
  std::vector<std::string> paths;
  for (const auto& e : entries) paths.push_back(e.path);
  return paths;
}

const TarEntry* find(const std::vector<TarEntry>& entries, const std::string& path) {
  for (const auto& e : entries) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

void set_mtime(const fs::path& path, time_t seconds) {
  const struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

// A small Go service's context with the usual suspects to leave out.
void make_service_tree(const fs::path& root) {
  write_file(root / "Dockerfile", "FROM scratch\nCOPY . /src\n");
  write_file(root / ".dockerignore", "# keep the context small\n.git\n*.md\n!README.md\nbin\nvendor\n!vendor/modules.txt\nDockerfile\n");
  write_file(root / "main.go", "package main\n\nfunc main() {}\n");
  write_file(root / "go.mod", "module example.com/svc\n\ngo 1.24\n");
  write_file(root / "README.md", "# svc\n");
  write_file(root / "CHANGES.md", "nothing\n");
  write_file(root / "internal/handler/handler.go", "package handler\n");
  write_file(root / "internal/handler/handler_test.go", "package handler\n");
  write_file(root / ".git/HEAD", "ref: refs/heads/main\n");
  write_file(root / "bin/server", std::string(1000, 'x'));
  write_file(root / "vendor/modules.txt", "# vendored\n");
  write_file(root / "vendor/example.com/dep/dep.go", "package dep\n");
  fs::create_directories(root / "empty");
  fs::create_symlink("internal/handler", root / "link-to-handler");
  fs::create_symlink("/etc/passwd", root / "absolute-link");
  fs::permissions(root / "main.go", fs::perms(0755));
  for (const auto& entry : fs::recursive_directory_iterator(root)) set_mtime(entry.path(), 1700000000);
  set_mtime(root / "main.go", 1600000000);
}

// Runs `body` in a child process as user nobody (root reads everything, so
// permission errors can only be seen by an ordinary user) and returns what
// it printed.
std::string run_as_nobody(const std::function<std::string()>& body) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::getuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) _exit(2);
    const std::string out = body();
    if (::write(pipe_fds[1], out.data(), out.size()) < 0) _exit(3);
    _exit(0);
  }
  ::close(pipe_fds[1]);
  std::string out;
  char buffer[4096];
  ssize_t got = 0;
  while ((got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(got));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return out;
}

}  // namespace

TEST_CASE("the packed context holds what Docker sends, in order", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  const fs::path root = dir.path() / "ctx";
  make_service_tree(root);

  auto packer = ContextPacker::open({root, std::nullopt});
  REQUIRE(packer.ok());
  CHECK(packer->dockerfile_in_context() == "Dockerfile");
  const std::string tar = pack({root, std::nullopt});
  const auto entries = read_tar(tar);

  // Bytewise order, parents first; .git, *.md (but README.md), bin and the
  // vendor directory itself are left out; vendor/modules.txt comes back
  // through its exception; Dockerfile and .dockerignore are sent although a
  // pattern matches the Dockerfile.
  const std::vector<std::string> expected = {
      ".dockerignore", "Dockerfile", "README.md", "absolute-link", "empty/", "go.mod",
      "internal/", "internal/handler/", "internal/handler/handler.go", "internal/handler/handler_test.go",
      "link-to-handler", "main.go", "vendor/modules.txt",
  };
  CHECK(paths_of(entries) == expected);

  const TarEntry* link = find(entries, "link-to-handler");
  REQUIRE(link != nullptr);
  CHECK(link->type == 'l');
  CHECK(link->link == "internal/handler");
  CHECK(find(entries, "absolute-link")->link == "/etc/passwd");

  const TarEntry* main_go = find(entries, "main.go");
  REQUIRE(main_go != nullptr);
  CHECK(main_go->type == 'f');
  CHECK(main_go->content == "package main\n\nfunc main() {}\n");
  CHECK(main_go->perm == 0755);
  CHECK(main_go->mtime == 1600000000);
  CHECK(find(entries, "go.mod")->perm == 0644);
  CHECK(find(entries, "empty/")->type == 'd');

  for (const auto& e : entries) {
    INFO(e.path);
    CHECK(e.uid == 0);
    CHECK(e.gid == 0);
    CHECK(e.uname.empty());
    CHECK(e.gname.empty());
  }

  // As Docker's headers, the mode field carries the type bits too; the
  // first entry's header is the first block.
  CHECK(std::string(tar.data() + 100, 8) == std::string("0100644\0", 8));
  CHECK(tar.find(std::string("0040755\0", 8)) != std::string::npos);  // a directory
  CHECK(tar.find(std::string("0120777\0", 8)) != std::string::npos);  // a symlink

  // Ends with exactly the two zero blocks, no 10 KiB padding.
  REQUIRE(tar.size() % 512 == 0);
  CHECK(tar.find_last_not_of('\0') < tar.size() - 1024);
  CHECK(tar.find_last_not_of('\0') >= tar.size() - 1024 - 512);

  auto counted = ContextPacker::open({root, std::nullopt});
  REQUIRE(counted.ok());
  std::vector<char> buffer(1 << 16);
  while (true) {
    auto n = counted->read(buffer.data(), buffer.size());
    REQUIRE(n.ok());
    if (*n == 0) break;
  }
  CHECK(counted->bytes_produced() == tar.size());
  CHECK(counted->files() == 8);
  CHECK(counted->stats().symlinks == 2);
  CHECK(counted->stats().directories == 3);
  CHECK(counted->stats().excluded == 4);  // .git, CHANGES.md, bin, vendor/example.com
}

TEST_CASE("the same tree gives the same bytes, whatever the read size", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  const fs::path root = dir.path() / "ctx";
  make_service_tree(root);
  write_file(root / std::string(150, 'n') / std::string(120, 'm'), "long names need pax or ustar prefix\n");
  write_file(root / "caf\xC3\xA9.txt", "non-ASCII name\n");

  const std::string reference = pack({root, std::nullopt});
  CHECK(pack({root, std::nullopt}) == reference);
  for (const size_t read_size : {size_t{1}, size_t{7}, size_t{511}, size_t{4096}, size_t{1} << 20}) {
    INFO("read size " << read_size);
    auto packer = ContextPacker::open({root, std::nullopt});
    REQUIRE(packer.ok());
    std::string tar;
    std::vector<char> buffer(read_size);
    size_t short_reads = 0;  // each read fills the buffer but the last
    while (true) {
      auto n = packer->read(buffer.data(), buffer.size());
      REQUIRE(n.ok());
      if (*n == 0) break;
      if (*n < read_size) ++short_reads;
      tar.append(buffer.data(), *n);
    }
    CHECK(tar == reference);
    CHECK(short_reads <= 1);
    auto after_end = packer->read(buffer.data(), buffer.size());
    REQUIRE(after_end.ok());
    CHECK(*after_end == 0);
  }
  const auto entries = read_tar(reference);
  CHECK(find(entries, std::string(150, 'n') + "/" + std::string(120, 'm')) != nullptr);
  const TarEntry* accented = find(entries, "caf\xC3\xA9.txt");
  REQUIRE(accented != nullptr);
  CHECK(accented->content == "non-ASCII name\n");

  // A copy of the tree elsewhere (same names, contents, modes, mtimes) packs
  // to the same bytes: nothing of the absolute path or the owner leaks in.
  const fs::path copy = dir.path() / "copy";
  fs::copy(root, copy, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const fs::path twin = copy / entry.path().lexically_relative(root);  // fs::relative follows symlinks
    struct stat st {};
    REQUIRE(::lstat(entry.path().c_str(), &st) == 0);
    set_mtime(twin, st.st_mtim.tv_sec);
    if (!entry.is_symlink()) REQUIRE(::lchown(twin.c_str(), 12345, 23456) == 0);
  }
  CHECK(pack({copy, std::nullopt}) == reference);
}

TEST_CASE("a changed file changes the bytes", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  make_service_tree(dir.path());
  const std::string before = pack({dir.path(), std::nullopt});
  write_file(dir.path() / "CHANGES.md", "ignored edit\n");  // excluded: same bytes
  set_mtime(dir.path() / "CHANGES.md", 1);
  CHECK(pack({dir.path(), std::nullopt}) == before);
  set_mtime(dir.path() / "go.mod", 1700000001);
  CHECK(pack({dir.path(), std::nullopt}) != before);
}

TEST_CASE("a Dockerfile outside the context is added under a content-derived name", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  const fs::path root = dir.path() / "ctx";
  make_service_tree(root);
  const std::string content = "FROM scratch\nCOPY main.go /\n";
  write_file(dir.path() / "elsewhere/prod.Dockerfile", content);

  const ContextSource source{root, dir.path() / "elsewhere/prod.Dockerfile"};
  auto packer = ContextPacker::open(source);
  REQUIRE(packer.ok());
  const std::string name = ".buildbench-dockerfile-" + buildbench::util::sha256_hex(content).substr(0, 16);
  CHECK(packer->dockerfile_in_context() == name);

  const std::string tar = pack(source);
  CHECK(pack(source) == tar);
  const auto entries = read_tar(tar);
  REQUIRE(!entries.empty());
  CHECK(entries.back().path == name);
  CHECK(entries.back().content == content);
  // The context's own Dockerfile is now an ordinary file, which .dockerignore excludes.
  CHECK(find(entries, "Dockerfile") == nullptr);
  CHECK(find(entries, ".dockerignore") != nullptr);
}

TEST_CASE("a Dockerfile inside the context is named by its relative path", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  const fs::path root = dir.path();
  make_service_tree(root);
  write_file(root / "build/docker/Dockerfile.prod", "FROM scratch\n");
  write_file(root / "build/docker/other.txt", "excluded\n");
  write_file(root / ".dockerignore", "build\n");

  const ContextSource source{root, root / "build/docker/Dockerfile.prod"};
  auto packer = ContextPacker::open(source);
  REQUIRE(packer.ok());
  CHECK(packer->dockerfile_in_context() == "build/docker/Dockerfile.prod");
  const auto entries = read_tar(pack(source));
  // The excluded directories are entered for the Dockerfile only, and are
  // not themselves sent (as Docker's walk does).
  CHECK(find(entries, "build/docker/Dockerfile.prod") != nullptr);
  CHECK(find(entries, "build/docker/other.txt") == nullptr);
  CHECK(find(entries, "build/") == nullptr);
  CHECK(find(entries, "build/docker/") == nullptr);

  // Relative -f paths are relative to the current directory.
  const fs::path cwd = fs::current_path();
  fs::current_path(root / "build");
  auto relative = ContextPacker::open({root, fs::path("docker/Dockerfile.prod")});
  fs::current_path(cwd);
  REQUIRE(relative.ok());
  CHECK(relative->dockerfile_in_context() == "build/docker/Dockerfile.prod");

  // Without a Dockerfile, a lowercase dockerfile is the default.
  buildbench::util::TempDir lower("bb-ctx-");
  write_file(lower.path() / "dockerfile", "FROM scratch\n");
  auto lowercase = ContextPacker::open({lower.path(), std::nullopt});
  REQUIRE(lowercase.ok());
  CHECK(lowercase->dockerfile_in_context() == "dockerfile");
}

// BuildKit's dockerui reads `<Dockerfile>.dockerignore` from the Dockerfile's
// directory and prefers it to .dockerignore; with a tar body the daemon
// applies no excludes, so the packer must (found on 28.5: the file landed).
TEST_CASE("<Dockerfile>.dockerignore next to the Dockerfile replaces .dockerignore", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  const fs::path root = dir.path();
  write_file(root / "Dockerfile", "FROM scratch\n");
  write_file(root / "df/Custom.Dockerfile", "FROM scratch\nCOPY . /x/\n");
  write_file(root / "df/Custom.Dockerfile.dockerignore", "notforcustom.txt\n");
  write_file(root / ".dockerignore", "notfordefault.txt\n");
  write_file(root / "notforcustom.txt", "c\n");
  write_file(root / "notfordefault.txt", "d\n");

  const auto custom = read_tar(pack({root, root / "df/Custom.Dockerfile"}));
  CHECK(find(custom, "notforcustom.txt") == nullptr);
  CHECK(find(custom, "notfordefault.txt") != nullptr);  // replaced, not merged
  CHECK(find(custom, "df/Custom.Dockerfile") != nullptr);

  const auto plain = read_tar(pack({root, std::nullopt}));
  CHECK(find(plain, "notforcustom.txt") != nullptr);
  CHECK(find(plain, "notfordefault.txt") == nullptr);

  // Dockerfile.dockerignore applies to the default Dockerfile too, and an
  // empty one still wins (BuildKit checks that the file exists).
  write_file(root / "Dockerfile.dockerignore", "");
  const auto emptied = read_tar(pack({root, std::nullopt}));
  CHECK(find(emptied, "notfordefault.txt") != nullptr);

  // A Dockerfile outside the context brings its own ignore file along.
  write_file(dir.path() / "outside/ctx/a.txt", "a\n");
  write_file(dir.path() / "outside/ctx/b.txt", "b\n");
  write_file(dir.path() / "outside/prod.Dockerfile", "FROM scratch\n");
  write_file(dir.path() / "outside/prod.Dockerfile.dockerignore", "b.txt\n");
  const auto external = read_tar(pack({dir.path() / "outside/ctx", dir.path() / "outside/prod.Dockerfile"}));
  CHECK(find(external, "a.txt") != nullptr);
  CHECK(find(external, "b.txt") == nullptr);
}

TEST_CASE("open() reports bad sources with the path", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  write_file(dir.path() / "file", "x");

  auto missing = ContextPacker::open({dir.path() / "nope", std::nullopt});
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("nope") && Catch::Contains("does not exist"));

  auto not_dir = ContextPacker::open({dir.path() / "file", std::nullopt});
  REQUIRE_FALSE(not_dir.ok());
  CHECK_THAT(not_dir.error().message, Catch::Contains("not a directory"));

  auto no_dockerfile = ContextPacker::open({dir.path(), std::nullopt});
  REQUIRE_FALSE(no_dockerfile.ok());
  CHECK_THAT(no_dockerfile.error().message, Catch::Contains("Dockerfile") && Catch::Contains(dir.path().string()));

  auto dockerfile_dir = ContextPacker::open({dir.path(), dir.path()});
  REQUIRE_FALSE(dockerfile_dir.ok());
  CHECK_THAT(dockerfile_dir.error().message, Catch::Contains("is a directory"));

  write_file(dir.path() / "Dockerfile", "FROM scratch\n");
  write_file(dir.path() / ".dockerignore", "ok\n[unclosed\n");
  auto bad_ignore = ContextPacker::open({dir.path(), std::nullopt});
  REQUIRE_FALSE(bad_ignore.ok());
  CHECK(bad_ignore.error().message ==
        (dir.path() / ".dockerignore").string() + " line 2: bad pattern \"[unclosed\": unterminated character class");
}

TEST_CASE("unreadable files fail with their path - excluded directories are not entered", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  const fs::path root = dir.path();
  fs::permissions(root, fs::perms(0755));
  write_file(root / "Dockerfile", "FROM scratch\n");
  write_file(root / ".dockerignore", "private\n");
  write_file(root / "public.txt", "hello\n");
  write_file(root / "private/secret.txt", "top secret\n");
  fs::permissions(root / "private", fs::perms::none);  // never listed: excluded
  for (const auto& name : {"Dockerfile", ".dockerignore", "public.txt"}) {
    fs::permissions(root / name, fs::perms(0644));
  }

  const std::string ok = run_as_nobody([&] {
    auto tar = pack_context_to_string({root, std::nullopt});
    return tar ? std::string("ok") : tar.error().message;
  });
  CHECK(ok == "ok");

  write_file(root / "unreadable.txt", "no\n");
  fs::permissions(root / "unreadable.txt", fs::perms::none);
  const std::string failed = run_as_nobody([&] {
    auto tar = pack_context_to_string({root, std::nullopt});
    return tar ? std::string("ok") : tar.error().message;
  });
  CHECK(failed == "cannot read " + (root / "unreadable.txt").string() + ": Permission denied");

  fs::remove(root / "unreadable.txt");
  fs::create_directories(root / "closed");
  fs::permissions(root / "closed", fs::perms::none);
  const std::string closed = run_as_nobody([&] {
    auto tar = pack_context_to_string({root, std::nullopt});
    return tar ? std::string("ok") : tar.error().message;
  });
  CHECK(closed == "cannot read directory " + (root / "closed").string() + ": Permission denied");
  fs::permissions(root / "closed", fs::perms(0755));
  fs::permissions(root / "private", fs::perms(0755));
}

TEST_CASE("hard links, sockets and fifos", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  const fs::path root = dir.path();
  write_file(root / "Dockerfile", "FROM scratch\n");
  write_file(root / "a/original", "shared content\n");
  fs::create_hard_link(root / "a/original", root / "b-link");
  REQUIRE(::mkfifo((root / "fifo").c_str(), 0644) == 0);
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socket_path = (root / "sock").string();
  REQUIRE(socket_path.size() < sizeof address.sun_path);
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);

  auto packer = ContextPacker::open({root, std::nullopt});
  REQUIRE(packer.ok());
  std::string tar;
  std::vector<char> buffer(4096);
  while (true) {
    auto n = packer->read(buffer.data(), buffer.size());
    REQUIRE(n.ok());
    if (*n == 0) break;
    tar.append(buffer.data(), *n);
  }
  ::close(sock);
  CHECK(packer->stats().skipped_special == 2);
  CHECK(packer->stats().hardlinks == 1);
  const auto entries = read_tar(tar);
  CHECK(paths_of(entries) == std::vector<std::string>{"Dockerfile", "a/", "a/original", "b-link"});
  CHECK(find(entries, "a/original")->content == "shared content\n");
  CHECK(find(entries, "b-link")->type == 'h');
  CHECK(find(entries, "b-link")->link == "a/original");
}

TEST_CASE("a large file streams with bounded memory", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  const fs::path root = dir.path();
  write_file(root / "Dockerfile", "FROM scratch\n");
  // 256 MiB, sparse so the test costs no disk: reading yields zeros.
  constexpr off_t kBig = off_t{256} << 20;
  {
    const int fd = ::open((root / "big.bin").c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, kBig) == 0);
    REQUIRE(::pwrite(fd, "end", 3, kBig - 3) == 3);
    ::close(fd);
  }
  auto packer = ContextPacker::open({root, std::nullopt});
  REQUIRE(packer.ok());
  std::vector<char> buffer(1000);  // deliberately small and odd
  uint64_t total = 0;
  std::string tail;
  while (true) {
    auto n = packer->read(buffer.data(), buffer.size());
    REQUIRE(n.ok());
    if (*n == 0) break;
    total += *n;
    tail.append(buffer.data(), *n);
    if (tail.size() > 4096) tail.erase(0, tail.size() - 4096);
  }
  // header + data + padding (none: 256 MiB is block-aligned) + 2 trailer blocks
  CHECK(total == 512 + 512 + static_cast<uint64_t>(kBig) + 512 + 1024);
  CHECK(packer->bytes_produced() == total);
  CHECK(packer->stats().file_bytes == static_cast<uint64_t>(kBig) + 13);
  CHECK(tail.substr(tail.size() - 1024 - 3, 3) == "end");
  CHECK(packer->peak_buffered() <= ContextPacker::kChunkSize + 1024);
}

TEST_CASE("the packer serves as the engine client's body source", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  make_service_tree(dir.path());
  auto packer = ContextPacker::open({dir.path(), std::nullopt});
  REQUIRE(packer.ok());
  buildbench::docker::BodySource body = buildbench::docker::as_body_source(*packer);
  std::string tar;
  char buffer[333];
  while (true) {
    auto n = body(buffer, sizeof buffer);
    REQUIRE(n.ok());
    if (*n == 0) break;
    tar.append(buffer, *n);
  }
  CHECK(tar == pack({dir.path(), std::nullopt}));
}

TEST_CASE("exceptions re-open an excluded directory only by Docker's textual rule", "[context_packer]") {
  buildbench::util::TempDir dir("bb-ctx-");
  const fs::path root = dir.path();
  write_file(root / "Dockerfile", "FROM scratch\n");
  write_file(root / "out/keep.txt", "kept\n");
  write_file(root / "out/drop.txt", "dropped\n");
  write_file(root / "tmp/keep.txt", "not reached\n");
  write_file(root / ".dockerignore", "out\n!out/keep.txt\ntmp\n!**/keep.txt\n");
  const auto entries = read_tar(pack({root, std::nullopt}));
  // `out` is entered (an exception starts with "out/") but not sent itself;
  // `tmp` is not entered: `**/keep.txt` does not start with "tmp/", so
  // tmp/keep.txt stays out although the pattern would match it (Docker 20.10).
  CHECK(paths_of(entries) == std::vector<std::string>{".dockerignore", "Dockerfile", "out/keep.txt"});
}
