// `buildbench dockerfile parse FILE [--json]`: print the Dockerfile model —
// stages, which of them a build of the target runs, every instruction with
// its position, flags, mounts and heredocs, and the words the frontend would
// expand, as they expand. A debugging aid for users and for the advisor.
#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "dockerfile/json.h"
#include "dockerfile/parse.h"
#include "dockerfile/stages.h"

namespace buildbench::cli {
namespace {

struct ParseOptions {
  std::string file;
  bool json = false;
  std::string target;
  std::vector<std::string> build_args;
  std::string platform = "linux/amd64";
};

std::string one_line(std::string text, size_t limit = 100) {
  for (char& c : text) {
    if (c == '\t') c = ' ';
  }
  if (text.size() > limit) text = text.substr(0, limit - 3) + "...";
  return text;
}

std::string describe(const dockerfile::StageRef& ref, const dockerfile::Dockerfile& model) {
  switch (ref.kind) {
    case dockerfile::StageRef::Kind::Stage:
      return "stage " + model.stages[static_cast<size_t>(ref.stage)].display_name();
    case dockerfile::StageRef::Kind::Scratch:
      return "scratch";
    case dockerfile::StageRef::Kind::Image:
      return "image " + ref.image;
    default:
      return "the build context";
  }
}

void print_instruction(const dockerfile::Dockerfile& model, const dockerfile::Instruction& ins,
                       const dockerfile::Scope& scope, int stage, const std::string& indent) {
  std::string lines = ins.lines.first == ins.lines.last
                          ? fmt::format("{}:{}", ins.at.line, ins.at.column)
                          : fmt::format("{}:{}-{}", ins.at.line, ins.at.column, ins.lines.last);
  std::string text = ins.original.substr(ins.original.find(ins.name) + ins.name.size());
  text.erase(0, text.find_first_not_of(" \t"));
  fmt::print("{}{:<10} {} {}\n", indent, lines, paint(stdout, "1", dockerfile::keyword_name(ins.keyword)),
             one_line(text));
  const std::string detail = indent + "           ";
  for (const auto& mount : ins.mounts) {
    fmt::print("{}mount {} target={}{}{}{}\n", detail, mount.type_name, mount.target,
               mount.id.empty() ? "" : " id=" + mount.id, mount.sharing.empty() ? "" : " sharing=" + mount.sharing,
               mount.from.empty() ? "" : " from=" + mount.from);
  }
  for (const auto& heredoc : ins.heredocs) {
    fmt::print("{}heredoc <<{} lines {}-{}{}\n", detail, heredoc.name, heredoc.body.first, heredoc.body.last,
               heredoc.expand ? "" : " (not expanded)");
  }
  if (auto from = ins.flag_value("from"); from && ins.keyword == dockerfile::Keyword::Copy) {
    auto expanded = scope.expand(dockerfile::Word{*from, ins.flag("from")->at});
    fmt::print("{}from {}\n", detail, describe(dockerfile::resolve_from(model, stage, expanded ? *expanded : *from), model));
  }
  if (ins.keyword == dockerfile::Keyword::Unknown) fmt::print("{}{}\n", detail, paint(stdout, "33", "not modelled"));
  if (ins.trigger) print_instruction(model, *ins.trigger, scope, stage, detail);
  if (!dockerfile::expands_variables(ins.keyword) || ins.keyword == dockerfile::Keyword::From) return;
  std::vector<dockerfile::Word> words = ins.args;
  if (ins.keyword == dockerfile::Keyword::Env || ins.keyword == dockerfile::Keyword::Label ||
      ins.keyword == dockerfile::Keyword::Arg) {
    words.clear();
    for (const auto& pair : ins.pairs) {
      if (pair.value) words.push_back(*pair.value);
    }
  }
  for (const auto& word : words) {
    auto expanded = scope.expand(word);
    if (!expanded) {
      fmt::print("{}{}\n", detail, paint(stdout, "31", expanded.error().message));
    } else if (*expanded != word.text) {
      fmt::print("{}{} → {}\n", detail, one_line(word.text, 60), one_line(*expanded, 60));
    }
  }
}

int run_parse(const ParseOptions& options) {
  auto model = dockerfile::parse_file(options.file);
  if (!model) {
    print_error(model.error().message);
    return kExitBadInput;
  }
  if (options.json) {
    fmt::print("{}\n", dockerfile::to_json(*model).dump(2));
    return kExitOk;
  }
  dockerfile::BuildOptions build;
  build.target_platform = options.platform;
  build.build_platform = options.platform;
  for (const auto& arg : options.build_args) {
    size_t equals = arg.find('=');
    if (equals == std::string::npos || equals == 0) {
      print_error("--build-arg " + arg + ": expected KEY=VALUE");
      return kExitBadInput;
    }
    build.build_args[arg.substr(0, equals)] = arg.substr(equals + 1);
  }
  auto target = dockerfile::target_stage(*model, options.target);
  if (!target) {
    print_error(target.error().message);
    return kExitBadInput;
  }
  const std::vector<bool> needed = dockerfile::reachable_stages(*model, *target, build);

  fmt::print("{}: {} stage{}, escape {}\n", model->file, model->stages.size(), model->stages.size() == 1 ? "" : "s",
             model->escape);
  for (const auto& directive : model->directives) {
    fmt::print("  directive {}={} ({}:{})\n", directive.name, directive.value, directive.at.line, directive.at.column);
  }
  dockerfile::Scope global = dockerfile::Scope::global(*model, build);
  for (const auto& ins : model->global_args) print_instruction(*model, ins, global, -1, "  ");
  for (const auto& stage : model->stages) {
    const bool runs = needed[static_cast<size_t>(stage.index)];
    fmt::print("\nstage {} {} from {}{}\n", stage.index, paint(stdout, "1", stage.display_name()),
               describe(dockerfile::resolve_base(*model, stage.index, build), *model),
               runs ? (stage.index == *target ? " (target)" : "") : paint(stdout, "2", " (not built for this target)"));
    dockerfile::Scope scope = dockerfile::Scope::at_stage_start(*model, stage.index, build);
    for (const auto& ins : stage.instructions) {
      print_instruction(*model, ins, ins.keyword == dockerfile::Keyword::From ? global : scope, stage.index, "  ");
      if (ins.keyword != dockerfile::Keyword::From) scope.apply(ins);
    }
  }
  for (const auto& warning : model->warnings) print_warning(model->where(warning.at) + ": " + warning.message);
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

void register_dockerfile_command(CLI::App& app) {
  auto* command = app.add_subcommand("dockerfile", "Inspect Dockerfiles as buildbench reads them");
  command->require_subcommand(1);
  auto options = std::make_shared<ParseOptions>();
  auto* parse = command->add_subcommand(
      "parse", "Print the Dockerfile model: stages, instructions with positions, mounts, expanded words");
  parse->add_option("file", options->file, "The Dockerfile")->required();
  parse->add_flag("--json", options->json, "Print the model as JSON");
  parse->add_option("--target", options->target, "The stage to build (default: the last one)");
  parse->add_option("--build-arg", options->build_args, "Build argument KEY=VALUE (repeatable)");
  parse->add_option("--platform", options->platform, "Target platform for TARGETOS/TARGETARCH (default linux/amd64)");
  parse->callback([options] { finish(run_parse(*options)); });
}

}  // namespace buildbench::cli
