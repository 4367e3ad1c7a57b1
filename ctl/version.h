// supctl's version: the project's (SUPD_VERSION, defined for every target by the root
// CMakeLists.txt).
#pragma once

namespace supd::ctl {

#ifdef SUPD_VERSION
inline constexpr const char* kSupctlVersion = SUPD_VERSION;
#else
inline constexpr const char* kSupctlVersion = "unknown";
#endif

}  // namespace supd::ctl
