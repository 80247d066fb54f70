// Plans from claims (which cells are built and what each serves) and the
// adaptive decisions after a round (which cells still need samples).
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "scenario/cells.h"
#include "scenario/plan.h"
#include "scenario/scenario.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench::scenario;
namespace fs = std::filesystem;

namespace {

const fs::path kDockerfiles = fs::path(BUILDBENCH_SOURCE_DIR) / "fixtures" / "dockerfiles";

// slow (baseline), fast, cache-mounts, cachebust x cold, warm, code-change, cachebust.
Scenario post_scenario() {
  Scenario s;
  s.name = "cells";
  for (const char* name : {"slow", "fast", "cache-mounts", "cachebust"}) {
    Variant v;
    v.name = name;
    v.dockerfile = kDockerfiles / (std::string(name) + ".Dockerfile");
    s.variants.push_back(v);
  }
  for (auto type : {KindType::Cold, KindType::Warm, KindType::CodeChange, KindType::Cachebust}) {
    BuildKind kind;
    kind.type = type;
    s.build_kinds.push_back(kind);
  }
  s.repetitions = 10;
  s.warmups = 0;
  s.randomize = true;
  s.seed = 5;
  s.series.push_back(Series{});
  return s;
}

ClaimCheck faster(std::string variant, std::string than, std::string kind) {
  ClaimCheck check;
  check.type = CheckType::Faster;
  check.variant = std::move(variant);
  check.than = std::move(than);
  check.kind = std::move(kind);
  return check;
}

Claim claim(std::string id, std::vector<ClaimCheck> checks) {
  Claim c;
  c.id = std::move(id);
  c.text = "text";
  c.checks = std::move(checks);
  return c;
}

}  // namespace

TEST_CASE("dockerfile_declares_arg reads ARG lines", "[scenario][cells]") {
  CHECK(dockerfile_declares_arg(kDockerfiles / "cachebust.Dockerfile", "CACHEBUST"));
  CHECK_FALSE(dockerfile_declares_arg(kDockerfiles / "slow.Dockerfile", "CACHEBUST"));
  CHECK_FALSE(dockerfile_declares_arg(kDockerfiles / "no-such.Dockerfile", "CACHEBUST"));
  // The Dockerfile model's reading: several items, a continued line, lower-case keywords.
  buildbench::util::TempDir dir("bb-declares-");
  buildbench::test::write_file(dir.path() / "Dockerfile",
                               "ARG BASE=alpine\nFROM $BASE\narg VERSION=1 \\\n    CACHEBUST\nRUN true\n");
  CHECK(dockerfile_declares_arg(dir.path() / "Dockerfile", "CACHEBUST"));
  CHECK(dockerfile_declares_arg(dir.path() / "Dockerfile", "BASE"));
  CHECK_FALSE(dockerfile_declares_arg(dir.path() / "Dockerfile", "RUN"));
}

TEST_CASE("plans from claims build only the claims' cells", "[scenario][cells][plan]") {
  Scenario s = post_scenario();
  s.claims = {claim("layer-order", {faster("fast", "slow", "code-change")}),
              claim("bust", {[] {
                      ClaimCheck check;
                      check.type = CheckType::CachedUntil;
                      check.variant = "cachebust";
                      check.kind = "cachebust";
                      check.last_cached_step = "RUN go mod download";
                      return check;
                    }()})};
  auto cells = plan_cells(s, false);
  REQUIRE(cells.cells.size() == 3);
  CHECK(cells.total_cells == 16);
  std::map<std::string, std::vector<std::string>> serves;
  for (const auto& cell : cells.cells) {
    serves[s.variants[cell.variant].name + "/" + s.build_kinds[cell.kind].label()] = cell.serves;
  }
  CHECK(serves["fast/code-change"] == std::vector<std::string>{"claim layer-order"});
  CHECK(serves["slow/code-change"] == std::vector<std::string>{"claim layer-order"});
  CHECK(serves["cachebust/cachebust"] == std::vector<std::string>{"claim bust"});
  REQUIRE(cells.notes.size() == 1);
  CHECK(cells.notes[0] == "13 of 16 cells serve no claim and are not built (--all-cells builds them)");

  auto plan = make_plan(s);
  CHECK(plan.size() == 3 * 10);
  // Each variant's round keeps its claim's kinds; the first of them starts
  // the round (the runner brings the variant to a warm state first).
  for (size_t i = 0; i < plan.size(); ++i) {
    CHECK(plan[i].plan_index == i);
    CHECK(plan[i].first_in_round);
    CHECK(plan[i].variant_name != "cache-mounts");
  }
  CHECK(plan.back().round == 29);

  // --all-cells: the plan of a fixed count, every cell, pointless kinds too.
  PlanOptions all;
  all.all_cells = true;
  CHECK(make_plan(s, all).size() == 16 * 10);
  CHECK(plan_cells(s, true).notes.empty());
}

TEST_CASE("a cachebust kind is left out where the Dockerfile declares no such ARG", "[scenario][cells][plan]") {
  Scenario s = post_scenario();  // no claims: every cell serves the comparison with the baseline
  auto cells = plan_cells(s, false);
  CHECK(cells.cells.size() == 16 - 3);
  REQUIRE(cells.notes.size() == 3);
  CHECK(cells.notes[0] ==
        "`cachebust` is left out for slow: its Dockerfile declares no ARG CACHEBUST, so the bump would be a second "
        "warm build");
  for (const auto& cell : cells.cells) {
    if (cell.variant == 0) {
      CHECK(cell.serves == std::vector<std::string>{"baseline"});
    } else {
      CHECK(cell.serves == std::vector<std::string>{"comparison with slow"});
    }
  }
  CHECK(make_plan(s).size() == 13 * 10);
  // The shuffles do not depend on the cells: the variants' order is the
  // same as with every cell.
  PlanOptions all;
  all.all_cells = true;
  auto order = [](const std::vector<PlannedSample>& plan) {
    std::vector<std::string> out;
    for (const auto& sample : plan) {
      if (sample.first_in_round) out.push_back(sample.variant_name);
    }
    return out;
  };
  CHECK(order(make_plan(s)) == order(make_plan(s, all)));
}

TEST_CASE("decide: a cell stops when what it serves is decided", "[scenario][cells][adaptive]") {
  Scenario s = post_scenario();
  AdaptiveRepetitions adaptive;
  adaptive.min = 3;
  adaptive.max = 10;  // calibrated: n = 4 on a perfect separation (p 0.0286), n = 5..10 at p < 0.0142
  s.adaptive = adaptive;
  ClaimCheck bytes;
  bytes.type = CheckType::Less;
  bytes.variant = "cache-mounts";
  bytes.than = "fast";
  bytes.kind = "code-change";
  bytes.metric = "proxy_bytes";
  s.claims = {claim("big", {faster("cache-mounts", "fast", "code-change"), bytes}),
              claim("small", {faster("fast", "slow", "code-change")})};
  auto cells = plan_cells(s, false);
  REQUIRE(cells.cells.size() == 3);

  // n samples per cell: cache-mounts ten times faster than fast; fast and
  // slow indistinguishable.
  std::map<size_t, size_t> n;
  auto values = [&](size_t variant, size_t, const std::string& metric) {
    std::vector<double> out;
    for (size_t i = 0; i < n[variant]; ++i) {
      double jitter = 0.01 * static_cast<double>((i * 7 + variant) % 5);
      if (metric == "proxy_bytes") out.push_back(variant == 2 ? 0 : 1000);
      else out.push_back(variant == 2 ? 0.6 + jitter : 6.0 + jitter);
    }
    return out;
  };
  auto active = [&](const Decisions& d, const char* variant) {
    for (size_t v = 0; v < s.variants.size(); ++v) {
      if (s.variants[v].name == variant) return d.active(v, 2);
    }
    return false;
  };
  for (size_t v = 0; v < 4; ++v) n[v] = 3;
  auto early = decide(s, cells, values);
  CHECK(active(early, "cache-mounts"));  // no look before n = 4 can reject
  CHECK(early.decided_cells == 0);
  for (size_t v = 0; v < 4; ++v) n[v] = 4;
  auto at_four = decide(s, cells, values);
  CHECK_FALSE(active(at_four, "cache-mounts"));  // a perfect separation at n = 4, bytes exact
  CHECK(active(at_four, "fast"));                // still needed by "small"
  CHECK(active(at_four, "slow"));
  CHECK(at_four.decided_claims == 1);
  CHECK(at_four.decided_cells == 1);
  CHECK(at_four.undecided_cells == 2);
  for (size_t v = 0; v < 4; ++v) n[v] = 10;
  auto at_max = decide(s, cells, values);
  CHECK(at_max.undecided_cells == 0);  // max reached: undecided, but no more builds
  CHECK(at_max.decided_claims == 1);

  // A fixed count never stops a cell.
  s.adaptive.reset();
  CHECK(decide(s, cells, values).undecided_cells == 3);
}

TEST_CASE("decide with until ci_width stops precise cells", "[scenario][cells][adaptive]") {
  Scenario s = post_scenario();
  AdaptiveRepetitions adaptive;
  adaptive.min = 3;
  adaptive.max = 15;
  adaptive.until = AdaptiveRepetitions::Until::CiWidth;
  adaptive.ci_width = 0.05;
  s.adaptive = adaptive;
  auto cells = plan_cells(s, false);
  auto values = [&](size_t variant, size_t, const std::string&) {
    // Variant 1 is tight (0.2% spread), the others spread 20%.
    std::vector<double> out;
    for (size_t i = 0; i < 8; ++i) out.push_back(variant == 1 ? 5.0 + 0.01 * static_cast<double>(i % 3) : 5.0 + static_cast<double>(i % 3));
    return out;
  };
  auto decisions = decide(s, cells, values);
  for (const auto& cell : decisions.cells) {
    INFO(cell.variant << "/" << cell.kind);
    CHECK(cell.active == (cell.variant != 1));
  }
}
