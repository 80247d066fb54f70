#include "dockerfile/model.h"

#include <array>
#include <cctype>

namespace buildbench::dockerfile {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

struct KeywordName {
  Keyword keyword;
  std::string_view name;
};

constexpr std::array<KeywordName, 18> kKeywords{{
    {Keyword::From, "FROM"},
    {Keyword::Run, "RUN"},
    {Keyword::Cmd, "CMD"},
    {Keyword::Label, "LABEL"},
    {Keyword::Maintainer, "MAINTAINER"},
    {Keyword::Expose, "EXPOSE"},
    {Keyword::Env, "ENV"},
    {Keyword::Add, "ADD"},
    {Keyword::Copy, "COPY"},
    {Keyword::Entrypoint, "ENTRYPOINT"},
    {Keyword::Volume, "VOLUME"},
    {Keyword::User, "USER"},
    {Keyword::Workdir, "WORKDIR"},
    {Keyword::Arg, "ARG"},
    {Keyword::Onbuild, "ONBUILD"},
    {Keyword::Stopsignal, "STOPSIGNAL"},
    {Keyword::Healthcheck, "HEALTHCHECK"},
    {Keyword::Shell, "SHELL"},
}};

}  // namespace

std::optional<std::string> Mount::option(std::string_view key) const {
  for (const auto& [k, v] : options) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string Heredoc::effective_content() const {
  if (!chomp) return content;
  std::string out;
  out.reserve(content.size());
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

const Flag* Instruction::flag(std::string_view flag_name) const {
  for (const Flag& f : flags) {
    if (f.name == flag_name) return &f;
  }
  return nullptr;
}

std::optional<std::string> Instruction::flag_value(std::string_view flag_name) const {
  const Flag* f = flag(flag_name);
  if (f == nullptr) return std::nullopt;
  return f->value.value_or("");
}

std::vector<const Flag*> Instruction::flags_named(std::string_view flag_name) const {
  std::vector<const Flag*> out;
  for (const Flag& f : flags) {
    if (f.name == flag_name) out.push_back(&f);
  }
  return out;
}

bool Instruction::flag_enabled(std::string_view flag_name) const {
  const Flag* f = flag(flag_name);
  if (f == nullptr) return false;
  return !f->value || f->value->empty() || iequals(*f->value, "true");
}

std::vector<Word> Instruction::sources() const {
  if (args.size() < 2) return {};
  return std::vector<Word>(args.begin(), args.end() - 1);
}

std::optional<Word> Instruction::destination() const {
  if (args.size() < 2) return std::nullopt;
  return args.back();
}

const Heredoc* Instruction::heredoc_for(std::string_view word) const {
  // `<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`: the heredoc whose name is in it.
  size_t marker = word.find("<<");
  if (marker == std::string_view::npos) return nullptr;
  std::string_view tail = word.substr(marker + 2);
  if (!tail.empty() && tail.front() == '-') tail.remove_prefix(1);
  std::string wanted;
  for (char c : tail) {
    if (c != '"' && c != '\'') wanted += c;
  }
  for (const Heredoc& h : heredocs) {
    if (h.name == wanted) return &h;
  }
  return nullptr;
}

std::optional<Word> Instruction::from_image() const {
  if (keyword != Keyword::From || args.empty()) return std::nullopt;
  return args.front();
}

std::optional<Word> Instruction::from_stage_name() const {
  if (keyword != Keyword::From || args.size() != 3) return std::nullopt;
  return args[2];
}

std::string Stage::display_name() const { return name.empty() ? "stage-" + std::to_string(index) : name; }

const Directive* Dockerfile::directive(std::string_view directive_name) const {
  for (const Directive& d : directives) {
    if (iequals(d.name, directive_name)) return &d;
  }
  return nullptr;
}

std::vector<const Instruction*> Dockerfile::all_instructions() const {
  std::vector<const Instruction*> out;
  for (const Instruction& i : global_args) out.push_back(&i);
  for (const Stage& s : stages) {
    for (const Instruction& i : s.instructions) out.push_back(&i);
  }
  return out;
}

std::string Dockerfile::where(Position at) const {
  std::string out = file;
  if (at.line > 0) out += ":" + std::to_string(at.line);
  if (at.line > 0 && at.column > 0) out += ":" + std::to_string(at.column);
  return out;
}

std::string_view keyword_name(Keyword keyword) {
  for (const auto& k : kKeywords) {
    if (k.keyword == keyword) return k.name;
  }
  return "UNKNOWN";
}

Keyword keyword_from(std::string_view written) {
  for (const auto& k : kKeywords) {
    if (iequals(k.name, written)) return k.keyword;
  }
  return Keyword::Unknown;
}

bool expands_variables(Keyword keyword) {
  switch (keyword) {
    case Keyword::From:
    case Keyword::Add:
    case Keyword::Copy:
    case Keyword::Env:
    case Keyword::Arg:
    case Keyword::Expose:
    case Keyword::Label:
    case Keyword::Stopsignal:
    case Keyword::User:
    case Keyword::Volume:
    case Keyword::Workdir:
      return true;
    default:
      return false;
  }
}

bool makes_build_step(Keyword keyword) {
  return keyword == Keyword::From || keyword == Keyword::Run || keyword == Keyword::Copy ||
         keyword == Keyword::Add || keyword == Keyword::Workdir;
}

}  // namespace buildbench::dockerfile
