#include <cerrno>

#include "os/result.h"

namespace supd::os {

std::error_code last_error() { return {errno, std::generic_category()}; }

}  // namespace supd::os
