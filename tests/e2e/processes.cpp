#include "e2e/processes.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

// Not every libc declares it (macOS does not).
extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace supd::e2e {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(5);

// Variables of the test's environment that would make supd behave unlike a plain start
// from a shell: systemd's protocol, the keeper switch, journald logging.
constexpr const char* kDropped[] = {"NOTIFY_SOCKET",  "WATCHDOG_USEC",  "WATCHDOG_PID",
                                    "SUPD_NO_KEEPER", "SUPD_SOCKET",    "LISTEN_FDS",
                                    "LISTEN_PID",     "JOURNAL_STREAM", kTagVariable};

bool dropped(const char* entry) {
  for (const char* name : kDropped) {
    const std::size_t n = std::strlen(name);
    if (std::strncmp(entry, name, n) == 0 && entry[n] == '=') return true;
  }
  return false;
}

std::string read_proc(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

char process_state(Pid pid) {
  const std::string stat = read_proc("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return '?';
  return stat[close + 2];
}

bool process_alive(Pid pid) {
  const char state = process_state(pid);
  return state != '?' && state != 'Z' && state != 'X';
}

std::string process_cmdline(Pid pid) {
  std::string cmd = read_proc("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : cmd) {
    if (c == '\0') c = ' ';
  }
  while (!cmd.empty() && cmd.back() == ' ') cmd.pop_back();
  return cmd;
}

std::vector<Pid> tagged_processes(const std::string& tag) {
  const std::string needle = std::string(kTagVariable) + "=" + tag;
  std::vector<Pid> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    const std::string env = read_proc("/proc/" + std::to_string(pid) + "/environ");
    std::size_t pos = 0;
    while (pos < env.size()) {
      std::size_t next = env.find('\0', pos);
      if (next == std::string::npos) next = env.size();
      if (env.compare(pos, next - pos, needle) == 0) {
        if (process_alive(pid)) found.push_back(pid);
        break;
      }
      pos = next + 1;
    }
  }
  ::closedir(proc);
  return found;
}

bool wait_all_dead(const std::vector<Pid>& pids, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    bool any = false;
    for (Pid p : pids) any = any || process_alive(p);
    if (!any) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPoll);
  }
}

std::string Ending::describe() const {
  if (signaled) return "killed by signal " + std::to_string(signo) + " (" + strsignal(signo) + ")";
  return "exited " + std::to_string(code);
}

Spawned spawn_program(const std::vector<std::string>& argv, const std::string& cwd,
                      const std::string& stdout_path, const std::string& stderr_path,
                      const std::string& tag, const std::vector<std::string>& extra_env) {
  Spawned out;
  out.stdout_path = stdout_path;
  out.stderr_path = stderr_path;
  // Everything the child needs is prepared here: between fork and exec it may only make
  // async-signal-safe calls (the test may have threads).
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!dropped(*e)) env.emplace_back(*e);
  }
  env.push_back(std::string(kTagVariable) + "=" + tag);
  for (const std::string& e : extra_env) env.push_back(e);
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  argp.reserve(args.size() + 1);
  for (std::string& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  const int out_fd = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0) {
    ADD_FAILURE() << "cannot open output files for " << argv[0] << ": " << std::strerror(errno);
    return out;
  }
  sigset_t all;
  sigfillset(&all);
  sigset_t old;
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    // Nothing of the test's own (sockets, listeners) may leak into supd and live on there.
    if (::close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 65536; ++fd) ::close(fd);
    }
    rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    // Default dispositions (SIG_IGN survives exec) and an empty mask for the program.
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argp[0], argp.data(), envp.data());
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::close(out_fd);
  ::close(err_fd);
  ::close(null_fd);
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(fork_errno);
    return out;
  }
  // Also from the parent: no window in which a signal to the group misses the child.
  ::setpgid(pid, pid);
  out.pid = pid;
  return out;
}

std::optional<Ending> wait_child(Pid pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(static_cast<pid_t>(pid), &status, WNOHANG);
    if (r == static_cast<pid_t>(pid)) {
      Ending e;
      if (WIFSIGNALED(status)) {
        e.signaled = true;
        e.signo = WTERMSIG(status);
      } else {
        e.code = WEXITSTATUS(status);
      }
      return e;
    }
    if (r < 0 && errno != EINTR) {
      ADD_FAILURE() << "waitpid " << pid << ": " << std::strerror(errno);
      return std::nullopt;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPoll);
  }
}

int exit_code(const RunResult& r) {
  if (!r.ending) return -1;
  return r.ending->signaled ? 128 + r.ending->signo : r.ending->code;
}

RunResult run_program(const std::vector<std::string>& argv, const std::string& scratch_dir,
                      const std::string& tag, std::chrono::milliseconds timeout,
                      const std::vector<std::string>& extra_env) {
  static std::atomic<int> counter{0};
  const std::string base = scratch_dir + "/run" + std::to_string(counter++);
  RunResult result;
  const auto start = Clock::now();
  Spawned s = spawn_program(argv, scratch_dir, base + ".out", base + ".err", tag, extra_env);
  if (s.pid < 0) return result;
  result.ending = wait_child(s.pid, timeout);
  result.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (!result.ending) {
    ::kill(-static_cast<pid_t>(s.pid), SIGKILL);
    wait_child(s.pid, std::chrono::seconds(10));
  }
  result.out = read_file(s.stdout_path);
  result.err = read_file(s.stderr_path);
  std::filesystem::remove(s.stdout_path);
  std::filesystem::remove(s.stderr_path);
  return result;
}

std::string read_file(const std::string& path) { return read_proc(path); }

void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) ADD_FAILURE() << "cannot write " << tmp;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) ADD_FAILURE() << "rename " << tmp << " -> " << path << ": " << ec.message();
}

}  // namespace supd::e2e
