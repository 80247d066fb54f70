#include "runner/workspace.h"

#include "fixture/generator.h"
#include "fixture/mutations.h"
#include "scenario/preflight.h"
#include "util/process.h"

namespace buildbench::runner {
namespace {

// `cp -a` keeps mtimes and modes, so a reset tree has the same file stats as
// the pristine one and a BuildKit session re-sends nothing it already has.
util::Status copy_tree(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::remove_all(to, ec);
  std::filesystem::create_directories(to, ec);
  if (ec) return util::error("cannot create " + to.string() + ": " + ec.message());
  auto copied = util::run_process({"cp", "-a", "--", from.string() + "/.", to.string()});
  if (!copied) return copied.error();
  if (copied->exit_code != 0) {
    return util::error("copying " + from.string() + " to " + to.string() + " failed: " + copied->err);
  }
  return {};
}

}  // namespace

util::Result<Workspace> Workspace::create(const scenario::Scenario& scenario, const scenario::Series& series,
                                          const std::filesystem::path& root) {
  Workspace workspace;
  workspace.scenario_ = scenario;
  workspace.root_ = root;
  workspace.pristine_ = root / "pristine";
  workspace.context_ = root / "context";
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  std::filesystem::create_directories(root, ec);
  if (ec) return util::error("cannot create the work directory " + root.string() + ": " + ec.message());
  if (scenario.fixture.kind == scenario::FixtureSource::Kind::Generate) {
    auto generated = fixture::generate_fixture(series.params, workspace.pristine_);
    if (!generated) return util::error("generating the fixture failed: " + generated.error().message);
    workspace.generated_ = true;
    auto store = fixture::ModuleStore::create(series.params);
    if (!store) return util::error("the fixture's module store: " + store.error().message);
    workspace.store_ = std::move(store).value();
  } else {
    auto copied = copy_tree(scenario.fixture.path, workspace.pristine_);
    if (!copied) return copied.error();
    fixture::FixtureParams no_dependencies;
    no_dependencies.dep_modules = 0;
    workspace.store_ = std::make_shared<fixture::ModuleStore>(no_dependencies);
  }
  auto hash = fixture::tree_hash(workspace.pristine_);
  if (!hash) return hash.error();
  workspace.fixture_hash_ = *hash;
  return workspace;
}

util::Status Workspace::reset(const scenario::Variant& variant, uint64_t round_salt) {
  // The mutator restores exactly the files the last round's mutations
  // changed (with their mtimes) and checks every other file by size and
  // mtime; copying the whole pristine tree again cost ~0.1-0.3 s a round
  // for the seed fixture's 34 MB. Anything unexpected falls back to the copy.
  bool restored = mutator_ && mutator_->reset().ok();
  mutator_.reset();
  if (!restored) {
    auto copied = copy_tree(pristine_, context_);
    if (!copied) return copied;
  }
  std::error_code ec;
  const auto dockerignore = scenario::effective_dockerignore(scenario_, variant);
  if (!generated_ && dockerignore && !variant.dockerignore) {
    // The project's own .dockerignore, copied with the tree: it stays.
  } else {
    std::filesystem::remove(context_ / ".dockerignore", ec);
  }
  if (dockerignore && (generated_ || variant.dockerignore)) {
    std::filesystem::copy_file(*dockerignore, context_ / ".dockerignore",
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) return util::error("cannot copy " + dockerignore->string() + " into the fixture: " + ec.message());
  }
  fixture::Mutator::Options options;
  options.salt = round_salt;
  options.store = store_;
  util::Result<std::unique_ptr<fixture::Mutator>> mutator = util::error("unset");
  if (generated_) {
    mutator = fixture::Mutator::open(context_, options);
  } else {
    // The same inputs validation profiled the project with, so the run
    // changes the files validation found.
    auto inputs = scenario::project_inputs(scenario_, variant);
    if (!inputs) return inputs.error();
    auto profile = fixture::profile_project(context_, *inputs);
    if (!profile) return profile.error();
    mutator = fixture::Mutator::open_project(context_, options, std::move(profile).value(), scenario_.seed);
  }
  if (!mutator) return mutator.error();
  mutator_ = std::move(mutator).value();
  return {};
}

util::Status Workspace::mutate(const scenario::BuildKind& kind) {
  if (!mutator_) return util::error("internal: mutate before reset");
  fixture::Mutation mutation;
  using K = scenario::KindType;
  switch (kind.type) {
    case K::CodeChange:
      mutation.kind = kind.where == scenario::CodeChangeWhere::Leaf     ? fixture::MutationKind::CodeChangeLeaf
                      : kind.where == scenario::CodeChangeWhere::Shared ? fixture::MutationKind::CodeChangeCore
                                                                        : fixture::MutationKind::CodeChangeMain;
      break;
    case K::DependencyAdd: mutation.kind = fixture::MutationKind::AddDependency; break;
    case K::DependencyBump: mutation.kind = fixture::MutationKind::BumpDependency; break;
    case K::Touch: mutation.kind = fixture::MutationKind::TouchOnly; break;
    case K::IgnoredFileChange: mutation.kind = fixture::MutationKind::EditIgnoredFile; break;
    case K::NonGoChange: mutation.kind = fixture::MutationKind::EditCopiedFile; break;
    case K::Custom:
      mutation.kind = kind.custom.action == scenario::CustomMutation::Action::Append ? fixture::MutationKind::AppendLine
                                                                                      : fixture::MutationKind::WriteFile;
      mutation.path = kind.custom.file;
      mutation.text = kind.custom.text;
      break;
    case K::Cold:
    case K::Warm:
    case K::Cachebust:
      return {};  // no file changes (the runner bumps the build argument for cachebust)
  }
  auto applied = mutator_->apply(mutation);
  if (!applied) return util::error(kind.label() + ": " + applied.error().message);
  return {};
}

}  // namespace buildbench::runner
