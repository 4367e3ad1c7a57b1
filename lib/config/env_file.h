// env_file: a file of environment variables, read when the config is loaded.
//
//   # comments and blank lines are skipped
//   PORT=8080
//   export NAME=value          ("export " is allowed and ignored)
//   GREETING="hello\n world"   (double quotes: \" \\ \$ \` \n \t escapes; may span lines)
//   RAW='no $escapes here'     (single quotes: literal; may span lines)
//   PLAIN=  text stays as is   (unquoted: surrounding blanks trimmed, '#' is part of the text)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/model.h"

namespace supd::config {

struct EnvFileResult {
  std::vector<EnvVar> vars;             // in file order; a later line wins over an earlier one
  std::vector<Diagnostic> diagnostics;  // located in `file`, path `key_path`
};

// `file` names the file in diagnostics; `key_path` is the config key that named it
// ("services.web.env_file").
EnvFileResult parse_env_file(std::string_view text, const std::string& file,
                             const std::string& key_path);

}  // namespace supd::config
