#include <gtest/gtest.h>

#include "os/process.h"
#include "os/signals.h"

namespace supd::os {
namespace {

ExitStatus exited(unsigned code) {
  ExitStatus s;
  s.code = static_cast<int>(code);
  return s;
}

TEST(WindowsExitStatus, SmallCodesAreDecimal) {
  EXPECT_EQ(exited(0).describe(), "exited 0");
  EXPECT_EQ(exited(3).describe(), "exited 3");
  EXPECT_EQ(exited(3).shell_code(), 3);
  EXPECT_EQ(exited(3).signal_name(), "");
}

TEST(WindowsExitStatus, ExceptionCodesAreHexWithTheirMeaning) {
  EXPECT_EQ(exited(0xC0000005u).describe(), "exited 0xC0000005 (access violation)");
  EXPECT_EQ(exited(0xC00000FDu).describe(), "exited 0xC00000FD (stack overflow)");
  EXPECT_EQ(exited(0xC0000409u).describe(),
            "exited 0xC0000409 (stack buffer overrun or fast fail)");
  EXPECT_EQ(exited(0xC000013Au).describe(), "exited 0xC000013A (stopped by Ctrl+C or Ctrl+Break)");
  EXPECT_EQ(exited(0xC0000135u).describe(), "exited 0xC0000135 (a DLL was not found)");
  EXPECT_EQ(exited(0xE0000001u).describe(), "exited 0xE0000001");
}

TEST(WindowsExitStatus, TerminatedBySupdReadsAsTheSignalAskedFor) {
  ExitStatus s;
  s.signaled = true;
  s.signo = native_signal(Signal::Kill);
  EXPECT_EQ(s.describe(), "killed by SIGKILL");
  EXPECT_EQ(s.signal_name(), "SIGKILL");
  EXPECT_EQ(s.shell_code(), 137);
}

TEST(WindowsSignalNumbers, FollowLinuxAndRoundTripThroughNames) {
  EXPECT_EQ(native_signal(Signal::Term), 15);
  EXPECT_EQ(native_signal(Signal::Kill), 9);
  for (Signal s : {Signal::Hup, Signal::Int, Signal::Quit, Signal::Kill, Signal::Usr1, Signal::Usr2,
                   Signal::Term, Signal::Cont, Signal::Stop, Signal::Winch, Signal::Alrm}) {
    EXPECT_EQ(native_signal_name(native_signal(s)), signal_name(s));
    EXPECT_EQ(parse_signal(native_signal_name(native_signal(s))), s);
  }
  EXPECT_EQ(native_signal_name(11), "SIGSEGV");
  EXPECT_EQ(native_signal_name(77), "SIG77");
}

}  // namespace
}  // namespace supd::os
