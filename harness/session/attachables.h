#pragma once
// The session services besides FileSync and health, as the docker CLI
// offers them (BuildKit calls these "attachables"):
//  - Secrets/GetSecret for `RUN --mount=type=secret`: the value, or NOT_FOUND
//    for an id we were not given (the daemon then skips an optional mount
//    and fails a required one with "secret X not found");
//  - SSH/CheckAgent and SSH/ForwardAgent for `RUN --mount=type=ssh`: each
//    ForwardAgent stream is one connection to the agent's socket, bytes
//    copied both ways until both sides are done;
//  - Auth/Credentials: empty credentials (anonymous pulls, as before). The
//    token methods stay UNIMPLEMENTED, as the CLI without stored credentials
//    answers: on GetTokenAuthority's UNIMPLEMENTED the daemon fetches
//    registry tokens itself and never calls FetchToken (BuildKit
//    util/resolver/authorizer.go), and VerifyTokenAuthority's counts as
//    "not verified".
// Internal to the session module; handlers for GrpcConnection.
#include <atomic>
#include <filesystem>
#include <map>
#include <string>

#include "session/grpc_connection.h"

namespace buildbench::session {

inline constexpr char kGetSecret[] = "/moby.buildkit.secrets.v1.Secrets/GetSecret";
inline constexpr char kCheckAgent[] = "/moby.sshforward.v1.SSH/CheckAgent";
inline constexpr char kForwardAgent[] = "/moby.sshforward.v1.SSH/ForwardAgent";
inline constexpr char kCredentials[] = "/moby.filesync.v1.Auth/Credentials";
inline constexpr char kFetchToken[] = "/moby.filesync.v1.Auth/FetchToken";
inline constexpr char kGetTokenAuthority[] = "/moby.filesync.v1.Auth/GetTokenAuthority";
inline constexpr char kVerifyTokenAuthority[] = "/moby.filesync.v1.Auth/VerifyTokenAuthority";
// The metadata key naming the agent a ForwardAgent stream is for.
inline constexpr char kSshIdKey[] = "buildkit.ssh.id";

struct AttachableCounters {
  std::atomic<uint64_t> secrets_served{0};
  std::atomic<uint64_t> secrets_missing{0};
  std::atomic<uint64_t> ssh_forwards{0};
  std::atomic<uint64_t> credentials_asked{0};
};

class Attachables {
 public:
  // `secrets`: id -> value; `ssh_agents`: id -> agent socket.
  Attachables(std::map<std::string, std::string> secrets, std::map<std::string, std::filesystem::path> ssh_agents);

  GrpcStatus get_secret(ServerCall& call);
  GrpcStatus check_agent(ServerCall& call);
  GrpcStatus forward_agent(ServerCall& call);
  GrpcStatus credentials(ServerCall& call);

  // Adds the handlers above to `handlers`.
  void register_handlers(std::map<std::string, CallHandler>& handlers);

  const AttachableCounters& counters() const { return counters_; }

 private:
  const std::map<std::string, std::string> secrets_;
  const std::map<std::string, std::filesystem::path> ssh_agents_;
  AttachableCounters counters_;
};

}  // namespace buildbench::session
