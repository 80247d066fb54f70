#include "dockerfile/parse.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "dockerfile/directives.h"
#include "dockerfile/expand.h"

// The rules below follow BuildKit's frontend/dockerfile/parser (parser.go,
// line_parsers.go, split_command.go, directives.go) and instructions
// (parse.go, bflag.go, runmount.go): facts read there, code written here.

namespace buildbench::dockerfile {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
// Go's reWhitespace `[\t\v\f\r ]+` (no '\n': there is none in a logical line).
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

std::string_view trim_newline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_comment(std::string_view line) {
  line = trim_left(trim_newline(line));
  return !line.empty() && line.front() == '#';
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Go's strconv.ParseBool.
std::optional<bool> parse_bool(std::string_view s) {
  static const std::array<std::string_view, 6> yes{"1", "t", "T", "TRUE", "true", "True"};
  static const std::array<std::string_view, 6> no{"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(yes.begin(), yes.end(), s) != yes.end()) return true;
  if (std::find(no.begin(), no.end(), s) != no.end()) return false;
  return std::nullopt;
}

// A logical line (an instruction's physical lines joined) and where each of
// its bytes comes from.
struct LogicalLine {
  std::string text;
  std::vector<Position> origin;
  Position end;  // just past the last byte

  void append(std::string_view piece, int line, int first_column) {
    for (size_t i = 0; i < piece.size(); ++i) {
      text += piece[i];
      origin.push_back(Position{line, first_column + static_cast<int>(i)});
    }
    end = Position{line, first_column + static_cast<int>(piece.size())};
  }
  Position at(size_t offset) const { return offset < origin.size() ? origin[offset] : end; }
};

// A piece of the logical line: [begin, end).
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

enum class FlagKind { String, Bool, Strings };
struct FlagSpec {
  std::string_view name;
  FlagKind kind;
};

// The flags each instruction accepts (BuildKit's BFlags per command).
std::vector<FlagSpec> flag_specs(Keyword keyword) {
  switch (keyword) {
    case Keyword::From:
      return {{"platform", FlagKind::String}};
    case Keyword::Copy:
      return {{"from", FlagKind::String},   {"chown", FlagKind::String},   {"chmod", FlagKind::String},
              {"link", FlagKind::Bool},     {"parents", FlagKind::Bool},   {"exclude", FlagKind::Strings}};
    case Keyword::Add:
      return {{"chown", FlagKind::String},      {"chmod", FlagKind::String},    {"link", FlagKind::Bool},
              {"keep-git-dir", FlagKind::Bool}, {"checksum", FlagKind::String}, {"exclude", FlagKind::Strings},
              {"unpack", FlagKind::Bool}};
    case Keyword::Run:
      return {{"mount", FlagKind::Strings},
              {"network", FlagKind::String},
              {"security", FlagKind::String},
              {"device", FlagKind::Strings}};
    case Keyword::Healthcheck:
      return {{"interval", FlagKind::String},
              {"timeout", FlagKind::String},
              {"start-period", FlagKind::String},
              {"start-interval", FlagKind::String},
              {"retries", FlagKind::String}};
    default:
      return {};
  }
}

class Parser {
 public:
  Parser(std::string_view text, std::string file, ParseOptions options)
      : text_(text), options_(options) {
    model_.file = std::move(file);
    split_physical_lines();
  }

  util::Result<Dockerfile> run() {
    // Directives are whole comment lines at the top, so reading them first
    // gives what BuildKit's line-by-line check gives.
    DirectiveScan directives = scan_directives(text_);
    if (directives.error) return fail(directives.error->first, directives.error->second);
    model_.directives = std::move(directives.directives);
    model_.escape = directives.escape;
    std::vector<std::string> comments;
    bool any_instruction = false;
    while (next_ < lines_.size()) {
      const int line_number = static_cast<int>(next_) + 1;
      std::string_view content = trim_newline(lines_[next_]);
      int column_base = 1;
      if (next_ == 0 && content.substr(0, 3) == "\xEF\xBB\xBF") {  // a UTF-8 byte-order mark
        content.remove_prefix(3);
        column_base = 4;
      }
      ++next_;
      if (is_comment(content)) {
        std::string_view comment = trim_left(content);
        comment.remove_prefix(1);
        comments.emplace_back(trim(comment));
      }
      std::string_view token = trim_left(content);
      column_base += static_cast<int>(content.size() - token.size());
      if (!token.empty() && token.front() == '#') token = {};

      auto [kept, end_of_line] = trim_continuation(token);
      if (end_of_line && kept == 0) {
        if (trim(content).empty()) comments.clear();
        continue;
      }
      LogicalLine line;
      line.append(token.substr(0, kept), line_number, column_base);
      bool empty_continuation = false;
      while (!end_of_line && next_ < lines_.size()) {
        const int number = static_cast<int>(next_) + 1;
        std::string_view piece = trim_newline(lines_[next_]);
        ++next_;
        if (is_comment(piece)) continue;
        if (trim_left(piece).empty()) {
          empty_continuation = true;
          continue;
        }
        std::tie(kept, end_of_line) = trim_continuation(piece);
        line.append(piece.substr(0, kept), number, 1);
      }
      if (empty_continuation) {
        model_.warnings.push_back({WarningKind::EmptyContinuationLine,
                                   "empty continuation line (BuildKit warns; a future release makes it an error)",
                                   Position{line_number, column_base}});
      }
      auto instruction = parse_instruction(line, Span{0, line.text.size()}, false);
      if (!instruction) return instruction.error();
      instruction->comments = std::move(comments);
      comments.clear();
      instruction->lines = LineRange{line_number, static_cast<int>(next_)};
      if (auto status = read_heredocs(*instruction, line); !status) return status.error();
      instruction->lines.last = static_cast<int>(next_);
      if (instruction->trigger) {  // an ONBUILD trigger covers the same lines
        auto trigger = std::make_shared<Instruction>(*instruction->trigger);
        trigger->lines = instruction->lines;
        instruction->trigger = std::move(trigger);
      }
      any_instruction = true;
      if (auto status = place(std::move(*instruction)); !status) return status.error();
    }
    if (!any_instruction) return fail(Position{static_cast<int>(lines_.size()), 0}, "file with no instructions");
    if (model_.stages.empty()) {
      return fail(model_.global_args.front().at,
                  "no FROM instruction: a Dockerfile needs at least one build stage (only ARG may come before FROM)");
    }
    return std::move(model_);
  }

 private:
  util::Error fail(Position at, const std::string& what) const {
    return util::error(model_.where(at) + ": " + what);
  }

  void split_physical_lines() {
    size_t start = 0;
    while (start < text_.size()) {
      size_t end = text_.find('\n', start);
      size_t next = end == std::string_view::npos ? text_.size() : end + 1;
      lines_.push_back(text_.substr(start, next - start));
      start = next;
    }
  }

  // (bytes to keep, whether the line ends here): an escape character as the
  // last non-blank byte continues the line, unless it is itself escaped.
  std::pair<size_t, bool> trim_continuation(std::string_view line) const {
    size_t end = line.size();
    while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
    if (end == 0 || line[end - 1] != model_.escape) return {line.size(), true};
    if (end >= 2 && line[end - 2] == model_.escape) return {line.size(), true};
    return {end - 1, false};
  }

  // --- instructions -------------------------------------------------------

  util::Result<Instruction> parse_instruction(const LogicalLine& line, Span span, bool is_trigger) {
    std::string_view text(line.text);
    size_t begin = span.begin;
    size_t end = span.end;
    while (begin < end && is_space(text[begin])) ++begin;
    while (end > begin && is_space(text[end - 1])) --end;

    Instruction ins;
    ins.original = line.text;
    ins.at = line.at(begin);
    size_t name_end = begin;
    while (name_end < end && !is_blank(text[name_end])) ++name_end;
    ins.name = std::string(text.substr(begin, name_end - begin));
    ins.keyword = keyword_from(ins.name);
    size_t rest = name_end;
    while (rest < end && is_blank(text[rest])) ++rest;

    auto after_flags = extract_flags(line, Span{rest, end}, ins);
    if (!after_flags) return after_flags.error();
    rest = *after_flags;
    ins.rest = Word{std::string(text.substr(rest, end - rest)), line.at(rest)};
    if (ins.keyword != Keyword::Unknown) {
      if (auto status = check_flags(ins); !status) return status.error();
    }

    const Span args{rest, end};
    util::Status status;
    switch (ins.keyword) {
      case Keyword::From:
        status = parse_from(line, args, ins);
        break;
      case Keyword::Copy:
      case Keyword::Add:
      case Keyword::Volume:
        status = parse_list(line, args, ins);
        break;
      case Keyword::Run:
      case Keyword::Cmd:
      case Keyword::Entrypoint:
      case Keyword::Shell:
        status = parse_command(line, args, ins);
        break;
      case Keyword::Env:
      case Keyword::Label:
        status = parse_name_values(line, args, ins);
        break;
      case Keyword::Arg:
        status = parse_arg(line, args, ins);
        break;
      case Keyword::Expose:
        ins.args = whitespace_words(line, args);
        if (ins.args.empty()) status = fail(ins.at, "EXPOSE requires at least one argument");
        break;
      case Keyword::Workdir:
      case Keyword::User:
      case Keyword::Stopsignal:
      case Keyword::Maintainer:
        if (args.begin == args.end) {
          status = fail(ins.at, std::string(keyword_name(ins.keyword)) + " requires exactly one argument");
        } else {
          ins.args.push_back(ins.rest);
        }
        break;
      case Keyword::Healthcheck:
        status = parse_healthcheck(line, args, ins);
        break;
      case Keyword::Onbuild:
        status = parse_onbuild(line, args, ins, is_trigger);
        break;
      case Keyword::Unknown:
        if (args.begin < args.end) ins.args.push_back(ins.rest);
        model_.warnings.push_back({WarningKind::UnknownInstruction,
                                   "unknown instruction " + ins.name + " (kept, not modelled; BuildKit rejects it)",
                                   ins.at});
        break;
    }
    if (!status) return status.error();
    return ins;
  }

  // Leading `--name[=value]` words, read as BuildKit's extractBuilderFlags
  // does (quotes and backslash escapes resolved, always with '\', whatever
  // the escape directive says). Returns where the arguments start.
  util::Result<size_t> extract_flags(const LogicalLine& line, Span span, Instruction& ins) {
    std::string_view text(line.text);
    size_t pos = span.begin;
    while (true) {
      while (pos < span.end && is_space(text[pos])) ++pos;
      if (pos + 1 >= span.end || text[pos] != '-' || text[pos + 1] != '-') return pos;
      const size_t start = pos;
      std::string word;
      bool blank_ok = false;
      char quote = 0;
      for (; pos < span.end; ++pos) {
        char c = text[pos];
        if (quote != 0) {
          if (c == quote) {
            quote = 0;
            continue;
          }
        } else if (is_space(c)) {
          break;
        } else if (c == '\'' || c == '"') {
          quote = c;
          blank_ok = true;
          continue;
        }
        if (c == '\\') {
          if (pos + 1 == span.end) continue;
          c = text[++pos];
        }
        word += c;
      }
      if (word == "--") {  // `--` ends the flags
        while (pos < span.end && is_space(text[pos])) ++pos;
        return pos;
      }
      if (!blank_ok && word.empty()) continue;
      Flag flag;
      flag.at = line.at(start);
      std::string_view body(word);
      body.remove_prefix(std::min<size_t>(2, body.size()));
      size_t equals = body.find('=');
      flag.name = std::string(body.substr(0, equals));
      if (equals != std::string_view::npos) flag.value = std::string(body.substr(equals + 1));
      ins.flags.push_back(std::move(flag));
    }
  }

  util::Status check_flags(Instruction& ins) {
    const auto specs = flag_specs(ins.keyword);
    std::set<std::string> seen;
    for (const Flag& flag : ins.flags) {
      auto spec = std::find_if(specs.begin(), specs.end(), [&](const FlagSpec& s) { return s.name == flag.name; });
      const std::string label = std::string(keyword_name(ins.keyword)) + " --" + flag.name;
      if (spec == specs.end()) {
        std::string known;
        for (const auto& s : specs) known += (known.empty() ? "" : ", ") + std::string("--") + std::string(s.name);
        return fail(flag.at, "unknown flag --" + flag.name + " for " + std::string(keyword_name(ins.keyword)) +
                                 (known.empty() ? " (it takes no flags)" : " (expected " + known + ")"));
      }
      if (spec->kind != FlagKind::Strings && !seen.insert(flag.name).second) {
        return fail(flag.at, label + " is given twice");
      }
      if (spec->kind == FlagKind::Bool) {
        if (flag.value && !flag.value->empty() && !iequals(*flag.value, "true") && !iequals(*flag.value, "false")) {
          return fail(flag.at, label + " expects true or false, not " + in_quotes(*flag.value));
        }
      } else if (!flag.value) {
        return fail(flag.at, label + " needs a value (--" + flag.name + "=...)");
      }
      if (ins.keyword == Keyword::Run && flag.name == "mount") {
        auto mount = parse_mount(*flag.value, flag.at);
        if (!mount) return mount.error();
        ins.mounts.push_back(std::move(*mount));
      }
    }
    return {};
  }

  // `--mount=type=cache,target=/root/.cache,sharing=locked`: CSV fields of
  // key=value (encoding/csv rules: a field may be "quoted", "" is a quote).
  util::Result<Mount> parse_mount(std::string_view value, Position at) {
    std::vector<std::string> fields;
    size_t i = 0;
    if (value.empty()) return fail(at, "RUN --mount needs options (--mount=type=cache,target=/path)");
    while (true) {
      std::string field;
      if (i < value.size() && value[i] == '"') {
        ++i;
        bool closed = false;
        while (i < value.size()) {
          if (value[i] == '"') {
            if (i + 1 < value.size() && value[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          field += value[i++];
        }
        if (!closed || (i < value.size() && value[i] != ',')) {
          return fail(at, "RUN --mount: extraneous or missing \" in quoted field");
        }
      } else {
        while (i < value.size() && value[i] != ',') {
          if (value[i] == '"') return fail(at, "RUN --mount: bare \" in a field that is not quoted");
          field += value[i++];
        }
      }
      fields.push_back(std::move(field));
      if (i >= value.size()) break;
      ++i;  // ','
    }

    Mount mount;
    mount.at = at;
    mount.type_name = "bind";
    bool readonly_given = false;
    for (const std::string& field : fields) {
      size_t equals = field.find('=');
      std::string key = lower(std::string_view(field).substr(0, equals));
      const bool has_value = equals != std::string::npos;
      std::string val = has_value ? field.substr(equals + 1) : std::string();
      mount.options.emplace_back(key, val);
      if (!has_value) {
        if (key == "ro" || key == "readonly") {
          mount.readonly = readonly_given = true;
        } else if (key == "rw" || key == "readwrite") {
          mount.readonly = false;
          readonly_given = true;
        } else if (key != "required") {
          return fail(at, "RUN --mount: invalid field '" + field + "' must be a key=value pair");
        }
        continue;
      }
      if (key == "type") {
        static const std::array<std::pair<std::string_view, MountType>, 5> types{{{"bind", MountType::Bind},
                                                                                  {"cache", MountType::Cache},
                                                                                  {"secret", MountType::Secret},
                                                                                  {"ssh", MountType::Ssh},
                                                                                  {"tmpfs", MountType::Tmpfs}}};
        auto found = std::find_if(types.begin(), types.end(), [&](const auto& t) { return t.first == lower(val); });
        if (found == types.end()) {
          return fail(at, "RUN --mount: unknown mount type " + in_quotes(val) +
                              " (expected bind, cache, secret, ssh or tmpfs)");
        }
        mount.type = found->second;
        mount.type_name = std::string(found->first);
      } else if (key == "target" || key == "dst" || key == "destination") {
        mount.target = val;
      } else if (key == "source" || key == "src") {
        mount.source = val;
      } else if (key == "from") {
        mount.from = val;
      } else if (key == "id") {
        mount.id = val;
      } else if (key == "sharing") {
        const std::string sharing = lower(val);
        if (sharing != "shared" && sharing != "private" && sharing != "locked") {
          return fail(at, "RUN --mount: unsupported sharing value " + in_quotes(val) + " (expected shared, private or locked)");
        }
        mount.sharing = sharing;
      } else if (key == "ro" || key == "readonly" || key == "rw" || key == "readwrite" || key == "required") {
        auto flag = parse_bool(val);
        if (!flag) return fail(at, "RUN --mount: " + key + " expects true or false, not " + in_quotes(val));
        if (key != "required") {
          mount.readonly = (key == "ro" || key == "readonly") ? *flag : !*flag;
          readonly_given = true;
        }
      } else if (key != "size" && key != "mode" && key != "uid" && key != "gid" && key != "env") {
        return fail(at, "RUN --mount: unexpected key '" + key + "' in '" + field + "'");
      }
    }
    // Bind mounts are read-only unless rw is asked for; cache mounts are
    // shared unless said otherwise.
    if (mount.type == MountType::Bind && !readonly_given) mount.readonly = true;
    if (mount.type == MountType::Cache && mount.sharing.empty()) mount.sharing = "shared";
    if (mount.target.empty() && mount.type != MountType::Secret && mount.type != MountType::Ssh) {
      return fail(at, "RUN --mount type=" + mount.type_name + " needs a target (target=/path)");
    }
    return mount;
  }

  // Go's reWhitespace split of the trimmed text.
  std::vector<Word> whitespace_words(const LogicalLine& line, Span span) const {
    std::vector<Word> words;
    std::string_view text(line.text);
    size_t pos = span.begin;
    while (pos < span.end) {
      while (pos < span.end && is_blank(text[pos])) ++pos;
      size_t start = pos;
      while (pos < span.end && !is_blank(text[pos])) ++pos;
      if (pos > start) words.push_back(Word{std::string(text.substr(start, pos - start)), line.at(start)});
    }
    return words;
  }

  // BuildKit's parseWords: whitespace separates words except inside quotes;
  // quotes and escapes stay in the words.
  std::vector<Word> shell_words(const LogicalLine& line, Span span) const {
    std::vector<Word> words;
    std::string_view text(line.text);
    const char escape = model_.escape;
    size_t pos = span.begin;
    while (pos < span.end) {
      while (pos < span.end && is_space(text[pos])) ++pos;
      if (pos >= span.end) break;
      const size_t start = pos;
      std::string word;
      bool blank_ok = false;
      char quote = 0;
      for (; pos < span.end; ++pos) {
        char c = text[pos];
        if (quote == 0) {
          if (is_space(c)) break;
          if (c == '\'' || c == '"') {
            quote = c;
            blank_ok = true;
          }
          if (c == escape) {
            if (pos + 1 == span.end) continue;  // an escape at the very end is dropped
            word += c;
            c = text[++pos];
          }
          word += c;
        } else {
          if (c == quote) {
            quote = 0;
          } else if (c == escape && quote != '\'') {
            if (pos + 1 == span.end) continue;
            word += c;
            c = text[++pos];
          }
          word += c;
        }
      }
      if (blank_ok || !word.empty()) words.push_back(Word{std::move(word), line.at(start)});
    }
    return words;
  }

  // A JSON array of strings, or nullopt when the text is not JSON. As in
  // BuildKit, JSON that holds something other than strings is an error.
  // (BuildKit's decoder also ignores text after the array; this reader
  // takes such a line as shell form.)
  util::Result<std::optional<std::vector<std::string>>> json_array(std::string_view text, Position at) {
    text = trim(text);
    if (text.empty() || text.front() != '[') return std::optional<std::vector<std::string>>();
    auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded() || !json.is_array()) return std::optional<std::vector<std::string>>();
    std::vector<std::string> out;
    for (const auto& item : json) {
      if (!item.is_string()) {
        return fail(at, "when using JSON array syntax, arrays must be comprised of strings only");
      }
      out.push_back(item.get<std::string>());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
  }

  util::Status parse_from(const LogicalLine& line, Span span, Instruction& ins) {
    ins.args = whitespace_words(line, span);
    if (ins.args.size() != 1 && !(ins.args.size() == 3 && iequals(ins.args[1].text, "as"))) {
      return fail(ins.at, "FROM requires either one or three arguments (FROM image [AS name]), got " +
                              std::to_string(ins.args.size()));
    }
    if (ins.args.size() == 3) {
      const std::string name = lower(ins.args[2].text);
      bool valid = !name.empty() && name[0] >= 'a' && name[0] <= 'z';
      for (char c : name) {
        valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
      }
      if (!valid) {
        return fail(ins.args[2].at, "invalid name for build stage: " + in_quotes(ins.args[2].text) +
                                        ", name can't start with a number or contain symbols");
      }
    }
    return {};
  }

  util::Status parse_list(const LogicalLine& line, Span span, Instruction& ins) {
    const Position at = line.at(span.begin);
    auto json = json_array(std::string_view(line.text).substr(span.begin, span.end - span.begin), at);
    if (!json) return json.error();
    if (*json) {
      ins.form = Form::Json;
      for (auto& s : **json) ins.args.push_back(Word{std::move(s), at});
    } else {
      ins.args = whitespace_words(line, span);
    }
    const std::string name(keyword_name(ins.keyword));
    if (ins.keyword == Keyword::Volume && ins.args.empty()) {
      return fail(ins.at, "VOLUME requires at least one argument");
    }
    if (ins.keyword != Keyword::Volume && ins.args.size() < 2) {
      return fail(ins.at, name + " requires at least two arguments (sources and a destination), got " +
                              std::to_string(ins.args.size()));
    }
    return {};
  }

  util::Status parse_command(const LogicalLine& line, Span span, Instruction& ins) {
    const Position at = line.at(span.begin);
    auto json = json_array(std::string_view(line.text).substr(span.begin, span.end - span.begin), at);
    if (!json) return json.error();
    if (*json) {
      ins.form = Form::Json;
      for (auto& s : **json) ins.args.push_back(Word{std::move(s), at});
    } else if (span.begin < span.end) {
      ins.form = Form::Shell;
      ins.args.push_back(ins.rest);
    }
    if (ins.keyword == Keyword::Shell && ins.form != Form::Json) {
      return fail(ins.at, "SHELL requires the arguments to be in JSON form, such as SHELL [\"/bin/sh\", \"-c\"]");
    }
    return {};
  }

  // ENV and LABEL: `KEY value with spaces` (legacy) or `k=v k2="v 2"`.
  util::Status parse_name_values(const LogicalLine& line, Span span, Instruction& ins) {
    const std::string name(keyword_name(ins.keyword));
    auto words = shell_words(line, span);
    if (words.empty()) return fail(ins.at, name + " must have two arguments (" + name + " key=value)");
    if (words[0].text.find('=') == std::string::npos) {
      auto parts = whitespace_words(line, span);
      if (parts.size() < 2) return fail(ins.at, name + " must have two arguments (" + name + " key=value)");
      size_t value_start = span.begin;
      while (value_start < span.end && !is_blank(line.text[value_start])) ++value_start;
      while (value_start < span.end && is_blank(line.text[value_start])) ++value_start;
      KeyValue kv{parts[0], Word{line.text.substr(value_start, span.end - value_start), line.at(value_start)}, true};
      ins.pairs.push_back(std::move(kv));
      return {};
    }
    for (const Word& word : words) {
      size_t equals = word.text.find('=');
      if (equals == std::string::npos) {
        return fail(word.at, "syntax error - can't find = in " + in_quotes(word.text) + ". Must be of the form: name=value");
      }
      if (equals == 0) return fail(word.at, name + " names can not be blank");
      KeyValue kv;
      kv.key = Word{word.text.substr(0, equals), word.at};
      kv.value = Word{word.text.substr(equals + 1), Position{word.at.line, word.at.column + static_cast<int>(equals) + 1}};
      ins.pairs.push_back(std::move(kv));
    }
    return {};
  }

  util::Status parse_arg(const LogicalLine& line, Span span, Instruction& ins) {
    ins.args = shell_words(line, span);
    if (ins.args.empty()) return fail(ins.at, "ARG requires at least one argument (ARG name[=default])");
    for (const Word& word : ins.args) {
      size_t equals = word.text.find('=');
      KeyValue kv;
      if (equals == 0) return fail(word.at, "ARG names can not be blank");
      kv.key = Word{word.text.substr(0, equals), word.at};
      if (equals != std::string::npos) {
        kv.value =
            Word{word.text.substr(equals + 1), Position{word.at.line, word.at.column + static_cast<int>(equals) + 1}};
      }
      ins.pairs.push_back(std::move(kv));
    }
    return {};
  }

  util::Status parse_healthcheck(const LogicalLine& line, Span span, Instruction& ins) {
    auto words = whitespace_words(line, span);
    if (words.empty()) return fail(ins.at, "HEALTHCHECK requires an argument (NONE or CMD ...)");
    const std::string type = lower(words[0].text);
    if (type == "none") {
      if (words.size() > 1) return fail(words[1].at, "HEALTHCHECK NONE takes no arguments");
      ins.args.push_back(words[0]);
      return {};
    }
    if (type != "cmd") {
      return fail(words[0].at, "unknown type " + in_quotes(words[0].text) + " in HEALTHCHECK (try CMD)");
    }
    ins.args.push_back(words[0]);
    size_t command = span.begin + words[0].text.size();
    while (command < span.end && is_blank(line.text[command])) ++command;
    if (command >= span.end) return fail(ins.at, "HEALTHCHECK CMD needs a command");
    ins.rest = Word{line.text.substr(command, span.end - command), line.at(command)};
    auto json = json_array(ins.rest.text, ins.rest.at);
    if (!json) return json.error();
    if (*json) {
      ins.form = Form::Json;
      for (auto& s : **json) ins.args.push_back(Word{std::move(s), ins.rest.at});
    } else {
      ins.form = Form::Shell;
      ins.args.push_back(ins.rest);
    }
    return {};
  }

  util::Status parse_onbuild(const LogicalLine& line, Span span, Instruction& ins, bool is_trigger) {
    if (is_trigger) return fail(ins.at, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (span.begin >= span.end) return fail(ins.at, "ONBUILD requires at least one argument");
    auto trigger = parse_instruction(line, span, true);
    if (!trigger) return trigger.error();
    if (trigger->keyword == Keyword::From || trigger->keyword == Keyword::Maintainer) {
      return fail(trigger->at, trigger->name + " isn't allowed as an ONBUILD trigger");
    }
    ins.trigger = std::make_shared<const Instruction>(std::move(*trigger));
    return {};
  }

  // --- heredocs -----------------------------------------------------------

  util::Status read_heredocs(Instruction& ins, const LogicalLine& line) {
    if (!options_.heredocs) return {};
    const Instruction* target = ins.keyword == Keyword::Onbuild && ins.trigger ? ins.trigger.get() : &ins;
    if (target->keyword != Keyword::Run && target->keyword != Keyword::Copy && target->keyword != Keyword::Add) {
      return {};
    }
    if (target->form == Form::Json || line.text.find("<<") == std::string::npos) return {};
    auto found = heredocs_in(line);
    if (!found) return fail(ins.at, found.error().message);
    for (Heredoc& heredoc : *found) {
      heredoc.body.first = static_cast<int>(next_) + 1;
      bool terminated = false;
      while (next_ < lines_.size()) {
        std::string_view raw = lines_[next_++];
        std::string_view candidate = trim_newline(raw);
        if (heredoc.chomp) {
          while (!candidate.empty() && candidate.front() == '\t') candidate.remove_prefix(1);
        }
        if (candidate == heredoc.name) {
          terminated = true;
          break;
        }
        heredoc.content += raw;
      }
      if (!terminated) {
        return fail(ins.at, "unterminated heredoc <<" + heredoc.name + " (no line " + in_quotes(heredoc.name) +
                                " before the end of the file)");
      }
      heredoc.terminator_line = static_cast<int>(next_);
      heredoc.body.last = heredoc.terminator_line - 1;
      if (ins.keyword == Keyword::Onbuild) {
        auto copy = std::make_shared<Instruction>(*ins.trigger);
        copy->heredocs.push_back(heredoc);
        ins.trigger = copy;
      } else {
        ins.heredocs.push_back(heredoc);
      }
    }
    return {};
  }

  // Every `<<NAME` word of the line, read with the shell lexer ('\' as the
  // escape, quotes and escapes kept), as BuildKit's heredocsFromLine does.
  util::Result<std::vector<Heredoc>> heredocs_in(const LogicalLine& line) {
    ExpandOptions raw;
    raw.keep_quotes = true;
    raw.keep_escapes = true;
    raw.keep_unset = true;
    auto words = expand_words(line.text, nullptr, raw);
    std::vector<Heredoc> out;
    if (!words) return out;  // BuildKit ignores lexing errors here
    for (const std::string& word : *words) {
      // ^(\d*)<<(-?)([^<]*)$
      size_t digits = 0;
      while (digits < word.size() && word[digits] >= '0' && word[digits] <= '9') ++digits;
      if (word.compare(digits, 2, "<<") != 0) continue;
      size_t pos = digits + 2;
      bool chomp = pos < word.size() && word[pos] == '-';
      if (chomp) ++pos;
      std::string_view rest = std::string_view(word).substr(pos);
      if (rest.empty() || rest.find('<') != std::string_view::npos) continue;
      ExpandOptions plain;
      plain.keep_unset = true;
      auto names = expand_words(rest, nullptr, plain);
      if (!names) return names.error();
      if (names->size() != 1) continue;
      ExpandOptions quoted_too = plain;
      quoted_too.keep_quotes = true;
      auto raw_names = expand_words(rest, nullptr, quoted_too);
      if (!raw_names) return raw_names.error();
      if (raw_names->size() != 1) return util::error("inconsistent heredoc word " + std::string(rest));
      auto quotes = [](const std::string& s) { return std::count(s.begin(), s.end(), '\'') + std::count(s.begin(), s.end(), '"'); };
      Heredoc heredoc;
      heredoc.name = names->front();
      heredoc.expand = quotes(names->front()) == quotes(raw_names->front());
      heredoc.chomp = chomp;
      heredoc.file_descriptor = digits > 0 && digits < 9 ? std::stoi(word.substr(0, digits)) : 0;
      out.push_back(std::move(heredoc));
    }
    return out;
  }

  // --- stages -------------------------------------------------------------

  util::Status place(Instruction ins) {
    if (ins.keyword == Keyword::From) {
      Stage stage;
      stage.index = static_cast<int>(model_.stages.size());
      if (auto name = ins.from_stage_name()) {
        stage.name = lower(name->text);
        for (const Stage& earlier : model_.stages) {
          if (earlier.name == stage.name) {
            return fail(name->at, "duplicate stage name " + in_quotes(name->text) + " (first at " +
                                      model_.where(earlier.from().at) + ")");
          }
        }
      }
      stage.instructions.push_back(std::move(ins));
      model_.stages.push_back(std::move(stage));
      return {};
    }
    if (model_.stages.empty()) {
      if (ins.keyword != Keyword::Arg) {
        return fail(ins.at, ins.name + " before the first FROM: no build stage in current context (only ARG may come "
                                       "before FROM)");
      }
      model_.global_args.push_back(std::move(ins));
      return {};
    }
    model_.stages.back().instructions.push_back(std::move(ins));
    return {};
  }

  std::string_view text_;
  ParseOptions options_;
  Dockerfile model_;
  std::vector<std::string_view> lines_;  // physical lines with their '\n'
  size_t next_ = 0;                      // the next physical line to read
};

}  // namespace

util::Result<Dockerfile> parse(std::string_view text, std::string file, ParseOptions options) {
  return Parser(text, std::move(file), options).run();
}

util::Result<Dockerfile> parse_file(const std::filesystem::path& path, ParseOptions options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::error(path.string() + ": cannot read the Dockerfile");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path.string(), options);
}

}  // namespace buildbench::dockerfile
