#pragma once
// `POST /session` and its 101 answer on a fresh connection to the daemon.
// The response head is read byte by byte: the daemon's HTTP/2 preface may
// follow in the same segment, and every byte after the head belongs to gRPC.
#include <chrono>
#include <string>
#include <vector>

#include "docker/endpoint.h"
#include "util/fd.h"
#include "util/result.h"

namespace buildbench::session {

struct UpgradeRequest {
  std::string session_id;
  std::string name;
  std::string shared_key;
  std::vector<std::string> methods;  // full gRPC method paths we serve
};

// The exact request bytes (one X-Docker-Expose-Session-Grpc-Method line per
// method: the daemon does not split comma-joined values).
std::string format_upgrade_request(const UpgradeRequest& request);

// Connects to a unix or plain tcp endpoint (TLS is refused with a message).
util::Result<util::Fd> connect_endpoint(const docker::Endpoint& endpoint, std::chrono::milliseconds timeout);

// Reads one HTTP/1.1 response head from `fd` without reading past its
// blank line; succeeds only on "101" with "Upgrade: h2c". On another status
// the message carries the status and the start of the body. Bounded: at
// most 64 KiB of head, `timeout` per read.
util::Status read_upgrade_response(int fd, std::chrono::milliseconds timeout);

// connect + request + 101: the returned fd carries HTTP/2 next.
util::Result<util::Fd> open_session_connection(const docker::Endpoint& endpoint, const UpgradeRequest& request,
                                               std::chrono::milliseconds timeout);

}  // namespace buildbench::session
