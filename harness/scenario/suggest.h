#pragma once
// "Did you mean `dockerfile`?": the closest known name to a misspelt one.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace buildbench::scenario {

// Optimal string alignment distance: insertions, deletions, substitutions and
// transpositions of neighbours each cost 1. Case-sensitive.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` (compared case-insensitively) when it is
// close enough to be a likely typo: at most 1 edit for words up to 4
// characters, 2 up to 8, 3 beyond. Ties go to the earlier candidate.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// `text` with control characters and bytes that are not valid UTF-8 shown as
// \xNN, so that names taken from a file print safely in one line.
std::string printable(std::string_view text);

}  // namespace buildbench::scenario
