#include "config/reader.h"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "config/duration.h"
#include "config/shell_words.h"
#include "config/size.h"
#include "config/suggest.h"

namespace supd::config::detail {
namespace {

constexpr std::size_t kMaxQuoted = 80;

bool starts_with_x(std::string_view key) { return key.size() >= 2 && key.substr(0, 2) == "x-"; }

std::string lower(std::string_view text) {
  std::string out;
  for (char c : text) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace

std::string Where::position() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (column > 0) out += ":" + std::to_string(column);
  return out;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  std::size_t count = 0;
  for (char c : text) {
    if (++count > kMaxQuoted) {
      out += "...";
      break;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += hex;
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return node.size() == 0 ? "an empty list" : "a list";
  return quoted(node.Scalar());
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && lower(text.substr(0, prefix.size())) == lower(prefix);
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += separator;
    out += w;
  }
  return out;
}

Field child(const Field& parent, const YAML::Node& key, const YAML::Node& value) {
  std::string name = key.IsScalar() ? key.Scalar() : std::string("?");
  return Field{parent.path.empty() ? name : parent.path + "." + name, key, value};
}

Where Reader::where_mark(const YAML::Mark& mark, std::string path) const {
  Where w{file_, 0, 0, std::move(path)};
  if (mark.line >= 0) {
    w.line = mark.line + 1;
    w.column = mark.column + 1;
  }
  return w;
}

Where Reader::where(const Field& f) const {
  // A missing value has no place of its own: yaml-cpp marks it where the next token starts.
  if (f.is_null() && f.key.IsDefined()) return where_key(f);
  return where_mark(f.value.Mark(), f.path);
}

Where Reader::where_key(const Field& f) const {
  if (!f.key.IsDefined()) return where_mark(f.value.Mark(), f.path);
  return where_mark(f.key.Mark(), f.path);
}

void Reader::merge_into(const Field& map, const YAML::Node& source, std::vector<Field>& merged,
                        std::vector<YAML::Node>& merging) {
  // An anchored map may refer to itself (`&a {<<: *a}`); merging it into itself never ends.
  for (const YAML::Node& outer : merging) {
    if (outer.is(source)) {
      add(where_mark(source.Mark(), map.path.empty() ? "<<" : map.path + ".<<"),
          "a map cannot merge itself");
      return;
    }
  }
  merging.push_back(source);
  merge_one(map, source, merged, merging);
  merging.pop_back();
}

void Reader::merge_one(const Field& map, const YAML::Node& source, std::vector<Field>& merged,
                       std::vector<YAML::Node>& merging) {
  if (source.IsSequence()) {
    for (const YAML::Node& item : source) merge_into(map, item, merged, merging);
    return;
  }
  if (!source.IsMap()) {
    add(where_mark(source.Mark(), map.path.empty() ? "<<" : map.path + ".<<"),
        "expected a map (or a list of maps) to merge, got " + describe(source));
    return;
  }
  for (auto it = source.begin(); it != source.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    if (it->first.Scalar() == "<<") {
      merge_into(map, it->second, merged, merging);
      continue;
    }
    merged.push_back(child(map, it->first, it->second));
  }
}

std::vector<Field> Reader::entries(const Field& map, const std::vector<std::string>* allowed,
                                   bool keep_extensions) {
  std::vector<Field> out;
  if (!map.value.IsMap()) {
    error(map, "expected a map, got " + describe(map.value));
    return out;
  }
  std::vector<Field> explicit_entries;
  std::vector<Field> merged;
  std::vector<YAML::Node> merging{map.value};
  for (auto it = map.value.begin(); it != map.value.end(); ++it) {
    if (!it->first.IsScalar()) {
      add(where_mark(it->first.Mark(), map.path),
          "expected a key name, got " + describe(it->first));
      continue;
    }
    if (it->first.Scalar() == "<<") {
      merge_into(map, it->second, merged, merging);
      continue;
    }
    explicit_entries.push_back(child(map, it->first, it->second));
  }
  // Merged keys come first, so that in ordered maps (env) explicit entries read as overrides.
  std::vector<std::string> seen;
  auto is_seen = [&seen](const std::string& k) {
    for (const std::string& s : seen) {
      if (s == k) return true;
    }
    return false;
  };
  for (const Field& f : explicit_entries) seen.push_back(f.key_name());
  std::vector<Field> all;
  for (Field& f : merged) {
    if (is_seen(f.key_name())) continue;
    seen.push_back(f.key_name());
    all.push_back(std::move(f));
  }
  for (Field& f : explicit_entries) all.push_back(std::move(f));

  for (std::size_t i = 0; i < all.size(); ++i) {
    Field& f = all[i];
    const std::string key = f.key_name();
    if (starts_with_x(key) && !keep_extensions) continue;
    if (allowed != nullptr) {
      bool known = false;
      for (const std::string& a : *allowed) known = known || a == key;
      if (!known) {
        std::string message = "unknown key '" + key + "'";
        if (std::optional<std::string> near = closest_match(key, *allowed)) {
          message += "; did you mean '" + *near + "'?";
        } else {
          message += "; expected one of " + join(*allowed);
        }
        error_at_key(f, std::move(message));
        continue;
      }
      bool duplicate = false;
      for (std::size_t j = 0; j < i && !duplicate; ++j) {
        if (all[j].key_name() != key) continue;
        Where first = where_key(all[j]);
        error_at_key(
            f, "key '" + key + "' is given twice; first at line " + std::to_string(first.line));
        duplicate = true;
      }
      if (duplicate) continue;
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Field> Reader::items(const Field& list, std::string_view expected) {
  if (!list.value.IsSequence()) {
    error(list, "expected " + std::string(expected) + ", got " + describe(list.value));
    return {};
  }
  std::vector<Field> out;
  std::size_t i = 0;
  for (const YAML::Node& item : list.value) {
    out.push_back(Field{list.path + "[" + std::to_string(i) + "]", YAML::Node(), item});
    ++i;
  }
  return out;
}

bool Reader::expect_scalar(const Field& f, std::string_view expected) {
  if (f.value.IsScalar()) return true;
  error(f, "expected " + std::string(expected) + ", got " + describe(f.value));
  return false;
}

std::optional<std::string> Reader::string(const Field& f) {
  if (!expect_scalar(f, "a string")) return std::nullopt;
  return f.value.Scalar();
}

std::optional<bool> Reader::boolean(const Field& f) {
  if (!expect_scalar(f, "true or false")) return std::nullopt;
  // YAML 1.1's spellings too, as yaml-cpp reads them.
  const std::string v = lower(f.value.Scalar());
  if (v == "true" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "no" || v == "off") return false;
  error(f, "expected true or false, got " + describe(f.value));
  return std::nullopt;
}

std::optional<std::int64_t> Reader::integer(const Field& f, std::int64_t min, std::int64_t max) {
  const std::string expected =
      max == INT64_MAX
          ? "a whole number of at least " + std::to_string(min)
          : "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!expect_scalar(f, expected)) return std::nullopt;
  const std::string& text = f.value.Scalar();
  std::int64_t v = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < min || v > max) {
    error(f, "expected " + expected + ", got " + describe(f.value));
    return std::nullopt;
  }
  return v;
}

std::optional<double> Reader::number(const Field& f, double min) {
  char bound[32];
  std::snprintf(bound, sizeof bound, "%g", min);
  const std::string expected = std::string("a number of at least ") + bound;
  if (!expect_scalar(f, expected)) return std::nullopt;
  const std::string& text = f.value.Scalar();
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !(v >= min) ||
      v > 1e6) {
    error(f, "expected " + expected + ", got " + describe(f.value));
    return std::nullopt;
  }
  return v;
}

std::optional<Duration> Reader::duration(const Field& f) {
  static const char* const kExpected =
      "expected a duration like 250ms, 10s, 5m, 1h or a number of seconds, got ";
  if (!f.value.IsScalar()) {
    error(f, kExpected + describe(f.value));
    return std::nullopt;
  }
  std::optional<Duration> d = parse_duration(f.value.Scalar());
  if (!d) error(f, kExpected + describe(f.value));
  return d;
}

std::optional<std::uint64_t> Reader::size(const Field& f) {
  static const char* const kExpected =
      "expected a size like 512KB, 10MB, 1GB or a number of bytes, got ";
  if (!f.value.IsScalar()) {
    error(f, kExpected + describe(f.value));
    return std::nullopt;
  }
  std::optional<std::uint64_t> s = parse_size(f.value.Scalar());
  if (!s) error(f, kExpected + describe(f.value));
  return s;
}

std::optional<std::size_t> Reader::choice(const Field& f, const std::vector<std::string>& names) {
  if (f.value.IsScalar()) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (f.value.Scalar() == names[i]) return i;
    }
  }
  std::string message = "expected one of " + join(names) + ", got " + describe(f.value);
  if (f.value.IsScalar()) {
    if (std::optional<std::string> near = closest_match(f.value.Scalar(), names)) {
      message += "; did you mean " + quoted(*near) + "?";
    }
  }
  error(f, std::move(message));
  return std::nullopt;
}

std::optional<std::vector<std::string>> Reader::argv(const Field& f) {
  if (f.value.IsScalar()) {
    ShellWords split = split_shell_words(f.value.Scalar());
    if (!split.ok()) {
      error(f, split.error + " in " + describe(f.value));
      return std::nullopt;
    }
    if (split.words.empty()) {
      error(f, "expected a command, got " + describe(f.value));
      return std::nullopt;
    }
    return split.words;
  }
  if (!f.value.IsSequence()) {
    error(f, "expected a list or a string, got " + describe(f.value));
    return std::nullopt;
  }
  if (f.value.size() == 0) {
    error(f, "expected a command, got an empty list");
    return std::nullopt;
  }
  std::vector<std::string> words;
  bool ok = true;
  for (const Field& item : items(f, "a list")) {
    std::optional<std::string> word = string(item);
    if (word) {
      words.push_back(*word);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  if (words.front().empty()) {
    error(Field{f.path + "[0]", YAML::Node(), f.value[0]},
          "expected a program to run, got an empty string");
    return std::nullopt;
  }
  return words;
}

}  // namespace supd::config::detail
