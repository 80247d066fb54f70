#include "session/hijack.h"

#include "session/build_session.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace buildbench::session {
namespace {

constexpr size_t kMaxHead = 64 * 1024;

std::string errno_text(int err) { return std::strerror(err); }

int timeout_ms(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::min<int64_t>(timeout.count(), 24 * 3600 * 1000));
}

// Waits until `fd` is readable or writable; false on timeout or error.
bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd pfd{fd, events, 0};
  for (;;) {
    const int n = ::poll(&pfd, 1, timeout_ms(timeout));
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

util::Status send_all(int fd, std::string_view bytes, std::chrono::milliseconds timeout) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN && wait_for(fd, POLLOUT, timeout)) continue;
      return util::error("POST /session: send failed: " + errno_text(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

std::string lowercase(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

namespace {
// Header values must not carry CR/LF or other control bytes.
std::string header_safe(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  }
  return out;
}
}  // namespace

std::string format_upgrade_request(const UpgradeRequest& request) {
  std::string out;
  out += "POST /session HTTP/1.1\r\n";
  out += "Host: docker\r\n";  // required by Go's HTTP/1.1 server; the value is ignored
  out += "User-Agent: buildbench/" BUILDBENCH_VERSION "\r\n";
  out += "Content-Length: 0\r\n";
  out += "Connection: Upgrade\r\n";
  out += "Upgrade: h2c\r\n";
  for (const auto& method : request.methods) out += "X-Docker-Expose-Session-Grpc-Method: " + header_safe(method) + "\r\n";
  out += "X-Docker-Expose-Session-Name: " + header_safe(request.name) + "\r\n";
  out += "X-Docker-Expose-Session-Sharedkey: " + header_safe(request.shared_key) + "\r\n";
  out += "X-Docker-Expose-Session-Uuid: " + header_safe(request.session_id) + "\r\n";
  out += "\r\n";
  return out;
}

util::Result<util::Fd> connect_endpoint(const docker::Endpoint& endpoint, std::chrono::milliseconds timeout) {
  if (auto supported = check_session_endpoint(endpoint); !supported) return supported.error();
  if (endpoint.kind == docker::Endpoint::Kind::Unix) {
    util::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return util::error("socket: " + errno_text(errno));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = endpoint.socket_path.string();
    if (path.size() >= sizeof(address.sun_path)) return util::error("socket path too long: " + path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
      return util::error("connect " + endpoint.describe() + ": " + errno_text(errno));
    }
    return fd;
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint.port);
  std::string host = endpoint.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return util::error("resolve " + endpoint.describe() + ": " + ::gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(found, ::freeaddrinfo);
  std::string last_error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    util::Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (!fd.valid()) continue;
    int rc = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      int err = ETIMEDOUT;
      if (wait_for(fd.get(), POLLOUT, timeout)) {
        socklen_t len = sizeof(err);
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      }
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc == 0) return fd;
    last_error = errno_text(errno);
  }
  return util::error("connect " + endpoint.describe() + ": " + last_error);
}

util::Status read_upgrade_response(int fd, std::chrono::milliseconds timeout) {
  // The daemon may send its HTTP/2 preface right behind the 101 head, and
  // those bytes belong to gRPC: peek, and consume only what belongs to the head.
  std::string head;
  std::vector<char> peeked(kMaxHead);
  for (;;) {
    const ssize_t n = ::recv(fd, peeked.data(), peeked.size(), MSG_PEEK);
    if (n > 0) {
      const size_t search_from = head.size() < 3 ? 0 : head.size() - 3;  // "\r\n\r\n" may straddle reads
      const size_t had = head.size();
      head.append(peeked.data(), static_cast<size_t>(n));
      const size_t end = head.find("\r\n\r\n", search_from);
      if (end != std::string::npos) head.resize(end + 4);
      for (size_t consumed = 0; consumed < head.size() - had;) {
        const ssize_t got = ::recv(fd, peeked.data(), head.size() - had - consumed, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return util::error("POST /session: recv failed: " + errno_text(errno));
        consumed += static_cast<size_t>(got);
      }
      if (end != std::string::npos) break;
      if (head.size() >= kMaxHead) return util::error("POST /session: response head larger than 64 KiB");
      continue;  // all peeked bytes are consumed: the next peek waits for more
    }
    if (n == 0) return util::error("POST /session: the daemon closed the connection before answering");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (wait_for(fd, POLLIN, timeout)) continue;
      return util::error("POST /session: no answer within " + std::to_string(timeout.count()) + " ms");
    }
    return util::error("POST /session: recv failed: " + errno_text(errno));
  }
  const size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  // "HTTP/1.1 101 Switching Protocols"
  const size_t space = status_line.find(' ');
  const std::string code = space == std::string::npos ? "" : status_line.substr(space + 1, 3);
  if (status_line.rfind("HTTP/1.", 0) != 0 || code.size() != 3) {
    return util::error("POST /session: not an HTTP response: " + status_line.substr(0, 80));
  }
  if (code != "101") {
    // Show the daemon's reason: the start of the body, read briefly.
    std::string body;
    char buffer[512];
    if (wait_for(fd, POLLIN, std::chrono::milliseconds(200))) {
      const ssize_t n = ::recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n > 0) body.assign(buffer, static_cast<size_t>(n));
    }
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    return util::error("POST /session -> " + code + (body.empty() ? "" : ": " + body));
  }
  if (lowercase(head).find("\r\nupgrade: h2c\r\n") == std::string::npos) {
    return util::error("POST /session: 101 without \"Upgrade: h2c\"");
  }
  return {};
}

util::Result<util::Fd> open_session_connection(const docker::Endpoint& endpoint, const UpgradeRequest& request,
                                               std::chrono::milliseconds timeout) {
  auto fd = connect_endpoint(endpoint, timeout);
  if (!fd) return fd;
  // Non-blocking from here on: gRPC's event engine expects it, and our own
  // reads and writes wait with poll() and a timeout.
  if (::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK) != 0) {
    return util::error("fcntl O_NONBLOCK: " + errno_text(errno));
  }
  if (auto sent = send_all(fd->get(), format_upgrade_request(request), timeout); !sent) return sent.error();
  if (auto answered = read_upgrade_response(fd->get(), timeout); !answered) return answered.error();
  return fd;
}

}  // namespace buildbench::session
