// Security descriptors for the objects supd creates (files, semaphores, pipes): who may
// use them, stated the way POSIX modes state it.
#pragma once

#include <windows.h>

#include <memory>
#include <string>

#include "os/result.h"

namespace supd::os::win {

// The access one kind of object grants for "read" and for "write" (and everything).
struct AccessRights {
  DWORD read;
  DWORD write;
  DWORD all;
};

inline constexpr AccessRights kFileRights{FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_ALL_ACCESS};
// SEMAPHORE_QUERY_STATE, which MinGW's headers leave out.
inline constexpr DWORD kSemaphoreQueryState = 0x0001;
inline constexpr AccessRights kSemaphoreRights{SYNCHRONIZE | kSemaphoreQueryState,
                                               SEMAPHORE_MODIFY_STATE, SEMAPHORE_ALL_ACCESS};

// SECURITY_ATTRIBUTES with a protected DACL (nothing inherited) that gives full access to
// SYSTEM, the Administrators and the user supd runs as, plus what `extra_ace` grants (an
// SDDL ACE string such as "(A;;GRGW;;;S-1-5-...)" or empty).
class SecurityAttributes {
 public:
  static Result<SecurityAttributes> owner_only(DWORD all_access,
                                               const std::string& extra_aces = "");
  // The POSIX mode's group and other bits, read and write, become the same rights for every
  // authenticated user (Windows has no file group to match the group bits).
  static Result<SecurityAttributes> from_mode(unsigned mode, const AccessRights& rights);

  SECURITY_ATTRIBUTES* get() { return &attributes_; }

 private:
  struct Free {
    void operator()(void* p) const { LocalFree(p); }
  };
  std::unique_ptr<void, Free> descriptor_;
  SECURITY_ATTRIBUTES attributes_{};
};

// The SID of the user this process runs as, "S-1-5-21-...".
Result<std::string> current_user_sid();

}  // namespace supd::os::win
