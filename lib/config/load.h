// Loading a config: a YAML file (and the files it includes) into a validated Config, or every
// problem found, each located at file:line:col.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/model.h"
#include "os/file_security.h"

namespace supd::config {

struct LoadOptions {
  // Refuse files that group or others may write, or that someone else owns (see
  // os/file_security.h). On by default when running as root, like sshd's StrictModes.
  bool strict_permissions = os::running_as_root();
};

struct LoadResult {
  std::optional<Config> config;         // set exactly when there are no diagnostics
  std::vector<Diagnostic> diagnostics;  // every problem of every file, in the order found

  bool ok() const { return config.has_value(); }
};

// Reads `path` and its includes. Never throws for a bad config.
LoadResult load_config(const std::string& path, const LoadOptions& options = {});

// The same from text, named `virtual_filename` in diagnostics; its directory is where relative
// paths and includes start.
LoadResult load_config_string(const std::string& yaml_text, const std::string& virtual_filename,
                              const LoadOptions& options = {});

// `supd --check` and `supctl check-config`: prints "ok" to `out` and returns 0, or prints the
// diagnostics to `err` and returns 2.
int check_config_command(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace supd::config
