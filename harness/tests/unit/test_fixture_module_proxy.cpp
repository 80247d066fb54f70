#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "fixture/go_module.h"
#include "fixture/module_proxy.h"
#include "util/fd.h"

using namespace buildbench::fixture;

namespace {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// A deliberately small HTTP/1.1 client over a loopback socket, so the test
// sees exactly what Go's client would receive.
HttpResponse http_get(uint16_t port, const std::string& path) {
  buildbench::util::Fd sock(::socket(AF_INET, SOCK_STREAM, 0));
  REQUIRE(sock.valid());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(sock.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  REQUIRE(::send(sock.get(), request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string raw;
  char buffer[8192];
  while (true) {
    ssize_t n = ::recv(sock.get(), buffer, sizeof buffer, 0);
    if (n <= 0) break;
    raw.append(buffer, static_cast<size_t>(n));
  }
  HttpResponse response;
  size_t header_end = raw.find("\r\n\r\n");
  REQUIRE(header_end != std::string::npos);
  response.status = std::stoi(raw.substr(9, 3));
  response.body = raw.substr(header_end + 4);
  return response;
}

FixtureParams params() {
  FixtureParams p;
  p.dep_modules = 3;
  p.dep_depth = 3;
  return p;
}

ProxyOptions fast() {
  ProxyOptions options;
  options.network.latency = std::chrono::microseconds(0);
  options.network.bandwidth_mbps = 0;
  return options;
}

}  // namespace

TEST_CASE("proxy paths are parsed with case decoding", "[fixture][proxy]") {
  auto list = parse_proxy_path("/example.test/!foo/bar/@v/list");
  REQUIRE(list.ok());
  CHECK(list->kind == ProxyRequest::Kind::List);
  CHECK(list->module == "example.test/Foo/bar");
  auto zip = parse_proxy_path("/example.test/a/@v/v1.0.0-!r!c.zip");
  REQUIRE(zip.ok());
  CHECK(zip->kind == ProxyRequest::Kind::Zip);
  CHECK(zip->version == "v1.0.0-RC");
  auto latest = parse_proxy_path("/example.test/a/@latest");
  REQUIRE(latest.ok());
  CHECK(latest->kind == ProxyRequest::Kind::Latest);
  CHECK(parse_proxy_path("/example.test/a/@v/v1.0.0.info")->kind == ProxyRequest::Kind::Info);
  CHECK(parse_proxy_path("/example.test/a/@v/v1.0.0.mod")->kind == ProxyRequest::Kind::Mod);
  for (const char* bad : {"", "/", "example.test/a/@v/list", "/example.test/a/@v/v1.tar", "/example.test/A/@v/list",
                          "/@v/list", "/example.test/a/@v/.zip", "/example.test/a/@v/x/y.zip", "/nodot/@v/list"}) {
    CHECK_FALSE(parse_proxy_path(bad).ok());
  }
}

TEST_CASE("the proxy speaks the GOPROXY protocol over loopback", "[fixture][proxy]") {
  auto store = std::make_shared<ModuleStore>(params());
  auto proxy = ModuleProxy::start(store, fast());
  REQUIRE(proxy.ok());
  uint16_t port = (*proxy)->port();
  CHECK(port != 0);
  CHECK((*proxy)->url() == "http://127.0.0.1:" + std::to_string(port));
  const std::string dep = "/example.test/buildbench-deps/dep01";

  auto list = http_get(port, dep + "/@v/list");
  CHECK(list.status == 200);
  CHECK(list.body == "v1.0.0\n");
  auto info = http_get(port, dep + "/@v/v1.0.0.info");
  CHECK(info.status == 200);
  CHECK(info.body == R"({"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"})");
  auto mod = http_get(port, dep + "/@v/v1.0.0.mod");
  CHECK(mod.status == 200);
  CHECK(mod.body.rfind("module example.test/buildbench-deps/dep01\n", 0) == 0);
  CHECK(mod.body.find("require example.test/buildbench-deps/dep02 v1.0.0") != std::string::npos);
  auto zip = http_get(port, dep + "/@v/v1.0.0.zip");
  CHECK(zip.status == 200);
  auto files = read_zip(zip.body);
  REQUIRE(files.ok());
  auto module = make_dependency_module(params(), 0, "v1.0.0");
  REQUIRE(module.ok());
  CHECK(dirhash_h1(*files) == module->zip_h1);

  CHECK(http_get(port, dep + "/@v/v9.9.9.zip").status == 404);
  CHECK(http_get(port, "/example.test/elsewhere/@v/list").status == 404);
  CHECK(http_get(port, "/garbage").status == 404);

  // Publishing a version makes it visible at once, and @latest follows it.
  REQUIRE(store->publish("example.test/buildbench-deps/dep01", "v1.0.10").ok());
  REQUIRE(store->publish("example.test/buildbench-deps/dep01", "v1.0.9").ok());
  CHECK(http_get(port, dep + "/@v/list").body == "v1.0.0\nv1.0.9\nv1.0.10\n");
  CHECK(http_get(port, dep + "/@latest").body.find("\"Version\":\"v1.0.10\"") != std::string::npos);
  auto bumped = http_get(port, dep + "/@v/v1.0.10.mod");
  CHECK(bumped.status == 200);
  CHECK_FALSE(store->publish("example.test/other/dep01", "v1.0.1").ok());

  auto counters = (*proxy)->take_counters();
  CHECK(counters.requests == 10);
  CHECK(counters.not_found == 3);
  CHECK(counters.zip_requests == 2);
  CHECK(counters.zips_served == std::vector<std::string>{"example.test/buildbench-deps/dep01@v1.0.0"});
  CHECK(counters.bytes_served >= zip.body.size() + mod.body.size());
  CHECK((*proxy)->counters().requests == 0);  // take_counters starts over
  CHECK(to_json(counters)["zip_requests"] == 2);
}

TEST_CASE("a port in use is a clear error", "[fixture][proxy]") {
  auto store = std::make_shared<ModuleStore>(params());
  auto first = ModuleProxy::start(store, fast());
  REQUIRE(first.ok());
  ProxyOptions same = fast();
  same.port = (*first)->port();
  auto second = ModuleProxy::start(store, same);
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(second.error().message, Catch::Contains(std::to_string(same.port)) && Catch::Contains("in use"));
  (*first)->stop();
  (*first)->stop();  // idempotent
}

TEST_CASE("emulated latency and bandwidth slow responses down", "[fixture][proxy]") {
  auto store = std::make_shared<ModuleStore>(params());
  ProxyOptions slow;
  slow.network.latency = std::chrono::milliseconds(50);
  slow.network.bandwidth_mbps = 1.0;  // 125 kB/s
  auto proxy = ModuleProxy::start(store, slow);
  REQUIRE(proxy.ok());
  auto started = std::chrono::steady_clock::now();
  auto zip = http_get((*proxy)->port(), "/example.test/buildbench-deps/dep01/@v/v1.0.0.zip");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  REQUIRE(zip.status == 200);
  double expected = 0.05 + static_cast<double>(zip.body.size()) / 125000.0;
  CHECK(seconds >= expected * 0.9);
  CHECK(seconds < expected + 1.0);
  CHECK(to_json((*proxy)->network())["latency_ms"] == 50.0);
}

TEST_CASE("the proxy serves each module's payload, counted in bytes_served", "[fixture][proxy]") {
  FixtureParams with_payload = params();
  with_payload.dep_payload_bytes = 6 * 1024 * 1024;
  auto store = std::make_shared<ModuleStore>(with_payload);
  auto proxy = ModuleProxy::start(store, fast());
  REQUIRE(proxy.ok());
  uint64_t zip_bytes = 0;
  for (size_t i = 0; i < with_payload.dep_modules; ++i) {
    auto zip = http_get((*proxy)->port(), "/" + dependency_module_path(with_payload, i) + "/@v/v1.0.0.zip");
    REQUIRE(zip.status == 200);
    auto files = read_zip(zip.body);
    REQUIRE(files.ok());
    auto module = make_dependency_module(with_payload, i, "v1.0.0");
    REQUIRE(module.ok());
    CHECK(dirhash_h1(*files) == module->zip_h1);
    zip_bytes += zip.body.size();
  }
  auto counters = (*proxy)->take_counters();
  CHECK(counters.bytes_served == zip_bytes);
  CHECK(counters.bytes_served >= with_payload.dep_payload_bytes);
  CHECK(counters.bytes_served < with_payload.dep_payload_bytes + 128 * 1024);
  // The kept module drops its payload copy; the zip has it.
  auto served = store->get(dependency_module_path(with_payload, 0), "v1.0.0");
  REQUIRE(served.ok());
  for (const auto& file : (*served)->module.files) CHECK(file.path.rfind("testdata/", 0) != 0);
}
