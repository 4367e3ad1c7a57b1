#include "logs/timestamp.h"

#include <string>

#include <gtest/gtest.h>

namespace supd::logs {
namespace {

std::string format(std::chrono::system_clock::time_point t) {
  char buf[kTimestampSize];
  format_timestamp(t, buf);
  return std::string(buf, kTimestampSize);
}

std::chrono::system_clock::time_point at_ms(long long ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

TEST(Timestamp, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format(at_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format(at_ms(1795309323456)), "2026-11-22T01:02:03.456Z");
  EXPECT_EQ(format(at_ms(951782400000)), "2000-02-29T00:00:00.000Z");   // leap day
  EXPECT_EQ(format(at_ms(4107542399999)), "2100-02-28T23:59:59.999Z");  // no leap day
  EXPECT_EQ(format(at_ms(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format(at_ms(1735689599999) + std::chrono::microseconds(999)),
            "2024-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace supd::logs
