// The session's wire protocol without a daemon: the 101 head is read
// without over-reading, and our HTTP/2 gRPC server (GrpcConnection) is
// driven by grpc++'s client over a socketpair, playing the daemon's
// receiver (STAT..., end, REQ, DATA, empty DATA, FIN handshake, invalid ids,
// ERR), its health checks and calls to methods we do not serve.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <grpcpp/create_channel_posix.h>
#include <grpcpp/grpcpp.h>

#include "filesync.grpc.pb.h"
#include "session/file_sync.h"
#include "session/grpc_connection.h"
#include "session_health.grpc.pb.h"
#include "session/hijack.h"
#include "support/test_support.h"
#include "util/fd.h"
#include "util/temp_dir.h"

namespace {

namespace fs = std::filesystem;
namespace session = buildbench::session;
using fsutil::types::Packet;

void set_nonblocking(int fd) { REQUIRE(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0); }

// Our session server (FileSync and health, as BuildSession serves them) and
// grpc++ client stubs joined by a socketpair.
struct Loopback {
  session::SessionCounters counters;
  std::unique_ptr<session::FileSyncService> service;
  std::unique_ptr<session::GrpcConnection> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<moby::filesync::v1::FileSync::Stub> stub;

  explicit Loopback(const fs::path& context) {
    std::map<std::string, session::SyncedDir> dirs;
    dirs["context"] = session::SyncedDir{context, true};
    service = std::make_unique<session::FileSyncService>(std::move(dirs), counters);
    std::map<std::string, session::CallHandler> handlers;
    handlers["/moby.filesync.v1.FileSync/DiffCopy"] = [this](session::ServerCall& call) {
      return service->diff_copy(call);
    };
    handlers["/grpc.health.v1.Health/Check"] = [this](session::ServerCall& call) {
      return session::health_check(call, counters);
    };
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    set_nonblocking(fds[1]);
    auto served = session::GrpcConnection::serve(buildbench::util::Fd(fds[0]), std::move(handlers));
    REQUIRE(served);
    server = std::move(*served);
    channel = grpc::CreateInsecureChannelFromFd("loopback", fds[1]);
    stub = moby::filesync::v1::FileSync::NewStub(channel);
  }
  ~Loopback() { server->close(); }
};

// Our server with one DiffCopy handler of the test's own, and a grpc++
// client call to it already open; `peer_fd` is the client's end.
struct OneCallServer {
  std::unique_ptr<session::GrpcConnection> server;
  int peer_fd = -1;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<moby::filesync::v1::FileSync::Stub> stub;
  grpc::ClientContext client;
  std::unique_ptr<grpc::ClientReaderWriter<Packet, Packet>> stream;

  explicit OneCallServer(session::CallHandler handler) {
    std::map<std::string, session::CallHandler> handlers;
    handlers["/moby.filesync.v1.FileSync/DiffCopy"] = std::move(handler);
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    auto served = session::GrpcConnection::serve(buildbench::util::Fd(fds[0]), std::move(handlers));
    REQUIRE(served);
    server = std::move(*served);
    peer_fd = fds[1];
    set_nonblocking(peer_fd);
    channel = grpc::CreateInsecureChannelFromFd("loopback", peer_fd);
    stub = moby::filesync::v1::FileSync::NewStub(channel);
    stream = stub->DiffCopy(&client);
  }
  ~OneCallServer() {
    server->close();
    client.TryCancel();
    stream->Finish();
  }
};

bool eventually(const std::atomic<bool>& flag) {
  for (int i = 0; i < 300 && !flag; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return flag;
}

struct StatsRead {
  std::vector<fsutil::types::Stat> stats;
  bool ended = false;
};

StatsRead read_stats(grpc::ClientReaderWriter<Packet, Packet>& stream) {
  StatsRead out;
  Packet packet;
  while (stream.Read(&packet)) {
    REQUIRE(packet.type() == Packet::PACKET_STAT);
    if (!packet.has_stat()) {
      out.ended = true;
      break;
    }
    out.stats.push_back(packet.stat());
  }
  return out;
}

Packet req(uint32_t id) {
  Packet packet;
  packet.set_type(Packet::PACKET_REQ);
  packet.set_id(id);
  return packet;
}

void touch(const fs::path& path, const std::string& content) { buildbench::test::write_file(path, content); }

}  // namespace

TEST_CASE("DiffCopy: stats, end marker, requested data in chunks, FIN handshake", "[session][protocol]") {
  buildbench::util::TempDir context("bb-proto-");
  touch(context.path() / "a.txt", "hello");
  touch(context.path() / "dir" / "big.bin", std::string(100000, 'b'));
  touch(context.path() / "empty", "");
  Loopback loop(context.path());

  grpc::ClientContext client;
  client.AddMetadata("dir-name", "context");
  auto stream = loop.stub->DiffCopy(&client);
  StatsRead listed = read_stats(*stream);
  REQUIRE(listed.ended);
  REQUIRE(listed.stats.size() == 4);
  CHECK(listed.stats[0].path() == "a.txt");
  CHECK(listed.stats[1].path() == "dir");
  CHECK(listed.stats[2].path() == "dir/big.bin");
  CHECK(listed.stats[3].path() == "empty");
  for (const auto& stat : listed.stats) CHECK(stat.uid() == 0);

  // IDs are STAT indexes: 2 = dir/big.bin, 0 = a.txt, 3 = empty.
  REQUIRE(stream->Write(req(2)));
  REQUIRE(stream->Write(req(0)));
  REQUIRE(stream->Write(req(3)));
  std::map<uint32_t, std::string> data;
  std::map<uint32_t, bool> done;
  size_t max_chunk = 0;
  Packet packet;
  while (done.size() < 3 && stream->Read(&packet)) {
    REQUIRE(packet.type() == Packet::PACKET_DATA);
    if (packet.data().empty()) {
      done[packet.id()] = true;
    } else {
      data[packet.id()] += packet.data();
      max_chunk = std::max(max_chunk, packet.data().size());
    }
  }
  CHECK(data[0] == "hello");
  CHECK(data[2] == std::string(100000, 'b'));
  CHECK(data[3].empty());
  CHECK(done.size() == 3);
  CHECK(max_chunk == 32 * 1024);

  Packet fin;
  fin.set_type(Packet::PACKET_FIN);
  REQUIRE(stream->Write(fin));
  REQUIRE(stream->Read(&packet));
  CHECK(packet.type() == Packet::PACKET_FIN);
  stream->WritesDone();
  CHECK(stream->Finish().ok());

  auto stats = loop.counters.snapshot();
  CHECK(stats.files_requested == 3);
  CHECK(stats.stats_sent == 4);
  CHECK(stats.file_bytes_sent == 100005);
  CHECK(stats.diffcopy_failures == 0);
}

TEST_CASE("DiffCopy: requesting a directory's id is refused with ERR", "[session][protocol]") {
  buildbench::util::TempDir context("bb-proto-");
  touch(context.path() / "d" / "f", "x");
  Loopback loop(context.path());
  grpc::ClientContext client;
  client.AddMetadata("dir-name", "context");
  auto stream = loop.stub->DiffCopy(&client);
  REQUIRE(read_stats(*stream).ended);
  REQUIRE(stream->Write(req(0)));  // "d" is a directory
  Packet packet;
  REQUIRE(stream->Read(&packet));
  CHECK(packet.type() == Packet::PACKET_ERR);
  CHECK(packet.data() == "invalid file id 0");
  client.TryCancel();  // the daemon ends the call on ERR
  stream->Finish();
  // The server's handler records the failure when it returns, which may be
  // just after the client saw the call end.
  for (int i = 0; i < 300 && loop.counters.snapshot().diffcopy_failures == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(loop.counters.snapshot().diffcopy_failures == 1);
}

TEST_CASE("DiffCopy: a file that vanished before its REQ is an ERR naming it", "[session][protocol]") {
  buildbench::util::TempDir context("bb-proto-");
  touch(context.path() / "gone.txt", "soon gone");
  Loopback loop(context.path());
  grpc::ClientContext client;
  client.AddMetadata("dir-name", "context");
  auto stream = loop.stub->DiffCopy(&client);
  REQUIRE(read_stats(*stream).ended);
  fs::remove(context.path() / "gone.txt");
  REQUIRE(stream->Write(req(0)));
  Packet packet;
  REQUIRE(stream->Read(&packet));
  CHECK(packet.type() == Packet::PACKET_ERR);
  CHECK(packet.data().find("gone.txt") != std::string::npos);
  CHECK(packet.data().find("disappeared") != std::string::npos);
  client.TryCancel();
  stream->Finish();
}

TEST_CASE("DiffCopy: an unknown dir-name is NOT_FOUND - filters come from metadata", "[session][protocol]") {
  buildbench::util::TempDir context("bb-proto-");
  touch(context.path() / "Dockerfile", "FROM scratch\n");
  touch(context.path() / "keep", "k");
  touch(context.path() / "drop", "d");
  Loopback loop(context.path());
  {
    grpc::ClientContext client;
    client.AddMetadata("dir-name", "elsewhere");
    auto stream = loop.stub->DiffCopy(&client);
    Packet packet;
    CHECK_FALSE(stream->Read(&packet));
    CHECK(stream->Finish().error_code() == grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext client;
    client.AddMetadata("dir-name", "context");
    client.AddMetadata("exclude-patterns", "drop");
    client.AddMetadata("followpaths", "Dockerfile");
    client.AddMetadata("followpaths", "keep");
    auto stream = loop.stub->DiffCopy(&client);
    StatsRead listed = read_stats(*stream);
    REQUIRE(listed.ended);
    REQUIRE(listed.stats.size() == 2);
    CHECK(listed.stats[0].path() == "Dockerfile");
    CHECK(listed.stats[1].path() == "keep");
    Packet fin;
    fin.set_type(Packet::PACKET_FIN);
    REQUIRE(stream->Write(fin));
    Packet packet;
    REQUIRE(stream->Read(&packet));
    CHECK(packet.type() == Packet::PACKET_FIN);
    CHECK(stream->Finish().ok());
  }
}

TEST_CASE("DiffCopy: the receiver going away mid-transfer ends the call promptly", "[session][protocol]") {
  buildbench::util::TempDir context("bb-proto-");
  touch(context.path() / "huge.bin", std::string(16 * 1024 * 1024, 'h'));
  Loopback loop(context.path());
  grpc::ClientContext client;
  client.AddMetadata("dir-name", "context");
  auto stream = loop.stub->DiffCopy(&client);
  REQUIRE(read_stats(*stream).ended);
  REQUIRE(stream->Write(req(0)));
  Packet packet;
  REQUIRE(stream->Read(&packet));
  CHECK(packet.type() == Packet::PACKET_DATA);
  const auto start = std::chrono::steady_clock::now();
  client.TryCancel();
  stream->Finish();
  // The server's handler must notice and return on its own.
  for (int i = 0; i < 200 && loop.counters.snapshot().diffcopy_failures == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(loop.counters.snapshot().diffcopy_failures == 1);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

TEST_CASE("session server: health checks, unknown methods, many calls at once", "[session][protocol]") {
  buildbench::util::TempDir context("bb-proto-");
  touch(context.path() / "a", "a");
  Loopback loop(context.path());
  auto health = grpc::health::v1::Health::NewStub(loop.channel);
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext client;
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    REQUIRE(health->Check(&client, request, &response).ok());
    CHECK(response.status() == grpc::health::v1::HealthCheckResponse::SERVING);
  }
  CHECK(loop.counters.snapshot().health_checks == 3);

  // TarStream is not served: UNIMPLEMENTED, and the connection stays usable.
  {
    grpc::ClientContext client;
    auto tar = loop.stub->TarStream(&client);
    moby::filesync::v1::BytesMessage message;
    CHECK_FALSE(tar->Read(&message));
    const grpc::Status status = tar->Finish();
    INFO(status.error_message());
    CHECK(status.error_code() == grpc::StatusCode::UNIMPLEMENTED);
    CHECK(status.error_message().find("TarStream") != std::string::npos);
  }

  // Several DiffCopy calls in flight together, as the daemon's frontend
  // makes them, each finishing its own FIN handshake.
  std::vector<std::thread> clients;
  std::atomic<int> finished{0};
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&] {
      grpc::ClientContext client;
      client.AddMetadata("dir-name", "context");
      auto stream = loop.stub->DiffCopy(&client);
      if (!read_stats(*stream).ended) return;
      Packet fin;
      fin.set_type(Packet::PACKET_FIN);
      Packet answer;
      if (stream->Write(fin) && stream->Read(&answer) && answer.type() == Packet::PACKET_FIN &&
          stream->Finish().ok()) {
        finished.fetch_add(1);
      }
    });
  }
  for (auto& thread : clients) thread.join();
  CHECK(finished.load() == 4);
  CHECK(loop.counters.snapshot().diffcopy_calls == 4);
}

TEST_CASE("session server: the peer closing the connection ends running calls", "[session][protocol]") {
  std::atomic<bool> handler_started{false};
  std::atomic<bool> handler_saw_death{false};
  OneCallServer one([&](session::ServerCall& call) {
    handler_started = true;
    Packet packet;
    while (call.read(packet)) {
    }
    handler_saw_death = call.dead();
    return session::GrpcStatus{};
  });
  REQUIRE(eventually(handler_started));
  CHECK_FALSE(handler_saw_death);
  ::shutdown(one.peer_fd, SHUT_RDWR);  // the daemon's end goes away
  CHECK(eventually(handler_saw_death));
  CHECK_FALSE(one.server->error().empty());
}

TEST_CASE("session server: a peer that stops reading holds writers at the queue limit", "[session][protocol]") {
  // The handler writes 64 MiB the peer never reads: write() must block once
  // ServerCall::kMaxQueuedBytes are queued (memory stays flat), and close()
  // must still end the call and join the handler.
  std::atomic<size_t> written{0};
  std::atomic<bool> write_failed{false};
  std::atomic<bool> started{false};
  OneCallServer one([&](session::ServerCall& call) {
    started = true;
    Packet data;
    data.set_type(Packet::PACKET_DATA);
    data.set_data(std::string(64 * 1024, 'd'));
    for (int i = 0; i < 1024; ++i) {
      if (!call.write(data)) {
        write_failed = true;
        break;
      }
      written += data.data().size();
    }
    return session::GrpcStatus{};
  });
  REQUIRE(eventually(started));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // What the writer got through: the queue limit plus what HTTP/2 flow
  // control and the socket buffers took (~4.5 MiB), far below 64 MiB.
  const size_t held = written.load();
  INFO("held " << held);
  CHECK(held >= session::ServerCall::kMaxQueuedBytes / 2);
  CHECK(held < 16u * 1024 * 1024);
  CHECK_FALSE(write_failed);
  const auto start = std::chrono::steady_clock::now();
  one.server->close();  // must not wait for the blocked writer to drain
  CHECK(write_failed);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("session server: a peer that sends more than a call reads gets its stream reset", "[session][protocol]") {
  // The handler never reads; the peer writes 64 KiB packets. Past
  // ServerCall::kMaxUnreadBytes the call dies instead of buffering on.
  std::atomic<bool> started{false};
  std::atomic<bool> handler_saw_death{false};
  OneCallServer one([&](session::ServerCall& call) {
    started = true;
    for (int i = 0; i < 500 && !call.dead(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    handler_saw_death = call.dead();
    return session::GrpcStatus{};
  });
  REQUIRE(eventually(started));
  Packet data;
  data.set_type(Packet::PACKET_DATA);
  data.set_data(std::string(64 * 1024, 'u'));
  size_t sent = 0;
  while (sent < 64u * 1024 * 1024 && one.stream->Write(data)) sent += data.data().size();
  INFO("sent " << sent);
  CHECK(sent < 64u * 1024 * 1024);
  CHECK(sent >= session::ServerCall::kMaxUnreadBytes - 2 * data.data().size());
  CHECK(eventually(handler_saw_death));
}

TEST_CASE("metadata: lists, -encoded values, percent decoding", "[session][protocol]") {
  std::multimap<std::string, std::string> metadata{
      {"dir-name", "context"},          {"followpaths", "a%20b"},        {"followpaths", "c"},
      {"followpaths-encoded", "1"},     {"exclude-patterns", "x%41"},    {"include-patterns", "*.go"}};
  auto request = session::parse_diffcopy_metadata(metadata);
  CHECK(request.dir_name == "context");
  REQUIRE(request.follow_paths);
  CHECK(*request.follow_paths == std::vector<std::string>{"a b", "c"});
  REQUIRE(request.exclude_patterns);
  CHECK(*request.exclude_patterns == std::vector<std::string>{"x%41"});  // not marked encoded: raw
  REQUIRE(request.include_patterns);
  CHECK(*request.include_patterns == std::vector<std::string>{"*.go"});
  CHECK_FALSE(session::parse_diffcopy_metadata({{"dir-name", "x"}}).follow_paths);
  CHECK(session::query_unescape("%C3%A9") == "\xC3\xA9");
}

// What 28.5.2 sent for `COPY ["ü dir/f.txt", ...]` and the .dockerignore line
// `nöt here.txt` (HPACK-decoded capture, ../shared/ENGINES.md): Go's
// url.QueryEscape, where a space is `+`.
TEST_CASE("metadata: BuildKit's query-escaped values decode as url.QueryUnescape", "[session][protocol]") {
  std::multimap<std::string, std::string> metadata{{"dir-name", "context"},
                                                   {"followpaths", "%C3%BC+dir%2Ff.txt"},
                                                   {"followpaths-encoded", "1"},
                                                   {"exclude-patterns", "n%C3%B6t+here.txt"},
                                                   {"exclude-patterns", "a%2Bb"},
                                                   {"exclude-patterns-encoded", "true"},
                                                   {"include-patterns", "%C3%A9+x"},
                                                   {"include-patterns-encoded", "T"}};
  auto request = session::parse_diffcopy_metadata(metadata);
  REQUIRE(request.follow_paths);
  CHECK(*request.follow_paths == std::vector<std::string>{"\xC3\xBC dir/f.txt"});
  REQUIRE(request.exclude_patterns);
  CHECK(*request.exclude_patterns == std::vector<std::string>{"n\xC3\xB6t here.txt", "a+b"});
  REQUIRE(request.include_patterns);
  CHECK(*request.include_patterns == std::vector<std::string>{"\xC3\xA9 x"});
}

TEST_CASE("metadata: the -encoded flag takes strconv.ParseBool's spellings", "[session][protocol]") {
  for (const char* truth : {"1", "t", "T", "TRUE", "true", "True"}) {
    INFO(truth);
    auto request = session::parse_diffcopy_metadata({{"followpaths", "a+b"}, {"followpaths-encoded", truth}});
    CHECK(request.follow_paths->front() == "a b");
  }
  for (const char* falsity : {"0", "f", "F", "FALSE", "false", "False", "yes", "", "tRUE"}) {
    INFO(falsity);
    auto request = session::parse_diffcopy_metadata({{"followpaths", "a+b"}, {"followpaths-encoded", falsity}});
    CHECK(request.follow_paths->front() == "a+b");
  }
}

TEST_CASE("query_unescape: Go's rules, malformed escapes give the empty string", "[session][protocol]") {
  CHECK(session::query_unescape("a+b%20c") == "a b c");
  CHECK(session::query_unescape("%2b%2B") == "++");
  CHECK(session::query_unescape("plain") == "plain");
  CHECK(session::query_unescape("") == "");
  CHECK(session::query_unescape("%zz").empty());
  CHECK(session::query_unescape("x%4").empty());
  CHECK(session::query_unescape("x%").empty());
}

TEST_CASE("POST /session: request format and a 101 read without over-reading", "[session][protocol]") {
  session::UpgradeRequest request;
  request.session_id = "abc";
  request.name = "ctx\r\nEvil: 1";
  request.shared_key = std::string(64, 'f');
  request.methods = {"/grpc.health.v1.Health/Check", "/moby.filesync.v1.FileSync/DiffCopy"};
  const std::string text = session::format_upgrade_request(request);
  CHECK(text.rfind("POST /session HTTP/1.1\r\n", 0) == 0);
  CHECK(text.find("X-Docker-Expose-Session-Grpc-Method: /grpc.health.v1.Health/Check\r\n") != std::string::npos);
  CHECK(text.find("X-Docker-Expose-Session-Grpc-Method: /moby.filesync.v1.FileSync/DiffCopy\r\n") !=
        std::string::npos);
  CHECK(text.find("Upgrade: h2c\r\n") != std::string::npos);
  CHECK(text.find("X-Docker-Expose-Session-Name: ctx__Evil: 1\r\n") != std::string::npos);  // no header injection
  CHECK(text.size() >= 4);
  CHECK(text.compare(text.size() - 4, 4, "\r\n\r\n") == 0);

  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  buildbench::util::Fd ours(fds[0]);
  buildbench::util::Fd daemon(fds[1]);
  set_nonblocking(ours.get());

  SECTION("101 followed by the HTTP/2 preface in the same write") {
    const std::string answer =
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    REQUIRE(::write(daemon.get(), answer.data(), answer.size()) == static_cast<ssize_t>(answer.size()));
    REQUIRE(session::read_upgrade_response(ours.get(), std::chrono::milliseconds(1000)).ok());
    char rest[64] = {};
    const ssize_t n = ::read(ours.get(), rest, sizeof(rest));
    CHECK(std::string(rest, static_cast<size_t>(std::max<ssize_t>(n, 0))) == "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  }
  SECTION("a head that arrives in pieces is read whole, and nothing after it") {
    const std::string first = "HTTP/1.1 101 Switching Pro";
    const std::string second = "tocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nPRI * HTTP/2.0\r\n";
    REQUIRE(::write(daemon.get(), first.data(), first.size()) == static_cast<ssize_t>(first.size()));
    std::thread late_writer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      (void)::write(daemon.get(), second.data(), second.size());
    });
    auto status = session::read_upgrade_response(ours.get(), std::chrono::milliseconds(2000));
    late_writer.join();
    REQUIRE(status.ok());
    char rest[64] = {};
    const ssize_t n = ::read(ours.get(), rest, sizeof(rest));
    CHECK(std::string(rest, static_cast<size_t>(std::max<ssize_t>(n, 0))) == "PRI * HTTP/2.0\r\n");
  }
  SECTION("a head cut off by a closed connection is an error at once") {
    const std::string partial = "HTTP/1.1 101 Switching Protocols\r\nUpgr";
    REQUIRE(::write(daemon.get(), partial.data(), partial.size()) == static_cast<ssize_t>(partial.size()));
    daemon.close();
    auto start = std::chrono::steady_clock::now();
    auto status = session::read_upgrade_response(ours.get(), std::chrono::milliseconds(5000));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message.find("closed") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  }
  SECTION("a refusal carries status and body") {
    const std::string answer =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nsession abc already exists\n";
    REQUIRE(::write(daemon.get(), answer.data(), answer.size()) == static_cast<ssize_t>(answer.size()));
    auto status = session::read_upgrade_response(ours.get(), std::chrono::milliseconds(1000));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message == "POST /session -> 400: session abc already exists");
  }
  SECTION("a closed connection and silence are errors, not hangs") {
    auto start = std::chrono::steady_clock::now();
    auto silent = session::read_upgrade_response(ours.get(), std::chrono::milliseconds(200));
    REQUIRE_FALSE(silent.ok());
    CHECK(silent.error().message.find("no answer") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    daemon.close();
    auto closed = session::read_upgrade_response(ours.get(), std::chrono::milliseconds(200));
    REQUIRE_FALSE(closed.ok());
    CHECK(closed.error().message.find("closed") != std::string::npos);
  }
  SECTION("garbage is not taken for a response") {
    const std::string answer(66 * 1024, 'x');  // fits the socket buffer: no writer thread needed
    REQUIRE(::write(daemon.get(), answer.data(), answer.size()) == static_cast<ssize_t>(answer.size()));
    auto status = session::read_upgrade_response(ours.get(), std::chrono::milliseconds(1000));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message.find("64 KiB") != std::string::npos);
  }
}

TEST_CASE("connect_endpoint refuses TLS with a clear message", "[session][protocol]") {
  buildbench::docker::Endpoint endpoint;
  endpoint.kind = buildbench::docker::Endpoint::Kind::Tcp;
  endpoint.host = "127.0.0.1";
  endpoint.tls = true;
  auto fd = session::connect_endpoint(endpoint, std::chrono::milliseconds(100));
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.error().message.find("TLS") != std::string::npos);
  CHECK(fd.error().message.find("--context-transfer tar") != std::string::npos);
}
