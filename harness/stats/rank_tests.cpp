#include "stats/rank_tests.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include "stats/summary.h"

namespace buildbench::stats {
namespace {

bool all_finite(std::span<const double> values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

double two_sided_normal_p(double z) {
  return std::clamp(std::erfc(std::fabs(z) / std::sqrt(2.0)), 0.0, 1.0);
}

// P(U_{m,n} = u) under the null hypothesis, no ties, for u in [0, u_max].
// Row i of the recurrence only reads row i-1, so two rows of (n+1) x
// (u_max+1) suffice; and a cell only reads cells of smaller u, so its value
// does not depend on u_max.
std::vector<double> mann_whitney_probabilities(size_t m, size_t n, size_t u_max) {
  const size_t width = u_max + 1;
  std::vector<double> previous((n + 1) * width, 0.0);
  std::vector<double> current((n + 1) * width, 0.0);
  for (size_t j = 0; j <= n; ++j) previous[j * width] = 1.0;  // m = 0: U is 0
  for (size_t i = 1; i <= m; ++i) {
    std::fill(current.begin(), current.end(), 0.0);
    current[0] = 1.0;  // n = 0: U is 0
    for (size_t j = 1; j <= n; ++j) {
      const double total = static_cast<double>(i + j);
      const double x_largest = static_cast<double>(i) / total;
      const double y_largest = static_cast<double>(j) / total;
      for (size_t u = 0; u <= u_max; ++u) {
        double p = y_largest * current[(j - 1) * width + u];
        if (u >= j) p += x_largest * previous[j * width + u - j];
        current[j * width + u] = p;
      }
    }
    std::swap(previous, current);
  }
  return {previous.begin() + static_cast<std::ptrdiff_t>(n * width), previous.end()};
}

// P(U_{m,n} <= u_max), summed from u = 0.
double mann_whitney_lower_tail(size_t m, size_t n, size_t u_max) {
  double tail = 0;
  for (double p : mann_whitney_probabilities(m, n, u_max)) tail += p;
  return tail;
}

// P(I <= k_max) where I is the number of inversions of a uniformly random
// permutation of n elements, via the prefix sums of the previous row.
double inversions_lower_tail(size_t n, size_t k_max) {
  std::vector<double> row(k_max + 1, 0.0);
  row[0] = 1.0;  // one element: no inversion
  std::vector<double> prefix(k_max + 2, 0.0);
  for (size_t size = 2; size <= n; ++size) {
    // The new element adds 0..size-1 inversions, uniformly.
    prefix[0] = 0;
    for (size_t k = 0; k <= k_max; ++k) prefix[k + 1] = prefix[k] + row[k];
    for (size_t k = 0; k <= k_max; ++k) {
      const size_t first = k >= size - 1 ? k - (size - 1) : 0;
      row[k] = (prefix[k + 1] - prefix[first]) / static_cast<double>(size);
    }
  }
  return std::accumulate(row.begin(), row.end(), 0.0);
}

// Sizes of the groups of equal values (only groups of 2 or more matter).
std::vector<double> tie_group_sizes(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::vector<double> groups;
  size_t start = 0;
  while (start < values.size()) {
    size_t end = start + 1;
    while (end < values.size() && values[end] == values[start]) ++end;
    if (end - start > 1) groups.push_back(static_cast<double>(end - start));
    start = end;
  }
  return groups;
}

}  // namespace

util::Result<MannWhitney> mann_whitney_u(std::span<const double> x, std::span<const double> y) {
  if (x.empty() || y.empty()) return util::error("Mann-Whitney U needs samples on both sides");
  if (!all_finite(x) || !all_finite(y)) return util::error("a sample is not a finite number");

  // Mid-ranks of the pooled samples; the rank sum of x gives U.
  struct Tagged {
    double value;
    bool from_x;
  };
  std::vector<Tagged> pooled;
  pooled.reserve(x.size() + y.size());
  for (double v : x) pooled.push_back({v, true});
  for (double v : y) pooled.push_back({v, false});
  std::sort(pooled.begin(), pooled.end(),
            [](const Tagged& a, const Tagged& b) { return a.value < b.value; });
  double rank_sum_x = 0;
  double tie_term = 0;  // sum of t^3 - t over tie groups
  bool ties = false;
  size_t start = 0;
  while (start < pooled.size()) {
    size_t end = start + 1;
    while (end < pooled.size() && pooled[end].value == pooled[start].value) ++end;
    const double mid_rank = static_cast<double>(start + 1 + end) / 2.0;  // mean of ranks start+1..end
    for (size_t i = start; i < end; ++i) {
      if (pooled[i].from_x) rank_sum_x += mid_rank;
    }
    const double t = static_cast<double>(end - start);
    if (end - start > 1) ties = true;
    tie_term += t * t * t - t;
    start = end;
  }

  const double m = static_cast<double>(x.size());
  const double n = static_cast<double>(y.size());
  MannWhitney result;
  result.u = rank_sum_x - m * (m + 1) / 2.0;
  result.ties = ties;

  if (!ties && x.size() < kExactMannWhitneyLimit && y.size() < kExactMannWhitneyLimit) {
    result.method = PValueMethod::Exact;
    // Without ties U is an integer; the distribution is symmetric about mn/2.
    const double smaller = std::min(result.u, m * n - result.u);
    const size_t u_small = static_cast<size_t>(std::llround(smaller));
    result.p_value = std::min(1.0, 2.0 * mann_whitney_lower_tail(x.size(), y.size(), u_small));
    return result;
  }

  result.method = PValueMethod::NormalApproximation;
  const double total = m + n;
  const double variance = m * n / 12.0 * ((total + 1) - tie_term / (total * (total - 1)));
  if (!(variance > 0)) {
    result.p_value = 1.0;  // every pooled value is equal: no evidence of a shift
    return result;
  }
  const double difference = result.u - m * n / 2.0;
  const double corrected = std::max(0.0, std::fabs(difference) - 0.5);
  result.z = std::copysign(corrected / std::sqrt(variance), difference);
  result.p_value = two_sided_normal_p(result.z);
  return result;
}

std::vector<double> mann_whitney_exact_p_values(size_t m, size_t n) {
  if (m == 0 || n == 0) return std::vector<double>(1, 1.0);
  const auto probabilities = mann_whitney_probabilities(m, n, m * n);
  const size_t top = m * n;
  std::vector<double> tails(top + 1, 0.0);  // P(U <= u), summed from u = 0 as mann_whitney_lower_tail does
  double tail = 0;
  for (size_t u = 0; u <= top; ++u) tails[u] = tail += probabilities[u];
  std::vector<double> p_values(top + 1);
  for (size_t u = 0; u <= top; ++u) p_values[u] = std::min(1.0, 2.0 * tails[std::min(u, top - u)]);
  return p_values;
}

util::Result<MannKendall> mann_kendall(std::span<const double> values) {
  if (!all_finite(values)) return util::error("a sample is not a finite number");
  if (values.size() > kMannKendallMaxValues) {
    return util::error("too many values for the Mann-Kendall test (at most " +
                       std::to_string(kMannKendallMaxValues) + ")");
  }
  MannKendall result;
  const size_t count = values.size();
  if (count < 2) return result;

  long long s = 0;
  long long inversions = 0;
  std::vector<double> slopes;
  slopes.reserve(count * (count - 1) / 2);
  for (size_t i = 0; i < count; ++i) {
    for (size_t j = i + 1; j < count; ++j) {
      if (values[j] > values[i]) ++s;
      if (values[j] < values[i]) {
        --s;
        ++inversions;
      }
      slopes.push_back((values[j] - values[i]) / static_cast<double>(j - i));
    }
  }
  result.s = static_cast<double>(s);
  result.sen_slope = median(slopes);

  const std::vector<double> groups = tie_group_sizes({values.begin(), values.end()});
  const double n = static_cast<double>(count);
  if (groups.empty() && count <= kExactMannKendallLimit) {
    result.method = PValueMethod::Exact;
    const size_t pairs = count * (count - 1) / 2;
    const size_t observed = static_cast<size_t>(inversions);
    const size_t smaller = std::min(observed, pairs - observed);
    result.p_value = std::min(1.0, 2.0 * inversions_lower_tail(count, smaller));
    return result;
  }

  result.method = PValueMethod::NormalApproximation;
  double variance = n * (n - 1) * (2 * n + 5);
  for (double t : groups) variance -= t * (t - 1) * (2 * t + 5);
  variance /= 18.0;
  if (!(variance > 0)) {
    result.p_value = 1.0;  // all values tied
    return result;
  }
  const double corrected = std::max(0.0, std::fabs(result.s) - 1.0);
  result.p_value = two_sided_normal_p(corrected / std::sqrt(variance));
  return result;
}

}  // namespace buildbench::stats
