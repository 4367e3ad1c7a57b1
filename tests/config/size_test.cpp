#include "config/size.h"

#include <gtest/gtest.h>

namespace supd::config {
namespace {

constexpr std::uint64_t kKiB = 1024;

TEST(Size, ParsesPowersOf1024) {
  EXPECT_EQ(parse_size("512KB"), 512 * kKiB);
  EXPECT_EQ(parse_size("10MB"), 10 * kKiB * kKiB);
  EXPECT_EQ(parse_size("1GB"), kKiB * kKiB * kKiB);
  EXPECT_EQ(parse_size("2TB"), 2 * kKiB * kKiB * kKiB * kKiB);
}

TEST(Size, BareNumberIsBytes) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("1024"), 1024u);
  EXPECT_EQ(parse_size("7B"), 7u);
}

TEST(Size, OtherSpellings) {
  EXPECT_EQ(parse_size("10mb"), 10 * kKiB * kKiB);
  EXPECT_EQ(parse_size("1K"), kKiB);
  EXPECT_EQ(parse_size("2KiB"), 2 * kKiB);
  EXPECT_EQ(parse_size("3gib"), 3 * kKiB * kKiB * kKiB);
  EXPECT_EQ(parse_size("1.5GB"), 3 * kKiB * kKiB * kKiB / 2);
  EXPECT_EQ(parse_size("0.5KB"), 512u);
}

TEST(Size, RejectsEverythingElse) {
  for (const char* bad : {"", "MB", "10 MB", "-1", "1.5", "0.3KB", "1PB", "ten", "1e6", "10MBs"}) {
    EXPECT_EQ(parse_size(bad), std::nullopt) << bad;
  }
}

TEST(Size, RejectsOverflow) {
  EXPECT_EQ(parse_size("20000000TB"), std::nullopt);
  EXPECT_EQ(parse_size("18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_size("18446744073709551615"), 18446744073709551615ULL);
}

TEST(Size, FormatsInTheLargestExactUnit) {
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_size(10 * kKiB * kKiB), "10MB");
  EXPECT_EQ(format_size(512 * kKiB), "512KB");
  EXPECT_EQ(format_size(kKiB * kKiB * kKiB), "1GB");
  EXPECT_EQ(format_size(1536), "1536B");
}

TEST(Size, FormatRoundTrips) {
  for (std::uint64_t n : {std::uint64_t{1}, std::uint64_t{1023}, 5 * kKiB, 3 * kKiB * kKiB + 1,
                          kKiB * kKiB * kKiB * kKiB}) {
    EXPECT_EQ(parse_size(format_size(n)), n) << n;
  }
}

}  // namespace
}  // namespace supd::config
