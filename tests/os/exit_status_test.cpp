// ExitStatus wording and native signal names.
#include <signal.h>

#include <gtest/gtest.h>

#include "os/process.h"
#include "os/signals.h"

namespace supd::os {
namespace {

TEST(ExitStatusTest, DescribesAnExitCode) {
  ExitStatus s;
  s.code = 3;
  EXPECT_EQ(s.describe(), "exited 3");
  EXPECT_EQ(s.signal_name(), "");
  EXPECT_EQ(s.shell_code(), 3);
}

TEST(ExitStatusTest, DescribesASignalDeath) {
  ExitStatus s;
  s.signaled = true;
  s.signo = SIGTERM;
  EXPECT_EQ(s.describe(), "killed by SIGTERM");
  EXPECT_EQ(s.signal_name(), "SIGTERM");
  EXPECT_EQ(s.shell_code(), 128 + SIGTERM);
}

TEST(ExitStatusTest, MentionsACoreDump) {
  ExitStatus s;
  s.signaled = true;
  s.signo = SIGSEGV;
  s.core_dumped = true;
  EXPECT_EQ(s.describe(), "killed by SIGSEGV (core dumped)");
  EXPECT_EQ(s.signal_name(), "SIGSEGV");
}

TEST(NativeSignalTest, NamesKnownAndUnknownNumbers) {
  EXPECT_EQ(native_signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(native_signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(native_signal_name(SIGCHLD), "SIGCHLD");
  EXPECT_EQ(native_signal_name(200), "SIG200");
  EXPECT_EQ(native_signal_name(0), "SIG0");
}

TEST(NativeSignalTest, MapsEveryPortableSignalToItsNativeNumber) {
  EXPECT_EQ(native_signal(Signal::Hup), SIGHUP);
  EXPECT_EQ(native_signal(Signal::Int), SIGINT);
  EXPECT_EQ(native_signal(Signal::Quit), SIGQUIT);
  EXPECT_EQ(native_signal(Signal::Kill), SIGKILL);
  EXPECT_EQ(native_signal(Signal::Usr1), SIGUSR1);
  EXPECT_EQ(native_signal(Signal::Usr2), SIGUSR2);
  EXPECT_EQ(native_signal(Signal::Term), SIGTERM);
  EXPECT_EQ(native_signal(Signal::Cont), SIGCONT);
  EXPECT_EQ(native_signal(Signal::Stop), SIGSTOP);
  EXPECT_EQ(native_signal(Signal::Winch), SIGWINCH);
  EXPECT_EQ(native_signal(Signal::Alrm), SIGALRM);
}

TEST(NativeSignalTest, NativeNameMatchesThePortableName) {
  for (Signal s : {Signal::Hup, Signal::Int, Signal::Quit, Signal::Kill, Signal::Usr1, Signal::Usr2,
                   Signal::Term, Signal::Cont, Signal::Stop, Signal::Winch, Signal::Alrm}) {
    EXPECT_EQ(native_signal_name(native_signal(s)), signal_name(s));
  }
}

}  // namespace
}  // namespace supd::os
