#include "config/duration.h"

#include <gtest/gtest.h>

namespace supd::config {
namespace {

using std::chrono::milliseconds;

TEST(Duration, ParsesEachUnit) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("10s"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
}

TEST(Duration, BareNumberIsSeconds) {
  EXPECT_EQ(parse_duration("30"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
  EXPECT_EQ(parse_duration("0.5"), milliseconds(500));
}

TEST(Duration, DecimalsAndCompounds) {
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(parse_duration("0.25h"), milliseconds(900'000));
  EXPECT_EQ(parse_duration("1m30s"), milliseconds(90'000));
  EXPECT_EQ(parse_duration("1h2m3s4ms"), milliseconds(3'723'004));
}

TEST(Duration, RejectsEverythingElse) {
  for (const char* bad : {"", "10 parsecs", "-1s", "10 s", " 10s", "10s ", "s", "ms", "5d", "1e3",
                          "10S", "1.5ms", "0.0001s", "1m30", "abc", "1..5s"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

TEST(Duration, RejectsOverflow) {
  EXPECT_EQ(parse_duration("99999999999999999999h"), std::nullopt);
  EXPECT_EQ(parse_duration("9999999999999999h"), std::nullopt);
}

TEST(Duration, FormatsInTheLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
  EXPECT_EQ(format_duration(milliseconds(300'000)), "5m");
  EXPECT_EQ(format_duration(milliseconds(7'200'000)), "2h");
}

TEST(Duration, FormatRoundTrips) {
  for (long long ms :
       {0LL, 1LL, 999LL, 1000LL, 61'000LL, 3'600'000LL, 86'400'000LL, 123'456'789LL}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms)) << ms;
  }
}

}  // namespace
}  // namespace supd::config
