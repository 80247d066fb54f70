#include "stats/random.h"

namespace buildbench::stats {

uint64_t SplitMix64::next() {
  state_ += 0x9E3779B97F4A7C15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::below(uint64_t bound) {
  if (bound == 0) return 0;
  // 2^64 mod bound, computed in 64-bit arithmetic as (2^64 - bound) mod bound.
  const uint64_t rejected_below = (0 - bound) % bound;
  uint64_t draw = next();
  while (draw < rejected_below) draw = next();
  return draw % bound;
}

}  // namespace buildbench::stats
