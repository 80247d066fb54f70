#pragma once
// Where the Docker daemon listens, as the docker CLI finds it: DOCKER_HOST
// (unix:// or tcp://), DOCKER_TLS_VERIFY + DOCKER_CERT_PATH for TLS, and
// DOCKER_API_VERSION to pin the API version instead of negotiating.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace buildbench::docker {

inline constexpr std::string_view kDefaultSocket = "/var/run/docker.sock";

struct Endpoint {
  enum class Kind { Unix, Tcp };
  Kind kind = Kind::Unix;
  std::filesystem::path socket_path{std::string(kDefaultSocket)};  // Unix
  std::string host;                                                 // Tcp
  int port = 2375;                                                  // Tcp
  bool tls = false;
  std::filesystem::path cert_dir;                  // ca.pem, cert.pem, key.pem when tls
  std::optional<std::string> pinned_api_version;   // "1.41" from DOCKER_API_VERSION

  // DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION.
  static util::Result<Endpoint> from_environment();
  // A DOCKER_HOST value: "unix:///path", "tcp://host:port", "unix" paths only
  // absolute; fails with a message that names the value and what is expected.
  static util::Result<Endpoint> parse(std::string_view docker_host);
  // A unix socket path given directly (as the managed daemon does).
  static Endpoint unix_socket(std::filesystem::path path);

  // "unix:///var/run/docker.sock" or "tcp://127.0.0.1:2375": for messages.
  std::string describe() const;
  // The URL prefix libcurl needs: "http://docker" for a socket.
  std::string base_url() const;
};

}  // namespace buildbench::docker
