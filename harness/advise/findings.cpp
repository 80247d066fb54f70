#include "advise/findings.h"

#include <algorithm>
#include <fmt/core.h>
#include <map>
#include <set>

namespace buildbench::advise {

const std::vector<Rule>& rules() {
  static const std::vector<Rule> all = {
      {"BB001", "manifest-after-source", "Dependency manifest copied together with the source",
       "The dependency download runs after `COPY . .`, so every source edit re-downloads the dependencies. "
       "Copy the manifest (go.mod and go.sum, package.json, requirements.txt) first and download, then copy "
       "the source: a source edit then keeps the download cached.",
       "warning"},
      {"BB002", "no-cache-mount", "Package or build cache not in a cache mount",
       "When a step re-runs, its downloads and compiler cache start empty. A cache mount "
       "(RUN --mount=type=cache,target=...) keeps them across re-runs: Go's module cache /go/pkg/mod and build "
       "cache /root/.cache/go-build, pip's /root/.cache/pip, npm's /root/.npm, apt's /var/cache/apt and "
       "/var/lib/apt.",
       "warning"},
      {"BB003", "no-dockerignore", "Large build context without .dockerignore",
       "Without .dockerignore every file of the context is sent and `COPY . .` re-runs when any of them "
       "changes (documentation, VCS metadata). A .dockerignore drops them.",
       "warning"},
      {"BB004", "copy-all-early", "`COPY . .` above steps that do not read the source",
       "Steps that install tools or packages do not read the source, but below `COPY . .` they re-run on "
       "every source edit. Move them above it.",
       "warning"},
      {"BB005", "arg-early", "ARG declared long before its first use",
       "Every RUN after an ARG has the ARG in its environment, used or not: a new value re-runs them all. "
       "Declare the ARG right before the first step that uses it.",
       "warning"},
      {"BB006", "split-compile", "Independent stages split one compile on a machine with few CPUs",
       "Two stages that each compile from the same base run at once, and each compiles the shared packages "
       "again; on a machine with few CPUs they compete for them. The seed measurement on 2 CPUs: the two-stage "
       "build took 1.56 times as long as one stage building both binaries (reports/seed/toy/).",
       "note"},
  };
  return all;
}

const Rule* rule_by_id_or_name(const std::string& id_or_name) {
  for (const auto& rule : rules())
    if (rule.id == id_or_name || rule.name == id_or_name) return &rule;
  return nullptr;
}

namespace {

bool contains(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

bool go_downloads(const std::string& cmd) {
  return contains(cmd, "go build") || contains(cmd, "go mod download") || contains(cmd, "go install") ||
         contains(cmd, "go test") || contains(cmd, "go vet") || contains(cmd, "go generate");
}
bool go_compiles(const std::string& cmd) {
  return contains(cmd, "go build") || contains(cmd, "go install") || contains(cmd, "go test") || contains(cmd, "go vet");
}
bool npm_installs(const std::string& cmd) { return contains(cmd, "npm ci") || contains(cmd, "npm install"); }
bool pip_installs(const std::string& cmd) { return contains(cmd, "pip install") || contains(cmd, "pip3 install"); }
bool apt_installs(const std::string& cmd) { return contains(cmd, "apt-get install") || contains(cmd, "apt install"); }

// Steps that fetch or install things without reading the build's source.
bool installs_without_source(const Instruction& ins) {
  if (ins.keyword != "RUN") return false;
  const std::string& cmd = ins.text;
  if (contains(cmd, "apk add") || apt_installs(cmd) || contains(cmd, "apt-get update") ||
      contains(cmd, "yum install") || contains(cmd, "dnf install") || contains(cmd, "addgroup") ||
      contains(cmd, "adduser") || contains(cmd, "useradd") || contains(cmd, "npm install -g"))
    return true;
  // `go install tool@version` fetches a tool by version, no local source.
  if (contains(cmd, "go install") && contains(cmd, "@") && !contains(cmd, "./")) return true;
  return false;
}

bool copies_whole_context(const Instruction& ins) {
  if ((ins.keyword != "COPY" && ins.keyword != "ADD") || ins.flag("from") || ins.words.size() < 2) return false;
  for (size_t i = 0; i + 1 < ins.words.size(); ++i) {
    const std::string& src = ins.words[i];
    if (src == "." || src == "./" || src == "/" || src == "*") return true;
  }
  return false;
}

bool copies_path(const Instruction& ins, const std::string& name) {
  if ((ins.keyword != "COPY" && ins.keyword != "ADD") || ins.flag("from")) return false;
  for (size_t i = 0; i + 1 < ins.words.size(); ++i) {
    std::string src = ins.words[i];
    while (src.starts_with("./")) src.erase(0, 2);
    if (src == name || src.starts_with(name.substr(0, name.find('.')) + "*")) return true;
  }
  return false;
}

std::vector<std::string> original_lines(const DockerfileView& df, int first, int last) {
  std::vector<std::string> out;
  for (int l = first; l <= last && l - 1 < static_cast<int>(df.lines.size()); ++l) out.push_back(df.line(l));
  return out;
}

std::string leading_space(const std::string& line) { return line.substr(0, line.find_first_not_of(" \t")); }

bool has_cache_mount(const Instruction& ins, const std::string& target) {
  for (const auto& spec : ins.flags_named("mount"))
    if (contains(spec, "type=cache") && (contains(spec, "target=" + target) || contains(spec, "dst=" + target) ||
                                         contains(spec, "destination=" + target)))
      return true;
  return false;
}

bool has_file(const ContextScan* context, const std::string& path) {
  if (!context) return true;  // no context given: assume the usual layout
  for (const auto& f : context->files)
    if (f.path == path) return true;
  return false;
}

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000 && unit < 3) {
    value /= 1000;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

// RUN stages in one stage for `FROM <stage>` children too: the stage's own
// instructions, then those of stages built FROM it.
struct Ecosystem {
  std::string manifest_copy;  // "COPY go.mod go.sum ./"
  std::string download;       // "RUN go mod download"
  std::string manifest;       // "go.mod"
};

std::optional<Ecosystem> ecosystem_of(const std::string& cmd, const ContextScan* context) {
  if (go_downloads(cmd)) {
    std::string copy = "COPY go.mod";
    if (has_file(context, "go.sum")) copy += " go.sum";
    return Ecosystem{copy + " ./", "RUN go mod download", "go.mod"};
  }
  if (npm_installs(cmd) && !contains(cmd, "-g")) {
    std::string copy = "COPY package.json";
    if (context && has_file(context, "package-lock.json")) copy += " package-lock.json";
    return Ecosystem{copy + " ./", context && has_file(context, "package-lock.json") ? "RUN npm ci" : "RUN npm install",
                     "package.json"};
  }
  if (pip_installs(cmd) && contains(cmd, "requirements")) {
    return Ecosystem{"COPY requirements.txt ./", "RUN pip install -r requirements.txt", "requirements.txt"};
  }
  return std::nullopt;
}

void manifest_after_source(const DockerfileView& df, const ContextScan* context, std::vector<Finding>& out) {
  for (const auto& stage : df.stages) {
    // The stage and the stages built FROM it read the same filesystem.
    std::vector<const Instruction*> chain;
    for (const auto& ins : stage.instructions) chain.push_back(&ins);
    for (const auto& child : df.stages)
      if (child.index > stage.index && df.stage_named(child.base) == stage.index)
        for (const auto& ins : child.instructions) chain.push_back(&ins);
    for (size_t i = 0; i < stage.instructions.size(); ++i) {
      const Instruction& copy = stage.instructions[i];
      if (!copies_whole_context(copy)) continue;
      std::optional<Ecosystem> eco;
      const Instruction* user = nullptr;
      for (size_t j = i + 1; j < chain.size() && !eco; ++j) {
        if (chain[j]->keyword != "RUN") continue;
        eco = ecosystem_of(chain[j]->text, context);
        user = chain[j];
      }
      if (!eco || !has_file(context, eco->manifest)) break;
      bool copied_before = false;
      for (size_t k = 0; k < i; ++k) copied_before = copied_before || copies_path(stage.instructions[k], eco->manifest);
      if (copied_before) break;
      Finding finding;
      finding.rule = "BB001";
      finding.line = copy.line;
      finding.message = fmt::format(
          "`{} {}` (line {}) copies {} together with the source, so the RUN on line {} ({}) re-runs on every "
          "source edit; copy the manifest and download first",
          copy.keyword, copy.text, copy.line, eco->manifest, user->line, user->text.substr(0, 60));
      finding.fix_description = "copy the manifest and download the dependencies before `" + copy.keyword + " " + copy.text + "`";
      Edit edit;
      edit.first_line = copy.line;
      edit.last_line = copy.end_line;
      const std::string indent = df.lines.size() >= static_cast<size_t>(copy.line) ? leading_space(df.line(copy.line)) : "";
      edit.lines = {indent + eco->manifest_copy, indent + eco->download};
      for (auto& l : original_lines(df, copy.line, copy.end_line)) edit.lines.push_back(l);
      finding.edits.push_back(edit);
      // A plain download step later in the stage is now redundant.
      for (size_t j = i + 1; j < stage.instructions.size(); ++j) {
        const Instruction& later = stage.instructions[j];
        if (later.keyword == "RUN" && later.flags.empty() && later.text == eco->download.substr(4)) {
          finding.edits.push_back({"", later.line, later.end_line, {}, false});
        }
      }
      finding.helps = {ChangeKind::SourceEdit};
      out.push_back(std::move(finding));
      break;
    }
  }
}

void no_cache_mount(const DockerfileView& df, std::vector<Finding>& out) {
  for (const auto& stage : df.stages) {
    for (const auto& ins : stage.instructions) {
      if (ins.keyword != "RUN" || ins.json_form) continue;
      std::vector<std::pair<std::string, std::string>> wanted;  // target, extra options
      std::string what;
      if (go_downloads(ins.text)) {
        if (!has_cache_mount(ins, "/go/pkg/mod")) wanted.push_back({"/go/pkg/mod", ""});
        if (go_compiles(ins.text) && !has_cache_mount(ins, "/root/.cache/go-build"))
          wanted.push_back({"/root/.cache/go-build", ""});
        what = "Go's module and build caches";
      } else if (pip_installs(ins.text)) {
        if (!has_cache_mount(ins, "/root/.cache/pip")) wanted.push_back({"/root/.cache/pip", ""});
        what = "pip's download cache";
      } else if (npm_installs(ins.text)) {
        if (!has_cache_mount(ins, "/root/.npm")) wanted.push_back({"/root/.npm", ""});
        what = "npm's cache";
      } else if (apt_installs(ins.text)) {
        if (!has_cache_mount(ins, "/var/cache/apt")) wanted.push_back({"/var/cache/apt", ",sharing=locked"});
        if (!has_cache_mount(ins, "/var/lib/apt")) wanted.push_back({"/var/lib/apt", ",sharing=locked"});
        what = "apt's package cache (Debian images also need /etc/apt/apt.conf.d/docker-clean removed to keep it)";
      }
      if (wanted.empty()) continue;
      Finding finding;
      finding.rule = "BB002";
      finding.line = ins.line;
      std::string targets;
      for (const auto& [target, extra] : wanted) targets += (targets.empty() ? "" : ", ") + target;
      finding.message = fmt::format("RUN on line {} starts with empty {} every time it re-runs: mount {} as a cache",
                                    ins.line, what, targets);
      finding.fix_description = "add cache mounts for " + targets;
      Edit edit;
      edit.first_line = ins.line;
      edit.last_line = ins.end_line;
      const std::string indent = leading_space(df.lines.size() >= static_cast<size_t>(ins.line) ? df.line(ins.line) : "");
      // RUN keeps its own flags; the mounts go first, the original text follows.
      std::string first = indent + "RUN";
      edit.lines.push_back(first + " --mount=type=cache,target=" + wanted[0].first + wanted[0].second + " \\");
      for (size_t k = 1; k < wanted.size(); ++k)
        edit.lines.push_back(indent + "    --mount=type=cache,target=" + wanted[k].first + wanted[k].second + " \\");
      auto lines = original_lines(df, ins.line, ins.end_line);
      if (!lines.empty()) {
        // Drop the keyword from the first original line, keep the rest verbatim.
        std::string head = lines[0].substr(lines[0].find_first_not_of(" \t"));
        head = head.substr(head.find_first_of(" \t") == std::string::npos ? head.size() : head.find_first_of(" \t"));
        head = head.substr(std::min(head.size(), head.find_first_not_of(" \t")));
        lines[0] = indent + "    " + head;
        if (head.empty()) lines.erase(lines.begin());
      }
      for (auto& l : lines) edit.lines.push_back(l);
      finding.edits.push_back(edit);
      finding.helps = {ChangeKind::SourceEdit, ChangeKind::ManifestEdit};
      out.push_back(std::move(finding));
    }
  }
}

void no_dockerignore(const DockerfileView& df, const ContextScan* context, const FindingOptions& options,
                     std::vector<Finding>& out) {
  if (!context || context->has_dockerignore || context->total_bytes < options.large_context_bytes) return;
  // The post's .dockerignore, kept to the entries that match something here.
  static const std::vector<std::string> candidates = {".git", ".github", "*.md", "docs/", "vendor/", "bin/",
                                                       "node_modules/", "**/*_test.go"};
  std::vector<std::string> entries;
  uint64_t dropped = 0;
  for (const auto& pattern : candidates) {
    auto matcher = docker::IgnoreMatcher::parse(pattern);
    if (!matcher) continue;
    uint64_t bytes = 0;
    bool any = false;
    for (const auto& f : context->files)
      if (matcher->excluded(f.path)) {
        any = true;
        bytes += f.size;
      }
    if (any) {
      entries.push_back(pattern);
      dropped += bytes;
    }
  }
  if (entries.empty()) return;
  auto all = docker::IgnoreMatcher::parse([&] {
    std::string text;
    for (const auto& e : entries) text += e + "\n";
    return text;
  }());
  if (all) {
    dropped = 0;
    for (const auto& f : context->files)
      if (all->excluded(f.path)) dropped += f.size;
  }
  int line = 1;
  for (const auto& stage : df.stages)
    for (const auto& ins : stage.instructions)
      if (copies_whole_context(ins) && line == 1) line = ins.line;
  Finding finding;
  finding.rule = "BB003";
  finding.line = line;
  finding.message = fmt::format(
      "the build context is {} in {} files and has no .dockerignore; {} of it ({}) would be dropped by: {}",
      human_bytes(context->total_bytes), context->files.size(),
      fmt::format("{:.0f}%", 100.0 * static_cast<double>(dropped) / static_cast<double>(std::max<uint64_t>(1, context->total_bytes))),
      human_bytes(dropped), [&] {
        std::string list;
        for (const auto& e : entries) list += (list.empty() ? "" : " ") + e;
        return list;
      }());
  finding.fix_description = "add a .dockerignore";
  finding.edits.push_back({".dockerignore", 1, 0, entries, true});
  finding.helps = {ChangeKind::IgnoredEdit, ChangeKind::Cold};
  out.push_back(std::move(finding));
}

void copy_all_early(const DockerfileView& df, std::vector<Finding>& out) {
  for (const auto& stage : df.stages) {
    const Instruction* copy = nullptr;
    std::vector<const Instruction*> movable;
    std::vector<const Instruction*> after;  // everything below the COPY, in order
    for (const auto& ins : stage.instructions) {
      if (!copy) {
        if (copies_whole_context(ins)) copy = &ins;
        continue;
      }
      after.push_back(&ins);
      if (installs_without_source(ins)) movable.push_back(&ins);
    }
    if (!copy || movable.empty()) continue;
    const Instruction* last = movable.back();
    Finding finding;
    finding.rule = "BB004";
    finding.line = copy->line;
    std::string list;
    for (const auto* m : movable) list += (list.empty() ? "" : ", ") + std::to_string(m->line);
    finding.message = fmt::format("`{} {}` (line {}) comes before RUN steps that do not read the source (lines {}); "
                                  "they re-run on every source edit",
                                  copy->keyword, copy->text, copy->line, list);
    finding.fix_description = "move the steps on lines " + list + " above the COPY";
    Edit edit;
    edit.first_line = copy->line;
    edit.last_line = last->end_line;
    for (const auto* m : movable)
      for (auto& l : original_lines(df, m->line, m->end_line)) edit.lines.push_back(l);
    // The COPY, then the lines between it and the last moved step that were not moved.
    std::set<int> moved;
    for (const auto* m : movable)
      for (int l = m->line; l <= m->end_line; ++l) moved.insert(l);
    for (int l = copy->line; l <= last->end_line; ++l)
      if (!moved.count(l) && l - 1 < static_cast<int>(df.lines.size())) edit.lines.push_back(df.line(l));
    finding.edits.push_back(edit);
    finding.helps = {ChangeKind::SourceEdit};
    out.push_back(std::move(finding));
  }
}

bool text_uses(const Instruction& ins, const std::string& name) {
  const std::string all = ins.text + " " + ins.heredoc + [&] {
    std::string flags;
    for (const auto& f : ins.flags) flags += " " + f.value;
    return flags;
  }();
  for (size_t pos = all.find('$'); pos != std::string::npos; pos = all.find('$', pos + 1)) {
    size_t start = pos + 1;
    if (start < all.size() && all[start] == '{') ++start;
    if (all.compare(start, name.size(), name) != 0) continue;
    const size_t end = start + name.size();
    if (end >= all.size() || !(std::isalnum(static_cast<unsigned char>(all[end])) || all[end] == '_')) return true;
  }
  return false;
}

void arg_early(const DockerfileView& df, std::vector<Finding>& out) {
  for (const auto& stage : df.stages) {
    for (size_t i = 0; i < stage.instructions.size(); ++i) {
      const Instruction& arg = stage.instructions[i];
      if (arg.keyword != "ARG" || arg.words.size() != 1) continue;
      const std::string name = arg.words[0].substr(0, arg.words[0].find('='));
      std::vector<const Instruction*> runs_before_use;
      const Instruction* use = nullptr;
      for (size_t j = i + 1; j < stage.instructions.size(); ++j) {
        const Instruction& ins = stage.instructions[j];
        if (text_uses(ins, name)) {
          use = &ins;
          break;
        }
        if (ins.keyword == "RUN") runs_before_use.push_back(&ins);
      }
      if (!use || runs_before_use.empty()) continue;
      std::string lines;
      for (const auto* r : runs_before_use) lines += (lines.empty() ? "" : ", ") + std::to_string(r->line);
      Finding finding;
      finding.rule = "BB005";
      finding.line = arg.line;
      finding.message = fmt::format("ARG {} (line {}) is first used on line {}, but the RUN steps on lines {} have it "
                                    "in their environment and re-run whenever its value changes",
                                    name, arg.line, use->line, lines);
      finding.fix_description = "declare ARG " + name + " right before line " + std::to_string(use->line);
      // Delete the ARG where it is and re-declare it above its first use (one edit over the span).
      Edit edit;
      edit.first_line = arg.line;
      edit.last_line = use->line - 1;
      for (int l = arg.end_line + 1; l <= use->line - 1; ++l) edit.lines.push_back(df.line(l));
      for (auto& l : original_lines(df, arg.line, arg.end_line)) edit.lines.push_back(l);
      finding.edits.push_back(edit);
      finding.helps = {ChangeKind::BuildArg};
      out.push_back(std::move(finding));
    }
  }
}

void split_compile(const DockerfileView& df, const FindingOptions& options, std::vector<Finding>& out) {
  if (options.cpus <= 0 || options.cpus > 2 || df.stages.size() < 3) return;
  // Stages built FROM the same parent, each a compile and nothing else the fix cannot merge.
  std::map<int, std::vector<const Stage*>> by_parent;
  for (const auto& stage : df.stages) {
    const int parent = df.stage_named(stage.base);
    if (parent < 0 || parent >= stage.index || stage.name.empty()) continue;
    bool only_compiles = !stage.instructions.empty();
    for (const auto& ins : stage.instructions)
      only_compiles = only_compiles && ins.keyword == "RUN" && go_compiles(ins.text) && ins.end_line == ins.line;
    if (only_compiles) by_parent[parent].push_back(&stage);
  }
  for (const auto& [parent, children] : by_parent) {
    if (children.size() < 2) continue;
    const Stage& first = *children[0];
    Finding finding;
    finding.rule = "BB006";
    finding.line = first.line;
    std::string names;
    for (const auto* c : children) names += (names.empty() ? "" : ", ") + c->name;
    finding.message = fmt::format(
        "stages {} each compile from stage {} and run at the same time on a machine with {} CPU{}; the seed "
        "measured such a split at 1.56 times the time of one stage building both (reports/seed/toy/)",
        names, df.stage(parent).label(), options.cpus, options.cpus == 1 ? "" : "s");
    finding.fix_description = "build all binaries in stage " + first.name;
    // One RUN in the first stage joins the commands; the other stages go away;
    // COPY --from of a removed stage reads from the first one.
    std::string joined;
    for (const auto* c : children)
      for (const auto& ins : c->instructions) joined += (joined.empty() ? "" : " && ") + ins.text;
    const auto& run = first.instructions.front();
    finding.edits.push_back({"", run.line, first.instructions.back().end_line, {"RUN " + joined}, false});
    std::set<std::string> removed;
    for (size_t k = 1; k < children.size(); ++k) {
      const Stage& c = *children[k];
      removed.insert(c.name);
      int last = c.instructions.back().end_line;
      // Take the blank line after the stage with it.
      if (last < static_cast<int>(df.lines.size()) && df.line(last + 1).find_first_not_of(" \t") == std::string::npos) ++last;
      finding.edits.push_back({"", c.line, last, {}, false});
    }
    for (const auto& stage : df.stages) {
      for (const auto& ins : stage.instructions) {
        auto from = ins.flag("from");
        if (!from || !removed.count(*from)) continue;
        std::string line = df.line(ins.line);
        const std::string old_flag = "--from=" + *from;
        if (auto pos = line.find(old_flag); pos != std::string::npos && ins.end_line == ins.line) {
          line.replace(pos, old_flag.size(), "--from=" + first.name);
          finding.edits.push_back({"", ins.line, ins.line, {line}, false});
        }
      }
    }
    finding.helps = {ChangeKind::Cold, ChangeKind::SourceEdit};
    out.push_back(std::move(finding));
  }
}

}  // namespace

std::vector<Finding> find_issues(const DockerfileView& dockerfile, const ContextScan* context,
                                 const FindingOptions& options) {
  std::vector<Finding> found;
  manifest_after_source(dockerfile, context, found);
  no_cache_mount(dockerfile, found);
  no_dockerignore(dockerfile, context, options, found);
  copy_all_early(dockerfile, found);
  arg_early(dockerfile, found);
  split_compile(dockerfile, options, found);
  std::stable_sort(found.begin(), found.end(), [](const Finding& a, const Finding& b) {
    return a.line != b.line ? a.line < b.line : a.rule < b.rule;
  });
  return found;
}

Rewrite apply_fixes(const DockerfileView& dockerfile, const std::vector<Finding>& findings) {
  Rewrite rewrite;
  std::vector<std::pair<const Edit*, std::string>> accepted;  // edit, rule
  std::vector<std::pair<int, int>> taken;                     // Dockerfile line spans already edited
  auto overlaps = [&](const Edit& e) {
    const int first = e.first_line, last = std::max(e.first_line, e.last_line);
    for (const auto& [a, b] : taken)
      if (first <= std::max(a, b) && a <= last) return true;
    return false;
  };
  for (const auto& finding : findings) {
    bool clash = false;
    for (const auto& e : finding.edits) clash = clash || (e.file.empty() && overlaps(e));
    if (clash) {
      rewrite.skipped.push_back(finding.rule + " (line " + std::to_string(finding.line) +
                                "): its lines overlap an earlier fix; apply it after that one");
      continue;
    }
    for (const auto& e : finding.edits) {
      if (e.file.empty()) {
        taken.push_back({e.first_line, std::max(e.first_line, e.last_line)});
        accepted.push_back({&e, finding.rule});
      } else if (e.new_file && e.file == ".dockerignore") {
        std::string text;
        for (const auto& l : e.lines) text += l + "\n";
        rewrite.dockerignore = text;
      }
    }
    rewrite.applied.push_back(finding.rule);
  }
  // Apply from the bottom so earlier line numbers stay valid.
  std::sort(accepted.begin(), accepted.end(),
            [](const auto& a, const auto& b) { return a.first->first_line > b.first->first_line; });
  std::vector<std::string> lines = dockerfile.lines;
  for (const auto& [edit, rule] : accepted) {
    const int first = edit->first_line - 1;
    const int count = std::max(0, edit->last_line - edit->first_line + 1);
    if (first < 0 || first > static_cast<int>(lines.size())) continue;
    lines.erase(lines.begin() + first, lines.begin() + std::min<int>(first + count, static_cast<int>(lines.size())));
    lines.insert(lines.begin() + first, edit->lines.begin(), edit->lines.end());
  }
  for (const auto& l : lines) rewrite.dockerfile += l + "\n";
  return rewrite;
}

}  // namespace buildbench::advise
