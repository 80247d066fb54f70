#pragma once
// The client side of a BuildKit build session (Docker 20.10, API >= 1.39):
// `POST /session` upgraded to h2c on its own connection, on which buildbench
// is the gRPC server and the daemon the client. The daemon pulls the build
// context through FileSync/DiffCopy, only the files it lacks, so a warm
// rebuild transfers no file data, exactly as `docker build` with BuildKit.
//
// Use: start a session, send `POST /build` with BuildQuery::session_id =
// id() and no body, read the build stream to its end, then close(). See
// ../../shared/SESSION-PROTOCOL.md for the protocol facts this follows.
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "docker/endpoint.h"
#include "session/file_sent_callback.h"
#include "session/session_stats.h"
#include "util/result.h"

namespace buildbench::session {

struct SessionOptions {
  // Served as dir-name "context", with uid/gid forced to 0 as the CLI does.
  std::filesystem::path context_dir;
  // Served as dir-name "dockerfile": the directory holding the Dockerfile;
  // empty = context_dir.
  std::filesystem::path dockerfile_dir;
  // Selects the daemon's cached copy of the context. Empty: derived from
  // this machine's node id and the absolute context path (stable, so
  // rebuilds are incremental). Set it to compare with another client.
  std::string shared_key;
  // Informational X-Docker-Expose-Session-Name; empty = context basename.
  std::string name;
  // The session's id; empty = a new one. Set it to send POST /build naming
  // the session while the session is still being set up.
  std::string session_id;
  // Secrets for `RUN --mount=type=secret,id=ID`: id -> value (read_secrets()).
  std::map<std::string, std::string> secrets;
  // Agents for `RUN --mount=type=ssh[,id=ID]`: id -> agent socket.
  std::map<std::string, std::filesystem::path> ssh_agents;
  // Called after each file's data was sent, with the dir-name ("context" or
  // "dockerfile") and the path as sent; runs on gRPC threads, concurrently.
  FileSentCallback on_file_sent;
};

class BuildSession {
 public:
  // Connects to the daemon, upgrades the connection and starts serving.
  // Fails with a clear message for TLS endpoints (not supported: use the
  // tar context transfer), a missing context directory, or a daemon that
  // refuses the session (the HTTP status and body are in the message).
  static util::Result<std::unique_ptr<BuildSession>> start(const docker::Endpoint& endpoint,
                                                          const SessionOptions& options);
  ~BuildSession();
  BuildSession(const BuildSession&) = delete;
  BuildSession& operator=(const BuildSession&) = delete;

  // The session id for POST /build?session=<id>.
  const std::string& id() const;
  const std::string& shared_key() const;
  // Counters so far; safe to call at any time, from any thread.
  SessionStats stats() const;
  // Ends the session: cancels transfers still running, joins every thread
  // and closes the connection. Idempotent; the destructor calls it.
  void close();

  struct Impl;

 private:
  explicit BuildSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whether a session can reach the daemon at `endpoint`: not over TLS (use
// the tar context transfer there). start() checks it too.
util::Status check_session_endpoint(const docker::Endpoint& endpoint);

// A stable id for this machine and user: 64 hex chars kept in
// $XDG_CACHE_HOME/buildbench/node-id (else ~/.cache/buildbench/node-id),
// created once. When no cache directory is writable, a fixed fallback keeps
// keys stable anyway.
std::string node_id();
// lowercase hex SHA-256 of "<node id>:<absolute, normalized context dir>".
std::string derive_shared_key(const std::filesystem::path& context_dir);
// 25 random lowercase base-36 characters, like the docker CLI's session ids.
std::string new_session_id();

}  // namespace buildbench::session
