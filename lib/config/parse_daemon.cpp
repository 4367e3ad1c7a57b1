// The `supd:` section.
#include <cctype>
#include <filesystem>
#include <string_view>

#include "config/parse.h"

namespace supd::config::detail {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string> kKeys = {
    "control",   "status_page", "group",   "log_dir",          "log_file",
    "log_level", "log_format",  "include", "shutdown_timeout",
};

void take_path(Reader& reader, const Field& f, const FileContext& context, std::string& out) {
  std::optional<std::string> text = reader.string(f);
  if (!text) return;
  out = text->empty() ? std::string() : absolute_from(context.base_dir, *text);
}

// A Windows pipe name (\\.\pipe\supd) is a name in the pipe namespace, not a file: it is
// kept as written. Anything else is a path, relative to the config file.
bool is_pipe_name(const std::string& text) {
  constexpr std::string_view kPrefix = R"(\\.\pipe\)";
  if (text.size() <= kPrefix.size()) return false;
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != kPrefix[i]) return false;
  }
  return true;
}

void take_control(Reader& reader, const Field& f, const FileContext& context, std::string& out) {
  std::optional<std::string> text = reader.string(f);
  if (!text) return;
  if (is_pipe_name(*text)) {
    out = *text;
  } else {
    out = text->empty() ? std::string() : absolute_from(context.base_dir, *text);
  }
}

void take_includes(Reader& reader, const Field& f, const FileContext& context,
                   DaemonSettings& settings, std::vector<IncludePattern>& includes) {
  std::vector<Field> patterns;
  if (f.value.IsScalar()) {
    patterns.push_back(f);
  } else if (f.value.IsSequence()) {
    patterns = reader.items(f, "a list");
  } else {
    reader.error(f, "expected a list or a string, got " + describe(f.value));
    return;
  }
  for (const Field& p : patterns) {
    std::optional<std::string> text = reader.string(p);
    if (!text) continue;
    if (text->empty()) {
      reader.error(p, "expected a file name or pattern, got an empty string");
      continue;
    }
    fs::path joined = fs::path(*text).is_absolute() || context.base_dir.empty()
                          ? fs::path(*text)
                          : fs::path(context.base_dir) / *text;
    std::string pattern = joined.lexically_normal().string();
    settings.include.push_back(pattern);
    includes.push_back(IncludePattern{pattern, reader.where(p)});
  }
}

}  // namespace

void parse_daemon_settings(Reader& reader, const Field& section, const FileContext& context,
                           DaemonSettings& settings, std::vector<IncludePattern>& includes) {
  if (section.is_null()) return;  // `supd:` with nothing under it: all defaults
  for (const Field& f : reader.entries(section, kKeys)) {
    const std::string key = f.key_name();
    if (key == "control") {
      take_control(reader, f, context, settings.control);
    } else if (key == "status_page") {
      take_path(reader, f, context, settings.status_page);
    } else if (key == "log_dir") {
      take_path(reader, f, context, settings.log_dir);
    } else if (key == "log_file") {
      take_path(reader, f, context, settings.log_file);
    } else if (key == "group") {
      if (std::optional<std::string> g = reader.string(f)) settings.group = *g;
    } else if (key == "log_level") {
      if (auto i = reader.choice(f, {"trace", "debug", "info", "warn", "error"})) {
        settings.log_level = static_cast<LogLevel>(*i);
      }
    } else if (key == "log_format") {
      if (auto i = reader.choice(f, {"text", "json"})) {
        settings.log_format = static_cast<LogFormat>(*i);
      }
    } else if (key == "shutdown_timeout") {
      if (auto d = reader.duration(f)) settings.shutdown_timeout = *d;
    } else if (key == "include") {
      take_includes(reader, f, context, settings, includes);
    }
  }
}

}  // namespace supd::config::detail
