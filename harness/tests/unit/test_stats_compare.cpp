// Bootstrap intervals are checked against a Python model of the documented
// algorithm (SplitMix64 as in test_stats_random.cpp, statistics.median):
//   def boot(base, cand, B=10000, conf=0.95, seed=0x6275696C6462656E):
//     r = SM(seed); ratios = []
//     for _ in range(B):
//       b = [base[r.below(len(base))] for _ in base]
//       c = [cand[r.below(len(cand))] for _ in cand]
//       ratios.append(median(c) / median(b))
//     ratios.sort(); tail = floor(B * (1 - conf) / 2 + 1e-9)
//     return median(cand) / median(base), ratios[tail], ratios[B - 1 - tail]
// p-values are exact Mann-Whitney values from integer counts (see
// test_stats_rank_tests.cpp), candidate first.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <vector>

#include "stats/compare.h"

using namespace buildbench::stats;

namespace {
// Eight low-noise wall times (+-1.5%) around 10 s.
const std::vector<double> kBaseline = {10.0, 10.2, 9.9, 10.1, 10.05, 9.95, 10.15, 9.85};
}  // namespace

TEST_CASE("ratio_of_medians bootstrap is reproducible and exact", "[stats][compare]") {
  SECTION("default options") {
    const std::vector<double> candidate = {13.0, 13.26, 12.87, 13.13, 13.065, 12.935, 13.195, 12.805};
    auto ratio = ratio_of_medians(kBaseline, candidate);
    REQUIRE(ratio.ok());
    CHECK(ratio->ratio == Approx(1.2999999999999998).epsilon(1e-15));  // 13.0325 / 10.025
    CHECK(ratio->ci_low == Approx(1.2775862068965518).epsilon(1e-15));
    CHECK(ratio->ci_high == Approx(1.3228643216080405).epsilon(1e-15));
    CHECK(ratio->resamples == 10000);
    CHECK(ratio->confidence == 0.95);
  }
  SECTION("odd sizes, custom seed and resample count") {
    // boot([1, 2, 3], [2, 4, 6.5], B=1000, seed=7) -> (2.0, 0.666..., 6.5)
    BootstrapOptions options;
    options.resamples = 1000;
    options.seed = 7;
    auto ratio = ratio_of_medians(std::vector<double>{1, 2, 3}, std::vector<double>{2, 4, 6.5}, options);
    REQUIRE(ratio.ok());
    CHECK(ratio->ratio == 2.0);
    CHECK(ratio->ci_low == Approx(2.0 / 3.0).epsilon(1e-15));
    CHECK(ratio->ci_high == 6.5);
  }
  SECTION("even sizes, 90%") {
    // boot([4, 1, 3, 2], [5, 6, 7], B=999, conf=0.9, seed=99) -> (2.4, 1.5, 5.0);
    // tail = floor(999 * 0.05) = 49.
    BootstrapOptions options;
    options.resamples = 999;
    options.confidence = 0.90;
    options.seed = 99;
    auto ratio = ratio_of_medians(std::vector<double>{4, 1, 3, 2}, std::vector<double>{5, 6, 7}, options);
    REQUIRE(ratio.ok());
    CHECK(ratio->ratio == Approx(2.4).epsilon(1e-15));
    CHECK(ratio->ci_low == 1.5);
    CHECK(ratio->ci_high == 5.0);
  }
  SECTION("many distinct values: the interval sits exactly at the documented ranks") {
    // base[i] = 10 + (37 i mod 101) / 50, cand[i] = 11 + (53 i mod 103) / 40,
    // i < 25; boot(base, cand, B=400, seed=2026): tail = 10, sorted ratios
    // [9..11] = 1.035714, 1.0361552028218695, 1.037280701754386 and
    // [389] = 1.1632270168855534, [390] = 1.169811320754717; an off-by-one
    // in the percentile rank would pick a neighbour.
    std::vector<double> base;
    std::vector<double> cand;
    for (int i = 0; i < 25; ++i) {
      base.push_back(10 + static_cast<double>((i * 37) % 101) / 50);
      cand.push_back(11 + static_cast<double>((i * 53) % 103) / 40);
    }
    BootstrapOptions options;
    options.resamples = 400;
    options.seed = 2026;
    auto ratio = ratio_of_medians(base, cand, options);
    REQUIRE(ratio.ok());
    CHECK(ratio->ratio == Approx(1.0877513711151738).epsilon(1e-15));
    CHECK(ratio->ci_low == Approx(1.0361552028218695).epsilon(1e-15));
    CHECK(ratio->ci_high == Approx(1.1632270168855534).epsilon(1e-15));
  }
  SECTION("the same call twice gives the same interval; another seed another one") {
    const std::vector<double> candidate = {10.3, 10.8, 9.7, 11.2, 10.1};
    auto first = ratio_of_medians(kBaseline, candidate);
    auto second = ratio_of_medians(kBaseline, candidate);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(first->ci_low == second->ci_low);
    CHECK(first->ci_high == second->ci_high);
    CHECK(first->ci_low <= first->ratio);
    CHECK(first->ratio <= first->ci_high);
  }
  SECTION("invalid input is an error") {
    const std::vector<double> ok = {1.0, 2.0};
    CHECK_FALSE(ratio_of_medians(std::vector<double>{}, ok).ok());
    CHECK_FALSE(ratio_of_medians(ok, std::vector<double>{}).ok());
    CHECK_FALSE(ratio_of_medians(std::vector<double>{0.0, 1.0}, ok).ok());   // zero denominator
    CHECK_FALSE(ratio_of_medians(ok, std::vector<double>{-1.0}).ok());
    CHECK_FALSE(ratio_of_medians(ok, std::vector<double>{std::nan("")}).ok());
    CHECK(ratio_of_medians(ok, std::vector<double>{0.0}).ok());  // a zero numerator is fine
    BootstrapOptions none;
    none.resamples = 0;
    CHECK_FALSE(ratio_of_medians(ok, ok, none).ok());
    BootstrapOptions certain;
    certain.confidence = 1.0;
    CHECK_FALSE(ratio_of_medians(ok, ok, certain).ok());
  }
  SECTION("a single resample is its own interval") {
    BootstrapOptions one;
    one.resamples = 1;
    auto ratio = ratio_of_medians(std::vector<double>{2.0}, std::vector<double>{3.0}, one);
    REQUIRE(ratio.ok());
    CHECK(ratio->ci_low == 1.5);
    CHECK(ratio->ci_high == 1.5);
  }
}

// The table of issue 6: identical -> pass; +30% with low noise -> regression;
// +3% under a 5% threshold -> pass; noisy +10% with 3 samples -> "~".
TEST_CASE("compare_samples verdict table", "[stats][compare]") {
  SECTION("identical samples pass as not significant") {
    // U = 32 = 8 * 8 / 2 -> p = 1; bootstrap (1.0, 0.98276, 1.01759).
    auto comparison = compare_samples(kBaseline, kBaseline);
    REQUIRE(comparison.ok());
    CHECK(comparison->verdict == Verdict::NotSignificant);
    CHECK(verdict_label(comparison->verdict) == "~");
    CHECK(comparison->test.p_value == 1.0);
    CHECK(comparison->ratio.ratio == 1.0);
    CHECK(comparison->ratio.ci_low == Approx(0.9827586206896551).epsilon(1e-15));
    CHECK(comparison->ratio.ci_high == Approx(1.0175879396984926).epsilon(1e-15));
    CHECK_FALSE(comparison->fails_gate());
  }
  SECTION("+30% with low noise is a regression") {
    // Each value times 1.3: no overlap, U = 64, p = 2 / C(16, 8) = 1/6435.
    const std::vector<double> slower = {13.0, 13.26, 12.87, 13.13, 13.065, 12.935, 13.195, 12.805};
    auto comparison = compare_samples(kBaseline, slower);
    REQUIRE(comparison.ok());
    CHECK(comparison->verdict == Verdict::Regressed);
    CHECK(verdict_label(comparison->verdict) == "regressed");
    CHECK(comparison->significant);
    CHECK(comparison->test.u == 64.0);
    CHECK(comparison->test.p_value == Approx(1.0 / 6435.0).epsilon(1e-12));
    CHECK(comparison->ratio.ratio == Approx(1.3).epsilon(1e-12));
    CHECK(comparison->fails_gate());
  }
  SECTION("+3% under a 5% threshold passes although it is significant") {
    // Each value times 1.03: U = 61, p = 0.0010878010878010878 (14/12870),
    // ratio 1.03 with CI (1.01224, 1.04812).
    const std::vector<double> slightly = {10.3, 10.506, 10.197, 10.403, 10.3515, 10.2485, 10.4545, 10.1455};
    auto comparison = compare_samples(kBaseline, slightly);
    REQUIRE(comparison.ok());
    CHECK(comparison->verdict == Verdict::WithinThreshold);
    CHECK(comparison->significant);
    CHECK(comparison->test.u == 61.0);
    CHECK(comparison->test.p_value == Approx(0.0010878010878010878).epsilon(1e-12));
    CHECK(comparison->ratio.ratio == Approx(1.03).epsilon(1e-12));
    CHECK(comparison->ratio.ci_low == Approx(1.0122413793103449).epsilon(1e-15));
    CHECK(comparison->ratio.ci_high == Approx(1.0481155778894473).epsilon(1e-15));
    CHECK_FALSE(comparison->fails_gate());

    // The same change against a 2% threshold is a regression.
    CompareOptions strict;
    strict.threshold = 0.02;
    auto strict_comparison = compare_samples(kBaseline, slightly, strict);
    REQUIRE(strict_comparison.ok());
    CHECK(strict_comparison->verdict == Verdict::Regressed);
  }
  SECTION("noisy +10% with 3 samples is not significant") {
    // Medians 10.0 -> 11.0; U = 6 of 9, exact p = 0.7; bootstrap CI
    // (0.768, 1.5977) straddles 1.
    const std::vector<double> baseline = {10.0, 12.5, 8.7};
    const std::vector<double> candidate = {11.0, 13.9, 9.6};
    auto comparison = compare_samples(baseline, candidate);
    REQUIRE(comparison.ok());
    CHECK(comparison->verdict == Verdict::NotSignificant);
    CHECK(verdict_label(comparison->verdict) == "~");
    CHECK(comparison->test.p_value == Approx(0.7).epsilon(1e-12));
    CHECK(comparison->ratio.ratio == Approx(1.1).epsilon(1e-12));
    CHECK(comparison->ratio.ci_low == Approx(0.768).epsilon(1e-15));
    CHECK(comparison->ratio.ci_high == Approx(1.5977011494252875).epsilon(1e-15));
    CHECK_FALSE(comparison->fails_gate());
  }
  SECTION("-30% is an improvement and passes") {
    const std::vector<double> faster = {7.0, 7.14, 6.93, 7.07, 7.035, 6.965, 7.105, 6.895};
    auto comparison = compare_samples(kBaseline, faster);
    REQUIRE(comparison.ok());
    CHECK(comparison->verdict == Verdict::Improved);
    CHECK(comparison->test.u == 0.0);
    CHECK(comparison->ratio.ratio == Approx(0.7).epsilon(1e-12));
    CHECK_FALSE(comparison->fails_gate());
  }
  SECTION("even a huge change with 3 a side is '~' at alpha 0.05, not at 0.2") {
    const std::vector<double> baseline = {1.0, 1.1, 1.2};
    const std::vector<double> candidate = {5.0, 5.1, 5.2};
    auto comparison = compare_samples(baseline, candidate);
    REQUIRE(comparison.ok());
    CHECK(comparison->test.p_value == Approx(0.1).epsilon(1e-12));
    CHECK(comparison->verdict == Verdict::NotSignificant);
    CompareOptions lenient;
    lenient.alpha = 0.2;
    auto lenient_comparison = compare_samples(baseline, candidate, lenient);
    REQUIRE(lenient_comparison.ok());
    CHECK(lenient_comparison->verdict == Verdict::Regressed);
  }
  SECTION("bad options or samples are errors") {
    CompareOptions negative;
    negative.threshold = -0.1;
    CHECK_FALSE(compare_samples(kBaseline, kBaseline, negative).ok());
    CompareOptions no_alpha;
    no_alpha.alpha = 0.0;
    CHECK_FALSE(compare_samples(kBaseline, kBaseline, no_alpha).ok());
    CHECK_FALSE(compare_samples(kBaseline, std::vector<double>{}).ok());
  }
}

TEST_CASE("labels", "[stats][compare]") {
  CHECK(verdict_label(Verdict::Improved) == "improved");
  CHECK(verdict_label(Verdict::WithinThreshold) == "within threshold");
  CHECK(significance_label(0.01, 0.05) == "significant");
  CHECK(significance_label(0.05, 0.05) == "~");  // p >= alpha
  CHECK(significance_label(0.3, 0.05) == "~");
}

TEST_CASE("compare_exact for noise-free metrics", "[stats][compare]") {
  SECTION("equal") {
    auto same = compare_exact(std::vector<int64_t>{7, 7, 7}, std::vector<int64_t>{7, 7});
    REQUIRE(same.ok());
    CHECK(same->equal);
    CHECK(same->difference == 0);
    CHECK(same->describe() == "equal");
    CHECK_FALSE(same->baseline_varies);
  }
  SECTION("differ by X") {
    // 1234 more bytes on 38567: +3.19965...% -> "+3.2%".
    auto grown = compare_exact(std::vector<int64_t>{38567}, std::vector<int64_t>{39801, 39801});
    REQUIRE(grown.ok());
    CHECK_FALSE(grown->equal);
    CHECK(grown->difference == 1234);
    CHECK(grown->describe() == "differ by +1234 (+3.2%)");
    auto fewer = compare_exact(std::vector<int64_t>{6}, std::vector<int64_t>{4});
    REQUIRE(fewer.ok());
    CHECK(fewer->describe() == "differ by -2 (-33.3%)");
    auto from_zero = compare_exact(std::vector<int64_t>{0}, std::vector<int64_t>{512});
    REQUIRE(from_zero.ok());
    CHECK(from_zero->describe() == "differ by +512");
  }
  SECTION("a metric that varies uses its most frequent value and says so") {
    // 5 occurs twice, 9 twice, 3 once: 5 and 9 tie, the smaller wins.
    auto varied = compare_exact(std::vector<int64_t>{9, 5, 3, 9, 5}, std::vector<int64_t>{5});
    REQUIRE(varied.ok());
    CHECK(varied->baseline == 5);
    CHECK(varied->baseline_varies);
    CHECK_FALSE(varied->candidate_varies);
    CHECK(varied->equal);
  }
  SECTION("extreme values saturate instead of overflowing") {
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    auto up = compare_exact(std::vector<int64_t>{kMin}, std::vector<int64_t>{kMax});
    REQUIRE(up.ok());
    CHECK(up->difference == kMax);
    auto down = compare_exact(std::vector<int64_t>{kMax}, std::vector<int64_t>{-2});
    REQUIRE(down.ok());
    CHECK(down->difference == kMin);
  }
  SECTION("empty sides are errors") {
    CHECK_FALSE(compare_exact(std::vector<int64_t>{}, std::vector<int64_t>{1}).ok());
    CHECK_FALSE(compare_exact(std::vector<int64_t>{1}, std::vector<int64_t>{}).ok());
  }
}
