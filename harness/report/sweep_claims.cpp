#include "report/sweep_claims.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "report/format.h"
#include "report/model.h"

namespace buildbench::report {
namespace {

std::optional<double> parse_number(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

struct SweepValue {
  std::string series;
  std::string value;
  std::optional<double> number;
};

// The model's series as values of one parameter: labels are "name=value"
// (scenario::series_label); the parameter is the name they share, if any.
std::pair<std::string, std::vector<SweepValue>> sweep_values(const ReportModel& model) {
  std::string parameter;
  std::vector<SweepValue> values;
  bool shared = true;
  for (const auto& label : model.series) {
    auto equals = label.find('=');
    std::string name = equals == std::string::npos ? "" : label.substr(0, equals);
    if (values.empty()) parameter = name;
    shared = shared && name == parameter;
    std::string value = equals == std::string::npos ? label : label.substr(equals + 1);
    values.push_back({label, value, parse_number(value)});
  }
  if (!shared || parameter.empty()) {
    parameter.clear();
    for (auto& value : values) {
      value.value = value.series;
      value.number = parse_number(value.series);
    }
  }
  // "From which value on" needs the values in order; the run's order is the
  // scenario's, which need not be ascending.
  if (std::all_of(values.begin(), values.end(), [](const SweepValue& v) { return v.number.has_value(); })) {
    std::stable_sort(values.begin(), values.end(), [](const SweepValue& a, const SweepValue& b) { return *a.number < *b.number; });
  }
  return {parameter, values};
}

std::string with_decision(const ClaimResult& result) {
  std::string words(verdict_words(result.verdict));
  if (auto decision = result.decision_words(); !decision.empty()) words += " (" + decision + ")";
  return words;
}

std::string claim_sentence(const SweepClaim& sweep) {
  const std::string name = sweep.parameter.empty() ? "the sweep value" : sweep.parameter;
  auto words = [&](size_t point) { return sweep_value_words(sweep.parameter, sweep.points[point].value); };
  const size_t last = sweep.points.size() - 1;
  if (sweep.holds_from) {
    const size_t from = *sweep.holds_from;
    std::string sentence = fmt::format("holds from {} = {}", name, words(from));
    if (from == 0) return sentence + ", the smallest value swept";
    return sentence + fmt::format(" (at {}: {})", words(from - 1), with_decision(sweep.points[from - 1].result));
  }
  return fmt::format("does not reach 'holds' in the swept range ({} = {} to {}); at {}: {}", name, words(0), words(last),
                     words(last), with_decision(sweep.points[last].result));
}

}  // namespace

const CheckResult* SweepClaim::ratio_at(size_t point) const {
  if (!ratio_check || point >= points.size()) return nullptr;
  const auto& checks = points[point].result.checks;
  return *ratio_check < checks.size() ? &checks[*ratio_check] : nullptr;
}

std::string sweep_value_words(const std::string& parameter, const std::string& value) {
  constexpr std::string_view kBytesSuffix = "_bytes";
  const bool bytes = parameter.size() > kBytesSuffix.size() &&
                     parameter.compare(parameter.size() - kBytesSuffix.size(), kBytesSuffix.size(), kBytesSuffix) == 0;
  if (auto number = parse_number(value); bytes && number) return format_bytes(*number);
  return value;
}

std::vector<SweepClaim> evaluate_sweep_claims(const ReportModel& model, const std::vector<scenario::Claim>& claims,
                                              const ClaimOptions& options) {
  std::vector<SweepClaim> out;
  if (!model.has_sweep() || claims.empty()) return out;
  const auto [parameter, values] = sweep_values(model);
  for (const auto& engine : model.engines) {
    // Each engine on its own cells, as the claims table judges them.
    std::optional<ReportModel> view;
    if (model.several_engines()) view = engine_view(model, engine);
    const ReportModel& judged = view ? *view : model;
    std::vector<std::vector<ClaimResult>> per_value;
    for (const auto& value : values) {
      ClaimOptions at_value = options;
      at_value.series = value.series;
      per_value.push_back(evaluate_claims(judged, claims, at_value));
    }
    for (size_t c = 0; c < claims.size(); ++c) {
      SweepClaim sweep;
      sweep.claim = claims[c];
      sweep.engine = engine;
      sweep.parameter = parameter;
      for (size_t i = 0; i < claims[c].checks.size(); ++i) {
        if (claims[c].checks[i].type == scenario::CheckType::Faster) {
          sweep.ratio_check = i;
          break;
        }
      }
      for (size_t v = 0; v < values.size(); ++v) {
        ClaimResult result = std::move(per_value[v][c]);
        result.engine = engine;
        sweep.points.push_back({values[v].series, values[v].value, values[v].number, std::move(result)});
      }
      // From the largest value down, as long as the claim holds.
      for (size_t p = sweep.points.size(); p > 0 && sweep.points[p - 1].result.verdict == ClaimVerdict::Holds; --p) {
        sweep.holds_from = p - 1;
      }
      sweep.sentence = claim_sentence(sweep);
      out.push_back(std::move(sweep));
    }
  }
  return out;
}

std::vector<SweepClaimTable> sweep_claim_tables(const ReportModel& model) {
  std::vector<SweepClaimTable> tables;
  for (const auto& engine : model.engines) {
    SweepClaimTable table;
    for (const auto& sweep : model.sweep_claims) {
      if (sweep.engine != engine) continue;
      if (table.columns.empty()) {
        table.heading = sweep.parameter.empty() ? "sweep value" : sweep.parameter;
        if (model.several_engines()) table.heading += " on " + engine_label(engine);
        for (const auto& point : sweep.points) table.columns.push_back(sweep_value_words(sweep.parameter, point.value));
      }
      SweepClaimTable::Row row;
      row.id = sweep.claim.id;
      row.sentence = sweep.sentence;
      for (size_t p = 0; p < sweep.points.size(); ++p) {
        const auto& result = sweep.points[p].result;
        row.verdicts.push_back(with_decision(result));
        const CheckResult* ratio = sweep.ratio_at(p);
        if (ratio != nullptr && ratio->comparison) {
          const auto& r = ratio->comparison->ratio;
          row.ratios.push_back(fmt::format("{} ({} – {})", format_ratio(r.ratio), format_ratio(r.ci_low), format_ratio(r.ci_high)));
        } else {
          row.ratios.push_back("-");
        }
        // The sample sizes of the check the ratio comes from, else the first check's.
        const CheckResult* counted = ratio != nullptr ? ratio : result.checks.empty() ? nullptr : &result.checks.front();
        const bool one_side = counted != nullptr && (counted->check.type == scenario::CheckType::AtMost ||
                                                      counted->check.type == scenario::CheckType::CachedUntil);
        if (counted == nullptr) {
          row.counts.push_back("-");
        } else if (one_side) {
          row.counts.push_back(fmt::format("n={}", counted->n_variant));
        } else {
          row.counts.push_back(sample_counts(counted->n_variant, counted->n_than));
        }
      }
      table.rows.push_back(std::move(row));
    }
    if (!table.rows.empty()) tables.push_back(std::move(table));
  }
  return tables;
}

}  // namespace buildbench::report
