// A user's project as a build sees it (fixture/project.h) and the mutations
// that pick their files from it.
#include <catch2/catch.hpp>

#include <filesystem>

#include "fixture/module_store.h"
#include "fixture/mutations.h"
#include "fixture/project.h"
#include "support/test_support.h"
#include "util/temp_dir.h"

using namespace buildbench::fixture;
namespace fs = std::filesystem;
using buildbench::test::read_file;
using buildbench::test::write_file;

namespace {

// A small Go service shaped like a real one.
struct Project {
  buildbench::util::TempDir dir{"buildbench-project-"};
  fs::path root() const { return dir.path(); }
  Project() {
    write_file(root() / "go.mod", "module example.com/svc\n\ngo 1.22\n");
    write_file(root() / "main.go", "package main\n\nimport \"example.com/svc/internal/greet\"\n\nfunc main() { println(greet.Hello()) }\n");
    write_file(root() / "internal/greet/greet.go", "// Package greet says hello.\npackage greet\n\nfunc Hello() string { return \"hi\" }\n");
    write_file(root() / "internal/greet/greet_test.go", "package greet\n");
    write_file(root() / "internal/greet/windows.go", "//go:build windows\n\npackage greet\n");
    write_file(root() / "testdata/x.go", "package x\n");
    write_file(root() / "README.md", "# svc\n");
    write_file(root() / "docs/guide.md", "guide\n");
    write_file(root() / "config/app.yaml", "port: 8080\n");
    write_file(root() / ".dockerignore", "docs\n*.md\n");
  }
  ProjectInputs inputs(std::vector<std::string> sources = {"go.mod", "."}) const {
    ProjectInputs in;
    in.copy_sources = std::move(sources);
    in.dockerignore_text = read_file(root() / ".dockerignore");
    return in;
  }
};

}  // namespace

TEST_CASE("project profile: what the context sends, what COPY copies, what .dockerignore drops", "[fixture][project]") {
  Project project;
  auto profile = profile_project(project.root(), project.inputs());
  REQUIRE(profile);
  CHECK(profile->has_dockerignore);
  CHECK(profile->ignored_files == std::vector<std::string>{"README.md", "docs/guide.md"});
  // Test files, files with a build constraint and testdata/ do not compile into the build.
  CHECK(profile->code_files == std::vector<std::string>{"internal/greet/greet.go", "main.go"});
  CHECK(profile->main_files == std::vector<std::string>{"main.go"});
  CHECK(profile->asset_files == std::vector<std::string>{"config/app.yaml"});
  REQUIRE(profile->gomod);
  CHECK(profile->gomod->module == "example.com/svc");
  CHECK(profile->gomod->go_version == "1.22");
  CHECK(profile->gomod->go_line == 3);

  // Only what COPY sends is a candidate.
  auto narrow = profile_project(project.root(), project.inputs({"go.mod", "internal/"}));
  REQUIRE(narrow);
  CHECK(narrow->code_files == std::vector<std::string>{"internal/greet/greet.go"});
  CHECK(narrow->asset_files.empty());
}

TEST_CASE("project profile: a glob picks the code files of a project that is not Go", "[fixture][project]") {
  buildbench::util::TempDir dir("buildbench-project-");
  write_file(dir.path() / "src/app/main.py", "print('hi')\n");
  write_file(dir.path() / "src/app/util.py", "X = 1\n");
  write_file(dir.path() / "tests/test_x.py", "\n");
  ProjectInputs inputs;
  inputs.copy_sources = {"src"};
  inputs.code_glob = "src/**/*.py";
  auto profile = profile_project(dir.path(), inputs);
  REQUIRE(profile);
  CHECK(profile->code_files == std::vector<std::string>{"src/app/main.py", "src/app/util.py"});
  CHECK_FALSE(profile->has_dockerignore);
}

TEST_CASE("copy sources: names, directories and wildcards", "[fixture][project]") {
  CHECK(copy_source_covers(".", "a/b.go"));
  CHECK(copy_source_covers("./", "a/b.go"));
  CHECK(copy_source_covers("go.mod", "go.mod"));
  CHECK_FALSE(copy_source_covers("go.mod", "go.sum"));
  CHECK(copy_source_covers("go.*", "go.sum"));
  CHECK(copy_source_covers("cmd/", "cmd/server/main.go"));
  CHECK(copy_source_covers("/cmd", "cmd/server/main.go"));
  CHECK_FALSE(copy_source_covers("*.go", "cmd/main.go"));
  CHECK(copy_source_covers("*.go", "main.go"));
}

TEST_CASE("go package clauses", "[fixture][project]") {
  CHECK(go_package_of("// c\n/* block\n still */\npackage main\n") == "main");
  CHECK(go_package_of("package greet // comment\n") == "greet");
  CHECK(go_package_of("//go:build linux\n\npackage x\n").empty());
  CHECK(go_package_of("// +build linux\n\npackage x\n").empty());
  CHECK(go_package_of("").empty());
}

TEST_CASE("project mutations: code change edits a compiled file so the binary changes, and resets", "[fixture][project]") {
  Project project;
  auto profile = profile_project(project.root(), project.inputs());
  REQUIRE(profile);
  auto before_main = read_file(project.root() / "main.go");
  auto before_greet = read_file(project.root() / "internal/greet/greet.go");
  auto mutator = Mutator::open_project(project.root(), {}, *profile, 7);
  REQUIRE(mutator);
  auto first = (*mutator)->apply({MutationKind::CodeChangeLeaf, "", ""});
  REQUIRE(first);
  REQUIRE(first->changed_paths.size() == 1);
  const std::string file = first->changed_paths.front();
  CHECK((file == "main.go" || file == "internal/greet/greet.go"));
  // The same seed picks the same file.
  CHECK(*project_code_file(*profile, MutationKind::CodeChangeLeaf, 7) == file);
  std::string changed = read_file(project.root() / file);
  // A package-level variable set in init: not only a comment.
  CHECK(changed.find("var buildbenchRevision string") != std::string::npos);
  CHECK(changed.find("func init() { buildbenchRevision = \"" + first->token + "\" }") != std::string::npos);
  auto second = (*mutator)->apply({MutationKind::CodeChangeLeaf, "", ""});
  REQUIRE(second);
  std::string again = read_file(project.root() / file);
  CHECK(again.find(second->token) != std::string::npos);
  CHECK(again.find(first->token) == std::string::npos);  // replaced, not piled up
  size_t count = 0;
  for (size_t at = again.find("var buildbenchRevision"); at != std::string::npos; at = again.find("var buildbenchRevision", at + 1)) ++count;
  CHECK(count == 1);

  auto main_only = (*mutator)->apply({MutationKind::CodeChangeMain, "", ""});
  REQUIRE(main_only);
  CHECK(main_only->changed_paths == std::vector<std::string>{"main.go"});

  auto ignored = (*mutator)->apply({MutationKind::EditIgnoredFile, "", ""});
  REQUIRE(ignored);
  CHECK((ignored->changed_paths.front() == "README.md" || ignored->changed_paths.front() == "docs/guide.md"));
  auto asset = (*mutator)->apply({MutationKind::EditCopiedFile, "", ""});
  REQUIRE(asset);
  CHECK(asset->changed_paths == std::vector<std::string>{"config/app.yaml"});
  CHECK(read_file(project.root() / "config/app.yaml").find("# buildbench:code-change") != std::string::npos);

  REQUIRE((*mutator)->reset());
  CHECK(read_file(project.root() / "main.go") == before_main);
  CHECK(read_file(project.root() / "internal/greet/greet.go") == before_greet);
}

TEST_CASE("project mutations: touch changes the mtime only", "[fixture][project]") {
  Project project;
  auto profile = profile_project(project.root(), project.inputs());
  REQUIRE(profile);
  auto mutator = Mutator::open_project(project.root(), {}, *profile, 1);
  REQUIRE(mutator);
  std::string file = *project_code_file(*profile, MutationKind::TouchOnly, 1);
  auto content = read_file(project.root() / file);
  auto mtime = fs::last_write_time(project.root() / file);
  auto touched = (*mutator)->apply({MutationKind::TouchOnly, "", ""});
  REQUIRE(touched);
  CHECK(touched->changed_paths == std::vector<std::string>{file});
  CHECK(read_file(project.root() / file) == content);
  CHECK(fs::last_write_time(project.root() / file) > mtime);
  REQUIRE((*mutator)->reset());
}

TEST_CASE("project mutations: a dependency from the module proxy is added with go.sum lines", "[fixture][project]") {
  Project project;
  FixtureParams none;
  none.dep_modules = 0;
  auto store = std::make_shared<ModuleStore>(none);
  auto profile = profile_project(project.root(), project.inputs());
  REQUIRE(profile);
  auto mutator = Mutator::open_project(project.root(), {3, store}, *profile, 1);
  REQUIRE(mutator);
  auto added = (*mutator)->apply({MutationKind::AddDependency, "", ""});
  REQUIRE(added);
  REQUIRE(added->published.size() == 1);
  CHECK(store->is_published(added->published[0].path, added->published[0].version));
  CHECK(read_file(project.root() / "go.mod").find(added->published[0].path) != std::string::npos);
  CHECK(read_file(project.root() / "go.sum").find(added->published[0].path + " v1.0.0 h1:") != std::string::npos);
  const std::string& imported = added->changed_paths[2];
  std::string code = read_file(project.root() / imported);
  CHECK(code.find("import \"" + added->published[0].path + "\"") != std::string::npos);
  // The importing file is in the picked file's package.
  CHECK((code.rfind("package main\n", 0) == 0 || code.rfind("package greet\n", 0) == 0));
  REQUIRE((*mutator)->reset());
  CHECK_FALSE(fs::exists(project.root() / "go.sum"));  // the project had none: it goes again
  CHECK_FALSE(fs::exists(project.root() / imported));
}

TEST_CASE("project mutations say why a kind cannot apply", "[fixture][project]") {
  Project project;
  FixtureParams none;
  none.dep_modules = 0;
  ModuleStore store(none);
  auto profile = profile_project(project.root(), project.inputs());
  REQUIRE(profile);
  auto bump = project_supports(*profile, MutationKind::BumpDependency, &store);
  REQUIRE_FALSE(bump);
  CHECK_THAT(bump.error().message, Catch::Contains("go.mod requires no module") && Catch::Contains("dependency-add"));

  profile->gomod->requirements.push_back({"github.com/pkg/errors", "v0.9.1", false});
  bump = project_supports(*profile, MutationKind::BumpDependency, &store);
  REQUIRE_FALSE(bump);
  CHECK_THAT(bump.error().message, Catch::Contains("cannot serve (github.com/pkg/errors)"));

  ProjectProfile empty;
  auto ignored = project_supports(empty, MutationKind::EditIgnoredFile, &store);
  REQUIRE_FALSE(ignored);
  CHECK_THAT(ignored.error().message, Catch::Contains("no .dockerignore"));
  empty.has_dockerignore = true;
  ignored = project_supports(empty, MutationKind::EditIgnoredFile, &store);
  REQUIRE_FALSE(ignored);
  CHECK_THAT(ignored.error().message, Catch::Contains("matches no file"));
  auto code = project_supports(empty, MutationKind::CodeChangeLeaf, &store);
  REQUIRE_FALSE(code);
  CHECK_THAT(code.error().message, Catch::Contains("\"code_change\": {\"glob\": \"src/**/*.py\"}"));
  empty.code_glob = "src/**/*.py";
  code = project_supports(empty, MutationKind::CodeChangeLeaf, &store);
  REQUIRE_FALSE(code);
  CHECK_THAT(code.error().message, Catch::Contains("matches the code_change glob 'src/**/*.py'"));
}
