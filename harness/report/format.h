#pragma once
// Number and text formatting shared by the report writers: one place decides
// how a duration, a byte count or a ratio reads, so every format agrees.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace buildbench::report {

// "12.3 s", "456 ms", "7.89 ms": three significant digits, unit chosen by size.
std::string format_seconds(double seconds);
// "0 B", "999 B", "1.5 kB", "23.4 MB" (decimal units, as docker shows sizes).
std::string format_bytes(double bytes);
// "1.25x" style ratio with 3 significant digits: "0.514", "1.02", "12.3".
std::string format_ratio(double ratio);
// The sample sizes of a comparison: "n=6 per side", or "n=5 and 6".
std::string sample_counts(size_t a, size_t b);
// p-values: "<0.001" or three decimals.
std::string format_p_value(double p);
// A number for machine-readable text outputs (CSV): shortest round-trip form.
std::string format_number(double value);

// File-name-safe form of a label: lowercase letters, digits and '-'.
std::string slug(std::string_view text);

// Escaping for each target syntax.
std::string xml_escape(std::string_view text);        // also fine for HTML text and attributes
std::string csv_field(std::string_view text);         // RFC 4180 quoting when needed
std::string markdown_cell(std::string_view text);     // pipes and newlines neutralized

}  // namespace buildbench::report
