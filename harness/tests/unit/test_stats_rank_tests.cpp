// Expected p-values come from Python written independently of the C++ code:
// exact ones by brute-force enumeration (itertools.combinations of the rank
// positions for Mann-Whitney, itertools.permutations for Mann-Kendall) or by
// exact integer counting with fractions.Fraction for larger n; approximate
// ones by the textbook formulas with math.erfc. The R documentation example
// of wilcox.test is quoted as a further cross-check.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "stats/rank_tests.h"

using namespace buildbench::stats;

TEST_CASE("Mann-Whitney exact p-values", "[stats][rank_tests]") {
  SECTION("the example of R's wilcox.test documentation") {
    // R: wilcox.test(x, y, alternative = "g") -> W = 35, p-value = 0.1272;
    // two-sided is twice that. Brute force over the C(15, 5) = 3003 ways to
    // place y among the pooled ranks: 764 of them have U <= 15 or >= 35
    // -> p = 764 / 3003 = 0.2544122544122544.
    const std::vector<double> x = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
    const std::vector<double> y = {1.15, 0.88, 0.90, 0.74, 1.21};
    auto test = mann_whitney_u(x, y);
    REQUIRE(test.ok());
    CHECK(test->u == 35.0);
    CHECK(test->method == PValueMethod::Exact);
    CHECK_FALSE(test->ties);
    CHECK(test->p_value == Approx(764.0 / 3003.0).epsilon(1e-12));
    // Swapping the samples mirrors U and keeps p.
    auto swapped = mann_whitney_u(y, x);
    REQUIRE(swapped.ok());
    CHECK(swapped->u == 15.0);
    CHECK(swapped->p_value == Approx(764.0 / 3003.0).epsilon(1e-12));
  }
  SECTION("complete separation with 3 and 4 a side") {
    // 3 v 3: only 2 of the C(6,3) = 20 arrangements are this extreme: p = 0.1.
    auto three = mann_whitney_u(std::vector<double>{4, 5, 6}, std::vector<double>{1, 2, 3});
    REQUIRE(three.ok());
    CHECK(three->u == 9.0);
    CHECK(three->p_value == Approx(0.1).epsilon(1e-12));
    // 4 v 4: 2 / C(8,4) = 2/70 = 1/35.
    auto four = mann_whitney_u(std::vector<double>{1, 2, 3, 4}, std::vector<double>{5, 6, 7, 8});
    REQUIRE(four.ok());
    CHECK(four->u == 0.0);
    CHECK(four->p_value == Approx(1.0 / 35.0).epsilon(1e-12));
  }
  SECTION("one value a side gives p = 1") {
    auto single = mann_whitney_u(std::vector<double>{2}, std::vector<double>{1});
    REQUIRE(single.ok());
    CHECK(single->p_value == 1.0);
  }
  SECTION("49 v 49 and 49 v 40, the largest exact sizes") {
    // Python, exact integer counts N(u; m, n) = N(u - n; m-1, n) + N(u; m, n-1),
    // p = 2 * sum_{u <= min(U, mn - U)} N(u) / C(m + n, m) as a Fraction.
    std::vector<double> x;
    std::vector<double> y;
    for (int i = 0; i < 49; ++i) {
      x.push_back(i);
      y.push_back(i + 10.5);
    }
    auto shifted = mann_whitney_u(x, y);
    REQUIRE(shifted.ok());
    CHECK(shifted->method == PValueMethod::Exact);
    CHECK(shifted->u == 741.0);
    CHECK(shifted->p_value == Approx(0.0009595747152989213).epsilon(1e-9));

    y.clear();
    for (int i = 0; i < 40; ++i) y.push_back(i + 0.5);
    auto unequal = mann_whitney_u(x, y);
    REQUIRE(unequal.ok());
    CHECK(unequal->method == PValueMethod::Exact);
    CHECK(unequal->u == 1140.0);
    CHECK(unequal->p_value == Approx(0.18930712307412922).epsilon(1e-9));
  }
}

TEST_CASE("Mann-Whitney normal approximation", "[stats][rank_tests]") {
  SECTION("ties: mid-ranks, tie correction, continuity correction") {
    // x = {1,2,2,3,3,3}, y = {3,4,4,5}: U = 3 * 1/2 = 1.5 (the three 3s of x
    // tie with the 3 of y). Tie groups 2 (x2), 3 (x4), 4 (x2):
    // sum(t^3 - t) = 6 + 60 + 6 = 72. var = 6*4/12 * (11 - 72/90) = 20.4.
    // z = -(|1.5 - 12| - 0.5) / sqrt(20.4) = -2.214037213850238,
    // p = erfc(|z| / sqrt 2) = 0.026826219079541535.
    auto test = mann_whitney_u(std::vector<double>{1, 2, 2, 3, 3, 3}, std::vector<double>{3, 4, 4, 5});
    REQUIRE(test.ok());
    CHECK(test->ties);
    CHECK(test->method == PValueMethod::NormalApproximation);
    CHECK(test->u == 1.5);
    CHECK(test->z == Approx(-2.214037213850238).epsilon(1e-12));
    CHECK(test->p_value == Approx(0.026826219079541535).epsilon(1e-12));
  }
  SECTION("no ties but 50 or more values on a side") {
    // x = 0..59, y = 7.25..66.25: U = 1378, var = 3600 * 121 / 12 = 36300,
    // z = -(1800 - 1378 - 0.5) / sqrt(36300) = -2.21230125875843,
    // p = 0.02694585619564298.
    std::vector<double> x;
    std::vector<double> y;
    for (int i = 0; i < 60; ++i) {
      x.push_back(i);
      y.push_back(i + 7.25);
    }
    auto test = mann_whitney_u(x, y);
    REQUIRE(test.ok());
    CHECK_FALSE(test->ties);
    CHECK(test->method == PValueMethod::NormalApproximation);
    CHECK(test->u == 1378.0);
    CHECK(test->p_value == Approx(0.02694585619564298).epsilon(1e-12));
  }
  SECTION("50 v 3") {
    // U = 68, var = 150 * 54 / 12 = 675, z = -(75 - 68 - 0.5) / sqrt(675)
    // = -0.2501851166488378, p = 0.8024441945355316.
    std::vector<double> x;
    for (int i = 0; i < 50; ++i) x.push_back(i);
    auto test = mann_whitney_u(x, std::vector<double>{10.5, 20.5, 60.5});
    REQUIRE(test.ok());
    CHECK(test->u == 68.0);
    CHECK(test->p_value == Approx(0.8024441945355316).epsilon(1e-12));
  }
  SECTION("identical samples: p = 1") {
    const std::vector<double> same = {1.0, 1.0, 1.0};
    auto test = mann_whitney_u(same, same);
    REQUIRE(test.ok());
    CHECK(test->p_value == 1.0);
    const std::vector<double> spread = {1.0, 2.0, 3.0, 4.0};
    auto mirrored = mann_whitney_u(spread, spread);
    REQUIRE(mirrored.ok());
    CHECK(mirrored->u == 8.0);  // n_x n_y / 2
    CHECK(mirrored->p_value == 1.0);
  }
}

TEST_CASE("Mann-Whitney rejects bad input", "[stats][rank_tests]") {
  const std::vector<double> some = {1.0, 2.0};
  CHECK_FALSE(mann_whitney_u(std::vector<double>{}, some).ok());
  CHECK_FALSE(mann_whitney_u(some, std::vector<double>{}).ok());
  CHECK_FALSE(mann_whitney_u(some, std::vector<double>{std::nan("")}).ok());
  CHECK_FALSE(
      mann_whitney_u(std::vector<double>{-std::numeric_limits<double>::infinity()}, some).ok());
}

TEST_CASE("Mann-Kendall trend test", "[stats][rank_tests]") {
  SECTION("exact, by enumerating permutations") {
    struct Row {
      std::vector<double> values;
      double s;
      double p;
      double sen_slope;
    };
    // Python: count permutations of range(n) with at most min(I, n(n-1)/2 - I)
    // inversions; p = 2 * count / n!. Sen slope: statistics.median of the
    // pairwise slopes.
    const std::vector<Row> table = {
        {{1, 2, 3, 4, 5, 6}, 15, 1.0 / 360.0, 1.0},           // only 2 of 720 as extreme
        {{10, 12, 11, 13, 15, 14, 16}, 17, 3.0 / 280.0, 1.0},
        {{5, 3, 4, 1, 2}, -6, 7.0 / 30.0, -0.875},
        {{1, 2}, 1, 1.0, 1.0},
    };
    for (const Row& row : table) {
      auto trend = mann_kendall(row.values);
      REQUIRE(trend.ok());
      CHECK(trend->method == PValueMethod::Exact);
      CHECK(trend->s == row.s);
      CHECK(trend->p_value == Approx(row.p).epsilon(1e-12));
      CHECK(trend->sen_slope == Approx(row.sen_slope).epsilon(1e-12));
    }
  }
  SECTION("exact at n = 50 from integer Mahonian numbers") {
    // values (7i mod 50) + 0.1 i, i = 0..49: S = 49; Python with exact
    // inversion counts gives p = 0.6895534439683066, Sen 0.20344827586206893.
    std::vector<double> values;
    for (int i = 0; i < 50; ++i) values.push_back((i * 7) % 50 + 0.1 * i);
    auto trend = mann_kendall(values);
    REQUIRE(trend.ok());
    CHECK(trend->method == PValueMethod::Exact);
    CHECK(trend->s == 49.0);
    CHECK(trend->p_value == Approx(0.6895534439683066).epsilon(1e-9));
    CHECK(trend->sen_slope == Approx(0.20344827586206893).epsilon(1e-12));
  }
  SECTION("normal approximation with ties") {
    // {1,1,2,3,3,3,4,5}: S = 24; var = (8*7*21 - (2*1*9 + 3*2*11)) / 18
    // = 1092 / 18 = 60.666..., p = erfc((24 - 1) / sqrt(var) / sqrt 2)
    // = 0.003147759855700587.
    auto trend = mann_kendall(std::vector<double>{1, 1, 2, 3, 3, 3, 4, 5});
    REQUIRE(trend.ok());
    CHECK(trend->method == PValueMethod::NormalApproximation);
    CHECK(trend->s == 24.0);
    CHECK(trend->p_value == Approx(0.003147759855700587).epsilon(1e-12));
    CHECK(trend->sen_slope == 0.5);
  }
  SECTION("normal approximation beyond 50 values") {
    // (13i mod 51) + 0.3 i, i = 0..50: S = 465, var = 51*50*107/18
    // = 15158.33, p = 0.00016409605681000515.
    std::vector<double> values;
    for (int i = 0; i < 51; ++i) values.push_back((i * 13) % 51 + 0.3 * i);
    auto trend = mann_kendall(values);
    REQUIRE(trend.ok());
    CHECK(trend->method == PValueMethod::NormalApproximation);
    CHECK(trend->s == 465.0);
    CHECK(trend->p_value == Approx(0.00016409605681000515).epsilon(1e-9));
    CHECK(trend->sen_slope == Approx(0.55).epsilon(1e-12));
  }
  SECTION("degenerate input") {
    auto none = mann_kendall(std::vector<double>{});
    REQUIRE(none.ok());
    CHECK(none->p_value == 1.0);
    auto flat = mann_kendall(std::vector<double>{4, 4, 4, 4});
    REQUIRE(flat.ok());
    CHECK(flat->s == 0.0);
    CHECK(flat->p_value == 1.0);
    CHECK_FALSE(mann_kendall(std::vector<double>{1, std::nan("")}).ok());
  }
}
