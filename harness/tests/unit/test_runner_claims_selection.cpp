// `run --claims A,B`: only those claims are judged, so a plan from claims
// builds only their cells; an unknown id names the scenario's claims.
#include <catch2/catch.hpp>

#include "runner/run_scenario.h"

using namespace buildbench;

TEST_CASE("run --claims keeps the named claims in the scenario's order", "[runner][claims]") {
  std::vector<scenario::Claim> claims(3);
  claims[0].id = "layer-order";
  claims[1].id = "cache-mounts";
  claims[2].id = "small-image";
  auto selected = runner::select_claims(claims, {"small-image", "layer-order"});
  REQUIRE(selected);
  REQUIRE(selected->size() == 2);
  CHECK((*selected)[0].id == "layer-order");
  CHECK((*selected)[1].id == "small-image");

  auto unknown = runner::select_claims(claims, {"layer-order", "layer_order"});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message ==
        "--claims: the scenario has no claim 'layer_order' (its claims: layer-order, cache-mounts, small-image)");
  CHECK_FALSE(runner::select_claims({}, {"x"}));
}
