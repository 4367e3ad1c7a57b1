// Portable signal names; native numbers live in the platform files.
#include <array>
#include <cctype>
#include <string>

#include "os/signals.h"

namespace supd::os {
namespace {

struct Named {
  Signal signal;
  const char* name;  // without "SIG"
};

constexpr std::array<Named, 11> kNames{{
    {Signal::Hup, "HUP"},
    {Signal::Int, "INT"},
    {Signal::Quit, "QUIT"},
    {Signal::Kill, "KILL"},
    {Signal::Usr1, "USR1"},
    {Signal::Usr2, "USR2"},
    {Signal::Term, "TERM"},
    {Signal::Cont, "CONT"},
    {Signal::Stop, "STOP"},
    {Signal::Winch, "WINCH"},
    {Signal::Alrm, "ALRM"},
}};

}  // namespace

std::optional<Signal> parse_signal(std::string_view name) {
  std::string upper;
  upper.reserve(name.size());
  for (char c : name) {
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  std::string_view bare = upper;
  if (bare.size() > 3 && bare.substr(0, 3) == "SIG") bare.remove_prefix(3);
  for (const Named& n : kNames) {
    if (bare == n.name) return n.signal;
  }
  return std::nullopt;
}

const char* signal_name(Signal s) {
  switch (s) {
    case Signal::Hup:
      return "SIGHUP";
    case Signal::Int:
      return "SIGINT";
    case Signal::Quit:
      return "SIGQUIT";
    case Signal::Kill:
      return "SIGKILL";
    case Signal::Usr1:
      return "SIGUSR1";
    case Signal::Usr2:
      return "SIGUSR2";
    case Signal::Term:
      return "SIGTERM";
    case Signal::Cont:
      return "SIGCONT";
    case Signal::Stop:
      return "SIGSTOP";
    case Signal::Winch:
      return "SIGWINCH";
    case Signal::Alrm:
      return "SIGALRM";
  }
  return "SIG?";
}

}  // namespace supd::os
