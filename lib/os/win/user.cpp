// Users on Windows. Accounts are SIDs, not numbers, and running a service as another
// account is not supported (it would need the account's password or a service of its own):
// lookups fail saying so. The control pipe checks callers with its DACL instead of ids.
#include "os/user.h"

#include <windows.h>

#include <string>

#include "os/win/handle.h"
#include "os/win/wide.h"

namespace supd::os {
namespace {

Error not_supported(std::string what) {
  return Error{{ERROR_NOT_SUPPORTED, std::system_category()},
               std::move(what) + ": user and group ids are not supported on Windows"};
}

}  // namespace

// Root's powers on Windows: an elevated token (an administrator past UAC, or SYSTEM).
bool running_as_root() {
  HANDLE raw = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) return false;
  win::UniqueHandle token(raw);
  TOKEN_ELEVATION elevation{};
  DWORD size = 0;
  if (!GetTokenInformation(token.get(), TokenElevation, &elevation, sizeof(elevation), &size)) {
    return false;
  }
  return elevation.TokenIsElevated != 0;
}

Result<UserInfo> lookup_user(std::string_view name_or_id) {
  return not_supported("look up user \"" + std::string(name_or_id) + "\"");
}

Result<GroupInfo> lookup_group(std::string_view name_or_id) {
  return not_supported("look up group \"" + std::string(name_or_id) + "\"");
}

bool user_in_group(UserId, GroupId) { return false; }

std::string current_user_name() {
  wchar_t name[257];
  DWORD size = 257;
  if (!GetUserNameW(name, &size) || size == 0) return "unknown";
  return win::narrow(std::wstring_view(name, size - 1));
}

}  // namespace supd::os
