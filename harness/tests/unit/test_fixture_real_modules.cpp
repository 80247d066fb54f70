#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "fixture/generator.h"
#include "fixture/module_proxy.h"
#include "fixture/mutations.h"
#include "fixture/module_store.h"
#include "fixture/presets.h"
#include "fixture/real_modules.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench::fixture;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, const std::string& content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

bool has_file(const CollectedFiles& collected, const std::string& path) {
  for (const auto& file : collected.files) {
    if (file.path == path) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("zip file paths follow Go's rules", "[fixture][real_modules]") {
  CHECK(check_zip_file_path("a/b.go").ok());
  CHECK(check_zip_file_path("testdata/with space+plus@at.txt").ok());
  CHECK(check_zip_file_path(".github/workflows/ci.yml").ok());  // a leading dot is fine in file paths
  CHECK_FALSE(check_zip_file_path("CON.txt").ok());             // Windows reserved name
  CHECK_FALSE(check_zip_file_path("x/nul").ok());
  CHECK_FALSE(check_zip_file_path("a/GIT~1/b.go").ok());        // Windows short name
  CHECK_FALSE(check_zip_file_path("dir./b.go").ok());           // trailing dot
  CHECK_FALSE(check_zip_file_path("a:b.go").ok());
  CHECK_FALSE(check_zip_file_path("a\\b.go").ok());
  CHECK_FALSE(check_zip_file_path("../b.go").ok());
  CHECK_FALSE(check_zip_file_path("/abs.go").ok());
}

TEST_CASE("module zips leave out VCS dirs, vendored packages and nested modules", "[fixture][real_modules]") {
  std::vector<std::string> nested = {"sub"};
  CHECK_FALSE(excluded_from_module_zip("vendor/modules.txt", nested));  // files directly in vendor/ stay
  CHECK(excluded_from_module_zip("vendor/example.com/a/a.go", nested));
  CHECK(excluded_from_module_zip("internal/vendor/x/y.go", nested));
  CHECK(excluded_from_module_zip(".git/config", nested));
  CHECK(excluded_from_module_zip("a/.hg/store", nested));
  CHECK(excluded_from_module_zip("sub/x.go", nested));
  CHECK(excluded_from_module_zip("sub/deeper/x.go", nested));
  CHECK_FALSE(excluded_from_module_zip("subway/x.go", nested));
  CHECK_FALSE(excluded_from_module_zip("a/b.go", nested));
}

TEST_CASE("collect_module_files reads a tree by the zip rules", "[fixture][real_modules]") {
  buildbench::util::TempDir dir("bb-real-");
  const fs::path root = dir.path();
  write(root / "go.mod", "module example.test/m\n\ngo 1.21\n");
  write(root / "m.go", "package m\n");
  write(root / "LICENSE", "license\n");
  write(root / "sub/go.mod", "module example.test/m/sub\n");
  write(root / "sub/s.go", "package sub\n");
  write(root / "vendor/modules.txt", "# vendored\n");
  write(root / "vendor/example.test/v/v.go", "package v\n");
  write(root / ".git/HEAD", "ref\n");
  write(root / "bad/CON.go", "package bad\n");
  fs::create_symlink("m.go", root / "link.go");

  auto collected = collect_module_files(root);
  REQUIRE(collected.ok());
  CHECK(has_file(*collected, "go.mod"));
  CHECK(has_file(*collected, "m.go"));
  CHECK(has_file(*collected, "LICENSE"));
  CHECK(has_file(*collected, "vendor/modules.txt"));
  CHECK_FALSE(has_file(*collected, "sub/s.go"));
  CHECK_FALSE(has_file(*collected, "sub/go.mod"));
  CHECK_FALSE(has_file(*collected, "vendor/example.test/v/v.go"));
  CHECK_FALSE(has_file(*collected, ".git/HEAD"));
  CHECK_FALSE(has_file(*collected, "link.go"));
  CHECK_FALSE(has_file(*collected, "bad/CON.go"));
  CHECK(collected->nested_modules == std::vector<std::string>{"sub"});
  CHECK(collected->files.size() == 4);
  CHECK(collected->skipped.size() == 2);  // the symlink and the reserved name, each with a reason

  write(root / "M.go", "package m\n");
  auto clash = collect_module_files(root);
  REQUIRE_FALSE(clash.ok());
  CHECK_THAT(clash.error().message, Catch::Contains("differ only in case"));
}

TEST_CASE("go.mod requirements are rewritten to the store's versions", "[fixture][real_modules]") {
  const std::string gomod =
      "module google.golang.org/grpc\n\ngo 1.11\n\nrequire (\n"
      "\tgithub.com/envoyproxy/go-control-plane v0.9.4\n"
      "\tgolang.org/x/net v0.0.0-20190311183353-d8887717615a\n"
      "\tgoogle.golang.org/protobuf v1.25.0 // indirect\n)\n\n"
      "replace golang.org/x/net => ../net\n\nexclude golang.org/x/net v0.1.0\n\nretract v1.0.0\n";
  auto info = parse_gomod(gomod);
  REQUIRE(info.ok());
  CHECK(info->module_path == "google.golang.org/grpc");
  CHECK(info->go_version == "1.11");
  CHECK(info->requires_list.size() == 3);
  std::map<std::string, std::string> store = {{"golang.org/x/net", "v0.7.0"},
                                              {"google.golang.org/protobuf", "v1.28.1"},
                                              {"google.golang.org/grpc", "v1.33.3"}};
  CHECK(rewrite_gomod(*info, store) ==
        "module google.golang.org/grpc\n\ngo 1.11\n\nrequire (\n"
        "\tgolang.org/x/net v0.7.0\n\tgoogle.golang.org/protobuf v1.28.1\n)\n");
  CHECK(rewrite_gomod(*info, {}) == "module google.golang.org/grpc\n\ngo 1.11\n");
  CHECK_FALSE(parse_gomod("go 1.21\n").ok());
  auto quoted = parse_gomod("module \"example.test/q\" // comment\n");
  REQUIRE(quoted.ok());
  CHECK(quoted->module_path == "example.test/q");
}

TEST_CASE("Debian versions become Go module versions", "[fixture][real_modules]") {
  auto v = [](std::string_view debian, std::string_view path = "example.test/m") {
    auto version = module_version_from_debian(debian, path);
    return version.ok() ? *version : "error: " + version.error().message;
  };
  CHECK(v("1.33.3-2") == "v1.33.3");
  CHECK(v("1:0.7.0+dfsg-1") == "v0.7.0");
  CHECK(v("0.3.0-1") == "v0.3.0");
  CHECK(v("1.5") == "v1.5.0");
  CHECK(v("0.0~git20200413.b5235f6-3") == "v0.0.0-20200413000000-b5235f6");
  CHECK(v("1.2.3+git20210101.abcdef1-1") == "v1.2.4-0.20210101000000-abcdef1");
  CHECK(v("2.0.0~rc1-1", "example.test/m/v2") == "v2.0.0-rc1");
  CHECK(v("5.0.7-1", "github.com/go-chi/chi/v5") == "v5.0.7");
  CHECK(v("2.4.0-1", "gopkg.in/yaml.v2") == "v2.4.0");
  CHECK(v("3.1.0-1") == "v3.1.0+incompatible");
  CHECK(v("4.0.0-1", "github.com/go-chi/chi/v5").rfind("error:", 0) == 0);
  CHECK(v("git-only").rfind("error:", 0) == 0);
}

TEST_CASE("module versions sort by semver", "[fixture][real_modules]") {
  CHECK(module_version_less("v0.7.0", "v0.22.0"));
  CHECK(module_version_less("v1.9.0", "v1.10.0"));
  CHECK(module_version_less("v1.0.0-rc1", "v1.0.0"));
  CHECK(module_version_less("v0.0.0-20200413000000-b5235f6", "v0.0.1"));
  CHECK(module_version_less("v1.0.0-alpha.2", "v1.0.0-alpha.10"));
  CHECK_FALSE(module_version_less("v1.0.0", "v1.0.0"));
  CHECK_FALSE(module_version_less("v2.0.0", "v1.99.99"));
}

TEST_CASE("a real module set serves rewritten modules with matching hashes and go.sum lines", "[fixture][real_modules]") {
  buildbench::util::TempDir dir("bb-real-set-");
  const fs::path a = dir.path() / "a";
  const fs::path b_old = dir.path() / "b-old";
  const fs::path b_new = dir.path() / "b-new";
  write(a / "go.mod", "module example.test/a\n\ngo 1.21\n\nrequire (\n\texample.test/b v0.1.0\n\texample.test/absent v1.0.0\n)\n");
  write(a / "a.go", "package a\n\nimport _ \"example.test/b\"\n");
  write(b_old / "b.go", "package b\n");  // no go.mod: one is written
  write(b_new / "b.go", "package b\n\nconst New = true\n");
  std::vector<RealModuleSet::Entry> entries = {
      {"example.test/a", {a, "golang-a-dev", "1.2.0-1", "installed"}, true},
      {"example.test/b", {b_old, "golang-b-dev", "0.3.0-2", "installed"}, true},
      {"example.test/b", {b_new, "golang-b-dev", "0.4.1-1", "trixie"}, false},
  };
  auto set = RealModuleSet::load(entries);
  REQUIRE(set.ok());
  const RealModule* module_a = (*set)->find("example.test/a", "v1.2.0");
  REQUIRE(module_a != nullptr);
  CHECK(module_a->gomod == "module example.test/a\n\ngo 1.21\n\nrequire (\n\texample.test/b v0.3.0\n)\n");
  CHECK(module_a->requires_list == std::vector<ModuleVersion>{{"example.test/b", "v0.3.0"}});
  CHECK((*set)->versions("example.test/b") == std::vector<std::string>{"v0.3.0", "v0.4.1"});
  CHECK((*set)->snapshot().at("example.test/b") == "v0.3.0");

  // The zip holds the rewritten go.mod under module@version/, and its h1 is
  // the one go.sum gets.
  auto zip = make_real_module_zip(*module_a);
  REQUIRE(zip.ok());
  auto files = read_zip(*zip);
  REQUIRE(files.ok());
  bool saw_gomod = false;
  for (const auto& file : *files) {
    CHECK(file.path.rfind("example.test/a@v1.2.0/", 0) == 0);
    if (file.path == "example.test/a@v1.2.0/go.mod") {
      saw_gomod = true;
      CHECK(file.content == module_a->gomod);
    }
  }
  CHECK(saw_gomod);
  CHECK(dirhash_h1(*files) == module_a->zip_h1);
  CHECK(gomod_h1(module_a->gomod) == module_a->gomod_h1);
  const RealModule* b = (*set)->find("example.test/b", "v0.3.0");
  REQUIRE(b != nullptr);
  CHECK(b->gomod == "module example.test/b\n");

  auto gosum = real_gosum_lines(**set, {{"example.test/a", "v1.2.0"}});
  REQUIRE(gosum.ok());
  CHECK(*gosum == "example.test/a v1.2.0 " + module_a->zip_h1 + "\nexample.test/a v1.2.0/go.mod " + module_a->gomod_h1 +
                      "\nexample.test/b v0.3.0/go.mod " + b->gomod_h1 + "\n");
  CHECK(check_gosum_against(**set, *gosum).ok());
  auto bad = check_gosum_against(**set, "example.test/a v1.2.0 h1:AAAA=\n");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("example.test/a v1.2.0") && Catch::Contains("h1:AAAA=") &&
                                      Catch::Contains(module_a->zip_h1) && Catch::Contains("buildbench fixture generate"));

  // The store serves them beside the synthetic modules.
  auto store = std::make_shared<ModuleStore>(FixtureParams{});
  store->attach_real_modules(*set);
  CHECK(store->latest("example.test/b") == "v0.4.1");
  auto served = store->get("example.test/a", "v1.2.0");
  REQUIRE(served.ok());
  CHECK((*served)->gomod == module_a->gomod);
  CHECK((*served)->zip == *zip);
  write(a / "a.go", "package a // changed under the store\n");
  auto changed = make_real_module_zip(*module_a);
  REQUIRE_FALSE(changed.ok());
  CHECK_THAT(changed.error().message, Catch::Contains("changed since the module store read it"));
  CHECK(store->is_published(dependency_module_path(FixtureParams{}, 0), "v1.0.0"));  // synthetic ones stay
  CHECK_FALSE(store->get("example.test/a", "v9.9.9").ok());
}

TEST_CASE("a module whose go.mod names another path is refused", "[fixture][real_modules]") {
  buildbench::util::TempDir dir("bb-real-bad-");
  write(dir.path() / "go.mod", "module example.test/other\n");
  auto set = RealModuleSet::load({{"example.test/expected", {dir.path(), "golang-x-dev", "1.0.0-1", "installed"}, true}});
  REQUIRE_FALSE(set.ok());
  CHECK_THAT(set.error().message, Catch::Contains("holds module example.test/other, expected example.test/expected"));
}

TEST_CASE("dependency presets: names, unknown names and packages", "[fixture][presets]") {
  CHECK(deps_preset_names() == std::vector<std::string>{"grpc-service", "web-service"});
  auto unknown = find_deps_preset("grpc");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("grpc-service") && Catch::Contains("web-service"));
  auto grpc = find_deps_preset("grpc-service");
  REQUIRE(grpc.ok());
  auto packages = preset_packages(**grpc);
  CHECK(std::find(packages.begin(), packages.end(), "golang-google-grpc-dev") != packages.end());
  CHECK(std::find(packages.begin(), packages.end(), "golang-google-genproto-dev") != packages.end());
  CHECK(std::find(packages.begin(), packages.end(), "golang-github-google-go-cmp-dev") != packages.end());
  // The generated code imports what the issue names.
  for (std::string import : {"google.golang.org/grpc/health", "golang.org/x/net/http2", "golang.org/x/text/language",
                             "google.golang.org/protobuf/types/known/timestamppb"}) {
    CHECK_THAT((*grpc)->platform_code, Catch::Contains("\"" + import + "\""));
  }
  auto missing = installed_package_version("golang-buildbench-no-such-package-dev");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("apt-get install --no-install-recommends golang-buildbench-no-such-package-dev"));

  FixtureParams params;
  params.deps_preset = "nope";
  auto invalid = validate(params);
  REQUIRE_FALSE(invalid.ok());
  CHECK_THAT(invalid.error().message, Catch::Contains("'deps'") && Catch::Contains("grpc-service"));
  auto from_json = params_from_json(nlohmann::json{{"deps", {{"preset", "web-service"}}}});
  REQUIRE(from_json.ok());
  CHECK(from_json->deps_preset == "web-service");
  CHECK(to_json(*from_json)["deps"]["preset"] == "web-service");
  CHECK(to_json(FixtureParams{})["deps"] == nlohmann::json::object());
  CHECK_FALSE(params_from_json(nlohmann::json{{"deps", {{"presets", "web-service"}}}}).ok());
}

TEST_CASE("network profiles", "[fixture][module_proxy]") {
  auto ci = find_network_profile("ci-runner");
  REQUIRE(ci.ok());
  auto network = to_emulation(*ci);
  CHECK(network.latency.count() == static_cast<int64_t>(ci->latency_ms * 1000));
  CHECK(network.bandwidth_mbps == ci->bandwidth_mbps);
  CHECK(to_json(network)["profile"] == "ci-runner");
  auto home = find_network_profile("home");
  REQUIRE(home.ok());
  CHECK(home->latency_ms > ci->latency_ms);  // a home link is further and slower than a cloud runner's
  CHECK(home->bandwidth_mbps < ci->bandwidth_mbps);
  auto unknown = find_network_profile("dialup");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("local") && Catch::Contains("ci-runner") && Catch::Contains("home"));
}

TEST_CASE("a web-service fixture depends on the preset's real modules, and its mutations move them",
          "[fixture][presets]") {
  // The smaller preset keeps this quick; the integration test builds grpc-service.
  if (!installed_package_version("golang-github-go-chi-chi-dev").ok() ||
      !installed_package_version("golang-github-prometheus-client-golang-dev").ok()) {
    WARN("web-service packages not installed (scripts/setup.sh installs them); preset generation not tested");
    return;
  }
  FixtureParams params;
  params.packages = 6;
  params.import_depth = 2;
  params.import_fan_out = 1;
  params.binaries = {{"server", 1.0}};
  params.junk_bytes = 0;
  params.assets_bytes = 0;
  params.deps_preset = "web-service";
  buildbench::util::TempDir dir("bb-preset-");
  auto generated = generate_fixture(params, dir.path() / "fx");
  REQUIRE(generated.ok());
  const fs::path root = dir.path() / "fx";
  auto read = [&](const std::string& relative) { return buildbench::test::read_file(root / relative); };
  auto store = ModuleStore::create(params);
  REQUIRE(store.ok());
  auto set = (*store)->real_modules();
  REQUIRE(set != nullptr);
  const std::string chi_version = set->snapshot().at("github.com/go-chi/chi/v5");
  std::string gomod = read("go.mod");
  CHECK_THAT(gomod, Catch::Contains("\tgithub.com/go-chi/chi/v5 " + chi_version + "\n"));
  CHECK_THAT(gomod, Catch::Contains("github.com/prometheus/common " + set->snapshot().at("github.com/prometheus/common") +
                                    " // indirect"));
  std::string gosum = read("go.sum");
  CHECK_THAT(gosum, Catch::Contains("github.com/sirupsen/logrus " + set->snapshot().at("github.com/sirupsen/logrus") + " h1:"));
  CHECK(check_gosum_against(*set, gosum).ok());
  CHECK_THAT(read("internal/platform/platform.go"), Catch::Contains("chi.NewRouter()"));
  CHECK_THAT(read(generated->manifest.roles.dependency_user + "/file0.go"),
             Catch::Contains("\"" + params.module_path + "/internal/platform\""));

  Mutator::Options options;
  options.store = *store;
  auto mutator = Mutator::open(root, options);
  REQUIRE(mutator.ok());
  auto added = (*mutator)->apply({MutationKind::AddDependency, "", ""});
  REQUIRE(added.ok());
  CHECK(added->published.front().path == "github.com/google/go-cmp");
  const std::string first_gomod = read("go.mod");
  CHECK_THAT(first_gomod, Catch::Contains("github.com/google/go-cmp " + added->published.front().version));
  CHECK_THAT(read("go.sum"), Catch::Contains("github.com/google/go-cmp " + added->published.front().version + " h1:"));
  CHECK_THAT(read(generated->manifest.roles.dependency_user + "/added_real_dependency.go"), Catch::Contains("cmp.Equal"));
  REQUIRE((*mutator)->reset().ok());
  auto again = (*mutator)->apply({MutationKind::AddDependency, "", ""});
  REQUIRE(again.ok());
  CHECK(read("go.mod") != first_gomod);  // every application changes go.mod
  REQUIRE((*mutator)->reset().ok());

  auto bumped = (*mutator)->apply({MutationKind::BumpDependency, "", ""});
  if (bump_target(**find_deps_preset("web-service"), *set)) {
    REQUIRE(bumped.ok());
    CHECK(bumped->published.front().path == "github.com/go-chi/chi/v5");
    CHECK(module_version_less(chi_version, bumped->published.front().version));
    CHECK_THAT(read("go.mod"), Catch::Contains("github.com/go-chi/chi/v5 " + bumped->published.front().version));
    CHECK_THAT(read("go.sum"), Catch::Contains("github.com/go-chi/chi/v5 " + bumped->published.front().version + " h1:"));
  } else {
    REQUIRE_FALSE(bumped.ok());
    CHECK_THAT(bumped.error().message, Catch::Contains("scripts/fetch-module-versions.sh"));
  }
}

TEST_CASE("h1 of a real Debian package's module matches what Go computed", "[fixture][real_modules]") {
  // Go 1.24 (`go mod download` in the buildbench/go:1.24 image, from a proxy
  // serving these trees with the requirement on google.golang.org/protobuf
  // rewritten to v1.28.1) wrote these go.sum lines. The zip and its h1 here
  // come from our own zip rules and hashing over the same installed tree.
  auto gp = installed_package_version("golang-github-golang-protobuf-1-5-dev");
  auto pb = installed_package_version("golang-google-protobuf-dev");
  if (!gp.ok() || !pb.ok() || *gp != "1.5.2-3" || *pb != "1.28.1-3") {
    WARN("golang-github-golang-protobuf-1-5-dev 1.5.2-3 and golang-google-protobuf-dev 1.28.1-3 are not both installed; "
         "the h1 cross-check against Go is not run");
    return;
  }
  auto set = RealModuleSet::load({
      {"github.com/golang/protobuf", {fs::path(kGocodeRoot) / "github.com/golang/protobuf", "golang-github-golang-protobuf-1-5-dev", *gp, "installed"}, true},
      {"google.golang.org/protobuf", {fs::path(kGocodeRoot) / "google.golang.org/protobuf", "golang-google-protobuf-dev", *pb, "installed"}, true},
  });
  REQUIRE(set.ok());
  const RealModule* golang_protobuf = (*set)->find("github.com/golang/protobuf", "v1.5.2");
  const RealModule* protobuf = (*set)->find("google.golang.org/protobuf", "v1.28.1");
  REQUIRE(golang_protobuf != nullptr);
  REQUIRE(protobuf != nullptr);
  CHECK(golang_protobuf->zip_h1 == "h1:jD37FVqJa0nCsGGZ0B9AXv9U2CbaVZO3Gv0iNK9zu6I=");
  CHECK(golang_protobuf->gomod_h1 == "h1:zxxhYpi9FaG2kgpzcLSjyHTte2wT1MCjEHTb6VtvWVo=");
  CHECK(protobuf->zip_h1 == "h1:TaR6lGTZpmMx7ulVxYG/LilFCcf9/78nDBsdr2n5hrc=");
  CHECK(protobuf->gomod_h1 == "h1:QViejJaYawZKP1aVMe7UKL43YEodWz67WzEA7EOVwjk=");
}
