#include "sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace supd::bench {
namespace {

std::atomic<bool> g_interrupted{false};

void on_interrupt(int) { g_interrupted.store(true); }

}  // namespace

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

void sleep_for(milliseconds duration) { std::this_thread::sleep_for(duration); }

bool interrupted() { return g_interrupted.load(); }

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

void check_interrupted() {
  if (interrupted()) throw std::runtime_error("interrupted");
}

void fail_errno(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// ---- files ----

TempDir::TempDir(const std::string& parent, const std::string& name) {
  std::string pattern = parent + "/supd-bench-" + name + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) fail_errno("mkdtemp " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) fail_errno("open " + path);
  ::fchmod(fd, mode);  // the umask does not decide a config file's mode
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      errno = saved;
      fail_errno("write " + path);
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- processes ----

pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
  // Everything the child needs is built before fork(), so the child runs only system calls.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const std::string& extra : options.setenv) {
    const std::string name = extra.substr(0, extra.find('=') + 1);
    std::erase_if(env_strings, [&](const std::string& s) { return s.starts_with(name); });
    env_strings.push_back(extra);
  }
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) fail_errno("pipe");
  const pid_t pid = ::fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    ::close(report[0]);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    if (options.new_session) ::setsid();
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(options.stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 ||
        ::dup2(err, 2) < 0) {
      const int e = errno;
      (void)!::write(report[1], &e, sizeof e);
      ::_exit(127);
    }
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) {
      const int e = errno;
      (void)!::write(report[1], &e, sizeof e);
      ::_exit(127);
    }
    ::execve(args[0], args.data(), envp.data());
    const int e = errno;
    (void)!::write(report[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(report[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == sizeof child_errno) {
    ::waitpid(pid, nullptr, 0);
    errno = child_errno;
    fail_errno("start " + argv[0]);
  }
  return pid;
}

pid_t fork_exec(char* const argv[]) {
  const pid_t pid = ::fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    ::execv(argv[0], argv);
    ::_exit(127);
  }
  return pid;
}

std::optional<int> wait_exit(pid_t pid, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (Clock::now() >= deadline) return std::nullopt;
    sleep_for(milliseconds(1));
  }
}

void kill_and_reap(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

namespace {

// pid -> parent pid of every process, from /proc/*/stat.
std::map<pid_t, pid_t> parent_map() {
  std::map<pid_t, pid_t> parents;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return parents;
  while (dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    const std::string stat = read_file("/proc/" + std::string(e->d_name) + "/stat");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; skip to the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    char state;
    long ppid = 0;
    if (rest >> state >> ppid) parents[static_cast<pid_t>(pid)] = static_cast<pid_t>(ppid);
  }
  ::closedir(proc);
  return parents;
}

std::vector<pid_t> descendants_of(pid_t root) {
  const std::map<pid_t, pid_t> parents = parent_map();
  std::vector<pid_t> found;
  for (const auto& [pid, ppid] : parents) {
    for (pid_t p = ppid, hops = 0; p > 1 && hops < 64; ++hops) {
      if (p == root) {
        found.push_back(pid);
        break;
      }
      auto it = parents.find(p);
      if (it == parents.end()) break;
      p = it->second;
    }
  }
  return found;
}

}  // namespace

int sweep_descendants() {
  int swept = 0;
  const pid_t self = ::getpid();
  for (int round = 0; round < 50; ++round) {
    const std::vector<pid_t> left = descendants_of(self);
    if (left.empty()) break;
    for (pid_t pid : left) ::kill(pid, SIGKILL);
    swept += static_cast<int>(left.size());
    // Reap what is ours now (subreaper); the rest belongs to processes being killed.
    const auto deadline = Clock::now() + milliseconds(200);
    while (Clock::now() < deadline) {
      const pid_t r = ::waitpid(-1, nullptr, WNOHANG);
      if (r < 0) break;
      if (r == 0) sleep_for(milliseconds(2));
    }
  }
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  return swept;
}

// ---- announcements ----

Announcer::Announcer(std::string path) : path_(std::move(path)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path) {
    throw std::runtime_error("socket path too long: " + path_);
  }
  std::strcpy(addr.sun_path, path_.c_str());
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) fail_errno("socket");
  ::unlink(path_.c_str());
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int saved = errno;
    ::close(fd_);
    errno = saved;
    fail_errno("bind " + path_);
  }
  const int size = 1 << 20;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

Announcer::~Announcer() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

std::optional<pid_t> Announcer::next(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    char buf[64];
    const ssize_t n = ::recv(fd_, buf, sizeof buf - 1, MSG_DONTWAIT);
    if (n > 0) {
      buf[n] = '\0';
      return static_cast<pid_t>(std::strtol(buf, nullptr, 10));
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) fail_errno("recv");
    check_interrupted();
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    // At most 100 ms per poll, so an interrupt is noticed.
    ::poll(&p, 1, static_cast<int>(std::min<long>(left, 100)));
  }
}

void Announcer::drain() {
  char buf[64];
  while (::recv(fd_, buf, sizeof buf, MSG_DONTWAIT) > 0) {
  }
}

// ---- /proc ----

std::int64_t pss_kib(pid_t pid) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/smaps_rollup"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Pss:")) return std::strtoll(line.c_str() + 4, nullptr, 10);
  }
  throw std::runtime_error("no Pss in /proc/" + std::to_string(pid) + "/smaps_rollup");
}

namespace {

std::vector<std::string> task_dirs(pid_t pid) {
  std::vector<std::string> dirs;
  const std::string base = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(base, ec)) {
    dirs.push_back(e.path().string());
  }
  return dirs;
}

}  // namespace

std::int64_t context_switches(pid_t pid) {
  std::int64_t total = 0;
  for (const std::string& dir : task_dirs(pid)) {
    std::istringstream in(read_file(dir + "/status"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.starts_with("voluntary_ctxt_switches:") ||
          line.starts_with("nonvoluntary_ctxt_switches:")) {
        total += std::strtoll(line.c_str() + line.find(':') + 1, nullptr, 10);
      }
    }
  }
  return total;
}

int thread_count(pid_t pid) { return static_cast<int>(task_dirs(pid).size()); }

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> kids;
  for (const std::string& dir : task_dirs(pid)) {
    std::istringstream in(read_file(dir + "/children"));
    long child;
    while (in >> child) kids.push_back(static_cast<pid_t>(child));
  }
  return kids;
}

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  for (const char* d : {"/usr/sbin", "/sbin", "/usr/local/sbin"}) {
    std::string candidate = std::string(d) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

double load_average() {
  double avg[1] = {0};
  return ::getloadavg(avg, 1) == 1 ? avg[0] : -1;
}

std::string kernel_release() {
  utsname u{};
  return ::uname(&u) == 0 ? std::string(u.release) : std::string();
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace supd::bench
