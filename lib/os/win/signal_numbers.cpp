// Windows has no signals to number; supd still needs numbers for ExitStatus::signo and
// shell_code() (128 + n). They follow Linux's, so "killed by SIGTERM" reads 143 everywhere.
// CrashInfo::signo holds an exception code instead, so those get their NTSTATUS names.
#include <array>
#include <cstdint>
#include <string>

#include "os/signals.h"
#include "os/win/ntstatus.h"

namespace supd::os {
namespace {

struct Numbered {
  int number;
  const char* name;
};

constexpr std::array<Numbered, 16> kNumbers{{
    {1, "SIGHUP"},
    {2, "SIGINT"},
    {3, "SIGQUIT"},
    {4, "SIGILL"},
    {6, "SIGABRT"},
    {7, "SIGBUS"},
    {8, "SIGFPE"},
    {9, "SIGKILL"},
    {10, "SIGUSR1"},
    {11, "SIGSEGV"},
    {12, "SIGUSR2"},
    {14, "SIGALRM"},
    {15, "SIGTERM"},
    {18, "SIGCONT"},
    {19, "SIGSTOP"},
    {28, "SIGWINCH"},
}};

}  // namespace

int native_signal(Signal s) {
  switch (s) {
    case Signal::Hup:
      return 1;
    case Signal::Int:
      return 2;
    case Signal::Quit:
      return 3;
    case Signal::Kill:
      return 9;
    case Signal::Usr1:
      return 10;
    case Signal::Usr2:
      return 12;
    case Signal::Term:
      return 15;
    case Signal::Cont:
      return 18;
    case Signal::Stop:
      return 19;
    case Signal::Winch:
      return 28;
    case Signal::Alrm:
      return 14;
  }
  return 0;
}

std::string native_signal_name(int signo) {
  const auto code = static_cast<std::uint32_t>(signo);
  if (win::is_ntstatus(code)) return win::describe_ntstatus(code);
  for (const Numbered& n : kNumbers) {
    if (n.number == signo) return n.name;
  }
  return "SIG" + std::to_string(signo);
}

}  // namespace supd::os
