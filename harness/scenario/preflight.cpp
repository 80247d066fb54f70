#include "scenario/preflight.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "docker/dockerignore.h"
#include "dockerfile/parse.h"
#include "dockerfile/stages.h"
#include "fixture/base_images.h"
#include "fixture/module_store.h"
#include "fixture/mutations.h"
#include "scenario/checker.h"

namespace buildbench::scenario {
namespace fs = std::filesystem;
namespace {

using detail::child;
using detail::code;

std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string at_line(const std::string& file, int line) { return file + ":" + std::to_string(line); }

// The instruction as written on one line, shortened for messages.
std::string quoted(const dockerfile::Instruction& instruction) {
  std::string text = instruction.original;
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return code(text);
}

std::string strip_quotes(std::string text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') && text.back() == text.front()) {
    text = text.substr(1, text.size() - 2);
  }
  return text;
}

bool has_wildcard(std::string_view text) { return text.find_first_of("*?[") != std::string_view::npos; }

// Which mutation a build kind makes on a project (nullopt: none, or a kind
// that names its own file).
std::optional<fixture::MutationKind> project_mutation(const BuildKind& kind) {
  using M = fixture::MutationKind;
  switch (kind.type) {
    case KindType::CodeChange:
      return kind.where == CodeChangeWhere::Main ? M::CodeChangeMain
             : kind.where == CodeChangeWhere::Shared ? M::CodeChangeCore
                                                     : M::CodeChangeLeaf;
    case KindType::DependencyAdd: return M::AddDependency;
    case KindType::DependencyBump: return M::BumpDependency;
    case KindType::Touch: return M::TouchOnly;
    case KindType::IgnoredFileChange: return M::EditIgnoredFile;
    case KindType::NonGoChange: return M::EditCopiedFile;
    default: return std::nullopt;
  }
}

// Why a shell command needs a network, if it visibly does: package managers
// and downloaders. `certain` is set when the offline stand-in images cannot
// run it at all (apk exists in neither).
struct NetworkNeed {
  std::string what;
  bool certain = false;
};

std::optional<NetworkNeed> network_need(std::string_view command) {
  // Split into simple commands at ; & | newlines and parentheses, then words.
  std::vector<std::vector<std::string>> commands(1);
  std::string word;
  auto end_word = [&] {
    if (!word.empty()) commands.back().push_back(word);
    word.clear();
  };
  for (char c : command) {
    if (c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')') {
      end_word();
      if (!commands.back().empty()) commands.emplace_back();
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      end_word();
    } else {
      word.push_back(c);
    }
  }
  end_word();
  for (const auto& words : commands) {
    size_t first = 0;
    // Skip `sudo`, `env` and VAR=value prefixes.
    while (first < words.size() && (words[first] == "sudo" || words[first] == "env" ||
                                    (words[first].find('=') != std::string::npos && words[first][0] != '-'))) {
      ++first;
    }
    if (first >= words.size()) continue;
    std::string program = words[first];
    if (size_t slash = program.rfind('/'); slash != std::string::npos) program = program.substr(slash + 1);
    auto has = [&](std::initializer_list<std::string_view> subcommands) {
      for (size_t i = first + 1; i < words.size(); ++i) {
        for (auto sub : subcommands) {
          if (words[i] == sub) return true;
        }
      }
      return false;
    };
    if (program == "apk" && has({"add", "update", "upgrade"})) return NetworkNeed{"apk downloads Alpine packages", true};
    if ((program == "apt-get" || program == "apt") && has({"install", "update", "upgrade", "dist-upgrade"})) {
      return NetworkNeed{program + " downloads Debian packages", false};
    }
    if ((program == "yum" || program == "dnf" || program == "microdnf") && has({"install", "update", "upgrade"})) {
      return NetworkNeed{program + " downloads packages", false};
    }
    if ((program == "pip" || program == "pip3" || program == "pipenv" || program == "poetry") && has({"install", "sync"})) {
      return NetworkNeed{program + " install downloads from PyPI", false};
    }
    if ((program == "python" || program == "python3") && has({"pip"}) && has({"install"})) {
      return NetworkNeed{"pip install downloads from PyPI", false};
    }
    if ((program == "npm" || program == "pnpm") && has({"install", "ci", "i", "add"})) {
      return NetworkNeed{program + " downloads from the npm registry", false};
    }
    if (program == "yarn") return NetworkNeed{"yarn downloads from the npm registry", false};
    if (program == "curl" || program == "wget") return NetworkNeed{program + " downloads from the network", false};
    if (program == "git" && has({"clone", "fetch", "pull"})) return NetworkNeed{"git fetches from a remote", false};
  }
  return std::nullopt;
}

bool is_loopback_url(std::string_view value) {
  return value.find("127.0.0.1") != std::string_view::npos || value.find("localhost") != std::string_view::npos ||
         value.find("[::1]") != std::string_view::npos;
}

// One variant's Dockerfile, parsed, with what the checks need of it.
struct ReadDockerfile {
  std::string name;  // as the scenario writes it, for FILE:LINE
  dockerfile::Dockerfile model;
  dockerfile::BuildOptions options;
  std::vector<bool> reachable;
};

class Preflight {
 public:
  Preflight(const Scenario& scenario, const PreflightEnvironment& environment)
      : scenario_(scenario), environment_(environment),
        mapping_(scenario.base_images.empty() ? fixture::default_base_image_mapping() : scenario.base_images) {}

  PreflightOutcome run();

 private:
  std::optional<bool> image_present(const std::string& reference) const {
    if (!environment_.image_present) return std::nullopt;
    return environment_.image_present(reference);
  }
  void problem(const std::string& pointer, std::string message) { outcome_.problems.push_back({pointer, std::move(message)}); }
  void note(const std::string& pointer, std::string message) { outcome_.notes.push_back({pointer, std::move(message)}); }

  std::optional<ReadDockerfile> read_dockerfile(size_t index);
  void check_syntax(size_t index, const ReadDockerfile& read);
  // Returns whether a reachable stage builds on the offline Go image.
  bool check_base_images(size_t index, const ReadDockerfile& read);
  void check_run_steps(size_t index, const ReadDockerfile& read);
  void check_goproxy(size_t index, const ReadDockerfile& read);
  void check_copied_files(size_t index, const ReadDockerfile& read);
  void check_go_version();
  void check_engines();
  void check_build_kinds(const std::vector<std::optional<ReadDockerfile>>& dockerfiles);

  template <typename Visit>
  void for_each_reachable(const ReadDockerfile& read, Visit visit) const {
    for (const auto& stage : read.model.stages) {
      if (static_cast<size_t>(stage.index) < read.reachable.size() && !read.reachable[static_cast<size_t>(stage.index)]) continue;
      for (const auto& instruction : stage.instructions) visit(stage, instruction);
    }
  }

  const Scenario& scenario_;
  const PreflightEnvironment& environment_;
  std::map<std::string, std::string> mapping_;
  PreflightOutcome outcome_;
  bool uses_go_image_ = false;
};

std::optional<ReadDockerfile> Preflight::read_dockerfile(size_t index) {
  const Variant& variant = scenario_.variants[index];
  const std::string pointer = child(child("/variants", index), "dockerfile");
  auto text = read_text(variant.dockerfile);
  if (!text) {
    problem(pointer, "cannot read " + variant.dockerfile.string() + " (expected a readable Dockerfile)");
    return std::nullopt;
  }
  auto parsed = dockerfile::parse(*text, variant.dockerfile_as_written);
  if (!parsed) {
    problem(pointer, parsed.error().message + " (expected a Dockerfile BuildKit reads)");
    return std::nullopt;
  }
  ReadDockerfile read;
  read.name = variant.dockerfile_as_written;
  read.model = std::move(parsed).value();
  read.options.build_args = variant.build_args;
  auto target = dockerfile::target_stage(read.model, variant.target);
  if (!target) {
    problem(child(child("/variants", index), "target"), target.error().message + " (expected a stage of " + read.name + ")");
    return std::nullopt;
  }
  read.reachable = dockerfile::reachable_stages(read.model, *target, read.options);
  return read;
}

void Preflight::check_syntax(size_t index, const ReadDockerfile& read) {
  const dockerfile::Directive* syntax = read.model.directive("syntax");
  if (syntax == nullptr) return;
  if (image_present(syntax->value) == true) return;  // the frontend is there: BuildKit uses it
  outcome_.strip_syntax.insert(index);
  note(child(child("/variants", index), "dockerfile"),
       at_line(read.name, syntax->at.line) + ": `# syntax=" + syntax->value +
           "` makes BuildKit fetch that frontend image, which is not available offline; the run strips the line "
           "(the daemon's built-in frontend reads the rest, RUN --mount included) and the results say so. To keep it, "
           "load the image into the daemon");
}

bool Preflight::check_base_images(size_t index, const ReadDockerfile& read) {
  const std::string pointer = child(child("/variants", index), "dockerfile");
  bool go_image = false;
  for (const auto& stage : read.model.stages) {
    if (static_cast<size_t>(stage.index) < read.reachable.size() && !read.reachable[static_cast<size_t>(stage.index)]) continue;
    auto base = dockerfile::resolve_base(read.model, stage.index, read.options);
    if (base.kind != dockerfile::StageRef::Kind::Image) continue;
    const int line = stage.from().at.line;
    auto mapped = mapping_.find(base.image);
    if (mapped != mapping_.end()) {
      if (mapped->second.rfind("buildbench/go", 0) == 0) go_image = true;
      if (mapped->second.rfind("buildbench/", 0) != 0 && image_present(mapped->second) == false) {
        problem("/base_images/" + detail::escape_token(base.image),
                at_line(read.name, line) + ": FROM " + base.image + " is mapped to " + code(mapped->second) +
                    ", which the daemon does not have (nothing can be pulled here); fix: load that image into the "
                    "daemon or map the name to one it has");
      }
      continue;
    }
    auto present = image_present(base.image);
    if (present == true) continue;
    std::string fix = "fix: map it in /base_images to a local image, e.g. \"" + base.image + "\": \"" +
                      (base.image.find("golang") != std::string::npos ? "buildbench/go:1.24" : "buildbench/runtime:busybox") +
                      "\", or load the image into the daemon";
    if (present == false) {
      problem(pointer, at_line(read.name, line) + ": FROM " + base.image +
                           " is not available offline (no registry is reachable and the daemon does not have it); " + fix);
    } else {
      problem(pointer, at_line(read.name, line) + ": FROM " + base.image +
                           " is not mapped in /base_images and no daemon answered to say it has the image (nothing "
                           "can be pulled here); " + fix);
    }
  }
  return go_image;
}

void Preflight::check_run_steps(size_t index, const ReadDockerfile& read) {
  const std::string pointer = child(child("/variants", index), "dockerfile");
  for_each_reachable(read, [&](const dockerfile::Stage& stage, const dockerfile::Instruction& instruction) {
    if (instruction.keyword != dockerfile::Keyword::Run) return;
    std::string command = instruction.rest.text;
    for (const auto& heredoc : instruction.heredocs) command += "\n" + heredoc.content;
    auto need = network_need(command);
    if (!need) return;
    auto base = dockerfile::resolve_base(read.model, stage.index, read.options);
    auto mapped = base.kind == dockerfile::StageRef::Kind::Image ? mapping_.find(base.image) : mapping_.end();
    bool stand_in = mapped != mapping_.end() && mapped->second.rfind("buildbench/", 0) == 0;
    std::string message = at_line(read.name, instruction.at.line) + ": " + quoted(instruction) + " needs a network (" +
                          need->what + "), which builds here do not have";
    if (need->certain && stand_in) {
      problem(pointer, message + " (and the offline stand-in " + mapped->second +
                           " has no apk); fix: drop the step, or bake what it installs into a local image and map the "
                           "stage's base to it in /base_images");
    } else if (scenario_.network_mode == "none") {
      problem(pointer, message + " (network_mode is none); fix: drop the step, or bake what it installs into a local "
                                 "image and map the stage's base to it in /base_images");
    } else {
      note(pointer, message + " unless the daemon's host reaches that registry; if it does not, every build fails "
                              "here: drop the step, or bake what it installs into a local image mapped in /base_images");
    }
  });
}

void Preflight::check_goproxy(size_t index, const ReadDockerfile& read) {
  const Variant& variant = scenario_.variants[index];
  const std::string pointer = child(child("/variants", index), "dockerfile");
  const std::string proxy = environment_.module_proxy_url.empty() ? fixture::default_module_proxy_url()
                                                                  : environment_.module_proxy_url;
  bool downloads = scenario_.fixture.kind == FixtureSource::Kind::Generate;
  for (const auto& kind : scenario_.build_kinds) {
    if (kind.type == KindType::DependencyAdd || kind.type == KindType::DependencyBump) downloads = true;
  }
  if (scenario_.fixture.kind == FixtureSource::Kind::Path) {
    if (auto gomod = read_text(scenario_.fixture.path / "go.mod")) {
      if (!fixture::parse_gomod_info(*gomod).requirements.empty()) downloads = true;
    }
  }
  for (const dockerfile::Instruction* instruction : read.model.all_instructions()) {
    bool is_arg = instruction->keyword == dockerfile::Keyword::Arg;
    if (!is_arg && instruction->keyword != dockerfile::Keyword::Env) continue;
    for (const auto& pair : instruction->pairs) {
      if (pair.key.text != "GOPROXY" || !pair.value) continue;
      std::string value = strip_quotes(pair.value->text);
      if (value.empty() || value.find('$') != std::string::npos || is_loopback_url(value) || value == "off") continue;
      std::string where = at_line(read.name, instruction->at.line) + ": " + quoted(*instruction) +
                          " sends go to " + code(value) + " instead of buildbench's module proxy (" + proxy +
                          "), and nothing outside this machine is reachable";
      if (is_arg) {
        if (variant.build_args.count("GOPROXY") != 0) continue;  // the scenario passes the proxy
        problem(pointer, where + "; fix: add \"build_args\": {\"GOPROXY\": \"" + proxy + "\"} to /variants/" +
                             std::to_string(index) + " (buildbench init does)");
      } else if (downloads) {
        problem(pointer, where + "; fix: drop the ENV (the offline Go image sets GOPROXY) or turn it into `ARG GOPROXY=" +
                             value + "` so the scenario can pass the proxy as a build argument");
      } else {
        note(pointer, where + "; harmless while go.mod requires no module, but a dependency change would fail: "
                              "prefer `ARG GOPROXY=...`");
      }
    }
  }
}

void Preflight::check_copied_files(size_t index, const ReadDockerfile& read) {
  if (scenario_.fixture.kind != FixtureSource::Kind::Path) return;
  const Variant& variant = scenario_.variants[index];
  const std::string pointer = child(child("/variants", index), "dockerfile");
  docker::IgnoreMatcher ignore;
  if (auto file = effective_dockerignore(scenario_, variant)) {
    if (auto text = read_text(*file)) {
      auto parsed = docker::IgnoreMatcher::parse(*text, file->string());
      if (!parsed) {
        problem(variant.dockerignore ? child(child("/variants", index), "dockerignore") : "/fixture/path",
                parsed.error().message + " (expected a .dockerignore Docker reads)");
        return;
      }
      ignore = std::move(parsed).value();
    }
  }
  for_each_reachable(read, [&](const dockerfile::Stage&, const dockerfile::Instruction& instruction) {
    bool is_copy = instruction.keyword == dockerfile::Keyword::Copy;
    if (!is_copy && instruction.keyword != dockerfile::Keyword::Add) return;
    if (instruction.flag_value("from")) return;
    for (const auto& source : instruction.sources()) {
      const std::string& text = source.text;
      if (text.empty() || has_wildcard(text) || text.find('$') != std::string::npos ||
          text.find("://") != std::string::npos || text.rfind("git@", 0) == 0 || instruction.heredoc_for(text) != nullptr) {
        continue;
      }
      std::string relative = docker::clean_path(strip_quotes(text));
      while (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
      if (relative.empty() || relative == ".") continue;
      std::error_code ec;
      bool exists = fs::exists(scenario_.fixture.path / relative, ec) && !ignore.excluded(relative);
      if (exists) continue;
      std::string name = fs::path(relative).filename().string();
      std::string message = at_line(read.name, instruction.at.line) + ": " + quoted(instruction) + " copies " +
                            relative + ", which ";
      if (name == "go.sum") {
        problem(pointer, message + "the project does not have (a module without dependencies has no go.sum), so the "
                                   "build stops at this step; fix: write `go.sum*` instead of `go.sum` (the wildcard "
                                   "may match nothing), or add a go.sum (`go mod tidy`)");
      } else if (fs::exists(scenario_.fixture.path / relative, ec)) {
        problem(pointer, message + "the .dockerignore drops, so the build stops at this step; fix: remove the "
                                   "pattern that matches it, or the step");
      } else {
        problem(pointer, message + "the project does not have, so the build stops at this step; fix: create it or "
                                   "drop it from the step");
      }
    }
  });
}

void Preflight::check_go_version() {
  if (scenario_.fixture.kind != FixtureSource::Kind::Path || !uses_go_image_) return;
  auto gomod = read_text(scenario_.fixture.path / "go.mod");
  if (!gomod) return;
  auto info = fixture::parse_gomod_info(*gomod);
  if (info.go_version.empty() || !go_version_newer(info.go_version, kOfflineGoVersion)) return;
  problem("/fixture/path", (scenario_.fixture.path_as_written + "/go.mod:" + std::to_string(info.go_line)) + ": `go " +
                               info.go_version + "` is newer than the Go of the offline build image (" +
                               std::string(kOfflineGoVersion) +
                               "), which cannot download a newer toolchain (GOTOOLCHAIN=local), so every build stops "
                               "at `go build`; fix: lower the directive to `go " + std::string(kOfflineGoVersion) +
                               "` if the code allows it, or map the Go base image to a local image with a newer Go");
}

void Preflight::check_build_kinds(const std::vector<std::optional<ReadDockerfile>>& dockerfiles) {
  const bool path_fixture = scenario_.fixture.kind == FixtureSource::Kind::Path;
  fixture::FixtureParams no_dependencies;
  no_dependencies.dep_modules = 0;
  fixture::ModuleStore store(no_dependencies);  // what a path fixture's proxy serves
  for (size_t k = 0; k < scenario_.build_kinds.size(); ++k) {
    const BuildKind& kind = scenario_.build_kinds[k];
    const std::string pointer = child("/build_kinds", k);
    if (kind.type == KindType::Cachebust) {
      std::vector<std::string> declared;
      bool found = false;
      for (const auto& read : dockerfiles) {
        if (!read) {
          found = true;  // unreadable: reported already
          continue;
        }
        for (const dockerfile::Instruction* instruction : read->model.all_instructions()) {
          if (instruction->keyword != dockerfile::Keyword::Arg) continue;
          for (const auto& pair : instruction->pairs) {
            if (pair.key.text == kind.build_arg) found = true;
            if (std::find(declared.begin(), declared.end(), pair.key.text) == declared.end()) declared.push_back(pair.key.text);
          }
        }
      }
      if (!found) {
        problem(pointer, "no Dockerfile of the scenario declares `ARG " + kind.build_arg +
                             "`, so bumping it changes nothing; fix: add `ARG " + kind.build_arg +
                             "` above the step it should rerun" +
                             (declared.empty() ? std::string()
                                               : ", or name a declared one with {\"kind\": \"cachebust\", \"arg\": ...}: " +
                                                     detail::join_codes(declared)));
      }
      continue;
    }
    if (kind.type == KindType::Custom) {
      if (path_fixture && kind.custom.action == CustomMutation::Action::Append) {
        std::error_code ec;
        if (!fs::is_regular_file(scenario_.fixture.path / kind.custom.file, ec)) {
          problem(child(child(pointer, "append"), "file"),
                  code(kind.custom.file) + " is not a file of the project (expected a file to append to; `write` creates one)");
        }
      }
      continue;
    }
    auto mutation = project_mutation(kind);
    if (!mutation) continue;
    if (!path_fixture) {
      if (kind.type == KindType::DependencyBump && scenario_.fixture.params.dep_modules == 0) {
        problem(pointer, "dependency-bump needs a dependency module, but /fixture/generate has dep_modules 0 (expected "
                         "dep_modules of 1 or more, or drop dependency-bump)");
      }
      continue;
    }
    for (size_t v = 0; v < scenario_.variants.size(); ++v) {
      auto inputs = project_inputs(scenario_, scenario_.variants[v]);
      if (!inputs) {
        problem(pointer, "variant " + code(scenario_.variants[v].name) + ": " + inputs.error().message);
        continue;
      }
      auto profile = fixture::profile_project(scenario_.fixture.path, *inputs);
      if (!profile) {
        problem(pointer, "variant " + code(scenario_.variants[v].name) + ": " + profile.error().message);
        continue;
      }
      if (auto ok = fixture::project_supports(*profile, *mutation, &store); !ok) {
        problem(pointer, kind.label() + " on variant " + code(scenario_.variants[v].name) + ": " + ok.error().message);
      }
    }
  }
}

void Preflight::check_engines() {
  if (!environment_.engine_unusable) return;
  for (size_t i = 0; i < scenario_.engines.size(); ++i) {
    if (auto why = environment_.engine_unusable(scenario_.engines[i])) problem(child("/engines", i), *why);
  }
}

PreflightOutcome Preflight::run() {
  check_engines();
  std::vector<std::optional<ReadDockerfile>> dockerfiles;
  for (size_t i = 0; i < scenario_.variants.size(); ++i) {
    dockerfiles.push_back(read_dockerfile(i));
    const auto& read = dockerfiles.back();
    if (!read) continue;
    check_syntax(i, *read);
    if (check_base_images(i, *read)) uses_go_image_ = true;
    check_run_steps(i, *read);
    check_goproxy(i, *read);
    check_copied_files(i, *read);
  }
  check_go_version();
  check_build_kinds(dockerfiles);
  return std::move(outcome_);
}

}  // namespace

bool go_version_newer(std::string_view version, std::string_view than) {
  auto parts = [](std::string_view text) {
    std::vector<long> out;
    long value = 0;
    bool any = false;
    for (char c : text) {
      if (c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        any = true;
      } else if (c == '.') {
        out.push_back(value);
        value = 0;
        any = false;
      } else {
        break;  // "1.21rc1": the numeric prefix decides
      }
    }
    if (any) out.push_back(value);
    return out;
  };
  auto a = parts(version);
  auto b = parts(than);
  // Only the parts `than` names count: "1.24.3" is not newer than "1.24".
  for (size_t i = 0; i < b.size(); ++i) {
    long x = i < a.size() ? a[i] : 0;
    if (x != b[i]) return x > b[i];
  }
  return false;
}

std::optional<fs::path> effective_dockerignore(const Scenario& scenario, const Variant& variant) {
  if (variant.dockerignore) return variant.dockerignore;
  if (scenario.fixture.kind == FixtureSource::Kind::Path) {
    std::error_code ec;
    fs::path own = scenario.fixture.path / ".dockerignore";
    if (fs::is_regular_file(own, ec)) return own;
  }
  return std::nullopt;
}

util::Result<fixture::ProjectInputs> project_inputs(const Scenario& scenario, const Variant& variant) {
  fixture::ProjectInputs inputs;
  inputs.code_glob = scenario.fixture.code_glob;
  if (auto file = effective_dockerignore(scenario, variant)) {
    auto text = read_text(*file);
    if (!text) return util::error("cannot read " + file->string());
    inputs.dockerignore_text = std::move(*text);
  }
  auto text = read_text(variant.dockerfile);
  if (!text) return util::error("cannot read " + variant.dockerfile.string());
  auto parsed = dockerfile::parse(*text, variant.dockerfile_as_written);
  if (!parsed) return parsed.error();
  dockerfile::BuildOptions options;
  options.build_args = variant.build_args;
  auto target = dockerfile::target_stage(*parsed, variant.target);
  if (!target) return target.error();
  auto reachable = dockerfile::reachable_stages(*parsed, *target, options);
  for (const auto& stage : parsed->stages) {
    if (static_cast<size_t>(stage.index) < reachable.size() && !reachable[static_cast<size_t>(stage.index)]) continue;
    for (size_t i = 0; i < stage.instructions.size(); ++i) {
      const auto& instruction = stage.instructions[i];
      if (instruction.keyword != dockerfile::Keyword::Copy && instruction.keyword != dockerfile::Keyword::Add) continue;
      if (instruction.flag_value("from")) continue;
      auto scope = dockerfile::Scope::before(*parsed, stage.index, i, options);
      for (const auto& source : instruction.sources()) {
        if (source.text.find("://") != std::string::npos || instruction.heredoc_for(source.text) != nullptr) continue;
        auto expanded = scope.expand(source);
        inputs.copy_sources.push_back(expanded ? *expanded : source.text);
      }
    }
  }
  // RUN --mount=type=bind (from the context) reads files too.
  for (const auto& stage : parsed->stages) {
    for (const auto& instruction : stage.instructions) {
      for (const auto& mount : instruction.mounts) {
        if (mount.type == dockerfile::MountType::Bind && mount.from.empty()) {
          inputs.copy_sources.push_back(mount.source.empty() ? "." : mount.source);
        }
      }
    }
  }
  return inputs;
}

PreflightOutcome preflight(const Scenario& scenario, const PreflightEnvironment& environment) {
  return Preflight(scenario, environment).run();
}

}  // namespace buildbench::scenario
