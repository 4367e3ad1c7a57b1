// supd_test_helper: a program whose behaviour is chosen by its arguments, spawned by the
// tests as a real child. Behaviours run in order and most return to let the next one run:
//
//   supd_test_helper ignore-term print-pid-file /tmp/p ready sleep 60
//
// ends only by a signal other than SIGTERM, after writing its pid to /tmp/p and "ready" to
// stdout. With no behaviour left it exits 0. To add one, write a function and list it in
// kBehaviours. Failures of the helper itself exit with the codes below, never 0..59.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int kUsage = 60;          // unknown behaviour or bad argument
constexpr int kSystemFailure = 61;  // a system call failed
constexpr int kContinue = -1;       // a behaviour's result: run the next one

// The arguments not consumed yet.
class Args {
 public:
  Args(int argc, char** argv) : argv_(argv + 1, argv + argc) {}
  bool empty() const { return pos_ >= argv_.size(); }
  std::string_view peek() const { return empty() ? std::string_view() : argv_[pos_]; }
  // The next argument; exits kUsage when there is none.
  std::string next(const char* what) {
    if (empty()) {
      std::fprintf(stderr, "supd_test_helper: missing %s\n", what);
      std::exit(kUsage);
    }
    return argv_[pos_++];
  }
  long next_number(const char* what) {
    const std::string s = next(what);
    char* end = nullptr;
    const long value = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0') {
      std::fprintf(stderr, "supd_test_helper: %s: not a number: %s\n", what, s.c_str());
      std::exit(kUsage);
    }
    return value;
  }

 private:
  std::vector<std::string> argv_;
  std::size_t pos_ = 0;
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "supd_test_helper: %s: %s\n", what, std::strerror(errno));
  std::exit(kSystemFailure);
}

// Writes everything, unbuffered, so nothing is lost if a signal ends the process next.
void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      die("write");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void out(std::string_view line) { write_all(1, line); }

void sleep_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// Written under a temporary name and renamed, so a reader never sees half a pid.
void write_pid_file(const std::string& path, pid_t pid) {
  const std::string tmp = path + ".tmp" + std::to_string(pid);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) die("open pid file");
  write_all(fd, std::to_string(pid) + "\n");
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) die("rename pid file");
}

// ---- behaviours ----

int do_exit(Args& args) { return static_cast<int>(args.next_number("exit code")); }

int do_crash(Args& args) {
  const std::string how = args.next("crash kind (segv|abort)");
  const int sig = how == "segv" ? SIGSEGV : how == "abort" ? SIGABRT : 0;
  if (sig == 0) return kUsage;
  ::signal(sig, SIG_DFL);
  ::raise(sig);
  return kSystemFailure;
}

// Ignores SIGTERM, then goes on; as the last behaviour, sleeps for an hour.
int do_ignore_term(Args& args) {
  ::signal(SIGTERM, SIG_IGN);
  if (args.empty()) sleep_ms(3600 * 1000L);
  return kContinue;
}

int do_sleep(Args& args) {
  sleep_ms(args.next_number("seconds") * 1000);
  return kContinue;
}

int do_sleep_ms(Args& args) {
  sleep_ms(args.next_number("milliseconds"));
  return kContinue;
}

int do_sleep_then_exit(Args& args) {
  const long ms = args.next_number("milliseconds");
  const long code = args.next_number("exit code");
  sleep_ms(ms);
  return static_cast<int>(code);
}

// Polls (every millisecond) until PATH exists: lets a test release many children at once.
int do_wait_file(Args& args) {
  const std::string path = args.next("path");
  struct stat st {};
  while (::stat(path.c_str(), &st) != 0) sleep_ms(1);
  return kContinue;
}

int do_ready(Args&) {
  out("ready\n");
  return kContinue;
}

int do_print(Args& args) {
  out(args.next("text") + "\n");
  return kContinue;
}

int do_print_raw(Args& args) {
  out(args.next("text"));
  return kContinue;
}

int do_eprint(Args& args) {
  write_all(2, args.next("text") + "\n");
  return kContinue;
}

int do_print_pid_file(Args& args) {
  write_pid_file(args.next("pid file"), ::getpid());
  return kContinue;
}

// A child that stays in the group, writes its pid and sleeps; returns once the file exists.
int do_grandchild(Args& args) {
  const std::string pid_file = args.next("pid file");
  int sync[2];
  if (::pipe(sync) != 0) die("pipe");
  const pid_t pid = ::fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    ::close(sync[0]);
    write_pid_file(pid_file, ::getpid());
    ::close(sync[1]);
    for (;;) ::pause();
  }
  ::close(sync[1]);
  char c;
  while (::read(sync[0], &c, 1) < 0 && errno == EINTR) {
  }
  ::close(sync[0]);
  return kContinue;
}

// A grandchild that leaves the group and session, shrugs off SIGTERM and SIGHUP, writes its
// pid and sleeps: what a badly behaved daemonizing service leaves behind.
int do_double_fork(Args& args) {
  const std::string pid_file = args.next("pid file");
  int sync[2];
  if (::pipe(sync) != 0) die("pipe");
  const pid_t middle = ::fork();
  if (middle < 0) die("fork");
  if (middle == 0) {
    ::close(sync[0]);
    const pid_t pid = ::fork();
    if (pid < 0) die("fork");
    if (pid > 0) ::_exit(0);
    ::setsid();
    ::signal(SIGTERM, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    write_pid_file(pid_file, ::getpid());
    ::close(sync[1]);
    for (;;) ::pause();
  }
  ::close(sync[1]);
  while (::waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
  }
  char c;
  while (::read(sync[0], &c, 1) < 0 && errno == EINTR) {
  }
  ::close(sync[0]);
  return kContinue;
}

int do_echo_stdin(Args&) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(0, buf, sizeof buf);
    if (n == 0) return kContinue;
    if (n < 0) {
      if (errno == EINTR) continue;
      die("read stdin");
    }
    out(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

// COUNT numbered lines of 64 bytes: "<stream> <10-digit n> <filler>\n", n from 1, so a
// reader can tell a lost, repeated or reordered line.
int do_write_pattern(Args& args) {
  const std::string stream = args.next("stream (stdout|stderr)");
  const long count = args.next_number("line count");
  const int fd = stream == "stdout" ? 1 : stream == "stderr" ? 2 : -1;
  if (fd < 0) return kUsage;
  std::string batch;
  for (long i = 1; i <= count; ++i) {
    char line[80];
    const int prefix = std::snprintf(line, sizeof line, "%s %010ld ", stream.c_str(), i);
    std::string text(line, static_cast<std::size_t>(prefix));
    text.resize(63, 'x');
    batch += text + "\n";
    if (batch.size() >= 8192 || i == count) {
      write_all(fd, batch);
      batch.clear();
    }
  }
  return kContinue;
}

// COUNT numbered lines on each of stdout and stderr, in the format of write-pattern, the
// streams taking turns every few lines so their writes interleave in time.
int do_write_interleaved(Args& args) {
  const long count = args.next_number("line count per stream");
  constexpr long kRun = 37;  // lines per turn: not a divisor of any buffer size
  for (long first = 1; first <= count; first += kRun) {
    const long last = first + kRun - 1 < count ? first + kRun - 1 : count;
    for (const char* stream : {"stdout", "stderr"}) {
      std::string batch;
      for (long i = first; i <= last; ++i) {
        char line[80];
        const int prefix = std::snprintf(line, sizeof line, "%s %010ld ", stream, i);
        std::string text(line, static_cast<std::size_t>(prefix));
        text.resize(63, 'x');
        batch += text + "\n";
      }
      write_all(std::strcmp(stream, "stdout") == 0 ? 1 : 2, batch);
    }
  }
  return kContinue;
}

// Appends "TAG <unix microseconds>\n" to PATH in one write: a run's own record of when it
// got somewhere, for tests that measure the time between runs.
int do_stamp(Args& args) {
  const std::string path = args.next("path");
  const std::string tag = args.next("tag");
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const long long us = static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) die("open stamp file");
  write_all(fd, tag + " " + std::to_string(us) + "\n");
  ::close(fd);
  return kContinue;
}

int do_print_env(Args& args) {
  const std::string name = args.next("variable name");
  const char* value = std::getenv(name.c_str());
  out(std::string(value != nullptr ? value : "<unset>") + "\n");
  return kContinue;
}

int do_print_cwd(Args&) {
  char buf[4096];
  if (::getcwd(buf, sizeof buf) == nullptr) die("getcwd");
  out(std::string(buf) + "\n");
  return kContinue;
}

int do_print_umask(Args&) {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%03o\n", static_cast<unsigned>(mask));
  out(buf);
  return kContinue;
}

// "SOFT HARD", each a number or "unlimited".
int do_print_rlimit(Args& args) {
  const std::string name = args.next("resource");
  int resource = -1;
  if (name == "nofile") resource = RLIMIT_NOFILE;
  if (name == "core") resource = RLIMIT_CORE;
  if (name == "nproc") resource = RLIMIT_NPROC;
  if (name == "cpu") resource = RLIMIT_CPU;
  if (name == "fsize") resource = RLIMIT_FSIZE;
  if (name == "stack") resource = RLIMIT_STACK;
  if (name == "as") resource = RLIMIT_AS;
  if (name == "memlock") resource = RLIMIT_MEMLOCK;
  if (resource < 0) return kUsage;
  rlimit limit{};
  if (::getrlimit(resource, &limit) != 0) die("getrlimit");
  auto text = [](rlim_t v) {
    return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
  };
  out(text(limit.rlim_cur) + " " + text(limit.rlim_max) + "\n");
  return kContinue;
}

// The open descriptors, space-separated, on one line.
int do_list_fds(Args&) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  const int max = limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > 65536
                      ? 65536
                      : static_cast<int>(limit.rlim_cur);
  std::string list;
  for (int fd = 0; fd < max; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1) continue;
    if (!list.empty()) list += ' ';
    list += std::to_string(fd);
  }
  out(list + "\n");
  return kContinue;
}

// "blocked: N N\nignored: N N\n": blocked signal numbers and those set to SIG_IGN (the only
// non-default disposition that survives execve()).
int do_sigmask(Args&) {
  sigset_t mask;
  sigemptyset(&mask);
  ::sigprocmask(SIG_BLOCK, nullptr, &mask);
  std::string blocked = "blocked:";
  std::string ignored = "ignored:";
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sigismember(&mask, sig) == 1) blocked += " " + std::to_string(sig);
    struct sigaction sa {};
    if (::sigaction(sig, nullptr, &sa) == 0 && !(sa.sa_flags & SA_SIGINFO) &&
        sa.sa_handler == SIG_IGN) {
      ignored += " " + std::to_string(sig);
    }
  }
  out(blocked + "\n" + ignored + "\n");
  return kContinue;
}

// "pid=N ppid=N pgid=N sid=N"
int do_print_ids(Args&) {
  out("pid=" + std::to_string(::getpid()) + " ppid=" + std::to_string(::getppid()) +
      " pgid=" + std::to_string(::getpgid(0)) + " sid=" + std::to_string(::getsid(0)) + "\n");
  return kContinue;
}

// "uid=N gid=N groups=N,N"
int do_print_creds(Args&) {
  std::vector<gid_t> groups(static_cast<std::size_t>(::getgroups(0, nullptr)) + 1);
  const int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
  if (n < 0) die("getgroups");
  std::string list;
  for (int i = 0; i < n; ++i) {
    if (i > 0) list += ',';
    list += std::to_string(groups[static_cast<std::size_t>(i)]);
  }
  out("uid=" + std::to_string(::getuid()) + " gid=" + std::to_string(::getgid()) +
      " groups=" + list + "\n");
  return kContinue;
}

// The parent-death signal number (Linux), 0 elsewhere.
int do_print_pdeathsig(Args&) {
  int sig = 0;
#ifdef __linux__
  if (::prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) != 0) die("prctl");
#endif
  out(std::to_string(sig) + "\n");
  return kContinue;
}

// sd_notify: one datagram with every following NAME=VALUE argument, newline-separated, to
// $NOTIFY_SOCKET (a path, or an abstract name when it starts with '@').
int do_notify(Args& args) {
  std::string message;
  while (!args.empty() && args.peek().find('=') != std::string_view::npos) {
    if (!message.empty()) message += '\n';
    message += args.next("assignment");
  }
  const char* socket_path = std::getenv("NOTIFY_SOCKET");
  if (socket_path == nullptr || socket_path[0] == '\0') {
    std::fprintf(stderr, "supd_test_helper: notify: NOTIFY_SOCKET is not set\n");
    return kUsage;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::size_t len = std::strlen(socket_path);
  if (len >= sizeof addr.sun_path) return kUsage;
  std::memcpy(addr.sun_path, socket_path, len);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0) die("socket");
  const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  if (::sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&addr),
               addr_len) < 0) {
    die("sendto NOTIFY_SOCKET");
  }
  ::close(fd);
  return kContinue;
}

struct Behaviour {
  const char* name;
  const char* usage;
  int (*run)(Args&);
};

constexpr Behaviour kBehaviours[] = {
    {"exit", "exit CODE", do_exit},
    {"crash", "crash segv|abort (die by that signal)", do_crash},
    {"ignore-term", "ignore-term (then go on; last: sleep an hour)", do_ignore_term},
    {"sleep", "sleep SECONDS", do_sleep},
    {"sleep-ms", "sleep-ms MILLISECONDS", do_sleep_ms},
    {"sleep-then-exit", "sleep-then-exit MS CODE", do_sleep_then_exit},
    {"wait-file", "wait-file PATH (until it exists)", do_wait_file},
    {"ready", "ready (print \"ready\" to stdout)", do_ready},
    {"print", "print TEXT (to stdout, with a newline)", do_print},
    {"print-raw", "print-raw TEXT (to stdout, no newline)", do_print_raw},
    {"eprint", "eprint TEXT (to stderr, with a newline)", do_eprint},
    {"print-pid-file", "print-pid-file PATH (write own pid)", do_print_pid_file},
    {"grandchild", "grandchild PIDFILE (a child in the group that sleeps)", do_grandchild},
    {"double-fork", "double-fork PIDFILE (a grandchild in its own session)", do_double_fork},
    {"echo-stdin", "echo-stdin (copy stdin to stdout until EOF)", do_echo_stdin},
    {"write-pattern", "write-pattern stdout|stderr COUNT (numbered 64-byte lines)",
     do_write_pattern},
    {"write-interleaved", "write-interleaved COUNT (write-pattern lines on both, taking turns)",
     do_write_interleaved},
    {"stamp", "stamp PATH TAG (append \"TAG <unix us>\")", do_stamp},
    {"print-env", "print-env NAME (value or <unset>)", do_print_env},
    {"print-cwd", "print-cwd", do_print_cwd},
    {"print-umask", "print-umask (octal)", do_print_umask},
    {"print-rlimit", "print-rlimit RESOURCE (soft hard)", do_print_rlimit},
    {"list-fds", "list-fds (open descriptors)", do_list_fds},
    {"sigmask", "sigmask (blocked and ignored signals)", do_sigmask},
    {"print-ids", "print-ids (pid ppid pgid sid)", do_print_ids},
    {"print-creds", "print-creds (uid gid groups)", do_print_creds},
    {"print-pdeathsig", "print-pdeathsig", do_print_pdeathsig},
    {"notify", "notify NAME=VALUE... (one sd_notify datagram)", do_notify},
};

void usage() {
  std::fprintf(stderr, "usage: supd_test_helper BEHAVIOUR [ARGS] [BEHAVIOUR [ARGS]]...\n");
  for (const Behaviour& b : kBehaviours) std::fprintf(stderr, "  %s\n", b.usage);
}

}  // namespace

int main(int argc, char** argv) {
  Args args(argc, argv);
  while (!args.empty()) {
    const std::string name = args.next("behaviour");
    const Behaviour* found = nullptr;
    for (const Behaviour& b : kBehaviours) {
      if (name == b.name) found = &b;
    }
    if (found == nullptr) {
      std::fprintf(stderr, "supd_test_helper: unknown behaviour '%s'\n", name.c_str());
      usage();
      return kUsage;
    }
    const int result = found->run(args);
    if (result != kContinue) return result;
  }
  return 0;
}
