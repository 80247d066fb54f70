#include "session/grpc_connection.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "session/grpc_framing.h"

namespace buildbench::session {

// Everything one call shares between its handler thread and the loop. The
// mutex guards all fields but the loop-only ones at the end.
struct CallState {
  int32_t stream_id = 0;
  std::string method;
  std::multimap<std::string, std::string> metadata;

  std::mutex mutex;
  std::condition_variable changed;
  GrpcMessageReader inbound;
  bool client_done = false;  // END_STREAM from the daemon
  bool dead = false;         // reset, cancelled, bad framing or connection gone
  bool cancel_requested = false;
  std::string outbound;  // framed messages not yet handed to nghttp2
  size_t outbound_offset = 0;
  bool finished = false;  // the handler returned `status`
  GrpcStatus status;
  bool in_dirty_list = false;

  // Loop thread only.
  bool deferred = false;  // the data source said "nothing yet"; resume it on new output
  bool rst_sent = false;
  bool trailers_sent = false;

  size_t queued() const { return outbound.size() - outbound_offset; }
};

namespace {

// Socket writes gather up to this much of nghttp2's output first.
constexpr size_t kFlushBytes = 256 * 1024;
constexpr size_t kReadBytes = 64 * 1024;

// nghttp2 copies names and values inside nghttp2_submit_* (no NO_COPY
// flags): they must live until that call returns, not until the frame is sent.
nghttp2_nv header(std::string_view name, std::string_view value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    NGHTTP2_NV_FLAG_NONE};
}

// grpc-message is percent-encoded outside printable ASCII (gRPC over HTTP/2).
std::string percent_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e || byte == '%') {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

bool is_metadata(const std::string& name) {
  if (name.empty() || name[0] == ':') return false;
  if (name == "content-type" || name == "te" || name == "user-agent") return false;
  return name.rfind("grpc-", 0) != 0;
}

}  // namespace

struct GrpcConnection::Impl {
  GrpcConnection* self = nullptr;
  util::Fd fd;
  util::Fd wake_fd;
  std::map<std::string, CallHandler> handlers;
  nghttp2_session* session = nullptr;
  std::thread loop;

  // Loop thread only.
  std::map<int32_t, std::shared_ptr<CallState>> calls;
  std::string out;
  size_t out_offset = 0;

  std::mutex mutex;  // guards the fields below
  std::vector<std::shared_ptr<CallState>> dirty;
  std::map<uint64_t, std::thread> handler_threads;
  std::vector<uint64_t> finished_handlers;
  uint64_t next_handler = 0;
  bool stopping = false;
  std::string error;

  std::atomic<bool> wake_pending{false};

  ~Impl() {
    if (session != nullptr) nghttp2_session_del(session);
  }

  void wake() {
    if (wake_pending.exchange(true)) return;
    const uint64_t one = 1;
    (void)!::write(wake_fd.get(), &one, sizeof one);
  }

  void fail(const std::string& message) {
    std::lock_guard lock(mutex);
    if (error.empty() && !stopping) error = message;
  }

  void kill_all_calls() {
    for (auto& [id, state] : calls) {
      std::lock_guard lock(state->mutex);
      state->dead = true;
      state->changed.notify_all();
    }
  }

  // ---- nghttp2 callbacks (loop thread)

  static Impl& of(void* user_data) { return *static_cast<Impl*>(user_data); }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    auto state = std::make_shared<CallState>();
    state->stream_id = frame->hd.stream_id;
    of(user_data).calls[frame->hd.stream_id] = std::move(state);
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t name_length,
                       const uint8_t* value, size_t value_length, uint8_t, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    auto it = of(user_data).calls.find(frame->hd.stream_id);
    if (it == of(user_data).calls.end()) return 0;
    std::string key(reinterpret_cast<const char*>(name), name_length);
    std::string text(reinterpret_cast<const char*>(value), value_length);
    if (key == ":path") {
      it->second->method = std::move(text);
    } else if (is_metadata(key)) {
      it->second->metadata.emplace(std::move(key), std::move(text));
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Impl& impl = of(user_data);
    auto it = impl.calls.find(frame->hd.stream_id);
    if (it == impl.calls.end()) return 0;
    const std::shared_ptr<CallState> state = it->second;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) impl.dispatch(state);
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
      std::lock_guard lock(state->mutex);
      state->client_done = true;
      state->changed.notify_all();
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session* session, uint8_t, int32_t stream_id, const uint8_t* data, size_t length,
                           void* user_data) {
    auto it = of(user_data).calls.find(stream_id);
    if (it == of(user_data).calls.end()) return 0;
    CallState& state = *it->second;
    std::lock_guard lock(state.mutex);
    if (state.dead) return 0;
    const bool framed = static_cast<bool>(state.inbound.feed(std::string_view(reinterpret_cast<const char*>(data), length)));
    const bool bounded = state.inbound.buffered_bytes() <= ServerCall::kMaxUnreadBytes;
    if (!framed || !bounded) {
      state.dead = true;
      if (!state.rst_sent) {
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id,
                                  framed ? NGHTTP2_ENHANCE_YOUR_CALM : NGHTTP2_PROTOCOL_ERROR);
        state.rst_sent = true;
      }
    }
    state.changed.notify_all();
    return 0;
  }

  static int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user_data) {
    Impl& impl = of(user_data);
    auto it = impl.calls.find(stream_id);
    if (it == impl.calls.end()) return 0;
    {
      CallState& state = *it->second;
      std::lock_guard lock(state.mutex);
      if (error_code != NGHTTP2_NO_ERROR || !state.trailers_sent) state.dead = true;
      state.changed.notify_all();
    }
    impl.calls.erase(it);
    return 0;
  }

  // What goes out on a call's stream after its headers: queued messages,
  // then the trailers once the handler has finished.
  static ssize_t read_outbound(nghttp2_session* session, int32_t stream_id, uint8_t* buffer, size_t length,
                               uint32_t* flags, nghttp2_data_source* source, void*) {
    CallState& state = *static_cast<CallState*>(source->ptr);
    std::unique_lock lock(state.mutex);
    if (state.queued() > 0) {
      const size_t n = std::min(length, state.queued());
      std::memcpy(buffer, state.outbound.data() + state.outbound_offset, n);
      const bool was_full = state.queued() >= ServerCall::kMaxQueuedBytes;
      state.outbound_offset += n;
      if (state.outbound_offset == state.outbound.size()) {
        state.outbound.clear();
        state.outbound_offset = 0;
      } else if (state.outbound_offset >= ServerCall::kMaxQueuedBytes) {
        state.outbound.erase(0, state.outbound_offset);
        state.outbound_offset = 0;
      }
      if (was_full && state.queued() < ServerCall::kMaxQueuedBytes) state.changed.notify_all();
      return static_cast<ssize_t>(n);
    }
    if (!state.finished) {
      state.deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
    const std::string code = std::to_string(static_cast<int>(state.status.code));
    const std::string message = percent_encode(state.status.message);
    lock.unlock();
    *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
    std::vector<nghttp2_nv> trailers = {header("grpc-status", code)};
    if (!message.empty()) trailers.push_back(header("grpc-message", message));
    if (nghttp2_submit_trailer(session, stream_id, trailers.data(), trailers.size()) != 0) {
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    state.trailers_sent = true;
    return 0;
  }

  // ---- calls

  void dispatch(const std::shared_ptr<CallState>& state) {
    auto handler = handlers.find(state->method);
    if (handler == handlers.end()) {
      // Finished before it started: the headers, then UNIMPLEMENTED in the
      // trailers. (grpc-core 1.51 read no status from a trailers-only
      // response that ends the stream while the request is still open.)
      std::lock_guard lock(state->mutex);
      state->finished = true;
      state->status = GrpcStatus{GrpcCode::Unimplemented, "unknown method " + state->method};
    }
    nghttp2_data_provider provider{};
    provider.source.ptr = state.get();
    provider.read_callback = &Impl::read_outbound;
    const nghttp2_nv headers[] = {header(":status", "200"), header("content-type", "application/grpc")};
    if (nghttp2_submit_response(session, state->stream_id, headers, 2, &provider) != 0) {
      std::lock_guard lock(state->mutex);
      state->dead = true;
      return;
    }
    if (handler == handlers.end()) return;
    std::lock_guard lock(mutex);
    if (stopping) return;
    const uint64_t number = next_handler++;
    handler_threads.emplace(number, std::thread([this, state, run = handler->second, number] {
                              ServerCall call(state, *self);
                              GrpcStatus status = run(call);
                              {
                                std::lock_guard call_lock(state->mutex);
                                state->finished = true;
                                state->status = std::move(status);
                              }
                              self->wake(state);
                              std::lock_guard threads_lock(mutex);
                              finished_handlers.push_back(number);
                            }));
  }

  // New output, finishes and cancels that handlers queued since last time.
  // `signalled`: poll saw the eventfd readable. Only then is it read and
  // wake_pending cleared (while wake_pending is set, an unread signal is
  // there for poll to see), so a busy loop makes no extra read per round.
  void apply_wakeups(bool signalled) {
    if (signalled) {
      uint64_t count = 0;
      (void)!::read(wake_fd.get(), &count, sizeof count);
      wake_pending.store(false);
    }
    std::vector<std::shared_ptr<CallState>> states;
    std::vector<std::thread> done;
    {
      std::lock_guard lock(mutex);
      states.swap(dirty);
      for (uint64_t number : finished_handlers) {
        auto it = handler_threads.find(number);
        if (it != handler_threads.end()) {
          done.push_back(std::move(it->second));
          handler_threads.erase(it);
        }
      }
      finished_handlers.clear();
    }
    for (auto& thread : done) thread.join();  // it is past its last lock: returns at once
    for (const auto& state : states) {
      bool cancel = false;
      {
        std::lock_guard lock(state->mutex);
        state->in_dirty_list = false;
        cancel = state->cancel_requested;
      }
      if (calls.find(state->stream_id) == calls.end()) continue;  // stream already closed
      if (cancel) {
        if (!state->rst_sent) nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, state->stream_id, NGHTTP2_CANCEL);
        state->rst_sent = true;
      } else if (state->deferred) {
        state->deferred = false;
        nghttp2_session_resume_data(session, state->stream_id);
      }
    }
  }

  // ---- the loop

  // Moves nghttp2's output to the socket; false when the connection failed.
  bool flush() {
    for (;;) {
      while (out.size() - out_offset < kFlushBytes) {
        const uint8_t* data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(session, &data);
        if (n < 0) {
          fail(std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n)));
          return false;
        }
        if (n == 0) break;
        out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
      }
      if (out_offset == out.size()) {
        out.clear();
        out_offset = 0;
        return true;
      }
      const ssize_t sent = ::send(fd.get(), out.data() + out_offset, out.size() - out_offset, MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
        fail(std::string("write to the session connection: ") + std::strerror(errno));
        return false;
      }
      out_offset += static_cast<size_t>(sent);
    }
  }

  // False when the connection ended or failed.
  bool receive() {
    uint8_t buffer[kReadBytes];
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) return true;
      fail(std::string("read from the session connection: ") + std::strerror(errno));
      return false;
    }
    if (n == 0) {
      fail("the daemon closed the session connection");
      return false;
    }
    const ssize_t used = nghttp2_session_mem_recv(session, buffer, static_cast<size_t>(n));
    if (used < 0) {
      fail(std::string("HTTP/2 from the daemon: ") + nghttp2_strerror(static_cast<int>(used)));
      return false;
    }
    return true;
  }

  void run() {
    bool signalled = false;
    for (;;) {
      apply_wakeups(signalled);
      {
        std::lock_guard lock(mutex);
        if (stopping) break;
      }
      if (!flush()) break;
      if (nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0 && out.empty()) {
        fail("the daemon ended the session (GOAWAY)");
        break;
      }
      pollfd fds[2] = {{fd.get(), static_cast<short>(POLLIN | (out.empty() ? 0 : POLLOUT)), 0},
                       {wake_fd.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        fail(std::string("poll: ") + std::strerror(errno));
        break;
      }
      signalled = (fds[1].revents & POLLIN) != 0;
      if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !receive()) break;
    }
    kill_all_calls();
  }
};

// ---- ServerCall

ServerCall::ServerCall(std::shared_ptr<CallState> state, GrpcConnection& connection)
    : state_(std::move(state)), connection_(connection) {}

const std::multimap<std::string, std::string>& ServerCall::metadata() const { return state_->metadata; }

bool ServerCall::read(google::protobuf::MessageLite& message) {
  std::string bytes;
  bool got = false;
  {
    std::unique_lock lock(state_->mutex);
    state_->changed.wait(lock, [&] {
      if (state_->dead) return true;
      got = state_->inbound.next(bytes);
      return got || state_->client_done;
    });
    if (!got) return false;
  }
  return message.ParseFromString(bytes);
}

bool ServerCall::write(const google::protobuf::MessageLite& message) {
  std::string framed = frame_grpc_message(message);
  bool wake = false;
  {
    std::unique_lock lock(state_->mutex);
    state_->changed.wait(lock, [&] { return state_->dead || state_->queued() < kMaxQueuedBytes; });
    if (state_->dead) return false;
    if (state_->outbound.empty()) {
      state_->outbound = std::move(framed);
    } else {
      state_->outbound += framed;
    }
    wake = !state_->in_dirty_list;
    state_->in_dirty_list = true;
  }
  if (wake) connection_.wake(state_);
  return true;
}

void ServerCall::cancel() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->dead) return;
    state_->dead = true;
    state_->cancel_requested = true;
    state_->in_dirty_list = true;
    state_->changed.notify_all();
  }
  connection_.wake(state_);
}

bool ServerCall::dead() const {
  std::lock_guard lock(state_->mutex);
  return state_->dead;
}

// ---- GrpcConnection

GrpcConnection::GrpcConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GrpcConnection::~GrpcConnection() { close(); }

void GrpcConnection::wake(const std::shared_ptr<CallState>& state) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->dirty.push_back(state);
  }
  impl_->wake();
}

std::string GrpcConnection::error() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->error;
}

void GrpcConnection::close() {
  if (!impl_->loop.joinable()) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake();
  impl_->loop.join();
  // The loop has marked every call dead: handlers return soon.
  std::map<uint64_t, std::thread> threads;
  {
    std::lock_guard lock(impl_->mutex);
    threads.swap(impl_->handler_threads);
  }
  for (auto& [number, thread] : threads) thread.join();
  impl_->fd.close();
}

util::Result<std::unique_ptr<GrpcConnection>> GrpcConnection::serve(util::Fd fd,
                                                                   std::map<std::string, CallHandler> handlers) {
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0) {
    return util::error(std::string("session connection: ") + std::strerror(errno));
  }
  auto impl = std::make_unique<Impl>();
  impl->fd = std::move(fd);
  impl->wake_fd = util::Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!impl->wake_fd.valid()) return util::error(std::string("eventfd: ") + std::strerror(errno));
  impl->handlers = std::move(handlers);

  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) return util::error("nghttp2: out of memory");
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &Impl::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Impl::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Impl::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Impl::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Impl::on_stream_close);
  const int created = nghttp2_session_server_new(&impl->session, callbacks, impl.get());
  nghttp2_session_callbacks_del(callbacks);
  if (created != 0) return util::error(std::string("nghttp2: ") + nghttp2_strerror(created));
  // The server's first frame is its SETTINGS; defaults suit us.
  nghttp2_submit_settings(impl->session, NGHTTP2_FLAG_NONE, nullptr, 0);

  std::unique_ptr<GrpcConnection> connection(new GrpcConnection(std::move(impl)));
  Impl* raw = connection->impl_.get();
  raw->self = connection.get();
  raw->loop = std::thread([raw] { raw->run(); });
  return connection;
}

}  // namespace buildbench::session
