// Scenario files: JSON with comments in, a Scenario with every default filled
// in or the list of every problem found out. Validation never stops at the
// first problem: each part of the file is checked as far as it can be, so one
// run of `buildbench validate` shows everything to fix.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <system_error>
#include <utility>

#include "fixture/module_proxy.h"
#include "scenario/checker.h"
#include "scenario/scenario.h"
#include "scenario/suggest.h"
#include "util/hash.h"

namespace buildbench::scenario {
namespace {

using namespace detail;  // Checker and the wording of problems
using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// Limits keep a typo (or a fuzzer) from planning a week of builds or
// exhausting memory before a single problem is printed.
constexpr size_t kMaxFileBytes = 1 << 20;
constexpr size_t kMaxNesting = 64;
constexpr int64_t kMaxRepetitions = 1000;
constexpr int64_t kMaxWarmups = 100;
constexpr size_t kMaxVariants = 64;
constexpr size_t kMaxBuildKinds = 64;
constexpr size_t kMaxSweepValues = 64;
constexpr uint64_t kMaxPlannedSamples = 100000;
constexpr size_t kMaxProblems = 200;

// ---------------------------------------------------------------- JSON text

// Thrown by the parser callback to stop at absurd nesting; never leaves this file.
struct NestingTooDeep {};

struct Document {
  std::optional<Json> value;
  std::vector<Problem> problems;
};

// Parses JSON with // and /* */ comments. Duplicate keys are problems (the
// parser would silently keep the last one), found with the parser's event
// callback, which also tracks where it is to name the duplicate's pointer.
Document parse_document(std::string_view text) {
  struct Frame {
    bool is_object = false;
    std::set<std::string, std::less<>> keys;
    std::string token;  // the current child's pointer token (escaped)
    size_t next_index = 0;
  };
  Document document;
  std::vector<Frame> frames;
  auto value_starts = [&] {
    if (!frames.empty() && !frames.back().is_object) frames.back().token = std::to_string(frames.back().next_index++);
  };
  Json::parser_callback_t callback = [&](int, Json::parse_event_t event, Json& parsed) -> bool {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        value_starts();
        if (frames.size() >= kMaxNesting) throw NestingTooDeep{};
        frames.push_back(Frame{event == Json::parse_event_t::object_start, {}, {}, 0});
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!frames.empty()) frames.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!frames.empty() && parsed.is_string()) {
          const auto& key = parsed.get_ref<const std::string&>();
          Frame& object = frames.back();
          object.token = escape_token(key);
          if (!object.keys.insert(key).second) {
            std::string pointer;
            for (size_t i = 0; i < frames.size(); ++i) pointer += "/" + frames[i].token;
            document.problems.push_back({pointer, "the key appears twice in one object (expected each key once)"});
          }
        }
        break;
      case Json::parse_event_t::value:
        value_starts();
        break;
    }
    return true;
  };
  try {
    document.value = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const NestingTooDeep&) {
    document.problems = {{"", "values are nested more than 64 levels deep (expected a scenario file)"}};
  } catch (const nlohmann::json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    std::string message = e.what();
    if (auto bracket = message.find("] "); message.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos) {
      message.erase(0, bracket + 2);
    }
    if (message.rfind("parse error at ", 0) == 0) message.replace(0, 15, "invalid JSON at ");
    document.problems = {{"", printable(message) + " (expected JSON; // and /* */ comments are allowed)"}};
  }
  return document;
}

// ---------------------------------------------------------------- fixture parameters

// FixtureParams reports one problem as "fixture parameter 'KEY' is ...;
// expected ...". This names the key's pointer when the file sets that key
// and puts the expectation in parentheses like every other message here.
Problem fixture_problem(const std::string& message, const Json* object, const std::string& pointer) {
  std::string text = message;
  std::string key;
  static constexpr std::string_view kPrefix = "fixture parameter '";
  if (text.rfind(kPrefix, 0) == 0) {
    size_t end = text.find('\'', kPrefix.size());
    if (end != std::string::npos) key = text.substr(kPrefix.size(), end - kPrefix.size());
  }
  if (auto expected = text.find("; expected "); expected != std::string::npos) {
    text = text.substr(0, expected) + " (expected " + text.substr(expected + 11) + ")";
  }
  if (!key.empty() && object != nullptr && object->is_object() && object->contains(key)) {
    std::string rest = text.substr(kPrefix.size() + key.size() + 1);
    if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
    return {child(pointer, key), printable(rest)};
  }
  return {pointer, printable(text)};
}

// Converts the known keys of a generate object (unknown ones are reported
// separately with a "did you mean") to the JSON FixtureParams reads.
nlohmann::json known_parameters(const Json& object, const std::vector<std::string>& known) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) out[key] = nlohmann::json(value);
  }
  return out;
}

// ---------------------------------------------------------------- build kinds

const std::vector<std::string>& kind_names() {
  static const std::vector<std::string> names = {"cold", "warm", "code-change", "dependency-add", "dependency-bump",
                                                 "touch", "ignored-file-change", "non-go-change", "cachebust", "custom"};
  return names;
}

constexpr KindType kKindTypes[] = {KindType::Cold, KindType::Warm, KindType::CodeChange, KindType::DependencyAdd,
                                   KindType::DependencyBump, KindType::Touch, KindType::IgnoredFileChange,
                                   KindType::NonGoChange, KindType::Cachebust, KindType::Custom};

std::optional<KindType> kind_from_name(std::string_view name) {
  const auto& names = kind_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return kKindTypes[i];
  }
  return std::nullopt;
}

constexpr std::string_view kCustomShape =
    "{\"kind\": \"custom\", \"name\": ..., \"append\": {\"file\": ..., \"line\": ...}} or \"write\": {\"file\": ..., \"content\": ...}";

std::optional<BuildKind> parse_custom(Checker& check, const Json& object, const std::string& pointer) {
  check.unknown_keys(object, pointer, {"kind", "name", "append", "write"});
  BuildKind kind;
  kind.type = KindType::Custom;
  bool ok = true;
  if (const Json* name = check.require(object, pointer, "name", "a name for the mutation")) {
    if (auto text = check.string_value(*name, child(pointer, "name"), kNameExpectation)) {
      if (is_name(*text)) {
        kind.custom.name = *text;
      } else {
        check.add(child(pointer, "name"), code(*text) + " is not a valid name (expected " + std::string(kNameExpectation) + ")");
        ok = false;
      }
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  const Json* append = Checker::find(object, "append");
  const Json* write = Checker::find(object, "write");
  if (append != nullptr && write != nullptr) {
    check.add(pointer, "has both `append` and `write` (expected one of them)");
    return std::nullopt;
  }
  if (append == nullptr && write == nullptr) {
    check.add(pointer, "has neither `append` nor `write` (expected " + std::string(kCustomShape) + ")");
    return std::nullopt;
  }
  bool appending = append != nullptr;
  const Json& action = appending ? *append : *write;
  std::string action_pointer = child(pointer, appending ? "append" : "write");
  std::string text_key = appending ? "line" : "content";
  kind.custom.action = appending ? CustomMutation::Action::Append : CustomMutation::Action::Write;
  if (!check.is_type(action, action_pointer, action.is_object(),
                     appending ? "{\"file\": ..., \"line\": ...}" : "{\"file\": ..., \"content\": ...}")) {
    return std::nullopt;
  }
  check.unknown_keys(action, action_pointer, {"file", text_key});
  if (const Json* file = check.require(action, action_pointer, "file", "a path relative to the fixture root")) {
    std::string file_pointer = child(action_pointer, "file");
    if (auto path = check.string_value(*file, file_pointer, "a path relative to the fixture root")) {
      if (is_clean_relative_path(*path)) {
        kind.custom.file = *path;
      } else {
        check.add(file_pointer, code(*path) +
                                    " is not a clean relative path (expected a path inside the fixture without `.` or `..` steps, "
                                    "such as `internal/pkg000/file0.go`)");
        ok = false;
      }
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  if (const Json* text = check.require(action, action_pointer, text_key, appending ? "the line to append" : "the new content")) {
    std::string text_pointer = child(action_pointer, text_key);
    if (auto value = check.string_value(*text, text_pointer, "a string")) {
      if (appending && value->find('\n') != std::string::npos) {
        check.add(text_pointer, "contains a newline (expected a single line; `write` replaces a whole file)");
        ok = false;
      } else {
        kind.custom.text = *value;
      }
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  if (!ok) return std::nullopt;
  return kind;
}

std::optional<BuildKind> parse_build_kind(Checker& check, const Json& value, const std::string& pointer) {
  if (value.is_string()) {
    const auto& name = value.get_ref<const std::string&>();
    auto type = kind_from_name(name);
    if (!type) {
      check.add(pointer, unknown_choice("build kind", name, kind_names()));
      return std::nullopt;
    }
    if (*type == KindType::Custom) {
      check.add(pointer, "`custom` needs the object form (expected " + std::string(kCustomShape) + ")");
      return std::nullopt;
    }
    BuildKind kind;
    kind.type = *type;
    return kind;
  }
  if (!check.is_type(value, pointer, value.is_object(), "a build kind name or {\"kind\": ...}")) return std::nullopt;
  const Json* kind_value = check.require(value, pointer, "kind", "one of: " + join_codes(kind_names()));
  if (kind_value == nullptr) return std::nullopt;
  auto name = check.choice(*kind_value, child(pointer, "kind"), "build kind", kind_names());
  if (!name) return std::nullopt;
  BuildKind kind;
  kind.type = *kind_from_name(*name);
  switch (kind.type) {
    case KindType::Custom:
      return parse_custom(check, value, pointer);
    case KindType::CodeChange: {
      check.unknown_keys(value, pointer, {"kind", "where"});
      if (const Json* where = Checker::find(value, "where")) {
        auto text = check.choice(*where, child(pointer, "where"), "place", {"leaf", "shared", "main"});
        if (!text) return std::nullopt;
        kind.where = *text == "leaf" ? CodeChangeWhere::Leaf : *text == "shared" ? CodeChangeWhere::Shared : CodeChangeWhere::Main;
      }
      return kind;
    }
    case KindType::Cachebust: {
      check.unknown_keys(value, pointer, {"kind", "arg"});
      if (const Json* arg = Checker::find(value, "arg")) {
        auto text = check.string_value(*arg, child(pointer, "arg"), "a build argument name");
        if (!text) return std::nullopt;
        if (!is_arg_name(*text)) {
          check.add(child(pointer, "arg"), code(*text) + " is not a build argument name (expected letters, digits and `_`, not starting with a digit)");
          return std::nullopt;
        }
        kind.build_arg = *text;
      }
      return kind;
    }
    default:
      check.unknown_keys(value, pointer, {"kind"});
      return kind;
  }
}

// ---------------------------------------------------------------- variants

struct ParsedVariant {
  std::optional<Variant> variant;
  std::optional<std::string> name;  // even when something else is wrong, for the duplicate check
  bool baseline = false;
};

// "secrets": {"ID": {"file": "relative/path"} | {"env": "VARIABLE"}}. The
// daemon asks for secrets through the BuildKit session, so a variant that
// has any must use it.
bool parse_secrets(Checker& check, const Json& value, const std::string& pointer, Variant& variant) {
  constexpr std::string_view kShape = "an object of secret ids to {\"file\": PATH} or {\"env\": VARIABLE}";
  if (!check.is_type(value, pointer, value.is_object(), kShape)) return false;
  bool ok = true;
  if (!value.empty() && variant.context_transfer != ContextTransfer::Session) {
    check.add(pointer, "secrets reach the daemon through the BuildKit session: they need the buildkit builder "
                       "with context_transfer `session`");
    ok = false;
  }
  for (const auto& [id, source] : value.items()) {
    const std::string id_pointer = child(pointer, id);
    if (id.empty() || id.find_first_of(",=") != std::string::npos) {
      check.add(id_pointer, code(id) + " is not a secret id (expected a non-empty name without `,` or `=`)");
      ok = false;
      continue;
    }
    if (!check.is_type(source, id_pointer, source.is_object(), "{\"file\": PATH} or {\"env\": VARIABLE}")) {
      ok = false;
      continue;
    }
    check.unknown_keys(source, id_pointer, {"file", "env"});
    const Json* file = Checker::find(source, "file");
    const Json* env = Checker::find(source, "env");
    if ((file == nullptr) == (env == nullptr)) {
      check.add(id_pointer, "needs exactly one of `file` and `env`");
      ok = false;
      continue;
    }
    SecretSpec spec;
    if (file != nullptr) {
      constexpr std::string_view kFile = "a file holding the secret, relative to the scenario file";
      if (auto resolved = check.existing_path(*file, child(id_pointer, "file"), Checker::Expect::File, kFile)) {
        spec.file = *resolved;
        spec.file_as_written = file->get<std::string>();
      } else {
        ok = false;
        continue;
      }
    } else if (auto name = check.string_value(*env, child(id_pointer, "env"), "an environment variable name")) {
      if (!is_arg_name(*name)) {
        check.add(child(id_pointer, "env"), code(*name) + " is not an environment variable name");
        ok = false;
        continue;
      }
      spec.env = *name;
    } else {
      ok = false;
      continue;
    }
    variant.secrets[id] = std::move(spec);
  }
  return ok;
}

ParsedVariant parse_variant(Checker& check, const Json& value, const std::string& pointer) {
  ParsedVariant parsed;
  if (!check.is_type(value, pointer, value.is_object(), "{\"name\": ..., \"dockerfile\": ...}")) return parsed;
  check.unknown_keys(value, pointer,
                     {"name", "dockerfile", "dockerignore", "build_args", "target", "builder", "context_transfer", "secrets",
                      "baseline"});
  Variant variant;
  bool ok = true;
  if (const Json* name = check.require(value, pointer, "name", "a variant name")) {
    if (auto text = check.string_value(*name, child(pointer, "name"), kNameExpectation)) {
      if (is_name(*text)) {
        variant.name = *text;
        parsed.name = *text;
      } else {
        check.add(child(pointer, "name"), code(*text) + " is not a valid name (expected " + std::string(kNameExpectation) + ")");
        ok = false;
      }
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  constexpr std::string_view kDockerfile = "a Dockerfile, relative to the scenario file";
  if (const Json* dockerfile = check.require(value, pointer, "dockerfile", kDockerfile)) {
    if (auto resolved = check.existing_path(*dockerfile, child(pointer, "dockerfile"), Checker::Expect::File, kDockerfile)) {
      variant.dockerfile = *resolved;
      variant.dockerfile_as_written = dockerfile->get<std::string>();
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  if (const Json* ignore = Checker::find(value, "dockerignore"); ignore != nullptr && !ignore->is_null()) {
    constexpr std::string_view kIgnore = "a .dockerignore file relative to the scenario file, or null";
    if (auto resolved = check.existing_path(*ignore, child(pointer, "dockerignore"), Checker::Expect::File, kIgnore)) {
      variant.dockerignore = *resolved;
      variant.dockerignore_as_written = ignore->get<std::string>();
    } else {
      ok = false;
    }
  }
  if (const Json* args = Checker::find(value, "build_args")) {
    std::string args_pointer = child(pointer, "build_args");
    if (check.is_type(*args, args_pointer, args->is_object(), "an object of build argument names to strings")) {
      for (const auto& [key, arg] : args->items()) {
        std::string arg_pointer = child(args_pointer, key);
        if (!is_arg_name(key)) {
          check.add(arg_pointer, code(key) + " is not a build argument name (expected letters, digits and `_`, not starting with a digit)");
          ok = false;
        } else if (auto text = check.string_value(arg, arg_pointer, "a string; quote numbers")) {
          variant.build_args[key] = *text;
        } else {
          ok = false;
        }
      }
    } else {
      ok = false;
    }
  }
  if (const Json* target = Checker::find(value, "target")) {
    if (auto text = check.string_value(*target, child(pointer, "target"), "a stage name")) {
      variant.target = *text;
    } else {
      ok = false;
    }
  }
  if (const Json* builder = Checker::find(value, "builder")) {
    if (auto text = check.choice(*builder, child(pointer, "builder"), "builder", {"buildkit", "classic"})) {
      variant.builder = *text == "classic" ? Builder::Classic : Builder::BuildKit;
    } else {
      ok = false;
    }
  }
  // The classic builder reads its context only from the request body.
  variant.context_transfer = variant.builder == Builder::Classic ? ContextTransfer::Tar : ContextTransfer::Session;
  if (const Json* transfer = Checker::find(value, "context_transfer")) {
    std::string transfer_pointer = child(pointer, "context_transfer");
    if (auto text = check.choice(*transfer, transfer_pointer, "context transfer", {"session", "tar"})) {
      if (*text == "session" && variant.builder == Builder::Classic) {
        check.add(transfer_pointer, "`session` does not work with the classic builder (expected `tar`)");
        ok = false;
      }
      variant.context_transfer = *text == "tar" ? ContextTransfer::Tar : ContextTransfer::Session;
    } else {
      ok = false;
    }
  }
  if (const Json* secrets = Checker::find(value, "secrets")) {
    if (!parse_secrets(check, *secrets, child(pointer, "secrets"), variant)) ok = false;
  }
  if (const Json* baseline = Checker::find(value, "baseline")) {
    if (auto flag = check.bool_value(*baseline, child(pointer, "baseline"))) {
      variant.baseline = *flag;
      parsed.baseline = *flag;
    } else {
      ok = false;
    }
  }
  if (ok) parsed.variant = std::move(variant);
  return parsed;
}

const std::vector<std::string>& top_level_keys() {
  static const std::vector<std::string> keys = {"schema",   "name",      "title",       "description", "fixture",
                                                "base_images", "variants", "build_kinds", "repetitions", "cells", "warmups",
                                                "order",    "randomize", "seed",        "network_mode", "engines", "proxy", "network",
                                                "sweep", "claims"};
  return keys;
}

std::string series_label(const std::string& parameter, const nlohmann::json& value) {
  return parameter + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
}

}  // namespace

// ---------------------------------------------------------------- public

std::string_view kind_name(KindType type) {
  for (size_t i = 0; i < std::size(kKindTypes); ++i) {
    if (kKindTypes[i] == type) return kind_names()[i];
  }
  return "unknown";
}

std::string_view where_name(CodeChangeWhere where) {
  switch (where) {
    case CodeChangeWhere::Leaf: return "leaf";
    case CodeChangeWhere::Shared: return "shared";
    case CodeChangeWhere::Main: return "main";
  }
  return "leaf";
}

std::string_view builder_name(Builder builder) { return builder == Builder::Classic ? "classic" : "buildkit"; }
std::string_view transfer_name(ContextTransfer transfer) { return transfer == ContextTransfer::Tar ? "tar" : "session"; }
std::string_view order_name(RoundOrder order) { return order == RoundOrder::Grouped ? "grouped" : "interleaved"; }
std::string_view until_name(AdaptiveRepetitions::Until until) {
  return until == AdaptiveRepetitions::Until::CiWidth ? "ci_width" : "decided";
}

std::string BuildKind::label() const {
  switch (type) {
    case KindType::CodeChange:
      return where == CodeChangeWhere::Leaf ? "code-change" : "code-change:" + std::string(where_name(where));
    case KindType::Cachebust:
      return build_arg == "CACHEBUST" ? "cachebust" : "cachebust:" + build_arg;
    case KindType::Custom:
      return "custom:" + custom.name;
    default:
      return std::string(kind_name(type));
  }
}

std::vector<std::string> sweepable_parameters() {
  std::vector<std::string> keys;
  const nlohmann::json defaults = fixture::to_json(fixture::FixtureParams{});
  for (const auto& [key, value] : defaults.items()) {
    (void)value;
    keys.push_back(key);
  }
  return keys;
}

std::string format_problem(const fs::path& file, const Problem& problem) {
  if (problem.pointer.empty()) return file.string() + ": " + problem.message;
  // Pointer tokens are keys from the file, which may hold control characters.
  return file.string() + ": " + printable(problem.pointer) + ": " + problem.message;
}

std::string LoadOutcome::report(const fs::path& file) const {
  std::string out;
  for (const auto& problem : problems) out += (out.empty() ? "" : "\n") + format_problem(file, problem);
  return out;
}

namespace {

// `{"min": 3, "max": 15, "until": "decided" | {"ci_width": 0.05}}`.
void parse_adaptive_repetitions(const Json& value, Checker& check, Scenario& scenario) {
  const std::string pointer = "/repetitions";
  check.unknown_keys(value, pointer, {"min", "max", "until"});
  AdaptiveRepetitions adaptive;
  bool ok = true;
  if (const Json* min = Checker::find(value, "min")) {
    if (auto n = check.int_value(*min, pointer + "/min", 1, kMaxRepetitions)) adaptive.min = static_cast<int>(*n);
    else ok = false;
  }
  if (const Json* max = Checker::find(value, "max")) {
    if (auto n = check.int_value(*max, pointer + "/max", 1, kMaxRepetitions)) adaptive.max = static_cast<int>(*n);
    else ok = false;
  } else {
    check.add(pointer, "has no `max` (expected the most repetitions a cell may get, e.g. {\"min\": 3, \"max\": 15, "
                       "\"until\": \"decided\"})");
    ok = false;
  }
  if (ok && adaptive.min > adaptive.max) {
    check.add(pointer + "/min", "is " + std::to_string(adaptive.min) + ", more than max " + std::to_string(adaptive.max) +
                                    " (expected min <= max)");
    ok = false;
  }
  if (const Json* until = Checker::find(value, "until")) {
    if (until->is_string()) {
      const auto& text = until->get_ref<const std::string&>();
      if (text == "decided") {
        adaptive.until = AdaptiveRepetitions::Until::Decided;
      } else {
        check.add(pointer + "/until", unknown_choice("until", text, {"decided"}) +
                                          "; a width is written {\"ci_width\": 0.05}");
        ok = false;
      }
    } else if (until->is_object()) {
      check.unknown_keys(*until, pointer + "/until", {"ci_width"});
      adaptive.until = AdaptiveRepetitions::Until::CiWidth;
      if (const Json* width = Checker::find(*until, "ci_width")) {
        if (!width->is_number() || !(width->get<double>() > 0.0) || !(width->get<double>() <= 10.0)) {
          check.add(pointer + "/until/ci_width",
                    "is " + describe(*width) + " (expected a relative width above 0 and at most 10, e.g. 0.05 for 5% of the median)");
          ok = false;
        } else {
          adaptive.ci_width = width->get<double>();
        }
      } else {
        check.add(pointer + "/until", "has no `ci_width` (expected {\"ci_width\": 0.05})");
        ok = false;
      }
    } else {
      check.add(pointer + "/until", "is " + describe(*until) + " (expected \"decided\" or {\"ci_width\": 0.05})");
      ok = false;
    }
  }
  if (ok) {
    scenario.adaptive = adaptive;
    scenario.repetitions = adaptive.max;  // the plan's size cap counts the most a run may build
  }
}

}  // namespace

LoadOutcome parse_scenario(std::string_view bytes, const fs::path& file) {
  LoadOutcome outcome;
  Document document = parse_document(bytes);
  if (!document.value) {
    outcome.problems = std::move(document.problems);
    return outcome;
  }
  std::error_code error;
  fs::path absolute_file = fs::absolute(file, error);
  if (error) absolute_file = file;
  Checker check(absolute_file.parent_path().lexically_normal());
  check.problems() = std::move(document.problems);
  const Json& root = *document.value;
  if (!root.is_object()) {
    check.add("/", "is " + a_type(root) + " (expected an object with the scenario's keys)");
    outcome.problems = std::move(check.problems());
    return outcome;
  }

  Scenario scenario;
  scenario.file = file;
  scenario.directory = absolute_file.parent_path().lexically_normal();
  scenario.scenario_hash = util::sha256_hex(bytes);

  // The schema comes first: keys of a newer schema would all look wrong here.
  if (const Json* schema = check.require(root, "", "schema", "1, the scenario schema version")) {
    if (!schema->is_number_integer()) {
      check.add("/schema", "is " + describe(*schema) + " (expected 1, the scenario schema version)");
    } else if (schema->is_number_unsigned() && schema->get<uint64_t>() > static_cast<uint64_t>(kScenarioSchemaVersion)) {
      check.add("/schema", "version " + schema->dump() + " is newer than this buildbench reads (expected " +
                               std::to_string(kScenarioSchemaVersion) + "; a newer buildbench reads it)");
      outcome.problems = std::move(check.problems());
      return outcome;
    } else if (schema->get<int64_t>() < 1) {
      check.add("/schema", "is " + schema->dump() + " (expected 1, the scenario schema version)");
    }
  }
  check.unknown_keys(root, "", top_level_keys());

  if (const Json* name = check.require(root, "", "name", "a scenario name")) {
    if (auto text = check.string_value(*name, "/name", kNameExpectation)) {
      if (is_name(*text)) {
        scenario.name = *text;
      } else {
        check.add("/name", code(*text) + " is not a valid name (expected " + std::string(kNameExpectation) + ")");
      }
    }
  }
  scenario.title = scenario.name;
  if (const Json* title = Checker::find(root, "title")) {
    if (auto text = check.string_value(*title, "/title", "a one-line title for reports")) scenario.title = *text;
  }
  if (const Json* description = Checker::find(root, "description")) {
    if (auto text = check.string_value(*description, "/description", "a string")) scenario.description = *text;
  }

  // The fixture: generated from parameters, or an existing project.
  const std::vector<std::string> parameters = sweepable_parameters();
  const Json* generate_object = nullptr;
  bool fixture_ok = false;
  if (const Json* fixture_value = check.require(root, "", "fixture", "{\"generate\": {...}} or {\"path\": ...}")) {
    if (check.is_type(*fixture_value, "/fixture", fixture_value->is_object(), "{\"generate\": {...}} or {\"path\": ...}")) {
      check.unknown_keys(*fixture_value, "/fixture", {"generate", "path", "code_change"});
      const Json* generate = Checker::find(*fixture_value, "generate");
      const Json* path = Checker::find(*fixture_value, "path");
      if (generate != nullptr && path != nullptr) {
        check.add("/fixture", "has both `generate` and `path` (expected one of them)");
      } else if (generate == nullptr && path == nullptr) {
        check.add("/fixture", "has neither `generate` nor `path` (expected one of them)");
      } else if (generate != nullptr) {
        scenario.fixture.kind = FixtureSource::Kind::Generate;
        if (check.is_type(*generate, "/fixture/generate", generate->is_object(), "an object of fixture parameters")) {
          generate_object = generate;
          check.unknown_keys(*generate, "/fixture/generate", parameters);
          auto params = fixture::params_from_json(known_parameters(*generate, parameters));
          if (params) {
            scenario.fixture.params = *params;
            fixture_ok = true;
          } else {
            auto problem = fixture_problem(params.error().message, generate, "/fixture/generate");
            check.add(problem.pointer, problem.message);
          }
        }
      } else {
        scenario.fixture.kind = FixtureSource::Kind::Path;
        constexpr std::string_view kDirectory = "the directory of a Go project, relative to the scenario file";
        if (auto resolved = check.existing_path(*path, "/fixture/path", Checker::Expect::Directory, kDirectory)) {
          scenario.fixture.path = *resolved;
          scenario.fixture.path_as_written = path->get<std::string>();
          fixture_ok = true;
        }
      }
      // Which files a code change may edit in a project that is not Go.
      if (const Json* change = Checker::find(*fixture_value, "code_change")) {
        constexpr std::string_view kShape = "{\"glob\": \"src/**/*.py\"}";
        if (generate != nullptr) {
          check.add("/fixture/code_change", "applies to a `path` fixture only (a generated fixture is Go; expected no code_change)");
        } else if (check.is_type(*change, "/fixture/code_change", change->is_object(), kShape)) {
          check.unknown_keys(*change, "/fixture/code_change", {"glob"});
          if (const Json* glob = check.require(*change, "/fixture/code_change", "glob", "a pattern such as `src/**/*.py`")) {
            if (auto text = check.string_value(*glob, "/fixture/code_change/glob", "a pattern such as `src/**/*.py`")) {
              if (text->empty() || text->front() == '!' || text->front() == '/') {
                check.add("/fixture/code_change/glob", code(*text) +
                                                           " is not a relative pattern (expected a pattern relative to the "
                                                           "project root, such as `src/**/*.py`)");
              } else {
                scenario.fixture.code_glob = *text;
              }
            }
          }
        }
      }
    }
  }

  if (const Json* images = Checker::find(root, "base_images")) {
    if (check.is_type(*images, "/base_images", images->is_object(), "an object of Dockerfile base names to local images")) {
      for (const auto& [base, image] : images->items()) {
        std::string pointer = child("/base_images", base);
        auto local = check.string_value(image, pointer, "a local image such as `buildbench/go:1.24`");
        if (!local) continue;
        auto blank = [](const std::string& s) {
          return s.empty() || s.find_first_of(" \t\r\n") != std::string::npos;
        };
        if (blank(base)) {
          check.add(pointer, "the base name " + code(base) + " is empty or has blanks (expected a name as in FROM, such as `alpine:3.21`)");
        } else if (blank(*local)) {
          check.add(pointer, code(*local) + " is empty or has blanks (expected a local image such as `buildbench/go:1.24`)");
        } else {
          scenario.base_images[base] = *local;
        }
      }
    }
  }

  // Variants: unique names, one baseline (the first unless one says so).
  bool variants_ok = false;
  if (const Json* variants = check.require(root, "", "variants", "an array of variants")) {
    if (check.is_type(*variants, "/variants", variants->is_array(), "an array of variants")) {
      if (variants->empty()) {
        check.add("/variants", "is empty (expected at least one variant)");
      } else if (variants->size() > kMaxVariants) {
        check.add("/variants", "has " + std::to_string(variants->size()) + " variants (expected at most 64)");
      } else {
        variants_ok = true;
        std::map<std::string, size_t> names;
        std::optional<size_t> baseline;
        for (size_t i = 0; i < variants->size(); ++i) {
          std::string pointer = child("/variants", i);
          ParsedVariant parsed = parse_variant(check, (*variants)[i], pointer);
          if (parsed.name) {
            auto [it, inserted] = names.emplace(*parsed.name, i);
            if (!inserted) {
              check.add(child(pointer, "name"), code(*parsed.name) + " is already the name of /variants/" +
                                                    std::to_string(it->second) + " (expected unique variant names)");
              variants_ok = false;
            }
          }
          if (parsed.baseline) {
            if (baseline) {
              check.add(child(pointer, "baseline"), "a second baseline (/variants/" + std::to_string(*baseline) +
                                                        " is the baseline already; expected exactly one)");
              variants_ok = false;
            } else {
              baseline = i;
            }
          }
          if (parsed.variant) {
            scenario.variants.push_back(std::move(*parsed.variant));
          } else {
            variants_ok = false;
          }
        }
        if (variants_ok) {
          scenario.baseline = baseline.value_or(0);
          scenario.variants[scenario.baseline].baseline = true;
        }
      }
    }
  }

  // Build kinds: unique labels; the round runs cold, then warm, then the rest
  // in the order listed (each mutation starts from the build before it).
  bool kinds_ok = false;
  if (const Json* kinds = check.require(root, "", "build_kinds", "an array of build kinds, such as [\"cold\", \"warm\", \"code-change\"]")) {
    if (check.is_type(*kinds, "/build_kinds", kinds->is_array(), "an array of build kinds")) {
      if (kinds->empty()) {
        check.add("/build_kinds", "is empty (expected at least one build kind)");
      } else if (kinds->size() > kMaxBuildKinds) {
        check.add("/build_kinds", "has " + std::to_string(kinds->size()) + " build kinds (expected at most 64)");
      } else {
        kinds_ok = true;
        std::map<std::string, size_t> labels;
        std::vector<BuildKind> listed;
        for (size_t i = 0; i < kinds->size(); ++i) {
          std::string pointer = child("/build_kinds", i);
          auto kind = parse_build_kind(check, (*kinds)[i], pointer);
          if (!kind) {
            kinds_ok = false;
            continue;
          }
          auto [it, inserted] = labels.emplace(kind->label(), i);
          if (!inserted) {
            check.add(pointer, code(kind->label()) + " is listed already at /build_kinds/" + std::to_string(it->second) +
                                   " (expected each build kind once)");
            kinds_ok = false;
            continue;
          }
          listed.push_back(std::move(*kind));
        }
        std::stable_partition(listed.begin(), listed.end(), [](const BuildKind& k) { return k.type == KindType::Cold; });
        auto after_cold = std::find_if(listed.begin(), listed.end(), [](const BuildKind& k) { return k.type != KindType::Cold; });
        std::stable_partition(after_cold, listed.end(), [](const BuildKind& k) { return k.type == KindType::Warm; });
        scenario.build_kinds = std::move(listed);
      }
    }
  }

  if (const Json* repetitions = Checker::find(root, "repetitions")) {
    if (repetitions->is_object()) {
      parse_adaptive_repetitions(*repetitions, check, scenario);
    } else if (auto n = check.int_value(*repetitions, "/repetitions", 1, kMaxRepetitions)) {
      scenario.repetitions = static_cast<int>(*n);
    }
  }
  if (const Json* warmups = Checker::find(root, "warmups")) {
    if (auto n = check.int_value(*warmups, "/warmups", 0, kMaxWarmups)) scenario.warmups = static_cast<int>(*n);
  }
  if (const Json* cells = Checker::find(root, "cells")) {
    if (auto text = check.choice(*cells, "/cells", "cells", {"claims", "all"})) scenario.all_cells = *text == "all";
  }
  if (const Json* order = Checker::find(root, "order")) {
    if (auto text = check.choice(*order, "/order", "order", {"interleaved", "grouped"})) {
      scenario.order = *text == "grouped" ? RoundOrder::Grouped : RoundOrder::Interleaved;
    }
  }
  if (const Json* randomize = Checker::find(root, "randomize")) {
    if (auto flag = check.bool_value(*randomize, "/randomize")) scenario.randomize = *flag;
  }
  if (const Json* seed = Checker::find(root, "seed")) {
    if (seed->is_number_unsigned()) {
      scenario.seed = seed->get<uint64_t>();
    } else {
      check.add("/seed", "is " + describe(*seed) + " (expected an integer from 0 to 18446744073709551615)");
    }
  }
  if (const Json* mode = Checker::find(root, "network_mode")) {
    // No bridge network exists here (dockerd --bridge=none): RUN steps need host or none.
    if (auto text = check.choice(*mode, "/network_mode", "network mode", {"host", "none"})) scenario.network_mode = *text;
  }
  if (const Json* engines = Checker::find(root, "engines")) {
    // Names only here; whether each is known and installed is preflight's
    // question (it needs the machine, this file does not).
    constexpr size_t kMaxEngines = 8;
    constexpr std::string_view kEnginesExpectation = "an array of engine names such as [\"20.10\", \"28.5\"]";
    if (check.is_type(*engines, "/engines", engines->is_array(), kEnginesExpectation)) {
      if (engines->size() > kMaxEngines) {
        check.add("/engines", "names " + std::to_string(engines->size()) + " engines (at most " + std::to_string(kMaxEngines) + ")");
      }
      for (size_t i = 0; i < engines->size() && i < kMaxEngines; ++i) {
        std::string pointer = "/engines/" + std::to_string(i);
        auto name = check.string_value((*engines)[i], pointer, "an engine name such as `28.5` (buildbench engine list)");
        if (!name) continue;
        if (!is_name(*name)) {
          check.add(pointer, code(*name) + " is not an engine name (expected " + std::string(kNameExpectation) + ")");
        } else if (std::find(scenario.engines.begin(), scenario.engines.end(), *name) != scenario.engines.end()) {
          check.add(pointer, "names engine " + code(*name) + " twice");
        } else {
          scenario.engines.push_back(*name);
        }
      }
    }
  }
  if (const Json* network = Checker::find(root, "network")) {
    std::vector<std::string> names;
    for (const auto& profile : fixture::network_profiles()) names.push_back(profile.name);
    if (Checker::find(root, "proxy") != nullptr) {
      check.add("/network", "and /proxy are both set (expected one: a named profile or explicit latency_ms and bandwidth_mbps)");
    } else if (auto text = check.choice(*network, "/network", "network profile", names)) {
      auto profile = fixture::find_network_profile(*text);
      if (profile) {
        scenario.proxy.latency_ms = profile->latency_ms;
        scenario.proxy.bandwidth_mbps = profile->bandwidth_mbps;
        scenario.proxy.profile = profile->name;
      }
    }
  }
  if (const Json* proxy = Checker::find(root, "proxy")) {
    if (check.is_type(*proxy, "/proxy", proxy->is_object(), "{\"latency_ms\": ..., \"bandwidth_mbps\": ...}")) {
      check.unknown_keys(*proxy, "/proxy", {"latency_ms", "bandwidth_mbps"});
      if (const Json* latency = Checker::find(*proxy, "latency_ms")) {
        if (auto ms = check.non_negative_number(*latency, "/proxy/latency_ms", 60000)) scenario.proxy.latency_ms = *ms;
      }
      if (const Json* bandwidth = Checker::find(*proxy, "bandwidth_mbps")) {
        if (auto mbps = check.non_negative_number(*bandwidth, "/proxy/bandwidth_mbps", 100000)) scenario.proxy.bandwidth_mbps = *mbps;
      }
    }
  }

  // Sweep: one series per value of one fixture parameter.
  bool series_ok = true;
  if (const Json* sweep = Checker::find(root, "sweep"); sweep != nullptr && !sweep->is_null()) {
    series_ok = false;
    if (check.is_type(*sweep, "/sweep", sweep->is_object(), "{\"parameter\": ..., \"values\": [...]}")) {
      check.unknown_keys(*sweep, "/sweep", {"parameter", "values"});
      std::optional<std::string> parameter;
      if (const Json* name = check.require(*sweep, "/sweep", "parameter", "a fixture parameter such as `packages`")) {
        if (auto text = check.string_value(*name, "/sweep/parameter", "a fixture parameter such as `packages`")) {
          if (std::find(parameters.begin(), parameters.end(), *text) != parameters.end()) {
            parameter = *text;
          } else {
            check.add("/sweep/parameter", unknown_choice("fixture parameter", *text, parameters));
          }
        }
      }
      if (scenario.fixture.kind == FixtureSource::Kind::Path && fixture_ok) {
        check.add("/sweep", "sweeps a fixture parameter, but /fixture is a `path` (expected a `generate` fixture)");
        parameter.reset();
      }
      if (const Json* values = check.require(*sweep, "/sweep", "values", "an array of values, one series each")) {
        if (check.is_type(*values, "/sweep/values", values->is_array(), "an array of values, one series each")) {
          if (values->empty()) {
            check.add("/sweep/values", "is empty (expected at least one value)");
          } else if (values->size() > kMaxSweepValues) {
            check.add("/sweep/values", "has " + std::to_string(values->size()) + " values (expected at most 64)");
          } else if (parameter && generate_object != nullptr && fixture_ok) {
            series_ok = true;
            Sweep parsed_sweep{*parameter, {}};
            nlohmann::json base = known_parameters(*generate_object, parameters);
            for (size_t i = 0; i < values->size(); ++i) {
              std::string pointer = child("/sweep/values", i);
              nlohmann::json value((*values)[i]);
              auto repeated = std::find(parsed_sweep.values.begin(), parsed_sweep.values.end(), value);
              if (repeated != parsed_sweep.values.end()) {
                check.add(pointer, "repeats /sweep/values/" + std::to_string(repeated - parsed_sweep.values.begin()) +
                                       " (expected distinct values)");
                series_ok = false;
                continue;
              }
              nlohmann::json with_value = base;
              with_value[*parameter] = value;
              auto params = fixture::params_from_json(with_value);
              if (!params) {
                check.add(pointer, fixture_problem(params.error().message, nullptr, pointer).message);
                series_ok = false;
                continue;
              }
              parsed_sweep.values.push_back(value);
              scenario.series.push_back(Series{series_label(*parameter, value), value, *params});
            }
            if (series_ok) scenario.sweep = std::move(parsed_sweep);
          }
        }
      }
    }
  } else {
    scenario.series.push_back(Series{"", nullptr, scenario.fixture.params});
  }

  // Claims name variants and build kinds, so they are read after both.
  if (const Json* claims = Checker::find(root, "claims"); claims != nullptr && !claims->is_null()) {
    std::vector<std::string> variant_names;
    for (const auto& variant : scenario.variants) variant_names.push_back(variant.name);
    std::vector<std::string> kind_labels;
    for (const auto& kind : scenario.build_kinds) kind_labels.push_back(kind.label());
    auto parsed = parse_claims(*claims, "/claims", variants_ok ? &variant_names : nullptr, kinds_ok ? &kind_labels : nullptr);
    for (auto& problem : parsed.problems) check.add(problem.pointer, std::move(problem.message));
    scenario.claims = std::move(parsed.claims);
  }

  if (variants_ok && kinds_ok && series_ok) {
    uint64_t rounds = static_cast<uint64_t>(scenario.repetitions) + static_cast<uint64_t>(scenario.warmups);
    uint64_t samples = rounds * scenario.series.size() * scenario.variants.size() * scenario.build_kinds.size();
    if (samples > kMaxPlannedSamples) {
      check.add("/", "plans " + std::to_string(samples) +
                         " builds (expected at most 100000: fewer repetitions, variants, build kinds or sweep values)");
    }
  }

  outcome.problems = std::move(check.problems());
  if (outcome.problems.size() > kMaxProblems) {
    // Past a screenful the rest is noise (a file of junk keys), and unbounded output could be huge.
    size_t hidden = outcome.problems.size() - kMaxProblems;
    outcome.problems.resize(kMaxProblems);
    outcome.problems.push_back({"", std::to_string(hidden) + " more problems not shown (expected a scenario file)"});
  }
  if (outcome.problems.empty()) outcome.scenario = std::move(scenario);
  return outcome;
}

LoadOutcome load_scenario(const fs::path& file) {
  LoadOutcome outcome;
  std::error_code error;
  auto status = fs::status(file, error);
  if (!fs::exists(status)) {
    outcome.problems = {{"", "cannot read the file: it does not exist (expected a scenario file)"}};
    return outcome;
  }
  if (!fs::is_regular_file(status)) {
    outcome.problems = {{"", "cannot read the file: it is not a regular file (expected a scenario file)"}};
    return outcome;
  }
  std::FILE* stream = std::fopen(file.c_str(), "rb");
  if (stream == nullptr) {
    outcome.problems = {{"", std::string("cannot read the file: ") + std::strerror(errno)}};
    return outcome;
  }
  std::string text;
  char buffer[65536];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, stream)) > 0 && text.size() <= kMaxFileBytes) text.append(buffer, got);
  bool read_error = std::ferror(stream) != 0;
  std::fclose(stream);
  if (read_error) {
    outcome.problems = {{"", "cannot read the file: a read error occurred"}};
    return outcome;
  }
  if (text.size() > kMaxFileBytes) {
    outcome.problems = {{"", "is larger than 1 MiB (expected a scenario file, which is a few kilobytes)"}};
    return outcome;
  }
  return parse_scenario(text, file);
}

// ---------------------------------------------------------------- canonical form

nlohmann::ordered_json to_json(const Scenario& s) {
  Json out;
  out["schema"] = s.schema;
  out["name"] = s.name;
  out["title"] = s.title;
  out["description"] = s.description;
  if (s.fixture.kind == FixtureSource::Kind::Generate) {
    out["fixture"] = {{"generate", Json(fixture::to_json(s.fixture.params))}};
  } else {
    out["fixture"] = {{"path", s.fixture.path_as_written}};
    if (!s.fixture.code_glob.empty()) out["fixture"]["code_change"] = {{"glob", s.fixture.code_glob}};
  }
  out["base_images"] = Json::object();
  for (const auto& [base, image] : s.base_images) out["base_images"][base] = image;
  out["variants"] = Json::array();
  for (const auto& v : s.variants) {
    Json variant;
    variant["name"] = v.name;
    variant["dockerfile"] = v.dockerfile_as_written;
    variant["dockerignore"] = v.dockerignore_as_written ? Json(*v.dockerignore_as_written) : Json(nullptr);
    variant["build_args"] = Json::object();
    for (const auto& [key, value] : v.build_args) variant["build_args"][key] = value;
    variant["target"] = v.target;
    variant["builder"] = builder_name(v.builder);
    variant["context_transfer"] = transfer_name(v.context_transfer);
    // Only when there are any, so that scenarios without secrets keep their hash.
    if (!v.secrets.empty()) {
      variant["secrets"] = Json::object();
      for (const auto& [id, spec] : v.secrets) {
        variant["secrets"][id] = spec.env ? Json{{"env", *spec.env}} : Json{{"file", spec.file_as_written.value_or("")}};
      }
    }
    variant["baseline"] = v.baseline;
    out["variants"].push_back(std::move(variant));
  }
  out["build_kinds"] = Json::array();
  for (const auto& k : s.build_kinds) {
    Json kind;
    kind["kind"] = kind_name(k.type);
    if (k.type == KindType::CodeChange) kind["where"] = where_name(k.where);
    if (k.type == KindType::Cachebust) kind["arg"] = k.build_arg;
    if (k.type == KindType::Custom) {
      kind["name"] = k.custom.name;
      if (k.custom.action == CustomMutation::Action::Append) {
        kind["append"] = {{"file", k.custom.file}, {"line", k.custom.text}};
      } else {
        kind["write"] = {{"file", k.custom.file}, {"content", k.custom.text}};
      }
    }
    out["build_kinds"].push_back(std::move(kind));
  }
  if (s.adaptive) {
    nlohmann::ordered_json until = until_name(s.adaptive->until);
    if (s.adaptive->until == AdaptiveRepetitions::Until::CiWidth) until = {{"ci_width", s.adaptive->ci_width}};
    out["repetitions"] = {{"min", s.adaptive->min}, {"max", s.adaptive->max}, {"until", until}};
  } else {
    out["repetitions"] = s.repetitions;
  }
  out["cells"] = s.all_cells ? "all" : "claims";
  out["warmups"] = s.warmups;
  out["order"] = order_name(s.order);
  out["randomize"] = s.randomize;
  out["seed"] = s.seed;
  out["network_mode"] = s.network_mode;
  out["engines"] = s.engines;
  // A profile stands for its numbers ("network" and "proxy" are exclusive).
  if (!s.proxy.profile.empty()) {
    out["network"] = s.proxy.profile;
  } else {
    out["proxy"] = {{"latency_ms", s.proxy.latency_ms}, {"bandwidth_mbps", s.proxy.bandwidth_mbps}};
  }
  if (s.sweep) {
    Json values = Json::array();
    for (const auto& value : s.sweep->values) values.push_back(Json(value));
    out["sweep"] = {{"parameter", s.sweep->parameter}, {"values", std::move(values)}};
  } else {
    out["sweep"] = nullptr;
  }
  out["claims"] = claims_to_json(s.claims);
  return out;
}

}  // namespace buildbench::scenario
