#include "dockerfile/stages.h"

#include <algorithm>
#include <cctype>
#include <functional>

// Facts from BuildKit's dockerfile2llb/convert.go: stage names are matched
// case-insensitively, `COPY --from` also takes a stage index, FROM words are
// expanded with the global ARGs (and the automatic platform ARGs) only, a
// stage sees a global ARG only after redeclaring it, ENV wins over ARG, and
// stages the target does not need are not built.

namespace buildbench::dockerfile {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void set(std::vector<std::pair<std::string, std::string>>& list, const std::string& key, std::string value) {
  for (auto& [k, v] : list) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  list.emplace_back(key, std::move(value));
}

const std::string* get(const std::vector<std::pair<std::string, std::string>>& list, std::string_view key) {
  for (const auto& [k, v] : list) {
    if (k == key) return &v;
  }
  return nullptr;
}

// TARGETPLATFORM=linux/arm64/v8 → TARGETOS=linux, TARGETARCH=arm64, TARGETVARIANT=v8.
std::vector<std::pair<std::string, std::string>> platform_args(const BuildOptions& options) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const std::string& prefix, const std::string& platform) {
    std::string parts[3];
    size_t start = 0;
    for (int i = 0; i < 3; ++i) {
      size_t slash = platform.find('/', start);
      parts[i] = platform.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    out.emplace_back(prefix + "PLATFORM", platform);
    out.emplace_back(prefix + "OS", parts[0]);
    out.emplace_back(prefix + "ARCH", parts[1]);
    out.emplace_back(prefix + "VARIANT", parts[2]);
  };
  add("BUILD", options.build_platform);
  add("TARGET", options.target_platform);
  return out;
}

}  // namespace

std::optional<int> find_stage(const Dockerfile& model, std::string_view name_or_index, int before) {
  const int limit = before < 0 ? static_cast<int>(model.stages.size()) : std::min<int>(before, static_cast<int>(model.stages.size()));
  const std::string name = lower(name_or_index);
  for (int i = 0; i < limit; ++i) {
    if (!model.stages[static_cast<size_t>(i)].name.empty() && model.stages[static_cast<size_t>(i)].name == name) return i;
  }
  if (all_digits(name_or_index) && name_or_index.size() < 9) {
    int index = std::stoi(std::string(name_or_index));
    if (index < limit) return index;
  }
  return std::nullopt;
}

util::Result<int> target_stage(const Dockerfile& model, std::string_view target) {
  if (model.stages.empty()) return util::error(model.file + ": no build stage");
  if (target.empty()) return static_cast<int>(model.stages.size()) - 1;
  const std::string name = lower(target);
  for (const Stage& stage : model.stages) {
    if (stage.name == name) return stage.index;
  }
  std::string known;
  for (const Stage& stage : model.stages) {
    if (!stage.name.empty()) known += (known.empty() ? "" : ", ") + stage.name;
  }
  return util::error(model.file + ": target stage \"" + std::string(target) + "\" could not be found" +
                     (known.empty() ? " (no stage has a name)" : " (stages: " + known + ")"));
}

Scope Scope::global(const Dockerfile& model, const BuildOptions& options) {
  Scope scope;
  scope.model_ = &model;
  scope.options_ = &options;
  scope.global_scope_ = true;
  scope.args_ = platform_args(options);
  for (const Instruction& arg : model.global_args) scope.apply(arg);
  for (const auto& [k, v] : scope.args_) scope.global_values_[k] = v;
  return scope;
}

Scope Scope::at_stage_start(const Dockerfile& model, int stage, const BuildOptions& options) {
  return start(model, stage, options, 0);
}

Scope Scope::start(const Dockerfile& model, int stage, const BuildOptions& options, size_t depth) {
  Scope globals = global(model, options);
  Scope scope;
  scope.model_ = &model;
  scope.options_ = &options;
  scope.global_values_ = globals.global_values_;
  const StageRef base = resolve_base(model, stage, options);
  // A child starts from its parent's image config (its ENV) and, in newer
  // BuildKit, its ARG values. A FROM cycle (which BuildKit rejects) is cut
  // after as many steps as there are stages.
  if (base.kind == StageRef::Kind::Stage && depth < model.stages.size()) {
    Scope parent = start(model, base.stage, options, depth + 1);
    for (const Instruction& ins : model.stages[static_cast<size_t>(base.stage)].instructions) parent.apply(ins);
    scope.env_ = parent.env_;
    if (options.child_inherits_parent_args) scope.args_ = parent.args_;
  }
  return scope;
}

Scope Scope::before(const Dockerfile& model, int stage, size_t instruction, const BuildOptions& options) {
  Scope scope = at_stage_start(model, stage, options);
  const auto& instructions = model.stages[static_cast<size_t>(stage)].instructions;
  for (size_t i = 1; i < instruction && i < instructions.size(); ++i) scope.apply(instructions[i]);
  return scope;
}

void Scope::apply(const Instruction& instruction) {
  if (instruction.keyword == Keyword::Arg) {
    for (const KeyValue& pair : instruction.pairs) {
      const std::string& name = pair.key.text;
      std::optional<std::string> value;
      auto given = options_->build_args.find(name);
      if (given != options_->build_args.end()) {
        value = given->second;
      } else if (pair.value) {
        auto expanded = expand(*pair.value);
        value = expanded ? *expanded : pair.value->text;
      } else if (auto global = global_values_.find(name); global != global_values_.end()) {
        value = global->second;
      } else {
        for (const auto& [k, v] : platform_args(*options_)) {
          if (k == name) value = v;
        }
      }
      if (value) {
        set(args_, name, std::move(*value));
      } else {
        args_.erase(std::remove_if(args_.begin(), args_.end(), [&](const auto& kv) { return kv.first == name; }),
                    args_.end());
      }
    }
  } else if (instruction.keyword == Keyword::Env) {
    for (const KeyValue& pair : instruction.pairs) {
      if (!pair.value) continue;
      // The frontend expands ENV names too (`ENV ${PREFIX}_HOME=/x`).
      auto key = expand(pair.key);
      auto expanded = expand(*pair.value);
      set(env_, key ? *key : pair.key.text, expanded ? *expanded : pair.value->text);
    }
  }
}

std::optional<std::string> Scope::lookup(std::string_view name) const {
  if (const std::string* value = get(env_, name)) return *value;
  if (const std::string* value = get(args_, name)) return *value;
  return std::nullopt;
}

Lookup Scope::lookup_function() const {
  return [this](std::string_view name) { return lookup(name); };
}

util::Result<std::string> Scope::expand(const Word& word) const {
  ExpandOptions options;
  options.escape = model_ != nullptr ? model_->escape : '\\';
  auto expanded = expand_word(word.text, lookup_function(), options);
  if (!expanded) {
    return util::error((model_ != nullptr ? model_->where(word.at) : std::string("Dockerfile")) + ": " +
                       expanded.error().message + " in " + word.text);
  }
  return expanded;
}

StageRef resolve_base(const Dockerfile& model, int stage, const BuildOptions& options) {
  StageRef ref;
  const auto image = model.stages[static_cast<size_t>(stage)].from().from_image();
  Scope globals = Scope::global(model, options);
  auto expanded = globals.expand(*image);
  const std::string name = expanded ? *expanded : image->text;
  if (lower(name) == "scratch") {
    ref.kind = StageRef::Kind::Scratch;
    return ref;
  }
  // FROM names only named stages (not indexes) and never itself.
  const std::string wanted = lower(name);
  for (const Stage& other : model.stages) {
    if (other.index != stage && !other.name.empty() && other.name == wanted) {
      ref.kind = StageRef::Kind::Stage;
      ref.stage = other.index;
      return ref;
    }
  }
  ref.kind = StageRef::Kind::Image;
  ref.image = name;
  return ref;
}

StageRef resolve_from(const Dockerfile& model, int stage, std::string_view from) {
  StageRef ref;
  if (from.empty()) return ref;  // the build context
  auto found = find_stage(model, from);
  if (found && *found != stage) {
    ref.kind = StageRef::Kind::Stage;
    ref.stage = *found;
    return ref;
  }
  ref.kind = lower(from) == "scratch" ? StageRef::Kind::Scratch : StageRef::Kind::Image;
  ref.image = std::string(from);
  return ref;
}

std::vector<int> stage_dependencies(const Dockerfile& model, int stage, const BuildOptions& options) {
  std::vector<int> out;
  auto add = [&](const StageRef& ref) {
    if (ref.kind == StageRef::Kind::Stage && std::find(out.begin(), out.end(), ref.stage) == out.end()) {
      out.push_back(ref.stage);
    }
  };
  add(resolve_base(model, stage, options));
  Scope scope = Scope::at_stage_start(model, stage, options);
  const auto& instructions = model.stages[static_cast<size_t>(stage)].instructions;
  for (size_t i = 1; i < instructions.size(); ++i) {
    const Instruction& ins = instructions[i];
    if (ins.keyword == Keyword::Copy) {
      if (const Flag* from = ins.flag("from"); from != nullptr && from->value) {
        auto expanded = scope.expand(Word{*from->value, from->at});
        add(resolve_from(model, stage, expanded ? *expanded : *from->value));
      }
    }
    if (ins.keyword == Keyword::Run) {
      for (const Mount& mount : ins.mounts) {
        if (mount.from.empty()) continue;
        auto expanded = scope.expand(Word{mount.from, mount.at});
        add(resolve_from(model, stage, expanded ? *expanded : mount.from));
      }
    }
    scope.apply(ins);
  }
  return out;
}

std::vector<bool> reachable_stages(const Dockerfile& model, int target, const BuildOptions& options) {
  std::vector<bool> reached(model.stages.size(), false);
  if (target < 0 || static_cast<size_t>(target) >= model.stages.size()) return reached;
  std::vector<int> todo{target};
  while (!todo.empty()) {
    int stage = todo.back();
    todo.pop_back();
    if (reached[static_cast<size_t>(stage)]) continue;
    reached[static_cast<size_t>(stage)] = true;
    for (int dependency : stage_dependencies(model, stage, options)) todo.push_back(dependency);
  }
  return reached;
}

}  // namespace buildbench::dockerfile
