// Commands written as one string. They are split into words the way a POSIX shell splits them
// (blanks separate; 'single' and "double" quotes and backslashes group and escape), and nothing
// else happens: no $VAR, no globs, no ~, no redirections.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace supd::config {

struct ShellWords {
  std::vector<std::string> words;
  std::string error;  // empty on success: "unterminated single quote"...

  bool ok() const { return error.empty(); }
};

// Splits `text`. An unquoted shell operator (| & ; < > ( ) or `) is an error rather than an
// argument, since a shell would have treated it specially and the user probably wants one.
ShellWords split_shell_words(std::string_view text);

// The argv that runs `script` with the platform's shell: {"/bin/sh", "-c", script} on POSIX,
// {"cmd.exe", "/c", script} on Windows.
std::vector<std::string> shell_argv(const std::string& script);

}  // namespace supd::config
