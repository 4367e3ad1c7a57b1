# Windows: the same dependency targets as cmake/Dependencies.cmake (supd_asio supd_yaml
# supd_spdlog supd_json supd_cli11, and supd_gtest with SUPD_TESTS), from one of two sources:
#  - cross-compiling on Debian (cmake/mingw-w64-x86_64.cmake): Debian's packages. The
#    header-only ones are used in place through a directory of symlinks (adding /usr/include
#    itself would put glibc's headers on a MinGW include path); yaml-cpp and GoogleTest are
#    built from their Debian source trees.
#  - a native build (MSVC or MSYS2): find_package, e.g. from vcpkg (see docs/windows.md).

# Windows 10 API level, wide-character APIs, and no min/max macros breaking std::min.
add_compile_definitions(_WIN32_WINNT=0x0A00 WINVER=0x0A00 UNICODE _UNICODE NOMINMAX
                        WIN32_LEAN_AND_MEAN)

# Every C++ file starts with <windows.h> tamed: without `near` and `far` macros, which
# would break portable code using those words as names (lib/os/win/windows_prelude.h).
set(_supd_prelude ${CMAKE_CURRENT_LIST_DIR}/../lib/os/win/windows_prelude.h)
if(MSVC)
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:/FI${_supd_prelude}>)
else()
  add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:SHELL:-include ${_supd_prelude}>")
endif()

find_package(Threads REQUIRED)

set(_supd_debian_headers FALSE)
if(CMAKE_CROSSCOMPILING AND EXISTS /usr/include/asio.hpp)
  set(_supd_debian_headers TRUE)
endif()

if(_supd_debian_headers)
  set(_sysdeps ${CMAKE_BINARY_DIR}/sysdeps-include)
  file(MAKE_DIRECTORY ${_sysdeps})
  foreach(entry asio asio.hpp spdlog fmt nlohmann CLI)
    if(NOT EXISTS /usr/include/${entry})
      message(FATAL_ERROR "/usr/include/${entry} is missing: run scripts/deps.sh --windows")
    endif()
    if(NOT EXISTS ${_sysdeps}/${entry})
      file(CREATE_LINK /usr/include/${entry} ${_sysdeps}/${entry} SYMBOLIC)
    endif()
  endforeach()
  add_library(supd_sysdeps INTERFACE)
  target_include_directories(supd_sysdeps SYSTEM INTERFACE ${_sysdeps})

  add_library(supd_asio INTERFACE)
  target_link_libraries(supd_asio INTERFACE supd_sysdeps Threads::Threads ws2_32 mswsock)
  target_compile_definitions(supd_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)

  # Debian's spdlog is configured for an external fmt (SPDLOG_FMT_EXTERNAL); both are used
  # header-only because the packaged libraries are Linux objects.
  add_library(supd_spdlog INTERFACE)
  target_link_libraries(supd_spdlog INTERFACE supd_sysdeps Threads::Threads)
  target_compile_definitions(supd_spdlog INTERFACE SPDLOG_HEADER_ONLY FMT_HEADER_ONLY)

  add_library(supd_json INTERFACE)
  target_link_libraries(supd_json INTERFACE supd_sysdeps)

  add_library(supd_cli11 INTERFACE)
  target_link_libraries(supd_cli11 INTERFACE supd_sysdeps)

  # Debian ships no MinGW yaml-cpp: build it from `apt-get source yaml-cpp`
  # (scripts/test-windows.sh unpacks it under build/windows/_src).
  set(YAML_CPP_SOURCE_DIR "" CACHE PATH "Unpacked yaml-cpp source tree (apt-get source yaml-cpp)")
  if(NOT EXISTS "${YAML_CPP_SOURCE_DIR}/CMakeLists.txt")
    message(FATAL_ERROR "Set YAML_CPP_SOURCE_DIR to an unpacked yaml-cpp source tree "
                        "(scripts/test-windows.sh does this)")
  endif()
  set(YAML_CPP_BUILD_TESTS OFF CACHE BOOL "" FORCE)
  set(YAML_CPP_BUILD_TOOLS OFF CACHE BOOL "" FORCE)
  set(YAML_CPP_BUILD_CONTRIB OFF CACHE BOOL "" FORCE)
  set(YAML_CPP_INSTALL OFF CACHE BOOL "" FORCE)
  set(YAML_BUILD_SHARED_LIBS OFF CACHE BOOL "" FORCE)
  add_subdirectory(${YAML_CPP_SOURCE_DIR} ${CMAKE_BINARY_DIR}/_deps/yaml-cpp EXCLUDE_FROM_ALL)
  add_library(supd_yaml INTERFACE)
  # SYSTEM: keep yaml-cpp's headers out of our -Werror warnings.
  target_include_directories(supd_yaml SYSTEM INTERFACE ${YAML_CPP_SOURCE_DIR}/include)
  target_link_libraries(supd_yaml INTERFACE yaml-cpp)

  if(SUPD_TESTS)
    if(NOT EXISTS /usr/src/googletest/CMakeLists.txt)
      message(FATAL_ERROR "/usr/src/googletest is missing: run scripts/deps.sh --windows")
    endif()
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    set(BUILD_GMOCK ON CACHE BOOL "" FORCE)
    add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/_deps/googletest EXCLUDE_FROM_ALL)
    add_library(supd_gtest INTERFACE)
    target_link_libraries(supd_gtest INTERFACE gtest gmock gtest_main)
    include(GoogleTest)
  endif()
  return()
endif()

# Native Windows build: packages found by CMake (vcpkg: asio yaml-cpp spdlog fmt
# nlohmann-json cli11 gtest).
find_package(asio CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json 3 CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)

add_library(supd_asio INTERFACE)
target_link_libraries(supd_asio INTERFACE asio::asio Threads::Threads ws2_32 mswsock)
target_compile_definitions(supd_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)

add_library(supd_yaml INTERFACE)
if(TARGET yaml-cpp::yaml-cpp)
  target_link_libraries(supd_yaml INTERFACE yaml-cpp::yaml-cpp)
else()
  target_link_libraries(supd_yaml INTERFACE yaml-cpp)
endif()

add_library(supd_spdlog INTERFACE)
target_link_libraries(supd_spdlog INTERFACE spdlog::spdlog fmt::fmt)

add_library(supd_json INTERFACE)
target_link_libraries(supd_json INTERFACE nlohmann_json::nlohmann_json)

add_library(supd_cli11 INTERFACE)
target_link_libraries(supd_cli11 INTERFACE CLI11::CLI11)

if(SUPD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  add_library(supd_gtest INTERFACE)
  target_link_libraries(supd_gtest INTERFACE GTest::gtest GTest::gmock GTest::gtest_main)
  include(GoogleTest)
endif()
