#pragma once
// Descriptive statistics of one set of samples (e.g. the wall times of one
// variant and build kind): median with a distribution-free confidence
// interval, mean and sample standard deviation, range, coefficient of
// variation and MAD-based outliers. Pure functions: no I/O, no global state.
#include <cstddef>
#include <span>
#include <vector>

#include "util/result.h"

namespace buildbench::stats {

// A confidence interval for the median built from two order statistics,
// x_(low_rank) and x_(high_rank) (1-based ranks of the sorted samples). It
// assumes nothing about the distribution: the number of samples below the
// true median is Binomial(n, 1/2), so the interval [x_(k), x_(n+1-k)] covers
// the median with probability 1 - 2 * P(B <= k-1). The largest k that still
// reaches the requested confidence is used, which gives the narrowest such
// symmetric interval.
//
// Small n: the full range [min, max] covers with probability 1 - 2^(1-n),
// which is below 95% for n < 6 (n = 5: 93.75%, n = 3: 75%, n = 1: 0%). Then
// the interval is the full range, `below_nominal` is set and `coverage` says
// what it really is; reports should show that instead of claiming 95%.
struct MedianInterval {
  double low = 0;
  double high = 0;
  size_t low_rank = 0;
  size_t high_rank = 0;
  double coverage = 0;          // exact coverage probability of [low, high]
  bool below_nominal = false;   // too few samples for the requested confidence
};

// `sorted` must be sorted ascending and non-empty (empty gives a zeroed
// interval with below_nominal set). `confidence` in (0, 1).
MedianInterval median_interval(std::span<const double> sorted, double confidence = 0.95);

struct Summary {
  size_t count = 0;
  double min = 0;
  double max = 0;
  double median = 0;
  MedianInterval median_ci;
  double mean = 0;
  double stddev = 0;  // sample standard deviation (divides by n - 1); 0 when n < 2
  double cv = 0;      // coefficient of variation stddev / |mean|; 0 when mean == 0
  // Median absolute deviation from the median, scaled by 1.4826 so that it
  // estimates the standard deviation for normally distributed samples.
  double mad = 0;
  // Indices (into the input, ascending) of samples whose modified z-score
  // exceeds 3.5; see modified_z_scores.
  std::vector<size_t> outliers;
};

// Fails on an empty input or on a NaN or infinite sample. `samples` may be
// in any order; outlier indices refer to that order.
util::Result<Summary> summarize(std::span<const double> samples, double confidence = 0.95);

// The median (mean of the two middle values for even n); NaN when empty.
double median(std::span<const double> samples);

// Modified z-score of each sample (Iglewicz and Hoaglin, 1993):
//   M_i = (x_i - median) / (1.4826 * MAD)
// where MAD is the median of |x_i - median|; 1.4826 = 1 / Phi^-1(3/4) makes
// 1.4826 * MAD estimate the standard deviation of normal data, so M_i reads
// like an ordinary z-score that outliers cannot inflate. When more than half
// of the samples are equal, MAD is 0; then the mean absolute deviation from
// the median, scaled by sqrt(pi/2) = 1.253314 (same normal consistency), is
// used instead. When every sample is equal, every score is 0.
std::vector<double> modified_z_scores(std::span<const double> samples);

// The usual outlier rule on top of modified_z_scores: |M_i| > threshold,
// 3.5 by default (Iglewicz and Hoaglin's recommendation). Ascending indices.
constexpr double kOutlierZScore = 3.5;
std::vector<size_t> mad_outliers(std::span<const double> samples,
                                 double threshold = kOutlierZScore);

}  // namespace buildbench::stats
