#pragma once
// Warnings about one set of samples, so a report never shows a number without
// saying when it should not be trusted (as hyperfine warns about outliers and
// a slow first run). Samples are given in the order they were measured: the
// first sample and drift are about that order.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stats/summary.h"
#include "util/result.h"

namespace buildbench::stats {

enum class Warning {
  TooFewSamples,    // fewer than min_samples
  HighNoise,        // coefficient of variation above max_cv
  Outliers,         // samples with a modified z-score above outlier_z
  Drift,            // values trend with the run order
  SlowFirstSample,  // the first sample is an upper outlier (cold caches?)
};

// Stable identifiers for machine-readable output: "too_few_samples",
// "high_noise", "outliers", "drift", "slow_first_sample".
std::string_view warning_id(Warning warning);

struct WarningThresholds {
  // 6 is the least for which the median's interval reaches 95% coverage.
  size_t min_samples = 6;
  // Relative noise worth a warning: warm rebuilds of a small service
  // measured 46.7 ms +- 3.8 (cv 8%) here, so 10% flags unusual noise only.
  double max_cv = 0.10;
  double outlier_z = kOutlierZScore;
  // Drift is reported when the Mann-Kendall test of value against run order
  // gives p < drift_alpha AND the Theil-Sen trend line changes by at least
  // drift_min_change of the median between the first and the last sample:
  // a trend must be both real and large enough to matter.
  double drift_alpha = 0.05;
  double drift_min_change = 0.05;
};

struct SampleWarning {
  Warning kind;
  std::string message;  // one sentence for people, with the numbers behind it
};

// Checks, in this order: too few samples; slow first sample (its modified
// z-score, among all samples, is above outlier_z); outliers (other than a
// first sample already reported as slow); high noise; drift (needs 3 to
// kMannKendallMaxValues samples and a non-zero median). Fails on NaN or
// infinity; an empty input gives only a TooFewSamples warning.
util::Result<std::vector<SampleWarning>> check_samples(std::span<const double> in_run_order,
                                                       const WarningThresholds& thresholds = {});

}  // namespace buildbench::stats
