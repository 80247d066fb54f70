// Fuzzes the Dockerfile model: the parser, the stage graph, ARG/ENV scoping
// and word expansion. Input: a Dockerfile. Besides "no crash, no hang", it
// checks that errors say where and what, and that every position the model
// reports lies inside the file.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dockerfile/directives.h"
#include "dockerfile/expand.h"
#include "dockerfile/parse.h"
#include "dockerfile/stages.h"

namespace {

using namespace buildbench::dockerfile;

void check_position(Position at, int lines) {
  if (at.line < 1 || at.line > lines || at.column < 1) std::abort();
}

void check_instruction(const Instruction& ins, int lines) {
  check_position(ins.at, lines);
  if (ins.lines.first < 1 || ins.lines.first > ins.lines.last || ins.lines.last > lines) std::abort();
  if (ins.at.line < ins.lines.first || ins.at.line > ins.lines.last) std::abort();
  for (const Flag& flag : ins.flags) check_position(flag.at, lines);
  for (const Word& word : ins.args) check_position(word.at, lines);
  for (const KeyValue& pair : ins.pairs) check_position(pair.key.at, lines);
  for (const Heredoc& heredoc : ins.heredocs) {
    if (heredoc.terminator_line <= ins.at.line || heredoc.terminator_line > lines) std::abort();
    (void)heredoc.effective_content();
  }
  if (ins.keyword == Keyword::Copy || ins.keyword == Keyword::Add) {
    if (!ins.destination()) std::abort();  // the parser demands two arguments
  }
  if (ins.trigger) check_instruction(*ins.trigger, lines);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;

  (void)find_syntax_directive(text);
  (void)strip_syntax_directive(text);
  (void)base_images(text);
  (void)referenced_variables(text);
  (void)expand_words(text, nullptr);

  auto model = parse(text, "Dockerfile");
  if (!model) {
    if (model.error().message.rfind("Dockerfile:", 0) != 0) std::abort();  // errors say where
    return 0;
  }
  if (model->stages.empty()) std::abort();
  for (const Instruction* ins : model->all_instructions()) check_instruction(*ins, lines);
  for (const Stage& stage : model->stages) {
    if (stage.instructions.empty() || stage.from().keyword != Keyword::From) std::abort();
  }

  // The stage graph and the scopes; bounded so that a huge input stays fast.
  if (model->all_instructions().size() > 64) return 0;
  BuildOptions options;
  auto target = target_stage(*model, "");
  if (!target) std::abort();
  auto reached = reachable_stages(*model, *target, options);
  if (!reached[static_cast<size_t>(*target)]) std::abort();
  for (const Stage& stage : model->stages) {
    Scope scope = Scope::at_stage_start(*model, stage.index, options);
    for (size_t i = 1; i < stage.instructions.size(); ++i) {
      const Instruction& ins = stage.instructions[i];
      if (expands_variables(ins.keyword)) {
        for (const Word& word : ins.args) {
          auto value = scope.expand(word);
          if (!value && value.error().message.rfind("Dockerfile:", 0) != 0) std::abort();
        }
      }
      scope.apply(ins);
    }
  }
  return 0;
}
