// The crash handler. Everything reachable from on_crash() must be async-signal-safe: the
// crash may have happened inside malloc or while a lock was held, so the report is built
// in a stack buffer by hand and written with write(2).
#include "os/crash_handler.h"

#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#if defined(__GLIBC__)
#include <execinfo.h>
#endif

namespace supd::os {
namespace {

constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
// Room for the report, the backtrace and the hook, with sanitizer-instrumented frames.
constexpr std::size_t kAltStackSize = std::size_t{256} * 1024;
constexpr int kMaxFrames = 64;

std::atomic<int> g_report_fd{-1};
std::atomic<CrashHook> g_hook{nullptr};
// The first crash signal being handled, 0 while none: a second crash (in the hook, or in
// another thread) must not report again, only end the process.
std::atomic<int> g_crashing{0};

const char* crash_signal_name(int signo) {
  switch (signo) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGILL:
      return "SIGILL";
    case SIGFPE:
      return "SIGFPE";
    case SIGABRT:
      return "SIGABRT";
    default:
      return nullptr;
  }
}

// A line of text in a fixed buffer; formats numbers without the C library.
class ReportLine {
 public:
  ReportLine& text(const char* s) {
    while (*s != '\0' && size_ < sizeof(buf_)) buf_[size_++] = *s++;
    return *this;
  }
  ReportLine& decimal(std::uint64_t n) {
    char digits[20];
    int count = 0;
    do {
      digits[count++] = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n != 0);
    while (count > 0 && size_ < sizeof(buf_)) buf_[size_++] = digits[--count];
    return *this;
  }
  ReportLine& hex(std::uintptr_t n) {
    text("0x");
    char digits[2 * sizeof(n)];
    int count = 0;
    do {
      digits[count++] = "0123456789abcdef"[n & 0xf];
      n >>= 4;
    } while (n != 0);
    while (count > 0 && size_ < sizeof(buf_)) buf_[size_++] = digits[--count];
    return *this;
  }
  void write_to(int fd) const {
    std::size_t done = 0;
    while (done < size_) {
      ssize_t n = ::write(fd, buf_ + done, size_ - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }

 private:
  char buf_[256] = {};
  std::size_t size_ = 0;
};

// Whether the kernel raised the signal for a fault at si_addr, rather than someone sending
// it with kill/raise/abort (si_code <= 0: SI_USER, SI_TKILL, SI_QUEUE...).
bool is_fault(int signo, const siginfo_t* info) {
  return signo != SIGABRT && info != nullptr && info->si_code > 0;
}

void write_report(int fd, int signo, const siginfo_t* info) {
  ReportLine line;
  line.text("supd crashed: ");
  if (const char* name = crash_signal_name(signo)) {
    line.text(name);
  } else {
    line.text("signal ").decimal(static_cast<std::uint64_t>(signo));
  }
  if (is_fault(signo, info)) {
    line.text(" at address ").hex(reinterpret_cast<std::uintptr_t>(info->si_addr));
  } else if (info != nullptr && info->si_code <= 0) {
    if (info->si_pid == ::getpid()) {
      line.text(" (raised by supd itself)");
    } else {
      line.text(" (sent by pid ").decimal(static_cast<std::uint64_t>(info->si_pid)).text(")");
    }
  }
  line.text("\n");
  line.write_to(fd);
#if defined(__GLIBC__)
  void* frames[kMaxFrames];
  int count = ::backtrace(frames, kMaxFrames);
  ReportLine header;
  header.text("backtrace:\n");
  header.write_to(fd);
  ::backtrace_symbols_fd(frames, count, fd);
#endif
}

// Ends the process with `signo`'s default action. The signal is blocked while its handler
// runs, so it is unblocked here: the process dies inside raise(), never returning to the
// code that crashed.
void die_of(int signo) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(signo, &dfl, nullptr);
  sigset_t unblock;
  sigemptyset(&unblock);
  sigaddset(&unblock, signo);
  ::pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
  ::raise(signo);
  // Only a signal whose default action is not fatal gets here (not one of ours).
  ::_exit(128 + signo);
}

void on_crash(int signo, siginfo_t* info, void* /*context*/) {
  int expected = 0;
  if (!g_crashing.compare_exchange_strong(expected, signo)) {
    // Crashed again while reporting: die of the first cause, as the report said.
    die_of(expected);
  }
  const int saved_errno = errno;
  int fd = g_report_fd.load(std::memory_order_relaxed);
  if (fd >= 0) write_report(fd, signo, info);

  CrashInfo crash{};
  crash.signo = signo;
  crash.address = is_fault(signo, info) ? reinterpret_cast<std::uintptr_t>(info->si_addr) : 0;
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  crash.unix_time = static_cast<std::int64_t>(now.tv_sec);
  if (CrashHook hook = g_hook.load(std::memory_order_relaxed)) hook(crash);

  errno = saved_errno;
  die_of(signo);
}

// One alternate stack for the installing thread, kept for the life of the process.
void install_alt_stack() {
  static void* stack_memory = nullptr;
  if (stack_memory == nullptr) {
    void* p =
        ::mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;  // crashes are still reported, except stack overflows
    stack_memory = p;
  }
  stack_t stack{};
  stack.ss_sp = stack_memory;
  stack.ss_size = kAltStackSize;
  stack.ss_flags = 0;
  ::sigaltstack(&stack, nullptr);
}

}  // namespace

void install_crash_handler(NativeHandle report_fd, CrashHook hook) {
  g_report_fd.store(static_cast<int>(report_fd), std::memory_order_relaxed);
  g_hook.store(hook, std::memory_order_relaxed);
#if defined(__GLIBC__)
  // backtrace() loads libgcc on first use, which allocates: do that now, not in a crash.
  void* warm_up[1];
  ::backtrace(warm_up, 1);
#endif
  install_alt_stack();

  struct sigaction action {};
  action.sa_sigaction = on_crash;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (int signo : kCrashSignals) ::sigaction(signo, &action, nullptr);
}

}  // namespace supd::os
