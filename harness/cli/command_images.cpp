// `buildbench images`: make sure the offline base images exist in the daemon
// (DOCKER_HOST) and that the Dockerfiles' base names point at them.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/daemon_connection.h"
#include "cli/engine_selection.h"
#include "cli/terminal.h"
#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "fixture/base_images.h"

namespace buildbench::cli {
namespace {

struct ImagesArgs {
  bool rebuild = false;
  bool json = false;
  bool no_default_map = false;
  std::vector<std::string> maps;
  std::string engine;
  std::string proxy_url = fixture::default_module_proxy_url();
  std::string cache_dir = fixture::default_cache_dir().string();
};

std::string short_id(const std::string& id) {
  std::string bare = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return bare.substr(0, 12);
}

void run_images(const ImagesArgs& args) {
  std::map<std::string, std::string> mapping;
  if (!args.no_default_map) mapping = fixture::default_base_image_mapping();
  for (const auto& text : args.maps) {
    auto entry = fixture::parse_mapping_entry(text);
    if (!entry) {
      print_error(entry.error().message);
      finish(kExitBadInput);
      return;
    }
    mapping[entry->first] = entry->second;
  }

  auto connected = connect_engine_or_environment(args.engine);
  auto& client = *connected;

  fixture::EnsureOptions options;
  options.cache_dir = args.cache_dir;
  options.rebuild = args.rebuild;
  // Progress goes to stderr so that --json output stays parseable; debootstrap
  // takes minutes, and a silent terminal looks hung.
  options.progress = [](std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    std::fflush(stderr);
  };
  auto images = fixture::ensure_base_images(client, fixture::default_base_image_specs(args.proxy_url), options);
  if (!images) {
    print_error(images.error().message);
    finish(kExitFailure);
    return;
  }
  auto resolved = fixture::apply_base_image_mapping(client, mapping);
  if (!resolved) {
    print_error(resolved.error().message);
    finish(kExitFailure);
    return;
  }

  if (args.json) {
    nlohmann::ordered_json out;
    out["schema"] = 1;
    out["daemon"] = client.endpoint().describe();
    out["cache_dir"] = args.cache_dir;
    out["images"] = nlohmann::ordered_json::array();
    for (const auto& image : *images) {
      nlohmann::ordered_json item;
      item["reference"] = image.reference;
      item["id"] = image.image_id;
      item["spec_hash"] = image.spec_hash;
      item["source"] = std::string(fixture::to_string(image.source));
      item["seconds"] = static_cast<double>(image.elapsed.count()) / 1000.0;
      item["tarball"] = image.tarball.string();
      out["images"].push_back(item);
    }
    out["mapping"] = nlohmann::ordered_json::array();
    for (const auto& entry : *resolved) {
      out["mapping"].push_back({{"name", entry.name}, {"local_image", entry.local_image}, {"id", entry.image_id}});
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  for (const auto& image : *images) {
    fmt::print("{:<28} {}  {} in {:.2f} s\n", image.reference, short_id(image.image_id),
               fixture::to_string(image.source), static_cast<double>(image.elapsed.count()) / 1000.0);
  }
  for (const auto& entry : *resolved) {
    fmt::print("{:<28} -> {} ({})\n", entry.name, entry.local_image, short_id(entry.image_id));
  }
}

}  // namespace

void register_images_command(CLI::App& app) {
  auto args = std::make_shared<ImagesArgs>();
  auto* images = app.add_subcommand(
      "images", "Make the offline base images (Go 1.24, busybox runtime) and map the Dockerfiles' base names to them");
  images->add_flag("--rebuild", args->rebuild, "Drop the cached rootfs tarballs and make the images again");
  images->add_option("--map", args->maps,
                     "Tag IMAGE under NAME in the daemon, NAME=IMAGE (repeatable; adds to or overrides the defaults "
                     "golang:1.24-alpine=buildbench/go:1.24 and alpine:3.21=buildbench/runtime:busybox)");
  images->add_flag("--no-default-map", args->no_default_map, "Apply only the --map entries");
  images->add_option("--proxy-url", args->proxy_url, "GOPROXY of the Go image (the harness's module proxy)")
      ->capture_default_str();
  images->add_option("--cache-dir", args->cache_dir, "Where rootfs tarballs are kept (env BUILDBENCH_CACHE_DIR)")
      ->capture_default_str();
  images->add_option("--engine", args->engine,
                     "Import into this engine's managed daemon instead of DOCKER_HOST (reuses the cached rootfs "
                     "tarballs: no second debootstrap)");
  images->add_flag("--json", args->json, "Print the images and the mapping as JSON");
  images->callback([args] { run_images(*args); });
}

}  // namespace buildbench::cli
