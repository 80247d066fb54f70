#include "stats/summary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace buildbench::stats {
namespace {

constexpr double kMadToSigma = 1.4826;
constexpr double kMeanAbsDevToSigma = 1.253314;  // sqrt(pi / 2)

double median_of_sorted(std::span<const double> sorted) {
  const size_t n = sorted.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  if (n % 2 == 1) return sorted[n / 2];
  // std::midpoint is (a + b) / 2 except where that sum would overflow.
  return std::midpoint(sorted[n / 2 - 1], sorted[n / 2]);
}

// P(B = i) for B ~ Binomial(n, 1/2), in log space so that large n neither
// overflows the binomial coefficient nor underflows 2^-n.
double half_binomial_pmf(size_t n, size_t i) {
  const double dn = static_cast<double>(n);
  const double di = static_cast<double>(i);
  return std::exp(std::lgamma(dn + 1) - std::lgamma(di + 1) - std::lgamma(dn - di + 1) -
                  dn * std::log(2.0));
}

// The plain sum divided by n, unless values near the double limit make the
// sum overflow; then the terms are divided first (a last-bit difference that
// only such inputs see).
double mean_of(std::span<const double> values) {
  const double n = static_cast<double>(values.size());
  const double plain = std::accumulate(values.begin(), values.end(), 0.0) / n;
  if (std::isfinite(plain)) return plain;
  double scaled = 0;
  for (double x : values) scaled += x / n;
  return scaled;
}

// Two passes (mean, then squared deviations from it) avoid the cancellation
// of the sum-of-squares formula for samples with a large common offset, such
// as timestamps or byte counts. Deviations are scaled by the largest one
// when their squares would overflow.
double sample_stddev(std::span<const double> values, double mean) {
  if (values.size() < 2) return 0;
  const double denominator = static_cast<double>(values.size() - 1);
  double squares = 0;
  for (double x : values) squares += (x - mean) * (x - mean);
  const double plain = std::sqrt(squares / denominator);
  if (std::isfinite(plain)) return plain;
  double largest = 0;
  for (double x : values) largest = std::max(largest, std::fabs(x / 2 - mean / 2));
  if (largest == 0 || !std::isfinite(largest)) return plain;
  double scaled = 0;
  for (double x : values) {
    const double deviation = (x / 2 - mean / 2) / largest;
    scaled += deviation * deviation;
  }
  return 2 * largest * std::sqrt(scaled / denominator);
}

}  // namespace

double median(std::span<const double> samples) {
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  return median_of_sorted(sorted);
}

MedianInterval median_interval(std::span<const double> sorted, double confidence) {
  MedianInterval interval;
  const size_t n = sorted.size();
  if (n == 0) {
    interval.below_nominal = true;
    return interval;
  }
  // Walk k = 1, 2, ... while the interval [x_(k), x_(n+1-k)] still covers
  // with probability >= confidence; tail = P(B <= k-1).
  // The tiny tolerance keeps a coverage that equals the target up to
  // rounding of the log-space pmf on the accepting side.
  constexpr double kTolerance = 1e-12;
  size_t best_k = 0;
  double best_coverage = 0;
  double tail = 0;
  for (size_t k = 1; k <= (n + 1) / 2; ++k) {
    tail += half_binomial_pmf(n, k - 1);
    const double coverage = std::max(0.0, 1.0 - 2.0 * tail);
    if (coverage + kTolerance < confidence) break;
    best_k = k;
    best_coverage = coverage;
  }
  if (best_k == 0) {
    // Even the full range misses the target: report it with its real coverage.
    best_k = 1;
    best_coverage = std::max(0.0, 1.0 - 2.0 * half_binomial_pmf(n, 0));
    interval.below_nominal = true;
  }
  interval.low_rank = best_k;
  interval.high_rank = n + 1 - best_k;
  interval.low = sorted[interval.low_rank - 1];
  interval.high = sorted[interval.high_rank - 1];
  interval.coverage = best_coverage;
  return interval;
}

std::vector<double> modified_z_scores(std::span<const double> samples) {
  std::vector<double> scores(samples.size(), 0.0);
  if (samples.empty()) return scores;
  const double center = median(samples);
  std::vector<double> deviations;
  deviations.reserve(samples.size());
  for (double x : samples) deviations.push_back(std::fabs(x - center));
  double scale = kMadToSigma * median(deviations);
  if (scale == 0) {
    const double mean_abs_dev =
        std::accumulate(deviations.begin(), deviations.end(), 0.0) /
        static_cast<double>(deviations.size());
    scale = kMeanAbsDevToSigma * mean_abs_dev;
  }
  if (scale == 0) return scores;  // every sample equals the median
  for (size_t i = 0; i < samples.size(); ++i) scores[i] = (samples[i] - center) / scale;
  return scores;
}

std::vector<size_t> mad_outliers(std::span<const double> samples, double threshold) {
  const std::vector<double> scores = modified_z_scores(samples);
  std::vector<size_t> indices;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (std::fabs(scores[i]) > threshold) indices.push_back(i);
  }
  return indices;
}

util::Result<Summary> summarize(std::span<const double> samples, double confidence) {
  if (samples.empty()) return util::error("no samples to summarize");
  for (double x : samples) {
    if (!std::isfinite(x)) return util::error("a sample is not a finite number");
  }
  if (!(confidence > 0 && confidence < 1)) {
    return util::error("confidence level must be between 0 and 1");
  }
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());

  Summary summary;
  summary.count = sorted.size();
  summary.min = sorted.front();
  summary.max = sorted.back();
  summary.median = median_of_sorted(sorted);
  summary.median_ci = median_interval(sorted, confidence);

  summary.mean = mean_of(sorted);
  summary.stddev = sample_stddev(sorted, summary.mean);
  summary.cv = summary.mean == 0 ? 0.0 : summary.stddev / std::fabs(summary.mean);

  std::vector<double> deviations;
  deviations.reserve(sorted.size());
  for (double x : sorted) deviations.push_back(std::fabs(x - summary.median));
  summary.mad = kMadToSigma * median(deviations);
  summary.outliers = mad_outliers(samples);
  return summary;
}

}  // namespace buildbench::stats
