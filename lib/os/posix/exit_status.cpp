// How a POSIX process ended, in words.
#include <sys/wait.h>

#include <string>

#include "os/posix/reaper.h"
#include "os/process.h"
#include "os/signals.h"

namespace supd::os {

std::string ExitStatus::describe() const {
  if (!signaled) return "exited " + std::to_string(code);
  std::string text = "killed by " + native_signal_name(signo);
  if (core_dumped) text += " (core dumped)";
  return text;
}

std::string ExitStatus::signal_name() const {
  return signaled ? native_signal_name(signo) : std::string();
}

namespace posix {

ExitStatus decode_wait_status(int wait_status) {
  ExitStatus status;
  if (WIFSIGNALED(wait_status)) {
    status.signaled = true;
    status.signo = WTERMSIG(wait_status);
#ifdef WCOREDUMP
    status.core_dumped = WCOREDUMP(wait_status);
#endif
  } else if (WIFEXITED(wait_status)) {
    status.code = WEXITSTATUS(wait_status);
  }
  return status;
}

}  // namespace posix
}  // namespace supd::os
