// The session's Secrets, SSH and Auth services, driven by grpc++'s client
// over a socketpair as the daemon drives them; and the --secret / --ssh
// flags they get their values from.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <grpcpp/create_channel_posix.h>
#include <grpcpp/grpcpp.h>

#include "session/attachables.h"
#include "session/grpc_connection.h"
#include "session/secret_sources.h"
#include "session_auth.grpc.pb.h"
#include "session_secrets.grpc.pb.h"
#include "session_ssh.grpc.pb.h"
#include "support/test_support.h"
#include "util/fd.h"
#include "util/temp_dir.h"

namespace {

namespace fs = std::filesystem;
namespace session = buildbench::session;

// Our server with the attachables and grpc++ stubs on the other end.
struct Served {
  session::Attachables attachables;
  std::unique_ptr<session::GrpcConnection> server;
  std::shared_ptr<grpc::Channel> channel;

  Served(std::map<std::string, std::string> secrets, std::map<std::string, fs::path> agents)
      : attachables(std::move(secrets), std::move(agents)) {
    std::map<std::string, session::CallHandler> handlers;
    attachables.register_handlers(handlers);
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    REQUIRE(::fcntl(fds[1], F_SETFL, ::fcntl(fds[1], F_GETFL) | O_NONBLOCK) == 0);
    auto served = session::GrpcConnection::serve(buildbench::util::Fd(fds[0]), std::move(handlers));
    REQUIRE(served);
    server = std::move(*served);
    channel = grpc::CreateInsecureChannelFromFd("loopback", fds[1]);
  }
  ~Served() { server->close(); }
};

// A stand-in for ssh-agent: answers each chunk it reads with "agent:" + chunk
// and closes its side when the peer half-closes.
struct FakeAgent {
  fs::path path;
  buildbench::util::Fd listener;
  std::thread thread;
  std::atomic<int> connections{0};

  explicit FakeAgent(fs::path socket_path) : path(std::move(socket_path)) {
    listener = buildbench::test::listen_unix_socket(path);
    thread = std::thread([this] {
      for (;;) {
        const int client = ::accept(listener.get(), nullptr, nullptr);
        if (client < 0) return;
        ++connections;
        char buffer[4096];
        for (;;) {
          const ssize_t n = ::read(client, buffer, sizeof(buffer));
          if (n <= 0) break;
          const std::string reply = "agent:" + std::string(buffer, static_cast<size_t>(n));
          if (::write(client, reply.data(), reply.size()) < 0) break;
        }
        ::close(client);
      }
    });
  }
  ~FakeAgent() {
    ::shutdown(listener.get(), SHUT_RDWR);
    thread.join();
  }
};

}  // namespace

TEST_CASE("Secrets/GetSecret: the value, NOT_FOUND for an id we were not given", "[session][attachables]") {
  Served served({{"tok", std::string("s3cr\0t\n", 7)}}, {});
  auto stub = moby::buildkit::secrets::v1::Secrets::NewStub(served.channel);
  {
    grpc::ClientContext context;
    moby::buildkit::secrets::v1::GetSecretRequest request;
    request.set_id("tok");
    moby::buildkit::secrets::v1::GetSecretResponse response;
    auto status = stub->GetSecret(&context, request, &response);
    REQUIRE(status.ok());
    CHECK(response.data() == std::string("s3cr\0t\n", 7));
  }
  {
    grpc::ClientContext context;
    moby::buildkit::secrets::v1::GetSecretRequest request;
    request.set_id("other");
    moby::buildkit::secrets::v1::GetSecretResponse response;
    auto status = stub->GetSecret(&context, request, &response);
    CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  }
  CHECK(served.attachables.counters().secrets_served == 1);
  CHECK(served.attachables.counters().secrets_missing == 1);
}

TEST_CASE("Auth: anonymous credentials, token methods UNIMPLEMENTED", "[session][attachables]") {
  Served served({}, {});
  auto stub = moby::filesync::v1::Auth::NewStub(served.channel);
  {
    grpc::ClientContext context;
    moby::filesync::v1::CredentialsRequest request;
    request.set_host("registry-1.docker.io");
    moby::filesync::v1::CredentialsResponse response;
    auto status = stub->Credentials(&context, request, &response);
    REQUIRE(status.ok());
    CHECK(response.username().empty());
    CHECK(response.secret().empty());
  }
  {
    grpc::ClientContext context;
    moby::filesync::v1::GetTokenAuthorityRequest request;
    moby::filesync::v1::GetTokenAuthorityResponse response;
    CHECK(stub->GetTokenAuthority(&context, request, &response).error_code() == grpc::StatusCode::UNIMPLEMENTED);
  }
  {
    grpc::ClientContext context;
    moby::filesync::v1::FetchTokenRequest request;
    moby::filesync::v1::FetchTokenResponse response;
    CHECK(stub->FetchToken(&context, request, &response).error_code() == grpc::StatusCode::UNIMPLEMENTED);
  }
  CHECK(served.attachables.counters().credentials_asked == 1);
}

TEST_CASE("SSH: CheckAgent knows the ids; ForwardAgent carries bytes both ways", "[session][attachables]") {
  buildbench::util::TempDir dir("bb-ssh-");
  FakeAgent agent(dir.path() / "agent.sock");
  Served served({}, {{"default", agent.path}});
  auto stub = moby::sshforward::v1::SSH::NewStub(served.channel);
  {
    grpc::ClientContext context;
    moby::sshforward::v1::CheckAgentRequest request;
    request.set_id("default");
    moby::sshforward::v1::CheckAgentResponse response;
    CHECK(stub->CheckAgent(&context, request, &response).ok());
  }
  {
    grpc::ClientContext context;
    moby::sshforward::v1::CheckAgentRequest request;
    request.set_id("github");
    moby::sshforward::v1::CheckAgentResponse response;
    CHECK(stub->CheckAgent(&context, request, &response).error_code() == grpc::StatusCode::NOT_FOUND);
  }
  for (int round = 0; round < 2; ++round) {
    grpc::ClientContext context;
    context.AddMetadata("buildkit.ssh.id", "default");
    auto stream = stub->ForwardAgent(&context);
    moby::sshforward::v1::BytesMessage message;
    message.set_data("hello");
    REQUIRE(stream->Write(message));
    moby::sshforward::v1::BytesMessage reply;
    REQUIRE(stream->Read(&reply));
    CHECK(reply.data() == "agent:hello");
    // The daemon's half-close reaches the agent as EOF; it closes, and the call ends OK.
    REQUIRE(stream->WritesDone());
    while (stream->Read(&reply)) {
    }
    CHECK(stream->Finish().ok());
  }
  CHECK(agent.connections == 2);
  CHECK(served.attachables.counters().ssh_forwards == 2);

  grpc::ClientContext unknown;
  unknown.AddMetadata("buildkit.ssh.id", "nope");
  auto stream = stub->ForwardAgent(&unknown);
  stream->WritesDone();
  CHECK(stream->Finish().error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("secret flags: the CLI's spellings, values from files and variables, clear errors", "[session][attachables]") {
  buildbench::util::TempDir dir("bb-secret-");
  buildbench::test::write_file(dir.path() / "tok.txt", "from-file");
  auto file = session::parse_secret_flag("id=tok,src=" + (dir.path() / "tok.txt").string());
  REQUIRE(file.ok());
  CHECK(file->id == "tok");
  REQUIRE(file->file);
  CHECK(*session::read_secret(*file) == "from-file");

  buildbench::test::ScopedEnv variable("BB_TEST_SECRET_VALUE", std::string("from-env"));
  auto env = session::parse_secret_flag("id=tok,env=BB_TEST_SECRET_VALUE");
  REQUIRE(env.ok());
  CHECK(*session::read_secret(*env) == "from-env");
  auto typed = session::parse_secret_flag("id=tok,type=env,source=BB_TEST_SECRET_VALUE");
  REQUIRE(typed.ok());
  CHECK(*session::read_secret(*typed) == "from-env");
  // id alone: the variable of that name when set.
  auto bare = session::parse_secret_flag("id=BB_TEST_SECRET_VALUE");
  REQUIRE(bare.ok());
  CHECK(bare->env == std::optional<std::string>("BB_TEST_SECRET_VALUE"));

  CHECK_FALSE(session::parse_secret_flag("src=x").ok());
  CHECK_FALSE(session::parse_secret_flag("id=a,src=x,env=Y").ok());
  CHECK_FALSE(session::parse_secret_flag("id=a,colour=blue").ok());
  CHECK_FALSE(session::parse_secret_flag("id=a,type=ssh").ok());
  auto missing = session::read_secret(*session::parse_secret_flag("id=a,src=/nonexistent/buildbench"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("/nonexistent/buildbench") != std::string::npos);
  buildbench::test::ScopedEnv unset("BB_TEST_SECRET_UNSET", std::nullopt);
  auto no_variable = session::read_secret(*session::parse_secret_flag("id=a,env=BB_TEST_SECRET_UNSET"));
  REQUIRE_FALSE(no_variable.ok());
  CHECK(no_variable.error().message.find("BB_TEST_SECRET_UNSET") != std::string::npos);
  buildbench::test::write_file(dir.path() / "big", std::string(session::kMaxSecretBytes + 1, 'x'));
  CHECK_FALSE(session::read_secret(*session::parse_secret_flag("id=a,src=" + (dir.path() / "big").string())).ok());
  CHECK_FALSE(session::read_secrets({*file, *env}).ok());  // the same id twice
}

TEST_CASE("ssh flags: default takes SSH_AUTH_SOCK, ID=SOCKET names one; key files are refused", "[session][attachables]") {
  buildbench::util::TempDir dir("bb-ssh-flag-");
  auto listener = buildbench::test::listen_unix_socket(dir.path() / "a.sock");
  {
    buildbench::test::ScopedEnv sock("SSH_AUTH_SOCK", (dir.path() / "a.sock").string());
    auto agent = session::parse_ssh_flag("default");
    REQUIRE(agent.ok());
    CHECK(agent->id == "default");
    CHECK(agent->socket == dir.path() / "a.sock");
  }
  {
    buildbench::test::ScopedEnv sock("SSH_AUTH_SOCK", std::nullopt);
    CHECK_FALSE(session::parse_ssh_flag("default").ok());
  }
  auto named = session::parse_ssh_flag("github=" + (dir.path() / "a.sock").string());
  REQUIRE(named.ok());
  CHECK(named->id == "github");
  buildbench::test::write_file(dir.path() / "id_ed25519", "key");
  auto key = session::parse_ssh_flag("default=" + (dir.path() / "id_ed25519").string());
  REQUIRE_FALSE(key.ok());
  CHECK(key.error().message.find("not an agent socket") != std::string::npos);
  CHECK_FALSE(session::parse_ssh_flag("default=/nonexistent/sock").ok());
  CHECK_FALSE(session::parse_ssh_flag("=x").ok());
}
