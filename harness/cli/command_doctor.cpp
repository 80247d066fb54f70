// `buildbench doctor`: is everything a benchmark needs in place?
#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/daemon_connection.h"
#include "cli/engine_selection.h"
#include "cli/terminal.h"
#include "docker/endpoint.h"
#include "docker/engine_facts.h"
#include "engine/catalog.h"
#include "fixture/base_images.h"

namespace buildbench::cli {

void register_doctor_command(CLI::App& app) {
  auto* doctor = app.add_subcommand("doctor", "Check the daemon (DOCKER_HOST), its versions and the base images");
  auto json = std::make_shared<bool>(false);
  auto skip_images = std::make_shared<bool>(false);
  doctor->add_flag("--json", *json, "Print the facts as JSON");
  auto engine_name = std::make_shared<std::string>();
  doctor->add_flag("--skip-images", *skip_images, "Only check the daemon, not the base images");
  doctor->add_option("--engine", *engine_name, "Check this engine's managed daemon instead of DOCKER_HOST");
  doctor->callback([json, skip_images, engine_name] {
    auto connected = connect_engine_or_environment(*engine_name);
    auto& client = *connected;
    auto facts = docker::gather_engine_facts(client);
    if (!facts) {
      print_error(facts.error().message);
      finish(kExitNoDaemon);
      return;
    }
    // The offline base images scenarios build on (buildbench images makes them).
    nlohmann::json images = nlohmann::json::array();
    bool images_missing = false;
    if (!*skip_images) {
      for (const auto& spec : fixture::default_base_image_specs(fixture::default_module_proxy_url())) {
        auto inspected = client.inspect_image(spec.reference());
        images_missing = images_missing || !inspected;
        images.push_back({{"image", spec.reference()},
                          {"present", inspected.ok()},
                          {"id", inspected ? (*inspected)["Id"].get<std::string>() : ""}});
      }
    }
    // The engine by name: the one asked for, else the catalog's entry for
    // this release (a daemon someone else started may be any engine).
    std::string engine = *engine_name;
    for (const auto& spec : engine::known_engines()) {
      if (engine.empty() && facts->engine_version.rfind(spec.engine_version, 0) == 0) engine = spec.name;
    }
    if (*json) {
      auto out = facts->to_json();
      out["engine"] = engine;
      out["base_images"] = images;
      fmt::print("{}\n", out.dump(2));
      finish(images_missing ? kExitFailure : kExitOk);
      return;
    }
    auto ok = paint(stdout, "32", "ok");
    fmt::print("{:<18} {} ({})\n", "daemon", ok, facts->endpoint);
    fmt::print("{:<18} {} ({})\n", "engine", engine.empty() ? "not in buildbench's catalog" : engine,
               facts->engine_version);
    fmt::print("{:<18} {} (daemon {})\n", "API version", facts->api_version, facts->daemon_api_version);
    fmt::print("{:<18} {} (default builder: {})\n", "BuildKit", facts->buildkit_version,
               facts->default_builder == "2" ? "BuildKit" : "classic");
    fmt::print("{:<18} how known: {}; daemons do not report it\n", "", facts->buildkit_source);
    fmt::print("{:<18} {}\n", "containerd", facts->containerd_version.empty() ? "-" : facts->containerd_version);
    fmt::print("{:<18} {}\n", "runc", facts->runc_version.empty() ? "-" : facts->runc_version);
    fmt::print("{:<18} {}\n", "storage driver", facts->storage_driver);
    fmt::print("{:<18} {}\n", "image store", facts->image_store);
    fmt::print("{:<18} {}\n", "kernel", facts->kernel);
    fmt::print("{:<18} v{}\n", "cgroup", facts->cgroup_version);
    fmt::print("{:<18} {} × {}\n", "CPU", facts->host_cpus, facts->host_cpu_model);
    for (const auto& image : images) {
      bool present = image["present"].get<bool>();
      fmt::print("{:<18} {} {}\n", "base image",
                 present ? paint(stdout, "32", "ok") : paint(stdout, "31", "missing"),
                 image["image"].get<std::string>() +
                     (present ? " (" + image["id"].get<std::string>().substr(7, 12) + ")"
                              : ": run `buildbench images` to make it offline"));
    }
    finish(images_missing ? kExitFailure : kExitOk);
  });
}

}  // namespace buildbench::cli
