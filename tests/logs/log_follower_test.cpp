#include "logs/log_follower.h"

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "log_test_util.h"
#include "logs/log_file.h"
#include "logs/tail.h"

namespace supd::logs {
namespace {

using testing::append_file;
using testing::TempDir;
using testing::write_file;
using Lines = std::vector<std::string>;

Lines poll(LogFollower& f) {
  auto lines = f.poll();
  EXPECT_TRUE(lines.ok()) << lines.error().message();
  return lines ? *lines : Lines{};
}

LogPosition end_of(const std::string& path) {
  auto t = tail(path, 0);
  EXPECT_TRUE(t.ok());
  return t ? t->end : LogPosition{};
}

TEST(LogFollower, ReturnsCompleteLinesAsTheyAreAppended) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path, "old\n");
  LogFollower f(path, end_of(path), {.partial_after_polls = 0});
  EXPECT_EQ(poll(f), Lines{});
  append_file(path, "a\nb");
  EXPECT_EQ(poll(f), Lines{"a"});
  EXPECT_EQ(poll(f), Lines{});
  append_file(path, "c\n\nd\n");
  EXPECT_EQ(poll(f), (Lines{"bc", "", "d"}));
}

TEST(LogFollower, TailThenFollowNeitherMissesNorRepeats) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path, "1\n2\n3\n");
  auto t = tail(path, 2);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->lines, (Lines{"2", "3"}));
  append_file(path, "4\n");  // between the tail and the follower's start
  LogFollower f(path, t->end);
  append_file(path, "5\n");
  EXPECT_EQ(poll(f), (Lines{"4", "5"}));
}

TEST(LogFollower, ALineThatStaysIncompleteIsShownAfterQuietPolls) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path, "");
  LogFollower f(path, end_of(path), {.partial_after_polls = 2});
  append_file(path, "prompt> ");
  EXPECT_EQ(poll(f), Lines{});  // bytes arrived: not quiet yet
  EXPECT_EQ(poll(f), Lines{});
  EXPECT_EQ(poll(f), Lines{"prompt> "});
  EXPECT_EQ(poll(f), Lines{});
  append_file(path, "answer\n");
  EXPECT_EQ(poll(f), Lines{"answer"});
}

TEST(LogFollower, WaitsForTheFileToAppear) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFollower f(path, end_of(path));
  EXPECT_EQ(poll(f), Lines{});
  write_file(path, "first\n");
  EXPECT_EQ(poll(f), Lines{"first"});
}

TEST(LogFollower, LongLinesComeInPieces) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path, "");
  LogFollower f(path, end_of(path), {.max_line = 10});
  append_file(path, "0123456789012345678901234\n0123456789\n");
  EXPECT_EQ(poll(f), (Lines{"0123456789", "0123456789", "01234", "0123456789"}));
}

TEST(LogFollower, ATruncatedFileIsReadAgainFromItsStart) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path, "a\nb\n");
  LogFollower f(path, end_of(path));
  append_file(path, "c\n");
  EXPECT_EQ(poll(f), Lines{"c"});
  write_file(path, "d\n");  // truncated (copytruncate), then written again
  EXPECT_EQ(poll(f), Lines{"d"});
  append_file(path, "e\n");
  EXPECT_EQ(poll(f), Lines{"e"});
}

TEST(LogFollower, FinishesTheRotatedFileThenReadsTheNewOne) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path, .max_size = 12, .keep = 5});
  ASSERT_TRUE(log.write("one\n").ok());
  LogFollower f(path, end_of(path));
  ASSERT_TRUE(log.write("two\nthree\nfour\n").ok());  // "two\n" ends a.log, which rotates
  EXPECT_EQ(log.rotations(), 1u);
  EXPECT_EQ(poll(f), (Lines{"two", "three", "four"}));
  ASSERT_TRUE(log.write("five\n").ok());
  EXPECT_EQ(poll(f), Lines{"five"});
}

TEST(LogFollower, AnExternalRenameIsFollowedOnceTheWriterReopens) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path});
  ASSERT_TRUE(log.write("one\n").ok());
  LogFollower f(path, end_of(path));
  std::filesystem::rename(path, path + ".1");
  write_file(path, "");                  // logrotate's `create`
  ASSERT_TRUE(log.write("two\n").ok());  // the writer has not reopened yet
  EXPECT_EQ(poll(f), Lines{"two"});
  ASSERT_TRUE(log.write("three\n").ok());
  ASSERT_TRUE(log.reopen().ok());  // SIGUSR1
  ASSERT_TRUE(log.write("four\n").ok());
  EXPECT_EQ(poll(f), (Lines{"three", "four"}));
  ASSERT_TRUE(log.write("five\n").ok());
  EXPECT_EQ(poll(f), Lines{"five"});
}

TEST(LogFollower, StartsInAFileRotatedAwaySinceTheTail) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path, .max_size = 10, .keep = 5});
  ASSERT_TRUE(log.write("aaa\n").ok());
  const LogPosition start = end_of(path);
  ASSERT_TRUE(log.write("bbb\nccc\nddd\neee\n").ok());  // two rotations
  EXPECT_EQ(log.rotations(), 2u);
  LogFollower f(path, start);
  EXPECT_EQ(poll(f), (Lines{"bbb", "ccc", "ddd", "eee"}));
}

// Lines written through rotations at random, with polls in between — sometimes after
// several rotations, sometimes after a partial line — come out exactly once, in order.
TEST(LogFollower, EveryLineExactlyOnceAcrossManyRotations) {
  TempDir dir;
  const auto path = dir.file("a.log");
  const std::string input = testing::numbered_lines(std::size_t{2} * 1024 * 1024, 31);
  LogFile log({.path = path, .max_size = std::size_t{16} * 1024, .keep = 1000});
  ASSERT_TRUE(log.open().ok());
  LogFollower f(path, end_of(path), {.partial_after_polls = 0, .max_read = std::size_t{48} * 1024});
  std::mt19937 rng(32);
  std::uniform_int_distribution<std::size_t> chunk(1, 8000);
  std::uniform_int_distribution<int> writes_per_poll(0, 40);
  Lines got;
  std::size_t pos = 0;
  while (pos < input.size()) {
    for (int k = writes_per_poll(rng); k > 0 && pos < input.size(); --k) {
      const std::size_t n = std::min(chunk(rng), input.size() - pos);
      ASSERT_TRUE(log.write(input.data() + pos, n).ok());
      pos += n;
    }
    for (auto& line : poll(f)) got.push_back(std::move(line));
  }
  EXPECT_GE(log.rotations(), 100u);
  const Lines expected = testing::split_lines(input);
  // Bounded: each poll reads at most max_read bytes.
  for (int i = 0; i < 1000 && got.size() < expected.size(); ++i) {
    for (auto& line : poll(f)) got.push_back(std::move(line));
  }
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected);
}

TEST(LogFollower, ARotationAndATruncationShowExactlyTheExpectedLines) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path, .max_size = 20, .keep = 3});
  ASSERT_TRUE(log.write("start\n").ok());
  LogFollower f(path, end_of(path));
  ASSERT_TRUE(log.write("alpha\nbravo\ncharlie\n").ok());  // rotates after "bravo"
  EXPECT_EQ(poll(f), (Lines{"alpha", "bravo", "charlie"}));
  write_file(path, "");  // truncated from outside
  ASSERT_TRUE(log.reopen().ok());
  ASSERT_TRUE(log.write("delta\n").ok());
  EXPECT_EQ(poll(f), Lines{"delta"});
}

}  // namespace
}  // namespace supd::logs
