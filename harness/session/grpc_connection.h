#pragma once
// A gRPC server for exactly one HTTP/2 (h2c) connection that someone else
// opened: the hijacked `POST /session` connection, on which the daemon is the
// client. HTTP/2 itself is nghttp2's; this file adds gRPC's request routing,
// message framing and status trailers.
//
// Why not grpc++'s server (used until session 3): its synchronous streams
// hand every message to another thread and wait for it, ~1.5 context
// switches per STAT, so a warm rebuild of a 2,000-file context spent ~30 ms
// and ~3,000 context switches streaming stats. Here a write only appends to
// the call's queue; one loop thread packs whatever is queued into as few
// socket writes as it can. Setting up and tearing down grpc++'s server also
// cost ~2 ms and 1-4 ms per build.
//
// Threads: one loop thread owns the nghttp2 session and the socket; each
// call's handler runs on its own thread and talks to the loop only through
// its ServerCall.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <google/protobuf/message_lite.h>

#include "util/fd.h"
#include "util/result.h"

namespace buildbench::session {

// gRPC status codes used here (grpc/status.h numbering).
enum class GrpcCode : int {
  Ok = 0,
  Cancelled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  NotFound = 5,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
};

struct GrpcStatus {
  GrpcCode code = GrpcCode::Ok;
  std::string message;
  bool ok() const { return code == GrpcCode::Ok; }
};

struct CallState;
class GrpcConnection;

// One call, as its handler sees it. read() blocks; write() queues and
// returns at once unless the call already has kMaxQueuedBytes waiting to be
// sent, then it waits for the daemon to take some (back-pressure keeps
// memory flat however large the context).
class ServerCall {
 public:
  static constexpr size_t kMaxQueuedBytes = 4 * 1024 * 1024;
  // Request bytes a call may hold unread before its stream is reset: HTTP/2
  // flow control is acknowledged on receipt, so this bounds what a peer can
  // make us buffer (the daemon sends a few bytes of REQ/FIN at a time).
  static constexpr size_t kMaxUnreadBytes = 16 * 1024 * 1024;

  ServerCall(std::shared_ptr<CallState> state, GrpcConnection& connection);
  // Request headers that are not HTTP/2 or gRPC's own (`dir-name`, ...),
  // keys lower-case, repeated keys in order.
  const std::multimap<std::string, std::string>& metadata() const;

  // The next request message; false at the end of the client's side, when
  // the call died (reset, cancelled, connection gone) or on bad framing.
  bool read(google::protobuf::MessageLite& message);
  // Queues a response message; false when the call is dead. Leaves the
  // message's cached size set (GetCachedSize()).
  bool write(const google::protobuf::MessageLite& message);
  // Resets the stream (RST_STREAM CANCEL); reads and writes then fail.
  void cancel();
  // Whether the call died before its handler finished.
  bool dead() const;

 private:
  std::shared_ptr<CallState> state_;
  GrpcConnection& connection_;
};

// Runs on its own thread; the status it returns goes out as the trailers.
using CallHandler = std::function<GrpcStatus(ServerCall&)>;

class GrpcConnection {
 public:
  // Serves `handlers` (keyed by path, "/package.Service/Method") on `fd`, an
  // h2c connection whose client preface has not been read yet. Other paths
  // get UNIMPLEMENTED.
  static util::Result<std::unique_ptr<GrpcConnection>> serve(util::Fd fd, std::map<std::string, CallHandler> handlers);
  ~GrpcConnection();
  GrpcConnection(const GrpcConnection&) = delete;
  GrpcConnection& operator=(const GrpcConnection&) = delete;

  // Stops serving: calls still running die (their reads and writes fail),
  // every thread is joined and the connection is closed. Idempotent.
  void close();
  // Why the connection ended on its own ("" while it is up or after close()).
  std::string error() const;

  struct Impl;

 private:
  friend class ServerCall;
  explicit GrpcConnection(std::unique_ptr<Impl> impl);
  void wake(const std::shared_ptr<CallState>& state);
  std::unique_ptr<Impl> impl_;
};

}  // namespace buildbench::session
