// `buildbench run SCENARIO` and `buildbench merge`.
#include <fmt/core.h>
#include <signal.h>

#include <atomic>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "engine/engine_daemon.h"
#include "runner/merge.h"
#include "runner/run_scenario.h"

namespace buildbench::cli {
namespace {

// Set by SIGINT/SIGTERM: the runner polls it between builds, and libcurl's
// progress callback aborts the build stream in flight. A signal handler can
// only reach a global.
std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) { g_interrupted.store(true); }

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

struct RunCommandOptions {
  std::string scenario;
  std::string out = "results";
  std::optional<int> reps;
  std::optional<int> warmups;
  std::optional<uint64_t> seed;
  std::string shard;
  std::string daemon = "env";
  std::string engine;
  std::vector<std::string> engines;
  std::vector<std::string> claims;
  bool dry_run = false;
  bool resume = false;
  bool fail_fast = false;
  bool keep_images = false;
  bool allow_prune = false;
  bool quiet = false;
  bool all_cells = false;
};

}  // namespace

void register_run_command(CLI::App& app) {
  auto options = std::make_shared<RunCommandOptions>();
  auto* run = app.add_subcommand("run", "Run a scenario: every planned build, timed, appended to DIR/results.jsonl");
  run->add_option("scenario", options->scenario, "Scenario file (JSON with comments)")->required();
  run->add_option("--out", options->out, "Output directory")->capture_default_str();
  run->add_option("--reps", options->reps, "Repetitions (overrides the scenario)")->check(CLI::NonNegativeNumber);
  run->add_option("--warmups", options->warmups, "Warm-up rounds (overrides the scenario)")->check(CLI::NonNegativeNumber);
  run->add_option("--seed", options->seed, "Seed for the randomized order (overrides the scenario)");
  run->add_option("--shard", options->shard, "Run only slice K of N of the plan (K/N)");
  run->add_option("--daemon", options->daemon,
                  "env: the daemon DOCKER_HOST names; managed: a private dockerd buildbench starts and stops")
      ->check(CLI::IsMember({"env", "managed"}))
      ->capture_default_str();
  run->add_option("--engine", options->engine,
                  "Run on this engine's managed daemon (implies --daemon managed; default there: the newest "
                  "installed; buildbench engine list)");
  run->add_option("--engines", options->engines,
                  "Run on several engines' managed daemons, their rounds interleaved (e.g. 20.10,28.5; overrides the "
                  "scenario's \"engines\")")
      ->delimiter(',');
  run->add_option("--claims", options->claims,
                  "Judge only these claims of the scenario (ids, comma-separated): the plan builds only their cells")
      ->delimiter(',');
  run->add_flag("--dry-run", options->dry_run, "Print the plan and exit");
  run->add_flag("--all-cells", options->all_cells,
                "Build every variant x build kind, not only the cells the scenario's claims read");
  run->add_flag("--resume", options->resume, "Continue an interrupted run from DIR/results.jsonl");
  run->add_flag("--fail-fast", options->fail_fast, "Stop at the first failed build");
  run->add_flag("--keep-images", options->keep_images, "Keep the images the run built (by default its tags and every image its builds produced are removed at the end)");
  run->add_flag("--allow-prune", options->allow_prune,
                "Let cold builds prune the build cache of a daemon buildbench does not own");
  run->add_flag("-q,--quiet", options->quiet, "No progress output");
  run->callback([options] {
    runner::RunOptions run_options;
    run_options.scenario_file = options->scenario;
    run_options.out_dir = options->out;
    run_options.plan.repetitions = options->reps;
    run_options.plan.warmups = options->warmups;
    run_options.plan.seed = options->seed;
    run_options.plan.all_cells = options->all_cells;
    if (!options->shard.empty()) {
      auto shard = scenario::parse_shard(options->shard);
      if (!shard) {
        print_error("--shard " + options->shard + ": " + shard.error().message);
        finish(kExitBadInput);
        return;
      }
      run_options.shard = *shard;
    }
    run_options.daemon = options->daemon == "managed" ? runner::DaemonMode::Managed : runner::DaemonMode::Env;
    if (!options->engine.empty()) {
      auto spec = engine::known_engine(options->engine);
      if (!spec) {
        print_error("--engine: " + spec.error().message);
        finish(kExitBadInput);
        return;
      }
      run_options.daemon = runner::DaemonMode::Managed;
      run_options.engine = options->engine;
    }
    if (!options->engines.empty() && !options->engine.empty()) {
      print_error("--engine and --engines are both given (expected one: --engines A,B names every engine)");
      finish(kExitBadInput);
      return;
    }
    for (const auto& name : options->engines) {
      auto spec = engine::known_engine(name);
      if (!spec) {
        print_error("--engines: " + spec.error().message);
        finish(kExitBadInput);
        return;
      }
    }
    run_options.engines = options->engines;
    run_options.claims = options->claims;
    if (!options->engines.empty()) run_options.daemon = runner::DaemonMode::Managed;
    run_options.dry_run = options->dry_run;
    run_options.resume = options->resume;
    run_options.fail_fast = options->fail_fast;
    run_options.keep_images = options->keep_images;
    run_options.allow_prune = options->allow_prune;
    run_options.quiet = options->quiet;
    run_options.interrupted = &g_interrupted;
    install_interrupt_handlers();
    auto summary = runner::run_scenario(run_options);
    if (!summary) {
      print_error(summary.error().message);
      finish(summary.error().message.find(options->scenario + ":") == 0 ? kExitBadInput : kExitFailure);
      return;
    }
    if (options->dry_run) return;
    fmt::print("{} samples recorded ({} already there, {} planned), {} failed builds -> {}\n", summary->recorded,
               summary->skipped, summary->planned, summary->failed_builds, summary->results.string());
    if (summary->interrupted) {
      print_warning("interrupted: the results file is valid; continue with --resume");
      finish(kExitInterrupted);
      return;
    }
    finish(summary->failed_builds > 0 ? kExitFailure : kExitOk);
  });
}

void register_merge_command(CLI::App& app) {
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto* merge = app.add_subcommand("merge", "Join results files of one scenario (e.g. shards) into one");
  merge->add_option("results", *inputs, "results.jsonl files")->required()->check(CLI::ExistingFile);
  merge->add_option("-o,--out", *out, "The merged results file")->required();
  merge->add_flag("--force", *force, "Merge different scenarios or harness versions anyway");
  merge->callback([inputs, out, force] {
    std::vector<runner::ResultsFile> files;
    for (const auto& path : *inputs) {
      auto file = runner::read_results(path);
      if (!file) {
        print_error(file.error().message);
        finish(kExitBadInput);
        return;
      }
      for (const auto& warning : file->warnings) print_warning(warning);
      files.push_back(std::move(file).value());
    }
    auto merged = runner::merge_results(files, runner::MergeOptions{*force});
    if (!merged) {
      print_error(merged.error().message);
      finish(kExitBadInput);
      return;
    }
    if (auto written = runner::write_results(*out, *merged); !written) {
      print_error(written.error().message);
      finish(kExitFailure);
      return;
    }
    fmt::print("{} samples from {} files -> {}\n", merged->samples.size(), files.size(), *out);
  });
}

}  // namespace buildbench::cli
