// `buildbench build CONTEXT`: one timed build, a step table and totals.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include <future>

#include "builder/run_build.h"
#include "cli/commands.h"
#include "cli/daemon_connection.h"
#include "cli/terminal.h"
#include "docker/endpoint.h"

namespace buildbench::cli {
namespace {

struct BuildOptions {
  std::string context;
  std::string dockerfile;
  std::string builder = "buildkit";
  std::string network = "host";
  std::string transfer;
  bool no_cache = false;
  std::vector<std::string> build_args;
  std::vector<std::string> tags;
  std::string target;
  bool strip_syntax = false;
  bool json = false;
  std::vector<std::string> secrets;
  std::vector<std::string> ssh;
};

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 3) {
    bytes /= 1000;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} {}", bytes, units[unit]) : fmt::format("{:.1f} {}", bytes, units[unit]);
}

void print_table(const docker::BuildRecord& record) {
  fmt::print("{:<64} {:>7} {:>9}\n", "step", "cached", "seconds");
  for (const auto& step : record.steps) {
    std::string name = step.name.size() > 64 ? step.name.substr(0, 61) + "..." : step.name;
    std::string seconds = step.duration_s >= 0 ? fmt::format("{:.3f}", step.duration_s) : "-";
    fmt::print("{:<64} {:>7} {:>9}\n", name, step.cached ? "yes" : "", seconds);
  }
  fmt::print("\n{:<22} {:.3f} s\n", "wall time", record.wall_s);
  if (record.daemon_span_s >= 0) fmt::print("{:<22} {:.3f} s\n", "daemon span", record.daemon_span_s);
  fmt::print("{:<22} {}/{}\n", "cached steps", record.cached_steps, record.total_steps);
  fmt::print("{:<22} {} via {}", "context sent", human_bytes(static_cast<double>(record.context_bytes)),
             builder::to_string(record.transfer));
  if (record.context_upload_s >= 0) fmt::print(" in {:.3f} s", record.context_upload_s);
  if (record.daemon_context_bytes >= 0) {
    fmt::print(" (the daemon counted {} for the context itself)",
               human_bytes(static_cast<double>(record.daemon_context_bytes)));
  }
  fmt::print("\n");
  if (!record.image_id.empty()) fmt::print("{:<22} {}\n", "image", record.image_id);
  for (const auto& warning : record.warnings) {
    fmt::print("{:<22} {}\n", "build check", warning.message);
  }
  if (record.image_size >= 0) {
    fmt::print("{:<22} {} in {} layers\n", "image size", human_bytes(static_cast<double>(record.image_size)),
               record.image_layers);
  }
}

}  // namespace

void register_build_command(CLI::App& app) {
  auto options = std::make_shared<BuildOptions>();
  auto* build = app.add_subcommand("build", "Run one timed build and show its steps");
  build->add_option("context", options->context, "Build context directory")->required();
  build->add_option("-f,--file", options->dockerfile, "Dockerfile (default: CONTEXT/Dockerfile)");
  build->add_option("--builder", options->builder, "buildkit or classic")
      ->check(CLI::IsMember({"buildkit", "classic"}))
      ->capture_default_str();
  build->add_option("--network", options->network, "Network mode for RUN steps")
      ->check(CLI::IsMember({"host", "none", "default"}))
      ->capture_default_str();
  build->add_option("--context-transfer", options->transfer,
                    "How the context reaches the daemon: session (default with BuildKit) or tar")
      ->check(CLI::IsMember({"tar", "session"}));
  build->add_flag("--no-cache", options->no_cache, "Do not use the build cache");
  build->add_option("--build-arg", options->build_args, "Build argument KEY=VALUE (repeatable)");
  build->add_option("-t,--tag", options->tags, "Name the image (repeatable)");
  build->add_option("--target", options->target, "Build up to this stage");
  build->add_flag("--strip-syntax", options->strip_syntax,
                  "Remove a `# syntax=` line instead of failing when its frontend image is not local");
  build->add_option("--secret", options->secrets,
                    "A secret for RUN --mount=type=secret: id=NAME,src=FILE or id=NAME,env=VARIABLE (repeatable)");
  build->add_option("--ssh", options->ssh,
                    "An SSH agent for RUN --mount=type=ssh: default ($SSH_AUTH_SOCK) or ID=SOCKET (repeatable)");
  build->add_flag("--json", options->json, "Print the build record as JSON");
  build->callback([options] {
    builder::BuildRequest request;
    request.context_dir = options->context;
    if (!options->dockerfile.empty()) request.dockerfile = options->dockerfile;
    request.builder = options->builder == "classic" ? docker::BuilderKind::Classic : docker::BuilderKind::BuildKit;
    if (options->transfer == "tar") request.transfer = docker::ContextTransfer::Tar;
    if (options->transfer == "session") request.transfer = docker::ContextTransfer::Session;
    request.network_mode = options->network;
    request.no_cache = options->no_cache;
    request.tags = options->tags;
    request.target = options->target;
    request.strip_syntax_line = options->strip_syntax;
    for (const auto& arg : options->build_args) {
      size_t equals = arg.find('=');
      if (equals == std::string::npos || equals == 0) {
        print_error("--build-arg " + arg + ": expected KEY=VALUE");
        finish(kExitBadInput);
        return;
      }
      request.build_args[arg.substr(0, equals)] = arg.substr(equals + 1);
    }
    for (const auto& flag : options->secrets) {
      auto source = session::parse_secret_flag(flag);
      if (!source) {
        print_error(source.error().message);
        finish(kExitBadInput);
        return;
      }
      request.secrets.push_back(std::move(source).value());
    }
    for (const auto& flag : options->ssh) {
      auto agent = session::parse_ssh_flag(flag);
      if (!agent) {
        print_error(agent.error().message);
        finish(kExitBadInput);
        return;
      }
      request.ssh_agents.push_back(std::move(agent).value());
    }
    auto client = client_from_environment();
    // When the API version is not known yet, the /_ping that negotiates it
    // overlaps reading the Dockerfile and walking the context; the build
    // request waits for it. When it is, no /_ping is made unless the build
    // fails: then it tells "no daemon" (exit 3) from the rest.
    std::future<util::Result<docker::PingInfo>> reachable;
    if (!client->knows_api_version()) {
      reachable = std::async(std::launch::async, [&client] { return client->ping(); });
    }
    auto record = builder::run_build(*client, request);
    if (reachable.valid() || !record) {
      auto ping = reachable.valid() ? reachable.get() : client->ping();
      if (!ping) {
        print_error(ping.error().message);
        finish(kExitNoDaemon);
        return;
      }
    }
    if (!record) {
      print_error(record.error().message);
      finish(kExitBadInput);
      return;
    }
    if (options->json) {
      fmt::print("{}\n", docker::to_json(*record).dump(2));
    } else {
      print_table(*record);
    }
    if (!record->ok) {
      std::string message = "build failed";
      if (!record->failed_step.empty()) message += " at " + record->failed_step;
      message += ": " + record->error;
      for (const auto& line : record->failure_log_tail) message += "\n  | " + line;
      print_error(message);
      finish(kExitFailure);
    }
  });
}

}  // namespace buildbench::cli
