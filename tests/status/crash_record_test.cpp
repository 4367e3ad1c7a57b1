// supd's last crash stays on the page across a restart.
#include <signal.h>
#include <sys/resource.h>

#include <cstring>
#include <ctime>

#include <gtest/gtest.h>

#include "status/liveness.h"
#include "status/status_reader.h"
#include "status/status_test_support.h"
#include "status/status_writer.h"

namespace supd::status {
namespace {

using testing::StatusPageTest;
using testing::wait_child;

Snapshot read_page(const std::string& path) {
  auto reader = StatusReader::open(path);
  EXPECT_TRUE(reader.ok()) << reader.error().message();
  if (!reader) return {};
  auto snapshot = reader->read();
  EXPECT_TRUE(snapshot.ok()) << snapshot.error().message();
  return snapshot ? *snapshot : Snapshot{};
}

using CrashRecordTest = StatusPageTest;

TEST_F(CrashRecordTest, TheCrashIsOnThePageAtOnce) {
  auto writer = StatusWriter::create(page_, 2);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  writer->set_daemon_info(1234, 1700000000);
  writer->set_daemon_state(DaemonState::Running);
  writer->record_crash(1700000100, SIGSEGV, 0xdead, "SIGSEGV at 0xdead");

  const Snapshot s = read_page(page_);
  ASSERT_TRUE(s.last_crash.has_value());
  EXPECT_EQ(s.last_crash->time, 1700000100);
  EXPECT_EQ(s.last_crash->signo, SIGSEGV);
  EXPECT_EQ(s.last_crash->fault_address, 0xdeadu);
  EXPECT_EQ(s.last_crash->pid, 1234);
  EXPECT_EQ(s.last_crash->text, "SIGSEGV at 0xdead");
  EXPECT_TRUE(s.crashed);
  EXPECT_EQ(judge(s, 1700000100000, [](std::int64_t) { return true; }), DaemonLiveness::NotRunning)
      << "a supd that recorded its crash is gone, even if its pid lives on";
}

TEST_F(CrashRecordTest, TheCrashSurvivesTheNextSupdAndTheOneAfter) {
  CrashInfo crash;
  {
    auto writer = StatusWriter::create(page_, 2);
    ASSERT_TRUE(writer.ok()) << writer.error().message();
    EXPECT_FALSE(writer->previous_crash().has_value());
    writer->set_daemon_info(1234, 1700000000);
    writer->record_crash(1700000100, SIGBUS, 0x10, "SIGBUS at 0x10");
    crash = *read_page(page_).last_crash;
  }
  {
    auto writer = StatusWriter::create(page_, 4);
    ASSERT_TRUE(writer.ok()) << writer.error().message();
    ASSERT_TRUE(writer->previous_crash().has_value());
    EXPECT_EQ(*writer->previous_crash(), crash);
    EXPECT_TRUE(writer->previous_run_crashed());
    EXPECT_FALSE(writer->previous_run_unclean());
    writer->set_daemon_info(5678, 1700000200);
    writer->set_daemon_state(DaemonState::Running);

    const Snapshot s = read_page(page_);
    ASSERT_TRUE(s.last_crash.has_value());
    EXPECT_EQ(*s.last_crash, crash);
    EXPECT_FALSE(s.crashed) << "the crash was the previous supd's";
    EXPECT_TRUE(s.previous_run_crashed);
    writer->set_daemon_state(DaemonState::Stopped);
  }
  {
    auto writer = StatusWriter::create(page_, 2);
    ASSERT_TRUE(writer.ok()) << writer.error().message();
    ASSERT_TRUE(writer->previous_crash().has_value());
    EXPECT_EQ(*writer->previous_crash(), crash);
    EXPECT_FALSE(writer->previous_run_crashed()) << "the last supd stopped cleanly";
    EXPECT_FALSE(writer->previous_run_unclean());
    const Snapshot s = read_page(page_);
    EXPECT_EQ(s.last_crash, crash);
    EXPECT_FALSE(s.previous_run_crashed);
  }
}

TEST_F(CrashRecordTest, ASupdThatVanishedWithoutARecordIsNoticed) {
  {
    auto writer = StatusWriter::create(page_, 2);
    ASSERT_TRUE(writer.ok()) << writer.error().message();
    writer->set_daemon_state(DaemonState::Running);
  }  // gone without set_daemon_state(Stopped): SIGKILL, power loss
  auto writer = StatusWriter::create(page_, 2);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  EXPECT_TRUE(writer->previous_run_unclean());
  EXPECT_FALSE(writer->previous_run_crashed());
  EXPECT_FALSE(writer->previous_crash().has_value());
  EXPECT_TRUE(read_page(page_).previous_run_unclean);
}

TEST_F(CrashRecordTest, LongCrashTextIsCut) {
  auto writer = StatusWriter::create(page_, 1);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  const std::string text(300, 'z');
  writer->record_crash(1, SIGILL, 0, text.c_str());
  writer->record_crash(2, SIGFPE, 0, nullptr);
  const Snapshot s = read_page(page_);
  ASSERT_TRUE(s.last_crash.has_value());
  EXPECT_EQ(s.last_crash->signo, SIGFPE);
  EXPECT_EQ(s.last_crash->text, "");
  writer->record_crash(3, SIGILL, 0, text.c_str());
  EXPECT_EQ(read_page(page_).last_crash->text, std::string(kCrashTextSize - 1, 'z'));
}

StatusWriter* g_crashing_writer = nullptr;

void record_and_die(int signo, siginfo_t* info, void*) {
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  g_crashing_writer->record_crash(static_cast<std::int64_t>(std::time(nullptr)), signo, address,
                                  "crashed in a test");
  signal(signo, SIG_DFL);
  raise(signo);
}

TEST_F(CrashRecordTest, ASignalHandlerRecordsTheCrashOfARealProcess) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    auto writer = StatusWriter::create(page_, 2);
    if (!writer) _exit(2);
    writer->set_daemon_info(getpid(), 1700000000);
    writer->set_daemon_state(DaemonState::Running);
    g_crashing_writer = &*writer;
    struct sigaction action {};
    action.sa_sigaction = record_and_die;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGABRT, &action, nullptr);
    raise(SIGABRT);
    _exit(3);
  }
  ASSERT_EQ(wait_child(child), 128 + SIGABRT);

  auto writer = StatusWriter::create(page_, 2);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  ASSERT_TRUE(writer->previous_crash().has_value());
  EXPECT_EQ(writer->previous_crash()->signo, SIGABRT);
  EXPECT_EQ(writer->previous_crash()->pid, child);
  EXPECT_EQ(writer->previous_crash()->text, "crashed in a test");
  EXPECT_GT(writer->previous_crash()->time, 1700000000);
  EXPECT_TRUE(writer->previous_run_crashed());
}

}  // namespace
}  // namespace supd::status
