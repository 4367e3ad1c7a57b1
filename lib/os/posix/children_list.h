// This process's direct children, read from /proc (Linux). Shared by the keeper, which
// kills everything left below it, and the daemon, which kills the orphans it adopted.
#pragma once

#include <sys/types.h>

#include <vector>

namespace supd::os::posix {

// Living or zombie: from /proc/self/task/*/children when the kernel has it, else by
// scanning every /proc/<pid>/stat for this pid as parent. Empty where /proc is missing.
std::vector<pid_t> list_children();

// SIGKILL to each pid and to its process group, unless that group is `spare_group` (this
// process's own, which may hold the user's shell pipeline) or init's.
void kill_with_groups(const std::vector<pid_t>& pids, pid_t spare_group);

}  // namespace supd::os::posix
