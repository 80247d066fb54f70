#pragma once
// A small SVG writer for report figures. Debian has no C++ plotting library,
// and the figures need only rectangles, lines, points and text; this keeps
// them dependency-free, deterministic (fixed number formatting) and always
// well-formed (every text and attribute value is escaped here).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace buildbench::report {

// Okabe-Ito colours, a palette distinguishable with the common colour-vision
// deficiencies; variant i always gets colour i (mod 8) in every figure.
std::string_view variant_colour(size_t index);

enum class Anchor { Start, Middle, End };

struct TextStyle {
  double size = 13;
  Anchor anchor = Anchor::Start;
  bool bold = false;
  std::string fill = "#222222";
  double rotate = 0;  // degrees, about the text's anchor point
};

struct ShapeStyle {
  std::string fill = "none";
  std::string stroke{};       // empty: no stroke
  double stroke_width = 1;
  std::string dash{};         // stroke-dasharray, e.g. "4 3"
  double opacity = 1;
};

class SvgBuilder {
 public:
  // `title` becomes the document's <title> (what screen readers and
  // browsers' tooltips show).
  SvgBuilder(double width, double height, std::string_view title);

  double width() const { return width_; }
  double height() const { return height_; }

  // A diagonal hatch pattern usable as fill "url(#id)".
  void hatch_pattern(std::string_view id, std::string_view colour, std::string_view background);

  // `tooltip` (optional) is shown on hover in a browser.
  void rect(double x, double y, double w, double h, const ShapeStyle& style, std::string_view tooltip = {});
  void line(double x1, double y1, double x2, double y2, const ShapeStyle& style);
  void polyline(const std::vector<std::pair<double, double>>& points, const ShapeStyle& style);
  void circle(double cx, double cy, double r, const ShapeStyle& style, std::string_view tooltip = {});
  void text(double x, double y, std::string_view content, const TextStyle& style = {});

  // The complete document, with an XML declaration.
  std::string str() const;

 private:
  double width_;
  double height_;
  std::string title_;
  std::string defs_;
  std::string body_;
};

// A linear map from data to pixels.
struct LinearScale {
  double domain_low = 0;
  double domain_high = 1;
  double range_low = 0;
  double range_high = 1;
  double operator()(double value) const;
};

// "Nice" tick values (1, 2, 2.5 or 5 times a power of ten) covering
// [low, high] with about `target` ticks; the first is <= low and the last
// >= high, so an axis can use them as its limits.
std::vector<double> nice_ticks(double low, double high, int target = 5);

// A tick label without trailing zeros: 0.5, 10, 2.25, 1500.
std::string tick_label(double value);

// Text width estimate (DejaVu Sans averages ~0.6 em per character), enough
// to lay out labels and legends without measuring fonts.
double text_width(std::string_view text, double size);

// Shortens text to at most `max_chars` characters (UTF-8 aware), with "…".
std::string ellipsize(std::string_view text, size_t max_chars);

}  // namespace buildbench::report
