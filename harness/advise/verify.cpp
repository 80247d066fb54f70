#include "advise/verify.h"

#include <fstream>
#include <set>
#include <sstream>

#include "advise/view.h"
#include "runner/run_scenario.h"
#include "stats/summary.h"

namespace buildbench::advise {
namespace {

using json = nlohmann::ordered_json;

util::Status write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return util::error("cannot write " + path.string());
  return {};
}

util::Result<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::error("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A small generated Go service (the CI scenario's fixture): cold builds take seconds.
json small_go_fixture() {
  return json{{"packages", 6},     {"files_per_package", 2}, {"functions_per_file", 4}, {"import_fan_out", 1},
              {"import_depth", 2}, {"binaries", json::array({json{{"name", "server"}, {"package_share", 1.0}}})},
              {"test_files_per_package", 1}, {"docs", 2}, {"assets_bytes", 16384}, {"junk_bytes", 65536},
              {"dep_modules", 2}, {"dep_files", 2}, {"dep_bytes", 4096}, {"dep_depth", 1}};
}

std::vector<ObservedStep> observed_of(const docker::BuildRecord& record) {
  std::vector<ObservedStep> out;
  for (const auto& step : record.steps) {
    if (step.index <= 0) continue;
    out.push_back({step.stage, step.index, step.cached, step.name});
  }
  return out;
}

}  // namespace

std::vector<std::string> kinds_for(const std::vector<ChangeKind>& helps) {
  std::vector<std::string> kinds = {"cold", "warm"};
  std::set<std::string> seen(kinds.begin(), kinds.end());
  auto add = [&](const std::string& kind) {
    if (seen.insert(kind).second) kinds.push_back(kind);
  };
  for (ChangeKind kind : helps) {
    switch (kind) {
      case ChangeKind::SourceEdit: add("code-change"); break;
      case ChangeKind::ManifestEdit: add("dependency-add"); break;
      case ChangeKind::IgnoredEdit: add("ignored-file-change"); break;
      case ChangeKind::BuildArg: add("cachebust"); break;
      default: break;
    }
  }
  return kinds;
}

Change change_for_kind(const std::string& kind, const std::string& leaf_file, const std::string& ignored_file) {
  Change change;
  if (kind == "cold") change.kind = ChangeKind::Cold;
  else if (kind == "code-change" || kind.starts_with("code-change:")) change = {ChangeKind::SourceEdit, {leaf_file}, "", "", 0};
  else if (kind == "dependency-add" || kind == "dependency-bump") change = {ChangeKind::ManifestEdit, {"go.mod", "go.sum"}, "", "", 0};
  else if (kind == "ignored-file-change") change = {ChangeKind::IgnoredEdit, {ignored_file}, "", "", 0};
  else if (kind == "cachebust") change = {ChangeKind::BuildArg, {}, "CACHEBUST", "", 0};
  else if (kind.starts_with("cachebust:")) change = {ChangeKind::BuildArg, {}, kind.substr(10), "", 0};
  else change.kind = ChangeKind::None;  // warm, touch
  return change;
}

util::Result<VerifyReport> judge(const runner::ResultsFile& results, const std::string& original_text,
                                 const std::string& suggested_text, const std::optional<std::string>& original_ignore,
                                 const std::optional<std::string>& suggested_ignore, const std::string& leaf_file,
                                 const std::string& ignored_file) {
  auto original = read_dockerfile_text(original_text, "original");
  if (!original) return original.error();
  auto suggested = read_dockerfile_text(suggested_text, "suggested");
  if (!suggested) return suggested.error();
  auto original_ctx = context_from_list({}, original_ignore.value_or(""));
  if (!original_ctx) return original_ctx.error();
  auto suggested_ctx = context_from_list({}, suggested_ignore.value_or(""));
  if (!suggested_ctx) return suggested_ctx.error();
  PredictOptions options;
  options.engine = EngineRules::for_engine(results.header.environment.value("engine_version", ""));

  VerifyReport report;
  report.results = results.path;
  report.engine = results.header.environment.value("engine_version", "");
  for (const auto& kind : results.header.build_kinds) {
    KindResult kr;
    kr.kind = kind;
    Change change = change_for_kind(kind, leaf_file, ignored_file);
    for (const auto& sample : results.samples) {
      if (sample.kind != kind || sample.warmup || !sample.record.ok) continue;
      // A "scoped" cold build is a --no-cache build.
      change.no_cache = change.kind == ChangeKind::Cold && sample.cold_method != "prune";
      const Prediction predicted_original = predict(*original, *original_ctx, change, options);
      const Prediction predicted_suggested = predict(*suggested, *suggested_ctx, change, options);
      // The first warm build after a cold one can find nothing to do but is
      // still a warm build: the prediction is the same.
      if (sample.variant == "original") {
        kr.original.add(compare(predicted_original, observed_of(sample.record)));
        kr.original_s.push_back(sample.record.wall_s);
      } else if (sample.variant == "suggested") {
        kr.suggested.add(compare(predicted_suggested, observed_of(sample.record)));
        kr.suggested_s.push_back(sample.record.wall_s);
      }
    }
    if (!kr.original_s.empty() && !kr.suggested_s.empty()) {
      kr.saved_s = stats::median(kr.original_s) - stats::median(kr.suggested_s);
      if (auto ratio = stats::ratio_of_medians(kr.original_s, kr.suggested_s)) kr.ratio = *ratio;
      if (auto test = stats::mann_whitney_u(kr.original_s, kr.suggested_s)) kr.test = *test;
    }
    report.total.add(kr.original);
    report.total.add(kr.suggested);
    report.kinds.push_back(std::move(kr));
  }
  return report;
}

util::Result<VerifyReport> verify(const VerifyOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) return util::error("cannot create " + options.out_dir.string() + ": " + ec.message());
  const auto dir = std::filesystem::absolute(options.out_dir);
  auto original_read = read_text(options.dockerfile);
  if (!original_read) return original_read.error();
  const std::string& original_text = *original_read;
  // Both variants are copies in the work directory: the scenario names them
  // by relative path and the results record them.
  if (auto ok = write_text(dir / "original.Dockerfile", original_text); !ok) return ok.error();
  if (auto ok = write_text(dir / "suggested.Dockerfile", options.suggested); !ok) return ok.error();
  std::optional<std::string> original_ignore, suggested_ignore;
  if (options.original_dockerignore) {
    auto ignore_read = read_text(*options.original_dockerignore);
    if (!ignore_read) return ignore_read.error();
    original_ignore = *ignore_read;
    if (auto ok = write_text(dir / "original.dockerignore", *original_ignore); !ok) return ok.error();
  }
  suggested_ignore = options.suggested_dockerignore ? options.suggested_dockerignore : original_ignore;
  if (suggested_ignore)
    if (auto ok = write_text(dir / "suggested.dockerignore", *suggested_ignore); !ok) return ok.error();

  json scenario;
  scenario["schema"] = 1;
  scenario["name"] = "advise-verify";
  scenario["title"] = "advise --verify: " + options.dockerfile.filename().string() + " and its suggested rewrite";
  if (options.context) scenario["fixture"] = {{"path", std::filesystem::absolute(*options.context).string()}};
  else scenario["fixture"] = {{"generate", small_go_fixture()}};
  json base_images = json::object();
  for (const auto& [name, image] : options.base_images) base_images[name] = image;
  scenario["base_images"] = base_images;
  json original = {{"name", "original"}, {"dockerfile", "original.Dockerfile"}, {"baseline", true}};
  json suggested = {{"name", "suggested"}, {"dockerfile", "suggested.Dockerfile"}};
  if (original_ignore) original["dockerignore"] = "original.dockerignore";
  if (suggested_ignore) suggested["dockerignore"] = "suggested.dockerignore";
  scenario["variants"] = json::array({original, suggested});
  scenario["build_kinds"] = options.kinds;
  scenario["repetitions"] = options.repetitions;
  scenario["warmups"] = 0;
  scenario["order"] = "interleaved";
  scenario["randomize"] = true;
  scenario["seed"] = 16;
  const auto scenario_file = dir / "scenario.json";
  if (auto ok = write_text(scenario_file, scenario.dump(2) + "\n"); !ok) return ok.error();

  runner::RunOptions run;
  run.scenario_file = scenario_file;
  run.out_dir = dir / "run";
  run.daemon = runner::DaemonMode::Env;
  run.allow_prune = options.allow_prune;
  run.quiet = options.quiet;
  run.interrupted = options.interrupted;
  std::filesystem::path results_file = run.out_dir / "results.jsonl";
  if (options.reuse) {
    if (!std::filesystem::exists(results_file))
      return util::error("--reuse: " + results_file.string() + " does not exist (run --verify without --reuse first)");
  } else {
    std::filesystem::remove_all(run.out_dir, ec);
    auto summary = runner::run_scenario(run);
    if (!summary) return summary.error();
    results_file = summary->results;
  }
  auto results = runner::read_results(results_file);
  if (!results) return results.error();
  // The generated fixture's roles name the files the mutations edit.
  std::string leaf_file = "internal/leaf/leaf.go", ignored_file = "docs/guide-00.md";
  if (results->header.fixture_params.is_object() && !options.context) {
    // Paths only need to fall under the right COPY sources: any .go file
    // under the module works for the Dockerfiles advise rewrites.
    leaf_file = "internal/pkg000/file00.go";
  }
  return judge(*results, original_text, options.suggested, original_ignore, suggested_ignore, leaf_file, ignored_file);
}

}  // namespace buildbench::advise
