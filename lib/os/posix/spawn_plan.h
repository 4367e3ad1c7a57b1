// Everything a child needs, worked out before fork(): between fork() and exec() the child of
// a threaded daemon may only make async-signal-safe calls, so no lookups, no allocation and
// no error formatting can happen there. The plan also keeps the words for each step, so a
// step that fails in the child is reported by name.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "os/process.h"
#include "os/result.h"

namespace supd::os::posix {

struct PlannedLimit {
  int resource = 0;  // RLIMIT_*
  rlimit value{};    // soft and hard alike
  std::string what;  // "setrlimit nofile 4096"
};

// The identity the child takes (only when supd is root and the spec asks for a change).
struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, as initgroups() would set them
  std::string user;           // as the spec named it, for messages
};

struct SpawnPlan {
  std::string path;               // the file given to execve(): argv[0] resolved in PATH
  std::vector<std::string> argv;  // as given
  std::vector<std::string> env;   // "NAME=value", complete
  std::string cwd;                // empty: unchanged
  std::optional<mode_t> umask;
  std::vector<PlannedLimit> limits;
  std::optional<Credentials> credentials;
  int close_fds_below = 0;  // without close_range(), the child closes fds 3 .. this - 1
};

// Checks the spec and resolves everything it names: the executable (in the child's PATH),
// the user and groups, the resource limits. The errors name what was wrong.
Result<SpawnPlan> plan_spawn(const ProcessSpec& spec);

}  // namespace supd::os::posix
