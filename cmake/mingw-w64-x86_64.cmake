# Cross-compiles supd for 64-bit Windows with Debian's MinGW-w64 GCC (posix threads model,
# the one with std::thread). ctest runs the resulting .exe files through Wine.
#   cmake -S . -B build/windows -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_SYSTEM_VERSION 10.0)

set(_mingw x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_mingw}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_mingw}-g++-posix)
set(CMAKE_RC_COMPILER ${_mingw}-windres)
set(CMAKE_AR /usr/bin/${_mingw}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB /usr/bin/${_mingw}-ranlib CACHE FILEPATH "")

# Headers and libraries come from the MinGW sysroot only: /usr/include holds glibc headers.
set(CMAKE_FIND_ROOT_PATH /usr/${_mingw})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Header-heavy translation units (Asio) exceed COFF's default section count.
set(CMAKE_CXX_FLAGS_INIT "-Wa,-mbig-obj")
# -O2 as on Linux: GCC 12's -O3 reports false -Wrestrict errors inside std::string
# (GCC bug 105329), and Release would otherwise mean -O3.
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "Flags for Release builds")
# Fully static executables: no libstdc++-6.dll, libgcc_s_seh-1.dll or libwinpthread-1.dll to
# ship (a missing DLL makes a program exit 0xC0000135 without a word under Wine).
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# ctest and gtest_discover_tests prefix every test command with this. On Debian,
# /usr/lib/wine/wine64 is the 64-bit loader itself (/usr/bin/wine asks for wine32).
set(CMAKE_CROSSCOMPILING_EMULATOR /usr/lib/wine/wine64)
