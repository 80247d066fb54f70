#include "session/build_session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>

#include "session/attachables.h"
#include "session/file_sync.h"
#include "session/grpc_connection.h"
#include "session/hijack.h"
#include "util/fd.h"
#include "util/hash.h"

namespace buildbench::session {
namespace {

// Each daemon lookup waits at most 5 s for a session; our own handshake
// should be far faster, but must not hang on a daemon that never answers.
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

// What we serve, advertised as the CLI advertises it (one header line per
// method). FileSync/DiffCopy must be (the daemon checks it before calling);
// Auth is called whether advertised or not. The Auth token methods are
// advertised and answered UNIMPLEMENTED, as the CLI without stored
// credentials (attachables.h says what the daemon makes of that).
// TarStream and Health/Watch are never called.
constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";
constexpr char kDiffCopy[] = "/moby.filesync.v1.FileSync/DiffCopy";
const std::vector<std::string> kServedMethods = {
    kHealthCheck, kDiffCopy,   kGetSecret,         kCheckAgent,          kForwardAgent,
    kCredentials, kFetchToken, kGetTokenAuthority, kVerifyTokenAuthority};

bool is_hex64(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::filesystem::path node_id_file() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::filesystem::path(xdg) / "buildbench" / "node-id";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return std::filesystem::path(home) / ".cache" / "buildbench" / "node-id";
  return {};
}

std::string read_first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

std::string node_id() {
  // Without a writable cache every key still stays stable per context dir.
  static const std::string kFallback = "buildbench-no-node-id";
  const std::filesystem::path file = node_id_file();
  if (file.empty()) return kFallback;
  if (std::string existing = read_first_line(file); is_hex64(existing)) return existing;

  std::error_code ignored;
  std::filesystem::create_directories(file.parent_path(), ignored);
  // Write a private temp file, then link() it into place: concurrent first
  // runs agree on whichever id landed first.
  const std::filesystem::path temp = file.string() + ".tmp." + std::to_string(::getpid()) + "." + util::random_hex(4);
  {
    util::Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.valid()) return kFallback;
    const std::string id = util::random_hex(32) + "\n";
    if (::write(fd.get(), id.data(), id.size()) != static_cast<ssize_t>(id.size())) {
      ::unlink(temp.c_str());
      return kFallback;
    }
  }
  const bool linked = ::link(temp.c_str(), file.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (!linked && link_errno != EEXIST) return kFallback;
  std::string stored = read_first_line(file);
  return is_hex64(stored) ? stored : kFallback;
}

std::string derive_shared_key(const std::filesystem::path& context_dir) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(context_dir, error);
  if (error) absolute = context_dir;
  std::string normalized = absolute.lexically_normal().string();
  // "dir/" and "dir" are the same context (the CLI would treat them apart).
  while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();
  return util::sha256_hex(node_id() + ":" + normalized);
}

std::string new_session_id() {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device device;
  std::uniform_int_distribution<int> pick(0, 35);
  std::string id;
  for (int i = 0; i < 25; ++i) id += kAlphabet[pick(device)];
  return id;
}

struct BuildSession::Impl {
  std::string id;
  std::string shared_key;
  SessionCounters counters;  // before the services, which refer to it
  std::unique_ptr<FileSyncService> file_sync;
  std::unique_ptr<Attachables> attachables;
  std::unique_ptr<GrpcConnection> connection;
  std::mutex close_mutex;
  bool closed = false;
};

BuildSession::BuildSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BuildSession::~BuildSession() { close(); }

const std::string& BuildSession::id() const { return impl_->id; }
const std::string& BuildSession::shared_key() const { return impl_->shared_key; }
SessionStats BuildSession::stats() const {
  SessionStats stats = impl_->counters.snapshot();
  if (impl_->attachables) {
    const auto& counters = impl_->attachables->counters();
    stats.secrets_served = counters.secrets_served.load();
    stats.ssh_forwards = counters.ssh_forwards.load();
    stats.credentials_asked = counters.credentials_asked.load();
  }
  return stats;
}

void BuildSession::close() {
  std::lock_guard lock(impl_->close_mutex);
  if (impl_->closed) return;
  impl_->closed = true;
  // The build stream has ended, so nothing the daemon still has in flight
  // matters (the CLI simply drops the connection): calls still running are
  // cancelled, their threads joined, and the connection closed.
  if (impl_->connection) impl_->connection->close();
}

util::Status check_session_endpoint(const docker::Endpoint& endpoint) {
  if (endpoint.tls) {
    return util::error("a BuildKit session over TLS (" + endpoint.describe() +
                       ") is not supported; use --context-transfer tar");
  }
  return {};
}

util::Result<std::unique_ptr<BuildSession>> BuildSession::start(const docker::Endpoint& endpoint,
                                                                const SessionOptions& options) {
  std::error_code error;
  if (!std::filesystem::is_directory(options.context_dir, error)) {
    return util::error("build context " + options.context_dir.string() + " is not a directory");
  }
  const std::filesystem::path dockerfile_dir =
      options.dockerfile_dir.empty() ? options.context_dir : options.dockerfile_dir;
  if (!std::filesystem::is_directory(dockerfile_dir, error)) {
    return util::error("Dockerfile directory " + dockerfile_dir.string() + " is not a directory");
  }

  auto impl = std::make_unique<Impl>();
  impl->id = options.session_id.empty() ? new_session_id() : options.session_id;
  impl->shared_key = options.shared_key.empty() ? derive_shared_key(options.context_dir) : options.shared_key;

  UpgradeRequest request;
  request.session_id = impl->id;
  std::string name = options.name;
  if (name.empty()) name = options.context_dir.lexically_normal().filename().string();
  request.name = name.empty() ? "." : name;
  request.shared_key = impl->shared_key;
  request.methods = kServedMethods;
  auto fd = open_session_connection(endpoint, request, kHandshakeTimeout);
  if (!fd) return fd.error();

  std::map<std::string, SyncedDir> dirs;
  dirs["context"] = SyncedDir{options.context_dir, true};
  dirs["dockerfile"] = SyncedDir{dockerfile_dir, false};
  impl->file_sync = std::make_unique<FileSyncService>(std::move(dirs), impl->counters, options.on_file_sent);
  std::map<std::string, CallHandler> handlers;
  handlers[kDiffCopy] = [sync = impl->file_sync.get()](ServerCall& call) { return sync->diff_copy(call); };
  handlers[kHealthCheck] = [counters = &impl->counters](ServerCall& call) { return health_check(call, *counters); };
  impl->attachables = std::make_unique<Attachables>(options.secrets, options.ssh_agents);
  impl->attachables->register_handlers(handlers);
  auto connection = GrpcConnection::serve(std::move(*fd), std::move(handlers));
  if (!connection) return connection.error();
  impl->connection = std::move(*connection);
  return std::unique_ptr<BuildSession>(new BuildSession(std::move(impl)));
}

}  // namespace buildbench::session
