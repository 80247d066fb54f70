// SplitMix64 must produce the same stream everywhere: bootstrap intervals in
// reports depend on it bit for bit.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "stats/random.h"

using buildbench::stats::SplitMix64;

// Reference values: the published SplitMix64 stream for seed 1234567 (the
// test vector of the xoshiro/splitmix reference code), reproduced by this
// Python model, which also gives every other expected value in this file:
//   M = 2**64 - 1
//   def next(s): s += 0x9E3779B97F4A7C15; z = s & M
//     z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
//     z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M;  return z ^ (z >> 31)
//   def below(b): r = 2**64 % b; draw until d >= r; return d % b
TEST_CASE("SplitMix64 reproduces the reference stream", "[stats][random]") {
  SplitMix64 rng(1234567);
  CHECK(rng.next() == 6457827717110365317ULL);
  CHECK(rng.next() == 3203168211198807973ULL);
  CHECK(rng.next() == 9817491932198370423ULL);
  CHECK(rng.next() == 4593380528125082431ULL);
  CHECK(rng.next() == 16408922859458223821ULL);

  SplitMix64 zero(0);
  CHECK(zero.next() == 16294208416658607535ULL);  // 0xE220A8397B1DCDAF
  CHECK(zero.next() == 7960286522194355700ULL);
}

TEST_CASE("SplitMix64::below draws exact, unbiased indices", "[stats][random]") {
  SECTION("small bounds match the reference model") {
    SplitMix64 rng(42);
    std::vector<uint64_t> draws;
    for (int i = 0; i < 10; ++i) draws.push_back(rng.below(10));
    CHECK(draws == std::vector<uint64_t>{3, 1, 8, 4, 0, 2, 5, 8, 5, 4});

    SplitMix64 again(42);
    std::vector<uint64_t> thirds;
    for (int i = 0; i < 10; ++i) thirds.push_back(again.below(3));
    CHECK(thirds == std::vector<uint64_t>{1, 1, 0, 0, 1, 0, 1, 2, 1, 2});
  }

  SECTION("a bound just above 2^63 rejects about half of the draws") {
    // 2^64 mod (2^63 + 1) = 2^63 - 1: raw draws below it are thrown away.
    // Python: s = SM(1234567); [s.below(2**63 + 1) for _ in range(3)]
    //   draws 6457827717110365317 and 3203168211198807973 are rejected,
    //   9817491932198370423 -> 9817491932198370423 % (2**63 + 1)
    SplitMix64 rng(1234567);
    const uint64_t bound = (1ULL << 63) + 1;
    CHECK(rng.below(bound) == 9817491932198370423ULL % bound);
    CHECK(rng.below(bound) == 16408922859458223821ULL % bound);  // 4593380528125082431 rejected
  }

  SECTION("bound 1 is always 0 and bound 0 does not hang") {
    SplitMix64 rng(7);
    for (int i = 0; i < 5; ++i) CHECK(rng.below(1) == 0);
    CHECK(rng.below(0) == 0);
  }

  SECTION("every value of a small range is reached, none beyond it") {
    SplitMix64 rng(2024);
    std::vector<int> counts(6, 0);
    for (int i = 0; i < 6000; ++i) {
      const uint64_t draw = rng.below(6);
      REQUIRE(draw < 6);
      ++counts[draw];
    }
    for (int count : counts) CHECK(count > 850);  // expectation 1000, sd about 29
  }
}
