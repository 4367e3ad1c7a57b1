// Included first in every Windows translation unit (cmake/WindowsDependencies.cmake).
//
// <windows.h> defines `near` and `far` as empty macros (16-bit pointer qualifiers), which
// silently breaks portable code that uses them as names: `std::optional<T> near = ...`.
// Every header that reaches <windows.h> (Asio does, for anything taking an io_context)
// would bring them in. So <windows.h> is included once here, the two macros are removed,
// and FAR and NEAR, defined in terms of them, are made empty directly; the include guards
// keep the macros from coming back.
#pragma once

#ifdef _WIN32
#include <windows.h>
#include <winsock2.h>

#undef near
#undef far
#undef NEAR
#undef FAR
#define NEAR
#define FAR
#endif
