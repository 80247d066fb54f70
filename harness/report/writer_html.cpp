// report.html: one self-contained page. Everything is inline (CSS, SVG) so
// the file can be mailed, archived or opened offline and looks the same.
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "report/format.h"
#include "report/summary_table.h"
#include "report/svg.h"
#include "report/writers.h"

namespace buildbench::report {
namespace {

constexpr std::string_view kStyle = R"css(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; line-height: 1.45; background: #fff; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 20px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
p.lead { color: #555; margin-top: 0; }
nav a { margin-right: 14px; }
table { border-collapse: collapse; margin: 6px 0 14px; font-size: 14px; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: right; vertical-align: top; white-space: nowrap; }
th { background: #f5f5f5; }
td:first-child, th:first-child { text-align: left; }
td.left, th.left { text-align: left; }
table.claims td { white-space: normal; }
.swatch { display: inline-block; width: 11px; height: 11px; margin-right: 6px; vertical-align: baseline; }
.warnings li { margin: 2px 0; }
.warn { color: #8a4b00; }
figure { margin: 18px 0 26px; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 14px; }
details { margin: 6px 0; }
summary { cursor: pointer; font-weight: bold; }
tr.cached td { color: #666; }
tr.failed td { color: #b00020; }
footer { margin-top: 36px; color: #555; font-size: 13px; }
)css";

std::string esc(std::string_view text) { return xml_escape(text); }

// Escaped text with Markdown's `code` spans as <code> (claims name steps and kinds that way).
std::string esc_code(std::string_view text) {
  std::string out;
  bool open = false;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '`') {
      out += esc(text.substr(start, i - start));
      if (i < text.size()) out += (open = !open) ? "<code>" : "</code>";
      start = i + 1;
    }
  }
  if (open) out += "</code>";
  return out;
}

// An inline <svg> must not carry an XML declaration.
std::string inline_svg(const std::string& document) {
  auto start = document.find("<svg");
  return start == std::string::npos ? std::string() : document.substr(start);
}

void write_summary_tables(const ReportModel& model, std::ostream& out) {
  for (const auto& series : model.series) {
    for (const auto& kind : model.kinds) {
      for (const auto& engine : model.engines) {
        auto rows = summary_rows(model, engine, series, kind);
        if (rows.empty()) continue;
        out << "<h3>" << esc(table_heading(model, engine, series, kind)) << "</h3>\n<table>\n<tr>";
        for (const auto& heading : kSummaryHeadings) out << "<th>" << esc(heading) << "</th>";
        out << "</tr>\n";
        for (const auto& row : rows) {
          out << fmt::format("<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td>",
                             variant_colour(row.variant_index), esc(row.variant));
          for (const auto* field : {&row.samples, &row.median, &row.vs_baseline, &row.p_value, &row.cached_steps,
                                    &row.context, &row.downloaded, &row.download_time, &row.image}) {
            out << "<td>" << esc(*field) << "</td>";
          }
          out << "</tr>\n";
        }
        out << "</table>\n";
      }
    }
  }
}

void write_engines_table(const ReportModel& model, std::ostream& out) {
  if (!model.several_engines()) return;
  out << "<h2 id=\"engines\">Engines side by side</h2>\n";
  out << "<p>The same builds on each engine, interleaved in one run: median wall time against the reference engine ("
      << esc(engine_label(model.engines.front()))
      << ") as a ratio of medians (below 1 is faster) with a bootstrap 95% CI; <code>~</code> marks a difference that "
         "is not significant (Mann-Whitney U, p &gt;= 0.05).</p>\n";
  auto tables = engine_tables(model);
  if (tables.empty()) {
    out << "<p>No build kind and variant was measured on two engines.</p>\n";
    return;
  }
  for (const auto& table : tables) {
    out << "<h3>" << esc(table.heading) << "</h3>\n<table>\n<tr>";
    for (size_t i = 0; i < table.headings.size(); ++i) {
      out << (i < 2 ? "<th class=\"left\">" : "<th>") << esc(table.headings[i]) << "</th>";
    }
    out << "</tr>\n";
    for (const auto& row : table.rows) {
      out << fmt::format("<tr><td>{}</td><td class=\"left\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         esc(row.kind), esc(row.variant), esc(row.median), esc(row.reference_median), esc(row.ratio),
                         esc(row.p_value));
    }
    out << "</table>\n";
  }
}

void write_claims_table(const ReportModel& model, std::ostream& out) {
  auto rows = claim_rows(model);
  if (rows.empty()) return;
  out << "<h2 id=\"claims\">The post's claims</h2>\n";
  out << "<p>Each claim with the measurement that tests it and a verdict computed from the samples: a difference in "
         "time counts only when significant (Mann-Whitney U, p &lt; 0.05); bytes and sizes are exact. Claims from "
      << esc(model.claims_source) << "."
      << (model.several_engines() ? " Each engine's claims are judged on its own builds." : "") << "</p>\n";
  out << "<table class=\"claims\">\n<tr><th>#</th><th class=\"left\">the post says</th><th class=\"left\">measured by</th>"
         "<th class=\"left\">result</th>";
  if (model.several_engines()) {
    for (const auto& engine : model.engines) out << "<th class=\"left\">verdict on " << esc(engine_label(engine)) << "</th>";
  } else {
    out << "<th class=\"left\">verdict</th>";
  }
  out << "</tr>\n";
  auto lines = [](const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& part : parts) text += (text.empty() ? "" : "<br>") + esc_code(part);
    return text;
  };
  auto verdict_cell = [](const std::string& verdict, const std::string& decision, const std::string& explanation) {
    return fmt::format("<td class=\"left\"><b>{}</b>{}: {}</td>", esc(verdict),
                       decision.empty() ? "" : " (" + esc(decision) + ")", esc_code(explanation));
  };
  for (const auto& row : rows) {
    out << fmt::format("<tr><td>{}</td><td class=\"left\">{}</td><td class=\"left\">{}</td><td class=\"left\">{}</td>",
                       esc(row.number), esc_code(row.claim), lines(row.measurements), lines(row.numbers));
    if (model.several_engines()) {
      for (const auto& verdict : row.per_engine) out << verdict_cell(verdict.verdict, verdict.decision, verdict.explanation);
    } else {
      out << verdict_cell(row.verdict, row.decision, row.explanation);
    }
    out << "</tr>\n";
  }
  out << "</table>\n";
  if (model.several_engines()) {
    auto differences = claim_differences(model);
    if (differences.empty()) {
      out << "<p>Every claim has the same verdict on every engine.</p>\n";
    } else {
      out << "<p>Where the verdicts differ between engines:</p>\n<ul class=\"differences\">\n";
      for (const auto& difference : differences) out << "<li>" << esc_code(difference) << ".</li>\n";
      out << "</ul>\n";
    }
  }
  bool any_note = false;
  for (const auto& row : rows) {
    if (row.note.empty()) continue;
    if (!any_note) out << "<ul class=\"notes\">\n";
    any_note = true;
    out << fmt::format("<li>Claim {} (<code>{}</code>): {}</li>\n", esc(row.number), esc(row.id), esc_code(row.note));
  }
  if (any_note) out << "</ul>\n";
}

// The worlds section (report --beside): as report.md's.
void write_worlds_table(const ReportModel& model, std::ostream& out) {
  const auto& worlds = model.worlds;
  if (worlds.empty()) return;
  out << "<h2 id=\"worlds\">" << esc(worlds_heading(model)) << "</h2>\n<p>" << esc(worlds_intro(model)) << "</p>\n";
  out << "<table class=\"claims worlds\">\n<tr>";
  for (const auto& heading : worlds_headings(model)) out << "<th class=\"left\">" << esc(heading) << "</th>";
  out << "</tr>\n";
  for (const auto& row : worlds.rows) {
    out << "<tr><td><code>" << esc(row.claim_id) << "</code></td>";
    if (worlds.engines.size() > 1) out << "<td class=\"left\">" << esc(engine_label(row.engine)) << "</td>";
    for (const auto& verdict : row.verdicts) {
      if (verdict.measured) {
        out << "<td class=\"left\"><b>" << esc(verdict_words(verdict.verdict)) << "</b>"
            << (verdict.figures.empty() ? "" : ": " + esc(verdict.figures)) << "</td>";
      } else {
        out << "<td class=\"left\">" << esc(verdict.text) << "</td>";
      }
    }
    out << "</tr>\n";
  }
  out << "</table>\n<h3>Why the verdicts differ</h3>\n";
  if (worlds.differences.empty()) {
    out << "<p>No verdict differs between the worlds.</p>\n";
  } else {
    out << "<ul class=\"differences\">\n";
    for (const auto& difference : worlds.differences) out << "<li>" << esc_code(difference.text()) << "</li>\n";
    out << "</ul>\n";
  }
  if (!worlds.agreement.empty()) out << "<p>" << esc(worlds.agreement) << "</p>\n";
}

void write_sweep_claims_table(const ReportModel& model, std::ostream& out) {
  auto tables = sweep_claim_tables(model);
  if (tables.empty()) return;
  out << "<h2 id=\"sweep-claims\">Claims across the sweep</h2>\n";
  out << "<p>Each claim judged on the builds of each sweep value alone, by the same rules as the claims table; the "
         "ratio is that of the claim's first time check (median of the variant / median of the other, bootstrap 95% "
         "CI). A claim holds from a value when it holds there and at every larger value.</p>\n";
  for (const auto& table : tables) {
    out << "<h3>" << esc(table.heading) << "</h3>\n<table class=\"claims\">\n<tr><th class=\"left\">claim</th>";
    for (const auto& column : table.columns) out << "<th>" << esc(column) << "</th>";
    out << "</tr>\n";
    for (const auto& row : table.rows) {
      out << "<tr><td class=\"left\"><code>" << esc(row.id) << "</code></td>";
      for (size_t i = 0; i < row.verdicts.size(); ++i) {
        out << fmt::format("<td><b>{}</b><br>{}<br>{}</td>", esc(row.verdicts[i]), esc(row.ratios[i]), esc(row.counts[i]));
      }
      out << "</tr>\n";
    }
    out << "</table>\n<ul class=\"notes\">\n";
    for (const auto& row : table.rows) out << "<li><code>" << esc(row.id) << "</code> " << esc(row.sentence) << ".</li>\n";
    out << "</ul>\n";
  }
}

void write_step_tables(const ReportModel& model, std::ostream& out) {
  for (const auto& cell : model.cells) {
    std::string where = cell_place(model, cell);
    if (!cell.median_sample) {
      out << "<p><b>" << esc(where) << "</b>: no successful sample.</p>\n";
      continue;
    }
    const auto& record = cell.samples[*cell.median_sample].record;
    out << fmt::format("<details><summary>{}: median sample, repetition {}, {} ({} of {} steps cached)</summary>\n",
                       esc(where), cell.samples[*cell.median_sample].repetition + 1, esc(format_seconds(record.wall_s)),
                       record.cached_steps, record.total_steps);
    out << "<table>\n<tr><th>step</th><th class=\"left\">stage</th><th>cached</th><th>start</th><th>duration</th></tr>\n";
    for (const auto& step : record.steps) {
      std::string row_class = !step.error.empty() ? " class=\"failed\"" : step.cached ? " class=\"cached\"" : "";
      out << fmt::format("<tr{}><td>{}</td><td class=\"left\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         row_class, esc(step.name), esc(step.stage), step.cached ? "yes" : "",
                         step.start_offset_s >= 0 ? esc(format_seconds(step.start_offset_s)) : "-",
                         step.duration_s >= 0 ? esc(format_seconds(step.duration_s)) : "-");
    }
    out << "</table>\n</details>\n";
  }
}

}  // namespace

void write_html(const ReportModel& model, const std::vector<Figure>& figures, std::ostream& out) {
  std::string title = (model.scenario_title.empty() ? model.scenario_name : model.scenario_title) + ": build times";
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << esc(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  out << "<h1>" << esc(title) << "</h1>\n";
  out << "<p class=\"lead\">" << esc(provenance_line(model)) << "</p>\n";
  if (auto line = harness_time_line(model); !line.empty()) out << "<p class=\"lead\">" << esc(line) << "</p>\n";
  if (auto line = adaptive_line(model); !line.empty()) out << "<p class=\"lead\">" << esc(line) << "</p>\n";
  if (auto line = engines_line(model); !line.empty()) out << "<p class=\"lead\">" << esc(line) << "</p>\n";
  out << fmt::format("<p class=\"lead\">Scenario <code>{}</code>, {} variants, {} build kinds, baseline <b>{}</b>. "
                     "Medians with a distribution-free 95% confidence interval; the ratio to the baseline has a "
                     "bootstrap 95% CI; <code>~</code> marks a difference that is not significant (Mann-Whitney U, "
                     "p &gt;= 0.05).</p>\n",
                     esc(model.scenario_name), model.variants.size(), model.kinds.size(), esc(model.baseline_variant));
  out << "<nav>" << (model.claims.empty() ? "" : "<a href=\"#claims\">Claims</a>")
      << (model.worlds.empty() ? "" : "<a href=\"#worlds\">Worlds</a>")
      << (model.sweep_claims.empty() ? "" : "<a href=\"#sweep-claims\">Across the sweep</a>")
      << (model.several_engines() ? "<a href=\"#engines\">Engines</a>" : "") << "<a href=\"#summary\">Summary</a><a href=\"#warnings\">Warnings</a><a href=\"#figures\">Figures</a>"
         "<a href=\"#steps\">Steps</a><a href=\"#environment\">Environment</a></nav>\n";

  write_claims_table(model, out);
  write_worlds_table(model, out);
  write_sweep_claims_table(model, out);
  write_engines_table(model, out);

  out << "<h2 id=\"summary\">Summary</h2>\n";
  write_summary_tables(model, out);

  out << "<h2 id=\"warnings\">Warnings</h2>\n";
  bool any = false;
  for (const auto& cell : model.cells) {
    for (const auto& warning : cell.warnings) {
      if (!any) out << "<ul class=\"warnings\">\n";
      any = true;
      out << "<li class=\"warn\"><b>" << esc(cell_place(model, cell)) << "</b>: " << esc(warning.message) << "</li>\n";
    }
  }
  for (const auto& note : model.notes) {
    if (!any) out << "<ul class=\"warnings\">\n";
    any = true;
    out << "<li>" << esc(note) << "</li>\n";
  }
  out << (any ? "</ul>\n" : "<p>None: every set of samples passed the checks.</p>\n");

  if (!model.build_checks.empty()) {
    out << "<h2 id=\"build-checks\">Build checks</h2>\n<p>Warnings BuildKit sent with the builds (Dockerfile checks, "
           "Docker 28 and newer); they do not change the measurements.</p>\n<ul class=\"warnings\">\n";
    for (const auto& check : model.build_checks) {
      std::string where = model.several_engines() ? engine_label(check.engine) + " / " + check.variant : check.variant;
      out << "<li><b>" << esc(where) << "</b>: " << esc(check.message) << " (" << check.samples << " samples)";
      if (!check.url.empty()) out << " <a href=\"" << esc(check.url) << "\">rule</a>";
      out << "</li>\n";
    }
    out << "</ul>\n";
  }

  out << "<h2 id=\"figures\">Figures</h2>\n";
  for (const auto& figure : figures) {
    out << fmt::format("<figure id=\"fig-{}\">\n{}<figcaption>{} <a href=\"figures/{}.svg\">(SVG)</a></figcaption>\n</figure>\n",
                       esc(figure.name), inline_svg(figure.svg), esc(figure.caption), esc(figure.name));
  }

  out << "<h2 id=\"steps\">Steps of the median samples</h2>\n";
  write_step_tables(model, out);

  out << "<h2 id=\"environment\">Environment</h2>\n<table>\n";
  for (const auto& [label, value] : environment_facts(model)) {
    out << "<tr><th class=\"left\">" << esc(label) << "</th><td class=\"left\">" << esc(value) << "</td></tr>\n";
  }
  out << "</table>\n<h3>Results files</h3>\n<table>\n<tr><th>file</th><th>samples</th><th>warm-ups</th><th>failed</th><th class=\"left\">state</th></tr>\n";
  for (const auto& input : model.inputs) {
    out << fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"left\">{}</td></tr>\n", esc(input.path),
                       input.samples, input.warmups, input.failed,
                       input.interrupted ? "interrupted" : input.finished ? "finished" : "incomplete");
  }
  out << "</table>\n";
  out << "<footer>" << esc(fmt::format("Generated by buildbench {}{}.", model.generator_version,
                                        model.generated_at.empty() ? "" : " at " + model.generated_at))
      << "</footer>\n</body>\n</html>\n";
}

util::Result<WrittenReport> write_report(const ReportModel& model, const std::filesystem::path& dir,
                                         const WriteOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return util::error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  WrittenReport written;
  auto figures = make_figures(model);
  auto pngs = write_figures(figures, dir / "figures", options.png_converter);
  if (!pngs) return pngs.error();
  written.pngs = *pngs;
  for (const auto& figure : figures) written.files.push_back(dir / "figures" / (figure.name + ".svg"));

  using Writer = std::function<void(std::ostream&)>;
  const std::pair<const char*, Writer> outputs[] = {
      {"report.md", [&](std::ostream& out) { write_markdown(model, out); }},
      {"report.html", [&](std::ostream& out) { write_html(model, figures, out); }},
      {"summary.csv", [&](std::ostream& out) { write_summary_csv(model, out); }},
      {"samples.csv", [&](std::ostream& out) { write_samples_csv(model, out); }},
      {"summary.json", [&](std::ostream& out) { write_summary_json(model, out); }},
      {"gbench.json", [&](std::ostream& out) { write_gbench_json(model, out); }},
      {"engines.csv", [&](std::ostream& out) { write_engines_csv(model, out); }},
  };
  for (const auto& [name, writer] : outputs) {
    if (std::string_view(name) == "engines.csv" && !model.several_engines()) continue;
    auto path = dir / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    writer(out);
    out.close();
    if (!out) return util::error("cannot write " + path.string());
    written.files.push_back(path);
  }
  return written;
}

}  // namespace buildbench::report
