// File name patterns for `include`: * ? and [abc] / [a-z] / [!a] in any path component, as a
// shell expands them (a leading '.' is matched only by a pattern that starts with '.').
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace supd::config {

bool has_glob_chars(std::string_view pattern);

// Does one path component `name` match one pattern component?
bool glob_match(std::string_view pattern, std::string_view name);

struct GlobResult {
  std::vector<std::string> files;  // regular files only, sorted by name
  std::string error;               // a directory that exists but could not be listed
};

// The files matching `pattern`, spelled the way the pattern spells them (a relative pattern
// gives relative names).
GlobResult expand_glob(const std::string& pattern);

}  // namespace supd::config
