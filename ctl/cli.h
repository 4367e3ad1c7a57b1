// supctl's entry point, callable from tests: parses the command line and runs the command.
#pragma once

#include <ostream>

namespace supd::ctl {

// Returns the exit code (SPEC.md): usage errors 2, `--help` 0. `out` and `err` take what
// supctl prints; colour is used only when `out` is std::cout on a terminal.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace supd::ctl
