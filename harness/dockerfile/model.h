#pragma once
// The Dockerfile model: what BuildKit's Dockerfile frontend reads from a
// Dockerfile, with the source position of every part, so that findings can
// be reported as file:line:column and fixes can rewrite whole lines.
//
// Usage:
//   auto parsed = dockerfile::parse(text, "Dockerfile");        // parse.h
//   if (!parsed) { print(parsed.error().message); return 2; }   // "Dockerfile:3:5: ..."
//   for (const Stage& stage : parsed->stages)
//     for (const Instruction& ins : stage.instructions)         // [0] is the FROM
//       if (ins.keyword == Keyword::Copy) use(ins.flag_value("from"), ins.sources(), ins.destination());
//   BuildOptions options;                                        // stages.h: build args, platform
//   auto needed = reachable_stages(*parsed, *target_stage(*parsed, ""), options);
//   Scope scope = Scope::before(*parsed, stage, i, options);     // ARG/ENV before instruction i
//   auto dest = scope.expand(*ins.destination());                 // "/src/1.24"
//   auto json = to_json(*parsed);                                 // json.h
//
// The model keeps text as written (quotes, `$VAR`s); expanding a word the
// way the frontend does is stages.h's Scope (ARG/ENV per stage) over
// expand.h's expand_word. Instructions the model does not know are kept with
// keyword Unknown, never dropped.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace buildbench::dockerfile {

// 1-based line and column (column counts bytes). 0 means "not known".
struct Position {
  int line = 0;
  int column = 0;
  friend bool operator==(const Position& a, const Position& b) { return a.line == b.line && a.column == b.column; }
};

// Whole lines an instruction covers: its first line up to its last
// continuation line or heredoc terminator, inclusive.
struct LineRange {
  int first = 0;
  int last = 0;
};

// A piece of text as written (after joining continuation lines, quotes and
// `$VAR`s kept) and where it starts in the file.
struct Word {
  std::string text;
  Position at;
};

// A parser directive at the top of the file: `# syntax=...`, `# escape=...`,
// `# check=...` (name lowercased, value trimmed).
struct Directive {
  std::string name;
  std::string value;
  Position at;  // of the '#'
};

// An instruction flag: `--name=value` or `--name` (value absent). Quotes and
// escapes in the value are resolved as BuildKit's flag reader does; `$VAR`s
// stay.
struct Flag {
  std::string name;                  // without the dashes, as written (BuildKit is case-sensitive)
  std::optional<std::string> value;  // absent for `--link`
  Position at;                       // of the first '-'
};

enum class MountType { Bind, Cache, Secret, Ssh, Tmpfs, Unknown };

// One `RUN --mount=...` with its options. `options` keeps every key=value in
// order (keys lowercased, a bare key such as `ro` has an empty value); the
// named fields are the ones the cache model reads, with BuildKit's aliases
// resolved (dst/destination → target, src → source, readonly → ro).
struct Mount {
  MountType type = MountType::Bind;
  std::string type_name;  // as written ("cache"); "bind" when omitted
  std::vector<std::pair<std::string, std::string>> options;
  std::string target;
  std::string source;
  std::string from;     // stage name, index or image; empty = the build context
  std::string id;       // cache/secret/ssh id as written; empty = the default
  std::string sharing;  // cache: shared (default), private, locked
  bool readonly = false;
  Position at;  // of the flag

  // The option's value if the key appears (aliases not resolved).
  std::optional<std::string> option(std::string_view key) const;
};

// A here-document: `<<EOF`, `<<-EOF` (leading tabs stripped), `<<"EOF"` or
// `<<'EOF'` (quoted: its content is not expanded), `3<<EOF` (a descriptor).
struct Heredoc {
  std::string name;  // the terminator, quotes removed
  bool expand = true;
  bool chomp = false;
  int file_descriptor = 0;
  std::string content;    // the body lines with their '\n' (tabs not yet chomped)
  LineRange body;         // the body's lines (first > last when empty)
  int terminator_line = 0;

  // The content as the frontend uses it: with leading tabs removed from
  // every line when chomp is set.
  std::string effective_content() const;
};

enum class Keyword {
  From,
  Run,
  Cmd,
  Label,
  Maintainer,
  Expose,
  Env,
  Add,
  Copy,
  Entrypoint,
  Volume,
  User,
  Workdir,
  Arg,
  Onbuild,
  Stopsignal,
  Healthcheck,
  Shell,
  Unknown,
};

// Shell form (`RUN go build`), exec/JSON form (`CMD ["/bin/server"]`), or
// neither (instructions that take no command).
enum class Form { None, Shell, Json };

// ARG, ENV and LABEL items. `value` is as written (quotes kept); an ARG
// without a default has none. `legacy` marks `ENV key value with spaces`.
struct KeyValue {
  Word key;
  std::optional<Word> value;
  bool legacy = false;
};

struct Instruction {
  Keyword keyword = Keyword::Unknown;
  std::string name;      // the keyword as written ("copy", "RUN", "FOO")
  std::string original;  // the joined logical line (without heredoc bodies)
  Position at;           // of the keyword
  LineRange lines;       // every line it covers, heredoc bodies included
  std::vector<std::string> comments;  // comment lines right above it, without '#', trimmed

  std::vector<Flag> flags;
  Form form = Form::None;
  Word rest;  // the text after the flags: the shell command, the JSON text, ...

  // Arguments after the flags:
  //  - JSON form: the decoded strings (positions: the '[');
  //  - FROM, EXPOSE, COPY/ADD/VOLUME (shell form): whitespace-separated words;
  //  - ARG: one word per item (also in `pairs`);
  //  - HEALTHCHECK: "NONE", or "CMD" followed by the command (see `rest`);
  //  - RUN/CMD/ENTRYPOINT/SHELL shell form, USER, WORKDIR, STOPSIGNAL,
  //    MAINTAINER, unknown instructions: one word, the whole text.
  std::vector<Word> args;
  std::vector<KeyValue> pairs;  // ARG, ENV, LABEL
  std::vector<Mount> mounts;    // RUN --mount, in order
  std::vector<Heredoc> heredocs;
  // ONBUILD: the wrapped instruction (its positions are in this file).
  std::shared_ptr<const Instruction> trigger;

  // Flags by name (without dashes).
  const Flag* flag(std::string_view flag_name) const;
  std::optional<std::string> flag_value(std::string_view flag_name) const;
  std::vector<const Flag*> flags_named(std::string_view flag_name) const;
  // A boolean flag: `--link` or `--link=true` are true; absent or `=false` false.
  bool flag_enabled(std::string_view flag_name) const;

  // COPY/ADD: every argument but the last, and the last one.
  std::vector<Word> sources() const;
  std::optional<Word> destination() const;
  // The heredoc a COPY/ADD source or a RUN word names (`<<EOF` → EOF), if any.
  const Heredoc* heredoc_for(std::string_view word) const;

  // FROM: the image or stage name, `AS name` (as written) and --platform.
  std::optional<Word> from_image() const;
  std::optional<Word> from_stage_name() const;
};

// One build stage: a FROM and the instructions up to the next FROM.
struct Stage {
  int index = 0;
  std::string name;  // `AS name` lowercased, empty when unnamed
  std::vector<Instruction> instructions;  // instructions[0] is the FROM

  const Instruction& from() const { return instructions.front(); }
  // "build" or "stage-2", as BuildKit names stages in the trace.
  std::string display_name() const;
};

enum class WarningKind { EmptyContinuationLine, UnknownInstruction, Other };

struct Warning {
  WarningKind kind = WarningKind::Other;
  std::string message;
  Position at;
};

struct Dockerfile {
  std::string file;  // the name given to parse(), used in messages
  std::vector<Directive> directives;
  char escape = '\\';
  std::vector<Instruction> global_args;  // ARGs before the first FROM
  std::vector<Stage> stages;
  std::vector<Warning> warnings;

  const Directive* directive(std::string_view directive_name) const;
  // Every instruction in file order (global ARGs first).
  std::vector<const Instruction*> all_instructions() const;
  // "Dockerfile:12:3" for messages.
  std::string where(Position at) const;
};

// Helpers on keywords.
std::string_view keyword_name(Keyword keyword);       // "COPY"
Keyword keyword_from(std::string_view written);        // case-insensitive; Unknown if not one
// Instructions whose words the frontend expands with ARG/ENV values
// (FROM with global ARGs only). RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK
// pass their text to the shell; ONBUILD stores its text for the child image.
bool expands_variables(Keyword keyword);
// Instructions that make a build step (an LLB op): FROM (an image), RUN,
// COPY, ADD, WORKDIR. The rest only change the image config.
bool makes_build_step(Keyword keyword);

}  // namespace buildbench::dockerfile
