#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>

#include "engine/housekeeping.h"

using namespace buildbench;

TEST_CASE("a run labels what it builds with its token and pid", "[engine][housekeeping]") {
  auto labels = engine::run_labels("ci-small", "cached", "a1b2c3d4", 4242);
  CHECK(labels.at("org.buildbench.scenario") == "ci-small");
  CHECK(labels.at("org.buildbench.variant") == "cached");
  CHECK(labels.at("org.buildbench.run") == "a1b2c3d4");
  CHECK(labels.at("org.buildbench.run-pid") == "4242");
}

TEST_CASE("leftovers: images of runs whose process is gone", "[engine][housekeeping]") {
  const int64_t now = 1'800'000'000;
  auto images = nlohmann::json::parse(R"([
    {"Id":"sha256:dead","RepoTags":["buildbench-run/ci-small:cached-a1b2"],"Created":1799999000,
     "Labels":{"org.buildbench.scenario":"ci-small","org.buildbench.run":"a1b2","org.buildbench.run-pid":"100"}},
    {"Id":"sha256:live","RepoTags":["buildbench-run/ci-small:cached-c3d4"],"Created":1799999000,
     "Labels":{"org.buildbench.scenario":"ci-small","org.buildbench.run":"c3d4","org.buildbench.run-pid":"200"}},
    {"Id":"sha256:dangling","RepoTags":["<none>:<none>"],"Created":1799999000,
     "Labels":{"org.buildbench.scenario":"ci-small","org.buildbench.run":"a1b2","org.buildbench.run-pid":"100"}},
    {"Id":"sha256:old-legacy","RepoTags":["buildbench-run/seed:naive-0001"],"Created":1700000000,
     "Labels":{"org.buildbench.scenario":"seed","org.buildbench.variant":"naive"}},
    {"Id":"sha256:new-legacy","RepoTags":["buildbench-run/seed:naive-0002"],"Created":1799999990,
     "Labels":{"org.buildbench.scenario":"seed"}},
    {"Id":"sha256:user","RepoTags":["myapp:latest"],"Created":1700000000,"Labels":{"maintainer":"me"}},
    {"Id":"sha256:nolabels","RepoTags":["golang:1.24-alpine"],"Created":1700000000,"Labels":null},
    {"Id":"sha256:badpid","Created":1700000000,
     "Labels":{"org.buildbench.scenario":"x","org.buildbench.run-pid":"12abc"}}
  ])");
  std::vector<pid_t> asked;
  auto alive = [&](pid_t pid) {
    asked.push_back(pid);
    return pid == 200;
  };
  auto leftovers = engine::find_leftovers(images, alive, now);
  REQUIRE(leftovers.size() == 3);
  CHECK(leftovers[0].id == "sha256:dead");
  CHECK(leftovers[0].run == "a1b2");
  CHECK(leftovers[0].pid == 100);
  CHECK(leftovers[0].tags == std::vector<std::string>{"buildbench-run/ci-small:cached-a1b2"});
  CHECK(leftovers[1].id == "sha256:dangling");
  CHECK(leftovers[1].tags.empty());
  CHECK(leftovers[2].id == "sha256:old-legacy");  // a day old, from before run labels
  CHECK(leftovers[2].pid == -1);
  CHECK(std::count(asked.begin(), asked.end(), 200) == 1);

  CHECK(engine::find_leftovers(nlohmann::json::object(), alive, now).empty());
  CHECK(engine::find_leftovers(nlohmann::json::parse("[1, null, \"x\"]"), alive, now).empty());
}

TEST_CASE("a live buildbench process is told from anything else", "[engine][housekeeping]") {
  // This test binary is not named buildbench: its own pid does not count.
  CHECK_FALSE(engine::buildbench_process_alive(::getpid()));
  CHECK_FALSE(engine::buildbench_process_alive(999'999'999));
}
