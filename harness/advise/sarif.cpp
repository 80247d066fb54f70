#include "advise/sarif.h"

#include <algorithm>

namespace buildbench::advise {
namespace {

using json = nlohmann::ordered_json;

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (size_t i = 0; i < lines.size(); ++i) text += (i ? "\n" : "") + lines[i];
  return text;
}

json region_of_lines(const DockerfileView& df, int first, int last) {
  // A region of whole lines: from column 1 of `first` to the end of `last`.
  json region;
  region["startLine"] = first;
  region["startColumn"] = 1;
  region["endLine"] = last;
  const size_t length = last >= 1 && last <= static_cast<int>(df.lines.size()) ? df.line(last).size() : 0;
  region["endColumn"] = static_cast<int>(length) + 1;
  return region;
}

}  // namespace

json to_sarif(const DockerfileView& dockerfile, const std::vector<Finding>& findings, const SarifInput& input) {
  json driver;
  driver["name"] = "buildbench advise";
  driver["informationUri"] = "https://github.com/buildbench/buildbench/blob/main/docs/advise.md";
  driver["version"] = input.tool_version.empty() ? "0.0.0" : input.tool_version;
  json rule_list = json::array();
  for (const auto& rule : rules()) {
    json r;
    r["id"] = rule.id;
    r["name"] = rule.name;
    r["shortDescription"] = {{"text", rule.title}};
    r["fullDescription"] = {{"text", rule.help}};
    r["help"] = {{"text", rule.help}};
    r["defaultConfiguration"] = {{"level", rule.level}};
    rule_list.push_back(r);
  }
  driver["rules"] = rule_list;

  json results = json::array();
  for (const auto& finding : findings) {
    const auto& all = rules();
    const auto it = std::find_if(all.begin(), all.end(), [&](const Rule& r) { return r.id == finding.rule; });
    json result;
    result["ruleId"] = finding.rule;
    if (it != all.end()) {
      result["ruleIndex"] = static_cast<int>(it - all.begin());
      result["level"] = it->level;
    }
    result["message"] = {{"text", finding.message}};
    json location;
    location["physicalLocation"]["artifactLocation"]["uri"] = input.dockerfile_uri;
    json region;
    region["startLine"] = std::max(1, finding.line);
    region["startColumn"] = std::max(1, finding.column);
    location["physicalLocation"]["region"] = region;
    result["locations"] = json::array({location});
    if (!finding.edits.empty()) {
      json changes = json::array();
      // One artifactChange per file, its replacements in file order.
      for (const std::string& file : {std::string(), std::string(".dockerignore")}) {
        json replacements = json::array();
        std::vector<const Edit*> edits;
        for (const auto& e : finding.edits)
          if (e.file == file) edits.push_back(&e);
        std::sort(edits.begin(), edits.end(), [](const Edit* a, const Edit* b) { return a->first_line < b->first_line; });
        for (const Edit* e : edits) {
          json replacement;
          if (e->new_file) {
            replacement["deletedRegion"] = {{"startLine", 1}, {"startColumn", 1}, {"endLine", 1}, {"endColumn", 1}};
            replacement["insertedContent"] = {{"text", joined(e->lines) + "\n"}};
          } else if (e->lines.empty() && e->last_line < static_cast<int>(dockerfile.lines.size())) {
            // Whole lines deleted, their line ends too.
            replacement["deletedRegion"] = {{"startLine", e->first_line}, {"startColumn", 1},
                                            {"endLine", e->last_line + 1}, {"endColumn", 1}};
          } else if (e->last_line < e->first_line) {  // pure insertion before first_line
            replacement["deletedRegion"] = {{"startLine", e->first_line}, {"startColumn", 1},
                                            {"endLine", e->first_line}, {"endColumn", 1}};
            replacement["insertedContent"] = {{"text", joined(e->lines) + "\n"}};
          } else {
            replacement["deletedRegion"] = region_of_lines(dockerfile, e->first_line, e->last_line);
            replacement["insertedContent"] = {{"text", joined(e->lines)}};
          }
          replacements.push_back(replacement);
        }
        if (replacements.empty()) continue;
        json change;
        change["artifactLocation"]["uri"] = file.empty() ? input.dockerfile_uri : input.dockerignore_uri;
        change["replacements"] = replacements;
        changes.push_back(change);
      }
      json fix;
      fix["description"] = {{"text", finding.fix_description}};
      fix["artifactChanges"] = changes;
      result["fixes"] = json::array({fix});
    }
    results.push_back(result);
  }

  json run;
  run["tool"]["driver"] = driver;
  run["artifacts"] = json::array({json{{"location", {{"uri", input.dockerfile_uri}}}}});
  run["results"] = results;
  json log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = json::array({run});
  return log;
}

}  // namespace buildbench::advise
