// A reader killed while holding the status lock does not stall the daemon, later readers
// still read, and the daemon gives the lock back.
#include <signal.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "os/named_semaphore.h"
#include "status/status_reader.h"
#include "status/status_test_support.h"
#include "status/status_writer.h"

namespace supd::status {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using testing::derived_status;
using testing::StatusPageTest;
using testing::wait_child;

// A forked "reader" that takes the lock, says so on a pipe, then waits for a byte on a
// second pipe before giving it back (or for SIGKILL).
struct LockHolder {
  pid_t pid = -1;
  int ready_fd = -1;    // parent reads: the child holds the lock
  int release_fd = -1;  // parent writes: the child may release it

  static LockHolder start(const std::string& page) {
    int ready[2];
    int release[2];
    if (pipe(ready) != 0 || pipe(release) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
      close(ready[0]);
      close(release[1]);
      auto lock = os::NamedSemaphore::open(os::semaphore_name_for(page));
      if (!lock || !lock->wait()) _exit(2);
      const char held = 'h';
      if (write(ready[1], &held, 1) != 1) _exit(3);
      char go = 0;
      if (read(release[0], &go, 1) != 1) _exit(4);
      _exit(lock->post() ? 0 : 5);
    }
    close(ready[1]);
    close(release[0]);
    return {pid, ready[0], release[1]};
  }
  bool wait_until_held() const {
    char held = 0;
    return read(ready_fd, &held, 1) == 1 && held == 'h';
  }
  void release() const {
    const char go = 'g';
    (void)!write(release_fd, &go, 1);
  }
  ~LockHolder() {
    if (ready_fd >= 0) close(ready_fd);
    if (release_fd >= 0) close(release_fd);
  }
};

WriterOptions quick_recovery() {
  WriterOptions options;
  options.lock_timeout = milliseconds(2);
  options.stale_lock_after = milliseconds(100);
  return options;
}

int lock_value(const std::string& page) {
  auto lock = os::NamedSemaphore::open(os::semaphore_name_for(page));
  if (!lock) return -1;
  auto value = lock->value();
  return value ? *value : -1;
}

using LockRecoveryTest = StatusPageTest;

TEST_F(LockRecoveryTest, AReaderKilledHoldingTheLockDoesNotStallTheWriter) {
  auto writer = StatusWriter::create(page_, 4, quick_recovery());
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  const int slot = writer->add_or_find("web");

  LockHolder holder = LockHolder::start(page_);
  ASSERT_GT(holder.pid, 0);
  ASSERT_TRUE(holder.wait_until_held());
  kill(holder.pid, SIGKILL);
  ASSERT_EQ(wait_child(holder.pid), 128 + SIGKILL);

  // The lock is gone with its holder; the writer still writes, promptly.
  auto start = steady_clock::now();
  writer->update(slot, derived_status("web", 1));
  EXPECT_LT(steady_clock::now() - start, seconds(1));
  EXPECT_GE(writer->lock_timeouts(), 1u);

  // A later reader reads, without the lock, and sees the update.
  ReaderOptions patient_but_bounded;
  patient_but_bounded.lock_timeout = milliseconds(5);
  auto reader = StatusReader::open(page_, patient_but_bounded);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  auto snapshot = reader->read();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message();
  EXPECT_FALSE(snapshot->locked);
  ASSERT_EQ(snapshot->services.size(), 1u);
  EXPECT_EQ(snapshot->services[0], derived_status("web", 1));

  // Updates keep coming, each prompt, until the writer has given the lock back.
  const auto deadline = steady_clock::now() + seconds(10);
  std::uint32_t c = 2;
  while (writer->lock_repairs() == 0 && steady_clock::now() < deadline) {
    start = steady_clock::now();
    writer->update(slot, derived_status("web", c++));
    EXPECT_LT(steady_clock::now() - start, seconds(1));
    std::this_thread::sleep_for(milliseconds(5));  // pacing, like a daemon's events
  }
  ASSERT_EQ(writer->lock_repairs(), 1u);

  snapshot = reader->read();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message();
  EXPECT_TRUE(snapshot->locked) << "the lock works again";
  EXPECT_EQ(snapshot->services[0], derived_status("web", c - 1));
#if defined(__linux__)
  EXPECT_EQ(lock_value(page_), 1);
#endif
}

TEST_F(LockRecoveryTest, HeartbeatsRepairTheLockOfAnIdleDaemon) {
  auto writer = StatusWriter::create(page_, 4, quick_recovery());
  ASSERT_TRUE(writer.ok()) << writer.error().message();

  LockHolder holder = LockHolder::start(page_);
  ASSERT_GT(holder.pid, 0);
  ASSERT_TRUE(holder.wait_until_held());
  kill(holder.pid, SIGKILL);
  ASSERT_EQ(wait_child(holder.pid), 128 + SIGKILL);

  const auto deadline = steady_clock::now() + seconds(10);
  std::int64_t now_ms = 1;
  while (writer->lock_repairs() == 0 && steady_clock::now() < deadline) {
    const auto start = steady_clock::now();
    writer->heartbeat(now_ms++);
    EXPECT_LT(steady_clock::now() - start, seconds(1));
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(writer->lock_repairs(), 1u);
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  EXPECT_TRUE(reader->read()->locked);
}

TEST_F(LockRecoveryTest, AHolderThatWasOnlySlowDoesNotLeaveTheLockDoubled) {
  auto writer = StatusWriter::create(page_, 4, quick_recovery());
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  const int slot = writer->add_or_find("web");

  LockHolder holder = LockHolder::start(page_);
  ASSERT_GT(holder.pid, 0);
  ASSERT_TRUE(holder.wait_until_held());
  const auto deadline = steady_clock::now() + seconds(10);
  std::uint32_t c = 1;
  while (writer->lock_repairs() == 0 && steady_clock::now() < deadline) {
    writer->update(slot, derived_status("web", c++));
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_EQ(writer->lock_repairs(), 1u);

  // The "dead" holder was alive: it releases too, one token too many.
  holder.release();
  ASSERT_EQ(wait_child(holder.pid), 0);
  writer->update(slot, derived_status("web", c++));
#if defined(__linux__)
  EXPECT_EQ(lock_value(page_), 1) << "the writer took the surplus back";
#endif
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  EXPECT_TRUE(reader->read()->locked);
}

TEST_F(LockRecoveryTest, ANewPageComesWithAFreeLock) {
  {
    auto writer = StatusWriter::create(page_, 1);
    ASSERT_TRUE(writer.ok()) << writer.error().message();
  }
  // A supd that died holding the lock leaves it taken.
  auto lock = os::NamedSemaphore::open(os::semaphore_name_for(page_));
  ASSERT_TRUE(lock.ok()) << lock.error().message();
  ASSERT_TRUE(lock->try_wait());

  auto writer = StatusWriter::create(page_, 1);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  EXPECT_FALSE(writer->lock_error().has_value());
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  EXPECT_TRUE(reader->read()->locked);
  EXPECT_EQ(writer->lock_timeouts(), 0u);
}

}  // namespace
}  // namespace supd::status
