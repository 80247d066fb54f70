#include "session/file_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "docker/dockerignore.h"
#include "util/fd.h"

namespace buildbench::session {
namespace {

using fsutil::types::Packet;

// The CLI reads files with a 32 KiB buffer, one DATA packet per read; far
// below the daemon's 4 MiB gRPC message limit.
constexpr size_t kChunkSize = 32 * 1024;
// Parallel file senders, as fsutil runs four; two are enough to overlap
// open/read latency with the single stream the packets share.
constexpr int kSenderThreads = 2;
// After we send ERR the daemon ends the call; if it does not, cancel it.
constexpr auto kAbortGrace = std::chrono::seconds(10);

struct RequestableFile {
  uint32_t id = 0;
  std::filesystem::path source;
  std::string path;  // as sent in the STAT, for messages
  int64_t size = 0;
  bool is_socket = false;
};

void fill_stat(const FileStat& from, fsutil::types::Stat& to) {
  to.set_path(from.path);
  to.set_mode(from.mode);
  to.set_uid(from.uid);
  to.set_gid(from.gid);
  to.set_size(from.size);
  to.set_modtime(from.mod_time_ns);
  to.set_linkname(from.linkname);
  to.set_devmajor(from.devmajor);
  to.set_devminor(from.devminor);
  for (const auto& [name, value] : from.xattrs) (*to.mutable_xattrs())[name] = value;
}

// One DiffCopy call: fsutil's sender. Threads: the handler thread walks and
// writes STATs; one reader takes REQ/FIN/ERR; kSenderThreads answer REQs.
// All writes go through write(), which queues on the call (ServerCall::write
// is thread-safe) and records the first failure. Every thread is joined
// before run() returns.
class DiffCopySender {
 public:
  DiffCopySender(ServerCall& call, SessionCounters& counters, std::string dir_name,
                 const FileSentCallback& on_file_sent)
      : call_(call),
        counters_(counters),
        dir_name_(std::move(dir_name)),
        on_file_sent_(on_file_sent) {}

  GrpcStatus run(const SyncedDir& dir, const WalkOptions& options) {
    std::thread reader([this] { read_loop(); });
    std::vector<std::thread> senders;
    for (int i = 0; i < kSenderThreads; ++i) senders.emplace_back([this] { send_loop(); });

    walk_and_send_stats(dir, options);
    wait_for_reader();

    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    for (auto& sender : senders) sender.join();
    reader.join();

    std::lock_guard lock(mutex_);
    if (fin_received_ && failure_.empty()) return {};
    const std::string message = failure_.empty() ? "the daemon ended the transfer before it completed" : failure_;
    counters_.record_failure(message);
    return GrpcStatus{GrpcCode::Unknown, message};
  }

 private:
  void walk_and_send_stats(const SyncedDir& dir, const WalkOptions& options) {
    uint32_t next_id = 0;
    auto status = walk(dir.path, options, [&](WalkEntry&& entry) -> util::Status {
      if (aborted()) return util::error("transfer aborted");
      Packet packet;
      packet.set_type(Packet::PACKET_STAT);
      fill_stat(entry.stat, *packet.mutable_stat());
      const uint32_t id = next_id++;
      // IDs count every STAT; only types without ModeType bits are requestable.
      if ((entry.stat.mode & kGoModeType) == 0) {
        std::lock_guard lock(mutex_);
        requestable_.emplace(id, RequestableFile{id, std::move(entry.source), entry.stat.path, entry.stat.size,
                                                 entry.is_socket});
      }
      if (!write(packet)) return util::error("transfer aborted");
      counters_.stats_sent.fetch_add(1);
      return {};
    });
    if (!status) {
      if (!aborted()) fail("walk " + dir.path.string() + ": " + status.error().message, true);
      return;
    }
    write(Packet());  // a STAT without stat: end of stats
  }

  void read_loop() {
    Packet packet;
    while (call_.read(packet)) {
      if (packet.type() == Packet::PACKET_REQ) {
        if (!queue_request(packet.id())) break;
      } else if (packet.type() == Packet::PACKET_FIN) {
        // All requested files arrived: answer FIN. The daemon never
        // half-closes, so stop reading here.
        Packet fin;
        fin.set_type(Packet::PACKET_FIN);
        write(fin);
        std::lock_guard lock(mutex_);
        fin_received_ = true;
        break;
      } else if (packet.type() == Packet::PACKET_ERR) {
        fail("error from receiver: " + packet.data(), false);
        break;
      }
    }
    {
      std::lock_guard lock(mutex_);
      reader_done_ = true;
    }
    changed_.notify_all();
  }

  bool queue_request(uint32_t id) {
    std::unique_lock lock(mutex_);
    auto it = requestable_.find(id);
    if (it == requestable_.end()) {
      lock.unlock();
      fail("invalid file id " + std::to_string(id), true);
      return false;
    }
    queue_.push_back(std::move(it->second));
    requestable_.erase(it);  // a second REQ for the same id is invalid
    lock.unlock();
    changed_.notify_all();
    counters_.files_requested.fetch_add(1);
    return true;
  }

  void send_loop() {
    for (;;) {
      RequestableFile file;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || !failure_.empty() || !queue_.empty(); });
        if (!failure_.empty() || queue_.empty()) return;
        file = std::move(queue_.front());
        queue_.pop_front();
      }
      if (!send_file(file)) return;
    }
  }

  bool send_file(const RequestableFile& file) {
    const uint32_t id = file.id;
    if (!file.is_socket) {
      // O_NOFOLLOW: if the entry was replaced by a symlink since its STAT,
      // never read through it (it may point outside the context).
      util::Fd fd(::open(file.source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
      if (!fd.valid()) {
        const int err = errno;
        fail(err == ENOENT ? "open " + file.path + ": the file disappeared during the transfer"
                           : "open " + file.path + ": " + std::strerror(err),
             true);
        return false;
      }
      std::string buffer(kChunkSize, '\0');
      int64_t total = 0;
      for (;;) {
        const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0) {
          if (errno == EINTR) continue;
          fail("read " + file.path + ": " + std::strerror(errno), true);
          return false;
        }
        if (n == 0) break;
        total += n;
        if (total > file.size) break;  // grew: reported below, do not send the excess
        Packet data;
        data.set_type(Packet::PACKET_DATA);
        data.set_id(id);
        data.set_data(buffer.data(), static_cast<size_t>(n));
        if (!write(data)) return false;
        counters_.file_bytes_sent.fetch_add(static_cast<uint64_t>(n));
      }
      // The daemon stores the size and mtime we announced with the data we
      // send: a mismatch would poison its copy, so refuse it loudly.
      if (total != file.size) {
        fail("file " + file.path + " changed during the transfer (" + std::to_string(file.size) +
                 " bytes when its stat was sent, " + (total > file.size ? "more" : std::to_string(total)) +
                 " bytes when read); run the build again",
             true);
        return false;
      }
    }
    Packet end;  // empty DATA = end of this file
    end.set_type(Packet::PACKET_DATA);
    end.set_id(id);
    if (!write(end)) return false;
    if (on_file_sent_) on_file_sent_(dir_name_, file.path);
    return true;
  }

  // Writes only queue (ServerCall::write), so the lock is held briefly; it
  // makes "the first write that fails" one event (one message, one cancel).
  bool write(const Packet& packet) {
    std::lock_guard lock(write_mutex_);
    if (write_failed_) return false;
    if (!call_.write(packet)) {
      write_failed_ = true;
      fail("the daemon closed the session stream", false);
      call_.cancel();  // wakes the reader's pending read at once
      return false;
    }
    // Framing the packet computed its size; no second pass over it.
    counters_.bytes_sent.fetch_add(static_cast<uint64_t>(packet.GetCachedSize()));
    return true;
  }

  // Records the first failure; `tell_receiver` sends it as an ERR packet so
  // the daemon reports it ("error from sender: ...") and ends the call.
  void fail(const std::string& message, bool tell_receiver) {
    {
      std::lock_guard lock(mutex_);
      if (!failure_.empty()) return;
      failure_ = message;
    }
    changed_.notify_all();
    if (tell_receiver) {
      Packet err;
      err.set_type(Packet::PACKET_ERR);
      err.set_data(message);
      write(err);
    }
  }

  bool aborted() {
    std::lock_guard lock(mutex_);
    return !failure_.empty() || reader_done_;
  }

  // The call ends when the reader has seen FIN, ERR or the end of the
  // stream. After a failure of ours, give the daemon kAbortGrace to end it,
  // then cancel it so a silent peer cannot hang the build.
  void wait_for_reader() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return reader_done_ || !failure_.empty(); });
    if (reader_done_) return;
    if (!changed_.wait_for(lock, kAbortGrace, [&] { return reader_done_; })) {
      lock.unlock();
      call_.cancel();
      lock.lock();
      changed_.wait(lock, [&] { return reader_done_; });
    }
  }

  ServerCall& call_;
  SessionCounters& counters_;
  const std::string dir_name_;
  const FileSentCallback& on_file_sent_;

  std::mutex write_mutex_;
  bool write_failed_ = false;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<uint32_t, RequestableFile> requestable_;
  std::deque<RequestableFile> queue_;
  bool reader_done_ = false;
  bool fin_received_ = false;
  bool stopping_ = false;
  std::string failure_;
};

std::string first_value(const std::multimap<std::string, std::string>& metadata, const std::string& key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? std::string() : it->second;
}

}  // namespace

std::string query_unescape(std::string_view value) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%') {
      if (i + 2 >= value.size() || hex(value[i + 1]) < 0 || hex(value[i + 2]) < 0) return {};
      out += static_cast<char>(hex(value[i + 1]) * 16 + hex(value[i + 2]));
      i += 2;
    } else if (value[i] == '+') {
      out += ' ';
    } else {
      out += value[i];
    }
  }
  return out;
}

bool go_parse_bool_true(std::string_view value) {
  return value == "1" || value == "t" || value == "T" || value == "TRUE" || value == "true" || value == "True";
}

DiffCopyRequest parse_diffcopy_metadata(const std::multimap<std::string, std::string>& metadata) {
  DiffCopyRequest request;
  // As decodeOpts: only the first `<key>-encoded` value counts.
  const auto encoded = [&](const std::string& key) { return go_parse_bool_true(first_value(metadata, key + "-encoded")); };
  const auto list = [&](const std::string& key) -> std::optional<std::vector<std::string>> {
    auto [begin, end] = metadata.equal_range(key);
    if (begin == end) return std::nullopt;
    const bool escaped = encoded(key);
    std::vector<std::string> values;
    for (auto it = begin; it != end; ++it) values.push_back(escaped ? query_unescape(it->second) : it->second);
    return values;
  };
  request.dir_name = first_value(metadata, "dir-name");
  if (encoded("dir-name")) request.dir_name = query_unescape(request.dir_name);
  request.include_patterns = list("include-patterns");
  request.exclude_patterns = list("exclude-patterns");
  request.follow_paths = list("followpaths");
  return request;
}

FileSyncService::FileSyncService(std::map<std::string, SyncedDir> dirs, SessionCounters& counters,
                                 FileSentCallback on_file_sent)
    : dirs_(std::move(dirs)), counters_(counters), on_file_sent_(std::move(on_file_sent)) {}

GrpcStatus FileSyncService::diff_copy(ServerCall& call) {
  counters_.diffcopy_calls.fetch_add(1);
  const DiffCopyRequest request = parse_diffcopy_metadata(call.metadata());
  auto dir = dirs_.find(request.dir_name);
  if (dir == dirs_.end()) {
    const std::string message = "no access allowed to dir \"" + request.dir_name + "\"";
    counters_.record_failure(message);
    return GrpcStatus{GrpcCode::NotFound, message};
  }

  WalkOptions options;
  options.include_patterns = request.include_patterns;
  options.follow_paths = request.follow_paths;
  options.zero_owner = dir->second.zero_owner;
  std::shared_ptr<docker::IgnoreMatcher> matcher;
  std::string pattern_error;
  if (request.exclude_patterns) {
    auto compiled = docker::IgnoreMatcher::from_patterns(*request.exclude_patterns);
    if (compiled) {
      matcher = std::make_shared<docker::IgnoreMatcher>(std::move(compiled).value());
    } else {
      pattern_error = "invalid excludepatterns: " + compiled.error().message;
    }
  }
  if (matcher) {
    ExcludeRules rules;
    rules.excluded = [matcher](const std::string& path) -> util::Result<bool> { return matcher->excluded(path); };
    if (matcher->has_exceptions()) {
      rules.may_contain_reincluded = [matcher](const std::string& path) {
        return matcher->may_contain_reincluded(path);
      };
    }
    options.excludes = std::move(rules);
  } else if (!pattern_error.empty()) {
    // Reported through the walk, so the daemon sees it as the sender's error.
    options.excludes = ExcludeRules{[pattern_error](const std::string&) -> util::Result<bool> {
                                      return util::error(pattern_error);
                                    },
                                    nullptr};
  }

  DiffCopySender sender(call, counters_, request.dir_name, on_file_sent_);
  return sender.run(dir->second, options);
}

GrpcStatus health_check(ServerCall& call, SessionCounters& counters) {
  grpc::health::v1::HealthCheckRequest request;
  if (!call.read(request)) return GrpcStatus{GrpcCode::InvalidArgument, "no health check request"};
  counters.health_checks.fetch_add(1);
  grpc::health::v1::HealthCheckResponse response;
  response.set_status(grpc::health::v1::HealthCheckResponse::SERVING);
  if (!call.write(response)) return GrpcStatus{GrpcCode::Cancelled, "the daemon went away"};
  return {};
}

}  // namespace buildbench::session
