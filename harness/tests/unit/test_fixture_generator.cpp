#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "fixture/generator.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench::fixture;
namespace fs = std::filesystem;
using buildbench::test::read_file;

namespace {

FixtureParams small() {
  FixtureParams p;
  p.packages = 6;
  p.files_per_package = 2;
  p.functions_per_file = 3;
  p.import_fan_out = 2;
  p.import_depth = 3;
  p.docs = 2;
  p.assets_bytes = 10000;
  p.junk_bytes = 70000;
  return p;
}

GeneratedFixture generate(const FixtureParams& p, const fs::path& out) {
  auto generated = generate_fixture(p, out);
  if (!generated) FAIL(generated.error().message);
  return *generated;
}

size_t count_files(const fs::path& dir, const std::string& pattern) {
  std::regex re(pattern);
  size_t n = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && std::regex_match(entry.path().lexically_relative(dir).generic_string(), re)) ++n;
  }
  return n;
}

uint64_t bytes_under(const fs::path& dir) {
  uint64_t total = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the same parameters give a byte-identical tree", "[fixture][generator]") {
  buildbench::util::TempDir dir;
  generate(small(), dir.path() / "a");
  generate(small(), dir.path() / "b");
  auto a = tree_hash(dir.path() / "a");
  auto b = tree_hash(dir.path() / "b");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);

  FixtureParams other = small();
  other.seed = 2;
  generate(other, dir.path() / "c");
  CHECK(*tree_hash(dir.path() / "c") != *a);

  // One changed byte changes the hash.
  buildbench::test::write_file(dir.path() / "b" / "README.md", read_file(dir.path() / "b" / "README.md") + " ");
  CHECK(*tree_hash(dir.path() / "b") != *a);
}

TEST_CASE("a non-empty output directory is refused unless replaced", "[fixture][generator]") {
  buildbench::util::TempDir dir;
  buildbench::test::write_file(dir.path() / "precious.txt", "keep me");
  auto refused = generate_fixture(small(), dir.path());
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("not empty") && Catch::Contains("--replace"));
  CHECK(fs::exists(dir.path() / "precious.txt"));

  auto replaced = generate_fixture(small(), dir.path(), {true});
  REQUIRE(replaced.ok());
  CHECK_FALSE(fs::exists(dir.path() / "precious.txt"));
  CHECK(fs::exists(dir.path() / "go.mod"));

  FixtureParams bad = small();
  bad.packages = 0;
  auto invalid = generate_fixture(bad, dir.path() / "x");
  REQUIRE_FALSE(invalid.ok());
  CHECK_THAT(invalid.error().message, Catch::Contains("'packages'"));
}

TEST_CASE("each parameter has its effect", "[fixture][generator]") {
  buildbench::util::TempDir dir;
  FixtureParams p = small();
  p.packages = 9;
  p.files_per_package = 3;
  p.functions_per_file = 5;
  p.test_files_per_package = 2;
  p.docs = 3;
  p.assets_bytes = 600 * 1024;
  p.junk_dir = "node_modules";
  p.junk_bytes = 200 * 1024;
  p.binaries = {{"api", 1.0}, {"worker", 0.34}, {"cron", 0.5}};
  p.dep_modules = 5;
  p.dep_depth = 2;
  p.module_path = "example.test/custom/app";
  auto fixture = generate(p, dir.path());
  const fs::path root = dir.path();

  CHECK(count_files(root / "internal", R"(pkg\d+/file\d+\.go)") == 9 * 3);
  CHECK(count_files(root / "internal", R"(pkg\d+/file\d+_test\.go)") == 9 * 2);
  CHECK(occurrences(read_file(root / "internal/pkg004/file1.go"), "\nfunc F1x") == 5);
  CHECK(count_files(root / "docs", R"(guide-\d+\.md)") == 3);
  CHECK(fs::exists(root / "README.md"));
  CHECK(bytes_under(root / "assets") == 600 * 1024);
  CHECK(bytes_under(root / "node_modules") == 200 * 1024);
  CHECK_FALSE(fs::exists(root / ".git"));
  CHECK(count_files(root / "cmd", R"([a-z]+/main\.go)") == 3);
  // api imports every top-level package (3 of 9 packages at depth 3), worker one.
  CHECK(occurrences(read_file(root / "cmd/api/main.go"), ".Entry(") == 3);
  CHECK(occurrences(read_file(root / "cmd/worker/main.go"), ".Entry(") == 1);
  CHECK(read_file(root / "cmd/api/main.go").find("example.test/custom/app/internal/") != std::string::npos);
  // Fan-out 2: a top-level package imports two packages of the next level.
  CHECK(occurrences(read_file(root / "internal/pkg000/file0.go"), ".Step(acc % 1000)") == 2);

  const std::string gomod = read_file(root / "go.mod");
  CHECK(gomod.find("module example.test/custom/app\n") == 0);
  CHECK(occurrences(gomod, "example.test/buildbench-deps/dep") == 5);
  CHECK(occurrences(gomod, "// indirect") == 2);  // chains dep01-dep02, dep03-dep04, dep05
  const std::string gosum = read_file(root / "go.sum");
  CHECK(occurrences(gosum, "/go.mod h1:") == 5);
  CHECK(occurrences(gosum, " h1:") == 10);

  CHECK(fixture.go_lines > 9 * 3 * 5 * 10);
  CHECK(fixture.files > 9 * 3);
  auto manifest = read_manifest(root);
  REQUIRE(manifest.ok());
  CHECK(manifest->params == p);
  CHECK(manifest->roles == fixture.manifest.roles);
  CHECK(manifest->dependencies.size() == 5);
}

TEST_CASE("roles name a leaf, a widely imported package and a main package", "[fixture][generator]") {
  buildbench::util::TempDir dir;
  auto fixture = generate(small(), dir.path());
  const auto& roles = fixture.manifest.roles;
  CHECK(roles.main_package == "cmd/api");
  CHECK(roles.leaf_package != roles.core_package);
  // Nothing imports the leaf but binaries; the core is imported by packages.
  std::string leaf_import = "/" + roles.leaf_package + "\"";
  std::string core_import = "/" + roles.core_package + "\"";
  size_t leaf_importers = 0, core_importers = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path() / "internal")) {
    if (!entry.is_regular_file()) continue;
    std::string text = read_file(entry.path());
    leaf_importers += occurrences(text, leaf_import);
    core_importers += occurrences(text, core_import);
  }
  CHECK(leaf_importers == 0);
  CHECK(core_importers >= 2);
  for (const std::string& file : {roles.leaf_package + "/file0.go", roles.core_package + "/file0.go",
                                  roles.main_package + "/main.go"}) {
    CHECK(occurrences(read_file(dir.path() / file), std::string(kRevisionLinePrefix)) == 1);
  }
  CHECK(fs::exists(dir.path() / roles.ignored_file));
  CHECK(fs::exists(dir.path() / roles.copied_asset));
}

TEST_CASE("generated tests state the values the functions compute", "[fixture][generator]") {
  buildbench::util::TempDir dir;
  generate(small(), dir.path());
  std::string code = read_file(dir.path() / "internal/pkg001/file0.go");
  std::string test = read_file(dir.path() / "internal/pkg001/file0_test.go");
  // Re-evaluate one function from its generated source and compare with the
  // expectation the test file carries.
  std::smatch m;
  REQUIRE(std::regex_search(code, m, std::regex(R"(func F0x1\(x int\) int \{\n.*\n\tfor i := 0; i < (\d+); i\+\+ \{\n\t\tacc = \(acc\*(\d+) \+ (\d+) \+ i\) % 1000003\n\t\}\n\tif acc%2 == 0 \{\n\t\tacc \+= (\d+))")));
  int64_t rounds = std::stoll(m[1]), mul = std::stoll(m[2]), add = std::stoll(m[3]), bonus = std::stoll(m[4]);
  std::smatch t;
  REQUIRE(std::regex_search(test, t, std::regex(R"(if got := F0x1\((\d+)\); got != (\d+) \{)")));
  int64_t acc = std::stoll(t[1]) % 1000003;
  for (int64_t i = 0; i < rounds; ++i) acc = (acc * mul + add + i) % 1000003;
  if (acc % 2 == 0) acc += bonus;
  CHECK(acc == std::stoll(t[2]));
}

TEST_CASE("tree_hash fails on a missing directory", "[fixture][generator]") {
  CHECK_FALSE(tree_hash("/nonexistent/buildbench/fixture").ok());
}
