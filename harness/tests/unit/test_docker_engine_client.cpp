// The engine client's transport against a fake daemon on a Unix socket that
// speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies): the calls
// of one client share one connection, and a daemon that closes connections
// costs nothing but new ones.
#include <catch2/catch.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "docker/daemon_memo.h"
#include "docker/engine_client.h"
#include "support/test_support.h"
#include "util/fd.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

// Answers every request on a connection with `body` and API-Version 1.41
// until the client hangs up; with close_each, closes after each answer.
class KeepAliveDaemon {
 public:
  KeepAliveDaemon(const std::filesystem::path& socket, bool close_each,
                  std::chrono::milliseconds delay = std::chrono::milliseconds(0), std::string body = "{}")
      : close_each_(close_each), delay_(delay), body_(std::move(body)) {
    listener_ = test::listen_unix_socket(socket);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~KeepAliveDaemon() {
    ::shutdown(listener_.get(), SHUT_RDWR);
    acceptor_.join();
    for (auto& thread : connections_) thread.join();
  }
  int connections() const { return accepted_.load(); }
  int requests() const { return requests_.load(); }
  std::vector<std::string> request_lines() const {
    std::lock_guard lock(mutex_);
    return request_lines_;
  }

 private:
  void accept_loop() {
    while (true) {
      const int fd = ::accept(listener_.get(), nullptr, nullptr);
      if (fd < 0) return;
      ++accepted_;
      connections_.emplace_back([this, fd] { serve(util::Fd(fd)); });
    }
  }
  void serve(util::Fd connection) {
    std::string pending;
    char buffer[4096];
    while (true) {
      const size_t end = pending.find("\r\n\r\n");
      if (end == std::string::npos) {
        const ssize_t n = ::read(connection.get(), buffer, sizeof buffer);
        if (n <= 0) return;
        pending.append(buffer, static_cast<size_t>(n));
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        request_lines_.push_back(pending.substr(0, pending.find("\r\n")));
      }
      pending.erase(0, end + 4);  // the calls used here send no body
      ++requests_;
      std::this_thread::sleep_for(delay_);
      const std::string answer = std::string("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n") +
                                 (close_each_ ? "Connection: close\r\n" : "") +
                                 "Content-Length: " + std::to_string(body_.size()) + "\r\n\r\n" + body_;
      if (::write(connection.get(), answer.data(), answer.size()) != static_cast<ssize_t>(answer.size())) return;
      if (close_each_) return;
    }
  }
  bool close_each_;
  std::chrono::milliseconds delay_;
  std::string body_;
  util::Fd listener_;
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // touched by the acceptor only, joined after it
  std::atomic<int> accepted_{0};
  std::atomic<int> requests_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> request_lines_;
};

// A rewritten memo file is a new inode (written aside, then renamed).
ino_t inode_of(const std::filesystem::path& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? st.st_ino : 0;
}


}  // namespace

TEST_CASE("one client's calls share one connection to the daemon", "[engine_client]") {
  util::TempDir dir("bb-client-");
  const auto socket = dir.path() / "fake.sock";
  KeepAliveDaemon daemon(socket, false);
  {
    docker::EngineClient client(docker::Endpoint::unix_socket(socket));
    REQUIRE(client.ping());
    REQUIRE(client.inspect_image("sha256:abc"));
    REQUIRE(client.version());
    REQUIRE(client.info());
  }
  CHECK(daemon.requests() == 4);
  CHECK(daemon.connections() == 1);
}

TEST_CASE("a daemon that closes each connection gets a new one per call", "[engine_client]") {
  util::TempDir dir("bb-client-");
  const auto socket = dir.path() / "fake.sock";
  KeepAliveDaemon daemon(socket, true);
  {
    docker::EngineClient client(docker::Endpoint::unix_socket(socket));
    REQUIRE(client.ping());
    REQUIRE(client.inspect_image("sha256:abc"));
    REQUIRE(client.version());
  }
  CHECK(daemon.requests() == 3);
  CHECK(daemon.connections() == 3);
}

TEST_CASE("a versioned call made while a ping is out waits for its answer", "[engine_client]") {
  util::TempDir dir("bb-client-");
  const auto socket = dir.path() / "fake.sock";
  // Each answer takes 300 ms: the second call surely comes while the ping is out.
  KeepAliveDaemon daemon(socket, false, std::chrono::milliseconds(300));
  docker::EngineClient client(docker::Endpoint::unix_socket(socket));
  auto ping = std::async(std::launch::async, [&client] { return client.ping(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto version = client.api_version();
  REQUIRE(version);
  CHECK(*version == "1.41");
  REQUIRE(ping.get());
  CHECK(daemon.requests() == 1);  // the one /_ping, not a second
}

TEST_CASE("the daemon memo answers only for the daemon that was asked", "[engine_client][memo]") {
  util::TempDir dir("bb-memo-");
  const docker::DaemonMemo memo(dir.path() / "state" / "daemon-facts");
  const auto socket = dir.path() / "d.sock";
  CHECK_FALSE(memo.recall(socket, "api-version"));  // no socket at all
  {
    util::Fd daemon = test::listen_unix_socket(socket);
    CHECK_FALSE(memo.recall(socket, "api-version"));
    memo.remember(socket, "api-version", "1.41");
    CHECK(memo.recall(socket, "api-version") == std::optional<std::string>("1.41"));
    memo.remember(socket, "api-version", "1.43");
    CHECK(memo.recall(socket, "api-version") == std::optional<std::string>("1.43"));
  }
  // The daemon restarts: a new socket at the same path is a new daemon.
  std::filesystem::remove(socket);
  util::Fd restarted = test::listen_unix_socket(socket);
  CHECK_FALSE(memo.recall(socket, "api-version"));
  // A plain file is no daemon: nothing is remembered for it.
  const auto not_a_socket = dir.path() / "file";
  std::ofstream(not_a_socket) << "x";
  memo.remember(not_a_socket, "api-version", "1.41");
  CHECK_FALSE(memo.recall(not_a_socket, "api-version"));
}

TEST_CASE("the daemon memo keeps the newest entries", "[engine_client][memo]") {
  util::TempDir dir("bb-memo-");
  const docker::DaemonMemo memo(dir.path() / "daemon-facts");
  std::vector<util::Fd> daemons;
  const size_t count = docker::DaemonMemo::kMaxEntries + 2;
  for (size_t i = 0; i < count; ++i) {
    const auto socket = dir.path() / ("d" + std::to_string(i) + ".sock");
    daemons.push_back(test::listen_unix_socket(socket));
    memo.remember(socket, "api-version", "1." + std::to_string(30 + i));
  }
  CHECK_FALSE(memo.recall(dir.path() / "d0.sock", "api-version"));
  CHECK_FALSE(memo.recall(dir.path() / "d1.sock", "api-version"));
  CHECK(memo.recall(dir.path() / "d2.sock", "api-version") == std::optional<std::string>("1.32"));
  CHECK(memo.recall(dir.path() / ("d" + std::to_string(count - 1) + ".sock"), "api-version") ==
        std::optional<std::string>("1." + std::to_string(30 + count - 1)));
}

TEST_CASE("a second client of the same daemon needs no /_ping", "[engine_client][memo]") {
  util::TempDir dir("bb-client-");
  const auto socket = dir.path() / "fake.sock";
  const test::ScopedEnv runtime("XDG_RUNTIME_DIR", dir.path().string());  // where the daemon memo lives
  KeepAliveDaemon daemon(socket, false);
  {
    docker::EngineClient first(docker::Endpoint::unix_socket(socket));
    CHECK_FALSE(first.knows_api_version());
    REQUIRE(first.inspect_image("sha256:abc"));  // negotiates: /_ping first
  }
  {
    docker::EngineClient second(docker::Endpoint::unix_socket(socket));
    CHECK(second.knows_api_version());
    REQUIRE(second.inspect_image("sha256:abc"));
  }
  const auto lines = daemon.request_lines();
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "GET /_ping HTTP/1.1");
  CHECK(lines[1].rfind("GET /v1.41/images/", 0) == 0);
  CHECK(lines[2].rfind("GET /v1.41/images/", 0) == 0);
}

TEST_CASE("the daemon memo keeps keys apart and forgets an earlier daemon's facts", "[engine_client][memo]") {
  util::TempDir dir("bb-memo-");
  const auto file = dir.path() / "daemon-facts";
  const docker::DaemonMemo memo(file);
  const auto socket = dir.path() / "d.sock";
  {
    util::Fd daemon = test::listen_unix_socket(socket);
    memo.remember(socket, "api-version", "1.41");
    memo.remember(socket, "image sha256:aa", "100 2");
    CHECK(memo.recall(socket, "api-version") == std::optional<std::string>("1.41"));
    CHECK(memo.recall(socket, "image sha256:aa") == std::optional<std::string>("100 2"));
    CHECK_FALSE(memo.recall(socket, "image sha256:bb"));
    // What is already known is not written again.
    const auto inode_before = inode_of(file);
    memo.remember(socket, "api-version", "1.41");
    CHECK(inode_of(file) == inode_before);
    // Tabs and newlines would break the file's lines: not kept.
    memo.remember(socket, "bad\tkey", "x");
    memo.remember(socket, "key", "bad\nvalue");
    CHECK_FALSE(memo.recall(socket, "bad\tkey"));
    CHECK_FALSE(memo.recall(socket, "key"));
  }
  std::filesystem::remove(socket);
  util::Fd restarted = test::listen_unix_socket(socket);
  memo.remember(socket, "api-version", "1.43");
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 1);  // the first daemon's two entries are gone
  CHECK(lines[0].ends_with("\tapi-version\t1.43"));
}

TEST_CASE("a rebuilt image's size and layers need no second inspect", "[engine_client][memo]") {
  util::TempDir dir("bb-client-");
  const auto socket = dir.path() / "fake.sock";
  const test::ScopedEnv runtime("XDG_RUNTIME_DIR", dir.path().string());  // where the daemon memo lives
  KeepAliveDaemon daemon(socket, false, std::chrono::milliseconds(0),
                         R"({"Id":"x","Size":12345,"RootFS":{"Type":"layers","Layers":["sha256:1","sha256:2"]}})");
  const std::string id = "sha256:" + std::string(64, 'a');
  for (int process = 0; process < 2; ++process) {
    docker::EngineClient client(docker::Endpoint::unix_socket(socket));
    auto summary = client.image_summary(id);
    REQUIRE(summary);
    CHECK(summary->size == 12345);
    CHECK(summary->layers == 2);
    // A name that can move to another image is always asked.
    auto by_tag = client.image_summary("app:latest");
    REQUIRE(by_tag);
    CHECK(by_tag->size == 12345);
  }
  size_t inspects_of_id = 0;
  size_t inspects_of_tag = 0;
  for (const auto& line : daemon.request_lines()) {
    if (line.find("/images/" + id + "/json") != std::string::npos) ++inspects_of_id;
    if (line.find("/images/app:latest/json") != std::string::npos) ++inspects_of_tag;
  }
  CHECK(inspects_of_id == 1);
  CHECK(inspects_of_tag == 2);
}
