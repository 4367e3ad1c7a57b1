// ExitStatus on Windows: a process ends with a 32-bit exit code. Exceptions that killed it
// show up as NTSTATUS values (0xC0000005 and friends), printed in hex with their meaning.
// A process supd terminated itself is reported as killed by the signal it was asked for.
#include <cstdint>
#include <string>

#include "os/process.h"
#include "os/win/ntstatus.h"

namespace supd::os {

std::string ExitStatus::describe() const {
  if (signaled) return "killed by " + native_signal_name(signo);
  const auto value = static_cast<std::uint32_t>(code);
  if (!win::is_ntstatus(value)) return "exited " + std::to_string(code);
  return "exited " + win::describe_ntstatus(value);
}

std::string ExitStatus::signal_name() const {
  return signaled ? native_signal_name(signo) : std::string();
}

}  // namespace supd::os
