#include "report/svg.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/format.h"

namespace buildbench::report {
namespace {

constexpr std::string_view kFontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif";

// Two decimals are below a pixel's visible precision; trimming zeros keeps
// the files small and the golden files readable.
std::string num(double value) {
  if (!std::isfinite(value)) value = 0;
  std::string out = fmt::format("{:.2f}", value);
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  if (out == "-0") out = "0";
  return out;
}

std::string style_attributes(const ShapeStyle& style) {
  std::string out = fmt::format(" fill=\"{}\"", xml_escape(style.fill));
  if (!style.stroke.empty()) {
    out += fmt::format(" stroke=\"{}\" stroke-width=\"{}\"", xml_escape(style.stroke), num(style.stroke_width));
  }
  if (!style.dash.empty()) out += fmt::format(" stroke-dasharray=\"{}\"", xml_escape(style.dash));
  if (style.opacity < 1) out += fmt::format(" opacity=\"{}\"", num(style.opacity));
  return out;
}

std::string close_with_tooltip(std::string_view element, std::string_view tooltip) {
  if (tooltip.empty()) return "/>\n";
  return fmt::format("><title>{}</title></{}>\n", xml_escape(tooltip), element);
}

}  // namespace

std::string_view variant_colour(size_t index) {
  static constexpr std::string_view kPalette[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                                  "#CC79A7", "#56B4E9", "#F0E442", "#000000"};
  return kPalette[index % 8];
}

SvgBuilder::SvgBuilder(double width, double height, std::string_view title)
    : width_(width), height_(height), title_(title) {}

void SvgBuilder::hatch_pattern(std::string_view id, std::string_view colour, std::string_view background) {
  defs_ += fmt::format(
      "<pattern id=\"{}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
      "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"{}\"/>"
      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{}\" stroke-width=\"2.5\"/></pattern>\n",
      xml_escape(id), xml_escape(background), xml_escape(colour));
}

void SvgBuilder::rect(double x, double y, double w, double h, const ShapeStyle& style, std::string_view tooltip) {
  body_ += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{}", num(x), num(y), num(std::max(w, 0.0)),
                       num(std::max(h, 0.0)), style_attributes(style));
  body_ += close_with_tooltip("rect", tooltip);
}

void SvgBuilder::line(double x1, double y1, double x2, double y2, const ShapeStyle& style) {
  ShapeStyle stroked = style;
  if (stroked.stroke.empty()) stroked.stroke = "#000000";
  body_ += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"{}/>\n", num(x1), num(y1), num(x2), num(y2),
                       style_attributes(stroked));
}

void SvgBuilder::polyline(const std::vector<std::pair<double, double>>& points, const ShapeStyle& style) {
  if (points.empty()) return;
  std::string coordinates;
  for (const auto& [x, y] : points) {
    if (!coordinates.empty()) coordinates += ' ';
    coordinates += num(x) + "," + num(y);
  }
  body_ += fmt::format("<polyline points=\"{}\"{}/>\n", coordinates, style_attributes(style));
}

void SvgBuilder::circle(double cx, double cy, double r, const ShapeStyle& style, std::string_view tooltip) {
  body_ += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\"{}", num(cx), num(cy), num(r), style_attributes(style));
  body_ += close_with_tooltip("circle", tooltip);
}

void SvgBuilder::text(double x, double y, std::string_view content, const TextStyle& style) {
  std::string_view anchor = style.anchor == Anchor::Start ? "start" : style.anchor == Anchor::Middle ? "middle" : "end";
  std::string extra;
  if (style.bold) extra += " font-weight=\"bold\"";
  if (style.rotate != 0) extra += fmt::format(" transform=\"rotate({} {} {})\"", num(style.rotate), num(x), num(y));
  body_ += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"{}\"{}>{}</text>\n", num(x),
                       num(y), num(style.size), anchor, xml_escape(style.fill), extra, xml_escape(content));
}

std::string SvgBuilder::str() const {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"{2}\">\n",
      num(width_), num(height_), kFontFamily);
  out += fmt::format("<title>{}</title>\n", xml_escape(title_));
  if (!defs_.empty()) out += "<defs>\n" + defs_ + "</defs>\n";
  out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", num(width_),
                     num(height_));
  out += body_;
  out += "</svg>\n";
  return out;
}

double LinearScale::operator()(double value) const {
  double span = domain_high - domain_low;
  if (span == 0) return (range_low + range_high) / 2;
  return range_low + (value - domain_low) / span * (range_high - range_low);
}

std::vector<double> nice_ticks(double low, double high, int target) {
  if (!std::isfinite(low) || !std::isfinite(high)) return {0, 1};
  if (high < low) std::swap(low, high);
  if (high == low) {
    double pad = low == 0 ? 1 : std::fabs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  target = std::max(target, 2);
  double raw_step = (high - low) / target;
  int exponent = static_cast<int>(std::floor(std::log10(raw_step)));
  double power = std::pow(10.0, exponent);
  double factor = 10;
  for (double candidate : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (power * candidate >= raw_step) {
      factor = candidate;
      break;
    }
  }
  double step = power * factor;
  auto first = static_cast<long>(std::floor(low / step));
  auto last = static_cast<long>(std::ceil(high / step));
  std::vector<double> ticks;
  for (long i = first; i <= last && ticks.size() <= 100; ++i) {
    // i * factor is exact; dividing by an exact power of ten (rather than
    // multiplying by 0.1) gives the double nearest to the decimal, so 3 x 0.1
    // prints as 0.3, not 0.30000000000000004.
    double scaled = static_cast<double>(i) * factor;
    ticks.push_back(exponent < 0 ? scaled / std::pow(10.0, -exponent) : scaled * power);
  }
  return ticks;
}

std::string tick_label(double value) {
  std::string out = fmt::format("{:.6f}", value);
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  if (out == "-0") out = "0";
  return out;
}

double text_width(std::string_view text, double size) {
  size_t characters = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;
  }
  return static_cast<double>(characters) * size * 0.6;
}

std::string ellipsize(std::string_view text, size_t max_chars) {
  size_t characters = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (characters == max_chars - 1 && max_chars > 0) {
      // Only cut when the rest does not fit anyway.
      size_t remaining = 0;
      for (size_t k = i; k < text.size(); ++k) {
        if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) ++remaining;
      }
      if (remaining > 1) return std::string(text.substr(0, i)) + "\xE2\x80\xA6";
      return std::string(text);
    }
    ++characters;
  }
  return std::string(text);
}

}  // namespace buildbench::report
