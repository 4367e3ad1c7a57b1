// Internal to lib/config: walking a YAML tree while collecting diagnostics. Every accessor
// either returns a value or records one diagnostic (located at the offending value, or at the
// key when the value is missing) and returns nothing, so parsing goes on and reports every
// problem of a file in one pass.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/diagnostics.h"
#include "config/model.h"

namespace supd::config::detail {

// A place in a file and the key path that leads there, for diagnostics found after parsing.
struct Where {
  std::string file;
  int line = 0;
  int column = 0;
  std::string path;

  Diagnostic diagnostic(std::string message) const {
    return Diagnostic{file, line, column, path, std::move(message)};
  }
  Origin origin() const { return Origin{file, line, column}; }
  std::string position() const;  // "supd.yaml:3:5"
};

// A value with the key that named it (undefined for list items and the document root).
struct Field {
  std::string path;
  YAML::Node key;
  YAML::Node value;

  std::string key_name() const { return key.IsDefined() ? key.Scalar() : std::string(); }
  bool is_null() const { return !value.IsDefined() || value.IsNull(); }
};

// "nothing", "a map", "a list", or the scalar quoted: "\"sometimes\"".
std::string describe(const YAML::Node& node);
// Double-quoted, with control characters escaped and long text shortened.
std::string quoted(std::string_view text);
bool starts_with_ignoring_case(std::string_view text, std::string_view prefix);
// "a, b, c"
std::string join(const std::vector<std::string>& words, std::string_view separator = ", ");

class Reader {
 public:
  Reader(std::string file, std::vector<Diagnostic>& out) : file_(std::move(file)), out_(out) {}

  const std::string& file() const { return file_; }

  // The value's place, or the key's when there is no value to point at.
  Where where(const Field& f) const;
  Where where_key(const Field& f) const;
  Where where_mark(const YAML::Mark& mark, std::string path) const;

  void error(const Field& f, std::string message) { add(where(f), std::move(message)); }
  void error_at_key(const Field& f, std::string message) { add(where_key(f), std::move(message)); }
  void add(const Where& w, std::string message) {
    out_.push_back(w.diagnostic(std::move(message)));
  }
  void add(Diagnostic d) { out_.push_back(std::move(d)); }
  std::vector<Diagnostic>& diagnostics() { return out_; }

  // The entries of a map, `<<` merges applied (explicit keys win) and `x-` keys left out.
  // With `allowed`, other keys are reported as unknown (with a did-you-mean) and dropped, and a
  // key given twice is reported. Without, any key goes and duplicates are kept for the caller.
  // Not a map: reported, and no entries. Maps of the user's own names (env) keep `x-` keys:
  // pass `keep_extensions`.
  std::vector<Field> entries(const Field& map, const std::vector<std::string>* allowed,
                             bool keep_extensions = false);
  std::vector<Field> entries(const Field& map, const std::vector<std::string>& allowed) {
    return entries(map, &allowed);
  }
  // The items of a list (paths "a.b[0]", ...). Not a list: reported, and no items.
  std::vector<Field> items(const Field& list, std::string_view expected);

  std::optional<std::string> string(const Field& f);
  std::optional<bool> boolean(const Field& f);
  std::optional<std::int64_t> integer(const Field& f, std::int64_t min, std::int64_t max);
  std::optional<double> number(const Field& f, double min);
  std::optional<Duration> duration(const Field& f);
  std::optional<std::uint64_t> size(const Field& f);
  // The index of the scalar in `names`, or a diagnostic listing them.
  std::optional<std::size_t> choice(const Field& f, const std::vector<std::string>& names);
  // A command: a list of words, or a string split into words (shell_words.h).
  std::optional<std::vector<std::string>> argv(const Field& f);

 private:
  bool expect_scalar(const Field& f, std::string_view expected);
  void merge_into(const Field& map, const YAML::Node& source, std::vector<Field>& merged,
                  std::vector<YAML::Node>& merging);
  void merge_one(const Field& map, const YAML::Node& source, std::vector<Field>& merged,
                 std::vector<YAML::Node>& merging);

  std::string file_;
  std::vector<Diagnostic>& out_;
};

// Field for a key of `parent`: path "parent.key".
Field child(const Field& parent, const YAML::Node& key, const YAML::Node& value);

}  // namespace supd::config::detail
