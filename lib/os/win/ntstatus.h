// Names for the NTSTATUS codes a Windows process can end with (exceptions, loader errors).
#pragma once

#include <cstdint>
#include <string>

namespace supd::os::win {

// Exit codes from 0x40000000 up carry an NTSTATUS severity: the process ended by an
// exception or was ended by the system, it did not choose the code.
constexpr bool is_ntstatus(std::uint32_t code) { return code >= 0x40000000u; }

// "access violation" for 0xC0000005; nullptr when the code is not one supd knows.
const char* ntstatus_meaning(std::uint32_t code);

// "0xC0000005 (access violation)", or "0xE0000001" when the meaning is unknown.
std::string describe_ntstatus(std::uint32_t code);

}  // namespace supd::os::win
