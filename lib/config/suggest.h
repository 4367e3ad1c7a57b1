// "did you mean ...?" for misspelt keys, values and service names.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace supd::config {

// Edit distance counting insertions, deletions, substitutions and swaps of two neighbours
// (optimal string alignment), ignoring ASCII case.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a likely typo: at most 2 edits,
// and no more than half of `word`'s length. The first of equally close candidates wins.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

}  // namespace supd::config
