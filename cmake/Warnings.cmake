# Warnings are errors everywhere. supd_warnings is linked (PRIVATE) by every target we own,
# so third-party headers, pulled in as SYSTEM, stay out of it.
add_library(supd_warnings INTERFACE)
if(MSVC)
  target_compile_options(supd_warnings INTERFACE /W4 /WX /permissive-)
else()
  target_compile_options(supd_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Werror
    -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
    -Wimplicit-fallthrough -Wswitch-enum -Wno-error=switch-enum)
endif()
