#pragma once
// The fixture a series builds: a pristine copy made once (generated, or
// copied from the user's directory) and a work tree the builds read, reset
// to the pristine copy at the start of every round and mutated before each
// mutation sample. Owns the module proxy's store for generated fixtures.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "fixture/module_store.h"
#include "fixture/mutations.h"
#include "scenario/scenario.h"
#include "util/result.h"

namespace buildbench::runner {

class Workspace {
 public:
  // Lays out <root>/pristine and <root>/context for one series.
  static util::Result<Workspace> create(const scenario::Scenario& scenario, const scenario::Series& series,
                                        const std::filesystem::path& root);

  const std::filesystem::path& context_dir() const { return context_; }
  const std::string& fixture_hash() const { return fixture_hash_; }
  // The modules the proxy serves (empty store for directory fixtures).
  std::shared_ptr<fixture::ModuleStore> store() const { return store_; }

  // The work tree becomes the pristine tree again, with the .dockerignore
  // the variant's build uses in place (or none; a `path` fixture keeps its
  // own unless the variant names one). A `path` fixture's mutations pick
  // their files from what this variant's Dockerfile copies.
  // `round_salt` makes the mutations of this round differ from every other
  // round's, so no build is cached by accident.
  util::Status reset(const scenario::Variant& variant, uint64_t round_salt);
  // Applies the change a mutation kind makes; `iteration` is a counter that
  // gives new content every time. Cachebust changes no file (the runner
  // bumps the build argument).
  util::Status mutate(const scenario::BuildKind& kind);

 private:
  Workspace() = default;
  std::filesystem::path root_, pristine_, context_;
  std::string fixture_hash_;
  bool generated_ = false;
  scenario::Scenario scenario_;  // what a path fixture's mutations read (variants, glob, seed)
  std::shared_ptr<fixture::ModuleStore> store_;
  std::unique_ptr<fixture::Mutator> mutator_;  // opened on the reset work tree
};

}  // namespace buildbench::runner
