#include "scenario/init_project.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "dockerfile/parse.h"
#include "dockerfile/stages.h"
#include "fixture/base_images.h"
#include "fixture/project.h"
#include "scenario/checker.h"

namespace buildbench::scenario {
namespace fs = std::filesystem;
namespace {

constexpr size_t kMaxVariants = 6;

std::string json_string(const std::string& text) { return nlohmann::json(text).dump(); }

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A scenario/variant name from any text: lowercase letters, digits, - _ .
std::string name_from(const std::string& text, const std::string& fallback) {
  std::string out;
  for (char c : lower(text)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    out.push_back(ok ? c : '-');
  }
  while (!out.empty() && !((out[0] >= 'a' && out[0] <= 'z') || (out[0] >= '0' && out[0] <= '9'))) out.erase(0, 1);
  if (out.size() > 48) out.resize(48);
  return detail::is_name(out) ? out : fallback;
}

bool is_dockerfile_name(const std::string& name) {
  std::string l = lower(name);
  return l == "dockerfile" || l == "containerfile" || l.rfind("dockerfile.", 0) == 0 ||
         (l.size() > 11 && l.substr(l.size() - 11) == ".dockerfile");
}

// Dockerfiles at the root and up to two directories down, the root
// Dockerfile first.
std::vector<fs::path> find_dockerfiles(const fs::path& root) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec)) {
      if (it.depth() >= 2 || name.front() == '.' || name == "node_modules" || name == "vendor" || name == "testdata") {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (it->is_regular_file(ec) && is_dockerfile_name(name)) found.push_back(it->path().lexically_relative(root));
  }
  std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
    auto rank = [](const fs::path& p) { return p == "Dockerfile" ? 0 : p.has_parent_path() ? 2 : 1; };
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    return a.generic_string() < b.generic_string();
  });
  return found;
}

std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The repository part of an image reference: "golang" for "golang:1.24-alpine".
std::string image_repository(const std::string& reference) {
  std::string repo = reference.substr(0, reference.find('@'));
  size_t slash = repo.rfind('/');
  size_t colon = repo.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) repo = repo.substr(0, colon);
  return lower(repo);
}

struct Mapped {
  std::string local;    // "" = not mapped
  std::string comment;  // why (always set)
};

Mapped map_base_image(const std::string& image, const PreflightEnvironment& environment) {
  const auto defaults = fixture::default_base_image_mapping();
  if (auto known = defaults.find(image); known != defaults.end()) {
    return {known->second, "the offline stand-in buildbench makes for " + image};
  }
  if (image.find('@') != std::string::npos) {
    return {"", "FROM " + image + " pins a digest, which no local image can stand in for; remove the digest to map it"};
  }
  if (environment.image_present && environment.image_present(image) == true) {
    return {"", image + " is in the daemon: used as it is"};
  }
  const std::string repo = image_repository(image);
  const std::string last = repo.substr(repo.rfind('/') == std::string::npos ? 0 : repo.rfind('/') + 1);
  if (last == "golang") {
    return {"buildbench/go:1.24", image + " -> Debian's Go 1.24 (the offline Go image; no registry is reachable)"};
  }
  static const char* const kSmallBases[] = {"alpine", "busybox", "debian", "ubuntu", "static", "static-debian12",
                                            "base", "base-debian12", "distroless"};
  bool small = std::find(std::begin(kSmallBases), std::end(kSmallBases), last) != std::end(kSmallBases) ||
               repo.find("distroless") != std::string::npos;
  if (small) {
    return {"buildbench/runtime:busybox",
            image + " -> the busybox stand-in (sh and busybox applets only, no package manager): enough to run a "
                    "static binary; map it to another local image if the stage needs more"};
  }
  return {"", "could not map " + image + ": no offline stand-in brings what it has; load the image into the daemon "
              "(docker load) or map it here to a local image that has"};
}

struct DraftVariant {
  std::string name;
  std::string dockerfile;  // relative to the scenario file
  fs::path absolute;       // the same file, to read now (the scenario's directory may not exist yet)
  std::map<std::string, std::string> build_args;
  std::vector<std::string> comments;
};

struct DraftKind {
  nlohmann::json value;
  std::string comment;
};

struct Draft {
  std::string name;
  std::string title;
  std::string fixture_path;
  std::string code_glob;
  std::vector<std::pair<std::string, Mapped>> base_images;  // in first-seen order
  std::vector<DraftVariant> variants;
  std::vector<DraftKind> kinds;
  std::vector<std::string> notes;
  std::vector<std::string> refusals;  // what validate still refuses
};

std::string render(const Draft& draft) {
  std::ostringstream out;
  out << "// A first scenario for " << draft.fixture_path << ", written by `buildbench init`.\n";
  out << "// Check it:  buildbench validate FILE\n";
  out << "// Run it:    buildbench run FILE --out results/" << draft.name << "\n";
  out << "// Report:    buildbench report results/" << draft.name << "/results.jsonl --out results/" << draft.name << "\n";
  out << "// Format and every key: docs/scenarios.md; this workflow: docs/own-project.md.\n";
  if (!draft.notes.empty()) {
    out << "//\n// What init could not map or left out:\n";
    for (const auto& note : draft.notes) out << "//  - " << note << "\n";
  }
  if (!draft.refusals.empty()) {
    out << "//\n// buildbench validate refuses this scenario until these are fixed:\n";
    for (const auto& refusal : draft.refusals) out << "//  - " << refusal << "\n";
  }
  out << "{\n";
  out << "  \"schema\": 1,\n";
  out << "  \"name\": " << json_string(draft.name) << ",\n";
  out << "  \"title\": " << json_string(draft.title) << ",\n";
  out << "  // Every round copies the project into a work directory; your tree is never changed.\n";
  out << "  \"fixture\": {\"path\": " << json_string(draft.fixture_path);
  if (!draft.code_glob.empty()) out << ", \"code_change\": {\"glob\": " << json_string(draft.code_glob) << "}";
  out << "},\n";
  out << "  // Nothing can be pulled here: each FROM name is tagged onto a local image.\n";
  out << "  \"base_images\": {";
  size_t mapped_left = static_cast<size_t>(std::count_if(draft.base_images.begin(), draft.base_images.end(),
                                                         [](const auto& entry) { return !entry.second.local.empty(); }));
  for (const auto& [image, mapped] : draft.base_images) {
    out << "\n    // " << mapped.comment;
    if (mapped.local.empty()) continue;
    out << "\n    " << json_string(image) << ": " << json_string(mapped.local) << (--mapped_left > 0 ? "," : "");
  }
  out << "\n  },\n";
  out << "  \"variants\": [";
  for (size_t i = 0; i < draft.variants.size(); ++i) {
    const auto& variant = draft.variants[i];
    for (const auto& comment : variant.comments) out << "\n    // " << comment;
    out << "\n    {\"name\": " << json_string(variant.name) << ", \"dockerfile\": " << json_string(variant.dockerfile);
    if (!variant.build_args.empty()) out << ", \"build_args\": " << nlohmann::json(variant.build_args).dump();
    out << "}" << (i + 1 < draft.variants.size() ? "," : "");
  }
  out << "\n  ],\n";
  out << "  // A round builds these in order: cold, warm, then each change from the warm state.\n";
  out << "  \"build_kinds\": [";
  for (size_t i = 0; i < draft.kinds.size(); ++i) {
    if (!draft.kinds[i].comment.empty()) out << "\n    // " << draft.kinds[i].comment;
    out << "\n    " << draft.kinds[i].value.dump() << (i + 1 < draft.kinds.size() ? "," : "");
  }
  out << "\n  ],\n";
  out << "  \"repetitions\": 5,\n";
  out << "  \"warmups\": 1,\n";
  out << "  \"seed\": 1\n";
  out << "}\n";
  return out.str();
}

// The kind index a problem's pointer names ("/build_kinds/3..."), if any.
std::optional<size_t> kind_index(const std::string& pointer) {
  static constexpr std::string_view kPrefix = "/build_kinds/";
  if (pointer.rfind(kPrefix, 0) != 0) return std::nullopt;
  size_t index = 0;
  size_t i = kPrefix.size();
  if (i >= pointer.size() || !std::isdigit(static_cast<unsigned char>(pointer[i]))) return std::nullopt;
  for (; i < pointer.size() && std::isdigit(static_cast<unsigned char>(pointer[i])); ++i) {
    index = index * 10 + static_cast<size_t>(pointer[i] - '0');
  }
  return index;
}

// The most common code extension among copied files, as a glob.
std::string guess_code_glob(const std::vector<std::string>& files) {
  static const char* const kCode[] = {"py", "js", "mjs", "ts", "rb", "php", "java", "kt", "rs", "c", "cc", "cpp", "sh", "pl", "lua"};
  std::map<std::string, size_t> counts;
  for (const auto& file : files) {
    size_t dot = file.rfind('.');
    if (dot == std::string::npos || file.find('/', dot) != std::string::npos) continue;
    std::string ext = lower(file.substr(dot + 1));
    if (std::find(std::begin(kCode), std::end(kCode), ext) != std::end(kCode)) ++counts[ext];
  }
  std::string best;
  size_t most = 0;
  for (const auto& [ext, count] : counts) {
    if (count > most) {
      best = ext;
      most = count;
    }
  }
  return best.empty() ? "" : "**/*." + best;
}

}  // namespace

util::Result<InitResult> init_scenario(const InitOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(options.repository, ec)) {
    return util::error(options.repository.string() + " is not a directory (expected the root of a repository)");
  }
  const fs::path root = fs::canonical(options.repository, ec);
  const fs::path scenario_file = fs::absolute(options.scenario_file, ec);
  const fs::path scenario_dir = scenario_file.parent_path();
  auto relative = [&](const fs::path& path) {
    std::string text = path.lexically_relative(scenario_dir).generic_string();
    return text.empty() ? std::string(".") : text;
  };

  auto dockerfiles = find_dockerfiles(root);
  if (dockerfiles.empty()) {
    return util::error(root.string() + " has no Dockerfile (looked for Dockerfile, Dockerfile.*, *.Dockerfile and "
                       "Containerfile up to two directories down)");
  }

  Draft draft;
  draft.name = name_from(root.filename().string(), "my-project");
  draft.title = root.filename().string() + ": build times";
  draft.fixture_path = relative(root);
  if (dockerfiles.size() > kMaxVariants) {
    draft.notes.push_back("found " + std::to_string(dockerfiles.size()) + " Dockerfiles; kept the first " +
                          std::to_string(kMaxVariants) + " as variants");
    dockerfiles.resize(kMaxVariants);
  }

  std::set<std::string> variant_names;
  std::vector<std::string> declared_args;  // in stages, across Dockerfiles
  const std::string proxy = options.environment.module_proxy_url.empty() ? fixture::default_module_proxy_url()
                                                                          : options.environment.module_proxy_url;
  for (const auto& dockerfile_path : dockerfiles) {
    auto text = read_text(root / dockerfile_path);
    if (!text) continue;
    const std::string written = relative(root / dockerfile_path);
    auto parsed = dockerfile::parse(*text, dockerfile_path.generic_string());
    if (!parsed) {
      draft.notes.push_back("skipped " + dockerfile_path.generic_string() + ": " + parsed.error().message);
      continue;
    }
    DraftVariant variant;
    std::string stem = dockerfile_path.filename().string();
    if (lower(stem) == "dockerfile" || lower(stem) == "containerfile") {
      stem = dockerfile_path.has_parent_path() ? dockerfile_path.parent_path().filename().string() : "dockerfile";
    } else if (lower(stem).rfind("dockerfile.", 0) == 0) {
      stem = stem.substr(11);
    } else {
      stem = stem.substr(0, stem.size() - 11);
    }
    variant.name = name_from(stem, "variant");
    while (!variant_names.insert(variant.name).second) variant.name += "-2";
    variant.dockerfile = written;
    variant.absolute = root / dockerfile_path;

    std::vector<std::string> stage_names;
    dockerfile::BuildOptions build_options;
    for (const auto& stage : parsed->stages) {
      stage_names.push_back(stage.display_name());
      auto base = dockerfile::resolve_base(*parsed, stage.index, build_options);
      if (base.kind != dockerfile::StageRef::Kind::Image) continue;
      bool seen = std::any_of(draft.base_images.begin(), draft.base_images.end(),
                              [&](const auto& entry) { return entry.first == base.image; });
      if (seen) continue;
      Mapped mapped = map_base_image(base.image, options.environment);
      mapped.comment = dockerfile_path.generic_string() + ":" + std::to_string(stage.from().at.line) + ": " + mapped.comment;
      if (mapped.local.empty() && mapped.comment.find("could not map") != std::string::npos) draft.notes.push_back(mapped.comment);
      draft.base_images.emplace_back(base.image, mapped);
    }
    std::string summary = dockerfile_path.generic_string() + ": " + std::to_string(parsed->stages.size()) +
                          (parsed->stages.size() == 1 ? " stage" : " stages");
    if (parsed->stages.size() > 1) {
      summary += " (";
      for (size_t i = 0; i < stage_names.size(); ++i) summary += (i ? ", " : "") + stage_names[i];
      summary += ")";
    }
    std::vector<std::string> args;
    for (const dockerfile::Instruction* instruction : parsed->all_instructions()) {
      if (instruction->keyword != dockerfile::Keyword::Arg) continue;
      for (const auto& pair : instruction->pairs) {
        args.push_back(pair.key.text);
        if (std::find(declared_args.begin(), declared_args.end(), pair.key.text) == declared_args.end()) {
          declared_args.push_back(pair.key.text);
        }
        if (pair.key.text == "GOPROXY" && pair.value) {
          variant.build_args["GOPROXY"] = proxy;
          variant.comments.push_back(dockerfile_path.generic_string() + ":" + std::to_string(instruction->at.line) +
                                     ": ARG GOPROXY points outside this machine; the build argument points it at "
                                     "buildbench's module proxy");
        }
      }
    }
    if (!args.empty()) {
      summary += "; ARGs: ";
      for (size_t i = 0; i < args.size(); ++i) summary += (i ? ", " : "") + args[i];
    }
    variant.comments.insert(variant.comments.begin(), summary);
    if (const auto* syntax = parsed->directive("syntax")) {
      variant.comments.push_back(dockerfile_path.generic_string() + ":" + std::to_string(syntax->at.line) +
                                 ": `# syntax=" + syntax->value +
                                 "` needs a frontend image from a registry: the run strips the line and says so");
    }
    draft.variants.push_back(std::move(variant));
  }
  if (draft.variants.empty()) return util::error("no Dockerfile of " + root.string() + " parses; see the notes");

  // Go project or not: a code-change glob for other languages.
  std::error_code exists_ec;
  const bool go_module = fs::is_regular_file(root / "go.mod", exists_ec);
  {
    Scenario probe;
    probe.fixture.kind = FixtureSource::Kind::Path;
    probe.fixture.path = root;
    Variant first;
    first.dockerfile = draft.variants.front().absolute;
    first.dockerfile_as_written = draft.variants.front().dockerfile;
    auto inputs = project_inputs(probe, first);
    if (inputs) {
      auto profile = fixture::profile_project(root, *inputs);
      if (profile && profile->code_files.empty()) {
        draft.code_glob = guess_code_glob(profile->copied_files);
        if (!draft.code_glob.empty()) {
          draft.notes.push_back("no Go source is copied into the image: code-change edits files matching " +
                                draft.code_glob + " (/fixture/code_change/glob)");
        }
      }
    }
  }

  // Every kind that could apply; the checks below drop the ones that do not.
  draft.kinds.push_back({"cold", "no layer cache, empty cache mounts"});
  draft.kinds.push_back({"warm", "nothing changed"});
  draft.kinds.push_back({"code-change", "one source file edited (a seeded pick among the files COPY sends)"});
  draft.kinds.push_back({"touch", "the same file's mtime only"});
  draft.kinds.push_back({"ignored-file-change", "a file the .dockerignore drops"});
  draft.kinds.push_back({"non-go-change", "a copied text file that is not code"});
  if (go_module && draft.code_glob.empty()) {
    draft.kinds.push_back({"dependency-add", "a new module from buildbench's module proxy"});
    draft.kinds.push_back({"dependency-bump", "a required module moves to a newer version"});
  }
  std::string bust;
  if (std::find(declared_args.begin(), declared_args.end(), "CACHEBUST") != declared_args.end()) {
    bust = "CACHEBUST";
  } else {
    for (const auto& arg : declared_args) {
      if (arg != "GOPROXY" && arg.rfind("TARGET", 0) != 0 && arg.rfind("BUILD", 0) != 0) {
        bust = arg;
        break;
      }
    }
  }
  if (bust.empty()) {
    draft.notes.push_back("cachebust left out: no Dockerfile declares an ARG to bump (add `ARG CACHEBUST` above the "
                          "step it should rerun)");
  } else if (bust == "CACHEBUST") {
    draft.kinds.push_back({"cachebust", "a new value for ARG CACHEBUST"});
  } else {
    draft.kinds.push_back({nlohmann::json{{"kind", "cachebust"}, {"arg", bust}}, "a new value for ARG " + bust});
  }

  // Drop the kinds the checks refuse, with their reasons, until none is refused.
  InitResult result;
  for (size_t round = 0; round < 16; ++round) {
    std::string text = render(draft);
    auto loaded = parse_scenario(text, scenario_file);
    if (!loaded.ok()) {
      return util::error("internal: init wrote a scenario that does not load:\n" + loaded.report(scenario_file) +
                         "\n" + text);
    }
    auto checked = preflight(*loaded.scenario, options.environment);
    std::set<size_t> drop;
    for (const auto& problem : checked.problems) {
      auto index = kind_index(problem.pointer);
      if (!index || *index >= loaded.scenario->build_kinds.size()) continue;
      // build_kinds keep the order listed (cold and warm come first here).
      if (*index < 2) continue;
      if (drop.insert(*index).second) draft.notes.push_back("left out " + problem.message);
    }
    if (drop.empty()) {
      for (const auto& problem : checked.problems) {
        draft.refusals.push_back((problem.pointer.empty() ? "" : problem.pointer + ": ") + problem.message);
      }
      result.problems = checked.problems;
      result.text = render(draft);
      result.notes = draft.notes;
      return result;
    }
    std::vector<DraftKind> kept;
    for (size_t i = 0; i < draft.kinds.size(); ++i) {
      if (!drop.count(i)) kept.push_back(std::move(draft.kinds[i]));
    }
    draft.kinds = std::move(kept);
  }
  return util::error("internal: init could not settle the build kinds");
}

}  // namespace buildbench::scenario
