// ExitStatus on Windows: a process ends with a 32-bit exit code. Exceptions that killed it
// show up as NTSTATUS values (0xC0000005 and friends), printed in hex with their meaning.
// A process supd terminated itself is reported as killed by the signal it was asked for.
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

#include "os/process.h"

namespace supd::os {
namespace {

struct Named {
  std::uint32_t code;
  const char* meaning;
};

constexpr std::array<Named, 18> kStatusNames{{
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
    {0xC0000142u, "a DLL failed to initialize"},
    {0xC000013Au, "stopped by Ctrl+C or Ctrl+Break"},
    {0xC0000374u, "heap corruption"},
    {0xC0000409u, "stack buffer overrun or fast fail"},
}};

}  // namespace

std::string ExitStatus::describe() const {
  if (signaled) return "killed by " + native_signal_name(signo);
  const auto value = static_cast<std::uint32_t>(code);
  // Exit codes from 0x40000000 up carry an NTSTATUS severity: an exception, not a choice.
  if (value < 0x40000000u) return "exited " + std::to_string(code);
  char hex[16];
  std::snprintf(hex, sizeof(hex), "0x%08X", static_cast<unsigned>(value));
  std::string text = std::string("exited ") + hex;
  for (const Named& n : kStatusNames) {
    if (n.code == value) return text + " (" + n.meaning + ")";
  }
  return text;
}

std::string ExitStatus::signal_name() const {
  return signaled ? native_signal_name(signo) : std::string();
}

}  // namespace supd::os
