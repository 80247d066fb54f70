#pragma once
// A pseudo-random generator whose output is specified bit for bit, so that
// bootstrap confidence intervals are the same on every platform and compiler
// (std::uniform_int_distribution is implementation-defined, so it is not used).
#include <cstdint>

namespace buildbench::stats {

// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014; the constants are those of Java's
// SplittableRandom): state += 0x9E3779B97F4A7C15, then the output is the
// state passed through two xor-shift-multiply rounds. Small, fast, passes
// BigCrush, and trivial to reproduce in another language.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t next();

  // A uniform integer in [0, bound), bound > 0, without modulo bias: draws
  // below 2^64 mod bound are rejected and drawn again, then the result is
  // draw % bound. (For bound == 0 it returns 0.)
  uint64_t below(uint64_t bound);

 private:
  uint64_t state_;
};

}  // namespace buildbench::stats
