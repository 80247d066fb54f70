// Expected values come from hand derivations and Python (fractions.Fraction
// for exact binomial tails, statistics.median/fmean/stdev), quoted with each
// check. scipy is not available here, so nothing below comes from the code
// under test.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "stats/summary.h"

using namespace buildbench::stats;

namespace {
std::vector<double> one_to(size_t n) {
  std::vector<double> values;
  for (size_t i = 1; i <= n; ++i) values.push_back(static_cast<double>(i));
  return values;
}
}  // namespace

TEST_CASE("median_interval picks binomial order statistics", "[stats][summary]") {
  // Coverage of [x_(k), x_(n+1-k)] is 1 - 2 * sum_{i<k} C(n,i) / 2^n.
  // Python: the largest k with coverage >= 0.95, coverage as a Fraction.
  struct Row {
    size_t n;
    size_t low_rank;
    size_t high_rank;
    double coverage;
    bool below_nominal;
  };
  const std::vector<Row> table = {
      {1, 1, 1, 0.0, true},            // 1 - 2 * 1/2
      {2, 1, 2, 0.5, true},            // 1 - 2 * 1/4
      {3, 1, 3, 0.75, true},           // 1 - 2 * 1/8
      {5, 1, 5, 0.9375, true},         // 15/16: the full range is not enough
      {6, 1, 6, 0.96875, false},       // 31/32: the smallest n that reaches 95%
      {7, 1, 7, 0.984375, false},      // 63/64
      {10, 2, 9, 0.978515625, false},  // 501/512; k = 3 would give 0.890625
      {20, 6, 15, 125647.0 / 131072.0, false},
      {30, 10, 21, 513906825.0 / 536870912.0, false},
      {100, 40, 61, 0.9647997997822951, false},  // the classic table row: ranks 40 and 61
  };
  for (const Row& row : table) {
    INFO("n = " << row.n);
    const std::vector<double> sorted = one_to(row.n);
    const MedianInterval interval = median_interval(sorted);
    CHECK(interval.low_rank == row.low_rank);
    CHECK(interval.high_rank == row.high_rank);
    CHECK(interval.low == static_cast<double>(row.low_rank));
    CHECK(interval.high == static_cast<double>(row.high_rank));
    CHECK(interval.coverage == Approx(row.coverage).margin(1e-12));
    CHECK(interval.below_nominal == row.below_nominal);
  }
}

TEST_CASE("median_interval honours other confidence levels", "[stats][summary]") {
  // n = 10 at 90%: k = 3 covers 1 - 2 * 56/1024 = 0.890625 < 0.9, so k = 2.
  const MedianInterval ninety = median_interval(one_to(10), 0.90);
  CHECK(ninety.low_rank == 2);
  CHECK(ninety.high_rank == 9);
  // n = 10 at 80%: k = 3 (0.890625) works, k = 4 covers 1 - 2 * 176/1024 =
  // 0.65625, which does not.
  const MedianInterval eighty = median_interval(one_to(10), 0.80);
  CHECK(eighty.low_rank == 3);
  CHECK(eighty.high_rank == 8);
  CHECK(eighty.coverage == Approx(0.890625).margin(1e-12));

  const MedianInterval empty = median_interval(std::vector<double>{});
  CHECK(empty.below_nominal);
  CHECK(empty.low_rank == 0);
}

TEST_CASE("median_interval stays finite for large n", "[stats][summary]") {
  // Python, exact: acc = sum(comb(10000, i) for i < k), coverage 1 - 2 acc / 2^10000
  // -> k = 4902, coverage 0.9511670501036181 (the normal approximation
  // 5000 - 1.96 * sqrt(10000) / 2 = 4902 agrees).
  const MedianInterval interval = median_interval(one_to(10000));
  CHECK(interval.low_rank == 4902);
  CHECK(interval.high_rank == 5099);
  CHECK(interval.coverage == Approx(0.9511670501036181).epsilon(1e-9));
}

TEST_CASE("summarize computes the usual statistics", "[stats][summary]") {
  // Python: statistics.median/fmean/stdev of these ten wall times.
  const std::vector<double> samples = {12.1, 11.9, 12.4, 12.0, 15.8, 12.2, 11.8, 12.3, 12.1, 12.5};
  auto summary = summarize(samples);
  REQUIRE(summary.ok());
  CHECK(summary->count == 10);
  CHECK(summary->min == 11.8);
  CHECK(summary->max == 15.8);
  CHECK(summary->median == Approx(12.15).epsilon(1e-14));         // (12.1 + 12.2) / 2
  CHECK(summary->mean == Approx(12.51).epsilon(1e-14));           // 125.1 / 10
  CHECK(summary->stddev == Approx(1.1761046816598524).epsilon(1e-12));
  CHECK(summary->cv == Approx(0.09401316400158692).epsilon(1e-12));
  // |x - 12.15| sorted: .05 .05 .05 .15 .15 .25 .25 .35 .35 3.65 -> MAD 0.2
  CHECK(summary->mad == Approx(1.4826 * 0.2).epsilon(1e-12));
  // Sorted: 11.8 11.9 12.0 12.1 12.1 12.2 12.3 12.4 12.5 15.8; n = 10 -> ranks 2 and 9.
  CHECK(summary->median_ci.low == 11.9);
  CHECK(summary->median_ci.high == 12.5);
  CHECK_FALSE(summary->median_ci.below_nominal);
  // 15.8 (index 4): (15.8 - 12.15) / (1.4826 * 0.2) = 12.309 > 3.5.
  CHECK(summary->outliers == std::vector<size_t>{4});
}

TEST_CASE("summarize handles degenerate inputs", "[stats][summary]") {
  SECTION("one sample") {
    auto summary = summarize(std::vector<double>{3.0});
    REQUIRE(summary.ok());
    CHECK(summary->median == 3.0);
    CHECK(summary->stddev == 0.0);
    CHECK(summary->cv == 0.0);
    CHECK(summary->median_ci.low == 3.0);
    CHECK(summary->median_ci.high == 3.0);
    CHECK(summary->median_ci.below_nominal);
    CHECK(summary->median_ci.coverage == 0.0);
    CHECK(summary->outliers.empty());
  }
  SECTION("all equal") {
    auto summary = summarize(std::vector<double>{5.0, 5.0, 5.0});
    REQUIRE(summary.ok());
    CHECK(summary->stddev == 0.0);
    CHECK(summary->mad == 0.0);
    CHECK(summary->outliers.empty());
  }
  SECTION("a large common offset does not cancel the deviation") {
    // stdev(1e9+1 .. 1e9+4) = stdev(1..4) = sqrt(5/3) = 1.2909944487358056
    auto summary = summarize(std::vector<double>{1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4});
    REQUIRE(summary.ok());
    CHECK(summary->stddev == Approx(1.2909944487358056).epsilon(1e-9));
    CHECK(summary->median == 1e9 + 2.5);
  }
  SECTION("zero mean gives cv 0") {
    auto summary = summarize(std::vector<double>{-1.0, 1.0});
    REQUIRE(summary.ok());
    CHECK(summary->cv == 0.0);
    CHECK(summary->stddev == Approx(std::sqrt(2.0)));
  }
  SECTION("bad input is an error, not a crash") {
    CHECK_FALSE(summarize(std::vector<double>{}).ok());
    CHECK_FALSE(summarize(std::vector<double>{1.0, std::nan("")}).ok());
    CHECK_FALSE(summarize(std::vector<double>{1.0, std::numeric_limits<double>::infinity()}).ok());
    CHECK_FALSE(summarize(std::vector<double>{1.0, 2.0}, 1.0).ok());
    CHECK_FALSE(summarize(std::vector<double>{1.0, 2.0}, 0.0).ok());
  }
}

TEST_CASE("median of odd, even and empty inputs", "[stats][summary]") {
  CHECK(median(std::vector<double>{3.0, 1.0, 2.0}) == 2.0);
  CHECK(median(std::vector<double>{4.0, 1.0, 3.0, 2.0}) == 2.5);
  CHECK(std::isnan(median(std::vector<double>{})));
}

TEST_CASE("modified z-scores and MAD outliers", "[stats][summary]") {
  SECTION("MAD scaled by 1.4826") {
    // {1, 2, 3, 4, 100}: median 3, deviations 2 1 0 1 97 -> MAD 1.
    const std::vector<double> values = {1, 2, 3, 4, 100};
    const std::vector<double> scores = modified_z_scores(values);
    REQUIRE(scores.size() == 5);
    CHECK(scores[0] == Approx(-2 / 1.4826));
    CHECK(scores[2] == 0.0);
    CHECK(scores[4] == Approx(97 / 1.4826));  // 65.4
    CHECK(mad_outliers(values) == std::vector<size_t>{4});
    // 2 / 1.4826 = 1.349: a threshold of 1.3 also catches the first value.
    CHECK(mad_outliers(values, 1.3) == std::vector<size_t>{0, 4});
  }
  SECTION("MAD of zero falls back to the mean absolute deviation") {
    // {10, 10, 10, 10, 20}: MAD 0; mean |x - 10| = 2; scale 1.253314 * 2.
    // M(20) = 10 / 2.506628 = 3.989423 > 3.5.
    const std::vector<double> values = {10, 10, 10, 10, 20};
    const std::vector<double> scores = modified_z_scores(values);
    CHECK(scores[4] == Approx(3.989423).epsilon(1e-6));
    CHECK(scores[0] == 0.0);
    CHECK(mad_outliers(values) == std::vector<size_t>{4});
  }
  SECTION("all equal: no outliers, no division by zero") {
    const std::vector<double> values = {7, 7, 7, 7};
    for (double score : modified_z_scores(values)) CHECK(score == 0.0);
    CHECK(mad_outliers(values).empty());
    CHECK(modified_z_scores(std::vector<double>{}).empty());
  }
}
