#include "logs/log_file.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "log_test_util.h"

namespace supd::logs {
namespace {

using testing::kKiB;
using testing::kMiB;
using testing::numbered_lines;
using testing::read_all_generations;
using testing::read_file;
using testing::TempDir;

// Feeds `data` in random-sized chunks, as pipe reads would hand it over.
void write_in_chunks(LogFile& log, const std::string& data, unsigned seed,
                     std::size_t max_chunk = 128 * kKiB) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> size(1, max_chunk);
  for (std::size_t pos = 0; pos < data.size();) {
    const std::size_t n = std::min(size(rng), data.size() - pos);
    ASSERT_TRUE(log.write(data.data() + pos, n).ok());
    pos += n;
  }
}

TEST(LogFile, AppendsEveryByteAndCreatesTheFile) {
  TempDir dir;
  const auto path = dir.file("web.out.log");
  LogFile log({.path = path});
  ASSERT_TRUE(log.open().ok());
  EXPECT_TRUE(testing::exists(path));
  ASSERT_TRUE(log.write("hello\nwor").ok());
  ASSERT_TRUE(log.write("ld\n").ok());
  EXPECT_EQ(read_file(path), "hello\nworld\n");
  EXPECT_EQ(log.size(), 12u);
  EXPECT_FALSE(log.failing());
}

TEST(LogFile, ContinuesAnExistingFileAndCountsItsSize) {
  TempDir dir;
  const auto path = dir.file("a.log");
  testing::write_file(path, "0123456789\n");
  LogFile log({.path = path, .max_size = 20, .keep = 2});
  ASSERT_TRUE(log.write("abcdef\n").ok());
  EXPECT_EQ(log.size(), 18u);
  EXPECT_EQ(read_file(path), "0123456789\nabcdef\n");
  ASSERT_TRUE(log.write("next\n").ok());  // 18 + 5 > 20: rotates first
  EXPECT_EQ(read_file(path + ".1"), "0123456789\nabcdef\n");
  EXPECT_EQ(read_file(path), "next\n");
}

TEST(LogFile, LastLineWithoutNewlineIsKeptAsIs) {
  TempDir dir;
  const auto path = dir.file("a.log");
  {
    LogFile log({.path = path});
    ASSERT_TRUE(log.write("one\ntwo").ok());
    ASSERT_TRUE(log.end_of_stream().ok());
    ASSERT_TRUE(log.close().ok());
  }
  EXPECT_EQ(read_file(path), "one\ntwo");
}

TEST(LogFile, WithoutTimestampsARestartedStreamAddsNothing) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path});
  ASSERT_TRUE(log.write("partial").ok());
  ASSERT_TRUE(log.end_of_stream().ok());
  ASSERT_TRUE(log.write("next\n").ok());
  EXPECT_EQ(read_file(path), "partialnext\n");
}

TEST(LogFile, RotatesAtLineBoundaries) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path, .max_size = 10, .keep = 3});
  ASSERT_TRUE(log.write("aaa\nbbb\nccc\nddd\n").ok());  // 16 bytes: "aaa\nbbb\n" fits
  EXPECT_EQ(read_file(path + ".1"), "aaa\nbbb\n");
  EXPECT_EQ(read_file(path), "ccc\nddd\n");
  EXPECT_EQ(log.rotations(), 1u);
}

TEST(LogFile, ALineThatDoesNotFitStartsTheNextFile) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path, .max_size = 10, .keep = 3});
  ASSERT_TRUE(log.write("aaaaaa\n").ok());
  ASSERT_TRUE(log.write("bbbbbb\n").ok());
  EXPECT_EQ(read_file(path + ".1"), "aaaaaa\n");
  EXPECT_EQ(read_file(path), "bbbbbb\n");
}

TEST(LogFile, SplitsOnlyALineLongerThanMaxSize) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path, .max_size = 10, .keep = 5});
  ASSERT_TRUE(log.write("ab\n").ok());
  ASSERT_TRUE(log.write("0123456789012345678901234\nxy\n").ok());
  EXPECT_EQ(read_file(path + ".3"), "ab\n");
  EXPECT_EQ(read_file(path + ".2"), "0123456789");
  EXPECT_EQ(read_file(path + ".1"), "0123456789");
  EXPECT_EQ(read_file(path), "01234\nxy\n");
  EXPECT_FALSE(testing::exists(path + ".4"));
}

TEST(LogFile, ALineBegunByAnEarlierWriteIsSplitWhenTheRestDoesNotFit) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path, .max_size = 10, .keep = 5});
  ASSERT_TRUE(log.write("abcdef").ok());
  ASSERT_TRUE(log.write("ghijkl\n").ok());
  EXPECT_EQ(read_file(path + ".1"), "abcdefghij");
  EXPECT_EQ(read_file(path), "kl\n");
}

// The contract's core: numbered lines of varying length, some longer than max_size, in
// random chunks through dozens of rotations. The files, oldest first, are exactly the
// input; none exceeds max_size.
TEST(LogFile, FiftyMegabytesThroughRotationsLoseAndRepeatNothing) {
  TempDir dir;
  const auto path = dir.file("web.out.log");
  constexpr std::uint64_t kMax = 1024 * kKiB;
  const std::string input = numbered_lines(50 * kMiB, 1, kMax);
  {
    LogFile log({.path = path, .max_size = kMax, .keep = 1000});
    write_in_chunks(log, input, 2);
    EXPECT_GE(log.rotations(), 50u);
    EXPECT_EQ(log.dropped_bytes(), 0u);
  }
  unsigned rotated = 0;
  const std::string all = read_all_generations(path, &rotated);
  EXPECT_GE(rotated, 50u);
  ASSERT_EQ(all.size(), input.size());
  EXPECT_TRUE(all == input);
  for (unsigned i = 1; i <= rotated; ++i) {
    const auto size = std::filesystem::file_size(path + "." + std::to_string(i));
    EXPECT_LE(size, kMax) << i;
    EXPECT_GT(size, 0u) << i;
  }
  EXPECT_LE(std::filesystem::file_size(path), kMax);
}

// Chunks of whole lines (a child writing line by line): every file starts and ends on a
// line boundary unless a line is longer than max_size.
TEST(LogFile, WholeLineWritesNeverSplitALineThatFits) {
  TempDir dir;
  const auto path = dir.file("a.log");
  constexpr std::uint64_t kMax = 64 * kKiB;
  const std::string input = numbered_lines(4 * kMiB, 3, kMax);
  {
    LogFile log({.path = path, .max_size = kMax, .keep = 1000});
    std::mt19937 rng(4);
    std::size_t pos = 0;
    while (pos < input.size()) {
      // 1..20 whole lines per write
      std::size_t end = pos;
      for (int k = std::uniform_int_distribution<int>(1, 20)(rng); k > 0 && end < input.size();
           --k) {
        end = input.find('\n', end) + 1;
      }
      ASSERT_TRUE(log.write(input.data() + pos, end - pos).ok());
      pos = end;
    }
  }
  unsigned rotated = 0;
  ASSERT_TRUE(read_all_generations(path, &rotated) == input);
  ASSERT_GE(rotated, 60u);
  // Every file boundary falls after a newline, or inside a line longer than max_size.
  std::size_t boundary = 0;
  for (unsigned i = rotated; i >= 1; --i) {
    boundary += std::filesystem::file_size(path + "." + std::to_string(i));
    if (input[boundary - 1] == '\n') continue;
    const std::size_t line_start = input.rfind('\n', boundary - 1) + 1;
    const std::size_t line_end = input.find('\n', boundary);
    EXPECT_GT(line_end - line_start, kMax) << "a line that fits was split after file ." << i;
  }
}

TEST(LogFile, WithFewFilesKeptTheOldestAreDroppedAndTheRestAreASuffix) {
  TempDir dir;
  const auto path = dir.file("a.log");
  constexpr std::uint64_t kMax = 256 * kKiB;
  const std::string input = numbered_lines(8 * kMiB, 5);
  {
    LogFile log({.path = path, .max_size = kMax, .keep = 3});
    write_in_chunks(log, input, 6, 16 * kKiB);
    EXPECT_GE(log.rotations(), 30u);
  }
  unsigned rotated = 0;
  const std::string all = read_all_generations(path, &rotated);
  EXPECT_EQ(rotated, 3u);
  EXPECT_FALSE(testing::exists(path + ".4"));
  ASSERT_LE(all.size(), 4 * kMax);
  EXPECT_GE(all.size(), 3 * kMax / 2);
  EXPECT_TRUE(input.compare(input.size() - all.size(), all.size(), all) == 0)
      << "the kept files are not the end of the input";
}

TEST(LogFile, KeepZeroCountsAsOne) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path, .max_size = 4, .keep = 0});
  EXPECT_EQ(log.options().keep, 1u);
  ASSERT_TRUE(log.write("aa\nbb\ncc\n").ok());
  EXPECT_EQ(read_file(path + ".1"), "bb\n");
  EXPECT_EQ(read_file(path), "cc\n");
  EXPECT_FALSE(testing::exists(path + ".2"));
}

TEST(LogFile, MaxSizeZeroNeverRotates) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path});
  const std::string input = numbered_lines(2 * kMiB, 7);
  write_in_chunks(log, input, 8);
  EXPECT_EQ(log.rotations(), 0u);
  EXPECT_FALSE(testing::exists(path + ".1"));
  EXPECT_TRUE(read_file(path) == input);
}

// --- timestamps ---

// "2026-11-22T01:02:03.456Z " -> the rest of the line, or nullopt when the prefix is malformed.
std::optional<std::string> strip_stamp(const std::string& line) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ ";
  if (line.size() < kShape.size()) return std::nullopt;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const char c = line[i];
    const bool ok = kShape[i] == 'd' ? (c >= '0' && c <= '9') : c == kShape[i];
    if (!ok) return std::nullopt;
  }
  return line.substr(kShape.size());
}

TEST(LogFile, TimestampsPrefixEveryLineIncludingLinesSplitAcrossWrites) {
  TempDir dir;
  const auto path = dir.file("a.log");
  testing::FakeClock clock;
  clock.now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795309323456));
  LogFile log({.path = path, .timestamps = true}, real_file_system(), [&] { return clock.now; });
  ASSERT_TRUE(log.write("first\nsec").ok());
  clock.now += std::chrono::seconds(1);
  ASSERT_TRUE(log.write("ond\n\nthird").ok());
  clock.now += std::chrono::seconds(1);
  ASSERT_TRUE(log.write(" end\n").ok());
  EXPECT_EQ(read_file(path),
            "2026-11-22T01:02:03.456Z first\n"
            "2026-11-22T01:02:03.456Z second\n"
            "2026-11-22T01:02:04.456Z \n"
            "2026-11-22T01:02:04.456Z third end\n");
}

TEST(LogFile, TimestampedPayloadIsIntactForRandomChunks) {
  TempDir dir;
  const auto path = dir.file("a.log");
  const std::string input = numbered_lines(3 * kMiB, 9);
  {
    LogFile log({.path = path, .timestamps = true});
    write_in_chunks(log, input, 10, 4096);
  }
  const auto lines = testing::split_lines(read_file(path));
  const auto expected = testing::split_lines(input);
  ASSERT_EQ(lines.size(), expected.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto payload = strip_stamp(lines[i]);
    ASSERT_TRUE(payload) << lines[i];
    ASSERT_EQ(*payload, expected[i]) << "line " << i;
  }
}

TEST(LogFile, TimestampsWithRotationKeepEveryLineWholeAndPrefixed) {
  TempDir dir;
  const auto path = dir.file("a.log");
  const std::string input = numbered_lines(2 * kMiB, 11);
  constexpr std::uint64_t kMax = 100 * kKiB;
  {
    LogFile log({.path = path, .max_size = kMax, .keep = 100, .timestamps = true});
    // Whole lines per write, so no line is ever begun in one file and ended in another.
    std::size_t pos = 0;
    while (pos < input.size()) {
      std::size_t end = input.find('\n', pos) + 1;
      end = input.find('\n', std::min(end + 500, input.size() - 1)) + 1;
      ASSERT_TRUE(log.write(input.data() + pos, end - pos).ok());
      pos = end;
    }
  }
  unsigned rotated = 0;
  const std::string all = read_all_generations(path, &rotated);
  EXPECT_GE(rotated, 20u);
  const auto lines = testing::split_lines(all);
  const auto expected = testing::split_lines(input);
  ASSERT_EQ(lines.size(), expected.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto payload = strip_stamp(lines[i]);
    ASSERT_TRUE(payload) << lines[i];
    ASSERT_EQ(*payload, expected[i]);
  }
  for (unsigned i = 1; i <= rotated; ++i) {
    const std::string content = read_file(path + "." + std::to_string(i));
    EXPECT_LE(content.size(), kMax);
    EXPECT_EQ(content.back(), '\n');
  }
}

TEST(LogFile, WithTimestampsARestartedStreamStartsOnANewLine) {
  TempDir dir;
  const auto path = dir.file("a.log");
  testing::FakeClock clock;
  LogFile log({.path = path, .timestamps = true}, real_file_system(), [&] { return clock.now; });
  ASSERT_TRUE(log.write("prompt> ").ok());
  ASSERT_TRUE(log.end_of_stream().ok());
  EXPECT_EQ(read_file(path), "1970-01-01T00:00:00.000Z prompt> ");
  ASSERT_TRUE(log.write("again\n").ok());
  EXPECT_EQ(read_file(path),
            "1970-01-01T00:00:00.000Z prompt> \n"
            "1970-01-01T00:00:00.000Z again\n");
}

// --- reopen ---

TEST(LogFile, ReopenAfterAnExternalRenameWritesToTheNewFile) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path, .max_size = 1024 * kKiB});
  ASSERT_TRUE(log.write("before\n").ok());
  std::filesystem::rename(path, path + ".old");  // what logrotate does
  ASSERT_TRUE(log.write("still old\n").ok());
  ASSERT_TRUE(log.reopen().ok());
  EXPECT_EQ(log.size(), 0u);
  ASSERT_TRUE(log.write("after\n").ok());
  EXPECT_EQ(read_file(path + ".old"), "before\nstill old\n");
  EXPECT_EQ(read_file(path), "after\n");
}

TEST(LogFile, ReopenContinuesAFileThatWasNotMoved) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path});
  ASSERT_TRUE(log.write("one\n").ok());
  ASSERT_TRUE(log.reopen().ok());
  ASSERT_TRUE(log.write("two\n").ok());
  EXPECT_EQ(read_file(path), "one\ntwo\n");
  EXPECT_EQ(log.size(), 8u);
}

TEST(LogFile, ACopytruncatedFileIsNotRotatedEarly) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path, .max_size = 100, .keep = 2});
  ASSERT_TRUE(log.write(std::string(89, 'a') + "\n").ok());
  std::filesystem::resize_file(path, 0);  // logrotate's copytruncate
  ASSERT_TRUE(log.write("after truncation\n").ok());
  EXPECT_EQ(log.rotations(), 0u);
  EXPECT_FALSE(testing::exists(path + ".1"));
  EXPECT_EQ(read_file(path), "after truncation\n");
  EXPECT_EQ(log.size(), 17u);
}

TEST(LogFile, WriteAfterCloseOpensTheFileAgain) {
  TempDir dir;
  const auto path = dir.file("a.log");
  LogFile log({.path = path});
  ASSERT_TRUE(log.write("one\n").ok());
  ASSERT_TRUE(log.close().ok());
  ASSERT_TRUE(log.retry().ok());  // nothing to do while closed
  ASSERT_TRUE(log.write("two\n").ok());
  EXPECT_EQ(read_file(path), "one\ntwo\n");
}

}  // namespace
}  // namespace supd::logs
