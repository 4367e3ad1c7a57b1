// Line framing: partial lines, many lines per read, and the length bound.
#include "control/line_framer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "control/protocol.h"

namespace supd::control {
namespace {

void feed(LineFramer& f, const std::string& s) { f.feed(s.data(), s.size()); }

std::vector<std::string> drain(LineFramer& f) {
  std::vector<std::string> lines;
  while (auto line = f.next_line()) lines.push_back(*line);
  return lines;
}

TEST(LineFramer, ManyLinesInOneRead) {
  LineFramer f(kMaxRequestLine);
  feed(f, "one\ntwo\n\nthree\n");
  EXPECT_EQ(drain(f), (std::vector<std::string>{"one", "two", "", "three"}));
  EXPECT_FALSE(f.has_partial());
  EXPECT_EQ(f.buffered(), 0u);
}

TEST(LineFramer, LineSplitAcrossReads) {
  LineFramer f(kMaxRequestLine);
  feed(f, "{\"v\":1,");
  EXPECT_EQ(f.next_line(), std::nullopt);
  EXPECT_TRUE(f.has_partial());
  feed(f, "\"cmd\":\"ping\"}\n{\"v\"");
  EXPECT_EQ(f.next_line(), "{\"v\":1,\"cmd\":\"ping\"}");
  EXPECT_EQ(f.next_line(), std::nullopt);
  EXPECT_TRUE(f.has_partial());
  feed(f, ":1}\n");
  EXPECT_EQ(f.next_line(), "{\"v\":1}");
  EXPECT_FALSE(f.has_partial());
}

TEST(LineFramer, ByteAtATime) {
  LineFramer f(16);
  std::string text = "ab\ncd\n";
  std::vector<std::string> lines;
  for (char c : text) {
    f.feed(&c, 1);
    while (auto line = f.next_line()) lines.push_back(*line);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"ab", "cd"}));
}

TEST(LineFramer, ALineOfExactlyTheLimitFits) {
  LineFramer f(kMaxRequestLine);
  std::string line(kMaxRequestLine, 'x');
  feed(f, line + "\n");
  EXPECT_FALSE(f.overflowed());
  EXPECT_EQ(f.next_line(), line);
}

TEST(LineFramer, OneByteMoreOverflowsButEarlierLinesSurvive) {
  LineFramer f(kMaxRequestLine);
  feed(f, "first\n" + std::string(kMaxRequestLine + 1, 'x') + "\nlater\n");
  EXPECT_TRUE(f.overflowed());
  EXPECT_EQ(f.next_line(), "first");
  EXPECT_EQ(f.next_line(), std::nullopt);
  EXPECT_EQ(f.buffered(), 0u);
}

TEST(LineFramer, OverflowWithoutNewlineIsNoticedAsItArrives) {
  LineFramer f(1024);
  std::string chunk(600, 'y');
  feed(f, chunk);
  EXPECT_FALSE(f.overflowed());
  feed(f, chunk);
  EXPECT_TRUE(f.overflowed());
  // Whatever follows is ignored; memory stays bounded.
  for (int i = 0; i < 1000; ++i) feed(f, chunk + "\n");
  EXPECT_LE(f.buffered(), 1024u);
  EXPECT_EQ(f.next_line(), std::nullopt);
}

TEST(LineFramer, BufferIsReclaimedAsLinesAreTaken) {
  LineFramer f(kMaxRequestLine);
  for (int i = 0; i < 10000; ++i) {
    feed(f, "{\"v\":1,\"cmd\":\"ping\"}\n{\"v\":1");
    ASSERT_EQ(f.next_line(), "{\"v\":1,\"cmd\":\"ping\"}");
    ASSERT_EQ(f.next_line(), std::nullopt);
    feed(f, "}\n");
    ASSERT_EQ(f.next_line(), "{\"v\":1}");
  }
  EXPECT_EQ(f.buffered(), 0u);
}

}  // namespace
}  // namespace supd::control
