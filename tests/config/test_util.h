// Helpers shared by the config tests: temporary directories and short ways to load YAML.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "config/load.h"

namespace supd::config::testing {

// A fresh directory, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    const auto base = std::filesystem::temp_directory_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = base / ("supd-config-test-" + std::to_string(random()));
      if (std::filesystem::create_directory(path_)) return;
    }
    throw std::runtime_error("cannot create a temporary directory");
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

  // Writes `text` to `name` (creating directories), mode 0644; returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    std::filesystem::permissions(file, std::filesystem::perms(0644));
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

inline LoadOptions lenient() {
  LoadOptions options;
  options.strict_permissions = false;
  return options;
}

// Loads `yaml` as if it were the file "supd.yaml" in the current directory.
inline LoadResult load(const std::string& yaml) {
  return load_config_string(yaml, "supd.yaml", lenient());
}

// Every diagnostic, formatted, one string each.
inline std::vector<std::string> messages(const LoadResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics) out.push_back(format_diagnostic(d));
  return out;
}

}  // namespace supd::config::testing
