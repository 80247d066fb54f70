// Predicted rebuild time from the seed run's measured step times: parallel
// stages count once along the critical path, not summed.
#include <catch2/catch.hpp>

#include <filesystem>

#include "advise/cost.h"
#include "advise/view.h"
#include "stats/summary.h"

using namespace buildbench;
using namespace buildbench::advise;

TEST_CASE("advise: predicted cost follows the critical path of the stage graph", "[advise]") {
  const auto root = std::filesystem::path(BUILDBENCH_SOURCE_DIR);
  auto results = runner::read_results(root / "reports" / "seed" / "toy" / "results.jsonl");
  REQUIRE(results);
  auto df = read_dockerfile(root / "fixtures" / "dockerfiles" / "parallel-stages.Dockerfile");
  REQUIRE(df);
  auto measured = measured_steps(*results, "", "parallel-stages.Dockerfile");
  REQUIRE(measured);
  CHECK(measured->variant == "parallel-stages");
  CHECK(measured->noop_wall_s > 0.01);
  CHECK(measured->noop_wall_s < 1.0);
  auto ctx = context_from_list({}, "");
  REQUIRE(ctx);
  auto prediction = predict(*df, *ctx, {ChangeKind::SourceEdit, {"internal/pkg007/file00.go"}, "", "", 0});
  auto cost = predict_cost(*df, prediction, *measured);
  const double api = measured->ran_seconds.at({"build-api", 1});
  const double worker = measured->ran_seconds.at({"build-worker", 1});
  const double copy = measured->ran_seconds.at({"base", 5});
  CHECK(cost.critical_path_s >= std::max(api, worker) + copy);
  CHECK(cost.critical_path_s < api + worker);  // not summed: the two stages run side by side
  CHECK(cost.upper_bound);                     // the COPY --from steps are content-dependent
  CHECK(cost.path.front() == "[base 5/5] COPY . .");
  // The measured code-change rebuilds of this variant: the prediction is within 15% of their median.
  std::vector<double> observed;
  for (const auto& s : results->samples)
    if (s.variant == "parallel-stages" && s.kind == "code-change" && !s.warmup) observed.push_back(s.record.wall_s);
  CHECK(cost.seconds == Approx(stats::median(observed)).epsilon(0.15));

  auto none = predict(*df, *ctx, {ChangeKind::None, {}, "", "", 0});
  CHECK(predict_cost(*df, none, *measured).seconds == Approx(measured->noop_wall_s));
  CHECK_FALSE(measured_steps(*results, "", "nothing.Dockerfile"));
}
