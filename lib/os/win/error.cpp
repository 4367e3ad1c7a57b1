#include <windows.h>

#include "os/result.h"

namespace supd::os {

// Win32 error codes belong to std::system_category() on Windows; its message() gives the
// system's text for them.
std::error_code last_error() { return {static_cast<int>(GetLastError()), std::system_category()}; }

}  // namespace supd::os
