// `buildbench fixture generate` and `buildbench proxy serve`: the Go fixture
// generator and the module proxy, usable on their own.
#include <fmt/core.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "fixture/generator.h"
#include "fixture/module_proxy.h"
#include "fixture/module_store.h"
#include "scenario/scenario.h"

namespace buildbench::cli {
namespace {

struct GenerateArgs {
  std::string params_file;
  std::string scenario_file;
  std::string out;
  bool replace = false;
  std::vector<std::string> binaries;  // name=share
};

util::Result<fixture::FixtureParams> load_params(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return util::error("cannot read parameters file " + file);
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded()) return util::error(file + " is not valid JSON");
  auto params = fixture::params_from_json(json);
  if (!params) return util::error(file + ": " + params.error().message);
  return params;
}

util::Result<fixture::BinarySpec> parse_binary(const std::string& text) {
  size_t equals = text.find('=');
  fixture::BinarySpec spec;
  spec.name = text.substr(0, equals);
  if (equals != std::string::npos) {
    try {
      size_t used = 0;
      spec.package_share = std::stod(text.substr(equals + 1), &used);
      if (used != text.size() - equals - 1) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      return util::error("--binary '" + text + "': expected NAME or NAME=SHARE with SHARE in (0, 1]");
    }
  }
  return spec;
}

void register_generate(CLI::App& fixture_cmd) {
  auto args = std::make_shared<GenerateArgs>();
  auto* gen = fixture_cmd.add_subcommand("generate", "Generate a deterministic Go project to build");
  gen->add_option("--params", args->params_file, "Parameters as JSON (the options below override it)");
  gen->add_option("--scenario", args->scenario_file,
                  "Take the parameters of a scenario's generated fixture (the options below override them)")
      ->excludes("--params");
  gen->add_option("--out", args->out, "Output directory (must be empty unless --replace)")->required();
  gen->add_flag("--replace", args->replace, "Remove the output directory's contents first");
  // Option names follow the JSON keys with dashes.
  std::vector<std::pair<CLI::Option*, std::function<void(fixture::FixtureParams&, const fixture::FixtureParams&)>>> overrides;
  auto keep = std::make_shared<fixture::FixtureParams>();
  auto add = [&](const std::string& name, auto member, const std::string& help) {
    auto* option = gen->add_option(name, keep.get()->*member, help)->capture_default_str();
    overrides.emplace_back(option, [member](fixture::FixtureParams& to, const fixture::FixtureParams& from) {
      to.*member = from.*member;
    });
  };
  add("--module-path", &fixture::FixtureParams::module_path, "Go module path of the project");
  add("--packages", &fixture::FixtureParams::packages, "Number of packages (internal/pkgNNN)");
  add("--files-per-package", &fixture::FixtureParams::files_per_package, "Go files per package");
  add("--functions-per-file", &fixture::FixtureParams::functions_per_file, "Functions per file (about 13 lines each)");
  add("--import-fan-out", &fixture::FixtureParams::import_fan_out, "Packages of the next level each package imports");
  add("--import-depth", &fixture::FixtureParams::import_depth, "Levels of the import graph");
  add("--test-files-per-package", &fixture::FixtureParams::test_files_per_package, "_test.go files per package");
  add("--docs", &fixture::FixtureParams::docs, "Markdown files under docs/");
  add("--assets-bytes", &fixture::FixtureParams::assets_bytes, "Total size of non-Go files under assets/");
  add("--junk-dir", &fixture::FixtureParams::junk_dir, "Directory that .dockerignore should exclude");
  add("--junk-bytes", &fixture::FixtureParams::junk_bytes, "Size of the junk directory");
  add("--deps-namespace", &fixture::FixtureParams::deps_namespace, "Module path prefix of the synthetic dependencies");
  add("--dep-modules", &fixture::FixtureParams::dep_modules, "Number of dependency modules");
  add("--dep-files", &fixture::FixtureParams::dep_files, "Go files per dependency module");
  add("--dep-bytes", &fixture::FixtureParams::dep_bytes, "Approximate source size of each dependency module");
  add("--dep-depth", &fixture::FixtureParams::dep_depth, "Length of the dependency chains (1 = direct only)");
  add("--dep-payload-bytes", &fixture::FixtureParams::dep_payload_bytes,
      "Incompressible bytes in the dependency modules' testdata/, downloaded but not compiled (at most 400 MiB)");
  add("--deps-preset", &fixture::FixtureParams::deps_preset,
      "Real Go modules from Debian packages: grpc-service or web-service (docs/dependency-world.md)");
  add("--seed", &fixture::FixtureParams::seed, "Seed: same parameters and seed, same bytes");
  auto* binary_option = gen->add_option("--binary", args->binaries,
                                        "A binary cmd/NAME importing SHARE of the top-level packages (NAME=SHARE, repeatable)");

  gen->callback([args, keep, overrides, binary_option] {
    fixture::FixtureParams params;
    if (!args->params_file.empty()) {
      auto loaded = load_params(args->params_file);
      if (!loaded) {
        print_error(loaded.error().message);
        finish(kExitBadInput);
        return;
      }
      params = *loaded;
    }
    if (!args->scenario_file.empty()) {
      auto loaded = scenario::load_scenario(args->scenario_file);
      if (!loaded.ok()) {
        print_error(loaded.report(args->scenario_file));
        finish(kExitBadInput);
        return;
      }
      if (loaded.scenario->fixture.kind != scenario::FixtureSource::Kind::Generate) {
        print_error(args->scenario_file + ": its fixture is a directory (fixture.path), not generated");
        finish(kExitBadInput);
        return;
      }
      params = loaded.scenario->series.front().params;
    }
    for (const auto& [option, copy] : overrides) {
      if (option->count() > 0) copy(params, *keep);
    }
    if (binary_option->count() > 0) {
      params.binaries.clear();
      for (const auto& text : args->binaries) {
        auto spec = parse_binary(text);
        if (!spec) {
          print_error(spec.error().message);
          finish(kExitBadInput);
          return;
        }
        params.binaries.push_back(*spec);
      }
    }
    auto started = std::chrono::steady_clock::now();
    auto generated = fixture::generate_fixture(params, args->out, {args->replace});
    if (!generated) {
      print_error(generated.error().message);
      finish(kExitBadInput);
      return;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    auto hash = fixture::tree_hash(generated->root);
    fmt::print("generated {} in {:.2f} s: {} files, {} bytes, {} lines of Go\n", generated->root.string(), seconds,
               generated->files, generated->bytes, generated->go_lines);
    fmt::print("tree hash {}\n", hash ? *hash : "unavailable: " + hash.error().message);
    const auto& roles = generated->manifest.roles;
    fmt::print("roles: leaf {}, core {}, main {}\n", roles.leaf_package, roles.core_package,
               roles.main_package.empty() ? "(none)" : roles.main_package);
  });
}

struct ServeArgs {
  std::string fixture_dir;
  uint16_t port = 0;
  double latency_ms = static_cast<double>(fixture::NetworkEmulation{}.latency.count()) / 1000.0;
  double bandwidth_mbps = fixture::NetworkEmulation{}.bandwidth_mbps;
};

void register_proxy(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* proxy = app.add_subcommand("proxy", "The Go module proxy for a generated fixture's dependencies");
  proxy->require_subcommand(1);
  auto* serve = proxy->add_subcommand("serve", "Serve the fixture's modules on 127.0.0.1 until Ctrl-C");
  serve->add_option("--fixture", args->fixture_dir, "A generated fixture directory")->required();
  serve->add_option("--port", args->port, "Port on 127.0.0.1 (0: any free port)")->capture_default_str();
  serve->add_option("--latency-ms", args->latency_ms, "Emulated latency per request")->capture_default_str()->check(CLI::NonNegativeNumber);
  serve->add_option("--bandwidth-mbps", args->bandwidth_mbps, "Emulated bandwidth, Mbit/s (0: unlimited)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  serve->callback([args] {
    auto manifest = fixture::read_manifest(args->fixture_dir);
    if (!manifest) {
      print_error(manifest.error().message);
      finish(kExitBadInput);
      return;
    }
    auto created = fixture::ModuleStore::create(manifest->params);
    if (!created) {
      print_error(created.error().message);
      finish(kExitBadInput);
      return;
    }
    auto store = std::move(created).value();
    if (auto real = store->real_modules()) {
      std::ifstream gosum_file(std::filesystem::path(args->fixture_dir) / "go.sum", std::ios::binary);
      std::ostringstream gosum_text;
      gosum_text << gosum_file.rdbuf();
      if (auto ok = fixture::check_gosum_against(*real, gosum_text.str()); !ok) {
        print_error(args->fixture_dir + "/go.sum: " + ok.error().message);
        finish(kExitBadInput);
        return;
      }
    }
    // A mutated fixture may require newer versions than it was generated with.
    std::ifstream gomod_file(std::filesystem::path(args->fixture_dir) / "go.mod", std::ios::binary);
    std::ostringstream gomod_text;
    gomod_text << gomod_file.rdbuf();
    const std::string gomod = gomod_text.str();
    for (const auto& require : fixture::parse_gomod_requires(gomod)) {
      if (fixture::dependency_module_index(manifest->params, require.path)) {
        if (auto ok = store->publish(require.path, require.version); !ok) print_warning(ok.error().message);
      }
    }
    fixture::ProxyOptions options;
    options.port = args->port;
    options.network.latency = std::chrono::microseconds(static_cast<int64_t>(args->latency_ms * 1000.0));
    options.network.bandwidth_mbps = args->bandwidth_mbps;

    // Block the signals before the server's threads start, so only sigwait sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    auto server = fixture::ModuleProxy::start(store, options);
    if (!server) {
      print_error(server.error().message);
      finish(kExitBadInput);
      return;
    }
    fmt::print("serving {} dependency modules of {} at {}\n", manifest->params.dep_modules, args->fixture_dir,
               (*server)->url());
    fmt::print("latency {} ms, bandwidth {} Mbit/s; use GOPROXY={} GOSUMDB=off; Ctrl-C stops\n", args->latency_ms,
               args->bandwidth_mbps, (*server)->url());
    std::fflush(stdout);
    int received = 0;
    sigwait(&signals, &received);
    (*server)->stop();
    fmt::print("{}\n", fixture::to_json((*server)->counters()).dump(2));
  });
}

}  // namespace

void register_fixture_commands(CLI::App& app) {
  auto* fixture_cmd = app.add_subcommand("fixture", "Go fixture projects to build");
  fixture_cmd->require_subcommand(1);
  register_generate(*fixture_cmd);
  register_proxy(app);
}

}  // namespace buildbench::cli
