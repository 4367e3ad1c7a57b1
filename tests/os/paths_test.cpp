// The default-path rules of SPEC.md "Files and names", with made-up environments.
#if !defined(_WIN32)
#include "os/paths.h"

#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

namespace supd::os {
namespace {

PathEnv user_env() {
  PathEnv env;
  env.is_root = false;
  env.uid = 1000;
  env.user_name = "alice";
  env.account_home = "/home/alice-from-passwd";
  env.vars = {{"HOME", "/home/alice"}};
  return env;
}

TEST(PathsTest, RootUsesSystemLocationsWhateverTheEnvironment) {
  PathEnv env = user_env();
  env.is_root = true;
  env.uid = 0;
  env.vars["XDG_CONFIG_HOME"] = "/x/config";
  env.vars["XDG_RUNTIME_DIR"] = "/x/run";
  env.vars["XDG_STATE_HOME"] = "/x/state";
  EXPECT_EQ(default_config_path(env), "/etc/supd/supd.yaml");
  EXPECT_EQ(default_control_path(env), "/run/supd/supd.sock");
  EXPECT_EQ(default_log_dir(env), "/var/log/supd");
}

TEST(PathsTest, UserWithXdgVariables) {
  PathEnv env = user_env();
  env.vars["XDG_CONFIG_HOME"] = "/home/alice/cfg";
  env.vars["XDG_RUNTIME_DIR"] = "/run/user/1000/";
  env.vars["XDG_STATE_HOME"] = "/home/alice/st";
  EXPECT_EQ(default_config_path(env), "/home/alice/cfg/supd/supd.yaml");
  EXPECT_EQ(default_control_path(env), "/run/user/1000/supd/supd.sock");
  EXPECT_EQ(default_log_dir(env), "/home/alice/st/supd/log");
}

TEST(PathsTest, UserWithoutXdgVariablesFallsBackToHomeAndTmp) {
  PathEnv env = user_env();
  EXPECT_EQ(default_config_path(env), "/home/alice/.config/supd/supd.yaml");
  EXPECT_EQ(default_control_path(env), "/tmp/supd-1000/supd.sock");
  EXPECT_EQ(default_log_dir(env), "/home/alice/.local/state/supd/log");
}

TEST(PathsTest, EmptyOrRelativeXdgVariablesAreIgnored) {
  PathEnv env = user_env();
  env.vars["XDG_CONFIG_HOME"] = "";
  env.vars["XDG_RUNTIME_DIR"] = "run";
  env.vars["XDG_STATE_HOME"] = "./state";
  EXPECT_EQ(default_config_path(env), "/home/alice/.config/supd/supd.yaml");
  EXPECT_EQ(default_control_path(env), "/tmp/supd-1000/supd.sock");
  EXPECT_EQ(default_log_dir(env), "/home/alice/.local/state/supd/log");
}

TEST(PathsTest, WithoutHomeTheAccountsHomeIsUsedThenTmp) {
  PathEnv env = user_env();
  env.vars.erase("HOME");
  EXPECT_EQ(default_config_path(env), "/home/alice-from-passwd/.config/supd/supd.yaml");
  env.account_home.clear();
  EXPECT_EQ(default_config_path(env), "/tmp/supd-1000/supd/supd.yaml");
  EXPECT_EQ(default_log_dir(env), "/tmp/supd-1000/supd/log");
}

TEST(PathsTest, StatusPageSitsBesideTheControlSocket) {
  EXPECT_EQ(default_status_page_path("/run/supd/supd.sock"), "/run/supd/supd.status");
  EXPECT_EQ(default_status_page_path("/tmp/x/other.sock"), "/tmp/x/supd.status");
  EXPECT_EQ(default_status_page_path("supd.sock"), "supd.status");
  EXPECT_EQ(default_status_page_path("rel/supd.sock"), "rel/supd.status");
}

TEST(PathsTest, CurrentEnvironmentIsRead) {
  PathEnv env = current_path_env();
  EXPECT_EQ(env.is_root, geteuid() == 0);
  EXPECT_EQ(env.uid, geteuid());
  EXPECT_FALSE(env.user_name.empty());
  EXPECT_EQ(default_config_path(), default_config_path(env));
  EXPECT_EQ(default_control_path(), default_control_path(env));
  EXPECT_EQ(default_log_dir(), default_log_dir(env));
}

}  // namespace
}  // namespace supd::os
#endif  // !_WIN32
