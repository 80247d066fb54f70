#include "docker/endpoint.h"

#include <cstdlib>
#include <string>

namespace buildbench::docker {
namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Endpoint Endpoint::unix_socket(std::filesystem::path path) {
  Endpoint endpoint;
  endpoint.kind = Kind::Unix;
  endpoint.socket_path = std::move(path);
  return endpoint;
}

util::Result<Endpoint> Endpoint::parse(std::string_view docker_host) {
  const std::string value(docker_host);
  auto bad = [&](const std::string& why) {
    return util::error("DOCKER_HOST=" + value + ": " + why +
                       " (expected unix:///path/to/docker.sock or tcp://host:port)");
  };
  if (value.empty()) return unix_socket(std::string(kDefaultSocket));
  if (value.rfind("unix://", 0) == 0) {
    std::string path = value.substr(7);
    if (path.empty() || path[0] != '/') return bad("the socket path must be absolute");
    return unix_socket(path);
  }
  if (value.rfind("tcp://", 0) == 0) {
    std::string rest = value.substr(6);
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    Endpoint endpoint;
    endpoint.kind = Kind::Tcp;
    size_t colon = rest.rfind(':');
    size_t bracket = rest.rfind(']');  // "[::1]" has colons but no port
    if (colon == std::string::npos || (bracket != std::string::npos && bracket > colon)) {
      endpoint.host = rest;
    } else {
      std::string port = rest.substr(colon + 1);
      if (!is_digits(port) || port.size() > 5 || std::stoi(port) == 0 || std::stoi(port) > 65535) {
        return bad("invalid port '" + port + "'");
      }
      endpoint.host = rest.substr(0, colon);
      endpoint.port = std::stoi(port);
    }
    if (endpoint.host.empty()) return bad("no host");
    return endpoint;
  }
  return bad("unsupported scheme");
}

util::Result<Endpoint> Endpoint::from_environment() {
  auto parsed = parse(env_or_empty("DOCKER_HOST"));
  if (!parsed) return parsed;
  Endpoint endpoint = std::move(parsed).value();
  std::string tls_verify = env_or_empty("DOCKER_TLS_VERIFY");
  if (!tls_verify.empty() && tls_verify != "0") {
    if (endpoint.kind != Kind::Tcp) return util::error("DOCKER_TLS_VERIFY is set but DOCKER_HOST is not tcp://");
    endpoint.tls = true;
    std::string cert_path = env_or_empty("DOCKER_CERT_PATH");
    if (cert_path.empty()) {
      std::string home = env_or_empty("HOME");
      cert_path = home + "/.docker";
    }
    endpoint.cert_dir = cert_path;
    for (const char* file : {"ca.pem", "cert.pem", "key.pem"}) {
      if (!std::filesystem::exists(endpoint.cert_dir / file)) {
        return util::error("DOCKER_TLS_VERIFY is set but " + (endpoint.cert_dir / file).string() +
                           " does not exist (set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem, key.pem)");
      }
    }
    if (endpoint.port == 2375) endpoint.port = 2376;
  }
  std::string pinned = env_or_empty("DOCKER_API_VERSION");
  if (!pinned.empty()) {
    size_t dot = pinned.find('.');
    if (dot == std::string::npos || !is_digits(pinned.substr(0, dot)) || !is_digits(pinned.substr(dot + 1))) {
      return util::error("DOCKER_API_VERSION=" + pinned + ": expected a version such as 1.41");
    }
    endpoint.pinned_api_version = pinned;
  }
  return endpoint;
}

std::string Endpoint::describe() const {
  if (kind == Kind::Unix) return "unix://" + socket_path.string();
  return std::string("tcp://") + host + ":" + std::to_string(port) + (tls ? " (TLS)" : "");
}

std::string Endpoint::base_url() const {
  if (kind == Kind::Unix) return "http://docker";
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

}  // namespace buildbench::docker
