#include "stats/sequential_design.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <numeric>
#include <tuple>
#include <vector>

#include "stats/random.h"
#include "stats/rank_tests.h"
#include "stats/verdicts.h"

namespace buildbench::stats {
namespace {

constexpr size_t kCalibrationOrderings = 200000;
constexpr unsigned long long kCalibrationSeed = 20261206;
// Levels are attainable p-values; a look rejects at p < level, so the level
// sits a hair above the value it admits.
constexpr double kAdmit = 1 + 1e-9;

// The exact p-value of every U, per look n (n samples a side).
class LookTables {
 public:
  explicit LookTables(size_t max_n) : p_(max_n + 1) {
    for (size_t n = 1; n <= max_n; ++n) p_[n] = mann_whitney_exact_p_values(n, n);
  }
  double p(size_t n, size_t u) const { return p_[n][u]; }
  const std::vector<double>& all(size_t n) const { return p_[n]; }

 private:
  std::vector<std::vector<double>> p_;
};

// Random orderings of 2 max_n untied samples, split into two sides in run
// order; `visit(n, p)` gets the p-value of every look n = 1..max_n and
// returns false to skip the ordering's remaining looks.
template <typename Visit>
void for_each_ordering(const LookTables& tables, size_t max_n, size_t orderings, unsigned long long seed, Visit visit) {
  SplitMix64 random(seed);
  std::vector<size_t> ranks(2 * max_n);
  for (size_t ordering = 0; ordering < orderings; ++ordering) {
    std::iota(ranks.begin(), ranks.end(), size_t{0});
    for (size_t i = ranks.size() - 1; i > 0; --i) std::swap(ranks[i], ranks[random.below(i + 1)]);
    const size_t* a = ranks.data();
    const size_t* b = ranks.data() + max_n;
    size_t u = 0;  // pairs (i, j), both among the first n, with a_i > b_j
    for (size_t n = 1; n <= max_n; ++n) {
      const size_t k = n - 1;
      for (size_t j = 0; j < k; ++j) u += a[k] > b[j];
      for (size_t i = 0; i < k; ++i) u += a[i] > b[k];
      u += a[k] > b[k];
      if (!visit(ordering, n, tables.p(n, u))) break;
    }
  }
}

SequentialDesign normalized(DesignKind kind, size_t min_n, size_t max_n, double alpha) {
  SequentialDesign design;
  design.kind = kind;
  design.min_n = std::max<size_t>(1, min_n);
  design.max_n = std::max(design.min_n, max_n);
  design.alpha = alpha;
  return design;
}

SequentialDesign bonferroni(size_t min_n, size_t max_n, double alpha) {
  SequentialDesign design = normalized(DesignKind::Bonferroni, min_n, max_n, alpha);
  const size_t looks = design.max_n - design.min_n + 1;
  auto rejecting = [&](double level, size_t* first) {
    size_t count = 0;
    for (size_t n = design.min_n; n <= design.max_n; ++n) {
      if (smallest_possible_p(n, n) <= level) {
        if (count == 0) *first = n;
        ++count;
      }
    }
    return count;
  };
  // The smallest L with at most L rejecting looks at alpha / L exists: L =
  // looks always qualifies.
  for (size_t divisor = 1; divisor <= looks; ++divisor) {
    double level = alpha / static_cast<double>(divisor);
    size_t first = 0;
    size_t count = rejecting(level, &first);
    if (count <= divisor) {
      design.look_alpha = design.first_look_alpha = level;
      design.rejecting_looks = count;
      design.first_rejecting_n = first;
      break;
    }
  }
  return design;
}

SequentialDesign calibrated(size_t min_n, size_t max_n, double alpha) {
  SequentialDesign design = normalized(DesignKind::Calibrated, min_n, max_n, alpha);
  if (design.max_n > kCalibratedMaxN) return bonferroni(min_n, max_n, alpha);
  const LookTables tables(design.max_n);
  const double orderings = static_cast<double>(kCalibrationOrderings);
  const double target = alpha - 3 * std::sqrt(alpha * (1 - alpha) / orderings);

  size_t first = 0;
  for (size_t n = design.min_n; n <= design.max_n && first == 0; ++n) {
    if (tables.p(n, 0) <= target) first = n;
  }
  if (first == 0 || first == design.max_n) {
    // At most one look can reject: a fixed-count test, exact at alpha.
    design.first_look_alpha = design.look_alpha = alpha;
    for (size_t n = design.min_n; n <= design.max_n && design.first_rejecting_n == 0; ++n) {
      if (tables.p(n, 0) < alpha) design.first_rejecting_n = n;
    }
    design.rejecting_looks = design.first_rejecting_n == 0 ? 0 : 1;
    if (design.first_rejecting_n != 0) {
      for (double p : tables.all(design.first_rejecting_n)) {
        if (p < alpha) design.estimated_error = std::max(design.estimated_error, p);
      }
    }
    return design;
  }

  // Per ordering: is the first look a perfect separation, and the least p
  // over the first look and the later ones.
  const double perfect = tables.p(first, 0);
  size_t perfect_count = 0;
  std::vector<double> least(kCalibrationOrderings, 1.0);
  std::vector<char> separated(kCalibrationOrderings, 0);
  for_each_ordering(tables, design.max_n, kCalibrationOrderings, kCalibrationSeed,
                    [&](size_t ordering, size_t n, double p) {
                      if (n < first) return true;
                      if (n == first && p <= perfect) {
                        separated[ordering] = 1;
                        ++perfect_count;
                        return false;
                      }
                      least[ordering] = std::min(least[ordering], p);
                      return true;
                    });
  std::vector<double> keys;
  keys.reserve(kCalibrationOrderings - perfect_count);
  for (size_t i = 0; i < kCalibrationOrderings; ++i) {
    if (!separated[i]) keys.push_back(least[i]);
  }
  std::sort(keys.begin(), keys.end());
  // With a common level c for the later looks (and max(c, perfect) for the
  // first), an ordering rejects when its first look separates perfectly or
  // its least p is at most c: the error is monotone in c.
  auto error_at = [&](double level) {
    auto below = std::upper_bound(keys.begin(), keys.end(), level) - keys.begin();
    return (static_cast<double>(perfect_count) + static_cast<double>(below)) / orderings;
  };
  std::vector<double> candidates;
  for (size_t n = first + 1; n <= design.max_n; ++n) {
    for (double p : tables.all(n)) {
      if (p <= alpha) candidates.push_back(p);
    }
  }
  std::sort(candidates.begin(), candidates.end(), std::greater<>());
  double level = 0;
  design.estimated_error = static_cast<double>(perfect_count) / orderings;
  for (double candidate : candidates) {
    double error = error_at(candidate);
    if (error <= target) {
      level = candidate;
      design.estimated_error = error;
      break;
    }
  }
  design.first_rejecting_n = first;
  design.first_look_alpha = std::max(level, perfect) * kAdmit;
  design.look_alpha = level * kAdmit;
  design.rejecting_looks = 1;
  for (size_t n = first + 1; n <= design.max_n; ++n) design.rejecting_looks += tables.p(n, 0) < design.look_alpha;
  design.orderings = kCalibrationOrderings;
  return design;
}

}  // namespace

std::string_view design_name(DesignKind kind) {
  return kind == DesignKind::Calibrated ? "calibrated" : "bonferroni";
}

std::optional<DesignKind> design_kind(std::string_view name) {
  if (name == "calibrated") return DesignKind::Calibrated;
  if (name == "bonferroni") return DesignKind::Bonferroni;
  return std::nullopt;
}

SequentialDesign sequential_design(size_t min_n, size_t max_n, double alpha, DesignKind kind) {
  if (kind == DesignKind::Bonferroni) return bonferroni(min_n, max_n, alpha);
  // The runner asks after every round and the report once per engine: the
  // orderings are counted once per process.
  static std::mutex mutex;
  static std::map<std::tuple<size_t, size_t, double>, SequentialDesign> known;
  std::lock_guard lock(mutex);
  auto key = std::make_tuple(min_n, max_n, alpha);
  auto found = known.find(key);
  if (found == known.end()) found = known.emplace(key, calibrated(min_n, max_n, alpha)).first;
  return found->second;
}

std::string describe_levels(const SequentialDesign& design) {
  char text[320];
  if (design.kind == DesignKind::Bonferroni) {
    // The wording reports of bonferroni runs have always had.
    std::snprintf(text, sizeof text,
                  "each look after a round tests at p < %.3g, so that the error rate over all looks stays within %.3g",
                  design.look_alpha, design.alpha);
  } else if (design.rejecting_looks == 0) {
    std::snprintf(text, sizeof text, "no look from n=%zu to n=%zu can reach p < %.3g", design.min_n, design.max_n, design.alpha);
  } else if (design.rejecting_looks == 1) {
    std::snprintf(text, sizeof text, "one look can decide (n=%zu), at p < %.3g", design.first_rejecting_n, design.alpha);
  } else if (design.first_look_alpha > design.look_alpha) {
    std::snprintf(text, sizeof text,
                  "the first look that can decide (n=%zu) needs a perfect separation (p < %.3g), every later look "
                  "p < %.3g; error over all looks %.2f%% of %zu random orderings (alpha %.3g)",
                  design.first_rejecting_n, design.first_look_alpha, design.look_alpha, 100 * design.estimated_error,
                  design.orderings, design.alpha);
  } else {
    std::snprintf(text, sizeof text,
                  "each look from n=%zu tests at p < %.3g; error over all looks %.2f%% of %zu random orderings (alpha %.3g)",
                  design.first_rejecting_n, design.look_alpha, 100 * design.estimated_error, design.orderings, design.alpha);
  }
  return text;
}

SequentialDesign recorded_design(DesignKind kind, size_t min_n, size_t max_n, double alpha, size_t first_rejecting_n,
                                 double first_look_alpha, double look_alpha) {
  SequentialDesign design = normalized(kind, min_n, max_n, alpha);
  design.first_rejecting_n = first_rejecting_n;
  design.first_look_alpha = first_look_alpha;
  design.look_alpha = look_alpha;
  design.rejecting_looks = 0;
  for (size_t n = design.min_n; n <= design.max_n; ++n) {
    design.rejecting_looks += smallest_possible_p(n, n) < design.level_at(n);
  }
  return design;
}

double false_positive_rate(const SequentialDesign& design, size_t orderings, unsigned long long seed) {
  if (orderings == 0 || design.max_n > kCalibratedMaxN) return 0;
  const LookTables tables(design.max_n);
  size_t rejected = 0;
  for_each_ordering(tables, design.max_n, orderings, seed, [&](size_t, size_t n, double p) {
    if (n < design.min_n) return true;
    if (p < design.level_at(n)) {
      ++rejected;
      return false;
    }
    return true;
  });
  return static_cast<double>(rejected) / static_cast<double>(orderings);
}

}  // namespace buildbench::stats
