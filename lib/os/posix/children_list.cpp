// Linux only: /proc/self/task/*/children.
#include "os/posix/children_list.h"

#if defined(__linux__)
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace supd::os::posix {
namespace {

// Appends the pids listed in a /proc/.../children file.
bool read_children_file(const std::string& path, std::vector<pid_t>& out) {
  std::ifstream in(path);
  if (!in) return false;
  long pid = 0;
  while (in >> pid) out.push_back(static_cast<pid_t>(pid));
  return true;
}

bool is_number(const char* s) {
  if (*s == '\0') return false;
  for (; *s != '\0'; ++s) {
    if (*s < '0' || *s > '9') return false;
  }
  return true;
}

// The parent pid from /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may hold
// spaces and parentheses, so parsing starts after the last ')'.
pid_t parent_of(const char* pid) {
  std::ifstream in(std::string("/proc/") + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  long ppid = -1;
  rest >> state >> ppid;
  return rest ? static_cast<pid_t>(ppid) : -1;
}

}  // namespace

std::vector<pid_t> list_children() {
  std::vector<pid_t> children;
  bool found_list = false;
  if (DIR* tasks = ::opendir("/proc/self/task")) {
    while (dirent* entry = ::readdir(tasks)) {
      if (!is_number(entry->d_name)) continue;
      found_list |= read_children_file(
          std::string("/proc/self/task/") + entry->d_name + "/children", children);
    }
    ::closedir(tasks);
  }
  if (found_list) return children;
  const pid_t self = ::getpid();
  if (DIR* proc = ::opendir("/proc")) {
    while (dirent* entry = ::readdir(proc)) {
      if (is_number(entry->d_name) && parent_of(entry->d_name) == self) {
        children.push_back(static_cast<pid_t>(std::atol(entry->d_name)));
      }
    }
    ::closedir(proc);
  }
  return children;
}

void kill_with_groups(const std::vector<pid_t>& pids, pid_t spare_group) {
  for (pid_t pid : pids) {
    const pid_t group = ::getpgid(pid);
    if (group > 1 && group != spare_group) ::kill(-group, SIGKILL);
    ::kill(pid, SIGKILL);
  }
}

}  // namespace supd::os::posix
#else
namespace supd::os::posix {
std::vector<pid_t> list_children() { return {}; }
void kill_with_groups(const std::vector<pid_t>&, pid_t) {}
}  // namespace supd::os::posix
#endif
