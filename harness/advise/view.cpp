#include "advise/view.h"

#include <fstream>
#include <sstream>

#include "dockerfile/parse.h"

namespace buildbench::advise {
namespace {

Instruction convert(const dockerfile::Instruction& ins) {
  Instruction out;
  out.keyword = ins.keyword == dockerfile::Keyword::Unknown ? ins.name : std::string(dockerfile::keyword_name(ins.keyword));
  for (auto& c : out.keyword) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& f : ins.flags) out.flags.push_back({f.name, f.value.value_or("")});
  out.text = ins.rest.text;
  out.json_form = ins.form == dockerfile::Form::Json;
  out.line = ins.lines.first ? ins.lines.first : ins.at.line;
  out.end_line = ins.lines.last ? ins.lines.last : out.line;
  for (const auto& h : ins.heredocs) out.heredoc += h.content;
  if (ins.keyword == dockerfile::Keyword::Arg || ins.keyword == dockerfile::Keyword::Env) {
    for (const auto& kv : ins.pairs) out.words.push_back(kv.value ? kv.key.text + "=" + kv.value->text : kv.key.text);
  } else {
    for (const auto& w : ins.args) out.words.push_back(w.text);
  }
  return out;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      if (start < text.size()) lines.emplace_back(text.substr(start));
      break;
    }
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

}  // namespace

DockerfileView view_of(const dockerfile::Dockerfile& model, std::string_view text) {
  DockerfileView view;
  view.path = model.file;
  view.lines = split_lines(text);
  for (const auto& ins : model.global_args) view.global_args.push_back(convert(ins));
  for (const auto& stage : model.stages) {
    Stage out;
    out.index = stage.index;
    out.name = stage.name;
    const auto& from = stage.from();
    if (auto image = from.from_image()) out.base = image->text;
    if (auto platform = from.flag_value("platform")) out.platform = *platform;
    out.line = from.lines.first ? from.lines.first : from.at.line;
    for (size_t i = 1; i < stage.instructions.size(); ++i) out.instructions.push_back(convert(stage.instructions[i]));
    view.stages.push_back(std::move(out));
  }
  return view;
}

util::Result<DockerfileView> read_dockerfile_text(std::string_view text, const std::string& path) {
  auto model = dockerfile::parse(text, path);
  if (!model) return model.error();
  return view_of(*model, text);
}

util::Result<DockerfileView> read_dockerfile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::error("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return read_dockerfile_text(text.str(), path.string());
}

}  // namespace buildbench::advise
