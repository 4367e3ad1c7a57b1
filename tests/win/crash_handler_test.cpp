// supd's crash handler on Windows, in a child that installs it and then crashes.
#include "os/crash_handler.h"

#include <string>

#include <gtest/gtest.h>

#include "win_test_util.h"

namespace supd::os {
namespace {

using test::child_spec;
using test::run;

TEST(WindowsCrashHandler, ReportsAnAccessViolationAndLetsItEndTheProcess) {
  auto done = run(child_spec({"crash-handler", "crash"}));
  ASSERT_TRUE(done);
  EXPECT_EQ(static_cast<unsigned>(done->status.code), 0xC0000005u);
  EXPECT_NE(done->err.find("supd crashed: 0xC0000005 (access violation) at address 0x10\n"),
            std::string::npos)
      << done->err;
  EXPECT_NE(done->err.find("backtrace:\n"), std::string::npos) << done->err;
  // The first frame is the faulting instruction, in the child's own module.
  const std::size_t first = done->err.find("backtrace:\n") + 11;
  EXPECT_NE(done->err.find("supd_win_child.exe+0x", first), std::string::npos) << done->err;
  EXPECT_NE(done->err.find("hook ran: 0xC0000005"), std::string::npos) << done->err;
}

TEST(WindowsCrashHandler, ReportsAbort) {
  auto done = run(child_spec({"crash-handler", "abort"}));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status.code, 3);
  EXPECT_NE(done->err.find("supd crashed: SIGABRT\n"), std::string::npos) << done->err;
  EXPECT_NE(done->err.find("hook ran: 0x00000006"), std::string::npos) << done->err;
}

TEST(WindowsCrashHandler, ReportsAStackOverflow) {
  if (test::running_under_wine()) {
    GTEST_SKIP() << "Wine 8.0 runs no exception filter for a stack overflow: it prints "
                    "\"Unhandled stack overflow\" and ends the process with exit code 1";
  }
  auto done = run(child_spec({"crash-handler", "overflow"}));
  ASSERT_TRUE(done);
  EXPECT_EQ(static_cast<unsigned>(done->status.code), 0xC00000FDu) << done->status.describe();
  EXPECT_NE(done->err.find("supd crashed: 0xC00000FD (stack overflow)"), std::string::npos)
      << done->err;
  EXPECT_NE(done->err.find("hook ran: 0xC00000FD"), std::string::npos) << done->err;
}

TEST(WindowsCrashHandler, WithoutItACrashStillEndsWithTheExceptionCode) {
  auto done = run(child_spec({"crash"}));
  ASSERT_TRUE(done);
  EXPECT_EQ(static_cast<unsigned>(done->status.code), 0xC0000005u);
  EXPECT_EQ(done->err.find("supd crashed"), std::string::npos);
}

}  // namespace
}  // namespace supd::os
