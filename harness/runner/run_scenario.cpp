#include "runner/run_scenario.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cctype>
#include <fstream>
#include <ctime>
#include <thread>
#include <chrono>
#include <map>
#include <set>

#include "builder/run_build.h"
#include "docker/engine_client.h"
#include "docker/engine_facts.h"
#include "engine/engine_daemon.h"
#include "engine/housekeeping.h"
#include "fixture/base_images.h"
#include "fixture/module_proxy.h"
#include "runner/metrics.h"
#include "runner/progress.h"
#include "runner/results.h"
#include "runner/sanity.h"
#include "runner/workspace.h"
#include "scenario/cells.h"
#include "scenario/scenario.h"
#include "stats/verdicts.h"
#include "util/hash.h"
#include "util/process.h"

namespace buildbench::runner {
namespace {

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string harness_commit() {
  // The commit of the source tree this binary was built from, when it is a
  // git checkout (reports name it); "unknown" otherwise.
  auto out = util::run_process({"git", "-C", BUILDBENCH_SOURCE_DIR, "rev-parse", "--short=12", "HEAD"});
  if (!out || out->exit_code != 0) return "unknown";
  std::string commit = out->out;
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r')) commit.pop_back();
  auto dirty = util::run_process({"git", "-C", BUILDBENCH_SOURCE_DIR, "status", "--porcelain", "--untracked-files=no"});
  if (dirty && dirty->exit_code == 0 && !dirty->out.empty()) commit += "-dirty";
  return commit;
}

int64_t build_cache_bytes(docker::EngineClient& client) {
  auto usage = client.build_cache_usage();
  return usage ? usage->total_bytes() : -1;
}

docker::BuilderKind to_builder(scenario::Builder builder) {
  return builder == scenario::Builder::Classic ? docker::BuilderKind::Classic : docker::BuilderKind::BuildKit;
}
docker::ContextTransfer to_transfer(scenario::ContextTransfer transfer) {
  return transfer == scenario::ContextTransfer::Tar ? docker::ContextTransfer::Tar : docker::ContextTransfer::Session;
}

std::string sanitize_tag_part(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
    else out.push_back(ok ? c : '-');
  }
  return out.empty() ? "x" : out;
}

nlohmann::json variants_json(const scenario::Scenario& scenario) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& v : scenario.variants) {
    out.push_back({{"name", v.name},
                   {"dockerfile", v.dockerfile_as_written},
                   {"dockerignore", v.dockerignore_as_written ? nlohmann::json(*v.dockerignore_as_written) : nullptr},
                   {"build_args", v.build_args},
                   {"target", v.target},
                   {"builder", std::string(scenario::builder_name(v.builder))},
                   {"context_transfer", std::string(scenario::transfer_name(v.context_transfer))},
                   {"baseline", v.baseline}});
  }
  return out;
}

std::string label_of(const Sample& sample) {
  return (sample.series.empty() ? "" : sample.series + " · ") + sample.variant + " · " + sample.kind;
}

// A first sample much slower than the rest of its group usually means a
// cold page cache or a daemon still warming up: worth a warm-up round.
std::vector<std::string> slow_first_samples(const std::map<std::string, std::vector<double>>& walls) {
  std::vector<std::string> warnings;
  for (const auto& [label, values] : walls) {
    if (values.size() < 3) continue;
    std::vector<double> rest(values.begin() + 1, values.end());
    std::sort(rest.begin(), rest.end());
    double median = rest.size() % 2 ? rest[rest.size() / 2] : (rest[rest.size() / 2 - 1] + rest[rest.size() / 2]) / 2;
    if (median > 0 && values.front() > 1.5 * median) {
      warnings.push_back(label + ": the first sample (" + fmt_seconds(values.front()) +
                         ") is much slower than the median of the rest (" + fmt_seconds(median) +
                         "); consider --warmups 1");
    }
  }
  return warnings;
}

// The plan in words, printed before a run (and by --dry-run): which cells
// are built, what each serves, what was left out, how repetitions stop.
std::vector<std::string> describe_plan(const scenario::Scenario& scenario, const scenario::CellPlan& cells,
                                       const scenario::PlanOptions& options) {
  std::vector<std::string> lines;
  lines.push_back("plan: " + std::to_string(cells.cells.size()) + " of " + std::to_string(cells.total_cells) +
                  " cells (variant x build kind)" + (cells.all_cells ? ", all cells asked for" : ""));
  for (const auto& cell : cells.cells) {
    std::string serves;
    for (const auto& use : cell.serves) serves += (serves.empty() ? "" : ", ") + use;
    lines.push_back("  " + scenario.variants[cell.variant].name + " · " + scenario.build_kinds[cell.kind].label() +
                    ": " + serves);
  }
  for (const auto& note : cells.notes) lines.push_back("  note: " + note);
  if (scenario.engines.size() > 1) {
    std::string names;
    for (const auto& name : scenario.engines) names += (names.empty() ? "" : ", ") + name;
    lines.push_back("engines: " + names + ": every cell on each, their rounds interleaved in one random order");
  } else if (scenario.engines.size() == 1) {
    lines.push_back("engine: " + scenario.engines.front());
  }
  if (scenario::plan_is_adaptive(scenario, options)) {
    const auto& adaptive = *scenario.adaptive;
    auto design = stats::sequential_design(static_cast<size_t>(adaptive.min), static_cast<size_t>(adaptive.max), adaptive.alpha);
    std::string until = adaptive.until == scenario::AdaptiveRepetitions::Until::Decided
                            ? "until decided: " + stats::describe_levels(design)
                            : "until the median's 95% CI is within " + std::to_string(adaptive.ci_width * 100).substr(0, 4) + "%";
    lines.push_back("repetitions: " + std::to_string(adaptive.min) + " to " + std::to_string(adaptive.max) + " per cell, " + until);
  }
  return lines;
}

// Where a run's time goes outside the timed builds, by part (seconds).
// Each part is measured around the call that does it; the footer records
// them and the report shows their sum as a share of the run's wall time.
class HarnessClock {
 public:
  using Clock = std::chrono::steady_clock;
  template <typename F>
  auto time(const char* part, F&& work) {
    auto start = Clock::now();
    if constexpr (std::is_void_v<decltype(work())>) {
      work();
      parts_[part] += seconds_since(start);
    } else {
      auto result = work();
      parts_[part] += seconds_since(start);
      return result;
    }
  }
  void add(const char* part, double seconds) { parts_[part] += seconds; }
  double part(const std::string& name) const {
    auto found = parts_.find(name);
    return found == parts_.end() ? 0.0 : found->second;
  }
  const std::map<std::string, double>& parts() const { return parts_; }
  static double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  }

 private:
  std::map<std::string, double> parts_;
};

// Parts that are not the harness's own overhead: set-up before the first
// build (daemon facts, base images) and the unrecorded builds that bring a
// variant to a warm state, which the protocol needs.
bool counts_as_overhead(const std::string& part) { return part != "setup_s" && part != "warm_prep_s"; }

// Everything one run needs while it goes through the plan.
class Run {
 public:
  Run(const RunOptions& options, scenario::Scenario scenario, std::vector<scenario::PlannedSample> plan,
      scenario::PreflightOutcome preflight)
      : options_(options), scenario_(std::move(scenario)), plan_(std::move(plan)), preflight_(std::move(preflight)),
        progress_(Progress::detect(options.quiet), plan_.size()),
        cells_(scenario::plan_cells(scenario_, options.plan.all_cells)),
        adaptive_(scenario::plan_is_adaptive(scenario_, options.plan)) {}

  util::Result<RunSummary> execute();

 private:
  struct RoundState {
    std::map<std::string, std::string> build_args;
    bool ready = false;  // the daemon's cache holds the current tree for this variant
  };

  // One engine's daemon and what the run made on it.
  struct EngineRun {
    std::string name;  // catalog name; "" for a DOCKER_HOST daemon that is none of the catalog's
    std::optional<engine::ManagedDaemonLease> lease;
    std::unique_ptr<docker::EngineClient> client;
    SampleEngine identity;  // what every sample built on it records
    std::set<std::string> tags;
    // Every image a build of this run produced. Each new build of a tag
    // leaves the previous image untagged; without removing them a seed run
    // left ~290 dangling images (tens of GB over a few runs).
    std::set<std::string> images;
  };

  bool interrupted() const { return options_.interrupted != nullptr && options_.interrupted->load(); }
  util::Status prepare_engines();
  util::Status prepare_engine(EngineRun& engine, const std::string& name, bool first);
  util::Status prepare_series(size_t series);
  util::Result<docker::BuildRecord> build(EngineRun& engine, const scenario::Variant& variant,
                                          const std::map<std::string, std::string>& args, bool cold,
                                          std::string* cold_method);
  util::Status run_sample(const scenario::PlannedSample& planned, RoundState& round, bool record, bool starts_round);
  // Removes the run's images and work trees (once), timed: the footer
  // records how long it took, so it runs before the footer is written.
  void remove_images();
  void cleanup();
  // Adaptive repetitions: after a round of every variant, which cells still
  // need samples (scenario::decide, the report's own decision logic).
  void update_decisions(size_t series);
  size_t decided_cells() const;
  size_t decided_claims() const;
  bool still_needed(const scenario::PlannedSample& planned) const;
  size_t remaining_builds(size_t from) const;
  nlohmann::json cells_json() const;
  nlohmann::json adaptive_json() const;
  nlohmann::json harness_time_json(double run_wall_s) const;
  std::string decision_status() const;
  void remember_resumed(const Sample& sample);

  const RunOptions& options_;
  scenario::Scenario scenario_;
  std::vector<scenario::PlannedSample> plan_;
  scenario::PreflightOutcome preflight_;  // notes and the variants whose `# syntax=` line goes
  Progress progress_;
  std::vector<EngineRun> engines_;  // the scenario's engines in order, or the run's one daemon
  std::optional<ResultsWriter> writer_;
  ResultsHeader header_;
  std::set<size_t> done_;  // plan indexes already in the results file
  std::optional<size_t> current_series_;
  std::optional<Workspace> workspace_;
  std::unique_ptr<fixture::ModuleProxy> proxy_;
  std::string run_token_ = util::random_hex(4);
  std::string current_build_id_;  // of the build in flight, to cancel it on Ctrl-C
  EngineRun* current_engine_ = nullptr;  // where that build runs
  std::map<std::string, uint64_t> mutation_counter_;
  RunSummary summary_;
  size_t finished_ = 0;
  // Wall times of measured samples per "variant · kind", in run order: for
  // the slow-first-sample warning at the end.
  std::map<std::string, std::vector<double>> walls_;
  scenario::CellPlan cells_;
  bool adaptive_ = false;
  // Measured samples of this run (and of a resumed one) by (series, engine, variant, kind) indexes.
  std::map<std::tuple<size_t, size_t, size_t, size_t>, std::vector<Sample>> measured_;
  // Adaptive: each engine's cells are decided on that engine's samples alone
  // (its verdicts may differ), one Decisions per engine; empty before the first look.
  std::vector<scenario::Decisions> decisions_;
  HarnessClock clock_;
  double builds_s_ = 0;  // client wall time of the measured builds
  bool images_removed_ = false;
};

util::Status Run::prepare_engines() {
  header_.daemon_mode = options_.daemon == DaemonMode::Managed ? "managed" : "env";
  bool may_prune = options_.daemon == DaemonMode::Managed || options_.allow_prune;
  header_.cold_method = may_prune ? "prune" : "scoped";
  header_.engines = nlohmann::json::array();
  // Managed runs name their engines (run_scenario fills the list); an env
  // run has the one daemon DOCKER_HOST names.
  std::vector<std::string> names = scenario_.engines;
  if (names.empty()) names.push_back("");
  engines_.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    engines_.emplace_back();
    auto prepared = prepare_engine(engines_.back(), names[i], i == 0);
    if (!prepared) return prepared;
  }
  return {};
}

util::Status Run::prepare_engine(EngineRun& engine, const std::string& name, bool first) {
  if (options_.daemon == DaemonMode::Managed) {
    auto spec = engine::installed_engine(name);
    if (!spec) return spec.error();
    engine.name = (*spec)->name;
    progress_.note("daemon: starting the managed dockerd of engine " + engine.name +
                   " (buildbench daemon start --engine " + engine.name + ")...");
    auto lease = engine::ManagedDaemonLease::acquire(engine::daemon_paths(**spec), engine::daemon_program(**spec));
    if (!lease) return lease.error();
    engine.lease.emplace(std::move(lease).value());
    engine.client = std::make_unique<docker::EngineClient>(engine.lease->endpoint());
  } else {
    auto endpoint = docker::Endpoint::from_environment();
    if (!endpoint) return endpoint.error();
    engine.client = std::make_unique<docker::EngineClient>(*endpoint);
  }
  auto& client = *engine.client;
  client.set_interrupt_flag(options_.interrupted);
  auto facts = docker::gather_engine_facts(client);
  if (!facts) return facts.error();
  // The engine by name: the managed daemon's, else the catalog's entry for
  // the release DOCKER_HOST's daemon reports (empty when it is none of them).
  if (engine.name.empty()) {
    if (const auto* spec = engine::find_engine_by_version(facts->engine_version)) engine.name = spec->name;
  }
  engine.identity = {engine.name, facts->engine_version, facts->api_version, facts->buildkit_version};
  auto facts_json = facts->to_json();
  facts_json["engine"] = engine.name;
  if (first) header_.environment = facts_json;
  if (!scenario_.engines.empty()) header_.engines.push_back(facts_json);
  std::string on = engines_.size() > 1 || scenario_.engines.size() > 1 ? " (engine " + engine.name + ")" : "";
  // Images of earlier runs that were killed (SIGKILL, a dead daemon) and
  // could not clean up; only on a daemon buildbench owns.
  if (engine::owned_by_buildbench(client.endpoint())) {
    auto swept = engine::remove_leftovers(client);
    if (swept && !swept->removed.empty()) {
      progress_.note("housekeeping: removed " + std::to_string(swept->removed.size()) +
                     " images that killed runs left behind" + on);
    }
  }

  progress_.note("base images" + on + ": making sure the offline stand-ins exist (first time: a few minutes)...");
  fixture::EnsureOptions ensure;
  ensure.progress = [this](std::string_view line) { progress_.note("  " + std::string(line)); };
  auto images = fixture::ensure_base_images(client, fixture::default_base_image_specs(module_proxy_url()), ensure);
  if (!images) return images.error();
  auto mapping = scenario_.base_images.empty() ? fixture::default_base_image_mapping() : scenario_.base_images;
  auto resolved = fixture::apply_base_image_mapping(client, mapping);
  if (!resolved) return resolved.error();
  // The header lists the first engine's base images; each engine has its
  // own copies, made from the same rootfs tarballs.
  if (first) {
    header_.base_images = nlohmann::json::array();
    for (const auto& image : *resolved) {
      header_.base_images.push_back({{"name", image.name}, {"image", image.local_image}, {"id", image.image_id}});
    }
  }
  return {};
}

util::Status Run::prepare_series(size_t series) {
  if (current_series_ == series) return {};
  proxy_.reset();
  workspace_.reset();
  auto root = options_.out_dir / "work" / ("series-" + std::to_string(series));
  auto workspace = clock_.time("workspace_create_s", [&] { return Workspace::create(scenario_, scenario_.series[series], root); });
  if (!workspace) return workspace.error();
  workspace_.emplace(std::move(workspace).value());
  fixture::ProxyOptions proxy_options;
  proxy_options.port = module_proxy_port();
  proxy_options.network.latency = std::chrono::microseconds(static_cast<int64_t>(scenario_.proxy.latency_ms * 1000));
  proxy_options.network.bandwidth_mbps = scenario_.proxy.bandwidth_mbps;
  proxy_options.network.profile = scenario_.proxy.profile;
  auto proxy = clock_.time("proxy_start_s", [&] { return fixture::ModuleProxy::start(workspace_->store(), proxy_options); });
  if (!proxy) return proxy.error();
  proxy_ = std::move(proxy).value();
  current_series_ = series;
  if (header_.fixture_hash.empty()) header_.fixture_hash = workspace_->fixture_hash();
  return {};
}

util::Result<docker::BuildRecord> Run::build(EngineRun& engine, const scenario::Variant& variant,
                                             const std::map<std::string, std::string>& args, bool cold,
                                             std::string* cold_method) {
  builder::BuildRequest request;
  request.context_dir = workspace_->context_dir();
  request.dockerfile = variant.dockerfile;
  request.builder = to_builder(variant.builder);
  request.transfer = to_transfer(variant.context_transfer);
  request.network_mode = scenario_.network_mode;
  request.build_args = args;
  request.target = variant.target;
  for (const auto& [id, spec] : variant.secrets) {
    session::SecretSource source;
    source.id = id;
    source.file = spec.file;
    source.env = spec.env;
    request.secrets.push_back(std::move(source));
  }
  request.strip_syntax_line = preflight_.strip_syntax.count(static_cast<size_t>(&variant - scenario_.variants.data())) != 0;
  std::string tag = "buildbench-run/" + sanitize_tag_part(scenario_.name) + ":" + sanitize_tag_part(variant.name) +
                    "-" + run_token_;
  request.tags = {tag};
  engine.tags.insert(tag);
  request.labels = engine::run_labels(scenario_.name, variant.name, run_token_, ::getpid());
  current_build_id_ = util::random_hex(32);
  current_engine_ = &engine;
  request.build_id = current_build_id_;
  if (cold) {
    if (header_.cold_method == "prune") {
      // Everything the builder cached goes: layers, cache mounts, and the
      // daemon's copies of earlier contexts.
      auto pruned = clock_.time("cold_reset_s", [&] { return engine.client->prune_build_cache(true); });
      if (!pruned) return pruned.error();
      *cold_method = "prune";
    } else {
      // Scoped: nothing of the user's is destroyed. No cache, fresh cache
      // mounts, a fresh copy of the context on the daemon's side.
      request.no_cache = true;
      request.build_args["BUILDKIT_CACHE_MOUNT_NS"] = "buildbench-" + util::random_hex(8);
      request.session_shared_key = util::random_hex(32);
      *cold_method = "scoped";
    }
  }
  (void)proxy_->take_counters();  // what the set-up fetched is not this build's
  auto outcome = builder::run_build(*engine.client, request);
  if (outcome) builds_s_ += outcome->wall_s;
  return outcome;
}

util::Status Run::run_sample(const scenario::PlannedSample& planned, RoundState& round, bool record, bool starts_round) {
  const auto& variant = scenario_.variants[planned.variant];
  const auto& kind = scenario_.build_kinds[planned.kind];
  auto& engine = engines_[planned.engine];
  std::string label = variant.name + " · " + planned.kind_label + (planned.warmup ? " · warm-up " : " · rep ") +
                      std::to_string(planned.repetition + 1);
  if (!planned.series_label.empty()) label = planned.series_label + " · " + label;
  if (scenario_.engines.size() > 1) label = engine.name + " · " + label;

  if (starts_round) {
    auto reset = clock_.time("workspace_reset_s", [&] {
      return workspace_->reset(variant, (std::stoull(run_token_, nullptr, 16) << 20) + planned.round);
    });
    if (!reset) return reset;
    round.build_args = variant.build_args;
    round.ready = false;
  }
  bool cold = kind.type == scenario::KindType::Cold;
  if (!cold && !round.ready) {
    // A round that does not start cold starts from a warm state: build once,
    // unrecorded, so the cache holds this tree for this variant.
    progress_.note("  (bringing " + variant.name + " to a warm state first)");
    std::string unused;
    auto prep_start = HarnessClock::Clock::now();
    auto prep = build(engine, variant, round.build_args, false, &unused);
    clock_.add("warm_prep_s", HarnessClock::seconds_since(prep_start));
    if (prep) builds_s_ -= prep->wall_s;  // counted as warm-up preparation, not as a measured build
    if (!prep) return prep.error();
    if (!prep->ok) return util::error("the build that brings " + variant.name + " to a warm state failed: " + prep->error);
  }
  if (kind.is_mutation()) {
    uint64_t iteration = ++mutation_counter_[planned.kind_label];
    if (kind.type == scenario::KindType::Cachebust) {
      round.build_args[kind.build_arg] = "bust-" + run_token_ + "-" + std::to_string(iteration);
    } else {
      auto mutated = clock_.time("fixture_mutation_s", [&] { return workspace_->mutate(kind); });
      if (!mutated) return mutated;
    }
  }

  progress_.starting(finished_, label);
  Sample sample;
  sample.plan_index = planned.plan_index;
  sample.variant = variant.name;
  sample.kind = planned.kind_label;
  sample.series = planned.series_label;
  sample.engine = engine.identity;
  sample.repetition = planned.repetition;
  sample.warmup = planned.warmup;
  sample.started_at = utc_now();
  auto outcome = build(engine, variant, round.build_args, cold, &sample.cold_method);
  if (!outcome) return outcome.error();
  sample.record = std::move(outcome).value();
  if (!sample.record.image_id.empty()) engine.images.insert(sample.record.image_id);
  // The build cache's size after a cold build is the variant's whole
  // footprint; after the others it only tells how much a change added, which
  // no report shows. /system/df costs 10-30 ms a call: only cold builds ask.
  if (cold) sample.build_cache_bytes = clock_.time("build_cache_df_s", [&] { return build_cache_bytes(*engine.client); });
  auto after_build = HarnessClock::Clock::now();
  auto counters = proxy_->take_counters();
  sample.proxy.requests = counters.requests;
  sample.proxy.bytes = counters.bytes_served;
  // A CACHEBUST bump on a Dockerfile that never declares the argument is
  // expected to rerun nothing: no warning then.
  if (kind.type != scenario::KindType::Cachebust || scenario::dockerfile_declares_arg(variant.dockerfile, kind.build_arg)) {
    sample.warnings = sanity_warnings(kind, sample.record);
  }
  round.ready = sample.record.ok;
  ++finished_;
  clock_.add("after_build_s", HarnessClock::seconds_since(after_build));

  std::string result = sample.record.ok
                           ? fmt_seconds(sample.record.wall_s) + ", " + std::to_string(sample.record.cached_steps) + "/" +
                                 std::to_string(sample.record.total_steps) + " cached"
                           : "FAILED: " + sample.record.error;
  for (const auto& warning : sample.warnings) result += "\n    warning: " + warning;
  if (!record) result += "  (already recorded; not written again)";
  progress_.finished(finished_, label, result);

  if (!sample.record.ok) ++summary_.failed_builds;
  if (sample.record.ok && !sample.warmup) walls_[label_of(sample)].push_back(sample.record.wall_s);
  if (record) {
    auto appended = clock_.time("results_write_s", [&] { return writer_->append(sample); });
    if (!appended) return appended;
    ++summary_.recorded;
  }
  if (record && !sample.warmup) measured_[{planned.series, planned.engine, planned.variant, planned.kind}].push_back(sample);
  if (!sample.record.ok && options_.fail_fast) {
    return util::error("build failed and --fail-fast is set: " + sample.record.error);
  }
  return {};
}

void Run::remove_images() {
  if (images_removed_) return;
  images_removed_ = true;
  auto removal_start = HarnessClock::Clock::now();
  proxy_.reset();
  for (auto& engine : engines_) {
    if (!engine.client || options_.keep_images) continue;
    auto& client = *engine.client;
    for (const auto& tag : engine.tags) (void)client.remove_image(tag, true);
    if (interrupted() && !current_build_id_.empty() && current_engine_ == &engine) {
      // Stop the abandoned build for good, then make sure an export that was
      // already under way did not tag its image after the removal above.
      client.set_interrupt_flag(nullptr);
      (void)client.cancel_build(current_build_id_);
      for (int attempt = 0; attempt < 6; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        for (const auto& tag : engine.tags) {
          if (client.inspect_image(tag)) (void)client.remove_image(tag, true);
        }
      }
    }
    // Not forced: an image someone else tagged, or a container uses, stays.
    for (const auto& image : engine.images) (void)client.remove_image(image, false);
  }
  // The work trees are scratch space; the results stay.
  std::error_code ignored;
  std::filesystem::remove_all(options_.out_dir / "work", ignored);
  clock_.add("image_removal_s", HarnessClock::seconds_since(removal_start));
}

void Run::update_decisions(size_t series) {
  auto start = HarnessClock::Clock::now();
  decisions_.clear();
  for (size_t engine = 0; engine < engines_.size(); ++engine) {
    auto values = [&](size_t variant, size_t kind, const std::string& id) {
      std::vector<double> out;
      auto metric = metric_from_id(id);
      auto found = measured_.find({series, engine, variant, kind});
      if (!metric || found == measured_.end()) return out;
      for (const auto& sample : found->second) {
        if (auto value = metric_value(sample, *metric)) out.push_back(*value);
      }
      return out;
    };
    decisions_.push_back(scenario::decide(scenario_, cells_, values));
  }
  clock_.add("decisions_s", HarnessClock::seconds_since(start));
}

bool Run::still_needed(const scenario::PlannedSample& planned) const {
  return planned.engine >= decisions_.size() || decisions_[planned.engine].active(planned.variant, planned.kind);
}

size_t Run::remaining_builds(size_t from) const {
  size_t remaining = 0;
  for (size_t i = from; i < plan_.size(); ++i) {
    if (!done_.count(plan_[i].plan_index) && (plan_[i].warmup || still_needed(plan_[i]))) ++remaining;
  }
  return remaining;
}

size_t Run::decided_cells() const {
  size_t decided = 0;
  for (const auto& decisions : decisions_) decided += decisions.decided_cells;
  return decided;
}

size_t Run::decided_claims() const {
  size_t decided = 0;
  for (const auto& decisions : decisions_) decided += decisions.decided_claims;
  return decided;
}

std::string Run::decision_status() const {
  if (decisions_.empty()) return "";
  // Over every engine: a claim decided on two engines counts twice.
  const size_t engines = decisions_.size();
  std::string text = std::to_string(decided_cells()) + "/" + std::to_string(decisions_.front().cells.size() * engines) +
                     " cells decided";
  if (!scenario_.claims.empty() && scenario_.adaptive->until == scenario::AdaptiveRepetitions::Until::Decided) {
    text += ", " + std::to_string(decided_claims()) + "/" + std::to_string(scenario_.claims.size() * engines) + " claims";
  }
  if (engines > 1) text += " (over " + std::to_string(engines) + " engines)";
  return text;
}

void Run::remember_resumed(const Sample& sample) {
  if (sample.warmup) return;
  auto index_of = [](const auto& items, const auto& matches) -> std::optional<size_t> {
    for (size_t i = 0; i < items.size(); ++i) {
      if (matches(items[i])) return i;
    }
    return std::nullopt;
  };
  auto series = index_of(scenario_.series, [&](const scenario::Series& s) { return s.label == sample.series; });
  auto variant = index_of(scenario_.variants, [&](const scenario::Variant& v) { return v.name == sample.variant; });
  auto kind = index_of(scenario_.build_kinds, [&](const scenario::BuildKind& k) { return k.label() == sample.kind; });
  // Samples of files written before engines existed carry none: the first engine's.
  auto engine = scenario_.engines.empty() || sample.engine.name.empty()
                    ? std::optional<size_t>(0)
                    : index_of(scenario_.engines, [&](const std::string& name) { return name == sample.engine.name; });
  if (series && engine && variant && kind) measured_[{*series, *engine, *variant, *kind}].push_back(sample);
}

nlohmann::json Run::cells_json() const {
  nlohmann::json cells = nlohmann::json::array();
  for (const auto& cell : cells_.cells) {
    cells.push_back({{"variant", scenario_.variants[cell.variant].name},
                     {"kind", scenario_.build_kinds[cell.kind].label()},
                     {"serves", cell.serves}});
  }
  return {{"all_cells", cells_.all_cells}, {"total", cells_.total_cells}, {"cells", cells}, {"notes", cells_.notes}};
}

nlohmann::json Run::adaptive_json() const {
  if (!adaptive_) return nullptr;
  const auto& adaptive = *scenario_.adaptive;
  auto design = stats::sequential_design(static_cast<size_t>(adaptive.min), static_cast<size_t>(adaptive.max), adaptive.alpha);
  nlohmann::json out = {{"min", adaptive.min},
                        {"max", adaptive.max},
                        {"until", std::string(scenario::until_name(adaptive.until))},
                        {"alpha", adaptive.alpha},
                        {"design", std::string(stats::design_name(design.kind))},
                        {"first_look_n", design.first_rejecting_n},
                        {"first_look_alpha", design.first_look_alpha},
                        {"look_alpha", design.look_alpha}};
  if (design.orderings > 0) {
    out["estimated_error"] = design.estimated_error;
    out["orderings"] = design.orderings;
  }
  if (adaptive.until == scenario::AdaptiveRepetitions::Until::CiWidth) out["ci_width"] = adaptive.ci_width;
  return out;
}

nlohmann::json Run::harness_time_json(double run_wall_s) const {
  // The harness's share is everything that is neither a measured build nor
  // set-up nor a build that brings a variant to a warm state: the parts
  // timed above, and "other_s" for what no timer covers (closing sessions,
  // image inspects after builds, progress output).
  nlohmann::json parts = nlohmann::json::object();
  double timed = 0;
  for (const auto& [part, seconds] : clock_.parts()) {
    parts[part] = seconds;
    if (counts_as_overhead(part)) timed += seconds;
  }
  double harness = run_wall_s - builds_s_ - clock_.part("setup_s") - clock_.part("warm_prep_s");
  parts["other_s"] = std::max(0.0, harness - timed);
  return {{"run_wall_s", run_wall_s}, {"builds_s", builds_s_}, {"harness_s", std::max(harness, timed)}, {"parts", parts}};
}

void Run::cleanup() {
  remove_images();
  // Stops each managed daemon this run started (the leases end).
  for (auto& engine : engines_) {
    engine.client.reset();
    engine.lease.reset();
  }
}

util::Result<RunSummary> Run::execute() {
  const auto run_start = HarnessClock::Clock::now();
  summary_.planned = plan_.size();
  summary_.results = options_.out_dir / "results.jsonl";
  std::error_code ec;
  std::filesystem::create_directories(options_.out_dir, ec);
  if (ec) return util::error("cannot create " + options_.out_dir.string() + ": " + ec.message());

  if (options_.resume) {
    auto existing = read_results(summary_.results);
    if (!existing) return util::error("--resume: " + existing.error().message);
    if (existing->header.scenario_hash != scenario_.scenario_hash) {
      return util::error("--resume: " + summary_.results.string() + " holds results of another scenario (hash " +
                         existing->header.scenario_hash.substr(0, 12) + ", this file is " +
                         scenario_.scenario_hash.substr(0, 12) + "); use another --out directory");
    }
    for (const auto& warning : existing->warnings) progress_.note("warning: " + warning);
    for (const auto& sample : existing->samples) {
      done_.insert(sample.plan_index);
      remember_resumed(sample);
    }
    header_ = existing->header;
  }

  for (const auto& note : preflight_.notes) progress_.note("note: " + note.message);
  auto daemon = prepare_engines();
  if (!daemon) {
    cleanup();
    return daemon.error();
  }
  if (options_.resume) {
    auto writer = ResultsWriter::append_to(summary_.results);
    if (!writer) return writer.error();
    writer_.emplace(std::move(writer).value());
  }

  // Rounds whose samples are all recorded are skipped; a partly recorded
  // round is built again from its start (mutations depend on the builds
  // before them) and only its missing samples are written.
  std::map<size_t, size_t> round_missing;
  for (const auto& planned : plan_) {
    if (!done_.count(planned.plan_index)) ++round_missing[planned.round];
  }
  summary_.skipped = plan_.size() - [&] {
    size_t missing = 0;
    for (const auto& [round, count] : round_missing) missing += count;
    return missing;
  }();

  clock_.add("setup_s", HarnessClock::seconds_since(run_start));
  for (const auto& line : describe_plan(scenario_, cells_, options_.plan)) progress_.note(line);
  progress_.set_total(summary_.planned - summary_.skipped);

  util::Status status;
  RoundState round;
  std::optional<size_t> last_round;               // the round of the last sample built
  std::optional<std::pair<size_t, int>> pass;     // (series, repetition) of the last measured sample
  for (size_t index = 0; index < plan_.size(); ++index) {
    const auto& planned = plan_[index];
    if (interrupted()) break;
    if (adaptive_ && !planned.warmup) {
      // A new repetition: every variant finished the previous one, so
      // decide which cells still need samples (the same logic the report
      // replays) and leave the others out from here on.
      std::pair<size_t, int> this_pass{planned.series, planned.repetition};
      if (pass != this_pass) {
        pass = this_pass;
        update_decisions(planned.series);
        progress_.set_total(finished_ + remaining_builds(index));
        progress_.set_status(decision_status());
      }
      if (!still_needed(planned)) continue;
    }
    if (!round_missing.count(planned.round)) continue;
    auto series = prepare_series(planned.series);
    if (!series) {
      status = series;
      break;
    }
    if (!writer_) {
      header_.harness_version = BUILDBENCH_VERSION;
      header_.harness_commit = harness_commit();
      header_.scenario_name = scenario_.name;
      header_.scenario_title = scenario_.title;
      header_.scenario_file = scenario_.file.string();
      header_.scenario_hash = scenario_.scenario_hash;
      header_.fixture_params = fixture::to_json(scenario_.series.front().params);
      if (scenario_.fixture.kind == scenario::FixtureSource::Kind::Path) {
        header_.fixture_params = {{"path", scenario_.fixture.path_as_written}};
      }
      header_.proxy = fixture::to_json(proxy_->network());
      header_.variants = variants_json(scenario_);
      for (const auto& kind : scenario_.build_kinds) header_.build_kinds.push_back(kind.label());
      header_.baseline_variant = scenario_.baseline_variant().name;
      header_.seed = scenario::plan_seed(scenario_, options_.plan);
      header_.shard = options_.shard ? std::to_string(options_.shard->index) + "/" + std::to_string(options_.shard->count)
                                     : "1/1";
      header_.plan_size = plan_.size();
      header_.started_at = utc_now();
      header_.claims = scenario::claims_to_json(scenario_.claims);
      header_.adaptive = adaptive_json();
      header_.cells = cells_json();
      for (const auto& note : preflight_.notes) header_.adjustments.push_back(note.message);
      auto writer = ResultsWriter::create(summary_.results, header_);
      if (!writer) {
        status = writer.error();
        break;
      }
      writer_.emplace(std::move(writer).value());
    }
    const bool starts_round = last_round != planned.round;
    last_round = planned.round;
    auto sampled = run_sample(planned, round, !done_.count(planned.plan_index), starts_round);
    if (!sampled) {
      if (interrupted()) break;
      status = sampled;
      break;
    }
  }
  progress_.close();
  for (const auto& warning : slow_first_samples(walls_)) progress_.note("warning: " + warning);
  summary_.interrupted = interrupted();
  remove_images();
  if (adaptive_ && !decisions_.empty()) {
    update_decisions(current_series_.value_or(0));
    progress_.note("adaptive: " + decision_status());
  }
  if (writer_) {
    ResultsFooter footer;
    footer.harness_time = harness_time_json(HarnessClock::seconds_since(run_start));
    footer.finished_at = utc_now();
    footer.interrupted = summary_.interrupted || !status.ok();
    footer.samples_written = summary_.recorded;
    footer.failed_builds = summary_.failed_builds;
    (void)writer_->finish(footer);
  }
  cleanup();
  if (!status.ok() && !summary_.interrupted) return status.error();
  return summary_;
}

}  // namespace

uint16_t module_proxy_port() {
  const char* value = std::getenv("BUILDBENCH_PROXY_PORT");
  if (value != nullptr) {
    long port = std::strtol(value, nullptr, 10);
    if (port > 0 && port < 65536) return static_cast<uint16_t>(port);
  }
  return fixture::kDefaultModuleProxyPort;
}

std::string module_proxy_url() { return "http://127.0.0.1:" + std::to_string(module_proxy_port()); }

scenario::PreflightEnvironment preflight_environment(const std::vector<std::string>& engines) {
  struct Daemons {
    bool tried = false;
    std::vector<std::unique_ptr<docker::EngineClient>> clients;  // the ones that answer
  };
  auto daemons = std::make_shared<Daemons>();
  scenario::PreflightEnvironment environment;
  environment.module_proxy_url = module_proxy_url();
  environment.engine_unusable = [](const std::string& name) -> std::optional<std::string> {
    auto spec = engine::installed_engine(name);
    if (!spec) return spec.error().message;
    return std::nullopt;
  };
  environment.image_present = [daemons, engines](const std::string& reference) -> std::optional<bool> {
    if (!daemons->tried) {
      daemons->tried = true;
      std::vector<docker::Endpoint> endpoints;
      if (engines.empty()) {
        if (auto endpoint = docker::Endpoint::from_environment()) endpoints.push_back(*endpoint);
      }
      for (const auto& name : engines) {
        if (auto spec = engine::installed_engine(name)) endpoints.push_back(docker::Endpoint::unix_socket(engine::daemon_paths(**spec).socket));
      }
      for (const auto& endpoint : endpoints) {
        auto client = std::make_unique<docker::EngineClient>(endpoint);
        if (client->ping()) daemons->clients.push_back(std::move(client));
      }
    }
    // Present only when every daemon that answers has it: each engine builds.
    if (daemons->clients.empty()) return std::nullopt;
    for (const auto& client : daemons->clients) {
      if (!client->inspect_image(reference)) return false;
    }
    return true;
  };
  return environment;
}

util::Result<std::vector<scenario::Claim>> select_claims(const std::vector<scenario::Claim>& claims,
                                                        const std::vector<std::string>& ids) {
  std::string known;
  for (const auto& claim : claims) known += (known.empty() ? "" : ", ") + claim.id;
  for (const auto& id : ids) {
    bool found = std::any_of(claims.begin(), claims.end(), [&](const scenario::Claim& c) { return c.id == id; });
    if (!found) {
      return util::error("--claims: the scenario has no claim '" + id + "' (its claims: " +
                         (known.empty() ? "none" : known) + ")");
    }
  }
  std::vector<scenario::Claim> selected;
  for (const auto& claim : claims) {
    if (std::find(ids.begin(), ids.end(), claim.id) != ids.end()) selected.push_back(claim);
  }
  return selected;
}

std::vector<std::string> run_engines(const scenario::Scenario& scenario, const RunOptions& options) {
  if (!options.engines.empty()) return options.engines;
  if (!options.engine.empty()) return {options.engine};
  if (!scenario.engines.empty()) return scenario.engines;
  if (options.daemon == DaemonMode::Managed) {
    if (auto spec = engine::default_engine()) return {(*spec)->name};
  }
  return {};
}

util::Result<RunSummary> run_scenario(const RunOptions& options) {
  auto loaded = scenario::load_scenario(options.scenario_file);
  if (!loaded.ok()) return util::error(loaded.report(options.scenario_file));
  // --engines / --engine replace the scenario's engines; engines mean
  // managed daemons (each engine's own, started when it is not running).
  loaded.scenario->engines = run_engines(*loaded.scenario, options);
  if (!options.claims.empty()) {
    auto selected = select_claims(loaded.scenario->claims, options.claims);
    if (!selected) return util::error(options.scenario_file.string() + ": " + selected.error().message);
    loaded.scenario->claims = std::move(selected).value();
  }
  RunOptions effective = options;
  if (!loaded.scenario->engines.empty()) effective.daemon = DaemonMode::Managed;
  // The same checks `buildbench validate` makes: what they refuse, run refuses.
  auto checked = scenario::preflight(*loaded.scenario, preflight_environment(loaded.scenario->engines));
  if (!checked.ok()) {
    scenario::LoadOutcome refused;
    refused.problems = checked.problems;
    return util::error(refused.report(options.scenario_file));
  }
  auto plan = scenario::make_plan(*loaded.scenario, options.plan);
  if (options.shard) {
    auto slice = scenario::select_shard(plan, options.shard->index, options.shard->count);
    if (!slice) return slice.error();
    plan = std::move(slice).value();
  }
  if (options.dry_run) {
    RunSummary summary;
    summary.planned = plan.size();
    const auto& scenario = *loaded.scenario;
    const bool adaptive = scenario::plan_is_adaptive(scenario, options.plan);
    std::printf("%s: %s%zu builds planned (seed %llu)\n", scenario.name.c_str(), adaptive ? "at most " : "", plan.size(),
                static_cast<unsigned long long>(scenario::plan_seed(scenario, options.plan)));
    auto cells = scenario::plan_cells(scenario, options.plan.all_cells);
    for (const auto& line : describe_plan(scenario, cells, options.plan)) std::printf("%s\n", line.c_str());
    for (const auto& planned : plan) {
      std::string where = (scenario.engines.size() > 1 ? "  engine " + planned.engine_name : "") +
                          (planned.series_label.empty() ? "" : "  " + planned.series_label);
      std::printf("%5zu  round %-4zu %-24s %-22s %s %d%s\n", planned.plan_index, planned.round,
                  planned.variant_name.c_str(), planned.kind_label.c_str(), planned.warmup ? "warm-up" : "rep",
                  planned.repetition + 1, where.c_str());
    }
    return summary;
  }
  Run run(effective, std::move(*loaded.scenario), std::move(plan), std::move(checked));
  return run.execute();
}

}  // namespace buildbench::runner
