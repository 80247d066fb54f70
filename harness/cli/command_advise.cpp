// `buildbench advise DOCKERFILE`: what each kind of change re-runs (the
// cache model), what it costs (--results), findings with their rewritten
// lines, and --verify, which builds the original and the rewrite and checks
// both the predictions and the saving. Output: a table, --json, --sarif FILE.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <thread>

#include "advise/cost.h"
#include "advise/findings.h"
#include "advise/sarif.h"
#include "advise/verify.h"
#include "advise/view.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "runner/results.h"
#include "stats/summary.h"

namespace buildbench::cli {
namespace {

using json = nlohmann::ordered_json;
namespace adv = buildbench::advise;

struct AdviseOptions {
  std::string dockerfile;
  std::string context;
  std::string dockerignore;
  std::string target;
  std::vector<std::string> build_args;
  std::vector<std::string> changes;
  std::string explain;
  std::string results;
  std::string variant;
  std::string engine = "28.5.2";
  int cpus = 0;
  bool json = false;
  std::string sarif;
  std::string write_fixed;
  std::vector<std::string> only;
  bool verify = false;
  std::vector<std::string> kinds;
  int reps = 3;
  std::string out = "advise-verify";
  bool allow_prune = false;
  bool reuse = false;
  std::vector<std::string> base_images;
};

std::atomic<bool> g_interrupted{false};

util::Result<adv::Change> parse_change(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  adv::Change change;
  auto need = [&](const char* what) -> util::Status {
    if (arg.empty()) return util::error("--change " + spec + ": needs " + what + " after ':'");
    return {};
  };
  if (kind == "none") change.kind = adv::ChangeKind::None;
  else if (kind == "cold") change.kind = adv::ChangeKind::Cold;
  else if (kind == "source-edit" || kind == "ignored-edit" || kind == "manifest-edit") {
    change.kind = kind == "source-edit" ? adv::ChangeKind::SourceEdit
                  : kind == "ignored-edit" ? adv::ChangeKind::IgnoredEdit : adv::ChangeKind::ManifestEdit;
    if (kind == "manifest-edit" && arg.empty()) change.paths = {"go.mod", "go.sum"};
    else if (auto ok = need("a context path"); !ok) return ok.error();
    else change.paths = {arg};
  } else if (kind == "build-arg") {
    if (auto ok = need("the argument's name"); !ok) return ok.error();
    change = {adv::ChangeKind::BuildArg, {}, arg, "", 0};
  } else if (kind == "base-image") {
    if (auto ok = need("the image as the Dockerfile names it"); !ok) return ok.error();
    change = {adv::ChangeKind::BaseImage, {}, "", arg, 0};
  } else if (kind == "dockerfile-line") {
    if (auto ok = need("a line number"); !ok) return ok.error();
    try {
      change = {adv::ChangeKind::DockerfileLine, {}, "", "", std::stoi(arg)};
    } catch (const std::exception&) {
      return util::error("--change " + spec + ": not a line number");
    }
  } else {
    return util::error("--change " + spec +
                       ": unknown kind (expected none, cold, source-edit:PATH, manifest-edit[:PATH], ignored-edit:PATH, "
                       "build-arg:NAME, base-image:IMAGE or dockerfile-line:N)");
  }
  return change;
}

std::string cell(const adv::StepPrediction& step) {
  switch (step.outcome) {
    case adv::Outcome::Cached: return "cached";
    case adv::Outcome::Rerun: return "RE-RUN";
    case adv::Outcome::ContentDependent: return "content?";
    case adv::Outcome::NotModelled: return "not modelled";
  }
  return "?";
}

std::string clip(const std::string& text, size_t width) {
  return text.size() <= width ? text : text.substr(0, width - 3) + "...";
}

json prediction_json(const adv::Prediction& p, const std::optional<adv::CostEstimate>& cost) {
  json out;
  out["change"] = p.change.describe();
  out["kind"] = std::string(adv::change_kind_name(p.change.kind));
  json stages = json::array();
  for (const auto& s : p.stages) stages.push_back({{"stage", s.label}, {"needed", s.needed}, {"why", s.why}});
  out["stages"] = stages;
  json steps = json::array();
  for (const auto& s : p.steps) {
    steps.push_back({{"step", s.trace_name()}, {"line", s.line}, {"outcome", std::string(adv::outcome_name(s.outcome))},
                     {"reason", s.reason}, {"observable", s.observable}});
  }
  out["steps"] = steps;
  out["re_run"] = p.count(adv::Outcome::Rerun);
  out["not_modelled"] = p.not_modelled;
  if (cost) {
    out["predicted_seconds"] = cost->seconds;
    out["critical_path"] = cost->path;
    out["unmeasured_steps"] = cost->unmeasured;
    out["upper_bound"] = cost->upper_bound;
  }
  return out;
}

json finding_json(const adv::Finding& f) {
  json edits = json::array();
  for (const auto& e : f.edits)
    edits.push_back({{"file", e.file.empty() ? "Dockerfile" : e.file}, {"first_line", e.first_line},
                     {"last_line", e.last_line}, {"lines", e.lines}, {"new_file", e.new_file}});
  const auto* rule = adv::rule_by_id_or_name(f.rule);
  return {{"rule", f.rule}, {"name", rule ? rule->name : ""}, {"line", f.line}, {"message", f.message},
          {"fix", f.fix_description}, {"edits", edits}};
}

void print_findings(const adv::DockerfileView& df, const std::vector<adv::Finding>& findings) {
  if (findings.empty()) {
    fmt::print("\nNo findings.\n");
    return;
  }
  fmt::print("\nFindings\n");
  for (const auto& f : findings) {
    const auto* rule = adv::rule_by_id_or_name(f.rule);
    fmt::print("\n{}:{}: {} {}: {}\n", df.path, f.line, f.rule, rule ? rule->name : "", f.message);
    fmt::print("  fix: {}\n", f.fix_description);
    for (const auto& e : f.edits) {
      if (e.new_file) {
        fmt::print("  new file {}:\n", e.file);
        for (const auto& l : e.lines) fmt::print("    + {}\n", l);
        continue;
      }
      fmt::print("  lines {}-{}:\n", e.first_line, e.last_line);
      for (int l = e.first_line; l <= e.last_line && l - 1 < static_cast<int>(df.lines.size()); ++l)
        fmt::print("    - {}\n", df.line(l));
      for (const auto& l : e.lines) fmt::print("    + {}\n", l);
    }
  }
}

void print_verify(const adv::VerifyReport& report) {
  fmt::print("\nVerification on docker {} (results: {})\n", report.engine, report.results.string());
  fmt::print("{:<22} {:>14} {:>14} {:>10} {:>10} {:>10} {:>22} {:>8}\n", "kind", "agree original", "agree suggested",
             "original", "suggested", "saved", "ratio (95% CI)", "p");
  for (const auto& k : report.kinds) {
    auto agree = [](const adv::Agreement& a) { return fmt::format("{}/{}", a.agreed, a.compared); };
    std::string original = k.original_s.empty() ? "-" : fmt::format("{:.3f} s", stats::median(k.original_s));
    std::string suggested = k.suggested_s.empty() ? "-" : fmt::format("{:.3f} s", stats::median(k.suggested_s));
    std::string ratio = k.ratio ? fmt::format("{:.3f} ({:.3f}-{:.3f})", k.ratio->ratio, k.ratio->ci_low, k.ratio->ci_high) : "-";
    std::string p = k.test ? fmt::format("{:.3f}", k.test->p_value) : "-";
    fmt::print("{:<22} {:>14} {:>14} {:>10} {:>10} {:>10} {:>22} {:>8}\n", k.kind, agree(k.original), agree(k.suggested),
               original, suggested, fmt::format("{:+.3f} s", k.saved_s), ratio, p);
  }
  fmt::print("\nprediction agreement: {}/{} steps ({:.1f}%); {} content-dependent and {} not-modelled steps not counted\n",
             report.total.agreed, report.total.compared, 100.0 * report.total.ratio(), report.total.content_dependent,
             report.total.not_modelled);
  for (const auto& d : report.total.disagreements) fmt::print("  disagrees: {}\n", d);
}

json verify_json(const adv::VerifyReport& report) {
  json kinds = json::array();
  for (const auto& k : report.kinds) {
    json item = {{"kind", k.kind},
                 {"agreement_original", {{"agreed", k.original.agreed}, {"compared", k.original.compared}}},
                 {"agreement_suggested", {{"agreed", k.suggested.agreed}, {"compared", k.suggested.compared}}},
                 {"original_s", k.original_s},
                 {"suggested_s", k.suggested_s},
                 {"saved_s", k.saved_s}};
    if (k.ratio) item["ratio"] = {{"ratio", k.ratio->ratio}, {"ci_low", k.ratio->ci_low}, {"ci_high", k.ratio->ci_high}};
    if (k.test) item["p_value"] = k.test->p_value;
    kinds.push_back(item);
  }
  return {{"engine", report.engine},
          {"results", report.results.string()},
          {"agreement", {{"agreed", report.total.agreed}, {"compared", report.total.compared},
                         {"ratio", report.total.ratio()}, {"content_dependent", report.total.content_dependent},
                         {"not_modelled", report.total.not_modelled}, {"disagreements", report.total.disagreements}}},
          {"kinds", kinds}};
}

int run_advise(const AdviseOptions& o) {
  auto df = adv::read_dockerfile(o.dockerfile);
  if (!df) {
    print_error(df.error().message);
    return kExitBadInput;
  }
  std::optional<adv::ContextScan> context;
  if (!o.context.empty()) {
    auto scan = adv::scan_context(o.context, o.dockerignore.empty() ? std::nullopt
                                                                     : std::optional<std::filesystem::path>(o.dockerignore));
    if (!scan) {
      print_error(scan.error().message);
      return kExitBadInput;
    }
    context = std::move(*scan);
  }
  adv::ContextScan empty_context;
  const adv::ContextScan& ctx = context ? *context : empty_context;

  adv::PredictOptions predict_options;
  predict_options.target = o.target;
  predict_options.engine = adv::EngineRules::for_engine(o.engine);
  for (const auto& kv : o.build_args) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) {
      print_error("--build-arg " + kv + ": expected KEY=VALUE");
      return kExitBadInput;
    }
    predict_options.build_args[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (!o.target.empty() && df->stage_named(o.target) < 0) {
    print_error(o.dockerfile + ": --target " + o.target + ": no such stage");
    return kExitBadInput;
  }
  if (context) {
    std::error_code ec;
    auto rel = std::filesystem::relative(std::filesystem::absolute(o.dockerfile), std::filesystem::absolute(o.context), ec);
    if (!ec && !rel.empty() && !rel.string().starts_with("..")) predict_options.dockerfile_in_context = rel.generic_string();
  }

  std::vector<adv::Change> changes;
  for (const auto& spec : o.changes) {
    auto change = parse_change(spec);
    if (!change) {
      print_error(change.error().message);
      return kExitBadInput;
    }
    changes.push_back(*change);
  }
  if (changes.empty()) {
    changes = adv::representative_changes(*df, ctx);
    if (!context) {  // no context to pick files from: the usual Go layout
      changes.insert(changes.begin(), {adv::ChangeKind::ManifestEdit, {"go.mod", "go.sum"}, "", "", 0});
      changes.insert(changes.begin(), {adv::ChangeKind::SourceEdit, {"cmd/main.go"}, "", "", 0});
    }
  }
  std::vector<adv::Prediction> predictions;
  for (const auto& change : changes) predictions.push_back(adv::predict(*df, ctx, change, predict_options));

  std::optional<adv::MeasuredSteps> measured;
  if (!o.results.empty()) {
    auto results = runner::read_results(o.results);
    if (!results) {
      print_error(results.error().message);
      return kExitBadInput;
    }
    auto steps = adv::measured_steps(*results, o.variant, std::filesystem::path(o.dockerfile).filename().string());
    if (!steps) {
      print_error(steps.error().message);
      return kExitBadInput;
    }
    measured = std::move(*steps);
  }
  std::vector<std::optional<adv::CostEstimate>> costs;
  for (const auto& p : predictions)
    costs.push_back(measured ? std::optional(adv::predict_cost(*df, p, *measured)) : std::nullopt);

  adv::FindingOptions finding_options;
  finding_options.cpus = o.cpus > 0 ? o.cpus : static_cast<int>(std::thread::hardware_concurrency());
  auto findings = adv::find_issues(*df, context ? &*context : nullptr, finding_options);
  if (!o.only.empty()) {
    std::vector<adv::Finding> kept;
    for (const auto& name : o.only) {
      const auto* rule = adv::rule_by_id_or_name(name);
      if (!rule) {
        print_error("--only " + name + ": no such rule (BB001..BB006 or their names)");
        return kExitBadInput;
      }
      for (const auto& f : findings)
        if (f.rule == rule->id) kept.push_back(f);
    }
    findings = kept;
  }
  const adv::Rewrite rewrite = adv::apply_fixes(*df, findings);

  if (!o.sarif.empty()) {
    adv::SarifInput input;
    input.dockerfile_uri = std::filesystem::path(o.dockerfile).lexically_normal().generic_string();
    input.dockerignore_uri = context ? (std::filesystem::path(o.context) / ".dockerignore").lexically_normal().generic_string()
                                     : ".dockerignore";
    input.tool_version = BUILDBENCH_VERSION;
    std::ofstream out(o.sarif, std::ios::binary);
    out << adv::to_sarif(*df, findings, input).dump(2) << "\n";
    if (!out) {
      print_error("cannot write " + o.sarif);
      return kExitFailure;
    }
  }
  if (!o.write_fixed.empty()) {
    std::ofstream out(o.write_fixed, std::ios::binary);
    out << rewrite.dockerfile;
    if (!out) {
      print_error("cannot write " + o.write_fixed);
      return kExitFailure;
    }
  }

  std::optional<adv::VerifyReport> verified;
  if (o.verify) {
    if (rewrite.applied.empty()) {
      print_error("--verify: no finding has a fix to verify");
      return kExitFailure;
    }
    adv::VerifyOptions v;
    v.dockerfile = o.dockerfile;
    v.suggested = rewrite.dockerfile;
    v.suggested_dockerignore = rewrite.dockerignore;
    if (!o.dockerignore.empty()) v.original_dockerignore = o.dockerignore;
    else if (context && context->has_dockerignore) v.original_dockerignore = std::filesystem::path(o.context) / ".dockerignore";
    if (context) v.context = o.context;
    std::vector<adv::ChangeKind> helps;
    for (const auto& f : findings) helps.insert(helps.end(), f.helps.begin(), f.helps.end());
    v.kinds = o.kinds.empty() ? adv::kinds_for(helps) : o.kinds;
    v.repetitions = o.reps;
    v.out_dir = o.out;
    v.allow_prune = o.allow_prune;
    v.reuse = o.reuse;
    v.base_images = {{"golang:1.24-alpine", "buildbench/go:1.24"}, {"alpine:3.21", "buildbench/runtime:busybox"}};
    for (const auto& m : o.base_images) {
      const auto eq = m.find('=');
      if (eq == std::string::npos) {
        print_error("--base-image " + m + ": expected NAME=LOCAL_IMAGE");
        return kExitBadInput;
      }
      v.base_images[m.substr(0, eq)] = m.substr(eq + 1);
    }
    v.interrupted = &g_interrupted;
    std::signal(SIGINT, [](int) { g_interrupted = true; });
    if (!o.json) fmt::print("verifying: building original and suggested ({} kinds x {} repetitions) ...\n", v.kinds.size(), v.repetitions);
    auto report = adv::verify(v);
    if (!report) {
      print_error("--verify: " + report.error().message);
      return g_interrupted ? kExitInterrupted : kExitFailure;
    }
    verified = std::move(*report);
  }

  if (!o.explain.empty()) {
    bool any = false;
    for (const auto& p : predictions) {
      const auto* step = p.find(o.explain);
      if (!step) continue;
      if (!any && !o.json) fmt::print("{}\n", step->trace_name());
      any = true;
      if (!o.json)
        fmt::print("  {:<34} {:<13} {}\n", p.change.describe(), std::string(adv::outcome_name(step->outcome)),
                   step->reason.empty() ? "no input of the step changed" : step->reason);
    }
    if (!any) {
      print_error("--explain " + o.explain + ": no step of " + o.dockerfile +
                  " matches (use a step number like \"2/4\" or \"build 3/6\", a line number like L7, or the step's text)");
      return kExitBadInput;
    }
    if (!o.json) return kExitOk;
  }

  if (o.json) {
    json out;
    out["dockerfile"] = o.dockerfile;
    out["engine_rules"] = predict_options.engine.name;
    if (context)
      out["context"] = {{"path", o.context}, {"files", context->files.size()}, {"bytes", context->total_bytes},
                        {"sent_bytes", context->sent_bytes}, {"dockerignore", context->has_dockerignore}};
    json preds = json::array();
    for (size_t i = 0; i < predictions.size(); ++i) preds.push_back(prediction_json(predictions[i], costs[i]));
    out["predictions"] = preds;
    if (measured) out["measured"] = {{"variant", measured->variant}, {"samples", measured->samples}, {"noop_wall_s", measured->noop_wall_s}};
    json fs = json::array();
    for (const auto& f : findings) fs.push_back(finding_json(f));
    out["findings"] = fs;
    out["rewrite"] = {{"applied", rewrite.applied}, {"skipped", rewrite.skipped}, {"dockerfile", rewrite.dockerfile}};
    if (rewrite.dockerignore) out["rewrite"]["dockerignore"] = *rewrite.dockerignore;
    if (verified) out["verify"] = verify_json(*verified);
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }

  // The table: one row per step, one column per change.
  fmt::print("{}: {} stage{}, engine rules: {}\n", o.dockerfile, df->stages.size(), df->stages.size() == 1 ? "" : "s",
             predict_options.engine.name);
  if (context)
    fmt::print("context {}: {} files, {:.1f} MB ({:.1f} MB sent){}\n", o.context, context->files.size(),
               static_cast<double>(context->total_bytes) / 1e6, static_cast<double>(context->sent_bytes) / 1e6,
               context->has_dockerignore ? "" : ", no .dockerignore");
  if (!predictions.empty()) {
    for (const auto& s : predictions[0].stages)
      if (!s.needed) fmt::print("stage {} is not built: {}\n", s.label, s.why);
    fmt::print("\nWhat each change re-runs:\n");
    for (size_t i = 0; i < predictions.size(); ++i) fmt::print("  ({}) {}\n", static_cast<char>('a' + i), predictions[i].change.describe());
    fmt::print("\n{:<52}", "step");
    for (size_t i = 0; i < predictions.size(); ++i) fmt::print(" {:>12}", fmt::format("({})", static_cast<char>('a' + i)));
    fmt::print("\n");
    for (size_t row = 0; row < predictions[0].steps.size(); ++row) {
      const auto& step = predictions[0].steps[row];
      fmt::print("{:<52}", clip(step.trace_name(), 52));
      for (const auto& p : predictions) fmt::print(" {:>12}", row < p.steps.size() ? cell(p.steps[row]) : "?");
      fmt::print("\n");
    }
    if (measured) {
      fmt::print("{:<52}", fmt::format("predicted rebuild (from {}, {} samples)", measured->variant, measured->samples));
      for (const auto& c : costs) fmt::print(" {:>12}", fmt::format("{:.2f} s{}", c->seconds, c->upper_bound ? "*" : ""));
      fmt::print("\n");
      bool any_upper = false;
      for (const auto& c : costs) any_upper = any_upper || c->upper_bound;
      if (any_upper) fmt::print("  * an upper bound: content-dependent steps counted as re-run\n");
    }
    for (const auto& nm : predictions[0].not_modelled) fmt::print("not modelled: {}\n", nm);
    fmt::print("(`--explain STEP` says which input decides a step; \"content?\": cached only if the bytes it copies from a re-run stage are identical)\n");
  }
  print_findings(*df, findings);
  if (!rewrite.skipped.empty())
    for (const auto& s : rewrite.skipped) fmt::print("  not applied together: {}\n", s);
  if (verified) print_verify(*verified);
  return kExitOk;
}

}  // namespace

void register_advise_command(CLI::App& app) {
  auto o = std::make_shared<AdviseOptions>();
  auto* cmd = app.add_subcommand("advise", "Predict what each change re-runs, find slow patterns, propose and verify fixes");
  cmd->add_option("dockerfile", o->dockerfile, "The Dockerfile")->required();
  cmd->add_option("-C,--context", o->context, "Build context directory (file selections, .dockerignore, sizes)");
  cmd->add_option("--dockerignore", o->dockerignore, ".dockerignore to use (default: CONTEXT/.dockerignore)");
  cmd->add_option("--target", o->target, "Target stage");
  cmd->add_option("--build-arg", o->build_args, "Build argument KEY=VALUE the builds use (repeatable)");
  cmd->add_option("--change", o->changes,
                  "A change to predict (repeatable): none, cold, source-edit:PATH, manifest-edit[:PATH], "
                  "ignored-edit:PATH, build-arg:NAME, base-image:IMAGE, dockerfile-line:N (default: one of each kind that applies)");
  cmd->add_option("--explain", o->explain, "Say which input decides STEP (\"2/4\", \"build 3/6\", L7 or its text) for each change");
  cmd->add_option("--results", o->results, "Earlier buildbench results (results.jsonl): predicted rebuild times");
  cmd->add_option("--variant", o->variant, "The variant in --results that builds this Dockerfile (default: by file name)");
  cmd->add_option("--engine", o->engine, "Engine version whose cache rules to apply")->capture_default_str();
  cmd->add_option("--cpus", o->cpus, "CPUs of the building machine (default: this machine's)");
  cmd->add_flag("--json", o->json, "Print everything as JSON");
  cmd->add_option("--sarif", o->sarif, "Write the findings as SARIF 2.1.0 to FILE");
  cmd->add_option("--write-fixed", o->write_fixed, "Write the rewritten Dockerfile to FILE");
  cmd->add_option("--only", o->only, "Only these rules (BB001..BB006 or names; repeatable)");
  cmd->add_flag("--verify", o->verify, "Build the original and the rewrite (DOCKER_HOST) and check predictions and savings");
  cmd->add_option("--kinds", o->kinds, "Build kinds for --verify (default: cold, warm and those the fixes are about)");
  cmd->add_option("--reps", o->reps, "Repetitions per kind and variant for --verify")->capture_default_str();
  cmd->add_option("--out", o->out, "Directory for --verify's scenario and results")->capture_default_str();
  cmd->add_option("--base-image", o->base_images, "NAME=LOCAL_IMAGE base-image mapping for --verify (repeatable)");
  cmd->add_flag("--reuse", o->reuse, "--verify: judge the builds an earlier --verify left in --out instead of building again");
  cmd->add_flag("--allow-prune", o->allow_prune, "--verify may prune the daemon's build cache for cold builds");
  cmd->callback([o] { finish(run_advise(*o)); });
}

}  // namespace buildbench::cli
