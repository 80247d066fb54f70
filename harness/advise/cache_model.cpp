#include "advise/cache_model.h"

#include <algorithm>
#include <cctype>
#include <functional>

namespace buildbench::advise {

// Vectors indexed by stage numbers (ints, as the model stores them).
template <typename V>
decltype(auto) at(V& v, int i) {
  return v[static_cast<size_t>(i)];
}

std::optional<std::string> Instruction::flag(const std::string& name) const {
  for (const auto& f : flags)
    if (f.name == name) return f.value;
  return std::nullopt;
}

std::vector<std::string> Instruction::flags_named(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& f : flags)
    if (f.name == name) out.push_back(f.value);
  return out;
}

namespace {

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool is_ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

int DockerfileView::stage_named(const std::string& name_or_index) const {
  const std::string wanted = lower(name_or_index);
  for (const auto& stage : stages)
    if (!stage.name.empty() && lower(stage.name) == wanted) return stage.index;
  if (!name_or_index.empty() && std::all_of(name_or_index.begin(), name_or_index.end(),
                                            [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    const int index = std::stoi(name_or_index);
    if (index >= 0 && index < static_cast<int>(stages.size())) return index;
  }
  return -1;
}

std::string_view change_kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::None: return "no-change";
    case ChangeKind::Cold: return "cold";
    case ChangeKind::SourceEdit: return "source-edit";
    case ChangeKind::ManifestEdit: return "manifest-edit";
    case ChangeKind::IgnoredEdit: return "ignored-edit";
    case ChangeKind::BuildArg: return "build-arg";
    case ChangeKind::BaseImage: return "base-image";
    case ChangeKind::DockerfileLine: return "dockerfile-line";
  }
  return "?";
}

std::string Change::describe() const {
  std::string out(change_kind_name(kind));
  switch (kind) {
    case ChangeKind::SourceEdit:
    case ChangeKind::ManifestEdit:
    case ChangeKind::IgnoredEdit:
      for (const auto& p : paths) out += " " + p;
      break;
    case ChangeKind::BuildArg: out += " " + arg; break;
    case ChangeKind::BaseImage: out += " " + image; break;
    case ChangeKind::DockerfileLine: out += " line " + std::to_string(line); break;
    default: break;
  }
  return out;
}

EngineRules EngineRules::for_engine(const std::string& engine_version) {
  EngineRules rules;
  int major = 0;
  for (char c : engine_version) {
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    major = major * 10 + (c - '0');
  }
  rules.name = "docker " + engine_version;
  // Both engines verified here pass a stage's ARGs to the stages built
  // FROM it (docs/cache-model.md, `inherit`), although CACHE-RULES.md reads
  // BuildKit 0.25's source as the first to do so: the builds win.
  rules.stage_children_inherit_args = true;
  rules.copy_link = major >= 23;
  return rules;
}

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Cached: return "cached";
    case Outcome::Rerun: return "re-run";
    case Outcome::ContentDependent: return "content-dependent";
    case Outcome::NotModelled: return "not modelled";
  }
  return "?";
}

std::string StepPrediction::trace_name() const {
  std::string out = "[";
  if (!stage_label.empty()) out += stage_label + " ";
  out += std::to_string(index) + "/" + std::to_string(total) + "] " + text;
  return out;
}

int Prediction::count(Outcome outcome) const {
  return static_cast<int>(std::count_if(steps.begin(), steps.end(), [&](const auto& s) { return s.outcome == outcome; }));
}

const StepPrediction* Prediction::find(const std::string& step) const {
  for (const auto& s : steps) {
    const std::string name = s.trace_name();
    const std::string prefix = name.substr(0, name.find(']') + 1);
    if (step == name || step == prefix || step == "L" + std::to_string(s.line) || step == std::to_string(s.line) ||
        step == s.text)
      return &s;
  }
  // "build 3/6" without brackets, or "3/6" in a one-stage file.
  for (const auto& s : steps) {
    std::string short_name = (s.stage_label.empty() ? "" : s.stage_label + " ") + std::to_string(s.index) + "/" +
                             std::to_string(s.total);
    if (step == short_name) return &s;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Text helpers

namespace {

// Does `text` use variable `name` ($name, ${name}, ${name:-x}, ...)?
bool uses_var(std::string_view text, std::string_view name) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') continue;
    if (i > 0 && text[i - 1] == '\\') continue;
    size_t start = i + 1;
    bool braced = start < text.size() && text[start] == '{';
    if (braced) ++start;
    if (text.substr(start, name.size()) != name) continue;
    const size_t after = start + name.size();
    if (braced) {
      if (after < text.size() && (text[after] == '}' || text[after] == ':')) return true;
    } else if (after >= text.size() || !is_ident(text[after])) {
      return true;
    }
  }
  return false;
}

// Replaces $X and ${X} (and ${X:-d}) by values; unknown names by "".
std::string expand(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    size_t start = i + 1;
    const bool braced = text[start] == '{';
    if (braced) ++start;
    size_t end = start;
    while (end < text.size() && is_ident(text[end])) ++end;
    if (end == start) {
      out += text[i];
      continue;
    }
    const std::string name(text.substr(start, end - start));
    std::string fallback;
    if (braced) {
      const size_t close = text.find('}', end);
      if (close == std::string_view::npos) {
        out += text.substr(i);
        break;
      }
      const std::string_view modifier = text.substr(end, close - end);
      if (modifier.starts_with(":-")) fallback = std::string(modifier.substr(2));
      end = close + 1;
    }
    auto it = values.find(name);
    out += (it != values.end() && !it->second.empty()) ? it->second : fallback;
    i = end - 1;
  }
  return out;
}

// Key=value pairs of a --mount flag ("type=cache,target=/go/pkg/mod").
std::map<std::string, std::string> mount_fields(const std::string& spec) {
  std::map<std::string, std::string> fields;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    const std::string part = spec.substr(pos, comma - pos);
    const size_t eq = part.find('=');
    if (eq == std::string::npos) fields[lower(part)] = "true";
    else fields[lower(part.substr(0, eq))] = part.substr(eq + 1);
    pos = comma + 1;
  }
  if (!fields.count("type")) fields["type"] = "bind";
  if (fields.count("src") && !fields.count("source")) fields["source"] = fields["src"];
  return fields;
}

bool is_remote_source(const std::string& src) {
  return src.starts_with("http://") || src.starts_with("https://") || src.starts_with("git@") ||
         src.starts_with("git://") || src.ends_with(".git");
}

// Does the COPY source `src` (relative to the context root) select `path`?
bool selects(const std::string& src, const std::string& path) {
  std::string cleaned = docker::clean_path(src);
  while (cleaned.starts_with("/")) cleaned.erase(0, 1);
  if (cleaned.empty() || cleaned == ".") return true;
  auto matcher = docker::IgnoreMatcher::from_patterns({cleaned});
  if (!matcher) return cleaned == path;  // a pattern the matcher refuses: compare literally
  return matcher->excluded(path);        // "excluded" = matched by the pattern or under it
}

bool makes_op(const std::string& keyword) {
  return keyword == "RUN" || keyword == "COPY" || keyword == "ADD" || keyword == "WORKDIR";
}

// Names an ENV instruction sets: "A=1 B=2" or the old "A value" form.
std::vector<std::string> env_names(const Instruction& env) {
  std::vector<std::string> names;
  if (env.words.empty()) return names;
  if (env.words[0].find('=') == std::string::npos) {
    names.push_back(env.words[0]);
    return names;
  }
  for (const auto& w : env.words) {
    const auto eq = w.find('=');
    if (eq != std::string::npos && eq > 0) names.push_back(w.substr(0, eq));
  }
  return names;
}

struct ArgDecl {
  std::string name;
  std::optional<std::string> value;
};

std::vector<ArgDecl> arg_decls(const Instruction& arg) {
  std::vector<ArgDecl> out;
  for (const auto& w : arg.words) {
    const auto eq = w.find('=');
    if (eq == std::string::npos) out.push_back({w, std::nullopt});
    else out.push_back({w.substr(0, eq), w.substr(eq + 1)});
  }
  return out;
}

// The state a step leaves for the next one: "clean" (Cached) or why not.
struct State {
  Outcome outcome = Outcome::Cached;
  std::string reason;
};

int severity(Outcome o) {
  switch (o) {
    case Outcome::Cached: return 0;
    case Outcome::ContentDependent: return 1;
    case Outcome::NotModelled: return 2;
    case Outcome::Rerun: return 3;
  }
  return 0;
}

void worsen(State& state, Outcome outcome, const std::string& reason) {
  if (severity(outcome) > severity(state.outcome)) state = {outcome, reason};
}

// A variable in scope: whether the change gave it a new value.
struct Var {
  bool changed = false;
  std::string origin;  // "ARG CACHEBUST (line 9)"
  bool is_arg = false;
};

struct StageResult {
  State final_state;
  std::map<std::string, Var> env;  // what a FROM-child inherits
  bool done = false;
};

}  // namespace

// ---------------------------------------------------------------------------

namespace {

class Predictor {
 public:
  Predictor(const DockerfileView& df, const ContextScan& ctx, const Change& change, const PredictOptions& options)
      : df_(df), ctx_(ctx), change_(change), options_(options) {}

  Prediction run() {
    Prediction prediction;
    prediction.change = change_;
    global_values();
    hidden_states_ = hidden_states();
    mark_needed(prediction);
    results_.resize(df_.stages.size());
    for (const auto& stage : df_.stages) {
      if (!at(needed_, stage.index)) continue;
      walk_stage(stage, prediction);
    }
    for (const auto& text : not_modelled_) prediction.not_modelled.push_back(text);
    return prediction;
  }

 private:
  bool line_edited(const Instruction& ins) const {
    return change_.kind == ChangeKind::DockerfileLine && change_.line >= ins.line &&
           change_.line <= std::max(ins.line, ins.end_line);
  }

  void global_values() {
    for (const auto& ins : df_.global_args) {
      for (const auto& decl : arg_decls(ins)) {
        Var var;
        var.is_arg = true;
        var.origin = "ARG " + decl.name + " (line " + std::to_string(ins.line) + ")";
        var.changed = (change_.kind == ChangeKind::BuildArg && change_.arg == decl.name) || line_edited(ins);
        global_vars_[decl.name] = var;
        global_has_value_[decl.name] = decl.value.has_value() || options_.build_args.count(decl.name) ||
                                       (change_.kind == ChangeKind::BuildArg && change_.arg == decl.name);
        if (auto it = options_.build_args.find(decl.name); it != options_.build_args.end())
          global_defaults_[decl.name] = it->second;
        else if (decl.value)
          global_defaults_[decl.name] = *decl.value;
      }
    }
  }

  // Which stage (index) does `--from=X` or a FROM argument name, or -1 for an image.
  int stage_ref(const std::string& ref, int before) const {
    const int index = df_.stage_named(expand(ref, global_defaults_));
    return index >= 0 && index < before ? index : -1;
  }

  void mark_needed(Prediction& prediction) {
    needed_.assign(df_.stages.size(), false);
    why_.assign(df_.stages.size(), "not reachable from the target");
    if (df_.stages.empty()) return;
    int target = static_cast<int>(df_.stages.size()) - 1;
    if (!options_.target.empty()) {
      const int named = df_.stage_named(options_.target);
      if (named >= 0) target = named;
    }
    std::function<void(int, const std::string&)> need = [&](int index, const std::string& why) {
      if (at(needed_, index)) return;
      at(needed_, index) = true;
      at(why_, index) = why;
      const Stage& stage = at(df_.stages, index);
      const int base = stage_ref(stage.base, stage.index);
      if (base >= 0) need(base, "FROM " + at(df_.stages, base).label() + " (line " + std::to_string(stage.line) + ")");
      for (const auto& ins : stage.instructions) {
        if (ins.keyword == "COPY" || ins.keyword == "ADD") {
          if (auto from = ins.flag("from")) {
            const int ref = stage_ref(*from, stage.index);
            if (ref >= 0) need(ref, ins.keyword + " --from=" + *from + " (line " + std::to_string(ins.line) + ")");
          }
        }
        if (ins.keyword == "RUN") {
          for (const auto& spec : ins.flags_named("mount")) {
            auto fields = mount_fields(spec);
            if (!fields.count("from")) continue;
            const int ref = stage_ref(fields["from"], stage.index);
            if (ref >= 0) need(ref, "RUN --mount from=" + fields["from"] + " (line " + std::to_string(ins.line) + ")");
          }
        }
      }
    };
    need(target, "the target");
    for (const auto& stage : df_.stages)
      prediction.stages.push_back({stage.index, stage.label(), at(needed_, stage.index), at(why_, stage.index)});
  }

  // The trace labels steps with their stage once the frontend holds more
  // than one build state: more than one stage, or a hidden one, which a
  // cache mount without from= (a scratch state) or a --from naming an image
  // adds. Verified on 20.10 and 28.5 ("[stage-0 2/3] RUN --mount=type=cache...").
  bool hidden_states() const {
    for (const auto& stage : df_.stages) {
      for (const auto& ins : stage.instructions) {
        if (auto from = ins.flag("from"); from && (ins.keyword == "COPY" || ins.keyword == "ADD") &&
                                          stage_ref(*from, stage.index) < 0)
          return true;
        if (ins.keyword != "RUN") continue;
        for (const auto& spec : ins.flags_named("mount")) {
          auto fields = mount_fields(spec);
          if (fields.count("from") ? stage_ref(fields["from"], stage.index) < 0 : fields["type"] == "cache") return true;
        }
      }
    }
    return false;
  }

  std::string label(const Stage& stage) const {
    return df_.stages.size() > 1 || hidden_states_ ? stage.label() : "";
  }

  // The changed context paths .dockerignore lets through.
  std::vector<std::string> changed_sent_paths() const {
    std::vector<std::string> out;
    const bool edits = change_.kind == ChangeKind::SourceEdit || change_.kind == ChangeKind::ManifestEdit ||
                       change_.kind == ChangeKind::IgnoredEdit;
    if (edits) {
      for (const auto& p : change_.paths)
        if (ctx_.sent(p)) out.push_back(p);
    }
    if (change_.kind == ChangeKind::DockerfileLine && !options_.dockerfile_in_context.empty() &&
        ctx_.sent(options_.dockerfile_in_context))
      out.push_back(options_.dockerfile_in_context);
    return out;
  }

  bool image_changed(const std::string& image_as_written) const {
    if (change_.kind != ChangeKind::BaseImage) return false;
    return image_as_written == change_.image || expand(image_as_written, global_defaults_) == change_.image;
  }

  // Does the text use a variable whose value changed? Returns its origin.
  std::optional<std::string> changed_var_in(const std::string& text, const std::map<std::string, Var>& scope) const {
    for (const auto& [name, var] : scope)
      if (var.changed && uses_var(text, name)) return "$" + name + " from " + var.origin + " has a new value";
    return std::nullopt;
  }

  void walk_stage(const Stage& stage, Prediction& prediction) {
    StageResult& result = at(results_, stage.index);
    std::map<std::string, Var> scope;  // ENV and ARG with a value, in the RUN environment
    State chain;
    int total = 0;
    const int base = stage_ref(stage.base, stage.index);
    for (const auto& ins : stage.instructions)
      if (makes_op(ins.keyword)) ++total;
    if (base < 0 && lower(stage.base) != "scratch") ++total;
    int index = 0;

    if (base >= 0) {
      const StageResult& parent = at(results_, base);
      chain = parent.final_state;
      if (chain.outcome != Outcome::Cached)
        chain.reason = "stage " + at(df_.stages, base).label() + " it is built FROM: " + chain.reason;
      for (const auto& [name, var] : parent.env)
        if (!var.is_arg || options_.engine.stage_children_inherit_args) scope[name] = var;
    } else if (lower(stage.base) != "scratch") {
      StepPrediction step;
      step.stage = stage.index;
      step.stage_label = label(stage);
      step.index = ++index;
      step.total = total;
      step.keyword = "FROM";
      step.text = "FROM " + expand(stage.base, global_defaults_);
      step.line = stage.line;
      step.observable = false;
      State own;
      // --no-cache does not apply to FROM: the image stays what it was.
      if (change_.kind == ChangeKind::Cold && !change_.no_cache) worsen(own, Outcome::Rerun, "cold build: no cache");
      if (image_changed(stage.base)) worsen(own, Outcome::Rerun, "the base image " + stage.base + " changed");
      if (change_.kind == ChangeKind::DockerfileLine && change_.line == stage.line)
        worsen(own, Outcome::Rerun, "its line " + std::to_string(stage.line) + " changed");
      if (auto var = changed_var_in(stage.base, global_vars_)) worsen(own, Outcome::Rerun, *var);
      step.outcome = own.outcome;
      step.reason = own.reason;
      if (own.outcome != Outcome::Cached) chain = {own.outcome, "FROM " + stage.base + ": " + own.reason};
      prediction.steps.push_back(step);
    }

    std::string meta_change;  // a SHELL/USER edit that later RUN/WORKDIR keys see
    for (const auto& ins : stage.instructions) {
      if (ins.keyword == "ARG") {
        for (const auto& decl : arg_decls(ins)) {
          Var var;
          var.is_arg = true;
          var.origin = "ARG " + decl.name + " (line " + std::to_string(ins.line) + ")";
          const bool given = options_.build_args.count(decl.name) > 0;
          const bool arg_changed = change_.kind == ChangeKind::BuildArg && change_.arg == decl.name;
          bool has_value = decl.value.has_value() || given || arg_changed;
          var.changed = arg_changed || (line_edited(ins) && !given);
          if (!decl.value && global_vars_.count(decl.name)) {  // redeclared global: takes its value
            has_value = has_value || global_has_value_[decl.name];
            var.changed = var.changed || global_vars_[decl.name].changed;
          }
          if (has_value || var.changed) scope[decl.name] = var;
        }
        continue;
      }
      if (ins.keyword == "ENV") {
        const bool env_changed = line_edited(ins) || changed_var_in(ins.text, scope).has_value();
        for (const auto& name : env_names(ins)) {
          Var var;
          var.origin = "ENV " + name + " (line " + std::to_string(ins.line) + ")";
          var.changed = env_changed;
          scope[name] = var;
        }
        continue;
      }
      if (ins.keyword == "SHELL" || ins.keyword == "USER") {
        if (line_edited(ins) || changed_var_in(ins.text, scope))
          meta_change = ins.keyword + " (line " + std::to_string(ins.line) + ") changed";
        continue;
      }
      if (!makes_op(ins.keyword)) {
        static const std::set<std::string> config_only = {"LABEL", "EXPOSE", "CMD", "ENTRYPOINT", "HEALTHCHECK",
                                                          "STOPSIGNAL", "VOLUME", "MAINTAINER", "ONBUILD"};
        if (!config_only.count(ins.keyword)) {
          not_modelled_.push_back(ins.keyword + " (line " + std::to_string(ins.line) + ")");
          worsen(chain, Outcome::NotModelled, ins.keyword + " on line " + std::to_string(ins.line) + " is not modelled");
        }
        continue;
      }

      StepPrediction step;
      step.stage = stage.index;
      step.stage_label = label(stage);
      step.index = ++index;
      step.total = total;
      step.keyword = ins.keyword;
      step.text = ins.keyword;
      for (const auto& f : ins.flags) step.text += " --" + f.name + (f.value.empty() ? "" : "=" + f.value);
      step.text += " " + ins.text;
      step.line = ins.line;
      State own = own_inputs(stage, ins, scope, meta_change);
      if (own.outcome == Outcome::Rerun) {
        step.outcome = Outcome::Rerun;
        step.reason = own.reason;
      } else if (chain.outcome == Outcome::Rerun) {
        step.outcome = Outcome::Rerun;
        step.reason = "an earlier step re-ran: " + chain.reason;
      } else if (severity(own.outcome) >= severity(chain.outcome)) {
        step.outcome = own.outcome;
        step.reason = own.reason;
      } else {
        step.outcome = chain.outcome;
        step.reason = "follows a step that is " + std::string(outcome_name(chain.outcome)) + ": " + chain.reason;
      }
      if (step.outcome != Outcome::Cached && own.outcome != Outcome::Cached)
        chain = {step.outcome, step.trace_name() + ": " + own.reason};
      else if (step.outcome != Outcome::Cached && chain.outcome == Outcome::Cached)
        chain = {step.outcome, step.reason};
      prediction.steps.push_back(step);
    }
    result.final_state = chain;
    result.env = scope;
    result.done = true;
  }

  State own_inputs(const Stage& stage, const Instruction& ins, const std::map<std::string, Var>& scope,
                   const std::string& meta_change) {
    State own;
    const std::string where = " (line " + std::to_string(ins.line) + ")";
    if (change_.kind == ChangeKind::Cold) {
      if (change_.no_cache && ins.keyword == "WORKDIR")
        worsen(own, Outcome::NotModelled,
               "--no-cache does not apply to WORKDIR: cached when an identical one was built on this base before");
      else
        worsen(own, Outcome::Rerun, change_.no_cache ? "--no-cache build" : "cold build: no cache");
    }
    if (line_edited(ins)) worsen(own, Outcome::Rerun, "its Dockerfile line " + std::to_string(change_.line) + " changed");
    if (ins.keyword == "RUN") {
      for (const auto& [name, var] : scope) {
        if (var.changed) {
          worsen(own, Outcome::Rerun,
                 var.origin + " has a new value and is in the RUN's environment" +
                     (uses_var(ins.text, name) ? "" : " (even though the command does not use it)"));
          break;
        }
      }
      if (!meta_change.empty()) worsen(own, Outcome::Rerun, meta_change);
      for (const auto& spec : ins.flags_named("mount")) {
        auto fields = mount_fields(spec);
        if (fields["type"] != "bind") continue;  // cache/secret/ssh/tmpfs contents are never in the key
        const std::string source = fields.count("source") ? fields["source"] : ".";
        if (fields.count("from")) {
          const int ref = stage_ref(fields["from"], stage.index);
          if (ref >= 0) {
            const State& from = at(results_, ref).final_state;
            if (from.outcome == Outcome::NotModelled) worsen(own, Outcome::NotModelled, "mounts from a stage that is not modelled");
            else if (from.outcome != Outcome::Cached)
              worsen(own, Outcome::ContentDependent,
                     "binds " + source + " from stage " + at(df_.stages, ref).label() + ", which re-ran: cached only if those bytes are identical");
          } else if (image_changed(fields["from"])) {
            worsen(own, Outcome::Rerun, "binds from image " + fields["from"] + ", which changed");
          }
        } else {
          for (const auto& path : changed_sent_paths())
            if (selects(expand(source, {}), path)) {
              worsen(own, Outcome::Rerun, "its bind mount of " + source + " holds " + path + ", which changed");
              break;
            }
        }
      }
      return own;
    }
    if (ins.keyword == "WORKDIR") {
      if (auto var = changed_var_in(ins.text, scope)) worsen(own, Outcome::Rerun, *var);
      if (!meta_change.empty() && meta_change.starts_with("USER")) worsen(own, Outcome::Rerun, meta_change);
      return own;
    }
    // COPY / ADD
    if (auto var = changed_var_in(ins.text, scope)) worsen(own, Outcome::Rerun, *var);
    for (const auto& name : {"exclude", "parents"})
      if (ins.flag(name)) worsen(own, Outcome::NotModelled, std::string("--") + name + " is not modelled");
    if (ins.flag("link") && !options_.engine.copy_link)
      worsen(own, Outcome::NotModelled, "--link is unknown to this engine's Dockerfile frontend");
    if (auto from = ins.flag("from")) {
      const int ref = stage_ref(*from, stage.index);
      if (ref >= 0) {
        const State& source = at(results_, ref).final_state;
        if (source.outcome == Outcome::NotModelled)
          worsen(own, Outcome::NotModelled, "copies from stage " + at(df_.stages, ref).label() + ", which is not modelled");
        else if (source.outcome != Outcome::Cached)
          worsen(own, Outcome::ContentDependent,
                 "copies from stage " + at(df_.stages, ref).label() +
                     ", which re-ran: cached again only if the copied bytes come out identical");
      } else if (image_changed(*from)) {
        worsen(own, Outcome::Rerun, "copies from image " + *from + ", which changed");
      }
      return own;
    }
    if (ins.words.size() < 2) return own;
    std::map<std::string, std::string> values;  // for expanding sources: defaults only matter for paths
    for (size_t i = 0; i + 1 < ins.words.size(); ++i) {
      const std::string src = expand(ins.words[i], global_defaults_);
      if (is_remote_source(src)) {
        worsen(own, Outcome::NotModelled, ins.keyword + " of a remote source is checked again on every build" + where);
        continue;
      }
      for (const auto& path : changed_sent_paths()) {
        if (selects(src, path)) {
          worsen(own, Outcome::Rerun, ins.keyword + " source " + ins.words[i] + " selects " + path + ", which changed");
          break;
        }
      }
    }
    return own;
  }

  const DockerfileView& df_;
  const ContextScan& ctx_;
  const Change& change_;
  const PredictOptions& options_;
  std::vector<bool> needed_;
  std::vector<std::string> why_;
  std::vector<StageResult> results_;
  std::map<std::string, Var> global_vars_;
  std::map<std::string, bool> global_has_value_;
  std::map<std::string, std::string> global_defaults_;
  std::vector<std::string> not_modelled_;
  bool hidden_states_ = false;
};

bool is_manifest(const std::string& path) {
  static const std::set<std::string> names = {"go.mod", "go.sum", "package.json", "package-lock.json",
                                              "requirements.txt", "poetry.lock", "Cargo.toml", "Cargo.lock"};
  const auto slash = path.rfind('/');
  return names.count(slash == std::string::npos ? path : path.substr(slash + 1)) > 0;
}

}  // namespace

Prediction predict(const DockerfileView& dockerfile, const ContextScan& context, const Change& change,
                   const PredictOptions& options) {
  return Predictor(dockerfile, context, change, options).run();
}

std::vector<Change> representative_changes(const DockerfileView& dockerfile, const ContextScan& context) {
  std::vector<Change> changes;
  auto ends_with = [](const std::string& s, std::string_view suffix) { return s.ends_with(suffix); };
  auto is_build_file = [](const std::string& p) {
    return p == ".dockerignore" || p == "Dockerfile" || p.ends_with(".Dockerfile") || p.starts_with(".git/") ||
           p.starts_with(".buildbench/");
  };
  std::string source = context.first_sent([&](const std::string& p) {
    return ends_with(p, ".go") && !ends_with(p, "_test.go") && !is_build_file(p);
  });
  if (source.empty())
    source = context.first_sent([&](const std::string& p) { return !is_manifest(p) && !is_build_file(p); });
  if (!source.empty()) changes.push_back({ChangeKind::SourceEdit, {source}, "", "", 0});
  std::vector<std::string> manifests;
  for (const auto& f : context.files)
    if (f.sent && f.path.find('/') == std::string::npos && is_manifest(f.path)) manifests.push_back(f.path);
  if (!manifests.empty()) changes.push_back({ChangeKind::ManifestEdit, manifests, "", "", 0});
  for (const auto& f : context.files) {
    if (!f.sent) {
      changes.push_back({ChangeKind::IgnoredEdit, {f.path}, "", "", 0});
      break;
    }
  }
  std::set<std::string> args, images;
  auto add_args = [&](const Instruction& ins) {
    for (const auto& w : ins.words) args.insert(w.substr(0, w.find('=')));
  };
  for (const auto& ins : dockerfile.global_args) add_args(ins);
  for (const auto& stage : dockerfile.stages) {
    if (dockerfile.stage_named(stage.base) < 0 || dockerfile.stage_named(stage.base) >= stage.index) {
      if (lower(stage.base) != "scratch") images.insert(stage.base);
    }
    for (const auto& ins : stage.instructions) {
      if (ins.keyword == "ARG") add_args(ins);
      if ((ins.keyword == "COPY" || ins.keyword == "ADD") && ins.flag("from")) {
        const int ref = dockerfile.stage_named(*ins.flag("from"));
        if (ref < 0 || ref >= stage.index) images.insert(*ins.flag("from"));
      }
    }
  }
  for (const auto& a : args) changes.push_back({ChangeKind::BuildArg, {}, a, "", 0});
  for (const auto& i : images) changes.push_back({ChangeKind::BaseImage, {}, "", i, 0});
  return changes;
}

void Agreement::add(const Agreement& other) {
  compared += other.compared;
  agreed += other.agreed;
  content_dependent += other.content_dependent;
  not_modelled += other.not_modelled;
  disagreements.insert(disagreements.end(), other.disagreements.begin(), other.disagreements.end());
}

Agreement compare(const Prediction& prediction, const std::vector<ObservedStep>& observed) {
  Agreement agreement;
  std::set<std::pair<std::string, int>> predicted_keys;
  for (const auto& step : prediction.steps) {
    predicted_keys.insert({step.stage_label, step.index});
    if (!step.observable) continue;
    if (step.outcome == Outcome::ContentDependent) {
      ++agreement.content_dependent;
      continue;
    }
    if (step.outcome == Outcome::NotModelled) {
      ++agreement.not_modelled;
      continue;
    }
    const auto it = std::find_if(observed.begin(), observed.end(), [&](const ObservedStep& o) {
      return o.stage == step.stage_label && o.index == step.index;
    });
    ++agreement.compared;
    const bool predicted_cached = step.outcome == Outcome::Cached;
    if (it == observed.end()) {
      agreement.disagreements.push_back(prediction.change.describe() + ": " + step.trace_name() +
                                        ": predicted " + std::string(outcome_name(step.outcome)) + ", not in the trace");
    } else if (it->cached == predicted_cached) {
      ++agreement.agreed;
    } else {
      agreement.disagreements.push_back(prediction.change.describe() + ": " + step.trace_name() + ": predicted " +
                                        std::string(outcome_name(step.outcome)) + ", the trace says " +
                                        (it->cached ? "cached" : "re-ran"));
    }
  }
  for (const auto& o : observed) {
    if (o.index <= 0 || predicted_keys.count({o.stage, o.index})) continue;
    ++agreement.compared;
    agreement.disagreements.push_back(prediction.change.describe() + ": " + o.name +
                                      ": in the trace, but its stage was predicted not to be built");
  }
  return agreement;
}

}  // namespace buildbench::advise
