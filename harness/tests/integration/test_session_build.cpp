// BuildKit builds through our session against the real daemon: the context
// arrives, a warm rebuild transfers nothing, one change transfers one file,
// ignored files never leave the machine, the image equals a tar-body build,
// bad trees fail clearly or build, and many sessions leak nothing.
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <archive.h>
#include <archive_entry.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "docker/context_packer.h"
#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "session/build_session.h"
#include "support/test_support.h"
#include "util/hash.h"
#include "util/temp_dir.h"

namespace {

using buildbench::docker::EngineClient;
using buildbench::docker::Endpoint;
using buildbench::session::BuildSession;
using buildbench::session::SessionOptions;
using buildbench::session::SessionStats;
namespace fs = std::filesystem;

struct Outcome {
  std::string image_id;
  std::string error;  // build error from the stream, or the request's failure
  SessionStats stats;
  std::set<std::pair<std::string, std::string>> sent;  // (dir-name, path)
  double seconds = 0;        // session start to session closed
  double close_seconds = 0;  // close() alone
  double start_seconds = 0;  // BuildSession::start() alone
};

// Parses the JSON-lines build stream for the image id and the first error.
void scan_stream(const std::string& body, Outcome& outcome) {
  size_t at = 0;
  while (at < body.size()) {
    size_t end = body.find('\n', at);
    if (end == std::string::npos) end = body.size();
    auto line = nlohmann::json::parse(body.substr(at, end - at), nullptr, false);
    at = end + 1;
    if (line.is_discarded() || !line.is_object()) continue;
    if (line.contains("error") && outcome.error.empty()) outcome.error = line["error"].dump();
    if (line.value("id", "") == "moby.image.id" && line.contains("aux")) {
      outcome.image_id = line["aux"].value("ID", "");
    }
  }
}

buildbench::docker::BuildQuery query_for(const std::string& tag) {
  buildbench::docker::BuildQuery query;
  query.tags = {tag};
  query.network_mode = "host";
  query.buildkit = true;
  return query;
}

Outcome build_with_session(EngineClient& client, const fs::path& context, const std::string& tag,
                           const std::string& shared_key = "",
                           const std::function<void(SessionOptions&)>& configure = nullptr) {
  Outcome outcome;
  std::mutex mutex;
  SessionOptions options;
  options.context_dir = context;
  options.shared_key = shared_key;
  if (configure) configure(options);
  options.on_file_sent = [&](const std::string& dir, const std::string& path) {
    std::lock_guard lock(mutex);
    outcome.sent.emplace(dir, path);
  };
  const auto start = std::chrono::steady_clock::now();
  auto session = BuildSession::start(client.endpoint(), options);
  outcome.start_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(session.ok());
  auto query = query_for(tag);
  query.session_id = (*session)->id();
  std::string body;
  auto stats = client.build(query, nullptr, [&](std::string_view chunk) {
    body.append(chunk);
    return true;
  });
  const auto closing = std::chrono::steady_clock::now();
  (*session)->close();
  const auto closed = std::chrono::steady_clock::now();
  outcome.seconds = std::chrono::duration<double>(closed - start).count();
  outcome.close_seconds = std::chrono::duration<double>(closed - closing).count();
  outcome.stats = (*session)->stats();
  if (!stats) {
    outcome.error = stats.error().message;
  } else {
    scan_stream(body, outcome);
  }
  return outcome;
}

Outcome build_with_tar(EngineClient& client, const fs::path& context, const std::string& tag) {
  Outcome outcome;
  auto packer = buildbench::docker::ContextPacker::open({context, std::nullopt});
  REQUIRE(packer.ok());
  auto query = query_for(tag);
  query.dockerfile = packer->dockerfile_in_context();
  std::string body;
  auto stats = client.build(
      query, [&](char* buffer, size_t capacity) { return packer->read(buffer, capacity); },
      [&](std::string_view chunk) {
        body.append(chunk);
        return true;
      });
  if (!stats) {
    outcome.error = stats.error().message;
  } else {
    scan_stream(body, outcome);
  }
  return outcome;
}

// Whole-second mtimes: the tar path keeps only seconds, the session path
// nanoseconds; equal trees must give equal layers through both.
void write_fixed(const fs::path& path, const std::string& content, time_t mtime = 1700000000) {
  buildbench::test::write_file(path, content);
  timespec times[2] = {{mtime, 0}, {mtime, 0}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

std::string unique_tag(const std::string& what) {
  return "buildbench-test/session-" + what + ":" + buildbench::util::random_hex(4);
}

struct ImageCleanup {
  EngineClient& client;
  std::vector<std::string> tags;
  ~ImageCleanup() {
    for (const auto& tag : tags) (void)client.remove_image(tag, true);
  }
};

size_t count_entries(const char* dir) {
  size_t count = 0;
  if (DIR* d = ::opendir(dir)) {
    while (const dirent* entry = ::readdir(d)) {
      if (entry->d_name[0] != '.') ++count;
    }
    ::closedir(d);
  }
  return count;
}

// Reads every entry of a tar held in memory: name -> description.
std::map<std::string, std::string> tar_entries(const std::string& tar, bool describe_dir_mtime,
                                               std::map<std::string, std::string>* raw_files = nullptr) {
  std::map<std::string, std::string> entries;
  archive* reader = archive_read_new();
  archive_read_support_format_tar(reader);
  REQUIRE(archive_read_open_memory(reader, tar.data(), tar.size()) == ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
    const std::string name = archive_entry_pathname(entry);
    std::string content;
    char buffer[65536];
    la_ssize_t n = 0;
    while ((n = archive_read_data(reader, buffer, sizeof(buffer))) > 0) content.append(buffer, static_cast<size_t>(n));
    const bool is_dir = archive_entry_filetype(entry) == AE_IFDIR;
    std::string description = "mode=" + std::to_string(archive_entry_mode(entry)) +
                              " uid=" + std::to_string(archive_entry_uid(entry)) +
                              " gid=" + std::to_string(archive_entry_gid(entry)) +
                              " size=" + std::to_string(archive_entry_size(entry)) +
                              " sha=" + buildbench::util::sha256_hex(content);
    if (!is_dir || describe_dir_mtime) description += " mtime=" + std::to_string(archive_entry_mtime(entry));
    if (const char* link = archive_entry_symlink(entry)) description += std::string(" link=") + link;
    entries[name] = description;
    if (raw_files != nullptr) (*raw_files)[name] = std::move(content);
  }
  archive_read_free(reader);
  return entries;
}

// The files of an image's single layer, via GET /images/{id}/get (docker save).
// The layer is the one manifest.json names: `<id>/layer.tar` in 20.10's
// format, `blobs/sha256/<digest>` in the OCI layout of 25+.
// Directory mtimes are left out: BuildKit gives directories it creates the
// current time, on either transfer path.
std::map<std::string, std::string> layer_content(EngineClient& client, const std::string& image_id) {
  auto saved = client.request("GET", "/images/" + image_id + "/get");
  REQUIRE(saved.ok());
  REQUIRE(saved->status == 200);
  std::map<std::string, std::string> files;
  tar_entries(saved->body, false, &files);
  REQUIRE(files.count("manifest.json") == 1);
  const auto manifest = nlohmann::json::parse(files["manifest.json"], nullptr, false);
  REQUIRE(manifest.is_array());
  REQUIRE(manifest.size() == 1);
  const auto& layers = manifest[0]["Layers"];
  REQUIRE(layers.size() == 1);  // one layer: COPY onto scratch
  const std::string layer_path = layers[0].get<std::string>();
  REQUIRE(files.count(layer_path) == 1);
  return tar_entries(files[layer_path], false);
}

EngineClient make_client() {
  buildbench::test::require_daemon();
  auto endpoint = Endpoint::from_environment();
  REQUIRE(endpoint.ok());
  return EngineClient(*endpoint);
}

}  // namespace

TEST_CASE("session build: cold transfers the context, warm transfers nothing, one change transfers one file",
          "[session][integration]") {
  EngineClient client = make_client();
  ImageCleanup cleanup{client, {}};
  buildbench::util::TempDir context("bb-session-ctx-");
  write_fixed(context.path() / "Dockerfile", "FROM scratch\nCOPY . /x/\n");
  write_fixed(context.path() / "a.txt", "alpha\n");
  write_fixed(context.path() / "sub" / "b.txt", "beta\n");
  write_fixed(context.path() / "big.bin", std::string(300 * 1024 + 7, 'z'));  // several 32 KiB chunks

  const std::string tag = unique_tag("basic");
  cleanup.tags.push_back(tag);
  Outcome cold = build_with_session(client, context.path(), tag);
  INFO("cold error: " << cold.error << " last session error: " << cold.stats.last_error);
  REQUIRE(cold.error.empty());
  REQUIRE_FALSE(cold.image_id.empty());
  CHECK(cold.sent.count({"context", "a.txt"}) == 1);
  CHECK(cold.sent.count({"context", "sub/b.txt"}) == 1);
  CHECK(cold.sent.count({"context", "big.bin"}) == 1);
  CHECK(cold.sent.count({"dockerfile", "Dockerfile"}) == 1);
  CHECK(cold.stats.file_bytes_sent >= 300 * 1024 + 7);
  CHECK(cold.stats.diffcopy_failures == 0);
  CHECK(cold.stats.diffcopy_calls >= 2);

  // BuildKit >= 0.12 (Docker 25+) syncs the Dockerfile's directory without
  // comparing (dockerui: llb.Differ(DiffNone)), so the Dockerfile travels
  // on every build there; the context itself must not.
  const auto context_sent = [](const Outcome& outcome) {
    std::set<std::pair<std::string, std::string>> only;
    for (const auto& entry : outcome.sent) {
      if (entry.first == "context") only.insert(entry);
    }
    return only;
  };
  const auto dockerfile_resent = [](const Outcome& outcome) {
    return static_cast<uint64_t>(outcome.sent.count({"dockerfile", "Dockerfile"}));
  };
  Outcome warm = build_with_session(client, context.path(), tag);
  INFO("warm error: " << warm.error);
  REQUIRE(warm.error.empty());
  CHECK(warm.stats.files_requested == dockerfile_resent(warm));
  CHECK(warm.stats.file_bytes_sent == 24 * dockerfile_resent(warm));  // "FROM scratch\nCOPY . /x/\n"
  CHECK(context_sent(warm).empty());
  CHECK(warm.image_id == cold.image_id);

  write_fixed(context.path() / "sub" / "b.txt", "beta, changed\n", 1700000100);
  Outcome changed = build_with_session(client, context.path(), tag);
  INFO("changed error: " << changed.error);
  REQUIRE(changed.error.empty());
  CHECK(changed.stats.files_requested == 1 + dockerfile_resent(changed));
  CHECK(context_sent(changed) == std::set<std::pair<std::string, std::string>>{{"context", "sub/b.txt"}});
  CHECK(changed.image_id != cold.image_id);
}

TEST_CASE("session build: a .dockerignore'd file is never sent", "[session][integration]") {
  EngineClient client = make_client();
  ImageCleanup cleanup{client, {}};
  buildbench::util::TempDir context("bb-session-ignore-");
  write_fixed(context.path() / "Dockerfile", "FROM scratch\nCOPY . /x/\n");
  write_fixed(context.path() / ".dockerignore", "secret.txt\nlogs\n!logs/keep.log\n");
  write_fixed(context.path() / "keep.txt", "keep\n");
  write_fixed(context.path() / "secret.txt", "do not send\n");
  write_fixed(context.path() / "logs" / "debug.log", "noise\n");
  write_fixed(context.path() / "logs" / "keep.log", "kept\n");

  const std::string tag = unique_tag("ignore");
  cleanup.tags.push_back(tag);
  Outcome outcome = build_with_session(client, context.path(), tag);
  INFO("error: " << outcome.error);
  REQUIRE(outcome.error.empty());
  CHECK(outcome.sent.count({"context", "keep.txt"}) == 1);
  CHECK(outcome.sent.count({"context", "logs/keep.log"}) == 1);
  for (const auto& [dir, path] : outcome.sent) {
    CHECK(path != "secret.txt");
    CHECK(path != "logs/debug.log");
  }
}

TEST_CASE("session build and tar-body build of the same context give the same image content",
          "[session][integration]") {
  EngineClient client = make_client();
  ImageCleanup cleanup{client, {}};
  buildbench::util::TempDir context("bb-session-same-");
  write_fixed(context.path() / "Dockerfile", "FROM scratch\nCOPY . /x/\n");
  write_fixed(context.path() / "main.go", "package main\nfunc main() {}\n");
  write_fixed(context.path() / "pkg" / "lib.go", "package pkg\n");
  write_fixed(context.path() / "data.bin", std::string(70000, '\x01'));
  REQUIRE(::chmod((context.path() / "main.go").c_str(), 0755) == 0);
  // Directory mtimes too: both builds copy them into the layer.
  for (const fs::path& dir : {context.path() / "pkg", context.path()}) {
    timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
    REQUIRE(::utimensat(AT_FDCWD, dir.c_str(), times, 0) == 0);
  }

  const std::string session_tag = unique_tag("same-session");
  const std::string tar_tag = unique_tag("same-tar");
  cleanup.tags = {session_tag, tar_tag};
  Outcome through_session = build_with_session(client, context.path(), session_tag);
  INFO("session error: " << through_session.error);
  REQUIRE(through_session.error.empty());
  Outcome through_tar = build_with_tar(client, context.path(), tar_tag);
  INFO("tar error: " << through_tar.error);
  REQUIRE(through_tar.error.empty());
  const auto session_layer = layer_content(client, through_session.image_id);
  const auto tar_layer = layer_content(client, through_tar.image_id);
  CHECK(session_layer.size() == 6);  // x/, x/Dockerfile, x/data.bin, x/main.go, x/pkg/, x/pkg/lib.go
  CHECK(session_layer == tar_layer);
}

TEST_CASE("session build: sockets, fifos, outside symlinks and unusual names build - vanished files do not hang",
          "[session][integration]") {
  EngineClient client = make_client();
  ImageCleanup cleanup{client, {}};
  buildbench::util::TempDir context("bb-session-odd-");
  write_fixed(context.path() / "Dockerfile", "FROM scratch\nCOPY . /x/\n");
  write_fixed(context.path() / "with space.txt", "s\n");
  write_fixed(context.path() / "ünïcødé.txt", "u\n");
  write_fixed(context.path() / "new\nline.txt", "n\n");
  // Not UTF-8: 20.10 takes it; newer daemons' grpc-go refuses the STAT
  // ("string field contains invalid UTF-8": fsutil's Stat.path is a proto3 string).
  auto ping = client.ping();
  REQUIRE(ping.ok());
  const bool raw_names = buildbench::docker::compare_api_versions(ping->api_version, "1.41") <= 0;
  if (raw_names) write_fixed(context.path() / std::string("latin1-\xe9.txt"), "l\n");
  REQUIRE(::mkfifo((context.path() / "fifo").c_str(), 0644) == 0);
  fs::create_symlink("/etc/passwd", context.path() / "outside-link");
  fs::create_symlink("../../../../../../etc/shadow", context.path() / "relative-outside");
  // A listening Unix socket: sent as an empty regular file, as the CLI does.
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string sock_path = (context.path() / "app.sock").string();
  REQUIRE(sock_path.size() < sizeof(address.sun_path));
  std::memcpy(address.sun_path, sock_path.c_str(), sock_path.size() + 1);
  REQUIRE(::bind(sock, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);

  const std::string tag = unique_tag("odd");
  cleanup.tags.push_back(tag);
  Outcome outcome = build_with_session(client, context.path(), tag);
  ::close(sock);
  INFO("error: " << outcome.error << " session: " << outcome.stats.last_error);
  CHECK(outcome.error.empty());
  CHECK(outcome.sent.count({"context", "ünïcødé.txt"}) == 1);
  CHECK(outcome.sent.count({"context", "new\nline.txt"}) == 1);
  CHECK(outcome.sent.count({"context", "latin1-\xe9.txt"}) == (raw_names ? 1u : 0u));
  CHECK(outcome.sent.count({"context", "outside-link"}) == 0);  // a link, never read
  CHECK(outcome.stats.diffcopy_failures == 0);
}

TEST_CASE("session build: COPY of a non-ASCII source name (raw UTF-8 followpaths metadata)", "[session][integration]") {
  EngineClient client = make_client();
  ImageCleanup cleanup{client, {}};
  buildbench::util::TempDir context("bb-session-utf8-");
  write_fixed(context.path() / "Dockerfile", "FROM scratch\nCOPY ünïcødé.txt /u/\n");
  write_fixed(context.path() / "ünïcødé.txt", "u\n");
  write_fixed(context.path() / "other.txt", "not copied, not sent\n");
  const std::string tag = unique_tag("utf8");
  cleanup.tags.push_back(tag);
  Outcome outcome = build_with_session(client, context.path(), tag);
  INFO("error: " << outcome.error << " session: " << outcome.stats.last_error);
  CHECK(outcome.error.empty());
  CHECK(outcome.sent.count({"context", "ünïcødé.txt"}) == 1);
  CHECK(outcome.sent.count({"context", "other.txt"}) == 0);  // followpaths narrowed the walk
}

TEST_CASE("session build: a file that changes during the transfer fails with its path or builds, never hangs",
          "[session][integration]") {
  EngineClient client = make_client();
  ImageCleanup cleanup{client, {}};
  buildbench::util::TempDir context("bb-session-torn-");
  write_fixed(context.path() / "Dockerfile", "FROM scratch\nCOPY . /x/\n");
  const fs::path growing = context.path() / "growing.log";
  write_fixed(growing, "short\n");

  // Grow the file after its STAT was sent but before its data is read: the
  // session must refuse it with a clear error, not send a torn copy.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop) {
      buildbench::test::write_file(growing, std::string(4096 + static_cast<size_t>(std::rand() % 4096), 'g'));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  const std::string tag = unique_tag("torn");
  cleanup.tags.push_back(tag);
  Outcome outcome = build_with_session(client, context.path(), tag);
  stop = true;
  writer.join();
  // Either the race was lost (the build saw a consistent file) or the error
  // names the file; what must never happen is a hang or a silent torn copy.
  if (!outcome.error.empty()) {
    INFO("error: " << outcome.error << " session: " << outcome.stats.last_error);
    CHECK(outcome.error.find("growing.log") != std::string::npos);
  }
}

TEST_CASE("session build: cancelling mid-transfer ends the session without a hang", "[session][integration]") {
  EngineClient client = make_client();
  buildbench::util::TempDir context("bb-session-cancel-");
  write_fixed(context.path() / "Dockerfile", "FROM scratch\nCOPY . /x/\n");
  for (int i = 0; i < 8; ++i) {
    write_fixed(context.path() / ("blob" + std::to_string(i)), std::string(8 * 1024 * 1024, static_cast<char>('a' + i)));
  }
  SessionOptions options;
  options.context_dir = context.path();
  options.shared_key = buildbench::util::random_hex(32);  // always cold
  auto session = BuildSession::start(client.endpoint(), options);
  REQUIRE(session.ok());
  auto query = query_for(unique_tag("cancel"));
  query.session_id = (*session)->id();
  query.build_id = buildbench::util::random_hex(32);
  std::thread canceller([&] {
    // Cancel once data is flowing.
    for (int i = 0; i < 500 && (*session)->stats().file_bytes_sent < 4 * 1024 * 1024; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    (void)client.cancel_build(query.build_id);
  });
  const auto start = std::chrono::steady_clock::now();
  (void)client.build(query, nullptr, [](std::string_view) { return true; });
  const double build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  canceller.join();
  (*session)->close();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto stats = (*session)->stats();
  WARN("build returned after " << build_seconds << " s, closed after " << seconds << " s; sent "
                               << stats.file_bytes_sent << " B of 64 MiB; last error: " << stats.last_error);
  CHECK(seconds < 30);
  for (const auto& tag : query.tags) (void)client.remove_image(tag, true);
}

TEST_CASE("200 session builds in one process leak neither descriptors nor threads", "[session][integration][leak]") {
  EngineClient client = make_client();
  ImageCleanup cleanup{client, {}};
  buildbench::util::TempDir context("bb-session-leak-");
  write_fixed(context.path() / "Dockerfile", "FROM scratch\nCOPY . /x/\n");
  write_fixed(context.path() / "f.txt", "f\n");
  const std::string tag = unique_tag("leak");
  cleanup.tags.push_back(tag);
  // Warm up: gRPC starts its process-wide threads on first use.
  for (int i = 0; i < 3; ++i) REQUIRE(build_with_session(client, context.path(), tag).error.empty());
  // BUILDBENCH_SESSION_LEAK_BUILDS shortens the loop for quick timing runs.
  const char* override_builds = std::getenv("BUILDBENCH_SESSION_LEAK_BUILDS");
  const int builds = override_builds != nullptr ? std::max(1, std::atoi(override_builds)) : 200;
  const size_t fds_before = count_entries("/proc/self/fd");
  const size_t threads_before = count_entries("/proc/self/task");
  double total = 0;
  double total_close = 0;
  double total_start = 0;
  for (int i = 0; i < builds; ++i) {
    Outcome outcome = build_with_session(client, context.path(), tag);
    REQUIRE(outcome.error.empty());
    total += outcome.seconds;
    total_close += outcome.close_seconds;
    total_start += outcome.start_seconds;
  }
  WARN("mean start(): " << total_start / builds * 1000 << " ms, mean close(): " << total_close / builds * 1000
                          << " ms");
  const size_t fds_after = count_entries("/proc/self/fd");
  const size_t threads_after = count_entries("/proc/self/task");
  INFO("fds " << fds_before << " -> " << fds_after << ", threads " << threads_before << " -> " << threads_after
              << ", mean warm build " << total / builds * 1000 << " ms");
  CHECK(fds_after <= fds_before + 2);
  CHECK(threads_after <= threads_before + 4);
  WARN("mean warm session build: " << total / builds * 1000 << " ms");
}

// BuildKit >= 0.12 (Docker 25+) query-escapes non-ASCII metadata and marks
// it `<key>-encoded: 1`; a space arrives as `+` (../shared/ENGINES.md). On
// 20.10 the values come raw: the test holds on every engine.
TEST_CASE("session build: COPY of `ü dir/f.txt` and a .dockerignore line `nöt here.txt` (escaped metadata)",
          "[session][integration]") {
  EngineClient client = make_client();
  ImageCleanup cleanup{client, {}};
  buildbench::util::TempDir context("bb-session-escaped-");
  write_fixed(context.path() / "Dockerfile", "FROM scratch\nCOPY [\"ü dir/f.txt\", \"/u/\"]\n");
  write_fixed(context.path() / "ü dir" / "f.txt", "f\n");
  const std::string copy_tag = unique_tag("escaped-copy");
  cleanup.tags.push_back(copy_tag);
  Outcome copied = build_with_session(client, context.path(), copy_tag);
  INFO("COPY error: " << copied.error << " session: " << copied.stats.last_error);
  REQUIRE(copied.error.empty());
  CHECK(copied.sent.count({"context", "ü dir/f.txt"}) == 1);
  const auto copy_layer = layer_content(client, copied.image_id);
  CHECK(copy_layer.count("u/f.txt") == 1);

  buildbench::util::TempDir ignoring("bb-session-escaped-ignore-");
  write_fixed(ignoring.path() / "Dockerfile", "FROM scratch\nCOPY . /x/\n");
  write_fixed(ignoring.path() / ".dockerignore", "nöt here.txt\n");
  write_fixed(ignoring.path() / "nöt here.txt", "must not land in the image\n");
  write_fixed(ignoring.path() / "here.txt", "kept\n");
  const std::string ignore_tag = unique_tag("escaped-ignore");
  cleanup.tags.push_back(ignore_tag);
  Outcome ignored = build_with_session(client, ignoring.path(), ignore_tag);
  INFO("ignore error: " << ignored.error << " session: " << ignored.stats.last_error);
  REQUIRE(ignored.error.empty());
  CHECK(ignored.sent.count({"context", "nöt here.txt"}) == 0);
  CHECK(ignored.sent.count({"context", "here.txt"}) == 1);
  const auto ignore_layer = layer_content(client, ignored.image_id);
  CHECK(ignore_layer.count("x/here.txt") == 1);
  CHECK(ignore_layer.count("x/nöt here.txt") == 0);
}

// The session's Secrets and SSH services, as `docker build --secret/--ssh`
// offer them: a required secret mount reads the value we hold, a required
// ssh mount gets a socket (the daemon asked CheckAgent first).
TEST_CASE("session build: RUN --mount=type=secret,required and type=ssh,required", "[session][integration]") {
  EngineClient client = make_client();
  ImageCleanup cleanup{client, {}};
  const std::string busybox = buildbench::test::ensure_busybox_image(client);
  buildbench::util::TempDir context("bb-session-secret-");
  buildbench::util::TempDir agent_dir("bb-session-agent-");
  const auto agent = buildbench::test::listen_unix_socket(agent_dir.path() / "agent.sock");
  const std::string token = "tok-" + buildbench::test::unique_token();
  // The secret is not part of the cache key: the token in the command keeps
  // a cached RUN of an earlier run from answering.
  write_fixed(context.path() / "Dockerfile",
              "FROM " + busybox + " AS s\n"
              "RUN --mount=type=secret,id=tok,required cat /run/secrets/tok > /out && : " + token + "\n"
              "RUN --mount=type=ssh,required test -S \"$SSH_AUTH_SOCK\" && echo agent > /ssh && : " + token + "\n"
              "FROM scratch\n"
              "COPY --from=s /out /ssh /\n");
  const std::string tag = unique_tag("secret");
  cleanup.tags.push_back(tag);
  Outcome outcome = build_with_session(client, context.path(), tag, "", [&](SessionOptions& options) {
    options.secrets["tok"] = token;
    options.ssh_agents["default"] = agent_dir.path() / "agent.sock";
  });
  INFO("error: " << outcome.error << " session: " << outcome.stats.last_error);
  REQUIRE(outcome.error.empty());
  CHECK(outcome.stats.secrets_served >= 1);
  std::map<std::string, std::string> files;
  auto saved = client.request("GET", "/images/" + outcome.image_id + "/get");
  REQUIRE(saved.ok());
  std::map<std::string, std::string> raw;
  tar_entries(saved->body, false, &raw);
  const auto manifest = nlohmann::json::parse(raw["manifest.json"], nullptr, false);
  REQUIRE(manifest.is_array());
  tar_entries(raw[manifest[0]["Layers"][0].get<std::string>()], false, &files);
  CHECK(files["out"] == token);
  CHECK(files["ssh"] == "agent\n");

  // Without the secret, the required mount fails the build with the id.
  buildbench::util::TempDir missing("bb-session-secret-missing-");
  write_fixed(missing.path() / "Dockerfile",
              "FROM " + busybox + "\nRUN --mount=type=secret,id=absent,required cat /run/secrets/absent\n");
  Outcome failed = build_with_session(client, missing.path(), unique_tag("secret-missing"));
  CHECK(failed.error.find("absent") != std::string::npos);
}
