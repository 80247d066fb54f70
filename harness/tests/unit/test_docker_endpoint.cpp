#include <catch2/catch.hpp>

#include <cstdlib>

#include "docker/endpoint.h"
#include "docker/engine_client.h"

using namespace buildbench::docker;

TEST_CASE("DOCKER_HOST values", "[docker][endpoint]") {
  auto unix_default = Endpoint::parse("");
  REQUIRE(unix_default);
  CHECK(unix_default->kind == Endpoint::Kind::Unix);
  CHECK(unix_default->describe() == "unix:///var/run/docker.sock");

  auto unix_socket = Endpoint::parse("unix:///run/buildbench/docker.sock");
  REQUIRE(unix_socket);
  CHECK(unix_socket->socket_path == "/run/buildbench/docker.sock");
  CHECK(unix_socket->base_url() == "http://docker");

  auto tcp = Endpoint::parse("tcp://127.0.0.1:2375");
  REQUIRE(tcp);
  CHECK(tcp->kind == Endpoint::Kind::Tcp);
  CHECK(tcp->host == "127.0.0.1");
  CHECK(tcp->port == 2375);
  CHECK(tcp->base_url() == "http://127.0.0.1:2375");

  auto no_port = Endpoint::parse("tcp://localhost");
  REQUIRE(no_port);
  CHECK(no_port->port == 2375);

  for (const char* bad : {"unix://relative.sock", "tcp://host:notaport", "tcp://host:70000", "tcp://", "ssh://host",
                          "/var/run/docker.sock"}) {
    CAPTURE(bad);
    auto parsed = Endpoint::parse(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().message.find(bad) != std::string::npos);  // names the value
    CHECK(parsed.error().message.find("expected") != std::string::npos);
  }
}

TEST_CASE("DOCKER_API_VERSION pins the version - a malformed one is refused", "[docker][endpoint]") {
  ::setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock", 1);
  ::setenv("DOCKER_API_VERSION", "1.41", 1);
  auto pinned = Endpoint::from_environment();
  REQUIRE(pinned);
  CHECK(pinned->pinned_api_version == "1.41");
  EngineClient client(*pinned);
  auto version = client.api_version();  // pinned: no daemon needed
  REQUIRE(version);
  CHECK(*version == "1.41");

  ::setenv("DOCKER_API_VERSION", "latest", 1);
  auto bad = Endpoint::from_environment();
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("DOCKER_API_VERSION=latest") != std::string::npos);
  ::unsetenv("DOCKER_API_VERSION");

  ::setenv("DOCKER_TLS_VERIFY", "1", 1);
  ::setenv("DOCKER_HOST", "tcp://127.0.0.1:2376", 1);
  ::setenv("DOCKER_CERT_PATH", "/nonexistent-certs", 1);
  auto tls = Endpoint::from_environment();
  REQUIRE_FALSE(tls);
  CHECK(tls.error().message.find("/nonexistent-certs/ca.pem") != std::string::npos);
  ::unsetenv("DOCKER_TLS_VERIFY");
  ::unsetenv("DOCKER_CERT_PATH");
  ::unsetenv("DOCKER_HOST");
}

TEST_CASE("API versions compare numerically", "[docker][endpoint]") {
  CHECK(compare_api_versions("1.41", "1.47") < 0);
  CHECK(compare_api_versions("1.9", "1.41") < 0);
  CHECK(compare_api_versions("1.44", "1.44") == 0);
  CHECK(compare_api_versions("2.0", "1.99") > 0);
}

TEST_CASE("No daemon: the error names the endpoint and what to do", "[docker][endpoint]") {
  EngineClient client(Endpoint::unix_socket("/nonexistent/docker.sock"));
  auto ping = client.ping();
  REQUIRE_FALSE(ping);
  CHECK(ping.error().message.find("unix:///nonexistent/docker.sock") != std::string::npos);
  CHECK(ping.error().message.find("buildbench daemon start") != std::string::npos);
}

TEST_CASE("url_encode keeps unreserved characters only", "[docker][endpoint]") {
  CHECK(url_encode("a-b_c.d~e") == "a-b_c.d~e");
  CHECK(url_encode("{\"K\":\"v w\"}") == "%7B%22K%22%3A%22v%20w%22%7D");
}
