// The example a newcomer runs first must stay valid.
#include <gtest/gtest.h>

#include "config/load.h"
#include "config/shell_words.h"
#include "test_util.h"

namespace supd::config {
namespace {

TEST(Example, LoadsWithoutDiagnostics) {
  LoadResult r = load_config(SUPD_SOURCE_DIR "/config/example.yaml", testing::lenient());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  const Config& c = *r.config;
  EXPECT_EQ(c.supd.control, "/tmp/supd-example/supd.sock");
  EXPECT_EQ(c.supd.status_page, "/tmp/supd-example/supd.status");
  EXPECT_EQ(c.supd.log_dir, "/tmp/supd-example/log");

  std::vector<std::string> names;
  for (const ServiceConfig& s : c.services) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"web", "worker.0", "worker.1", "ticker"}));

  const ServiceConfig& web = *c.find("web");
  EXPECT_EQ(web.health.probe.kind, ProbeKind::Http);
  EXPECT_EQ(web.cwd, "/tmp");
  EXPECT_EQ(c.find("worker.0")->depends_on,
            (std::vector<Dependency>{{"web", DependencyCondition::Healthy}}));
  EXPECT_EQ(c.find("worker.1")->command,
            (std::vector<std::string>{"python3", "-u", "config/worker.py"}));
  EXPECT_EQ(c.find("ticker")->command.at(0), shell_argv("").at(0));
}

TEST(Example, TheWorkerScriptExists) {
  EXPECT_TRUE(std::filesystem::is_regular_file(SUPD_SOURCE_DIR "/config/worker.py"));
}

}  // namespace
}  // namespace supd::config
