// UTF-8 <-> UTF-16 at the Windows API boundary. Everything above lib/os speaks UTF-8;
// the W functions speak UTF-16, so every string crosses here.
#pragma once

#include <string>
#include <string_view>

namespace supd::os::win {

// Invalid UTF-8 becomes U+FFFD (MultiByteToWideChar's replacement), never an error: a
// name that cannot be converted then simply is not found.
std::wstring widen(std::string_view utf8);
// Unpaired surrogates become U+FFFD.
std::string narrow(std::wstring_view utf16);

}  // namespace supd::os::win
