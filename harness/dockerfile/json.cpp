#include "dockerfile/json.h"

namespace buildbench::dockerfile {
namespace {

nlohmann::json position(Position at) { return {{"line", at.line}, {"column", at.column}}; }

nlohmann::json word(const Word& w) { return {{"text", w.text}, {"at", position(w.at)}}; }

std::string_view form_name(Form form) {
  switch (form) {
    case Form::Shell:
      return "shell";
    case Form::Json:
      return "json";
    default:
      return "none";
  }
}

}  // namespace

nlohmann::json to_json(const Instruction& ins) {
  nlohmann::json out{{"keyword", keyword_name(ins.keyword)},
                     {"name", ins.name},
                     {"at", position(ins.at)},
                     {"lines", {{"first", ins.lines.first}, {"last", ins.lines.last}}},
                     {"form", form_name(ins.form)},
                     {"rest", word(ins.rest)}};
  if (!ins.comments.empty()) out["comments"] = ins.comments;
  if (!ins.flags.empty()) {
    auto& flags = out["flags"] = nlohmann::json::array();
    for (const Flag& f : ins.flags) {
      nlohmann::json flag{{"name", f.name}, {"at", position(f.at)}};
      if (f.value) flag["value"] = *f.value;
      flags.push_back(std::move(flag));
    }
  }
  auto& args = out["args"] = nlohmann::json::array();
  for (const Word& w : ins.args) args.push_back(word(w));
  if (!ins.pairs.empty()) {
    auto& pairs = out["pairs"] = nlohmann::json::array();
    for (const KeyValue& kv : ins.pairs) {
      nlohmann::json pair{{"key", word(kv.key)}};
      if (kv.value) pair["value"] = word(*kv.value);
      if (kv.legacy) pair["legacy"] = true;
      pairs.push_back(std::move(pair));
    }
  }
  if (!ins.mounts.empty()) {
    auto& mounts = out["mounts"] = nlohmann::json::array();
    for (const Mount& m : ins.mounts) {
      nlohmann::json options = nlohmann::json::array();
      for (const auto& [k, v] : m.options) options.push_back({k, v});
      mounts.push_back({{"type", m.type_name},
                        {"target", m.target},
                        {"source", m.source},
                        {"from", m.from},
                        {"id", m.id},
                        {"sharing", m.sharing},
                        {"readonly", m.readonly},
                        {"options", std::move(options)},
                        {"at", position(m.at)}});
    }
  }
  if (!ins.heredocs.empty()) {
    auto& heredocs = out["heredocs"] = nlohmann::json::array();
    for (const Heredoc& h : ins.heredocs) {
      heredocs.push_back({{"name", h.name},
                          {"expand", h.expand},
                          {"chomp", h.chomp},
                          {"file_descriptor", h.file_descriptor},
                          {"content", h.content},
                          {"body", {{"first", h.body.first}, {"last", h.body.last}}},
                          {"terminator_line", h.terminator_line}});
    }
  }
  if (ins.trigger) out["trigger"] = to_json(*ins.trigger);
  return out;
}

nlohmann::json to_json(const Dockerfile& model) {
  nlohmann::json out{{"file", model.file}, {"escape", std::string(1, model.escape)}};
  auto& directives = out["directives"] = nlohmann::json::array();
  for (const Directive& d : model.directives) {
    directives.push_back({{"name", d.name}, {"value", d.value}, {"at", position(d.at)}});
  }
  auto& globals = out["global_args"] = nlohmann::json::array();
  for (const Instruction& ins : model.global_args) globals.push_back(to_json(ins));
  auto& stages = out["stages"] = nlohmann::json::array();
  for (const Stage& stage : model.stages) {
    nlohmann::json instructions = nlohmann::json::array();
    for (const Instruction& ins : stage.instructions) instructions.push_back(to_json(ins));
    stages.push_back({{"index", stage.index},
                      {"name", stage.name},
                      {"display_name", stage.display_name()},
                      {"instructions", std::move(instructions)}});
  }
  auto& warnings = out["warnings"] = nlohmann::json::array();
  for (const Warning& w : model.warnings) {
    warnings.push_back({{"message", w.message}, {"at", position(w.at)}});
  }
  return out;
}

}  // namespace buildbench::dockerfile
