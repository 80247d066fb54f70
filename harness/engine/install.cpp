#include "engine/install.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "util/process.h"
#include "util/text.h"

namespace buildbench::engine {
namespace fs = std::filesystem;
namespace {

std::string trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  std::string word;
  while (in >> word) out.push_back(word);
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

util::Status write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) return util::error("cannot write " + path.string());
  return {};
}

// A security suite ("bookworm-security", "buster/updates") lives on another
// archive than the packages of later releases.
bool is_security_suite(std::string_view suite) {
  return suite.find("-security") != std::string_view::npos || suite.find("/updates") != std::string_view::npos;
}

// The last lines of a command's output, indented: enough to see why it failed.
std::string tail(std::string_view text, size_t count) {
  auto lines = util::split_lines(text);
  std::string out;
  for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    out += "  " + std::string(lines[i]) + "\n";
  }
  return out;
}

void say(const InstallOptions& options, const std::string& line) {
  if (options.progress) options.progress(line);
}

std::string offline_hint(const EngineSpec& spec) {
  std::string packages;
  for (const auto& c : spec.components) packages += " " + c.package + "=" + c.version;
  return "Offline, bring the .debs (Debian " + spec.suite + ":" + packages +
         ") and run: buildbench engine install " + spec.name + " --from-debs DIR";
}

// Package and version of a .deb, from its control file.
util::Result<Component> deb_identity(const fs::path& deb) {
  auto out = util::run_process({"dpkg-deb", "--show", "--showformat=${Package}\\n${Version}\\n", deb.string()});
  if (!out) return out.error();
  if (out->exit_code != 0) return util::error("dpkg-deb cannot read " + deb.string() + ":\n" + tail(out->err, 5));
  auto lines = util::split_lines(out->out);
  if (lines.size() < 2) return util::error("dpkg-deb printed no package/version for " + deb.string());
  return Component{std::string(lines[0]), std::string(lines[1])};
}

// For each component, the .deb in `dir` that is exactly that package and
// version. A missing one is an error naming what to bring.
util::Result<std::vector<fs::path>> debs_from_directory(const EngineSpec& spec, const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return util::error("--from-debs " + dir.string() + ": not a directory");
  std::vector<std::pair<Component, fs::path>> found;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".deb") continue;
    auto identity = deb_identity(entry.path());
    if (!identity) return identity.error();
    found.emplace_back(*identity, entry.path());
  }
  std::vector<fs::path> debs;
  std::string missing;
  for (const auto& component : spec.components) {
    auto match = std::find_if(found.begin(), found.end(), [&](const auto& item) {
      return item.first.package == component.package && item.first.version == component.version;
    });
    if (match == found.end()) {
      missing += " " + component.package + "_" + component.version + "_amd64.deb";
    } else {
      debs.push_back(match->second);
    }
  }
  if (!missing.empty()) {
    return util::error("--from-debs " + dir.string() + " lacks the .debs of engine " + spec.name + ":" + missing);
  }
  return debs;
}

util::Result<std::vector<fs::path>> debs_from_mirror(const EngineSpec& spec, const InstallOptions& options,
                                                     const fs::path& staging) {
  auto mirror = system_mirror(options.apt_etc);
  if (!mirror) return util::error(mirror.error().message + "\n" + offline_hint(spec));
  auto dirs = apt_dirs_under(staging / "apt");
  std::error_code ec;
  fs::create_directories(dirs.lists / "partial", ec);
  fs::create_directories(dirs.cache / "archives" / "partial", ec);
  fs::create_directories(staging / "debs", ec);
  if (ec) return util::error("cannot create " + (staging / "apt").string() + ": " + ec.message());
  if (auto written = write_file(dirs.sources_list, private_sources_list(*mirror, {spec.suite})); !written) {
    return written.error();
  }
  say(options, "apt-get update (private lists, " + *mirror + " " + spec.suite + ")");
  auto update = util::run_process(apt_update_argv(dirs));
  if (!update) return util::error(update.error().message + "\n" + offline_hint(spec));
  // apt-get update exits 0 even when a source could not be fetched; a "W:"
  // or "E:" about our one source means there are no lists to download from.
  bool fetched = update->exit_code == 0 && update->err.find("Failed to fetch") == std::string::npos &&
                 update->out.find("Err:") == std::string::npos;
  if (!fetched) {
    return util::error("apt-get update from " + *mirror + " (" + spec.suite + ") failed:\n" +
                       tail(update->out + update->err, 8) + offline_hint(spec));
  }
  say(options, "apt-get download " + std::to_string(spec.components.size()) + " packages");
  util::RunOptions in_debs;
  in_debs.cwd = staging / "debs";
  auto download = util::run_process(apt_download_argv(dirs, spec.components), in_debs);
  if (!download) return util::error(download.error().message + "\n" + offline_hint(spec));
  if (download->exit_code != 0) {
    return util::error("apt-get download from " + *mirror + " (" + spec.suite + ") failed:\n" +
                       tail(download->out + download->err, 8) + offline_hint(spec));
  }
  return debs_from_directory(spec, staging / "debs");
}

std::vector<Component> marker_components(const fs::path& marker) {
  std::vector<Component> out;
  auto parsed = nlohmann::json::parse(read_file(marker), nullptr, false);
  if (!parsed.is_object() || !parsed.contains("components") || !parsed["components"].is_array()) return out;
  for (const auto& item : parsed["components"]) {
    if (!item.is_object()) continue;
    out.push_back({item.value("package", ""), item.value("version", "")});
  }
  return out;
}

// The system's engine: Debian's docker.io as apt installed it.
InstalledEngine system_engine_state() {
  InstalledEngine state;
  state.spec = &system_engine();
  auto query = util::run_process({"dpkg-query", "--show", "--showformat=${Package} ${Version} ${db:Status-Abbrev}\\n",
                                  "docker.io", "containerd", "runc"});
  if (query && (query->exit_code == 0 || query->exit_code == 1)) {
    for (auto line : util::split_lines(query->out)) {
      auto fields = words(line);
      // "docker.io 20.10.24+dfsg1-1+deb12u1+b6 ii" — only installed packages count.
      if (fields.size() >= 3 && fields[2].rfind("ii", 0) == 0) state.components.push_back({fields[0], fields[1]});
    }
  }
  bool docker_io = std::any_of(state.components.begin(), state.components.end(),
                               [](const Component& c) { return c.package == "docker.io"; });
  state.installed = docker_io && fs::exists("/usr/sbin/dockerd");
  state.detail = state.installed ? "the system's docker.io (/usr/sbin/dockerd)"
                                 : "Debian's docker.io is not installed: run scripts/setup.sh";
  return state;
}

}  // namespace

fs::path engines_dir() {
  const char* state = std::getenv("BUILDBENCH_STATE_DIR");
  fs::path root = (state != nullptr && state[0] != '\0') ? fs::path(state) : fs::path("/var/lib/buildbench");
  return root / "engines";
}

EngineLayout layout_for(std::string_view name, const fs::path& root) { return EngineLayout{root / name}; }

std::string marker_json(const EngineSpec& spec, std::string_view source) {
  nlohmann::ordered_json out;
  out["name"] = spec.name;
  out["engine_version"] = spec.engine_version;
  out["suite"] = spec.suite;
  out["source"] = source;
  out["components"] = nlohmann::ordered_json::array();
  for (const auto& c : spec.components) out["components"].push_back({{"package", c.package}, {"version", c.version}});
  return out.dump(2) + "\n";
}

InstallState install_state(const EngineSpec& spec, const EngineLayout& layout) {
  std::error_code ec;
  if (!fs::exists(layout.dir, ec)) return InstallState::Missing;
  auto parsed = nlohmann::json::parse(read_file(layout.marker()), nullptr, false);
  if (!parsed.is_object() || parsed.value("name", "") != spec.name) return InstallState::HalfFinished;
  // A marker of other versions (an older catalog) is not this engine.
  auto components = marker_components(layout.marker());
  if (components.size() != spec.components.size()) return InstallState::HalfFinished;
  for (size_t i = 0; i < components.size(); ++i) {
    if (components[i].package != spec.components[i].package || components[i].version != spec.components[i].version) {
      return InstallState::HalfFinished;
    }
  }
  if (!fs::exists(layout.dockerd(), ec)) return InstallState::HalfFinished;
  return InstallState::Installed;
}

std::optional<std::string> mirror_from_deb822(std::string_view text) {
  // Stanzas are separated by blank lines; '#' lines are comments.
  std::map<std::string, std::string> fields;
  std::optional<std::string> found;
  auto finish_stanza = [&] {
    if (found || fields.empty()) {
      fields.clear();
      return;
    }
    auto types = words(fields["types"]);
    auto suites = words(fields["suites"]);
    auto uris = words(fields["uris"]);
    bool enabled = fields.count("enabled") == 0 || trim(fields["enabled"]) != "no";
    bool deb = std::find(types.begin(), types.end(), "deb") != types.end();
    bool main_archive = std::any_of(suites.begin(), suites.end(), [](const auto& s) { return !is_security_suite(s); });
    if (enabled && deb && main_archive && !uris.empty()) found = uris.front();
    fields.clear();
  };
  std::string last_key;
  for (auto raw : util::split_lines(text)) {
    std::string line(raw);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) {
      finish_stanza();
      last_key.clear();
      continue;
    }
    if (line[0] == '#') continue;
    if (line[0] == ' ' || line[0] == '\t') {  // continuation of the last field
      if (!last_key.empty()) fields[last_key] += " " + trim(line);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    last_key = line.substr(0, colon);
    // deb822 field names are case-insensitive.
    for (char& c : last_key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    fields[last_key] = trim(line.substr(colon + 1));
  }
  finish_stanza();
  return found;
}

std::optional<std::string> mirror_from_one_line(std::string_view text) {
  for (auto raw : util::split_lines(text)) {
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    auto fields = words(line);
    if (fields.empty() || fields[0] != "deb") continue;
    size_t index = 1;
    // Options: "[signed-by=... arch=amd64]", possibly split across words.
    if (index < fields.size() && fields[index].front() == '[') {
      while (index < fields.size() && fields[index].back() != ']') ++index;
      ++index;
    }
    if (index + 1 >= fields.size()) continue;
    if (is_security_suite(fields[index + 1])) continue;
    return fields[index];
  }
  return std::nullopt;
}

util::Result<std::string> system_mirror(const fs::path& apt_etc) {
  std::error_code ec;
  std::vector<fs::path> sources, lists;
  for (const auto& entry : fs::directory_iterator(apt_etc / "sources.list.d", ec)) {
    if (entry.path().extension() == ".sources") sources.push_back(entry.path());
    if (entry.path().extension() == ".list") lists.push_back(entry.path());
  }
  std::sort(sources.begin(), sources.end());
  std::sort(lists.begin(), lists.end());
  for (const auto& path : sources) {
    if (auto uri = mirror_from_deb822(read_file(path))) return *uri;
  }
  lists.insert(lists.begin(), apt_etc / "sources.list");
  for (const auto& path : lists) {
    if (auto uri = mirror_from_one_line(read_file(path))) return *uri;
  }
  return util::error("no Debian mirror found in the system's apt sources (" + (apt_etc / "sources.list.d").string() +
                     "/*.sources, " + (apt_etc / "sources.list").string() + ")");
}

AptDirs apt_dirs_under(const fs::path& dir) { return AptDirs{dir / "sources.list", dir / "lists", dir / "cache"}; }

std::string private_sources_list(std::string_view mirror, const std::vector<std::string>& suites) {
  std::string out;
  for (const auto& suite : suites) {
    out += "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] " + std::string(mirror) + " " + suite +
           " main\n";
  }
  return out;
}

std::vector<std::string> apt_private_options(const AptDirs& dirs) {
  return {"-o", "Dir::Etc::SourceList=" + dirs.sources_list.string(),
          "-o", "Dir::Etc::SourceParts=/dev/null",
          "-o", "Dir::State::Lists=" + dirs.lists.string(),
          "-o", "Dir::Cache=" + dirs.cache.string(),
          "-o", "Dir::State::Status=/dev/null",
          // The private directories belong to root; apt's _apt sandbox user
          // could not write them.
          "-o", "APT::Sandbox::User=root"};
}

std::vector<std::string> apt_update_argv(const AptDirs& dirs) {
  std::vector<std::string> argv = {"apt-get", "-q"};
  auto options = apt_private_options(dirs);
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back("update");
  return argv;
}

std::vector<std::string> apt_download_argv(const AptDirs& dirs, const std::vector<Component>& components) {
  std::vector<std::string> argv = {"apt-get", "-q"};
  auto options = apt_private_options(dirs);
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back("download");
  for (const auto& c : components) argv.push_back(c.package + "=" + c.version);
  return argv;
}

std::optional<MissingSymbolVersion> parse_loader_error(std::string_view text) {
  for (auto line : util::split_lines(text)) {
    // "<binary>: <library>: version `<symver>' not found (required by <binary>)"
    size_t version = line.find(": version `");
    if (version == std::string_view::npos) continue;
    size_t symbol_begin = version + 11;
    size_t symbol_end = line.find('\'', symbol_begin);
    if (symbol_end == std::string_view::npos || line.find(" not found", symbol_end) == std::string_view::npos) continue;
    std::string_view head = line.substr(0, version);  // "<binary>: <library>"
    size_t split = head.rfind(": ");
    MissingSymbolVersion out;
    out.symbol_version = std::string(line.substr(symbol_begin, symbol_end - symbol_begin));
    out.library = std::string(split == std::string_view::npos ? head : head.substr(split + 2));
    out.binary = split == std::string_view::npos ? std::string() : std::string(head.substr(0, split));
    size_t required = line.find("(required by ", symbol_end);
    if (required != std::string_view::npos) {
      size_t end = line.find(')', required);
      out.binary = std::string(line.substr(required + 13, end == std::string_view::npos ? end : end - required - 13));
    }
    return out;
  }
  return std::nullopt;
}

util::Status check_binaries_run(const EngineLayout& layout) {
  const fs::path tree = layout.tree();
  const std::vector<fs::path> needed = {"usr/sbin/dockerd", "usr/bin/containerd", "usr/bin/containerd-shim-runc-v2",
                                        "usr/bin/docker"};
  const std::vector<fs::path> optional = {"usr/libexec/docker/cli-plugins/docker-buildx", "usr/sbin/runc",
                                          "usr/bin/runc"};
  std::error_code ec;
  for (const auto& relative : needed) {
    if (!fs::exists(tree / relative, ec)) return util::error("the unpacked engine lacks " + (tree / relative).string());
  }
  auto all = needed;
  all.insert(all.end(), optional.begin(), optional.end());
  for (const auto& relative : all) {
    fs::path binary = tree / relative;
    if (!fs::exists(binary, ec)) continue;
    auto ran = util::run_process({binary.string(), "--version"});
    if (!ran) return util::error("cannot run " + binary.string() + ": " + ran.error().message);
    if (auto missing = parse_loader_error(ran->err)) {
      return util::error(binary.string() + " cannot run on this system: it needs " + missing->symbol_version + " from " +
                         missing->library + ", which is older here (ld.so: " + trim(util::split_lines(ran->err)[0]) +
                         ")");
    }
    // Any other exit status means the binary ran: not every one knows
    // --version (containerd-shim-runc-v2 wants -v and exits 2).
  }
  // Debian's runc of trixie/forky needs GLIBC 2.38; dockerd uses the one in
  // PATH, and the system's (Debian 12's runc 1.1.5) runs here.
  if (!fs::exists(tree / "usr/sbin/runc", ec) && !fs::exists("/usr/sbin/runc", ec) && !fs::exists("/usr/bin/runc", ec)) {
    return util::error("no runc on this system: install Debian's runc package (apt-get install runc)");
  }
  return {};
}

util::Result<InstallOutcome> install_engine(const EngineSpec& spec, const InstallOptions& options) {
  if (spec.is_system()) {
    return util::error("engine " + spec.name + " is the system's docker.io: install it with `apt-get install docker.io` " +
                       "(scripts/setup.sh does)");
  }
  auto layout = layout_for(spec.name, options.root);
  auto state = install_state(spec, layout);
  if (state == InstallState::Installed) return InstallOutcome::AlreadyInstalled;
  std::error_code ec;
  if (state == InstallState::HalfFinished) {
    say(options, "removing a half-finished install at " + layout.dir.string());
    fs::remove_all(layout.dir, ec);
    if (ec) return util::error("cannot remove " + layout.dir.string() + ": " + ec.message());
  }
  fs::create_directories(options.root, ec);
  if (ec) return util::error("cannot create " + options.root.string() + ": " + ec.message());
  // Staging directories of installs killed midway.
  const std::string staging_prefix = "." + spec.name + ".partial-";
  for (const auto& entry : fs::directory_iterator(options.root, ec)) {
    if (entry.path().filename().string().rfind(staging_prefix, 0) == 0) fs::remove_all(entry.path(), ec);
  }
  fs::path staging = options.root / (staging_prefix + std::to_string(::getpid()));
  fs::create_directories(staging / "root", ec);
  if (ec) return util::error("cannot create " + staging.string() + ": " + ec.message());
  auto abandon = [&](util::Error error) -> util::Result<InstallOutcome> {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return error;
  };

  auto debs = options.from_debs ? debs_from_directory(spec, *options.from_debs) : debs_from_mirror(spec, options, staging);
  if (!debs) return abandon(debs.error());
  for (const auto& deb : *debs) {
    say(options, "dpkg-deb -x " + deb.filename().string());
    auto unpacked = util::run_process({"dpkg-deb", "-x", deb.string(), (staging / "root").string()});
    if (!unpacked) return abandon(unpacked.error());
    if (unpacked->exit_code != 0) {
      return abandon(util::error("dpkg-deb -x " + deb.string() + " failed:\n" + tail(unpacked->err, 5)));
    }
  }
  fs::remove_all(staging / "apt", ec);
  fs::remove_all(staging / "debs", ec);
  EngineLayout staged{staging};
  if (auto runs = check_binaries_run(staged); !runs) return abandon(runs.error());
  // The marker last: only a complete tree carries it.
  std::string source = options.from_debs ? "debs " + options.from_debs->string() : "apt " + spec.suite;
  if (auto written = write_file(staged.marker(), marker_json(spec, source)); !written) return abandon(written.error());
  fs::rename(staging, layout.dir, ec);
  if (ec) return abandon(util::error("cannot move " + staging.string() + " to " + layout.dir.string() + ": " + ec.message()));
  return state == InstallState::HalfFinished ? InstallOutcome::Redone : InstallOutcome::Installed;
}

util::Status remove_engine(const EngineSpec& spec, const fs::path& root) {
  if (spec.is_system()) {
    return util::error("engine " + spec.name + " is the system's docker.io: buildbench does not remove it");
  }
  std::error_code ec;
  fs::remove_all(layout_for(spec.name, root).dir, ec);
  if (ec) return util::error("cannot remove " + layout_for(spec.name, root).dir.string() + ": " + ec.message());
  return {};
}

std::vector<InstalledEngine> list_engines(const fs::path& root) {
  std::vector<InstalledEngine> out;
  for (const auto& spec : known_engines()) {
    if (spec.is_system()) {
      out.push_back(system_engine_state());
      continue;
    }
    InstalledEngine state;
    state.spec = &spec;
    auto layout = layout_for(spec.name, root);
    auto installed = install_state(spec, layout);
    state.installed = installed == InstallState::Installed;
    state.half_finished = installed == InstallState::HalfFinished;
    state.components = spec.components;
    state.detail = state.installed        ? layout.dir.string()
                   : state.half_finished ? "half-finished install at " + layout.dir.string() +
                                               " (not used; `buildbench engine install " + spec.name + "` redoes it)"
                                         : "not installed: buildbench engine install " + spec.name;
    out.push_back(std::move(state));
  }
  return out;
}

bool is_installed(const EngineSpec& spec, const fs::path& root) {
  if (spec.is_system()) return system_engine_state().installed;
  return install_state(spec, layout_for(spec.name, root)) == InstallState::Installed;
}

const EngineSpec* newest_installed(const fs::path& root) {
  const auto& engines = known_engines();
  for (auto it = engines.rbegin(); it != engines.rend(); ++it) {
    if (is_installed(*it, root)) return &*it;
  }
  return nullptr;
}

}  // namespace buildbench::engine
