// Who may have written a config file, on Windows: its owner and its DACL. Trusted are
// SYSTEM, the Administrators, TrustedInstaller and the user running supd; a file owned by
// anyone else, or that anyone else may write, is refused, as a group- or world-writable
// file is on POSIX.
#include "os/file_security.h"

#include <aclapi.h>
#include <sddl.h>
#include <windows.h>

#include <memory>
#include <string>
#include <vector>

#include "os/win/handle.h"
#include "os/win/wide.h"

namespace supd::os {
namespace {

Error refusal(const std::string& why) {
  return Error{std::error_code{}, "refusing to load: " + why};
}

struct LocalFreeDeleter {
  void operator()(void* p) const { LocalFree(p); }
};

// The SID of this process's user.
std::vector<unsigned char> own_sid() {
  HANDLE raw = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) return {};
  win::UniqueHandle token(raw);
  DWORD size = 0;
  GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
  std::vector<unsigned char> buffer(size == 0 ? 1 : size);
  if (size == 0 || !GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size)) {
    return {};
  }
  PSID sid = reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid;
  const DWORD length = GetLengthSid(sid);
  std::vector<unsigned char> copy(length);
  CopySid(length, copy.data(), sid);
  return copy;
}

bool is_trusted(PSID sid, const std::vector<unsigned char>& me) {
  if (IsWellKnownSid(sid, WinLocalSystemSid) || IsWellKnownSid(sid, WinBuiltinAdministratorsSid)) {
    return true;
  }
  if (!me.empty() && EqualSid(sid, const_cast<unsigned char*>(me.data()))) return true;
  // NT SERVICE\TrustedInstaller, owner of files Windows itself installs.
  PSID installer = nullptr;
  if (ConvertStringSidToSidW(L"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
                             &installer)) {
    std::unique_ptr<void, LocalFreeDeleter> keep(installer);
    if (EqualSid(sid, installer)) return true;
  }
  return false;
}

// "BUILTIN\Users", or the SID when the account cannot be named.
std::string account_name(PSID sid) {
  wchar_t name[256];
  wchar_t domain[256];
  DWORD name_size = 256;
  DWORD domain_size = 256;
  SID_NAME_USE use{};
  if (LookupAccountSidW(nullptr, sid, name, &name_size, domain, &domain_size, &use)) {
    std::string text = domain_size > 0 ? win::narrow(domain) + "\\" : std::string();
    return text + win::narrow(name);
  }
  wchar_t* sddl = nullptr;
  if (ConvertSidToStringSidW(sid, &sddl)) {
    std::string text = win::narrow(sddl);
    LocalFree(sddl);
    return text;
  }
  return "an unknown account";
}

constexpr DWORD kWriteRights =
    FILE_WRITE_DATA | FILE_APPEND_DATA | WRITE_DAC | WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL;

}  // namespace

Status check_config_file_permissions(const std::string& path) {
  const std::wstring wpath = win::widen(path);
  const DWORD attributes = GetFileAttributesW(wpath.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return last_error("cannot check its permissions");
  if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
    return refusal("not a regular file (it is a directory)");
  }
  PSID owner = nullptr;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const DWORD rc = GetNamedSecurityInfoW(wpath.c_str(), SE_FILE_OBJECT,
                                         OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                         &owner, nullptr, &dacl, nullptr, &descriptor);
  if (rc != ERROR_SUCCESS) {
    return Error{{static_cast<int>(rc), std::system_category()}, "cannot check its permissions"};
  }
  std::unique_ptr<void, LocalFreeDeleter> keep(descriptor);
  const std::vector<unsigned char> me = own_sid();
  if (owner != nullptr && !is_trusted(owner, me)) {
    return refusal("file is owned by " + account_name(owner) +
                   ", not by SYSTEM, the Administrators or the user running supd; run icacls \"" +
                   path + "\" /setowner Administrators");
  }
  if (dacl == nullptr) {
    return refusal("file has no access control list, so everyone may write it; run icacls \"" +
                   path + "\" /inheritance:r /grant:r Administrators:F SYSTEM:F");
  }
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* raw = nullptr;
    if (!GetAce(dacl, i, &raw)) continue;
    const auto* header = static_cast<ACE_HEADER*>(raw);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE || (header->AceFlags & INHERIT_ONLY_ACE) != 0) {
      continue;
    }
    const auto* ace = static_cast<ACCESS_ALLOWED_ACE*>(raw);
    PSID sid = const_cast<DWORD*>(&ace->SidStart);
    if ((ace->Mask & kWriteRights) != 0 && !is_trusted(sid, me)) {
      const std::string who = account_name(sid);
      std::string why = "file is writable by " + who;
      why += "; run icacls \"" + path + "\" /remove:g \"";
      why += who + "\"";
      return refusal(why);
    }
  }
  return {};
}

}  // namespace supd::os
