// Native POSIX signal numbers and their names.
#include <signal.h>

#include <string>

#include "os/signals.h"

namespace supd::os {
namespace {

struct NativeName {
  int signo;
  const char* name;
};

// Signals every POSIX system has, then the ones only some have.
constexpr NativeName kNativeNames[] = {
    {SIGHUP, "SIGHUP"},       {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},   {SIGILL, "SIGILL"},
    {SIGTRAP, "SIGTRAP"},     {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},     {SIGFPE, "SIGFPE"},
    {SIGKILL, "SIGKILL"},     {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"},   {SIGUSR2, "SIGUSR2"},
    {SIGPIPE, "SIGPIPE"},     {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},   {SIGCHLD, "SIGCHLD"},
    {SIGCONT, "SIGCONT"},     {SIGSTOP, "SIGSTOP"}, {SIGTSTP, "SIGTSTP"},   {SIGTTIN, "SIGTTIN"},
    {SIGTTOU, "SIGTTOU"},     {SIGURG, "SIGURG"},   {SIGXCPU, "SIGXCPU"},   {SIGXFSZ, "SIGXFSZ"},
    {SIGVTALRM, "SIGVTALRM"}, {SIGPROF, "SIGPROF"}, {SIGWINCH, "SIGWINCH"}, {SIGSYS, "SIGSYS"},
#ifdef SIGIO
    {SIGIO, "SIGIO"},
#endif
#ifdef SIGSTKFLT
    {SIGSTKFLT, "SIGSTKFLT"},
#endif
#ifdef SIGPWR
    {SIGPWR, "SIGPWR"},
#endif
#ifdef SIGEMT
    {SIGEMT, "SIGEMT"},
#endif
#ifdef SIGINFO
    {SIGINFO, "SIGINFO"},
#endif
};

}  // namespace

int native_signal(Signal s) {
  switch (s) {
    case Signal::Hup:
      return SIGHUP;
    case Signal::Int:
      return SIGINT;
    case Signal::Quit:
      return SIGQUIT;
    case Signal::Kill:
      return SIGKILL;
    case Signal::Usr1:
      return SIGUSR1;
    case Signal::Usr2:
      return SIGUSR2;
    case Signal::Term:
      return SIGTERM;
    case Signal::Cont:
      return SIGCONT;
    case Signal::Stop:
      return SIGSTOP;
    case Signal::Winch:
      return SIGWINCH;
    case Signal::Alrm:
      return SIGALRM;
  }
  return SIGTERM;
}

std::string native_signal_name(int signo) {
  for (const NativeName& n : kNativeNames) {
    if (n.signo == signo) return n.name;
  }
  return "SIG" + std::to_string(signo);
}

}  // namespace supd::os
