#include "session/attachables.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "session_auth.pb.h"
#include "session_secrets.pb.h"
#include "session_ssh.pb.h"
#include "util/fd.h"

namespace buildbench::session {
namespace {

constexpr size_t kForwardChunk = 32 * 1024;  // as BuildKit's sshforward.Copy

util::Result<util::Fd> connect_unix(const std::filesystem::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path.string();
  if (text.size() >= sizeof(address.sun_path)) return util::error("socket path too long: " + text);
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  util::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return util::error(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return util::error("connect " + text + ": " + std::strerror(errno));
  }
  return fd;
}

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string first_value(const std::multimap<std::string, std::string>& metadata, const std::string& key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? std::string() : it->second;
}

}  // namespace

Attachables::Attachables(std::map<std::string, std::string> secrets,
                         std::map<std::string, std::filesystem::path> ssh_agents)
    : secrets_(std::move(secrets)), ssh_agents_(std::move(ssh_agents)) {}

GrpcStatus Attachables::get_secret(ServerCall& call) {
  moby::buildkit::secrets::v1::GetSecretRequest request;
  if (!call.read(request)) return GrpcStatus{GrpcCode::InvalidArgument, "no GetSecret request"};
  auto found = secrets_.find(request.id());
  if (found == secrets_.end()) {
    counters_.secrets_missing.fetch_add(1);
    // The words the CLI's provider uses; the daemon maps NOT_FOUND to "not found".
    return GrpcStatus{GrpcCode::NotFound, "secret " + request.id() + ": not found"};
  }
  moby::buildkit::secrets::v1::GetSecretResponse response;
  response.set_data(found->second);
  if (!call.write(response)) return GrpcStatus{GrpcCode::Cancelled, "the daemon went away"};
  counters_.secrets_served.fetch_add(1);
  return {};
}

GrpcStatus Attachables::check_agent(ServerCall& call) {
  moby::sshforward::v1::CheckAgentRequest request;
  if (!call.read(request)) return GrpcStatus{GrpcCode::InvalidArgument, "no CheckAgent request"};
  const std::string id = request.id().empty() ? "default" : request.id();
  if (ssh_agents_.count(id) == 0) {
    return GrpcStatus{GrpcCode::NotFound, "unset ssh forward key " + id + " (pass --ssh " + id + "=SOCKET)"};
  }
  moby::sshforward::v1::CheckAgentResponse response;
  if (!call.write(response)) return GrpcStatus{GrpcCode::Cancelled, "the daemon went away"};
  return {};
}

GrpcStatus Attachables::forward_agent(ServerCall& call) {
  std::string id = first_value(call.metadata(), kSshIdKey);
  if (id.empty()) id = "default";
  auto agent = ssh_agents_.find(id);
  if (agent == ssh_agents_.end()) return GrpcStatus{GrpcCode::NotFound, "unset ssh forward key " + id};
  auto connected = connect_unix(agent->second);
  if (!connected) return GrpcStatus{GrpcCode::Unavailable, "ssh agent " + id + ": " + connected.error().message};
  util::Fd socket = std::move(connected).value();
  counters_.ssh_forwards.fetch_add(1);

  // Agent -> daemon on its own thread; daemon -> agent here. The agent's
  // EOF ends our side's messages; the daemon's half-close becomes
  // shutdown(SHUT_WR), so the agent sees EOF too (BuildKit's Copy does the same).
  std::thread agent_to_daemon([&] {
    std::string buffer(kForwardChunk, '\0');
    for (;;) {
      const ssize_t n = ::recv(socket.get(), buffer.data(), buffer.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      moby::sshforward::v1::BytesMessage message;
      message.set_data(buffer.data(), static_cast<size_t>(n));
      if (!call.write(message)) return;
    }
  });
  moby::sshforward::v1::BytesMessage message;
  bool agent_gone = false;
  while (call.read(message)) {
    if (!write_all(socket.get(), message.data())) {
      agent_gone = true;
      break;
    }
  }
  // Half-close on the daemon's end of input; a dead call or an agent that
  // stopped reading stops both directions at once.
  ::shutdown(socket.get(), agent_gone || call.dead() ? SHUT_RDWR : SHUT_WR);
  agent_to_daemon.join();
  if (call.dead()) return GrpcStatus{GrpcCode::Cancelled, "the daemon ended the forwarding"};
  return {};
}

GrpcStatus Attachables::credentials(ServerCall& call) {
  moby::filesync::v1::CredentialsRequest request;
  if (!call.read(request)) return GrpcStatus{GrpcCode::InvalidArgument, "no Credentials request"};
  counters_.credentials_asked.fetch_add(1);
  moby::filesync::v1::CredentialsResponse anonymous;
  if (!call.write(anonymous)) return GrpcStatus{GrpcCode::Cancelled, "the daemon went away"};
  return {};
}

void Attachables::register_handlers(std::map<std::string, CallHandler>& handlers) {
  handlers[kGetSecret] = [this](ServerCall& call) { return get_secret(call); };
  handlers[kCheckAgent] = [this](ServerCall& call) { return check_agent(call); };
  handlers[kForwardAgent] = [this](ServerCall& call) { return forward_agent(call); };
  handlers[kCredentials] = [this](ServerCall& call) { return credentials(call); };
}

}  // namespace buildbench::session
