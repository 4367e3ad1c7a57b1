#include "config/glob.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace supd::config {
namespace fs = std::filesystem;
namespace {

// Matches a bracket expression at pattern[0] == '['. Returns the length of the expression, or 0
// when it is not one (an unclosed '[' is an ordinary character).
std::size_t match_bracket(std::string_view pattern, char c, bool& matched) {
  std::size_t i = 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool hit = false;
  bool first = true;
  for (; i < pattern.size(); ++i) {
    if (pattern[i] == ']' && !first) {
      matched = hit != negate;
      return i + 1;
    }
    first = false;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      if (pattern[i] <= c && c <= pattern[i + 2]) hit = true;
      i += 2;
    } else if (pattern[i] == c) {
      hit = true;
    }
  }
  return 0;
}

void expand(const fs::path& prefix, const std::vector<fs::path>& parts, std::size_t index,
            GlobResult& result) {
  std::error_code ec;
  if (index == parts.size()) {
    if (fs::is_regular_file(prefix, ec)) result.files.push_back(prefix.string());
    return;
  }
  const std::string part = parts[index].string();
  if (!has_glob_chars(part)) {
    expand(prefix / parts[index], parts, index + 1, result);
    return;
  }
  const fs::path dir = prefix.empty() ? fs::path(".") : prefix;
  if (!fs::is_directory(dir, ec)) return;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    if (result.error.empty()) result.error = "cannot list " + dir.string() + ": " + ec.message();
    return;
  }
  std::vector<std::string> names;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string name = it->path().filename().string();
    if (name[0] == '.' && part[0] != '.') continue;
    if (glob_match(part, name)) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) expand(prefix / name, parts, index + 1, result);
}

}  // namespace

bool has_glob_chars(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

bool glob_match(std::string_view pattern, std::string_view name) {
  // Iterative match with one backtrack point for the last '*', as fnmatch does.
  std::size_t p = 0;
  std::size_t n = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_n = n;
      continue;
    }
    if (p < pattern.size()) {
      if (pattern[p] == '?') {
        ++p;
        ++n;
        continue;
      }
      if (pattern[p] == '[') {
        bool matched = false;
        const std::size_t len = match_bracket(pattern.substr(p), name[n], matched);
        if (len > 0 && matched) {
          p += len;
          ++n;
          continue;
        }
        if (len == 0 && name[n] == '[') {
          ++p;
          ++n;
          continue;
        }
      } else if (pattern[p] == name[n]) {
        ++p;
        ++n;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    p = star + 1;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

GlobResult expand_glob(const std::string& pattern) {
  GlobResult result;
  const fs::path path(pattern);
  std::vector<fs::path> parts;
  fs::path prefix;
  for (const fs::path& part : path.relative_path()) parts.push_back(part);
  prefix = path.root_path();
  expand(prefix, parts, 0, result);
  return result;
}

}  // namespace supd::config
