#include "os/win/ntstatus.h"

#include <array>
#include <cstdio>

namespace supd::os::win {
namespace {

struct Named {
  std::uint32_t code;
  const char* meaning;
};

constexpr std::array<Named, 18> kMeanings{{
    {0x40010004u, "terminated by a debugger"},
    {0x80000003u, "breakpoint"},
    {0xC0000005u, "access violation"},
    {0xC0000017u, "out of memory"},
    {0xC000001Du, "illegal instruction"},
    {0xC0000025u, "noncontinuable exception"},
    {0xC000008Cu, "array bounds exceeded"},
    {0xC000008Eu, "floating-point division by zero"},
    {0xC0000094u, "integer division by zero"},
    {0xC0000095u, "integer overflow"},
    {0xC0000096u, "privileged instruction"},
    {0xC00000FDu, "stack overflow"},
    {0xC0000135u, "a DLL was not found"},
    {0xC0000139u, "an entry point was not found in a DLL"},
    {0xC000013Au, "stopped by Ctrl+C or Ctrl+Break"},
    {0xC0000142u, "a DLL failed to initialize"},
    {0xC0000374u, "heap corruption"},
    {0xC0000409u, "stack buffer overrun or fast fail"},
}};

}  // namespace

const char* ntstatus_meaning(std::uint32_t code) {
  for (const Named& n : kMeanings) {
    if (n.code == code) return n.meaning;
  }
  return nullptr;
}

std::string describe_ntstatus(std::uint32_t code) {
  char hex[16];
  std::snprintf(hex, sizeof(hex), "0x%08X", static_cast<unsigned>(code));
  const char* meaning = ntstatus_meaning(code);
  return meaning == nullptr ? std::string(hex) : std::string(hex) + " (" + meaning + ")";
}

}  // namespace supd::os::win
