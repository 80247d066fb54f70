#include "stats/warnings.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "stats/rank_tests.h"

namespace buildbench::stats {
namespace {

// printf-style formatting into a std::string (stats depends on nothing but
// util, so no fmt here).
[[gnu::format(printf, 1, 2)]] std::string printf_string(const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  return buffer;
}

// "#2, #7" with 1-based sample numbers, the way people count runs.
std::string sample_numbers(const std::vector<size_t>& indices) {
  std::string text;
  for (size_t index : indices) {
    if (!text.empty()) text += ", ";
    text += "#" + std::to_string(index + 1);
  }
  return text;
}

}  // namespace

std::string_view warning_id(Warning warning) {
  switch (warning) {
    case Warning::TooFewSamples: return "too_few_samples";
    case Warning::HighNoise: return "high_noise";
    case Warning::Outliers: return "outliers";
    case Warning::Drift: return "drift";
    case Warning::SlowFirstSample: return "slow_first_sample";
  }
  return "unknown";
}

util::Result<std::vector<SampleWarning>> check_samples(std::span<const double> samples,
                                                       const WarningThresholds& thresholds) {
  std::vector<SampleWarning> warnings;
  if (samples.empty()) {
    warnings.push_back({Warning::TooFewSamples, "no samples"});
    return warnings;
  }
  auto summary = summarize(samples);
  if (!summary) return summary.error();
  const size_t n = samples.size();

  if (n < thresholds.min_samples) {
    std::string message = printf_string("only %zu sample%s (at least %zu recommended)", n,
                                         n == 1 ? "" : "s", thresholds.min_samples);
    if (summary->median_ci.below_nominal) {
      message += printf_string(": the median's interval is the full range and covers %.1f%%, not 95%%",
                               100.0 * summary->median_ci.coverage);
    }
    warnings.push_back({Warning::TooFewSamples, message});
  }

  const std::vector<double> scores = modified_z_scores(samples);
  const bool slow_first = n >= 3 && scores[0] > thresholds.outlier_z;
  if (slow_first) {
    const double others = median(samples.subspan(1));
    std::string message = printf_string(
        "the first sample is slow (modified z-score %.1f", scores[0]);
    if (others > 0) message += printf_string(", %.2fx the median of the others", samples[0] / others);
    message += "): caches were probably cold; run a warm-up build before measuring";
    warnings.push_back({Warning::SlowFirstSample, message});
  }

  std::vector<size_t> outliers;
  for (size_t i = slow_first ? 1 : 0; i < n; ++i) {
    if (std::fabs(scores[i]) > thresholds.outlier_z) outliers.push_back(i);
  }
  if (!outliers.empty()) {
    warnings.push_back(
        {Warning::Outliers,
         printf_string("%zu outlier%s among %zu samples (modified z-score above %.1f): %s",
                       outliers.size(), outliers.size() == 1 ? "" : "s", n,
                       thresholds.outlier_z, sample_numbers(outliers).c_str())});
  }

  if (summary->cv > thresholds.max_cv) {
    warnings.push_back(
        {Warning::HighNoise,
         printf_string("high noise: coefficient of variation %.1f%% (above %.1f%%)",
                       100.0 * summary->cv, 100.0 * thresholds.max_cv)});
  }

  if (n >= 3 && n <= kMannKendallMaxValues && summary->median != 0) {
    auto trend = mann_kendall(samples);
    if (!trend) return trend.error();
    const double change = trend->sen_slope * static_cast<double>(n - 1) / std::fabs(summary->median);
    if (trend->p_value < thresholds.drift_alpha &&
        std::fabs(change) >= thresholds.drift_min_change) {
      warnings.push_back(
          {Warning::Drift,
           printf_string("drift across the run: values %s by %.1f%% of the median from the first "
                         "to the last sample (Theil-Sen slope; Mann-Kendall p = %.3g)",
                         change > 0 ? "rose" : "fell", 100.0 * std::fabs(change),
                         trend->p_value)});
    }
  }
  return warnings;
}

}  // namespace buildbench::stats
