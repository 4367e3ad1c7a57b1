#include "logs/tail.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "log_test_util.h"
#include "logs/log_file.h"

namespace supd::logs {
namespace {

using testing::TempDir;
using testing::write_file;
using Lines = std::vector<std::string>;

Lines tail_of(const std::string& path, std::size_t n) {
  auto lines = tail_lines(path, n);
  EXPECT_TRUE(lines.ok()) << lines.error().message();
  return lines ? *lines : Lines{};
}

TEST(Tail, LastLinesOfOneFile) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path, "one\ntwo\nthree\n");
  EXPECT_EQ(tail_of(path, 2), (Lines{"two", "three"}));
  EXPECT_EQ(tail_of(path, 3), (Lines{"one", "two", "three"}));
  EXPECT_EQ(tail_of(path, 10), (Lines{"one", "two", "three"}));
  EXPECT_EQ(tail_of(path, 0), Lines{});
}

TEST(Tail, ALastLineWithoutNewlineCounts) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path, "one\ntwo\nthr");
  EXPECT_EQ(tail_of(path, 2), (Lines{"two", "thr"}));
}

TEST(Tail, EmptyLinesAreLines) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path, "\na\n\n\nb\n");
  EXPECT_EQ(tail_of(path, 10), (Lines{"", "a", "", "", "b"}));
  write_file(path, "\n");
  EXPECT_EQ(tail_of(path, 10), (Lines{""}));
  write_file(path, "");
  EXPECT_EQ(tail_of(path, 10), Lines{});
}

TEST(Tail, NoFileIsNoLines) {
  TempDir dir;
  auto result = tail(dir.file("nothing.log"), 5);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->lines.empty());
  EXPECT_FALSE(result->end.file.valid());
}

TEST(Tail, LinesLongerThanTheReadBlockComeBackWhole) {
  TempDir dir;
  const auto path = dir.file("a.log");
  const std::string long1(std::size_t{200} * 1000, 'x');
  const std::string long2(std::size_t{150} * 1000, 'y');
  write_file(path, "first\n" + long1 + "\n" + long2 + "\nlast");
  EXPECT_EQ(tail_of(path, 3), (Lines{long1, long2, "last"}));
  EXPECT_EQ(tail_of(path, 4), (Lines{"first", long1, long2, "last"}));
}

TEST(Tail, ContinuesIntoRotatedFiles) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path + ".3", "l1\nl2\n");
  write_file(path + ".2", "l3\n");
  write_file(path + ".1", "l4\nl5\n");
  write_file(path, "l6\n");
  EXPECT_EQ(tail_of(path, 1), (Lines{"l6"}));
  EXPECT_EQ(tail_of(path, 3), (Lines{"l4", "l5", "l6"}));
  EXPECT_EQ(tail_of(path, 4), (Lines{"l3", "l4", "l5", "l6"}));
  EXPECT_EQ(tail_of(path, 100), (Lines{"l1", "l2", "l3", "l4", "l5", "l6"}));
}

TEST(Tail, ALineSplitByARotationComesBackWhole) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path + ".1", "a\nbeg");
  write_file(path, "inning\nc\n");
  EXPECT_EQ(tail_of(path, 2), (Lines{"beginning", "c"}));
  EXPECT_EQ(tail_of(path, 3), (Lines{"a", "beginning", "c"}));
}

TEST(Tail, StopsAtTheFirstMissingRotatedFile) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path + ".3", "unreachable\n");
  write_file(path + ".1", "old\n");
  write_file(path, "new\n");
  EXPECT_EQ(tail_of(path, 10), (Lines{"old", "new"}));
}

TEST(Tail, ACurrentFileNotYetCreatedIsSkipped) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path + ".1", "old\n");
  EXPECT_EQ(tail_of(path, 10), (Lines{"old"}));
}

TEST(Tail, AcrossRotationsWrittenByLogFile) {
  TempDir dir;
  const auto path = dir.file("a.log");
  const std::string input = testing::numbered_lines(std::size_t{300} * 1024, 21);
  {
    LogFile log({.path = path, .max_size = std::size_t{32} * 1024, .keep = 20});
    for (std::size_t pos = 0; pos < input.size(); pos += 1000) {
      ASSERT_TRUE(log.write(input.substr(pos, 1000)).ok());
    }
  }
  const auto expected = testing::split_lines(input);
  const auto current_lines = testing::split_lines(testing::read_file(path)).size();
  for (std::size_t n :
       {std::size_t{1}, current_lines, current_lines + 1, std::size_t{700}, std::size_t{1500}}) {
    const Lines got = tail_of(path, n);
    ASSERT_EQ(got.size(), n);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), expected.end() - static_cast<long>(n)))
        << "n = " << n;
  }
}

TEST(Tail, EndIsWhereTheFileEnds) {
  TempDir dir;
  const auto path = dir.file("a.log");
  write_file(path, "abc\ndef\n");
  auto result = tail(path, 1);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->end.file.valid());
  EXPECT_EQ(result->end.offset, 8u);
  auto only_end = tail(path, 0);
  ASSERT_TRUE(only_end.ok());
  EXPECT_EQ(only_end->end.file, result->end.file);
  EXPECT_EQ(only_end->end.offset, 8u);
}

}  // namespace
}  // namespace supd::logs
