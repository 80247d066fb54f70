#pragma once
// Rank-based tests: Mann-Whitney U ("do two sets of samples differ?") and
// Mann-Kendall ("do samples trend with their run order?"). Both make no
// assumption about the shape of the distribution, which suits build times:
// skewed, with a floor and occasional slow outliers.
#include <cstddef>
#include <span>
#include <vector>

#include "util/result.h"

namespace buildbench::stats {

enum class PValueMethod {
  Exact,                // exact null distribution (small samples, no ties)
  NormalApproximation,  // normal approximation, tie and continuity corrections
};

struct MannWhitney {
  // U of the first sample: the number of pairs (x_i, y_j) with x_i > y_j,
  // tied pairs counting 1/2 (equals R_x - n_x(n_x+1)/2 with mid-ranks).
  double u = 0;
  double p_value = 1;  // two-sided
  PValueMethod method = PValueMethod::Exact;
  bool ties = false;   // some value occurs more than once in the pooled samples
  double z = 0;        // signed normal score (0 for the exact method)
};

// Largest sample size (each side, exclusive) for the exact distribution.
constexpr size_t kExactMannWhitneyLimit = 50;

// Two-sided Mann-Whitney U test (Wilcoxon rank-sum test).
//
// Exact when there are no ties and both samples have fewer than 50 values
// (the rule R's wilcox.test uses): p = min(1, 2 * P(U <= min(U, n_x n_y - U)))
// with P from the recurrence P_{m,n}(u) = m/(m+n) P_{m-1,n}(u-n) +
// n/(m+n) P_{m,n-1}(u) (the largest pooled value is an x with probability
// m/(m+n), and then it beats all n values of y).
//
// Otherwise the normal approximation: mean n_x n_y / 2, variance
//   n_x n_y / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))
// with N = n_x + n_y and t the size of each group of tied values, and a
// continuity correction of 1/2: z = (|U - mean| - 1/2) / sd (0 if negative),
// p = erfc(|z| / sqrt 2). When every value is tied the variance is 0 and
// p = 1. This matches R's wilcox.test(x, y, correct = TRUE).
//
// Fails when a sample is empty or holds NaN or infinity.
util::Result<MannWhitney> mann_whitney_u(std::span<const double> x, std::span<const double> y);

// The exact two-sided p-value of every U for samples of m and n untied
// values: element u is the p_value mann_whitney_u gives when U = u (the same
// recurrence, summed in the same order, so the values are identical bit for
// bit). For tables of rejection levels (stats/sequential_design.h).
std::vector<double> mann_whitney_exact_p_values(size_t m, size_t n);

struct MannKendall {
  // S = sum over i < j of sign(x_j - x_i): positive when values grow with
  // their position, negative when they shrink.
  double s = 0;
  double p_value = 1;  // two-sided, for "no monotonic trend"
  PValueMethod method = PValueMethod::Exact;
  // Theil-Sen slope: the median over i < j of (x_j - x_i) / (j - i), the
  // change per sample of the trend; robust to outliers.
  double sen_slope = 0;
};

// Largest series length (inclusive) for the exact distribution of S.
constexpr size_t kExactMannKendallLimit = 50;
// The test looks at every pair (time and memory grow with n^2: 2000 values
// are 2 million slopes, 16 MB); longer series are refused.
constexpr size_t kMannKendallMaxValues = 2000;

// Mann-Kendall trend test of values against their order (Kendall's tau
// between the sample index and the value). Exact when there are no ties and
// n <= 50: without ties S = n(n-1)/2 - 2 I, where I, the number of
// inversions of a random permutation, has the distribution
// P_n(k) = (1/n) sum_{j=0}^{min(k, n-1)} P_{n-1}(k - j); then
// p = min(1, 2 * P(I <= min(I, n(n-1)/2 - I))). Otherwise the normal
// approximation with variance (n(n-1)(2n+5) - sum t(t-1)(2t+5)) / 18 and a
// continuity correction of 1: z = (|S| - 1) / sd. Fewer than 2 values, or all
// values tied, give S = 0 and p = 1. Fails on NaN or infinity, and beyond
// kMannKendallMaxValues values.
util::Result<MannKendall> mann_kendall(std::span<const double> values_in_order);

}  // namespace buildbench::stats
