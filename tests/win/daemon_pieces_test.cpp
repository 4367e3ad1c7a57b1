// The small Windows daemon pieces: default paths, no keeper, no systemd, users.
#include <string>

#include <gtest/gtest.h>

#include "os/keeper.h"
#include "os/paths.h"
#include "os/sd_notify.h"
#include "os/signals.h"
#include "os/user.h"

namespace supd::os {
namespace {

PathEnv service_env() {
  PathEnv env;
  env.is_root = true;
  env.user_name = "SYSTEM";
  env.vars.emplace("ProgramData", R"(D:\Data\)");
  return env;
}

TEST(WindowsPaths, ServiceDefaultsLiveUnderProgramData) {
  const PathEnv env = service_env();
  EXPECT_EQ(default_config_path(env), R"(D:\Data\supd\supd.yaml)");
  EXPECT_EQ(default_control_path(env), R"(\\.\pipe\supd)");
  EXPECT_EQ(default_log_dir(env), R"(D:\Data\supd\log)");
}

TEST(WindowsPaths, AUserGetsAPipeOfItsOwn) {
  PathEnv env = service_env();
  env.is_root = false;
  env.user_name = "Jane Doe";
  EXPECT_EQ(default_control_path(env), R"(\\.\pipe\supd-Jane Doe)");
  EXPECT_EQ(default_config_path(env), R"(D:\Data\supd\supd.yaml)");
}

TEST(WindowsPaths, ProgramDataFallsBackToItsUsualPlace) {
  PathEnv env;
  EXPECT_EQ(default_config_path(env), R"(C:\ProgramData\supd\supd.yaml)");
}

TEST(WindowsPaths, StatusPage) {
  EXPECT_EQ(default_status_page_path(R"(C:\run\supd.sock)"), R"(C:\run\supd.status)");
  const std::string page = default_status_page_path(R"(\\.\pipe\supd-jane)");
  EXPECT_NE(page.find(R"(\supd\supd-jane.status)"), std::string::npos) << page;
  EXPECT_EQ(page.find("pipe"), std::string::npos) << page;
}

TEST(WindowsPaths, TheRealEnvironmentGivesUsablePaths) {
  EXPECT_NE(default_config_path().find(R"(\supd\supd.yaml)"), std::string::npos);
  EXPECT_EQ(default_control_path().rfind(R"(\\.\pipe\supd)", 0), 0u);
}

TEST(WindowsKeeper, IsNotNeeded) {
  const KeeperRole role = start_keeper();
  EXPECT_FALSE(role.has_keeper);
  EXPECT_FALSE(role.why_not.empty());
}

TEST(WindowsSdNotify, IsANoOp) {
  EXPECT_FALSE(notify_systemd("READY=1"));
  EXPECT_FALSE(systemd_watchdog_interval());
  ignore_sigpipe();
}

TEST(WindowsUsers, LookupsSayTheyAreNotSupported) {
  auto user = lookup_user("nobody");
  ASSERT_FALSE(user);
  EXPECT_NE(user.error().message().find("not supported on Windows"), std::string::npos);
  EXPECT_FALSE(lookup_group("users"));
  EXPECT_FALSE(user_in_group(0, 0));
  EXPECT_FALSE(current_user_name().empty());
  (void)running_as_root();  // either answer is right; it must not fail
}

}  // namespace
}  // namespace supd::os
