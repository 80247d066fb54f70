// Fuzzes the session's gRPC server from the daemon's side of the hijacked
// connection: the input is everything the daemon sends after the HTTP/2
// client preface (frames, HPACK headers, gRPC messages, DiffCopy packets),
// served by the real FileSync and health handlers over a small context.
// Besides "no crash", it checks that the server always lets go: once the
// peer has sent everything and hung up, the connection ends on its own and
// close() joins every thread.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "session/file_sync.h"
#include "session/grpc_connection.h"
#include "util/fd.h"
#include "util/temp_dir.h"

namespace session = buildbench::session;

namespace {

const std::filesystem::path& context_dir() {
  static buildbench::util::TempDir dir("bb-fuzz-session-");
  static const bool filled = [] {
    std::ofstream(dir.path() / "Dockerfile") << "FROM scratch\nCOPY . /\n";
    std::filesystem::create_directories(dir.path() / "src");
    std::ofstream(dir.path() / "src" / "main.go") << "package main\n";
    std::ofstream(dir.path() / ".dockerignore") << "*.tmp\n";
    return true;
  }();
  (void)filled;
  return dir.path();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  session::SessionCounters counters;
  std::map<std::string, session::SyncedDir> dirs;
  dirs["context"] = session::SyncedDir{context_dir(), true};
  dirs["dockerfile"] = session::SyncedDir{context_dir(), false};
  session::FileSyncService sync(std::move(dirs), counters);
  std::map<std::string, session::CallHandler> handlers;
  handlers["/moby.filesync.v1.FileSync/DiffCopy"] = [&sync](session::ServerCall& call) { return sync.diff_copy(call); };
  handlers["/grpc.health.v1.Health/Check"] = [&counters](session::ServerCall& call) {
    return session::health_check(call, counters);
  };

  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
  buildbench::util::Fd peer(fds[1]);
  auto served = session::GrpcConnection::serve(buildbench::util::Fd(fds[0]), std::move(handlers));
  if (!served) std::abort();

  std::string input = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  input.append(reinterpret_cast<const char*>(data), size);
  ::fcntl(peer.get(), F_SETFL, ::fcntl(peer.get(), F_GETFL) | O_NONBLOCK);
  size_t written = 0;
  bool hung_up = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  char sink[65536];
  // Send everything, hang up, and drain what the server answers until it
  // closes its end: a server that never lets go fails the deadline.
  for (;;) {
    if (std::chrono::steady_clock::now() > deadline) std::abort();
    if (written < input.size()) {
      const ssize_t n = ::send(peer.get(), input.data() + written, input.size() - written, MSG_NOSIGNAL);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
    } else if (!hung_up) {
      ::shutdown(peer.get(), SHUT_WR);
      hung_up = true;
    }
    pollfd p{peer.get(), POLLIN, 0};
    ::poll(&p, 1, 10);
    const ssize_t got = ::recv(peer.get(), sink, sizeof sink, 0);
    if (got == 0 && hung_up) break;
    if (got < 0 && errno != EAGAIN && errno != EINTR) break;
    if (hung_up && !(*served)->error().empty()) break;
  }
  (*served)->close();
  return 0;
}
