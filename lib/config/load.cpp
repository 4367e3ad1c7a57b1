// The loader: files in, includes followed, sections parsed, services resolved.
#include "config/load.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include <climits>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "config/glob.h"
#include "config/parse.h"

namespace supd::config {
namespace {

namespace fs = std::filesystem;
using detail::Field;
using detail::Reader;

const std::vector<std::string> kRootKeys = {"supd", "services"};

std::string dir_of(const std::string& file) { return fs::path(file).parent_path().string(); }

std::string canonical_key(const std::string& file) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(file, ec);
  return ec ? fs::path(file).lexically_normal().string() : p.string();
}

// Sees only where each document starts.
class DocumentCounter : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp gives up on a document that starts with a token it cannot place (a stray ',' for
// one) by returning an empty document, silently dropping the rest of the file. A real empty
// document is nothing, a comment, a marker, a directive or an explicit null.
bool parser_stalled(const std::string& text, const YAML::Mark& mark) {
  if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text.size()) return false;
  const char c = text[static_cast<std::size_t>(mark.pos)];
  return std::string_view("~nN-.#%!&* \t\r\n").find(c) == std::string_view::npos;
}

class Loader {
 public:
  explicit Loader(const LoadOptions& options) : options_(options) {}

  void load_main_file(const std::string& path) {
    source_path_ = path;
    if (std::optional<std::string> text = read_checked(path)) {
      seen_.insert(canonical_key(path));
      load_text(*text, path, true);
    }
  }

  void load_main_text(const std::string& text, const std::string& name) {
    source_path_ = name;
    seen_.insert(canonical_key(name));
    load_text(text, name, true);
  }

  LoadResult finish() {
    std::vector<ServiceConfig> services =
        detail::resolve_services(parsed_, settings_, diagnostics_);
    sort_diagnostics();
    LoadResult result;
    // A merged (<<) map is parsed once per service that uses it; a mistake in it is reported
    // once, at its place, under the first service's path.
    for (Diagnostic& d : diagnostics_) {
      auto same = [&d](const Diagnostic& e) {
        return e.file == d.file && e.line == d.line && e.column == d.column &&
               e.message == d.message;
      };
      if (std::none_of(result.diagnostics.begin(), result.diagnostics.end(), same)) {
        result.diagnostics.push_back(std::move(d));
      }
    }
    if (result.diagnostics.empty()) {
      result.config = Config{settings_, std::move(services), source_path_, files_};
    }
    return result;
  }

 private:
  // Problems are found section by section and then across services; they are reported in the
  // order of the files and of the lines within them. A problem inside an env_file sits where
  // that env_file is named.
  void sort_diagnostics() {
    using Key = std::array<int, 5>;
    std::map<std::string, const detail::Where*> anchors;
    for (const detail::ParsedService& p : parsed_) {
      if (p.env_file_at.line > 0) anchors.emplace(p.config.env_file, &p.env_file_at);
    }
    auto rank = [this](const std::string& file) {
      auto it = std::find(files_.begin(), files_.end(), file);
      return it == files_.end() ? INT_MAX : static_cast<int>(it - files_.begin());
    };
    auto key = [&](const Diagnostic& d) -> Key {
      if (auto it = anchors.find(d.file); it != anchors.end()) {
        const detail::Where& a = *it->second;
        return {rank(a.file), a.line, a.column, d.line, d.column};
      }
      return {rank(d.file), d.line, d.column, 0, 0};
    };
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                     [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  }

  void file_error(const std::string& file, std::string message) {
    diagnostics_.push_back(Diagnostic{file, 0, 0, "", std::move(message)});
  }

  // The file's text, once it is known to be readable and (when strict) safe to trust.
  std::optional<std::string> read_checked(const std::string& path) {
    std::string why;
    std::optional<std::string> text = detail::read_file(path, why);
    if (!text) {
      file_error(path, "cannot read: " + why);
      return std::nullopt;
    }
    if (options_.strict_permissions) {
      os::Status st = os::check_config_file_permissions(path);
      if (!st.ok()) {
        file_error(path, st.error().message());
        return std::nullopt;
      }
    }
    return text;
  }

  std::optional<YAML::Node> parse_yaml(Reader& reader, const std::string& text) {
    YAML::Node root;
    DocumentCounter counter;
    int documents = 0;
    try {
      root = YAML::Load(text);
      if (root.IsNull() && parser_stalled(text, root.Mark())) {
        const char c = text[static_cast<std::size_t>(root.Mark().pos)];
        reader.add(reader.where_mark(root.Mark(), ""),
                   "invalid YAML: unexpected " + detail::quoted(std::string(1, c)));
        return std::nullopt;
      }
      // Not YAML::LoadAll: on some broken input it never returns (yaml-cpp #1319). One more
      // document than allowed is all we need to know about.
      std::istringstream in(text);
      YAML::Parser parser(in);
      while (documents < 2 && parser.HandleNextDocument(counter)) ++documents;
    } catch (const YAML::Exception& e) {
      reader.add(reader.where_mark(e.mark, ""), "invalid YAML: " + e.msg);
      return std::nullopt;
    }
    if (documents > 1) {
      reader.add(reader.where_mark(counter.starts.at(1), ""),
                 "expected one YAML document, but another one starts here");
      return std::nullopt;
    }
    return root;
  }

  void load_text(const std::string& text, const std::string& file, bool is_main) {
    files_.push_back(file);
    Reader reader(file, diagnostics_);
    std::optional<YAML::Node> root = parse_yaml(reader, text);
    if (!root || root->IsNull()) return;  // an empty file is a config with nothing in it
    const detail::FileContext context{dir_of(file), options_.strict_permissions};
    const Field top{"", YAML::Node(), *root};
    if (!root->IsMap()) {
      reader.error(top, "expected a map with supd: and services:, got " + detail::describe(*root));
      return;
    }
    std::vector<detail::IncludePattern> includes;
    for (const Field& f : reader.entries(top, kRootKeys)) {
      if (f.key_name() == "supd") {
        if (is_main) {
          detail::parse_daemon_settings(reader, f, context, settings_, includes);
        } else {
          reader.error_at_key(f,
                              "a 'supd:' section belongs in the main config file; an included "
                              "file may hold only 'services:'");
        }
      } else if (f.key_name() == "services" && !f.is_null()) {
        for (const Field& service : reader.entries(f, nullptr)) {
          if (auto parsed = detail::parse_service(reader, service, context)) {
            parsed_.push_back(std::move(*parsed));
          }
        }
      }
    }
    for (const detail::IncludePattern& include : includes) load_include(include);
  }

  void load_include(const detail::IncludePattern& include) {
    std::vector<std::string> files;
    if (has_glob_chars(include.pattern)) {
      GlobResult matches = expand_glob(include.pattern);
      if (!matches.error.empty()) diagnostics_.push_back(include.where.diagnostic(matches.error));
      files = std::move(matches.files);
    } else {
      std::error_code ec;
      if (!fs::exists(include.pattern, ec)) {
        diagnostics_.push_back(include.where.diagnostic("no such file: " + include.pattern));
        return;
      }
      if (fs::is_directory(include.pattern, ec)) {
        diagnostics_.push_back(include.where.diagnostic(
            include.pattern + " is a directory; to include the files in it, write " +
            (fs::path(include.pattern) / "*.yaml").string()));
        return;
      }
      files.push_back(include.pattern);
    }
    for (const std::string& file : files) {
      // A file reached twice (the main file by "*.yaml", or by two patterns) is read once.
      if (!seen_.insert(canonical_key(file)).second) continue;
      if (std::optional<std::string> text = read_checked(file)) load_text(*text, file, false);
    }
  }

  const LoadOptions& options_;
  std::string source_path_;
  std::vector<std::string> files_;
  std::set<std::string> seen_;
  DaemonSettings settings_;
  std::vector<detail::ParsedService> parsed_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

LoadResult load_config(const std::string& path, const LoadOptions& options) {
  Loader loader(options);
  loader.load_main_file(path);
  return loader.finish();
}

LoadResult load_config_string(const std::string& yaml_text, const std::string& virtual_filename,
                              const LoadOptions& options) {
  Loader loader(options);
  loader.load_main_text(yaml_text, virtual_filename);
  return loader.finish();
}

int check_config_command(const std::string& path, std::ostream& out, std::ostream& err) {
  LoadResult result = load_config(path);
  if (result.ok()) {
    out << "ok\n";
    return 0;
  }
  err << format_diagnostics(result.diagnostics);
  return 2;
}

}  // namespace supd::config
