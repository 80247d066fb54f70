#pragma once
// The pieces of scenario validation shared by the loader (load.cpp) and the
// claims parser (claims.cpp): how values are described in problem messages,
// JSON pointers, and Checker, which collects problems while reading values.
// Internal to harness/scenario/.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/scenario.h"
#include "scenario/suggest.h"

namespace buildbench::scenario::detail {

using Json = nlohmann::ordered_json;

constexpr size_t kMaxNameLength = 64;

// ---------------------------------------------------------------- wording

inline std::string code(std::string_view text) { return "`" + printable(text) + "`"; }

inline std::string escape_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

inline std::string child(const std::string& pointer, std::string_view key) { return pointer + "/" + escape_token(key); }
inline std::string child(const std::string& pointer, size_t index) { return pointer + "/" + std::to_string(index); }

inline std::string a_type(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    default: return "a binary value";
  }
}

// A scalar as the user wrote it; containers by their type only (they can be
// large, and dumping them would be recursive).
inline std::string describe(const Json& value) {
  if (value.is_number() || value.is_boolean() || value.is_null()) return value.dump();
  if (value.is_string()) return code(value.get_ref<const std::string&>());
  return a_type(value);
}

inline std::string join_codes(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + code(name);
  return out;
}

// "unknown builder `kit` (did you mean `buildkit`?)" or "(expected one of: ...)".
inline std::string unknown_choice(std::string_view what, std::string_view value, const std::vector<std::string>& choices) {
  std::string message = "unknown " + std::string(what) + " " + code(value);
  if (auto guess = closest_match(value, choices)) return message + " (did you mean " + code(*guess) + "?)";
  return message + " (expected one of: " + join_codes(choices) + ")";
}

inline bool is_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return lower_or_digit(c) || c == '-' || c == '_' || c == '.'; });
}
constexpr std::string_view kNameExpectation =
    "lower-case letters, digits, `.`, `_` or `-`, starting with a letter or digit, at most 64 characters";

// Dockerfile ARG names: what a `${NAME}` reference can name.
inline bool is_arg_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return letter(c) || (c >= '0' && c <= '9'); });
}

// A path inside the fixture: relative, no `.` or `..` steps, no empty steps.
inline bool is_clean_relative_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.size() > 4096) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view step = path.substr(start, end - start);
    if (step.empty() || step == "." || step == "..") return false;
    if (step.find('\0') != std::string_view::npos) return false;
    start = end + 1;
  }
  return true;
}

// ---------------------------------------------------------------- checker

class Checker {
 public:
  explicit Checker(std::filesystem::path directory) : directory_(std::move(directory)) {}

  std::vector<Problem>& problems() { return problems_; }

  void add(const std::string& pointer, std::string message) {
    problems_.push_back({pointer.empty() ? "/" : pointer, std::move(message)});
  }

  void unknown_keys(const Json& object, const std::string& pointer, const std::vector<std::string>& known) {
    for (const auto& [key, value] : object.items()) {
      (void)value;
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      if (auto guess = closest_match(key, known)) {
        add(child(pointer, key), "unknown key (did you mean " + code(*guess) + "?)");
      } else {
        add(child(pointer, key), "unknown key (expected one of: " + join_codes(known) + ")");
      }
    }
  }

  static const Json* find(const Json& object, std::string_view key) {
    auto it = object.find(std::string(key));
    return it == object.end() ? nullptr : &*it;
  }

  // The value at object[key], or null after a "missing" problem.
  const Json* require(const Json& object, const std::string& pointer, std::string_view key, std::string_view expected) {
    const Json* value = find(object, key);
    if (value == nullptr) add(child(pointer, key), "missing (expected " + std::string(expected) + ")");
    return value;
  }

  bool is_type(const Json& value, const std::string& pointer, bool matches, std::string_view expected) {
    if (!matches) add(pointer, "is " + a_type(value) + " (expected " + std::string(expected) + ")");
    return matches;
  }

  std::optional<std::string> string_value(const Json& value, const std::string& pointer, std::string_view expected) {
    if (!is_type(value, pointer, value.is_string(), expected)) return std::nullopt;
    return value.get<std::string>();
  }

  std::optional<bool> bool_value(const Json& value, const std::string& pointer) {
    if (!is_type(value, pointer, value.is_boolean(), "true or false")) return std::nullopt;
    return value.get<bool>();
  }

  std::optional<int64_t> int_value(const Json& value, const std::string& pointer, int64_t low, int64_t high) {
    std::string expected = "an integer from " + std::to_string(low) + " to " + std::to_string(high);
    bool in_range = false;
    int64_t number = 0;
    if (value.is_number_unsigned()) {
      uint64_t unsigned_number = value.get<uint64_t>();
      in_range = unsigned_number <= static_cast<uint64_t>(high);
      number = in_range ? static_cast<int64_t>(unsigned_number) : 0;
      in_range = in_range && number >= low;
    } else if (value.is_number_integer()) {
      number = value.get<int64_t>();
      in_range = number >= low && number <= high;
    } else if (!value.is_number()) {
      add(pointer, "is " + a_type(value) + " (expected " + expected + ")");
      return std::nullopt;
    }
    if (!in_range) {
      add(pointer, "is " + value.dump() + " (expected " + expected + ")");
      return std::nullopt;
    }
    return number;
  }

  std::optional<double> non_negative_number(const Json& value, const std::string& pointer, int64_t high) {
    std::string expected = "a number from 0 to " + std::to_string(high);
    if (!is_type(value, pointer, value.is_number(), expected)) return std::nullopt;
    double number = value.get<double>();
    if (!(number >= 0.0 && number <= static_cast<double>(high))) {
      add(pointer, "is " + value.dump() + " (expected " + expected + ")");
      return std::nullopt;
    }
    return number;
  }

  // One of `choices`; a string that is none of them gets a "did you mean".
  std::optional<std::string> choice(const Json& value, const std::string& pointer, std::string_view what,
                                    const std::vector<std::string>& choices) {
    auto text = string_value(value, pointer, "one of: " + join_codes(choices));
    if (!text) return std::nullopt;
    if (std::find(choices.begin(), choices.end(), *text) == choices.end()) {
      add(pointer, unknown_choice(what, *text, choices));
      return std::nullopt;
    }
    return text;
  }

  enum class Expect { File, Directory };
  // A path relative to the scenario file that must exist as `expect`;
  // problems name the resolved path, which is what was looked for.
  std::optional<std::filesystem::path> existing_path(const Json& value, const std::string& pointer, Expect expect,
                                        std::string_view expected) {
    auto text = string_value(value, pointer, expected);
    if (!text) return std::nullopt;
    if (text->empty()) {
      add(pointer, "is empty (expected " + std::string(expected) + ")");
      return std::nullopt;
    }
    std::filesystem::path resolved = (directory_ / std::filesystem::path(*text)).lexically_normal();
    // "dir/.." normalizes to "parent/"; name the directory without the slash.
    if (!resolved.has_filename() && resolved.has_parent_path() && resolved != resolved.root_path()) {
      resolved = resolved.parent_path();
    }
    std::error_code error;
    auto status = std::filesystem::status(resolved, error);
    std::string prefix = code(*text) + " resolves to " + code(resolved.string()) + ", which ";
    if (!std::filesystem::exists(status)) {
      add(pointer, prefix + "does not exist (expected " + std::string(expected) + ")");
      return std::nullopt;
    }
    if (expect == Expect::File && !std::filesystem::is_regular_file(status)) {
      add(pointer, prefix + "is not a regular file (expected " + std::string(expected) + ")");
      return std::nullopt;
    }
    if (expect == Expect::Directory && !std::filesystem::is_directory(status)) {
      add(pointer, prefix + "is not a directory (expected " + std::string(expected) + ")");
      return std::nullopt;
    }
    return resolved;
  }

 private:
  std::filesystem::path directory_;
  std::vector<Problem> problems_;
};

}  // namespace buildbench::scenario::detail
