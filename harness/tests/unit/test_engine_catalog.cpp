#include <catch2/catch.hpp>

#include "docker/engine_facts.h"
#include "engine/catalog.h"

using namespace buildbench;

TEST_CASE("the catalog names three engines, oldest first, with pinned Debian versions", "[engine][catalog]") {
  const auto& engines = engine::known_engines();
  REQUIRE(engines.size() == 3);
  CHECK(engines[0].name == "20.10");
  CHECK(engines[0].is_system());
  CHECK(engines[1].name == "26.1");
  CHECK(engines[1].suite == "trixie");
  CHECK(engines[2].name == "28.5");
  CHECK(engines[2].suite == "forky");
  CHECK(engine::known_engine_names() == "20.10, 26.1, 28.5");
  CHECK(&engine::system_engine() == &engines[0]);

  const auto* forky = engine::find_engine("28.5");
  REQUIRE(forky != nullptr);
  CHECK(forky->engine_version == "28.5.2");
  REQUIRE(forky->components.size() == 4);
  CHECK(forky->components[0].package == "docker.io");
  CHECK(forky->components[0].version == "28.5.2+dfsg4-5");
  CHECK(forky->components[1].package == "containerd");
  CHECK(forky->components[1].version == "2.1.9+ds1-5");
  CHECK(forky->components[3].version == "0.29.1+ds1-4");
  const auto* trixie = engine::find_engine("26.1");
  REQUIRE(trixie != nullptr);
  CHECK(trixie->components[0].version == "26.1.5+dfsg1-9+deb13u1+b1");
  CHECK(trixie->components[1].version == "1.7.24~ds1-6+deb13u1");

  CHECK(engine::find_engine("29.0") == nullptr);
  CHECK(engine::find_engine("") == nullptr);
  CHECK(engine::find_engine("28") == nullptr);
}

TEST_CASE("a daemon's release names its engine: the release, then the end or a non-digit", "[engine][catalog]") {
  const auto name_of = [](std::string_view version) {
    const auto* spec = engine::find_engine_by_version(version);
    return spec ? spec->name : std::string("none");
  };
  CHECK(name_of("20.10.24+dfsg1") == "20.10");
  CHECK(name_of("26.1.5+dfsg1") == "26.1");
  CHECK(name_of("28.5.2") == "28.5");
  CHECK(name_of("28.5.20") == "none");  // another release, not 28.5.2
  CHECK(name_of("28.5") == "none");
  CHECK(name_of("29.0.1") == "none");
  CHECK(name_of("") == "none");
}

TEST_CASE("BuildKit by engine release: a table with its sources", "[engine][catalog]") {
  CHECK(docker::bundled_buildkit_version("20.10.24+dfsg1") == "v0.8");
  CHECK(docker::bundled_buildkit_source("20.10.24+dfsg1").find("docker/cli#3919") != std::string::npos);
  CHECK(docker::bundled_buildkit_version("26.1.5+dfsg1") == "v0.13");
  CHECK(docker::bundled_buildkit_source("26.1.5+dfsg1").find("docker/compose#11583") != std::string::npos);
  CHECK(docker::bundled_buildkit_version("28.5.2+dfsg4") == "v0.25");
  CHECK(docker::bundled_buildkit_source("28.5.2").find("moby/moby#51137") != std::string::npos);
  CHECK(docker::bundled_buildkit_version("29.1.0") == "unknown");
  CHECK(docker::bundled_buildkit_source("29.1.0").find("not in") != std::string::npos);
  // Every catalog engine has an entry: doctor never says "unknown" for them.
  for (const auto& spec : engine::known_engines()) {
    CHECK(docker::bundled_buildkit_version(spec.engine_version) != "unknown");
  }
}

TEST_CASE("image store and components from /info and /version", "[engine][catalog]") {
  auto classic = nlohmann::json::parse(R"({"Driver":"overlay2","DriverStatus":[["Backing Filesystem","extfs"]]})");
  CHECK(docker::image_store_from_info(classic) == "classic (graph driver overlay2)");
  auto snapshotter = nlohmann::json::parse(
      R"({"Driver":"overlayfs","DriverStatus":[["driver-type","io.containerd.snapshotter.v1"]]})");
  CHECK(docker::image_store_from_info(snapshotter) == "containerd snapshotter (overlayfs)");
  auto version = nlohmann::json::parse(
      R"({"Components":[{"Name":"Engine","Version":"28.5.2"},{"Name":"containerd","Version":"2.1.9"},
                        {"Name":"runc","Version":"1.1.5+ds1"}]})");
  CHECK(docker::component_version(version, "containerd") == "2.1.9");
  CHECK(docker::component_version(version, "runc") == "1.1.5+ds1");
  CHECK(docker::component_version(version, "docker-init").empty());
  CHECK(docker::component_version(nlohmann::json::object(), "runc").empty());
}
