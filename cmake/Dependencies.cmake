# Every dependency comes from a Debian package (scripts/deps.sh installs them).
# Asio, nlohmann-json and CLI11 are header-only; yaml-cpp, spdlog and fmt are libraries.
if(WIN32)
  include(WindowsDependencies)
  return()
endif()

find_package(Threads REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)

find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(supd_asio INTERFACE)
target_include_directories(supd_asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(supd_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(supd_asio INTERFACE Threads::Threads)

# yaml-cpp 0.7's exported target is `yaml-cpp`; give every platform one name. An executable
# with the property SUPD_STATIC_YAML gets the package's static library instead, when there is
# one (supctl: a shared library less to load at every start).
add_library(supd_yaml INTERFACE)
find_library(SUPD_YAML_STATIC_LIBRARY NAMES libyaml-cpp.a)
if(SUPD_YAML_STATIC_LIBRARY)
  target_include_directories(supd_yaml INTERFACE
    $<TARGET_PROPERTY:yaml-cpp,INTERFACE_INCLUDE_DIRECTORIES>)
  target_link_libraries(supd_yaml INTERFACE
    $<IF:$<BOOL:$<TARGET_PROPERTY:SUPD_STATIC_YAML>>,${SUPD_YAML_STATIC_LIBRARY},yaml-cpp>)
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
  find_package(GTest REQUIRED)
  add_library(supd_gtest INTERFACE)
  target_link_libraries(supd_gtest INTERFACE GTest::gtest GTest::gmock GTest::gtest_main)
  include(GoogleTest)
endif()
