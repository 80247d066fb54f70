#include "builder/run_build.h"

#include <chrono>
#include <fstream>
#include <thread>
#include <memory>
#include <sstream>

#include "docker/build_stream.h"
#include "docker/context_packer.h"
#include "dockerfile/directives.h"
#include "session/build_session.h"
#include "util/hash.h"
#include "util/temp_dir.h"

namespace buildbench::builder {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Resolved inputs of a build, checked before any request is sent.
struct PreparedInputs {
  std::filesystem::path context_dir;
  std::filesystem::path dockerfile;
  bool syntax_stripped = false;
  std::optional<util::TempDir> stripped_dir;  // holds the Dockerfile without its syntax line
};

util::Result<PreparedInputs> prepare(docker::EngineClient& client, const BuildRequest& request) {
  std::error_code ec;
  PreparedInputs inputs;
  if (!std::filesystem::exists(request.context_dir, ec)) {
    return util::error("build context " + request.context_dir.string() + " does not exist");
  }
  if (!std::filesystem::is_directory(request.context_dir, ec)) {
    return util::error("build context " + request.context_dir.string() + " is not a directory");
  }
  inputs.context_dir = std::filesystem::canonical(request.context_dir, ec);
  inputs.dockerfile = request.dockerfile ? std::filesystem::absolute(*request.dockerfile)
                                         : inputs.context_dir / "Dockerfile";
  if (!std::filesystem::is_regular_file(inputs.dockerfile, ec)) {
    return util::error("Dockerfile " + inputs.dockerfile.string() + " does not exist" +
                       (request.dockerfile ? "" : " (name another one with -f)"));
  }
  std::string text = read_text(inputs.dockerfile);
  if (auto syntax = dockerfile::find_syntax_directive(text)) {
    if (request.strip_syntax_line) {
      inputs.stripped_dir.emplace("buildbench-dockerfile-");
      auto stripped = inputs.stripped_dir->path() / inputs.dockerfile.filename();
      std::ofstream(stripped, std::ios::binary) << dockerfile::strip_syntax_directive(text);
      // Its `<Dockerfile>.dockerignore` must stay beside it: BuildKit (and
      // the tar packer) look for it next to the Dockerfile.
      const auto own_ignore = std::filesystem::path(inputs.dockerfile.string() + ".dockerignore");
      if (std::filesystem::is_regular_file(own_ignore, ec)) {
        std::filesystem::copy_file(own_ignore, stripped.string() + ".dockerignore", ec);
        if (ec) return util::error("cannot copy " + own_ignore.string() + ": " + ec.message());
      }
      inputs.dockerfile = stripped;
      inputs.syntax_stripped = true;
    } else if (!client.inspect_image(syntax->image)) {
      return util::error(inputs.dockerfile.string() + " line " + std::to_string(syntax->line) + ": `# syntax=" +
                         syntax->image +
                         "` makes BuildKit fetch that frontend image, and it is not in the daemon (no registry is "
                         "reachable). Remove the line (the built-in frontend supports RUN --mount), load the image "
                         "into the daemon, or pass --strip-syntax to build without it.");
    }
  }
  return inputs;
}

}  // namespace

docker::ContextTransfer default_transfer(docker::BuilderKind builder) {
  return builder == docker::BuilderKind::BuildKit ? docker::ContextTransfer::Session : docker::ContextTransfer::Tar;
}

std::string to_string(docker::BuilderKind builder) {
  return builder == docker::BuilderKind::BuildKit ? "buildkit" : "classic";
}

std::string to_string(docker::ContextTransfer transfer) {
  return transfer == docker::ContextTransfer::Session ? "session" : "tar";
}

util::Result<docker::BuildRecord> run_build(docker::EngineClient& client, const BuildRequest& request,
                                            const BuildObserver& observer) {
  auto inputs = prepare(client, request);
  if (!inputs) return inputs.error();
  const bool buildkit = request.builder == docker::BuilderKind::BuildKit;
  const auto transfer = request.transfer.value_or(default_transfer(request.builder));
  if (!buildkit && transfer == docker::ContextTransfer::Session) {
    return util::error("the classic builder cannot receive a context through a BuildKit session; use --context-transfer tar");
  }
  if ((!request.secrets.empty() || !request.ssh_agents.empty()) && transfer != docker::ContextTransfer::Session) {
    return util::error("secrets and SSH agents reach the daemon through the BuildKit session; "
                       "use the buildkit builder with --context-transfer session");
  }
  auto secrets = session::read_secrets(request.secrets);
  if (!secrets) return secrets.error();
  std::map<std::string, std::filesystem::path> ssh_agents;
  for (const auto& agent : request.ssh_agents) {
    if (!ssh_agents.emplace(agent.id, agent.socket).second) {
      return util::error("--ssh " + agent.id + " is given twice");
    }
  }

  docker::BuildQuery query;
  query.tags = request.tags;
  query.build_args = request.build_args;
  query.labels = request.labels;
  query.target = request.target;
  query.network_mode = request.network_mode;
  query.no_cache = request.no_cache;
  query.buildkit = buildkit;
  if (buildkit) query.build_id = request.build_id.empty() ? util::random_hex(32) : request.build_id;

  docker::BuildRecord record;
  record.builder = request.builder;
  record.transfer = transfer;
  record.syntax_line_stripped = inputs->syntax_stripped;

  const auto start = SteadyClock::now();
  auto seconds_since_start = [start] {
    return std::chrono::duration<double>(SteadyClock::now() - start).count();
  };
  docker::BuildStreamCollector collector(seconds_since_start);
  auto sink = [&](std::string_view chunk) {
    // A stream that stops decoding is recorded as such by fill(); keep
    // reading so the daemon is not left writing into a dead connection.
    (void)collector.feed(chunk);
    if (observer.on_output) observer.on_output(std::string(chunk));
    return true;
  };

  util::Result<docker::StreamStats> stats = util::error("not sent");
  if (transfer == docker::ContextTransfer::Tar) {
    docker::ContextSource source{inputs->context_dir, inputs->dockerfile};
    auto packer = docker::ContextPacker::open(source);
    if (!packer) return packer.error();
    query.dockerfile = packer->dockerfile_in_context();
    auto body = [&packer](char* buffer, size_t capacity) { return packer->read(buffer, capacity); };
    stats = client.build(query, body, sink);
    record.wall_s = seconds_since_start();
    record.context_bytes = packer->bytes_produced();
    record.context_files_sent = packer->files();
  } else {
    if (auto supported = session::check_session_endpoint(client.endpoint()); !supported) return supported.error();
    session::SessionOptions options;
    options.context_dir = inputs->context_dir;
    options.dockerfile_dir = inputs->dockerfile.parent_path();
    options.shared_key = request.session_shared_key;
    options.secrets = std::move(secrets).value();
    options.ssh_agents = std::move(ssh_agents);
    options.session_id = session::new_session_id();
    query.session_id = options.session_id;
    query.dockerfile = inputs->dockerfile.filename().string();
    // The session's handshake and POST /build go out together, as the docker
    // CLI sends them (the daemon waits up to 5 s for a session a build
    // names); in sequence they cost ~2 ms more per build. A session that
    // cannot start cancels the build instead of leaving it waiting.
    util::Result<std::unique_ptr<session::BuildSession>> started = util::error("the session did not start");
    std::jthread session_starter([&started, endpoint = client.endpoint(), options, build_id = query.build_id] {
      started = session::BuildSession::start(endpoint, options);
      if (!started) (void)docker::EngineClient(endpoint).cancel_build(build_id);
    });
    stats = client.build(query, nullptr, sink);
    // Wall time ends with the stream, as for a tar body; closing the session
    // afterwards is our housekeeping, not the daemon's build.
    record.wall_s = seconds_since_start();
    session_starter.join();
    if (!started) {
      // Say why the way every other call does when the daemon is not there.
      if (auto ping = client.ping(); !ping) return ping.error();
      return started.error();
    }
    auto& build_session = *started;
    // The daemon is done with the session once the stream has ended.
    build_session->close();
    auto counters = build_session->stats();
    record.context_bytes = counters.bytes_sent;
    record.context_files_sent = counters.files_requested;
    if (counters.diffcopy_failures > 0 && !counters.last_error.empty() && stats && stats->status == 200) {
      record.session_error = counters.last_error;
    }
  }
  if (!stats) return stats.error();
  record.context_upload_s = stats->upload_done_s;
  // A stream that ends mid-line or undecodable is recorded by fill() as a
  // failed build with the decoder's message.
  (void)collector.finish();
  collector.fill(record);

  if (record.ok && !record.image_id.empty()) {
    if (auto summary = client.image_summary(record.image_id)) {
      record.image_size = summary->size;
      record.image_layers = summary->layers;
    }
  }
  return record;
}

}  // namespace buildbench::builder
