#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "fixture/generator.h"
#include "fixture/go_module.h"
#include "fixture/mutations.h"
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
  p.functions_per_file = 2;
  p.import_fan_out = 2;
  p.import_depth = 3;
  p.assets_bytes = 4096;
  p.junk_bytes = 4096;
  return p;
}

struct Fixture {
  buildbench::util::TempDir dir;
  std::shared_ptr<ModuleStore> store = std::make_shared<ModuleStore>(small());
  std::string pristine_hash;
  std::unique_ptr<Mutator> mutator;

  explicit Fixture(uint64_t salt = 0) {
    auto generated = generate_fixture(small(), dir.path() / "app");
    REQUIRE(generated.ok());
    pristine_hash = *tree_hash(root());
    auto opened = Mutator::open(root(), {salt, store});
    REQUIRE(opened.ok());
    mutator = std::move(*opened);
  }
  fs::path root() const { return dir.path() / "app"; }
  MutationResult apply(MutationKind kind, std::string path = {}, std::string text = {}) {
    auto result = mutator->apply({kind, std::move(path), std::move(text)});
    if (!result) FAIL(result.error().message);
    return *result;
  }
  void reset_and_check() {
    auto status = mutator->reset();
    if (!status) FAIL(status.error().message);
    CHECK(*tree_hash(root()) == pristine_hash);
  }
};

}  // namespace

TEST_CASE("mutation names round-trip", "[fixture][mutations]") {
  for (auto kind : {MutationKind::CodeChangeLeaf, MutationKind::CodeChangeCore, MutationKind::CodeChangeMain,
                    MutationKind::AddDependency, MutationKind::BumpDependency, MutationKind::TouchOnly,
                    MutationKind::EditIgnoredFile, MutationKind::EditCopiedFile, MutationKind::AppendLine,
                    MutationKind::WriteFile}) {
    auto back = mutation_kind_from_string(to_string(kind));
    REQUIRE(back.ok());
    CHECK(*back == kind);
  }
  auto unknown = mutation_kind_from_string("code-change");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("code-change-leaf"));
}

TEST_CASE("code changes edit the right package with new content every time", "[fixture][mutations]") {
  Fixture f;
  const auto& roles = f.mutator->manifest()->roles;
  struct Case {
    MutationKind kind;
    std::string file;
  };
  for (const Case& c : {Case{MutationKind::CodeChangeLeaf, roles.leaf_package + "/file0.go"},
                        Case{MutationKind::CodeChangeCore, roles.core_package + "/file0.go"},
                        Case{MutationKind::CodeChangeMain, roles.main_package + "/main.go"}}) {
    std::set<std::string> contents;
    const std::string before = read_file(f.root() / c.file);
    for (int i = 0; i < 3; ++i) {
      auto result = f.apply(c.kind);
      CHECK(result.changed_paths == std::vector<std::string>{c.file});
      std::string text = read_file(f.root() / c.file);
      CHECK(text.find(std::string(kRevisionLinePrefix) + "\"" + result.token + "\"") != std::string::npos);
      contents.insert(text);
    }
    CHECK(contents.size() == 3);
    CHECK(contents.count(before) == 0);
    f.reset_and_check();
    // After a reset the next content is still new.
    f.apply(c.kind);
    CHECK(contents.count(read_file(f.root() / c.file)) == 0);
    f.reset_and_check();
  }
}

TEST_CASE("the salt makes tokens differ between runs", "[fixture][mutations]") {
  Fixture a(1);
  Fixture b(2);
  CHECK(a.apply(MutationKind::CodeChangeLeaf).token != b.apply(MutationKind::CodeChangeLeaf).token);
}

TEST_CASE("add-dependency adds a requirement, its sums, an import, and publishes the module", "[fixture][mutations]") {
  Fixture f;
  auto result = f.apply(MutationKind::AddDependency);
  REQUIRE(result.published.size() == 1);
  const ModuleVersion added = result.published.front();
  CHECK(f.store->is_published(added.path, added.version));
  auto requires_found = parse_gomod_requires(read_file(f.root() / "go.mod"));
  CHECK(requires_found.size() == small().dep_modules + 1);
  bool found = false;
  for (const auto& r : requires_found) found = found || (r.path == added.path && r.version == added.version && !r.indirect);
  CHECK(found);
  auto module = make_dependency_module(small(), *dependency_module_index(small(), added.path), added.version);
  REQUIRE(module.ok());
  const std::string gosum = read_file(f.root() / "go.sum");
  CHECK(gosum.find(added.path + " " + added.version + " " + module->zip_h1 + "\n") != std::string::npos);
  CHECK(gosum.find(added.path + " " + added.version + "/go.mod " + module->gomod_h1 + "\n") != std::string::npos);
  REQUIRE(result.changed_paths.size() == 3);
  std::string code = read_file(f.root() / result.changed_paths[2]);
  CHECK(code.find("import \"" + added.path + "\"") != std::string::npos);

  auto second = f.apply(MutationKind::AddDependency);
  CHECK(second.published.front().path != added.path);
  f.reset_and_check();
  CHECK_FALSE(fs::exists(f.root() / result.changed_paths[2]));
}

TEST_CASE("bump-dependency moves a direct dependency to a new published version", "[fixture][mutations]") {
  Fixture f;
  auto first = f.apply(MutationKind::BumpDependency);
  auto second = f.apply(MutationKind::BumpDependency);
  REQUIRE(first.published.size() == 1);
  REQUIRE(second.published.size() == 1);
  CHECK(first.published.front().path == second.published.front().path);
  CHECK(semver_less(first.published.front().version, second.published.front().version));
  CHECK(semver_less(std::string(kInitialDependencyVersion), first.published.front().version));
  CHECK(f.store->is_published(second.published.front().path, second.published.front().version));
  const std::string gomod = read_file(f.root() / "go.mod");
  CHECK(gomod.find(second.published.front().path + " " + second.published.front().version) != std::string::npos);
  f.reset_and_check();
  // A bump after reset still gives a version not used before.
  auto third = f.apply(MutationKind::BumpDependency);
  CHECK(semver_less(second.published.front().version, third.published.front().version));
  f.reset_and_check();

  FixtureParams none = small();
  none.dep_modules = 0;
  buildbench::util::TempDir dir;
  REQUIRE(generate_fixture(none, dir.path()).ok());
  auto mutator = Mutator::open(dir.path(), {0, std::make_shared<ModuleStore>(none)});
  REQUIRE(mutator.ok());
  auto refused = (*mutator)->apply({MutationKind::BumpDependency, {}, {}});
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("no dependency modules"));
}

TEST_CASE("dependency mutations need the store", "[fixture][mutations]") {
  buildbench::util::TempDir dir;
  REQUIRE(generate_fixture(small(), dir.path()).ok());
  auto mutator = Mutator::open(dir.path(), {});
  REQUIRE(mutator.ok());
  auto refused = (*mutator)->apply({MutationKind::AddDependency, {}, {}});
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("module store"));
}

TEST_CASE("touch-only changes the mtime and not the content", "[fixture][mutations]") {
  Fixture f;
  const std::string file = f.mutator->manifest()->roles.leaf_package + "/file0.go";
  auto before_time = fs::last_write_time(f.root() / file);
  const std::string before = read_file(f.root() / file);
  f.apply(MutationKind::TouchOnly);
  CHECK(fs::last_write_time(f.root() / file) > before_time);
  CHECK(read_file(f.root() / file) == before);
  f.apply(MutationKind::TouchOnly, "go.mod");
  f.reset_and_check();
  CHECK(fs::last_write_time(f.root() / file) == before_time);
}

TEST_CASE("ignored and copied non-Go files are edited", "[fixture][mutations]") {
  Fixture f;
  const auto& roles = f.mutator->manifest()->roles;
  const std::string doc = read_file(f.root() / roles.ignored_file);
  auto edited = f.apply(MutationKind::EditIgnoredFile);
  CHECK(edited.changed_paths == std::vector<std::string>{roles.ignored_file});
  CHECK(read_file(f.root() / roles.ignored_file).find(edited.token) != std::string::npos);
  CHECK(read_file(f.root() / roles.ignored_file).rfind(doc, 0) == 0);
  auto asset = f.apply(MutationKind::EditCopiedFile);
  CHECK(read_file(f.root() / roles.copied_asset).find("revision: " + asset.token + "\n") != std::string::npos);
  f.reset_and_check();
}

TEST_CASE("append-line and write-file work on any directory", "[fixture][mutations]") {
  buildbench::util::TempDir dir;
  buildbench::test::write_file(dir.path() / "main.go", "package main\n\nfunc main() {}\n");
  auto opened = Mutator::open(dir.path(), {});
  REQUIRE(opened.ok());
  auto& mutator = **opened;
  auto appended = mutator.apply({MutationKind::AppendLine, "main.go", "// hello"});
  REQUIRE(appended.ok());
  CHECK(read_file(dir.path() / "main.go") == "package main\n\nfunc main() {}\n// hello\n");
  auto written = mutator.apply({MutationKind::WriteFile, "config/new.txt", "value {n}\n"});
  REQUIRE(written.ok());
  CHECK(read_file(dir.path() / "config/new.txt") == "value " + written->token + "\n");
  CHECK_FALSE(mutator.apply({MutationKind::AppendLine, "missing.go", "x"}).ok());
  CHECK_FALSE(mutator.apply({MutationKind::AppendLine, "main.go", "two\nlines"}).ok());
  auto needs_manifest = mutator.apply({MutationKind::CodeChangeLeaf, {}, {}});
  REQUIRE_FALSE(needs_manifest.ok());
  CHECK_THAT(needs_manifest.error().message, Catch::Contains("append-line"));
  REQUIRE(mutator.reset().ok());
  CHECK(read_file(dir.path() / "main.go") == "package main\n\nfunc main() {}\n");
  CHECK_FALSE(fs::exists(dir.path() / "config"));
}

TEST_CASE("no mutation path escapes the fixture root", "[fixture][mutations]") {
  buildbench::util::TempDir outside;
  buildbench::util::TempDir dir;
  buildbench::test::write_file(dir.path() / "inside.txt", "x\n");
  fs::create_directory_symlink(outside.path(), dir.path() / "link-out");
  fs::create_symlink("../../etc/passwd", dir.path() / "file-link");
  fs::create_directory(dir.path() / "sub");
  fs::create_directory_symlink("..", dir.path() / "sub" / "up");
  auto opened = Mutator::open(dir.path(), {});
  REQUIRE(opened.ok());
  for (const char* bad : {"../escape.txt", "/etc/passwd", "sub/../../escape", "link-out/file.txt", "file-link",
                          "sub/up/../x", "", ".", "sub/up/../../x"}) {
    INFO(bad);
    auto refused = (*opened)->apply({MutationKind::WriteFile, bad, "x"});
    CHECK_FALSE(refused.ok());
    CHECK_FALSE((*opened)->apply({MutationKind::AppendLine, bad, "x"}).ok());
    CHECK_FALSE((*opened)->apply({MutationKind::TouchOnly, bad, {}}).ok());
  }
  CHECK(fs::is_empty(outside.path()));
  CHECK(resolve_inside(dir.path(), "sub/../inside.txt").ok());
  CHECK(resolve_inside(dir.path(), "sub/up/inside.txt").ok());  // the link stays inside
  CHECK(resolve_inside(dir.path(), "sub/up/up/new.txt").ok());   // root/up/new.txt
}

TEST_CASE("reset reports changes made behind the mutator's back", "[fixture][mutations]") {
  Fixture f;
  buildbench::test::write_file(f.root() / "stray.txt", "x");
  auto status = f.mutator->reset();
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.error().message, Catch::Contains("stray.txt"));
}
