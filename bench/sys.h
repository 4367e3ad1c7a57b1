// What the benchmarks need from the system, in the few shapes they use: a private temp dir,
// starting and reaping processes, the announcement socket children report to, and figures
// read from /proc. The bench is a measuring tool outside supd's layers, so it calls the OS
// directly. Failures throw std::runtime_error naming what failed; main() turns them into a
// failed row.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace supd::bench {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double ms_between(Clock::time_point from, Clock::time_point to);
void sleep_for(milliseconds duration);

// Set by SIGINT/SIGTERM (see install_interrupt_handler): waits give up and throw, so every
// destructor still cleans up.
bool interrupted();
void install_interrupt_handler();
// Throws "interrupted" when interrupted().
void check_interrupted();

[[noreturn]] void fail_errno(const std::string& what);

// A directory under `parent` (/tmp by default), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir(const std::string& parent, const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text, mode_t mode = 0644);
std::string read_file(const std::string& path);

struct SpawnOptions {
  std::string stdout_path = "/dev/null";
  std::string stderr_path = "/dev/null";
  std::string cwd;                  // empty: the bench's own
  std::vector<std::string> setenv;  // "NAME=VALUE" added to the bench's environment
  bool new_session = false;
};

// fork() + execv(); throws when the program cannot be started.
pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});
// The floor's way to start a program: fork() + execv() and nothing else (stdio inherited).
pid_t fork_exec(char* const argv[]);
// Waits up to `timeout` for `pid` to end and reaps it; its wait status, or nullopt.
std::optional<int> wait_exit(pid_t pid, milliseconds timeout);
// SIGKILL and reap.
void kill_and_reap(pid_t pid);
// "exited 3", "killed by signal 9"
std::string describe_wait_status(int status);

// The bench becomes a child subreaper (Linux): whatever its children leave behind is
// re-parented to it, so sweep_descendants() can find it.
void become_subreaper();
// SIGKILLs and reaps every process below the bench; returns how many there were. Only call
// it when nothing the bench still needs is running.
int sweep_descendants();

// A datagram socket children announce themselves on: each datagram is one pid.
class Announcer {
 public:
  explicit Announcer(std::string path);
  ~Announcer();
  Announcer(const Announcer&) = delete;
  Announcer& operator=(const Announcer&) = delete;
  const std::string& path() const { return path_; }
  // The next announced pid, or nullopt when none came within `timeout`.
  std::optional<pid_t> next(milliseconds timeout);
  // Discards whatever is queued.
  void drain();

 private:
  std::string path_;
  int fd_ = -1;
};

// /proc figures. PSS in KiB from smaps_rollup; context switches (voluntary + involuntary)
// summed over every thread.
std::int64_t pss_kib(pid_t pid);
std::int64_t context_switches(pid_t pid);
int thread_count(pid_t pid);
// The pids of the direct children of `pid` (from /proc/PID/task/*/children).
std::vector<pid_t> children_of(pid_t pid);

// The full path of `name` found in $PATH, or "".
std::string find_in_path(const std::string& name);
double load_average();
std::string kernel_release();
std::string today();  // YYYY-MM-DD

}  // namespace supd::bench
