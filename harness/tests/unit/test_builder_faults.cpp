// Faults the daemon can throw at a build, played by a fake daemon on a Unix
// socket: the connection dropping mid-stream, a corrupt stream, an HTTP error.
// None of them may crash or hang; each must say what happened.
#include <catch2/catch.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "builder/run_build.h"
#include "docker/engine_client.h"
#include "support/test_support.h"
#include "util/fd.h"
#include "util/temp_dir.h"

using namespace buildbench;

namespace {

// Accepts one connection, reads the request through the end of its chunked
// body, writes `response` and closes.
class FakeDaemon {
 public:
  FakeDaemon(const std::filesystem::path& socket, std::string response) : response_(std::move(response)) {
    listener_ = test::listen_unix_socket(socket, 1);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeDaemon() { thread_.join(); }

 private:
  void serve() {
    util::Fd connection(::accept(listener_.get(), nullptr, nullptr));
    std::string request;
    char buffer[65536];
    while (request.find("\r\n0\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(connection.get(), buffer, sizeof buffer);
      if (n <= 0) return;
      request.append(buffer, static_cast<size_t>(n));
    }
    (void)::write(connection.get(), response_.data(), response_.size());
  }
  util::Fd listener_;
  std::string response_;
  std::thread thread_;
};

struct Fixture {
  util::TempDir dir;
  std::filesystem::path socket = dir.path() / "fake.sock";
  Fixture() {
    test::write_file(dir.path() / "ctx" / "Dockerfile", "FROM scratch\nCOPY a /a\n");
    test::write_file(dir.path() / "ctx" / "a", "a\n");
  }
  util::Result<docker::BuildRecord> build() {
    auto endpoint = docker::Endpoint::unix_socket(socket);
    endpoint.pinned_api_version = "1.41";  // no /_ping round trip to fake
    docker::EngineClient client(endpoint);
    builder::BuildRequest request;
    request.context_dir = dir.path() / "ctx";
    request.transfer = docker::ContextTransfer::Tar;
    return builder::run_build(client, request);
  }
};

const std::string kHead = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";

}  // namespace

TEST_CASE("the daemon dying mid-stream gives a failed record, not a crash", "[builder][faults]") {
  Fixture fixture;
  FakeDaemon daemon(fixture.socket, kHead + "{\"stream\":\"Step 1/2 : FROM scratch\\n\"}\n{\"stream\":\"Step 2/2 : CO");
  auto record = fixture.build();
  REQUIRE(record);  // the request went through; the stream was cut
  CHECK_FALSE(record->ok);
  CHECK_FALSE(record->error.empty());
}

TEST_CASE("a corrupt stream is a failed record naming the problem", "[builder][faults]") {
  Fixture fixture;
  FakeDaemon daemon(fixture.socket, kHead + "this is not json\n");
  auto record = fixture.build();
  REQUIRE(record);
  CHECK_FALSE(record->ok);
  CHECK_FALSE(record->error.empty());
}

TEST_CASE("an HTTP error from the daemon is an error with its message", "[builder][faults]") {
  Fixture fixture;
  std::string body = "{\"message\":\"client version 1.41 is too new. Maximum supported API version is 1.40\"}";
  FakeDaemon daemon(fixture.socket, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " +
                                        std::to_string(body.size()) + "\r\n\r\n" + body);
  auto record = fixture.build();
  REQUIRE_FALSE(record);
  CHECK(record.error().message.find("400") != std::string::npos);
  CHECK(record.error().message.find("Maximum supported API version is 1.40") != std::string::npos);
  CHECK(record.error().message.find("DOCKER_API_VERSION") != std::string::npos);
}
