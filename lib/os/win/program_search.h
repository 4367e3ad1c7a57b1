// Finding the executable a service names, the way SPEC.md says: a path is taken as is
// (relative to the service's cwd), a bare name is looked up in the child's PATH.
#pragma once

#include <string>
#include <vector>

#include "os/result.h"
#include "os/win/environment.h"

namespace supd::os::win {

// The full path of the program `name` names. A name with a path separator or a drive is
// resolved against `cwd` (supd's working directory when empty); a bare name is searched in
// the directories of PATH in `env`. Either way a name without an extension also matches
// name.exe, as CreateProcess does. Not found: ERROR_FILE_NOT_FOUND, naming the program.
Result<std::wstring> find_program(const std::string& name, const std::wstring& cwd,
                                  const std::vector<EnvVar>& env);

}  // namespace supd::os::win
