#include "report/claims.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "report/format.h"
#include "report/model.h"

namespace buildbench::report {
namespace {

using scenario::CheckType;

// "median wall time", "context size": what a metric is, in words.
std::string metric_words(Metric metric) {
  switch (metric) {
    case Metric::Wall: return "median wall time";
    case Metric::DaemonSpan: return "median daemon span";
    case Metric::ContextUpload: return "median context upload time";
    case Metric::ContextTransfer: return "median time to send the context";
    case Metric::ContextBytes: return "context size";
    case Metric::CachedSteps: return "cached steps";
    case Metric::ProxyBytes: return "bytes downloaded from the module proxy";
    case Metric::ProxyRequests: return "module proxy requests";
    case Metric::ImageSize: return "image size";
    case Metric::DependencyDownload: return "median time in dependency-download steps";
  }
  return "metric";
}

bool is_bytes(Metric metric) {
  return metric == Metric::ContextBytes || metric == Metric::ProxyBytes || metric == Metric::ImageSize;
}

std::string format_value(Metric metric, double value) {
  if (is_bytes(metric)) return format_bytes(value);
  if (metric_is_exact(metric)) return fmt::format("{:.0f}", value);
  return format_seconds(value);
}

std::string median_with_ci(Metric metric, const stats::Summary& summary) {
  if (metric_is_exact(metric) && summary.min == summary.max) return format_value(metric, summary.median);
  std::string text = fmt::format("{} ({} – {})", format_value(metric, summary.median),
                                 format_value(metric, summary.median_ci.low), format_value(metric, summary.median_ci.high));
  if (summary.median_ci.below_nominal) text += fmt::format(" [{:.0f}% CI]", summary.median_ci.coverage * 100);
  return text;
}

std::vector<double> metric_values(const Cell& cell, Metric metric) {
  std::vector<double> values;
  for (const auto& sample : cell.samples) {
    if (auto value = metric_value(sample, metric)) values.push_back(*value);
  }
  return values;
}

// The series a claim is judged on.
std::string judged_series(const ReportModel& model, const ClaimOptions& options) {
  if (options.series) return *options.series;
  return model.series.empty() ? "" : model.series.front();
}

// The cell of a check's variant, or why there is none.
const Cell* usable_cell(const ReportModel& model, const std::string& series, const std::string& variant,
                        const std::string& kind, std::string& why_not) {
  const Cell* cell = model.find(series, variant, kind);
  if (cell == nullptr) {
    why_not = fmt::format("the results have no `{}` builds of {}", kind, variant);
  } else if (cell->ok_count == 0) {
    why_not = fmt::format("no `{}` build of {} succeeded", kind, variant);
    cell = nullptr;
  }
  return cell;
}

// The cells of a comparison's two sides; nothing, with the reason in
// `result`, when either side has no successful build.
std::optional<std::pair<const Cell*, const Cell*>> compared_cells(const ReportModel& model, const std::string& series,
                                                                  CheckResult& result, Metric metric) {
  const auto& check = result.check;
  result.measurement = fmt::format("`{}` builds, {} vs {}: {}", check.kind, check.variant, check.than, metric_words(metric));
  std::string why_not;
  const Cell* cell = usable_cell(model, series, check.variant, check.kind, why_not);
  const Cell* other = cell != nullptr ? usable_cell(model, series, check.than, check.kind, why_not) : nullptr;
  if (cell == nullptr || other == nullptr) {
    result.numbers = "-";
    result.explanation = why_not + ".";
    return std::nullopt;
  }
  return std::pair{cell, other};
}

void check_faster(const ReportModel& model, CheckResult& result, Metric metric, const ClaimOptions& options) {
  const auto& check = result.check;
  const auto cells = compared_cells(model, judged_series(model, options), result, metric);
  if (!cells) return;
  const auto [cell, other] = *cells;
  auto values = metric_values(*cell, metric);
  auto baseline = metric_values(*other, metric);
  result.n_variant = values.size();
  result.n_than = baseline.size();
  if (values.empty() || baseline.empty()) {
    result.numbers = "-";
    result.explanation = fmt::format("the samples of {} have no {}.", values.empty() ? check.variant : check.than,
                                     metric_words(metric));
    return;
  }
  stats::CompareOptions compare_options;
  compare_options.alpha = options.alpha;
  compare_options.bootstrap = options.bootstrap;
  util::Result<stats::Comparison> comparison = util::error("no comparison");
  stats::FasterJudgement judgement;
  double alpha = options.alpha;
  size_t n_variant = values.size();
  size_t n_than = baseline.size();
  if (options.sequential) {
    // Look by look, as the adaptive runner did: the verdict is the one of
    // the first look that decided, on the samples it had then.
    const auto& design = *options.sequential;
    auto outcome = stats::sequential_faster(baseline, values, check.holds_at_most, design, options.bootstrap);
    if (!outcome) {
      comparison = outcome.error();
    } else {
      result.looked_at = outcome->n;
      alpha = design.level_at(outcome->n);
      result.exhausted = outcome->exhausted;
      if (outcome->decided) result.decided_at = outcome->n;
      if (outcome->comparison) {
        comparison = *outcome->comparison;
        judgement = outcome->judgement;
        n_variant = n_than = outcome->n;
        values.resize(n_variant);
        baseline.resize(n_than);
      } else {
        comparison = util::error(fmt::format("fewer than {} samples a side (the scenario's min)", design.min_n));
      }
    }
  } else {
    comparison = stats::compare_samples(baseline, values, compare_options);
    if (comparison) judgement = stats::judge_faster(*comparison, values.size(), baseline.size(), check.holds_at_most, alpha);
  }
  if (!comparison) {
    result.numbers = "-";
    result.explanation = comparison.error().message + ".";
    return;
  }
  result.n_variant = n_variant;
  result.n_than = n_than;
  if (options.sequential) {
    result.variant_summary = stats::summarize(values).value();  // the samples of the deciding look
    result.than_summary = stats::summarize(baseline).value();
  } else {
    result.variant_summary = cell->summary(metric);
    result.than_summary = other->summary(metric);
  }
  result.comparison = *comparison;
  const double ratio = comparison->ratio.ratio;
  const double p = comparison->test.p_value;
  result.smallest_p = judgement.smallest_p;
  result.numbers = fmt::format("{} {} vs {} {}; ratio {} ({} – {}), p {}, {}", check.variant,
                               median_with_ci(metric, *result.variant_summary), check.than,
                               median_with_ci(metric, *result.than_summary), format_ratio(ratio),
                               format_ratio(comparison->ratio.ci_low), format_ratio(comparison->ratio.ci_high),
                               format_p_value(p), sample_counts(n_variant, n_than));
  std::string direction =
      ratio < 1 ? fmt::format("the medians say {} takes {} of the time of {}", check.variant, format_ratio(ratio), check.than)
      : ratio > 1 ? fmt::format("the medians say {} takes {} times as long as {}", check.variant, format_ratio(ratio), check.than)
                  : fmt::format("the medians of {} and {} are equal", check.variant, check.than);
  if (options.sequential && !result.decided_at) {
    // Never a verdict the data has not earned: not significant at the look
    // level, or a ratio whose interval still straddles the claimed one.
    result.verdict = ClaimVerdict::CannotTell;
    result.explanation = fmt::format("undecided at n={}{}: p {} (a look decides below {}), ratio {} ({} – {}); {}.",
                                     result.looked_at, result.exhausted ? ", the scenario's max" : " so far",
                                     format_p_value(p), format_p_value(alpha), format_ratio(ratio),
                                     format_ratio(comparison->ratio.ci_low), format_ratio(comparison->ratio.ci_high),
                                     direction);
    return;
  }
  result.verdict = judgement.verdict;
  switch (judgement.reason) {
    case stats::FasterReason::TooFewSamples:
      result.explanation = fmt::format("{} gives no p below {}, so no difference can be significant; {}.",
                                       sample_counts(n_variant, n_than), format_p_value(judgement.smallest_p), direction);
      break;
    case stats::FasterReason::NotSignificant:
      result.explanation = fmt::format("the difference is not significant (p {}), so the measurements do not "
                                       "show {} faster than {}; {}.",
                                       format_p_value(p), check.variant, check.than, direction);
      break;
    case stats::FasterReason::Slower:
      result.explanation = fmt::format("{} is slower, not faster: it takes {} times as long as {} (p {}).",
                                       check.variant, format_ratio(ratio), check.than, format_p_value(p));
      break;
    case stats::FasterReason::SmallerThanClaimed:
      result.explanation = fmt::format("{} is faster (it takes {} of the time of {}, p {}), but not by as much "
                                       "as claimed, which needs a ratio of {} or less.",
                                       check.variant, format_ratio(ratio), check.than, format_p_value(p),
                                       format_ratio(*check.holds_at_most));
      break;
    case stats::FasterReason::Faster:
      result.explanation = fmt::format("{} takes {} of the time of {} (p {}){}.", check.variant, format_ratio(ratio),
                                       check.than, format_p_value(p),
                                       check.holds_at_most ? fmt::format(", within the claimed ratio of {} or less",
                                                                         format_ratio(*check.holds_at_most))
                                                           : "");
      break;
  }
}

std::vector<int64_t> exact_values(const Cell& cell, Metric metric) {
  std::vector<int64_t> values;
  for (double value : metric_values(cell, metric)) values.push_back(static_cast<int64_t>(std::llround(value)));
  return values;
}

void check_less(const ReportModel& model, const std::string& series, CheckResult& result, Metric metric) {
  const auto& check = result.check;
  const auto cells = compared_cells(model, series, result, metric);
  if (!cells) return;
  const auto [cell, other] = *cells;
  auto values = exact_values(*cell, metric);
  auto baseline = exact_values(*other, metric);
  result.n_variant = values.size();
  result.n_than = baseline.size();
  auto exact = stats::compare_exact(baseline, values);
  if (!exact) {
    result.numbers = "-";
    result.explanation = fmt::format("the samples of {} have no {}.", values.empty() ? check.variant : check.than,
                                     metric_words(metric));
    return;
  }
  result.exact = *exact;
  result.variant_summary = cell->summary(metric);
  result.than_summary = other->summary(metric);
  std::string varies;
  if (exact->baseline_varies || exact->candidate_varies) {
    varies = fmt::format(" (the value varied between samples of {}; the most frequent one is compared)",
                         exact->candidate_varies ? check.variant : check.than);
  }
  result.numbers = fmt::format("{} {} vs {} {}, {}", check.variant, format_value(metric, static_cast<double>(exact->candidate)),
                               check.than, format_value(metric, static_cast<double>(exact->baseline)),
                               sample_counts(values.size(), baseline.size()));
  std::string what = metric_words(metric);
  if (exact->candidate < exact->baseline) {
    result.verdict = ClaimVerdict::Holds;
    double share = exact->baseline > 0 ? static_cast<double>(exact->candidate) / static_cast<double>(exact->baseline) : 0;
    result.explanation = fmt::format("the {} of {} is {}, {} of the {} of {}{}.", what, check.variant,
                                     format_value(metric, static_cast<double>(exact->candidate)), format_ratio(share),
                                     format_value(metric, static_cast<double>(exact->baseline)), check.than, varies);
  } else if (exact->candidate == exact->baseline) {
    result.verdict = ClaimVerdict::DoesNotHold;
    result.explanation = fmt::format("{} and {} have the same {} ({}){}.", check.variant, check.than, what,
                                     format_value(metric, static_cast<double>(exact->candidate)), varies);
  } else {
    result.verdict = ClaimVerdict::DoesNotHold;
    result.explanation = fmt::format("the {} of {} is {}, more than the {} of {}{}.", what, check.variant,
                                     format_value(metric, static_cast<double>(exact->candidate)),
                                     format_value(metric, static_cast<double>(exact->baseline)), check.than, varies);
  }
}

void check_at_most(const ReportModel& model, const std::string& series, CheckResult& result, Metric metric) {
  const auto& check = result.check;
  result.measurement = fmt::format("`{}` builds of {}: {}, at most {}", check.kind, check.variant, metric_words(metric),
                                   format_value(metric, check.value));
  std::string why_not;
  const Cell* cell = usable_cell(model, series, check.variant, check.kind, why_not);
  if (cell == nullptr) {
    result.numbers = "-";
    result.explanation = why_not + ".";
    return;
  }
  result.variant_summary = cell->summary(metric);
  if (!result.variant_summary) {
    result.numbers = "-";
    result.explanation = fmt::format("the samples of {} have no {}.", check.variant, metric_words(metric));
    return;
  }
  const auto& summary = *result.variant_summary;
  result.n_variant = summary.count;
  result.numbers = fmt::format("{} {}, n={}", check.variant, median_with_ci(metric, summary), summary.count);
  // Exact metrics hardly vary; the largest value decides, so that no sample exceeds the limit.
  if (summary.max <= check.value) {
    result.verdict = ClaimVerdict::Holds;
    result.explanation = fmt::format("the {} of {} is {}, within {}.", metric_words(metric), check.variant,
                                     format_value(metric, summary.median), format_value(metric, check.value));
  } else if (summary.min <= check.value) {
    result.verdict = ClaimVerdict::HoldsPartly;
    result.explanation = fmt::format("the {} of {} is within {} in some samples but reaches {} in others.",
                                     metric_words(metric), check.variant, format_value(metric, check.value),
                                     format_value(metric, summary.max));
  } else {
    result.verdict = ClaimVerdict::DoesNotHold;
    result.explanation = fmt::format("the {} of {} is {}, more than {}.", metric_words(metric), check.variant,
                                     format_value(metric, summary.median), format_value(metric, check.value));
  }
}

// "[4/5] RUN go build" -> "RUN go build"; "[build 2/6] COPY . ." -> "COPY . .".
std::string instruction_of(const std::string& name) {
  if (!name.empty() && name.front() == '[') {
    auto end = name.find("] ");
    if (end != std::string::npos) return name.substr(end + 2);
  }
  return name;
}

// Steps a Dockerfile line makes: not the "[internal] ..." vertices, not
// "exporting to image", and not FROM, which resolves the base image and is
// never reported as a cache hit.
bool counts_as_step(const docker::BuildStep& step) {
  if (step.name.rfind("[internal]", 0) == 0 || step.stage == "internal" || step.index <= 0) return false;
  std::string instruction = instruction_of(step.name);
  std::string head = instruction.substr(0, 5);
  std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return head != "FROM ";
}

std::string trim(const std::string& text) {
  auto begin = text.find_first_not_of(" \t");
  auto end = text.find_last_not_of(" \t");
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

std::string join_steps(const std::vector<const StepOutcome*>& steps, size_t samples, bool count_cached) {
  std::string out;
  for (const auto* step : steps) {
    out += out.empty() ? "" : ", ";
    out += "`" + step->instruction + "`";
    size_t count = count_cached ? step->cached : step->samples - step->cached;
    if (count != samples) out += fmt::format(" (in {} of {} samples)", count, samples);
  }
  return out;
}

void check_cached_until(const ReportModel& model, const std::string& series, CheckResult& result) {
  const auto& check = result.check;
  const std::string anchor_text = trim(check.last_cached_step);
  result.measurement = fmt::format("`{}` builds of {}: which steps were cache hits (expected: up to `{}`)", check.kind,
                                   check.variant, anchor_text);
  std::string why_not;
  const Cell* cell = usable_cell(model, series, check.variant, check.kind, why_not);
  if (cell == nullptr) {
    result.numbers = "-";
    result.explanation = why_not + ".";
    return;
  }
  size_t samples = 0;
  size_t without_anchor = 0;
  for (const auto& sample : cell->samples) {
    if (!sample.record.ok) continue;
    ++samples;
    const auto& steps = sample.record.steps;
    const docker::BuildStep* anchor = nullptr;
    for (const auto& step : steps) {
      if (counts_as_step(step) && instruction_of(step.name).rfind(anchor_text, 0) == 0) {
        anchor = &step;
        break;
      }
    }
    if (anchor == nullptr) {
      ++without_anchor;
      continue;
    }
    // The anchor's stage, in Dockerfile order (the trace lists steps as they start).
    std::vector<const docker::BuildStep*> stage;
    for (const auto& step : steps) {
      if (counts_as_step(step) && step.stage == anchor->stage) stage.push_back(&step);
    }
    std::stable_sort(stage.begin(), stage.end(), [](const auto* a, const auto* b) { return a->index < b->index; });
    for (const auto* step : stage) {
      std::string instruction = instruction_of(step->name);
      bool up_to_anchor = step->index <= anchor->index;
      auto found = std::find_if(result.steps.begin(), result.steps.end(), [&](const StepOutcome& outcome) {
        return outcome.instruction == instruction && outcome.up_to_anchor == up_to_anchor;
      });
      if (found == result.steps.end()) {
        result.steps.push_back({instruction, 0, 0, up_to_anchor});
        found = result.steps.end() - 1;
      }
      ++found->samples;
      if (step->cached) ++found->cached;
    }
  }
  result.n_variant = samples;
  if (without_anchor > 0) {
    result.numbers = fmt::format("no step starts with `{}` in {} of {} samples", anchor_text, without_anchor, samples);
    result.explanation = fmt::format("no step of {} starts with `{}` (check the text against the Dockerfile).",
                                     check.variant, anchor_text);
    result.steps.clear();
    return;
  }
  std::vector<const StepOutcome*> above_rerun, above_cached, after_rerun, after_cached;
  for (const auto& step : result.steps) {
    bool always_cached = step.cached == samples;
    bool never_cached = step.cached == 0 && step.samples == samples;
    if (step.up_to_anchor) {
      (always_cached ? above_cached : above_rerun).push_back(&step);
    } else {
      (never_cached ? after_rerun : after_cached).push_back(&step);
    }
  }
  // after_cached holds the steps after the anchor that were a cache hit in at least one sample.
  std::vector<const StepOutcome*> ever_cached, ever_rerun;
  for (const auto& step : result.steps) {
    if (step.cached > 0) ever_cached.push_back(&step);
    if (step.cached < step.samples) ever_rerun.push_back(&step);
  }
  result.numbers = fmt::format("cached: {}; reran: {}; n={}",
                               ever_cached.empty() ? std::string("nothing") : join_steps(ever_cached, samples, true),
                               ever_rerun.empty() ? std::string("nothing") : join_steps(ever_rerun, samples, false),
                               samples);
  if (!above_rerun.empty()) {
    result.verdict = ClaimVerdict::DoesNotHold;
    result.explanation = fmt::format("steps up to `{}` reran: {}.", anchor_text,
                                     join_steps(above_rerun, samples, false));
    return;
  }
  if (after_cached.empty()) {
    result.verdict = ClaimVerdict::Holds;
    result.explanation = after_rerun.empty()
                             ? fmt::format("every step up to `{}` stayed cached, and it is the last step.", anchor_text)
                             : fmt::format("every step up to `{}` stayed cached and every step after it reran, in "
                                           "every sample.",
                                           anchor_text);
    return;
  }
  result.verdict = ClaimVerdict::HoldsPartly;
  result.explanation =
      after_rerun.empty()
          ? fmt::format("every step up to `{}` stayed cached, but no step after it reran: {} stayed cached.",
                        anchor_text, join_steps(after_cached, samples, true))
          : fmt::format("every step up to `{}` stayed cached, but of the steps after it only {} reran; {} "
                        "stayed cached.",
                        anchor_text, join_steps(after_rerun, samples, false), join_steps(after_cached, samples, true));
}

CheckResult evaluate_check(const ReportModel& model, const scenario::ClaimCheck& check, const ClaimOptions& options) {
  CheckResult result;
  result.check = check;
  std::optional<Metric> metric;
  if (check.type != CheckType::CachedUntil) {
    metric = metric_from_id(check.metric);
    if (!metric) {
      result.measurement = fmt::format("`{}` builds of {}: {}", check.kind, check.variant, check.metric);
      result.numbers = "-";
      result.explanation = fmt::format("this buildbench does not know the metric `{}`.", check.metric);
      return result;
    }
  }
  switch (check.type) {
    case CheckType::Faster: check_faster(model, result, *metric, options); break;
    case CheckType::Less: check_less(model, judged_series(model, options), result, *metric); break;
    case CheckType::AtMost: check_at_most(model, judged_series(model, options), result, *metric); break;
    case CheckType::CachedUntil: check_cached_until(model, judged_series(model, options), result); break;
  }
  return result;
}

// What one check of several tests, in a few words: "smaller context (`cold`)".
std::string check_label(const scenario::ClaimCheck& check) {
  auto metric = metric_from_id(check.metric);
  switch (check.type) {
    case CheckType::Faster: {
      std::string what = "faster build";
      if (metric == Metric::ContextTransfer) what = "faster context transfer";
      if (metric == Metric::DaemonSpan) what = "shorter daemon span";
      if (metric == Metric::ContextUpload) what = "faster context upload";
      return fmt::format("{} (`{}`)", what, check.kind);
    }
    case CheckType::Less: {
      std::string what = "less " + check.metric;
      if (metric == Metric::ContextBytes) what = "smaller context";
      if (metric == Metric::ProxyBytes) what = "fewer bytes downloaded";
      if (metric == Metric::ProxyRequests) what = "fewer module proxy requests";
      if (metric == Metric::ImageSize) what = "smaller image";
      return fmt::format("{} (`{}`)", what, check.kind);
    }
    case CheckType::AtMost:
      return fmt::format("{} at most {} (`{}`)", metric ? metric_words(*metric) : check.metric,
                         metric ? format_value(*metric, check.value) : fmt::format("{}", check.value), check.kind);
    case CheckType::CachedUntil:
      return fmt::format("cached up to `{}` (`{}`)", trim(check.last_cached_step), check.kind);
  }
  return check.kind;
}

// "smaller context (`cold`): holds; faster context transfer (`cold`):
// cannot tell (n=3 per side ...)." Checks that do not hold say why.
std::string several_checks_sentence(const std::vector<CheckResult>& checks) {
  std::string sentence;
  for (const auto& check : checks) {
    std::string why = check.explanation;
    if (!why.empty() && why.back() == '.') why.pop_back();
    sentence += fmt::format("{}{}: {}{}", sentence.empty() ? "" : "; ", check_label(check.check), verdict_words(check.verdict),
                            check.verdict == ClaimVerdict::Holds ? "" : " (" + why + ")");
  }
  return sentence + ".";
}

}  // namespace

std::string ClaimResult::decision_words() const {
  if (!sequential) return "";
  if (decided_at) return fmt::format("decided at n={}", *decided_at);
  return fmt::format("undecided at n={}", undecided_at);
}

std::vector<std::string> claim_differences(const ReportModel& model) {
  std::vector<std::string> sentences;
  if (!model.several_engines() || model.claims_by_engine.size() != model.engines.size()) return sentences;
  const size_t count = model.claims_by_engine.front().size();
  for (size_t c = 0; c < count; ++c) {
    // Verdicts in order of first appearance, each with its engines.
    std::vector<std::pair<ClaimVerdict, std::vector<std::string>>> groups;
    for (size_t e = 0; e < model.engines.size(); ++e) {
      if (c >= model.claims_by_engine[e].size()) continue;
      const auto& result = model.claims_by_engine[e][c];
      std::string engine = engine_label(model.engines[e]);
      if (auto words = result.decision_words(); !words.empty()) engine += " (" + words + ")";
      auto found = std::find_if(groups.begin(), groups.end(), [&](const auto& group) { return group.first == result.verdict; });
      if (found == groups.end()) {
        groups.emplace_back(result.verdict, std::vector<std::string>{engine});
      } else {
        found->second.push_back(engine);
      }
    }
    if (groups.size() < 2) continue;
    std::string sentence = model.claims_by_engine.front()[c].claim.id + ": ";
    for (size_t g = 0; g < groups.size(); ++g) {
      std::string engines;
      for (size_t i = 0; i < groups[g].second.size(); ++i) {
        engines += (i == 0 ? "" : i + 1 == groups[g].second.size() ? " and " : ", ") + groups[g].second[i];
      }
      sentence += fmt::format("{}{} on {}", g == 0 ? "" : ", ", verdict_words(groups[g].first), engines);
    }
    sentences.push_back(std::move(sentence));
  }
  return sentences;
}

std::vector<ClaimResult> evaluate_claims(const ReportModel& model, const std::vector<scenario::Claim>& claims,
                                         const ClaimOptions& options) {
  std::vector<ClaimResult> results;
  for (const auto& claim : claims) {
    ClaimResult result;
    result.claim = claim;
    std::vector<ClaimVerdict> verdicts;
    result.sequential = options.sequential.has_value();
    bool all_decided = true;
    for (const auto& check : claim.checks) {
      result.checks.push_back(evaluate_check(model, check, options));
      auto& checked = result.checks.back();
      verdicts.push_back(checked.verdict);
      if (!options.sequential) continue;
      if (check.type != CheckType::Faster) {
        // Exact metrics and cache hits carry no noise: decided as soon as
        // each side has the scenario's min samples.
        size_t n = check.type == CheckType::Less ? std::min(checked.n_variant, checked.n_than) : checked.n_variant;
        checked.looked_at = n;
        if (n >= options.sequential->min_n && checked.verdict != ClaimVerdict::CannotTell) {
          checked.decided_at = options.sequential->min_n;
        }
      }
      if (checked.decided_at) {
        result.decided_at = std::max(result.decided_at.value_or(0), *checked.decided_at);
      } else {
        all_decided = false;
        result.undecided_at = std::max(result.undecided_at, checked.looked_at);
      }
    }
    result.verdict = combine_verdicts(verdicts);
    if (!all_decided) {
      // One undecided check leaves the claim open, whatever the others say.
      result.decided_at.reset();
      result.verdict = ClaimVerdict::CannotTell;
    }
    if (result.checks.size() == 1) {
      result.explanation = result.checks.front().explanation;
    } else {
      result.explanation = several_checks_sentence(result.checks);
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace buildbench::report
