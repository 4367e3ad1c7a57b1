#include <sstream>

#include <gtest/gtest.h>

#include "config/load.h"
#include "test_util.h"

namespace supd::config {
namespace {

TEST(CheckConfig, GoodConfigPrintsOk) {
  testing::TempDir dir;
  const std::string file = dir.write("supd.yaml", "services:\n  a: {command: x}\n");
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(check_config_command(file, out, err), 0);
  EXPECT_EQ(out.str(), "ok\n");
  EXPECT_EQ(err.str(), "");
}

TEST(CheckConfig, BadConfigPrintsEveryDiagnosticAndExits2) {
  testing::TempDir dir;
  const std::string file =
      dir.write("supd.yaml", "services:\n  a: {command: x, restart: sometimes}\n  b: {}\n");
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(check_config_command(file, out, err), 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), file +
                           ":2:28: services.a.restart: expected one of always, on-failure, "
                           "never, got \"sometimes\"\n" +
                           file + ":3:3: services.b: missing required key 'command'\n");
}

TEST(CheckConfig, MissingFileExits2) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(check_config_command("/nonexistent/supd.yaml", out, err), 2);
  EXPECT_EQ(err.str(), "/nonexistent/supd.yaml: cannot read: No such file or directory\n");
}

}  // namespace
}  // namespace supd::config
