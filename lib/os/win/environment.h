// A child's environment on Windows: supd's own (or none), with the service's variables
// applied, as the sorted UTF-16 block CreateProcessW takes with CREATE_UNICODE_ENVIRONMENT.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "os/result.h"

namespace supd::os::win {

struct EnvVar {
  std::wstring name;
  std::wstring value;
};

// supd's environment when `inherit`, else none; then each override in order. Names compare
// case-insensitively, as on Windows ("Path" overrides "PATH"). An empty name, a name with
// '=' or a NUL anywhere is an error naming the variable.
Result<std::vector<EnvVar>> child_environment(
    bool inherit, const std::vector<std::pair<std::string, std::string>>& overrides);

// The variable named `name` (case-insensitively), or nullptr.
const std::wstring* find_variable(const std::vector<EnvVar>& vars, std::wstring_view name);

// "NAME=value\0...\0\0", sorted by name without regard to case, as CreateProcessW expects.
std::wstring environment_block(std::vector<EnvVar> vars);

}  // namespace supd::os::win
