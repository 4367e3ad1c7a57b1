// One problem found in a config, located precisely enough to jump to it in an editor:
//   supd.yaml:12:5: services.web.restart: expected one of always, on-failure, never, got "x"
#pragma once

#include <string>
#include <vector>

namespace supd::config {

struct Diagnostic {
  std::string file;     // as the user named it (an include: joined to the including file's dir)
  int line = 0;         // 1-based; 0 when the problem is the whole file
  int column = 0;       // 1-based; 0 when unknown
  std::string path;     // dotted key path: "services.web.restart", "supd.include[0]"; may be empty
  std::string message;  // what is wrong and what was allowed

  bool operator==(const Diagnostic&) const = default;
};

// "file:line:col: path: message", leaving out the parts that are unknown.
std::string format_diagnostic(const Diagnostic& d);
// One formatted diagnostic per line, each ending in '\n'.
std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics);

}  // namespace supd::config
