// Child processes: spawn, wait (asynchronously, on the event loop), signal, kill the tree.
//
// POSIX: each child leads its own session and process group (pgid == pid), so the stop
// sequence reaches every process it started that did not leave the group. Exits are
// collected by one SIGCHLD handler that reaps with waitpid(-1, WNOHANG) until nothing is
// left, so supd also reaps orphans it adopted as a subreaper or as PID 1.
// Windows: each child runs in its own kill-on-close Job Object.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <asio/io_context.hpp>

#include "os/pipe.h"
#include "os/result.h"
#include "os/signals.h"

namespace supd::os {

using Pid = std::int64_t;

enum class StdioMode { Inherit, Null, Pipe };

struct ResourceLimit {
  std::string name;  // "nofile", "core", "nproc", "as", "fsize", "cpu", "stack", "memlock"
  std::optional<std::uint64_t> value;  // nullopt: unlimited
};

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up in the child's PATH
  bool inherit_env = true;        // start from supd's environment, or from an empty one
  std::vector<std::pair<std::string, std::string>> env;  // set or override, in order
  std::string cwd;                                       // empty: supd's working directory
  std::optional<unsigned> umask;                         // nullopt: supd's umask
  std::vector<ResourceLimit> limits;
  // Name or number; empty: supd's user. Switching needs supd to be root (naming supd's own
  // user is fine otherwise); it also sets the supplementary groups (as initgroups() does) and
  // HOME, USER and LOGNAME from the passwd entry, before `env` is applied. A number with no
  // passwd entry runs with the group of the same number unless `group` is set.
  std::string user;
  std::string group;                       // name or number; empty: the user's primary group
  StdioMode stdin_mode = StdioMode::Null;  // Pipe is treated as Null for stdin
  StdioMode stdout_mode = StdioMode::Pipe;
  StdioMode stderr_mode = StdioMode::Pipe;
  bool stderr_to_stdout = false;  // stderr goes wherever stdout goes (one pipe)
};

// How a process ended.
struct ExitStatus {
  bool signaled = false;
  int code = 0;   // exit code when !signaled (Windows: the full 32-bit exit code)
  int signo = 0;  // native signal number when signaled
  bool core_dumped = false;

  // "exited 3", "killed by SIGSEGV (core dumped)"; Windows: "exited 0xC0000005 (access violation)".
  std::string describe() const;
  // "SIGSEGV" when signaled, else "".
  std::string signal_name() const;
  // Shell convention: code, or 128 + signo.
  int shell_code() const { return signaled ? 128 + signo : code; }
};

class Child {
 public:
  virtual ~Child() = default;

  virtual Pid pid() const = 0;

  // `on_exit` runs once on the io_context's thread after the main process has exited and
  // been reaped, also when it exited before this call. Calling again replaces the handler.
  // Destroying the Child before then cancels the wait (the process is still reaped, never
  // left a zombie).
  virtual void async_wait(std::function<void(const ExitStatus&)> on_exit) = 0;

  // To the main process only. An error (ESRCH) once it has been reaped: the pid may belong
  // to another process by then.
  virtual Status send_signal(Signal s) = 0;
  // To every process of its group (Windows: Term/Int -> CTRL_BREAK to the group;
  // Kill -> TerminateJobObject). Works after the main process exited, for leftovers.
  // Succeeds (doing nothing) when nothing is left.
  virtual Status signal_group(Signal s) = 0;
  // Whether any process of its group / job is still alive (an unreaped zombie counts).
  virtual bool group_alive() const = 0;

  // The read ends of the stdout / stderr pipes (StdioMode::Pipe), once each; else nullptr.
  virtual std::unique_ptr<AsyncPipe> take_stdout() = 0;
  virtual std::unique_ptr<AsyncPipe> take_stderr() = 0;
};

// Starts a process. A failure to start (no such file, not executable, unknown user, bad
// cwd, rlimit refused) is reported here, naming what failed, never as an exit 127.
// Call it on a thread that lives as long as the children (the io_context's): on Linux a
// child is killed when the thread that spawned it exits (PR_SET_PDEATHSIG).
Result<std::unique_ptr<Child>> spawn(asio::io_context& io, const ProcessSpec& spec);

// Linux: make this process a child subreaper, so orphaned descendants of services are
// re-parented to supd (and reaped by it) instead of escaping to init. No-op elsewhere.
Status become_subreaper();

// For the end of a shutdown, once every service is stopped: SIGKILL to whatever is still a
// child of supd (orphans it adopted as a subreaper, e.g. a double-forked daemon of a
// service, in a session of its own) and to each one's process group, again for orphans of
// those, until none is left or 2 s have passed. Without this, such an orphan would outlive
// supd whenever its keeper is gone. Windows: nothing to do (job objects).
void kill_adopted_orphans();

// The session a process belongs to (getsid), or nullopt when it cannot be told (the process
// is gone; Windows). A service's main process leads its own session, so its descendants'
// session is its pid unless they left it.
std::optional<Pid> session_of(Pid pid);

// Whether a process with this pid exists (kill(pid, 0) / OpenProcess).
bool process_exists(Pid pid);

// This process's pid.
Pid current_pid();

// For the daemon's crash handler: SIGKILL to the process group of every child started by
// spawn() whose Child object still exists or which was not reaped yet. Async-signal-safe: it
// only reads a fixed, lock-free table of process groups and calls kill(). Windows: terminates
// every child's Job Object at once (the jobs are kill-on-close, so they die with supd anyway).
void kill_all_children_from_signal_handler() noexcept;

}  // namespace supd::os
