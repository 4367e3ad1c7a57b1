// Write errors: nothing is lost while the held output fits the limit, what does not fit
// is counted and marked in the file, and the file recovers by itself.
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "log_test_util.h"
#include "logs/log_file.h"

#ifndef _WIN32
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace supd::logs {
namespace {

using testing::FaultyFileSystem;
using testing::read_file;
using testing::TempDir;

TEST(LogFileErrors, HeldBytesReachTheFileWhenWritingWorksAgain) {
  TempDir dir;
  const auto path = dir.file("web.out.log");
  FaultyFileSystem fs;
  LogFile log({.path = path}, fs);
  fs.write_budget = 10;
  os::Status s = log.write("0123456789abcdef\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "write " + path + ": No space left on device");
  EXPECT_EQ(log.buffered_bytes(), 7u);
  EXPECT_TRUE(log.failing());
  EXPECT_FALSE(log.write("more\n").ok());
  EXPECT_EQ(log.buffered_bytes(), 12u);
  EXPECT_EQ(read_file(path), "0123456789");

  fs.write_budget = -1;
  EXPECT_TRUE(log.retry().ok());
  EXPECT_EQ(read_file(path), "0123456789abcdef\nmore\n");
  EXPECT_EQ(log.buffered_bytes(), 0u);
  EXPECT_EQ(log.dropped_bytes(), 0u);
  EXPECT_FALSE(log.failing());
}

TEST(LogFileErrors, TheNextWriteRetriesHeldBytesFirst) {
  TempDir dir;
  const auto path = dir.file("a.log");
  FaultyFileSystem fs;
  LogFile log({.path = path}, fs);
  fs.write_budget = 0;
  EXPECT_FALSE(log.write("one\n").ok());
  fs.write_budget = -1;
  EXPECT_TRUE(log.write("two\n").ok());
  EXPECT_EQ(read_file(path), "one\ntwo\n");
}

TEST(LogFileErrors, OutputBeyondTheLimitIsDroppedCountedAndMarked) {
  TempDir dir;
  const auto path = dir.file("a.log");
  FaultyFileSystem fs;
  LogFile log({.path = path, .buffer_limit = kMinBufferLimit}, fs);
  const std::string a(40 * 1024 - 1, 'a');
  const std::string b(40 * 1024 - 1, 'b');
  const std::string c(10 * 1024 - 1, 'c');
  fs.write_budget = 0;
  EXPECT_FALSE(log.write(a + "\n").ok());
  EXPECT_FALSE(log.write(b + "\n").ok());  // 24 KiB of it fits
  EXPECT_FALSE(log.write(c + "\n").ok());  // none of it fits
  EXPECT_EQ(log.buffered_bytes(), kMinBufferLimit);
  EXPECT_EQ(log.dropped_bytes(), 16u * 1024 + 10 * 1024);

  fs.write_budget = -1;
  EXPECT_TRUE(log.retry().ok());
  EXPECT_FALSE(log.failing());
  EXPECT_TRUE(log.write("after\n").ok());
  const std::string expected = a + "\n" + std::string(std::size_t{24} * 1024, 'b') + "\n" +
                               "[supd: 26624 bytes of output lost: write " + path +
                               ": No space left on device]\nafter\n";
  EXPECT_TRUE(read_file(path) == expected);
  EXPECT_EQ(log.dropped_bytes(), 26624u);
}

TEST(LogFileErrors, TheMarkerSitsWhereTheGapIsWhenWritingResumesWithNewOutput) {
  TempDir dir;
  const auto path = dir.file("a.log");
  FaultyFileSystem fs;
  testing::FakeClock clock;
  LogFile log({.path = path, .timestamps = true, .buffer_limit = kMinBufferLimit}, fs,
              [&] { return clock.now; });
  fs.write_budget = 0;
  const std::string big(std::size_t{70} * 1024, 'x');
  EXPECT_FALSE(log.write("kept\n").ok());
  EXPECT_FALSE(log.write(big + "\n").ok());  // most of it fits, the rest is dropped
  const std::uint64_t dropped = log.dropped_bytes();
  EXPECT_GT(dropped, 0u);
  fs.write_budget = -1;
  EXPECT_TRUE(log.write("back\n").ok());
  const auto lines = testing::split_lines(read_file(path));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "1970-01-01T00:00:00.000Z kept");
  EXPECT_EQ(lines[1].size(), kMinBufferLimit - lines[0].size() - 1);
  EXPECT_EQ(lines[2], "1970-01-01T00:00:00.000Z [supd: " + std::to_string(dropped) +
                          " bytes of output lost: write " + path + ": No space left on device]");
  EXPECT_EQ(lines[3], "1970-01-01T00:00:00.000Z back");
}

TEST(LogFileErrors, AFileThatCannotBeOpenedHoldsOutputUntilItCan) {
  TempDir dir;
  const auto path = dir.file("missing/a.log");
  LogFile log({.path = path});
  os::Status s = log.open();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "open " + path + ": No such file or directory");
  EXPECT_FALSE(log.write("held\n").ok());
  EXPECT_EQ(log.buffered_bytes(), 5u);
  std::filesystem::create_directory(dir.file("missing"));
  EXPECT_TRUE(log.retry().ok());
  EXPECT_EQ(read_file(path), "held\n");
}

TEST(LogFileErrors, ARefusedRotationGrowsTheFileInsteadOfLosingOutput) {
  TempDir dir;
  const auto path = dir.file("a.log");
  FaultyFileSystem fs;
  LogFile log({.path = path, .max_size = 10, .keep = 2}, fs);
  fs.rename_errno = EACCES;
  os::Status s = log.write("aaaa\nbbbb\ncccc\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "rename " + path + " to " + path + ".1: Permission denied");
  EXPECT_EQ(read_file(path), "aaaa\nbbbb\ncccc\n");
  EXPECT_EQ(log.buffered_bytes(), 0u);
  EXPECT_EQ(log.rotations(), 0u);

  fs.rename_errno = 0;
  EXPECT_TRUE(log.write("dd\n").ok());
  EXPECT_EQ(read_file(path + ".1"), "aaaa\nbbbb\ncccc\n");
  EXPECT_EQ(read_file(path), "dd\n");
}

TEST(LogFileErrors, ShortWritesLoseNothing) {
  TempDir dir;
  const auto path = dir.file("a.log");
  FaultyFileSystem fs;
  fs.short_writes = 7;
  const std::string input = testing::numbered_lines(std::size_t{200} * 1024, 12);
  {
    LogFile log({.path = path, .max_size = std::size_t{16} * 1024, .keep = 100}, fs);
    for (std::size_t pos = 0; pos < input.size(); pos += 3000) {
      ASSERT_TRUE(log.write(input.substr(pos, 3000)).ok());
    }
  }
  EXPECT_TRUE(testing::read_all_generations(path) == input);
}

TEST(LogFileErrors, CloseDropsAndCountsWhatCannotBeWritten) {
  TempDir dir;
  const auto path = dir.file("a.log");
  FaultyFileSystem fs;
  LogFile log({.path = path}, fs);
  fs.write_budget = 0;
  EXPECT_FALSE(log.write("lost\n").ok());
  EXPECT_FALSE(log.close().ok());
  EXPECT_EQ(log.dropped_bytes(), 5u);
  EXPECT_EQ(log.buffered_bytes(), 0u);
  fs.write_budget = -1;
  EXPECT_TRUE(log.write("later\n").ok());
  EXPECT_EQ(read_file(path),
            "[supd: 5 bytes of output lost: write " + path + ": No space left on device]\nlater\n");
}

#ifdef __linux__
TEST(LogFileErrors, AFullDeviceIsReportedAndItsOutputHeld) {
  TempDir dir;
  const auto path = dir.file("full.log");
  std::filesystem::create_symlink("/dev/full", path);
  LogFile log({.path = path, .buffer_limit = kMinBufferLimit});
  const std::string chunk(std::size_t{50} * 1024, 'z');
  os::Status s = log.write(chunk);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "write " + path + ": No space left on device");
  EXPECT_EQ(log.buffered_bytes(), chunk.size());
  EXPECT_FALSE(log.write(chunk).ok());
  EXPECT_EQ(log.buffered_bytes(), kMinBufferLimit);
  EXPECT_EQ(log.dropped_bytes(), 2 * chunk.size() - kMinBufferLimit);
  EXPECT_FALSE(log.retry().ok());
}
#endif

#ifndef _WIN32
// A file size limit (RLIMIT_FSIZE with SIGXFSZ ignored, as in supd) is a disk that fills
// up and frees again without help. Run in a child: the limit is per process.
TEST(LogFileErrors, AFileSizeLimitHoldsOutputUntilItIsRaised) {
  TempDir dir;
  const auto path = dir.file("limited.log");
  const std::string input = testing::numbered_lines(std::size_t{150} * 1000, 13);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto fail = [](int code, const std::string& why) {
      std::fprintf(stderr, "child: %s\n", why.c_str());
      _exit(code);
    };
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old {};
    getrlimit(RLIMIT_FSIZE, &old);
    struct rlimit limited = old;
    limited.rlim_cur = rlim_t{100} * 1000;
    if (setrlimit(RLIMIT_FSIZE, &limited) != 0) fail(10, "setrlimit");
    LogFile log({.path = path, .buffer_limit = std::size_t{1024} * 1024});
    os::Status s = log.write(input);
    if (s.ok()) fail(11, "write past the limit succeeded");
    if (s.error().message() != "write " + path + ": File too large") {
      fail(12, s.error().message());
    }
    if (log.buffered_bytes() != input.size() - std::size_t{100} * 1000) fail(13, "not held");
    if (log.retry().ok()) fail(14, "retry under the limit succeeded");
    if (setrlimit(RLIMIT_FSIZE, &old) != 0) fail(15, "setrlimit back");
    if (!log.retry().ok()) fail(16, "retry after raising the limit failed");
    if (log.buffered_bytes() != 0 || log.dropped_bytes() != 0) fail(17, "bytes left");
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(read_file(path) == input);
}
#endif

}  // namespace
}  // namespace supd::logs
