// ServiceConfig's == tells reload which services changed: every setting counts, where the
// service was written does not.
#include <gtest/gtest.h>

#include "test_util.h"

namespace supd::config {
namespace {

using testing::load;

ServiceConfig web(const std::string& extra, const std::string& before = "") {
  LoadResult r =
      load("services:\n" + before + "  web:\n    command: [srv, --port, \"80\"]\n" + extra);
  EXPECT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  return r.config ? *r.config->find("web") : ServiceConfig{};
}

TEST(Equality, SameTextSameService) { EXPECT_EQ(web(""), web("")); }

TEST(Equality, MovingAServiceIsNotAChange) {
  ServiceConfig a = web("");
  ServiceConfig b = web("", "  first: {command: x}\n\n\n");
  EXPECT_NE(a.origin.line, b.origin.line);
  EXPECT_EQ(a, b);
}

TEST(Equality, SpellingADefaultIsNotAChange) {
  EXPECT_EQ(web(""),
            web("    restart: on-failure\n    stop_timeout: 10s\n    stdout: {keep: 5}\n"));
  EXPECT_EQ(web("    stop_timeout: 10s\n"), web("    stop_timeout: 10000ms\n"));
}

TEST(Equality, EverySettingCounts) {
  const ServiceConfig base = web("");
  for (const char* extra : {
           "    cwd: /tmp\n",
           "    env: {A: \"1\"}\n",
           "    inherit_env: false\n",
           "    user: nobody\n",
           "    group: nogroup\n",
           "    umask: \"077\"\n",
           "    limits: {nofile: 10}\n",
           "    autostart: false\n",
           "    restart: never\n",
           "    success_exit_codes: [0, 1]\n",
           "    backoff: {factor: 3}\n",
           "    start_secs: 2s\n",
           "    max_restarts: 1\n",
           "    restart_window: 2m\n",
           "    ready: {notify: true}\n",
           "    watchdog: 5s\n",
           "    health: {tcp: \"h:1\"}\n",
           "    max_runtime: 1h\n",
           "    stop_signal: INT\n",
           "    stop_timeout: 1s\n",
           "    stdout: inherit\n",
           "    stderr: {timestamps: true}\n",
       }) {
    EXPECT_NE(base, web(extra)) << extra;
  }
}

TEST(Equality, CommandCounts) {
  LoadResult a = load("services:\n  web: {command: [srv, --port, \"80\"]}\n");
  LoadResult b = load("services:\n  web: {command: [srv, --port, \"81\"]}\n");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.config->services[0], b.config->services[0]);
}

TEST(Equality, DependenciesCount) {
  EXPECT_NE(web("", "  db: {command: x}\n"), web("    depends_on: [db]\n", "  db: {command: x}\n"));
}

TEST(Equality, EnvFileContentCounts) {
  testing::TempDir dir;
  const std::string yaml = "services:\n  a: {command: x, env_file: a.env}\n";
  dir.write("a.env", "A=1\n");
  LoadResult before = load_config_string(yaml, dir / "supd.yaml", testing::lenient());
  dir.write("a.env", "A=2\n");
  LoadResult after = load_config_string(yaml, dir / "supd.yaml", testing::lenient());
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_NE(before.config->services[0], after.config->services[0]);
}

TEST(Equality, InstancesKeepTheirIdentityWhenTheCountGrows) {
  LoadResult two = load("services:\n  w: {command: x, instances: 2}\n");
  LoadResult three = load("services:\n  w: {command: x, instances: 3}\n");
  ASSERT_TRUE(two.ok() && three.ok());
  EXPECT_EQ(two.config->services[0], three.config->services[0]);
  EXPECT_EQ(two.config->services[1], three.config->services[1]);
}

}  // namespace
}  // namespace supd::config
