// Numbers quoted below come from Python: modified z-scores with
// statistics.median, cv = stdev / fmean, Mann-Kendall p by enumerating
// permutations, Theil-Sen slope as the median of pairwise slopes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "stats/warnings.h"

using namespace buildbench::stats;

namespace {

std::vector<SampleWarning> warnings_for(const std::vector<double>& samples,
                                        const WarningThresholds& thresholds = {}) {
  auto warnings = check_samples(samples, thresholds);
  REQUIRE(warnings.ok());
  return *warnings;
}

std::set<Warning> kinds(const std::vector<SampleWarning>& warnings) {
  std::set<Warning> result;
  for (const SampleWarning& warning : warnings) result.insert(warning.kind);
  return result;
}

std::string message_of(const std::vector<SampleWarning>& warnings, Warning kind) {
  for (const SampleWarning& warning : warnings) {
    if (warning.kind == kind) return warning.message;
  }
  return "";
}

}  // namespace

TEST_CASE("clean low-noise samples give no warning", "[stats][warnings]") {
  // cv 1.2%, largest |z| 1.18, Mann-Kendall S = -6, p = 0.548.
  CHECK(warnings_for({10.0, 10.2, 9.9, 10.1, 10.05, 9.95, 10.15, 9.85}).empty());
}

TEST_CASE("too few samples", "[stats][warnings]") {
  const auto three = warnings_for({1.0, 2.0, 3.0});
  REQUIRE(kinds(three).count(Warning::TooFewSamples) == 1);
  CHECK(message_of(three, Warning::TooFewSamples) ==
        "only 3 samples (at least 6 recommended): the median's interval is the full range and "
        "covers 75.0%, not 95%");
  // Three samples cannot show a significant trend (p = 1/3 for 1, 2, 3).
  CHECK(kinds(three).count(Warning::Drift) == 0);

  const auto none = warnings_for({});
  REQUIRE(none.size() == 1);
  CHECK(none[0].kind == Warning::TooFewSamples);

  WarningThresholds want_ten;
  want_ten.min_samples = 10;
  const auto seven = warnings_for({10.0, 10.1, 9.9, 10.0, 10.2, 9.8, 10.1}, want_ten);
  CHECK(message_of(seven, Warning::TooFewSamples) == "only 7 samples (at least 10 recommended)");
}

TEST_CASE("slow first sample", "[stats][warnings]") {
  // First sample 20 s, the rest about 10 s: z(first) = 67.1; it is reported
  // as a slow first sample, not again as an outlier. The cv (31%) is high too.
  const auto warnings = warnings_for({20.0, 10.0, 10.1, 9.9, 10.0, 10.2, 9.8, 10.1});
  CHECK(kinds(warnings) == std::set<Warning>{Warning::SlowFirstSample, Warning::HighNoise});
  CHECK(message_of(warnings, Warning::SlowFirstSample) ==
        "the first sample is slow (modified z-score 67.1, 2.00x the median of the others): caches "
        "were probably cold; run a warm-up build before measuring");
}

TEST_CASE("outliers", "[stats][warnings]") {
  // 25 s among 10 s runs (index 4): z = 100.8; cv 44.6%.
  const auto warnings = warnings_for({10, 10.1, 9.9, 10, 25, 10.2, 9.8, 10.1});
  CHECK(kinds(warnings) == std::set<Warning>{Warning::Outliers, Warning::HighNoise});
  CHECK(message_of(warnings, Warning::Outliers) ==
        "1 outlier among 8 samples (modified z-score above 3.5): #5");
  CHECK(message_of(warnings, Warning::HighNoise) ==
        "high noise: coefficient of variation 44.6% (above 10.0%)");
}

TEST_CASE("high noise without outliers", "[stats][warnings]") {
  // {8,12,9,11,10,13,7}: mean 10, sd sqrt(28/6) = 2.160, cv 21.6%; |z| <= 1.01.
  const auto warnings = warnings_for({8, 12, 9, 11, 10, 13, 7});
  CHECK(kinds(warnings) == std::set<Warning>{Warning::HighNoise});
  CHECK(message_of(warnings, Warning::HighNoise) ==
        "high noise: coefficient of variation 21.6% (above 10.0%)");

  WarningThresholds tolerant;
  tolerant.max_cv = 0.25;
  CHECK(warnings_for({8, 12, 9, 11, 10, 13, 7}, tolerant).empty());
}

TEST_CASE("drift across the run", "[stats][warnings]") {
  SECTION("a steady rise of 10.5% is reported") {
    // Strictly increasing: S = 28, exact p = 2 / 8! = 4.96e-05. Theil-Sen
    // slope (median of the 28 pairwise slopes) 0.158571 per sample;
    // 0.158571 * 7 / median 10.55 = 10.52%.
    const auto warnings = warnings_for({10.0, 10.2, 10.3, 10.5, 10.6, 10.8, 11.0, 11.1});
    CHECK(kinds(warnings) == std::set<Warning>{Warning::Drift});
    CHECK(message_of(warnings, Warning::Drift) ==
          "drift across the run: values rose by 10.5% of the median from the first to the last "
          "sample (Theil-Sen slope; Mann-Kendall p = 4.96e-05)");
  }
  SECTION("a falling trend too") {
    const auto warnings = warnings_for({11.1, 11.0, 10.8, 10.6, 10.5, 10.3, 10.2, 10.0});
    CHECK(message_of(warnings, Warning::Drift).find("values fell by 10.5%") != std::string::npos);
  }
  SECTION("a real but tiny trend (0.5%) is not worth a warning") {
    // {10.00 .. 10.05}: p = 2/720 = 0.0028 but the change is 0.499% < 5%.
    CHECK(warnings_for({10.00, 10.01, 10.02, 10.03, 10.04, 10.05}).empty());
    WarningThresholds sensitive;
    sensitive.drift_min_change = 0.004;
    CHECK(kinds(warnings_for({10.00, 10.01, 10.02, 10.03, 10.04, 10.05}, sensitive)) ==
          std::set<Warning>{Warning::Drift});
  }
}

TEST_CASE("warning ids are stable", "[stats][warnings]") {
  CHECK(warning_id(Warning::TooFewSamples) == "too_few_samples");
  CHECK(warning_id(Warning::HighNoise) == "high_noise");
  CHECK(warning_id(Warning::Outliers) == "outliers");
  CHECK(warning_id(Warning::Drift) == "drift");
  CHECK(warning_id(Warning::SlowFirstSample) == "slow_first_sample");
}

TEST_CASE("non-finite samples are an error", "[stats][warnings]") {
  CHECK_FALSE(check_samples(std::vector<double>{1.0, std::nan("")}).ok());
}
