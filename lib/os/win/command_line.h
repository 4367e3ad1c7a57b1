// Building a Windows command line from an argument vector.
//
// Windows passes a child one string; the child's runtime splits it again
// (CommandLineToArgvW, or the C runtime's identical rules). Quoting each argument so that
// it splits back unchanged is the only way an argv survives the trip.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "os/result.h"

namespace supd::os::win {

// CreateProcessW's limit on a command line, in UTF-16 units, its terminating NUL included.
constexpr std::size_t kMaxCommandLine = 32767;

// Quotes one argument (not argv[0]) so that CommandLineToArgvW yields it unchanged: left
// bare when it has no space, tab, newline, vertical tab or quote and is not empty; else
// wrapped in quotes, with backslashes doubled before a quote or the closing quote and each
// quote escaped with a backslash. Works on UTF-8 as well as on UTF-16: only ASCII matters.
std::string quote_windows_argument(std::string_view arg);

// The whole command line. argv[0] follows simpler rules (no escapes: it ends at the next
// quote), so it is wrapped in quotes when needed and may not contain a quote itself.
Result<std::string> build_command_line(const std::vector<std::string>& argv);

}  // namespace supd::os::win
