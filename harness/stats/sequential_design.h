#pragma once
// The group-sequential design of an adaptive run (docs/adaptive-repetitions.md):
// after every round the runner compares each claim's cells with the exact
// Mann-Whitney test, on the first n samples of each side, for n = min_n ..
// max_n. Looking that often at p < 0.05 would call about one identical pair in
// nine "significant"; each look therefore tests at a stricter level, chosen
// so that the chance of a false "significant" at any look stays at or below
// alpha.
//
// Two designs:
// - calibrated (new runs): the first look that can reject at all decides on
//   a perfect separation of the two sides (its smallest possible p), every
//   later look at one common level. That level is the largest one whose
//   error over all looks, counted on 200,000 seeded random orderings of the
//   two sides' samples, stays 3 standard errors below alpha. Under "no
//   difference" the ranks of untied samples are a uniformly random ordering
//   whatever the build times' distribution, so the count holds for any
//   distribution.
// - bonferroni (runs recorded before the calibrated design): every look at
//   alpha / L, L the looks that can reject at that level (union bound).
//   Kept so that old results files replay the looks their run made.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace buildbench::stats {

enum class DesignKind { Calibrated, Bonferroni };

// "calibrated", "bonferroni"; and back (nullopt for anything else).
std::string_view design_name(DesignKind kind);
std::optional<DesignKind> design_kind(std::string_view name);

struct SequentialDesign {
  DesignKind kind = DesignKind::Calibrated;
  size_t min_n = 3;
  size_t max_n = 15;
  double alpha = 0.05;             // the error rate over all looks
  size_t first_rejecting_n = 0;    // the first look whose smallest possible p passes its level (0: none)
  double first_look_alpha = 0.05;  // the level at first_rejecting_n
  double look_alpha = 0.05;        // the level of every other look
  size_t rejecting_looks = 0;      // looks n in [min_n, max_n] whose smallest possible p passes their level
  // Calibrated designs: the error over all looks counted on `orderings`
  // random orderings (0 when it was computed exactly: a single look).
  double estimated_error = 0;
  size_t orderings = 0;

  // The level a look at n samples per side tests at (p < level).
  double level_at(size_t n) const { return n == first_rejecting_n ? first_look_alpha : look_alpha; }
};

// Largest max_n the calibrated design is computed for: its cost grows with
// max_n squared, and from 50 samples a side Mann-Whitney's p comes from the
// normal approximation, not the exact table the calibration counts with.
// Beyond it sequential_design falls back to bonferroni.
constexpr size_t kCalibratedMaxN = 49;

// The design for min_n..max_n (1 <= min_n <= max_n). Calibrated designs are
// computed once per (min_n, max_n, alpha) in a process (about 30 ms for
// 3..10) and are the same on every machine: the orderings come from a fixed
// SplitMix64 seed.
SequentialDesign sequential_design(size_t min_n, size_t max_n, double alpha = 0.05,
                                   DesignKind kind = DesignKind::Calibrated);

// The levels in words, for the plan a run prints and the report's header,
// e.g. "the first look that can decide (n=4) needs a perfect separation
// (p < 0.0286), every later look p < 0.0107; ...".
std::string describe_levels(const SequentialDesign& design);

// A design as a results header recorded it, to replay the run's looks.
SequentialDesign recorded_design(DesignKind kind, size_t min_n, size_t max_n, double alpha, size_t first_rejecting_n,
                                 double first_look_alpha, double look_alpha);

// The chance that a design calls a difference significant at any look when
// there is none, counted on `orderings` random orderings from `seed`: the
// check of a design (tests) with orderings it was not calibrated on.
double false_positive_rate(const SequentialDesign& design, size_t orderings, unsigned long long seed);

}  // namespace buildbench::stats
