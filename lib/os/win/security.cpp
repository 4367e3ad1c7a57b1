#include "os/win/security.h"

#include <sddl.h>

#include <cstdio>
#include <vector>

#include "os/win/handle.h"
#include "os/win/wide.h"

namespace supd::os::win {
namespace {

std::string hex_rights(DWORD rights) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%lx", static_cast<unsigned long>(rights));
  return text;
}

std::string allow(DWORD rights, const std::string& sid) {
  return "(A;;" + hex_rights(rights) + ";;;" + sid + ")";
}

}  // namespace

Result<std::string> current_user_sid() {
  HANDLE raw = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) {
    return last_error("open this process's token");
  }
  UniqueHandle token(raw);
  DWORD size = 0;
  GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
  std::vector<unsigned char> buffer(size);
  if (size == 0 || !GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size)) {
    return last_error("read this process's user");
  }
  const auto* user = reinterpret_cast<const TOKEN_USER*>(buffer.data());
  wchar_t* text = nullptr;
  if (!ConvertSidToStringSidW(user->User.Sid, &text)) return last_error("format a SID");
  std::string sid = narrow(text);
  LocalFree(text);
  return sid;
}

Result<SecurityAttributes> SecurityAttributes::owner_only(DWORD all_access,
                                                          const std::string& extra_aces) {
  auto user = current_user_sid();
  if (!user) return user.error();
  // SY: LocalSystem, BA: the Administrators group.
  const std::string sddl = "D:P" + allow(all_access, "SY") + allow(all_access, "BA") +
                           allow(all_access, user.value()) + extra_aces;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(widen(sddl).c_str(), SDDL_REVISION_1,
                                                            &descriptor, nullptr)) {
    return last_error("build the security descriptor " + sddl);
  }
  SecurityAttributes result;
  result.descriptor_.reset(descriptor);
  result.attributes_.nLength = sizeof(SECURITY_ATTRIBUTES);
  result.attributes_.lpSecurityDescriptor = descriptor;
  result.attributes_.bInheritHandle = FALSE;
  return result;
}

Result<SecurityAttributes> SecurityAttributes::from_mode(unsigned mode,
                                                         const AccessRights& rights) {
  DWORD others = 0;
  if ((mode & 0044u) != 0) others |= rights.read;
  if ((mode & 0022u) != 0) others |= rights.write;
  // AU: every authenticated user.
  return owner_only(rights.all, others != 0 ? allow(others, "AU") : "");
}

}  // namespace supd::os::win
