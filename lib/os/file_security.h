// Who may have written a file supd is about to trust. Like sshd's StrictModes: a config read by
// root must not be changeable by anyone but root (or the user running supd), or whoever can
// write it can run programs as root.
#pragma once

#include <string>

#include "os/result.h"
#include "os/user.h"  // running_as_root()

namespace supd::os {

// Ok when `path` names a regular file (symlinks followed) that neither group nor others may
// write and that is owned by root or by the effective user. Otherwise an Error whose message
// says what is wrong and how to fix it, without the path in front (callers put it there):
//   "refusing to load: file is writable by group or others (mode 0664); run chmod go-w PATH"
Status check_config_file_permissions(const std::string& path);

}  // namespace supd::os
