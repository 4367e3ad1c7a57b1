// Looking at and starting real processes from the end-to-end tests (Linux /proc).
//
// Every process a test starts carries SUPD_E2E_TAG=<tag> in its environment, and so does
// everything it starts in turn (supd passes its environment on to services). That is how a
// test finds every process of a supd's tree, however far a grandchild ran away (setsid,
// double fork, re-parented to init): by scanning /proc for the tag.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace supd::e2e {

using Pid = long;

// The environment variable that marks a test's processes.
inline constexpr const char* kTagVariable = "SUPD_E2E_TAG";

// Alive = exists and is not a zombie.
bool process_alive(Pid pid);
// The process's state letter from /proc/PID/stat ('R', 'S', 'T', 'Z', ...); '?' if gone.
char process_state(Pid pid);
// Its command line, words joined by spaces ("" if gone).
std::string process_cmdline(Pid pid);
// Every live (non-zombie) process whose environment holds SUPD_E2E_TAG=`tag`.
std::vector<Pid> tagged_processes(const std::string& tag);
// Polls until every process in `pids` is dead (or a zombie); false at the deadline.
bool wait_all_dead(const std::vector<Pid>& pids, std::chrono::milliseconds timeout);

// How a process ended, as waitpid() told.
struct Ending {
  bool signaled = false;
  int code = 0;                  // exit code when !signaled
  int signo = 0;                 // signal number when signaled
  std::string describe() const;  // "exited 0", "killed by signal 9"
};

// A started program, with stdout and stderr going to files.
struct Spawned {
  Pid pid = -1;
  std::string stdout_path;
  std::string stderr_path;
};

// Forks and execs argv[0] with `argv`, in its own process group, stdin from /dev/null,
// stdout/stderr to the given files, working directory `cwd`, no core dumps, and the
// environment of this test minus anything that would change how supd behaves (NOTIFY_SOCKET,
// SUPD_NO_KEEPER, ...), plus `tag` as SUPD_E2E_TAG and `extra_env` ("NAME=VALUE").
// Errors become a failed test (pid -1).
Spawned spawn_program(const std::vector<std::string>& argv, const std::string& cwd,
                      const std::string& stdout_path, const std::string& stderr_path,
                      const std::string& tag, const std::vector<std::string>& extra_env = {});

// Waits (polling waitpid(WNOHANG)) for the child `pid` of this process to end; nullopt at
// the deadline, the child still running.
std::optional<Ending> wait_child(Pid pid, std::chrono::milliseconds timeout);

// A program run to completion: its ending and everything it wrote.
struct RunResult {
  std::optional<Ending> ending;  // nullopt: it did not end in time (it was then killed)
  std::string out;
  std::string err;
  std::chrono::milliseconds took{0};
};

// The shell's view of how it ended: the exit code, 128 + signal, or -1 when it did not end.
int exit_code(const RunResult& r);

// Runs a program to completion with a bounded wait (killing its group at the deadline).
// `scratch_dir` holds its output files; stdin is /dev/null.
RunResult run_program(const std::vector<std::string>& argv, const std::string& scratch_dir,
                      const std::string& tag, std::chrono::milliseconds timeout,
                      const std::vector<std::string>& extra_env = {});

std::string read_file(const std::string& path);
// Writes `text` to `path` through a temporary file and a rename (a reader never sees half).
void write_file(const std::string& path, const std::string& text);

}  // namespace supd::e2e
