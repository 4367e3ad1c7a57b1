// A child's stdout and stderr: pipes read on the loop, merged, discarded, drained.
#include <cstdio>

#include "os/child_test_support.h"

namespace supd::os {
namespace {

using testing::ChildTest;
using testing::Collector;
using testing::helper;

class ChildOutputTest : public ChildTest {};

// Checks that `text` is exactly lines 1..count of write-pattern for `stream`, in order.
void expect_pattern(const std::string& text, const std::string& stream, long count) {
  const auto got = testing::lines(text);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(count));
  ASSERT_EQ(text.size(), static_cast<std::size_t>(count) * 64);
  for (long i = 1; i <= count; ++i) {
    char prefix[64];
    std::snprintf(prefix, sizeof prefix, "%s %010ld ", stream.c_str(), i);
    const std::string& line = got[static_cast<std::size_t>(i - 1)];
    ASSERT_EQ(line.rfind(prefix, 0), 0u) << "line " << i << ": " << line;
  }
}

TEST_F(ChildOutputTest, ReadsStdoutAndStderrSeparately) {
  auto f = run(helper({"print", "to-out", "eprint", "to-err", "print", "more-out"}));
  EXPECT_EQ(f.out, "to-out\nmore-out\n");
  EXPECT_EQ(f.err, "to-err\n");
}

TEST_F(ChildOutputTest, MergesStderrIntoStdout) {
  ProcessSpec spec = helper({"print", "one", "eprint", "two", "print", "three"});
  spec.stderr_to_stdout = true;
  Child* child = start(spec);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->take_stderr(), nullptr);
  auto out = Collector::start(child->take_stdout());
  ASSERT_TRUE(run_until([&] { return out->done(); }));
  EXPECT_EQ(out->text(), "one\ntwo\nthree\n");
}

TEST_F(ChildOutputTest, NullOrInheritedOutputHasNoPipe) {
  ProcessSpec spec = helper({"print", "discarded", "eprint", "discarded"});
  spec.stdout_mode = StdioMode::Null;
  spec.stderr_mode = StdioMode::Null;
  Child* child = start(spec);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->take_stdout(), nullptr);
  EXPECT_EQ(child->take_stderr(), nullptr);
  auto status = wait_exit(child);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->describe(), "exited 0");
}

TEST_F(ChildOutputTest, EachPipeIsHandedOutOnce) {
  Child* child = start(helper({}));
  ASSERT_NE(child, nullptr);
  EXPECT_NE(child->take_stdout(), nullptr);
  EXPECT_EQ(child->take_stdout(), nullptr);
}

TEST_F(ChildOutputTest, StdinIsEmpty) {
  auto f = run(helper({"echo-stdin", "print", "end"}));
  EXPECT_EQ(f.out, "end\n");
}

TEST_F(ChildOutputTest, ReadsSeveralMegabytesCompletely) {
  constexpr long kLines = 100000;  // 6.4 MB
  auto f = run(helper({"write-pattern", "stdout", std::to_string(kLines)}));
  ASSERT_TRUE(f.status);
  EXPECT_EQ(f.status->describe(), "exited 0");
  expect_pattern(f.out, "stdout", kLines);
}

TEST_F(ChildOutputTest, ReadsBothStreamsCompletely) {
  constexpr long kLines = 30000;
  auto f = run(helper({"write-pattern", "stdout", std::to_string(kLines), "write-pattern", "stderr",
                       std::to_string(kLines)}));
  expect_pattern(f.out, "stdout", kLines);
  expect_pattern(f.err, "stderr", kLines);
}

TEST_F(ChildOutputTest, ReadNowDrainsWhatIsLeftAfterTheExit) {
  Child* child = start(helper({"print", "left-behind"}));
  ASSERT_NE(child, nullptr);
  auto pipe = child->take_stdout();
  ASSERT_TRUE(wait_exit(child));
  std::string text;
  std::error_code ec;
  char buffer[4];  // small, so draining takes several reads
  ASSERT_TRUE(run_until([&] {
    const std::size_t n = pipe->read_now(buffer, sizeof buffer, ec);
    text.append(buffer, n);
    return static_cast<bool>(ec);
  }));
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_EQ(text, "left-behind\n");
}

TEST_F(ChildOutputTest, ReadNowReturnsNothingWhileTheWriterIsQuiet) {
  Child* child = start(helper({"ready", "sleep", "60"}));
  ASSERT_NE(child, nullptr);
  auto pipe = child->take_stdout();
  std::string text;
  std::error_code ec;
  char buffer[64];
  ASSERT_TRUE(run_until([&] {
    text.append(buffer, pipe->read_now(buffer, sizeof buffer, ec));
    return text == "ready\n" || ec;
  }));
  EXPECT_FALSE(ec);
  EXPECT_EQ(pipe->read_now(buffer, sizeof buffer, ec), 0u);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(ChildOutputTest, AClosedPipeReportsAnError) {
  Child* child = start(helper({}));
  ASSERT_NE(child, nullptr);
  auto pipe = child->take_stdout();
  pipe->close();
  char buffer[8];
  std::error_code ec;
  EXPECT_EQ(pipe->read_now(buffer, sizeof buffer, ec), 0u);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace supd::os
