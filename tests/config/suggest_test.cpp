#include "config/suggest.h"

#include <gtest/gtest.h>

namespace supd::config {
namespace {

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("restart", "restart"), 0u);
  EXPECT_EQ(edit_distance("restrat", "restart"), 1u);  // one swap of neighbours
  EXPECT_EQ(edit_distance("restar", "restart"), 1u);
  EXPECT_EQ(edit_distance("rxstart", "restart"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("Restart", "restart"), 0u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Suggest, ClosestMatch) {
  const std::vector<std::string> keys = {"restart", "restart_window", "start_secs", "env", "cwd"};
  EXPECT_EQ(closest_match("restrat", keys), "restart");
  EXPECT_EQ(closest_match("Restart", keys), "restart");
  EXPECT_EQ(closest_match("evn", keys), "env");
  EXPECT_EQ(closest_match("restart_windw", keys), "restart_window");
  EXPECT_EQ(closest_match("sometimes", keys), std::nullopt);
  EXPECT_EQ(closest_match("x", keys), std::nullopt);
  EXPECT_EQ(closest_match("", keys), std::nullopt);
}

}  // namespace
}  // namespace supd::config
