#include "logs/output_router.h"

#include <string>

#include <gtest/gtest.h>

#include "log_test_util.h"

namespace supd::logs {
namespace {

using Kind = StreamConfig::Kind;
using testing::read_file;
using testing::TempDir;

StreamConfig file_at(const std::string& path) {
  StreamConfig c;
  c.kind = Kind::File;
  c.file.path = path;
  return c;
}

StreamConfig of_kind(Kind kind) {
  StreamConfig c;
  c.kind = kind;
  return c;
}

TEST(OutputRouter, DefaultPathsAreUnderTheLogDirectory) {
  EXPECT_EQ(default_log_name("web", false), "web.out.log");
  EXPECT_EQ(default_log_name("web.0", true), "web.0.err.log");
  EXPECT_EQ(resolve_log_path("/var/log/supd", "", "web", false), "/var/log/supd/web.out.log");
  EXPECT_EQ(resolve_log_path("/var/log/supd", "custom.log", "web", true),
            "/var/log/supd/custom.log");
  EXPECT_EQ(resolve_log_path("/var/log/supd", "/srv/web.log", "web", false), "/srv/web.log");
}

TEST(OutputRouter, SeparateFiles) {
  TempDir dir;
  OutputRouter router(file_at(dir.file("w.out.log")), file_at(dir.file("w.err.log")));
  os::ProcessSpec spec;
  router.configure(spec);
  EXPECT_EQ(spec.stdout_mode, os::StdioMode::Pipe);
  EXPECT_EQ(spec.stderr_mode, os::StdioMode::Pipe);
  EXPECT_FALSE(spec.stderr_to_stdout);
  ASSERT_NE(router.stdout_log(), nullptr);
  ASSERT_NE(router.stderr_log(), nullptr);
  ASSERT_TRUE(router.stdout_log()->write("out\n").ok());
  ASSERT_TRUE(router.stderr_log()->write("err").ok());
  ASSERT_TRUE(router.end_of_stream().ok());
  EXPECT_EQ(read_file(dir.file("w.out.log")), "out\n");
  EXPECT_EQ(read_file(dir.file("w.err.log")), "err");
  EXPECT_EQ(router.log_path(false), dir.file("w.out.log"));
  EXPECT_EQ(router.log_path(true), dir.file("w.err.log"));
}

TEST(OutputRouter, MergedStderrSharesStdoutsPipeAndFile) {
  TempDir dir;
  OutputRouter router(file_at(dir.file("w.out.log")), of_kind(Kind::Stdout));
  os::ProcessSpec spec;
  router.configure(spec);
  EXPECT_EQ(spec.stdout_mode, os::StdioMode::Pipe);
  EXPECT_TRUE(spec.stderr_to_stdout);
  EXPECT_NE(router.stdout_log(), nullptr);
  EXPECT_EQ(router.stderr_log(), nullptr);
  EXPECT_EQ(router.log_path(true), dir.file("w.out.log"));
}

TEST(OutputRouter, InheritAndNullOpenNoFiles) {
  TempDir dir;
  OutputRouter router(of_kind(Kind::Inherit), of_kind(Kind::Null));
  os::ProcessSpec spec;
  router.configure(spec);
  EXPECT_EQ(spec.stdout_mode, os::StdioMode::Inherit);
  EXPECT_EQ(spec.stderr_mode, os::StdioMode::Null);
  EXPECT_FALSE(spec.stderr_to_stdout);
  EXPECT_EQ(router.stdout_log(), nullptr);
  EXPECT_EQ(router.stderr_log(), nullptr);
  EXPECT_EQ(router.log_path(false), "");
  EXPECT_EQ(router.log_path(true), "");
  EXPECT_TRUE(router.open().ok());
}

TEST(OutputRouter, StderrMergedIntoANullStdoutIsDiscardedToo) {
  OutputRouter router(of_kind(Kind::Null), of_kind(Kind::Stdout));
  os::ProcessSpec spec;
  router.configure(spec);
  EXPECT_EQ(spec.stdout_mode, os::StdioMode::Null);
  EXPECT_EQ(spec.stderr_mode, os::StdioMode::Null);
  EXPECT_TRUE(spec.stderr_to_stdout);
}

TEST(OutputRouter, ReportsTheFirstErrorAndCountsDropsOfBothFiles) {
  TempDir dir;
  OutputRouter router(file_at(dir.file("missing/o.log")), file_at(dir.file("e.log")));
  os::Status s = router.open();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(),
            "open " + dir.file("missing/o.log") + ": No such file or directory");
  EXPECT_TRUE(router.failing());
  EXPECT_EQ(router.dropped_bytes(), 0u);
  EXPECT_TRUE(router.close().ok());  // nothing was held
}

}  // namespace
}  // namespace supd::logs
