#include "os/named_semaphore.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace supd::os {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Waits for a forked child and returns its exit code (-1 if it did not exit normally).
int wait_child(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class NamedSemaphoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    name_ = "/supd-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
  }
  void TearDown() override { (void)NamedSemaphore::unlink(name_); }

  std::string name_;
};

TEST_F(NamedSemaphoreTest, TryWaitTakesOnlyWhatWasPosted) {
  auto sem = NamedSemaphore::open_or_create(name_, 0);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  EXPECT_FALSE(sem->try_wait());
  ASSERT_TRUE(sem->post().ok());
  EXPECT_TRUE(sem->try_wait());
  EXPECT_FALSE(sem->try_wait());
}

TEST_F(NamedSemaphoreTest, StartsAtTheInitialValue) {
  auto sem = NamedSemaphore::open_or_create(name_, 2);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  EXPECT_TRUE(sem->try_wait());
  EXPECT_TRUE(sem->try_wait());
  EXPECT_FALSE(sem->try_wait());
}

TEST_F(NamedSemaphoreTest, OpenOrCreateOfAnExistingOneKeepsItsValue) {
  auto first = NamedSemaphore::open_or_create(name_, 1);
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_TRUE(first->try_wait());
  auto second = NamedSemaphore::open_or_create(name_, 5);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_FALSE(second->try_wait());
  ASSERT_TRUE(first->post().ok());
  EXPECT_TRUE(second->try_wait());
}

TEST_F(NamedSemaphoreTest, WaitReturnsWhenAvailable) {
  auto sem = NamedSemaphore::open_or_create(name_, 1);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  EXPECT_TRUE(sem->wait().ok());
  EXPECT_FALSE(sem->try_wait());
}

TEST_F(NamedSemaphoreTest, TimedWaitTakesAnAvailableSemaphore) {
  auto sem = NamedSemaphore::open_or_create(name_, 1);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  auto got = sem->wait_for(std::chrono::seconds(10));
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_TRUE(*got);
}

TEST_F(NamedSemaphoreTest, TimedWaitTimesOutAfterRoughlyTheTimeout) {
  auto sem = NamedSemaphore::open_or_create(name_, 0);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  const auto start = steady_clock::now();
  auto got = sem->wait_for(milliseconds(100));
  const auto elapsed = steady_clock::now() - start;
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_FALSE(*got);
  EXPECT_GE(elapsed, milliseconds(95));
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

TEST_F(NamedSemaphoreTest, ZeroTimeoutDoesNotWait) {
  auto sem = NamedSemaphore::open_or_create(name_, 0);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  auto got = sem->wait_for(std::chrono::microseconds(0));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(*got);
}

TEST_F(NamedSemaphoreTest, AnotherProcessPostsToIt) {
  auto sem = NamedSemaphore::open_or_create(name_, 0);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto mine = NamedSemaphore::open(name_);
    _exit(mine && mine->post() ? 0 : 1);
  }
  auto got = sem->wait_for(std::chrono::seconds(10));
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_TRUE(*got);
  EXPECT_EQ(wait_child(child), 0);
}

TEST_F(NamedSemaphoreTest, AnotherProcessWaitsForOurPost) {
  auto sem = NamedSemaphore::open_or_create(name_, 0);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto mine = NamedSemaphore::open(name_);
    if (!mine) _exit(2);
    auto got = mine->wait_for(std::chrono::seconds(10));
    _exit(got && *got ? 0 : 1);
  }
  ASSERT_TRUE(sem->post().ok());
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_FALSE(sem->try_wait());  // the child took it
}

TEST_F(NamedSemaphoreTest, OpeningAMissingOneSaysWhich) {
  auto sem = NamedSemaphore::open(name_);
  ASSERT_FALSE(sem.ok());
  EXPECT_EQ(sem.error().message(), "open semaphore " + name_ + ": No such file or directory");
}

TEST_F(NamedSemaphoreTest, UnlinkRemovesTheNameButNotTheOpenSemaphore) {
  auto sem = NamedSemaphore::open_or_create(name_, 0);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  ASSERT_TRUE(NamedSemaphore::unlink(name_).ok());
  EXPECT_FALSE(NamedSemaphore::open(name_).ok());
  ASSERT_TRUE(sem->post().ok());
  EXPECT_TRUE(sem->try_wait());

  auto fresh = NamedSemaphore::open_or_create(name_, 1);  // a new, separate semaphore
  ASSERT_TRUE(fresh.ok()) << fresh.error().message();
  EXPECT_FALSE(sem->try_wait());
  EXPECT_TRUE(fresh->try_wait());

  ASSERT_TRUE(NamedSemaphore::unlink(name_).ok());
  const Status again = NamedSemaphore::unlink(name_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message(), "remove semaphore " + name_ + ": No such file or directory");
}

TEST_F(NamedSemaphoreTest, MovedFromHandlesLeaveTheSemaphoreUsable) {
  auto sem = NamedSemaphore::open_or_create(name_, 0);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  NamedSemaphore moved = std::move(*sem);
  NamedSemaphore assigned = std::move(moved);
  ASSERT_TRUE(assigned.post().ok());
  EXPECT_TRUE(assigned.try_wait());
  EXPECT_EQ(assigned.name(), name_);
}

#if defined(__linux__) || defined(__FreeBSD__)
TEST_F(NamedSemaphoreTest, ValueReportsTheCount) {
  auto sem = NamedSemaphore::open_or_create(name_, 0);
  ASSERT_TRUE(sem.ok()) << sem.error().message();
  ASSERT_TRUE(sem->post().ok());
  ASSERT_TRUE(sem->post().ok());
  auto value = sem->value();
  ASSERT_TRUE(value.ok()) << value.error().message();
  EXPECT_EQ(*value, 2);
}
#endif

TEST(SemaphoreNameFor, IsShortAndPrefixed) {
  const std::string name = semaphore_name_for("/run/supd/supd.status");
  EXPECT_EQ(name.rfind("/supd-", 0), 0u);
  EXPECT_LE(name.size(), 30u);
  EXPECT_EQ(name, semaphore_name_for("/run/supd/supd.status"));
  EXPECT_NE(name, semaphore_name_for("/run/supd/other.status"));
}

TEST(SemaphoreNameFor, SameFileSameNameHoweverItIsSpelled) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("supd-semname-" + std::to_string(getpid()));
  fs::create_directories(dir / "sub");
  const fs::path page = dir / "supd.status";
  {
    std::FILE* f = std::fopen(page.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  fs::create_symlink(page, dir / "link.status");
  const std::string name = semaphore_name_for(page.string());
  EXPECT_EQ(name, semaphore_name_for((dir / "sub" / ".." / "supd.status").string()));
  EXPECT_EQ(name, semaphore_name_for((dir / "link.status").string()));
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  EXPECT_EQ(name, semaphore_name_for("supd.status"));
  fs::current_path(cwd);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace supd::os
