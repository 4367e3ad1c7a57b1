// Which file a handle or a path names (volume serial number and file index, the Windows
// counterpart of device and inode), and the sharing mode supd opens files with.
#pragma once

#include <windows.h>

#include <cstdint>
#include <string>

#include "os/win/handle.h"

namespace supd::os::win {

// Others may read, write, rename and delete a file supd has open, as on POSIX: a log being
// rotated, or a status page replaced, while someone holds it.
inline constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

struct FileIdentity {
  std::uint64_t volume = 0;
  std::uint64_t index = 0;
  std::uint64_t size = 0;
};

// False (with GetLastError() set) when the handle cannot be queried.
bool identify(HANDLE file, FileIdentity& out);

// A handle that can only query `path` (files and directories alike); invalid when the
// path names nothing (GetLastError() says why).
UniqueHandle open_for_query(const std::wstring& path);

}  // namespace supd::os::win
