#include "os/named_semaphore.h"

#include <windows.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "win_test_util.h"

namespace supd::os {
namespace {

std::string unique_name(const char* what) {
  return std::string("supd-test-") + what + "-" + std::to_string(GetCurrentProcessId()) + "-" +
         std::to_string(GetTickCount64());
}

TEST(WindowsNamedSemaphore, CountsWaitsAndPosts) {
  const std::string name = unique_name("count");
  auto sem = NamedSemaphore::open_or_create(name, 1);
  ASSERT_TRUE(sem) << sem.error().message();
  EXPECT_EQ(sem->name(), name);
  EXPECT_EQ(sem->value().value(), 1);
  EXPECT_TRUE(sem->try_wait());
  EXPECT_FALSE(sem->try_wait());
  EXPECT_EQ(sem->value().value(), 0);
  auto timed = sem->wait_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(timed);
  EXPECT_FALSE(timed.value());
  ASSERT_TRUE(test::ok(sem->post()));
  timed = sem->wait_for(std::chrono::seconds(10));
  ASSERT_TRUE(timed);
  EXPECT_TRUE(timed.value());
  ASSERT_TRUE(test::ok(sem->post()));
  EXPECT_TRUE(test::ok(sem->wait()));
}

TEST(WindowsNamedSemaphore, OpenFindsTheSameSemaphore) {
  const std::string name = unique_name("open");
  auto created = NamedSemaphore::open_or_create(name, 0);
  ASSERT_TRUE(created) << created.error().message();
  auto opened = NamedSemaphore::open(name);
  ASSERT_TRUE(opened) << opened.error().message();
  ASSERT_TRUE(test::ok(opened->post()));
  EXPECT_TRUE(created->try_wait());
  // open_or_create of an existing one keeps its count.
  auto again = NamedSemaphore::open_or_create(name, 5);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->value().value(), 0);
}

TEST(WindowsNamedSemaphore, OpeningAMissingOneFailsNamingIt) {
  const std::string name = unique_name("missing");
  auto opened = NamedSemaphore::open(name);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code.value(), ERROR_FILE_NOT_FOUND);
  EXPECT_NE(opened.error().message().find("open semaphore " + name), std::string::npos);
}

TEST(WindowsNamedSemaphore, TheNameGoesWithTheLastHandle) {
  const std::string name = unique_name("gone");
  {
    auto sem = NamedSemaphore::open_or_create(name, 1);
    ASSERT_TRUE(sem);
    EXPECT_TRUE(test::ok(NamedSemaphore::unlink(name)));  // nothing to do on Windows
    EXPECT_TRUE(NamedSemaphore::open(name));
  }
  EXPECT_FALSE(NamedSemaphore::open(name));
}

TEST(WindowsNamedSemaphore, AnotherProcessCanPostIt) {
  const std::string name = unique_name("cross");
  auto sem = NamedSemaphore::open_or_create(name, 0);
  ASSERT_TRUE(sem);
  auto done = test::run(test::child_spec({"sem-post", name}));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status.code, 0);
  auto got = sem->wait_for(std::chrono::seconds(10));
  ASSERT_TRUE(got);
  EXPECT_TRUE(got.value());
}

TEST(WindowsSemaphoreName, IsTheSameForEverySpellingOfAPath) {
  const std::string a = semaphore_name_for(R"(C:\ProgramData\supd\supd.status)");
  EXPECT_EQ(a.rfind("supd-", 0), 0u);
  EXPECT_EQ(a.size(), 21u);
  EXPECT_EQ(semaphore_name_for("c:/programdata/SUPD/supd.status"), a);
  EXPECT_EQ(semaphore_name_for(R"(C:\ProgramData\supd\..\supd\supd.status)"), a);
  EXPECT_NE(semaphore_name_for(R"(C:\ProgramData\supd\other.status)"), a);
}

}  // namespace
}  // namespace supd::os
