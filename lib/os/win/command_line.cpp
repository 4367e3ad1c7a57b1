#include "os/win/command_line.h"

#include <windows.h>

namespace supd::os::win {

std::string quote_windows_argument(std::string_view arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string_view::npos) {
    return std::string(arg);
  }
  std::string out = "\"";
  std::size_t backslashes = 0;
  for (char c : arg) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      // Backslashes before a quote are escapes: double them, then escape the quote.
      out.append(backslashes * 2 + 1, '\\');
    } else {
      // Backslashes anywhere else are literal.
      out.append(backslashes, '\\');
    }
    backslashes = 0;
    out.push_back(c);
  }
  // The closing quote follows: the trailing backslashes must not escape it.
  out.append(backslashes * 2, '\\');
  out.push_back('"');
  return out;
}

Result<std::string> build_command_line(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0].empty()) {
    return Error{{ERROR_INVALID_PARAMETER, std::system_category()}, "command: empty"};
  }
  const std::string& program = argv[0];
  if (program.find('"') != std::string::npos) {
    return Error{{ERROR_INVALID_NAME, std::system_category()},
                 "command: a program name cannot contain '\"' on Windows"};
  }
  for (const std::string& arg : argv) {
    if (arg.find('\0') != std::string::npos) {
      return Error{{ERROR_INVALID_PARAMETER, std::system_category()},
                   "command: an argument contains a NUL character"};
    }
  }
  std::string line;
  if (program.find_first_of(" \t\n\v") != std::string::npos) {
    line = "\"" + program + "\"";
  } else {
    line = program;
  }
  for (std::size_t i = 1; i < argv.size(); ++i) {
    line.push_back(' ');
    line += quote_windows_argument(argv[i]);
  }
  return line;
}

}  // namespace supd::os::win
